"""Merging duplicates: every reference moves to the survivor, whichever app holds it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from keel.core.errors import Conflict, InvalidInput, NotFound, PermissionRefused
from keel.core.models import ApprovalRequest, OutboxEvent, StatusChange
from keel.core.tests.factories import ApprovalRuleFactory, CompanyFactory
from keel.parties.models import Address, Party
from keel.parties.references import all_references, foreign_key_references
from keel.parties.services.gdpr import erase_person
from keel.parties.services.merge import merge_parties
from keel.users.roles import Role

from .factories import AddressFactory, OrganisationFactory, PersonFactory, TagFactory

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything a refused merge must leave as it was."""
    return (
        list(Party.objects.order_by("id").values()),
        list(Address.objects.order_by("id").values()),
        list(Party.tags.through.objects.order_by("id").values()),
        list(StatusChange.objects.order_by("id").values()),
        OutboxEvent.objects.count(),
    )


@pytest.fixture
def story(company, users):
    """Acme entered twice: as "Acme Inc" (the older, survivor) and "ACME, Inc." (duplicate),
    each with a contact, addresses, tags and records in other apps pointing at them."""
    manager = users[Role.SALES_MANAGER]
    green, key, fair = (TagFactory(company=company, name=n) for n in ("Green", "Key", "Fair"))
    survivor = OrganisationFactory(
        company=company, name="Acme Inc", email="sales@acme.example", tags=[green, key]
    )
    duplicate = OrganisationFactory(
        company=company,
        name="ACME, Inc.",
        phone="+1 555 0100",
        website="https://acme.example",
        tax_id="US-123",
        is_supplier=True,
        credit_limit=Decimal("50000.00"),
        tags=[key, fair],
    )
    alice = PersonFactory(company=company, name="Alice Smith", organisation=survivor)
    bob = PersonFactory(company=company, name="Bob Jones", organisation=duplicate)
    AddressFactory(party=survivor, street="1 Harbour Street")
    AddressFactory(party=duplicate, street="1 Harbour Street")  # the same address twice
    AddressFactory(party=duplicate, kind=Address.Kind.SHIPPING, street="9 Dock Road")
    party_type = ContentType.objects.get_for_model(Party)
    StatusChange.objects.create(
        content_type=party_type,
        object_id=str(duplicate.pk),
        from_status="prospect",
        to_status="customer",
        changed_at=timezone.now(),
    )
    rule = ApprovalRuleFactory(company=company, content_type=party_type, action="credit")
    ApprovalRequest.objects.create(
        company=company,
        rule=rule,
        content_type=party_type,
        object_id=str(duplicate.pk),
        document_label=duplicate.name,
        action="credit",
        amount=Decimal("50000.00"),
        currency="USD",
        requested_by=users[Role.SALES_REP],
    )
    return {
        "manager": manager,
        "survivor": survivor,
        "duplicate": duplicate,
        "alice": alice,
        "bob": bob,
        "tags": (green, key, fair),
    }


def test_a_merge_moves_contacts_addresses_tags_and_generic_references(story):
    """Given Acme twice, with a contact, addresses, tags, a status change and an approval
    request on the duplicate; When the manager merges the duplicate into the survivor;
    Then all of it belongs to the survivor, blanks are filled and the duplicate is a stub."""
    survivor, duplicate = story["survivor"], story["duplicate"]

    # When
    result = merge_parties(survivor.pk, [duplicate.pk], by=story["manager"])

    # Then
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert result.merged_ids == (duplicate.pk,)
    assert sorted(survivor.contacts.values_list("name", flat=True)) == ["Alice Smith", "Bob Jones"]
    assert sorted(survivor.addresses.values_list("kind", "street")) == [
        ("billing", "1 Harbour Street"),
        ("shipping", "9 Dock Road"),
    ]
    assert sorted(survivor.tags.values_list("name", flat=True)) == ["Fair", "Green", "Key"]
    assert StatusChange.objects.get().object_id == str(survivor.pk)
    assert ApprovalRequest.objects.get().object_id == str(survivor.pk)
    # Blanks filled from the duplicate, the survivor's own values kept, roles added up.
    assert (survivor.name, survivor.email) == ("Acme Inc", "sales@acme.example")
    assert (survivor.phone, survivor.normalized_phone) == ("+1 555 0100", "+15550100")
    assert (survivor.website, survivor.domain, survivor.tax_id) == (
        "https://acme.example",
        "acme.example",
        "US-123",
    )
    assert (survivor.is_customer, survivor.is_supplier) == (True, True)
    assert survivor.credit_limit == Decimal("50000.00")
    assert (duplicate.merged_into_id, duplicate.active) == (survivor.pk, False)
    assert duplicate.addresses.count() == 0 and duplicate.tags.count() == 0
    assert survivor.history.first().history_change_reason == f"Merged #{duplicate.pk}"
    assert duplicate.history.first().history_change_reason == f"Merged into #{survivor.pk}"
    event = OutboxEvent.objects.get(topic="parties.party.merged")
    assert event.payload["survivor_id"] == survivor.pk
    assert event.payload["merged_ids"] == [duplicate.pk]
    assert event.payload["moved"]["parties.party.organisation"] == 1
    assert event.payload["moved"]["core.statuschange.object_id"] == 1


def test_no_reference_of_any_installed_app_points_at_a_merged_party(story, company):
    """Given records of every app that can point at a party (higher tiers included, e.g. the
    CRM's leads when it is installed); When the duplicate is merged; Then for every ForeignKey
    to Party (hidden ones too) and every generic relation no row names the duplicate."""
    survivor, duplicate = story["survivor"], story["duplicate"]
    if apps.is_installed("keel.crm"):
        # Through the app registry: parties never imports a higher tier.
        Lead = apps.get_model("crm", "Lead")
        Lead.objects.create(company=company, organisation_name="Acme", party=duplicate)
    references = all_references()
    fk_labels = {r.label for r in foreign_key_references()}
    assert {"parties.party.organisation", "parties.address.party"} <= fk_labels
    for relation in Party._meta.related_objects:  # every reverse FK Django knows of
        assert f"{relation.related_model._meta.label_lower}.{relation.field.name}" in fk_labels
    pointing_before = sum(r.rows_pointing_at([duplicate.pk]).count() for r in references)
    assert pointing_before >= 7

    merge_parties(survivor.pk, [duplicate.pk], by=story["manager"])

    for reference in references:
        rows = reference.rows_pointing_at([duplicate.pk])
        if reference.label == "parties.party.merged_into":
            assert rows.count() == 0  # the duplicate points at the survivor, not the reverse
        assert rows.count() == 0, f"{reference.label} still points at the duplicate"
    if apps.is_installed("keel.crm"):
        assert apps.get_model("crm", "Lead").objects.get().party_id == survivor.pk


def test_merging_three_parties_locks_and_folds_them_all(company, users):
    """Given the same person entered three times; When merged into the first; Then the two
    others point at it, and a party merged earlier into one of them follows (no chains)."""
    first, second, third = (
        PersonFactory(company=company, name="Dana Lee", email=f"dana{i}@x.example")
        for i in range(3)
    )
    older = PersonFactory(company=company, name="D. Lee")
    merge_parties(second.pk, [older.pk], by=users[Role.SALES_MANAGER])

    merge_parties(first.pk, [third.pk, second.pk], by=users[Role.SALES_MANAGER])

    assert sorted(Party.objects.filter(merged_into=first).values_list("pk", flat=True)) == sorted(
        [second.pk, third.pk, older.pk]
    )


@pytest.mark.parametrize(
    ("case", "error", "code"),
    [
        ("itself", InvalidInput, "invalid"),
        ("nothing", InvalidInput, "invalid"),
        ("missing", NotFound, "not_found"),
        ("other_company", InvalidInput, "other_company"),
        ("kinds", InvalidInput, "kind_mismatch"),
        ("erased", Conflict, "erased"),
        ("already_merged", Conflict, "already_merged"),
        ("rep", PermissionRefused, "permission_denied"),
    ],
)
def test_refused_merges_change_nothing(story, users, case, error, code):
    """Given Acme twice; When a merge breaks a rule; Then it is refused with a clear code and
    the database is exactly as before."""
    survivor, duplicate, manager = story["survivor"], story["duplicate"], story["manager"]
    by, target, others = manager, survivor.pk, [duplicate.pk]
    if case == "itself":
        others = [survivor.pk]
    elif case == "nothing":
        others = []
    elif case == "missing":
        others = [999_999]
    elif case == "other_company":
        stranger = OrganisationFactory(company=CompanyFactory(name="Other Co"), name="Acme Inc")
        others = [stranger.pk]
    elif case == "kinds":
        others = [story["alice"].pk]
    elif case == "erased":
        erase_person(story["bob"].pk, by=manager, reason="Request #42")
        target, others = story["alice"].pk, [story["bob"].pk]
    elif case == "already_merged":
        extra = OrganisationFactory(company=survivor.company, name="Acme Incorporated")
        merge_parties(duplicate.pk, [extra.pk], by=manager)
        others = [extra.pk]
    elif case == "rep":
        by = users[Role.SALES_REP]
    before = snapshot()

    with pytest.raises(error) as refusal:
        merge_parties(target, others, by=by)

    assert refusal.value.code == code
    assert snapshot() == before


def test_a_person_goes_into_an_organisation_only_when_allowed(story):
    """Given a sole trader entered as a person and as an organisation; When merged with
    allow_kind_change; Then the person folds into the organisation."""
    survivor, alice = story["survivor"], story["alice"]

    merge_parties(survivor.pk, [alice.pk], by=story["manager"], allow_kind_change=True)

    alice.refresh_from_db()
    assert alice.merged_into_id == survivor.pk
    survivor.refresh_from_db()
    assert survivor.organisation_id is None  # an organisation never gets an organisation
