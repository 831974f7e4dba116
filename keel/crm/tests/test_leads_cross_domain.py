"""Leads across domains: GDPR erasure in parties reaches them; global search finds them."""

from __future__ import annotations

import pytest

from keel.crm.models import Lead
from keel.crm.tests.factories import LeadFactory
from keel.parties.services.gdpr import erase_person
from keel.parties.tests.factories import PersonFactory
from keel.users.roles import Role

pytestmark = pytest.mark.django_db


def test_erasing_a_person_anonymises_the_leads_converted_into_them(company, users):
    """Given a lead from Jane Roe converted into the contact person Jane Roe, and another
    lead; When the person is erased; Then the converted lead keeps no trace of her (its
    history neither) and the other lead is untouched."""
    person = PersonFactory(company=company, name="Jane Roe", email="jane.roe@acme.example")
    converted = LeadFactory(
        company=company,
        first_name="Jane",
        last_name="Roe",
        email="jane.roe@acme.example",
        phone="+1 555 0100",
        contact=person,
        status=Lead.Status.CONVERTED,
    )
    other = LeadFactory(company=company, first_name="Max", last_name="Moe")

    erase_person(person.pk, by=users[Role.ADMINISTRATOR], reason="Request GDPR-2026-17")

    converted.refresh_from_db()
    assert (converted.first_name, converted.last_name, converted.email, converted.phone) == (
        "",
        f"Erased person #{person.pk}",
        "",
        "",
    )
    assert not Lead.history.filter(email="jane.roe@acme.example").exists()
    assert not Lead.history.filter(first_name="Jane", id=converted.pk).exists()
    other.refresh_from_db()
    assert (other.first_name, other.last_name) == ("Max", "Moe")


def test_global_search_finds_a_reps_own_leads_only(company, users):
    """Given a lead of the rep and one of a colleague; Then searching finds only the rep's."""
    from keel.core.search import search
    from keel.users.tests.factories import user_with_role

    colleague = user_with_role(Role.SALES_REP, username="colleague", company=company)
    mine = LeadFactory(
        company=company, organisation_name="Zephyr Mills", owner=users[Role.SALES_REP]
    )
    LeadFactory(company=company, organisation_name="Zephyr Works", owner=colleague)

    hits = [hit.title for hit in search(users[Role.SALES_REP], "zephyr")]

    assert hits == [str(mine)]
