"""Units of measure: exact conversion within a category, refusal across categories."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keel.products.errors import DuplicateCode, InUse, UomMismatch
from keel.products.models import Uom
from keel.products.selectors import convert
from keel.products.services import uoms
from keel.products.tests.factories import ProductFactory, units

pytestmark = pytest.mark.django_db


@pytest.fixture
def count():
    return units("Unit", ("Unit", "pc", "1", "1"), ("Dozen", "dz", "12", "0.01"))


@pytest.fixture
def weight():
    return units("Weight", ("Kilogram", "kg", "1", "0.001"), ("Gram", "g", "0.001", "1"))


@pytest.fixture
def length():
    return units("Length", ("Metre", "m", "1", "0.01"), ("Centimetre", "cm", "0.01", "1"))


def test_dozens_become_units_exactly(count):
    assert convert(3, count["dz"], count["pc"]) == Decimal("36")
    assert str(convert("2.5", count["dz"], count["pc"])) == "30"


def test_units_become_dozens_rounded_to_the_dozen_rounding(count):
    """Given a Dozen rounded to 0.01; When 10 units are converted; Then 0.83 dozen
    (10/12 = 0.8333..., half up at two places)."""
    assert str(convert(10, count["pc"], count["dz"])) == "0.83"
    assert str(convert(7, count["pc"], count["dz"])) == "0.58"  # 0.58333 -> 0.58


def test_grams_and_kilograms_convert_both_ways_without_float_error(weight):
    assert str(convert(1250, weight["g"], weight["kg"])) == "1.250"
    assert str(convert("0.1", weight["kg"], weight["g"])) == "100"
    assert str(convert("0.0005", weight["kg"], weight["g"])) == "1"  # 0.5 g half up
    assert str(convert("0.3", weight["kg"], weight["kg"])) == "0.300"


def test_centimetres_to_metres_at_the_metre_rounding(length):
    assert str(convert(155, length["cm"], length["m"])) == "1.55"
    assert str(convert("1.005", length["m"], length["cm"])) == "101"  # 100.5 cm half up


def test_a_conversion_across_categories_is_refused(weight, length):
    """Given kilograms and metres; When converting 2 kg into metres; Then a clear
    uom_category_mismatch error, not a number."""
    with pytest.raises(UomMismatch) as refused:
        convert(2, weight["kg"], length["m"])
    assert refused.value.code == "uom_category_mismatch"
    assert refused.value.detail == (
        "Cannot convert Kilogram (Weight) into Metre (Length): "
        "units of different categories do not convert."
    )


def test_a_second_reference_unit_is_refused(weight):
    with pytest.raises(DuplicateCode) as refused:
        uoms.save_uom(
            Uom(category=weight["kg"].category, name="Pound", ratio=1, is_reference=True),
            by=None,
        )
    assert refused.value.detail == "Weight already has a reference unit (Kilogram)."
    assert Uom.objects.filter(category=weight["kg"].category).count() == 2


def test_a_unit_in_use_keeps_its_ratio_and_cannot_be_deleted(company, weight):
    """Given a product sold by the gram; When the gram's ratio is changed or it is deleted;
    Then both are refused and the unit is unchanged."""
    ProductFactory(company=company, uom=weight["g"])
    gram = Uom.objects.get(pk=weight["g"].pk)
    gram.ratio = Decimal("0.002")
    with pytest.raises(InUse):
        uoms.save_uom(gram, by=None)
    with pytest.raises(InUse):
        uoms.delete_uom(gram)
    assert Uom.objects.get(pk=gram.pk).ratio == Decimal("0.001")
