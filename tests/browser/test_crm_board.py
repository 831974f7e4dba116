"""The pipeline board in a real browser: drag a card to the next stage, and it stays
there after a reload; a rep cannot open a colleague's opportunity."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from keel.crm.models import Opportunity
from keel.crm.tests.factories_pipeline import (
    CustomerFactory,
    OpportunityFactory,
    pipeline_with_stages,
)
from keel.users.roles import Role
from keel.users.tests.factories import PASSWORD, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def board_data(company):
    """Rita's two deals (one in Qualify, one in Propose) and Oscar's deal in Qualify."""
    pipeline = pipeline_with_stages(company)
    rita = user_with_role(
        Role.SALES_REP, username="rita", company=company, first_name="Rita", last_name="Rep"
    )
    oscar = user_with_role(
        Role.SALES_REP, username="oscar", company=company, first_name="Oscar", last_name="Other"
    )
    qualify, propose, _ = pipeline.stages.order_by("sequence")

    def deal(name, owner, stage, amount, party):
        return OpportunityFactory(
            company=company,
            pipeline=pipeline,
            stage=stage,
            owner=owner,
            name=name,
            amount=Decimal(amount),
            expected_close=date(2026, 6, 30),
            party=CustomerFactory(company=company, name=party),
        )

    return {
        "pipeline": pipeline,
        "rita": rita,
        "acme": deal("Acme rollout", rita, qualify, "12000.00", "Acme"),
        "globex": deal("Globex renewal", rita, propose, "4500.00", "Globex"),
        "oscars": deal("Initech pilot", oscar, qualify, "800.00", "Initech"),
    }


def column(page, name):
    return page.locator(f'section[data-testid="column"][aria-label="{name}"]')


def test_a_rep_drags_a_deal_to_the_next_stage_and_it_persists(
    page, log_in, board_data, doc_screenshot
):
    """Given Rita's deals on the New business board (Oscar's is not shown),
    When she drags “Acme rollout” from Qualify to Propose,
    Then the board confirms it, the column counts change, and after a reload the
    card is still in Propose (saved, at version 2)."""
    pipeline, acme = board_data["pipeline"], board_data["acme"]
    log_in(board_data["rita"], PASSWORD)
    page.goto(f"/w/crm/board/{pipeline.pk}/")
    qualify, propose = column(page, "Qualify"), column(page, "Propose")
    expect(qualify.get_by_test_id("card")).to_have_count(1)
    expect(propose.get_by_test_id("card")).to_have_count(1)
    expect(page.get_by_text("Initech pilot")).to_have_count(0)
    doc_screenshot("crm-board")

    # When: a real drag (mouse down, move in steps, release) onto the Propose column
    card = page.locator(f"#opp-{acme.pk}")
    target = propose.locator("ul")
    card.hover()
    page.mouse.down()
    box = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 5, steps=20)
    page.mouse.up()

    # Then
    expect(page.get_by_test_id("board-message")).to_have_text("“Acme rollout” moved to Propose.")
    expect(propose.get_by_test_id("column-count")).to_have_text("2")
    expect(qualify.get_by_test_id("column-count")).to_have_text("0")
    page.reload()
    expect(column(page, "Propose").get_by_test_id("card")).to_have_count(2)
    expect(column(page, "Propose").get_by_text("Acme rollout")).to_be_visible()
    acme.refresh_from_db()
    assert (acme.stage.name, acme.version) == ("Propose", 2)


def test_a_refused_drop_snaps_back(page, log_in, board_data):
    """When the card changed meanwhile (stale version), the drop is refused with the
    reason and the card goes back to its column."""
    pipeline, acme = board_data["pipeline"], board_data["acme"]
    log_in(board_data["rita"], PASSWORD)
    page.goto(f"/w/crm/board/{pipeline.pk}/")
    Opportunity.objects.filter(pk=acme.pk).update(version=5)  # someone else edited it

    card = page.locator(f"#opp-{acme.pk}")
    target = column(page, "Negotiate").locator("ul")
    card.hover()
    page.mouse.down()
    box = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=20)
    page.mouse.up()

    expect(page.get_by_test_id("board-message")).to_contain_text("changed by someone else")
    expect(column(page, "Qualify").locator(f"#opp-{acme.pk}")).to_have_count(1)
    expect(column(page, "Negotiate").get_by_test_id("card")).to_have_count(0)
    acme.refresh_from_db()
    assert acme.stage.name == "Qualify"


def test_a_rep_cannot_open_a_colleagues_opportunity(page, log_in, board_data):
    """Rita types the address of Oscar's deal: the workspace refuses (403) and the API
    answers 404, as if it did not exist."""
    oscars = board_data["oscars"]
    log_in(board_data["rita"], PASSWORD)
    response = page.goto(f"/crm/opportunity/{oscars.pk}/change/")
    assert response.status == 403
    expect(page.get_by_text("Initech pilot")).to_have_count(0)
    api = page.request.get(f"/api/v1/opportunities/{oscars.pk}/")
    assert api.status == 404
    assert api.json()["code"] == "not_found"
