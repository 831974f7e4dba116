"""The pipeline board: columns, totals, filters, scoping, drag-to-move, query count."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from keel.crm.models import Opportunity
from keel.crm.selectors import board

from .factories_pipeline import OpportunityFactory
from .fixtures_pipeline import *  # noqa: F403

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def deals(company, pipeline, rep, other_rep):
    """Rita: 1,000.10 and 2,000.20 in Qualify, 3,000.00 in Propose; Oscar: 500.00 in
    Propose; a won deal of Rita's that must not show."""
    qualify, propose, _ = pipeline.stages.order_by("sequence")

    def make(owner, stage, amount, close, **extra):
        return OpportunityFactory(
            company=company,
            pipeline=pipeline,
            stage=stage,
            owner=owner,
            amount=Decimal(amount),
            expected_close=close,
            **extra,
        )

    return {
        "a": make(rep, qualify, "1000.10", date(2026, 3, 1), name="Alpha"),
        "b": make(rep, qualify, "2000.20", date(2026, 4, 1), name="Bravo"),
        "c": make(rep, propose, "3000.00", date(2026, 5, 1), name="Charlie"),
        "d": make(other_rep, propose, "500.00", date(2026, 3, 15), name="Delta"),
        "won": make(rep, propose, "9999.00", date(2026, 1, 1), name="Won", status="won"),
    }


def test_columns_count_and_total_what_a_manager_sees(deals, pipeline, manager):
    """Given four open deals and a won one, When a manager opens the board,
    Then each stage column counts its open cards and sums amount and weighted amount."""
    columns = board(pipeline, manager)
    summary = [
        (c.stage.name, [card.name for card in c.cards], c.totals, c.weighted) for c in columns
    ]
    assert summary == [
        ("Qualify", ["Alpha", "Bravo"], {"USD": Decimal("3000.30")}, {"USD": Decimal("300.03")}),
        ("Propose", ["Delta", "Charlie"], {"USD": Decimal("3500.00")}, {"USD": Decimal("1400.00")}),
        ("Negotiate", [], {}, {}),
    ]


def test_a_rep_sees_only_their_own_cards(deals, pipeline, rep):
    columns = board(pipeline, rep)
    assert [[card.name for card in c.cards] for c in columns] == [
        ["Alpha", "Bravo"],
        ["Charlie"],
        [],
    ]


def test_filters_by_owner_and_close_dates(deals, pipeline, manager, other_rep):
    by_owner = board(pipeline, manager, owner_id=other_rep.pk)
    assert [card.name for c in by_owner for card in c.cards] == ["Delta"]
    in_march = board(pipeline, manager, close_from=date(2026, 3, 1), close_to=date(2026, 3, 31))
    assert [card.name for c in in_march for card in c.cards] == ["Alpha", "Delta"]


def test_board_page_renders_with_constant_queries(
    deals, company, pipeline, manager, django_assert_max_num_queries
):
    """The page costs the same few queries for 4 cards as for 40."""
    client = client_for(manager)
    url = f"/w/crm/board/{pipeline.pk}/"
    with django_assert_max_num_queries(12) as small:
        response = client.get(url)
    assert response.status_code == 200
    OpportunityFactory.create_batch(36, company=company, pipeline=pipeline, owner=manager)
    with django_assert_max_num_queries(12) as large:
        response = client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)
    html = response.content.decode()
    assert html.count('data-testid="card"') == 40
    assert "3,000.00 USD" in html and "Rita Rep" in html


def test_the_rep_page_shows_no_colleague_cards(deals, pipeline, rep):
    html = client_for(rep).get(f"/w/crm/board/{pipeline.pk}/").content.decode()
    assert "Alpha" in html and "Charlie" in html
    assert "Delta" not in html and "Won" not in html


def test_dropping_a_card_moves_it_and_redraws_the_columns(deals, pipeline, rep):
    """Given Alpha in Qualify, When Rita drops it on Propose, Then it is saved there and
    the answer carries the message, both column heads and the card at its new version."""
    _, propose, _ = pipeline.stages.order_by("sequence")
    alpha = deals["a"]
    response = client_for(rep).post(
        f"/w/crm/board/{pipeline.pk}/move/{alpha.pk}/",
        {"stage": propose.pk, "version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    alpha.refresh_from_db()
    assert (alpha.stage, alpha.version) == (propose, 2)
    html = response.content.decode()
    assert "“Alpha” moved to Propose." in html
    assert html.count('hx-swap-oob="true"') == 3  # two column heads and the card
    assert 'data-version="2"' in html


def test_a_refused_drop_explains_why_and_sends_the_card_back(deals, pipeline, rep):
    """A stale card (someone moved it meanwhile) is refused; the board is told to snap
    it back to the column it came from, and nothing changes."""
    qualify, propose, _ = pipeline.stages.order_by("sequence")
    alpha = deals["a"]
    response = client_for(rep).post(
        f"/w/crm/board/{pipeline.pk}/move/{alpha.pk}/",
        {"stage": propose.pk, "version": 0},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {
        "crm-move-refused": {"id": alpha.pk, "stage": qualify.pk}
    }
    assert "changed by someone else" in response.content.decode()
    alpha.refresh_from_db()
    assert (alpha.stage, alpha.version) == (qualify, 1)
    # Without htmx the refusal keeps its own status.
    plain = client_for(rep).post(
        f"/w/crm/board/{pipeline.pk}/move/{alpha.pk}/", {"stage": propose.pk, "version": 0}
    )
    assert plain.status_code == 412


def test_a_rep_cannot_move_a_colleagues_card(deals, pipeline, rep):
    _, _, negotiate = pipeline.stages.order_by("sequence")
    delta = deals["d"]
    response = client_for(rep).post(
        f"/w/crm/board/{pipeline.pk}/move/{delta.pk}/", {"stage": negotiate.pk}
    )
    assert response.status_code == 404
    assert Opportunity.objects.get(pk=delta.pk).stage.name == "Propose"


def test_marketing_sees_the_board_but_cannot_move(deals, pipeline, users):
    from keel.users.roles import Role

    marketing = client_for(users[Role.MARKETING])
    page = marketing.get(f"/w/crm/board/{pipeline.pk}/")
    assert page.status_code == 200
    assert "x-sort=" not in page.content.decode()
    _, _, negotiate = pipeline.stages.order_by("sequence")
    refused = marketing.post(
        f"/w/crm/board/{pipeline.pk}/move/{deals['a'].pk}/", {"stage": negotiate.pk}
    )
    assert refused.status_code == 403
    assert Opportunity.objects.get(pk=deals["a"].pk).stage.name == "Qualify"


@pytest.mark.parametrize("role_name", ["SERVICE_AGENT", "ACCOUNTANT", "EMPLOYEE"])
def test_roles_without_opportunities_are_refused_the_board(pipeline, users, role_name):
    from keel.users.roles import Role

    response = client_for(users[Role[role_name]]).get(f"/w/crm/board/{pipeline.pk}/")
    assert response.status_code == 403


def test_board_index_redirects_to_the_first_pipeline(pipeline, rep):
    response = client_for(rep).get("/w/crm/board/")
    assert response.status_code == 302
    assert response.url == f"/w/crm/board/{pipeline.pk}/"
