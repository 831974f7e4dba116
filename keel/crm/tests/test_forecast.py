"""Forecast and dashboard figures, to the cent."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.test import Client

from keel.crm import forecast
from keel.crm.forecast import FunnelStep, PipelineRow, TargetRow
from keel.crm.models import Lead, Opportunity
from keel.crm.services.opportunities import lose, win
from keel.users.roles import Role

from .factories_pipeline import (
    CustomerFactory,
    OpportunityFactory,
    SalesTargetFactory,
    pipeline_with_stages,
)
from .fixtures_pipeline import *  # noqa: F403

pytestmark = pytest.mark.django_db
Q1 = (date(2026, 1, 1), date(2026, 3, 31))


def at(y, m, d, h=0):
    return datetime(y, m, d, h, tzinfo=UTC)


@pytest.fixture
def open_deals(company, pipeline, rep, other_rep):
    """Rita: 1,000.10 in Qualify (10 %) closing in March, 2,000.05 in Propose (40 %) in
    March, 500 EUR (other currency); Oscar: 333.33 in Negotiate (70 %) in April and
    100.00 in Renewals' Renew (50 %) with no date."""
    q, p, n = pipeline.stages.order_by("sequence")
    renewals = pipeline_with_stages(company, "Renewals", [("Renew", "50")])

    def deal(owner, stage, amount, close, currency="USD", pipe=pipeline):
        return OpportunityFactory(
            company=company,
            pipeline=pipe,
            stage=stage,
            owner=owner,
            amount=Decimal(amount),
            expected_close=close,
            currency=currency,
        )

    deal(rep, q, "1000.10", date(2026, 3, 5))
    deal(rep, p, "2000.05", date(2026, 3, 20))
    deal(rep, p, "500.00", date(2026, 3, 20), currency="EUR")
    deal(other_rep, n, "333.33", date(2026, 4, 1))
    deal(other_rep, renewals.stages.get(), "100.00", None, pipe=renewals)
    return renewals


def test_weighted_pipeline_by_month_owner_and_pipeline(
    company, open_deals, rep, other_rep, pipeline
):
    assert forecast.weighted_pipeline(company, by="month") == [
        PipelineRow("2026-03", "2026-03", 2, Decimal("3000.15"), Decimal("900.03")),
        PipelineRow("2026-04", "2026-04", 1, Decimal("333.33"), Decimal("233.33")),
        PipelineRow("", "No close date", 1, Decimal("100.00"), Decimal("50.00")),
    ]
    assert forecast.weighted_pipeline(company, by="owner") == [
        PipelineRow(str(rep.pk), "Rita Rep", 2, Decimal("3000.15"), Decimal("900.03")),
        PipelineRow(str(other_rep.pk), "Oscar Other", 2, Decimal("433.33"), Decimal("283.33")),
    ]
    assert forecast.weighted_pipeline(company, by="pipeline") == [
        PipelineRow(str(pipeline.pk), "New business", 3, Decimal("3333.48"), Decimal("1133.36")),
        PipelineRow(str(open_deals.pk), "Renewals", 1, Decimal("100.00"), Decimal("50.00")),
    ]
    assert forecast.pipeline_totals(company, owner_id=rep.pk) == {
        "count": 2,
        "amount": Decimal("3000.15"),
        "weighted": Decimal("900.03"),
        "other_currency": 1,
    }


def test_sums_over_thousands_of_deals_are_exact(company, pipeline, rep):
    """3,000 deals of 0.10 in Qualify (10 %): 300.00 open and 30.00 weighted, exactly
    (SQLite's SUM would add floats)."""
    q = pipeline.stages.order_by("sequence").first()
    party = CustomerFactory(company=company)
    Opportunity.objects.bulk_create(
        Opportunity(
            company=company,
            name=f"D{i}",
            party=party,
            pipeline=pipeline,
            stage=q,
            owner=rep,
            amount=Decimal("0.10"),
            currency="USD",
        )
        for i in range(3000)
    )
    totals = forecast.pipeline_totals(company)
    assert (totals["count"], totals["amount"], totals["weighted"]) == (
        3000,
        Decimal("300.00"),
        Decimal("30.00"),
    )


@pytest.fixture
def closed_deals(company, pipeline, rep, other_rep, manager):
    """In Q1: Rita won 7,500 (opened 1 Jan, won 10 Feb), Mia won 2,000 (opened 19 Feb
    noon, won 1 Mar), Oscar lost one (1 Feb). Before Q1: Rita won 1,000 (31 Dec 2025)."""

    def closed(owner, amount, opened, verb, when):
        deal = OpportunityFactory(
            company=company, pipeline=pipeline, owner=owner, amount=Decimal(amount)
        )
        Opportunity.objects.filter(pk=deal.pk).update(created_at=opened)
        if verb == "win":
            win(deal.pk, by=owner, at=when)
        else:
            lose(deal.pk, reason="Price", by=owner, at=when)

    closed(rep, "7500.00", at(2026, 1, 1), "win", at(2026, 2, 10))
    closed(manager, "2000.00", at(2026, 2, 19, 12), "win", at(2026, 3, 1))
    closed(other_rep, "4000.00", at(2026, 1, 5), "lose", at(2026, 2, 1))
    closed(rep, "1000.00", at(2025, 11, 1), "win", at(2025, 12, 31))
    for month in (1, 2, 4):
        SalesTargetFactory(
            company=company,
            user=rep,
            period_start=date(2026, month, 1),
            period_end=date(2026, month, 28),
            amount=Decimal("10000.00"),
        )
    SalesTargetFactory(
        company=company,
        user=other_rep,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        amount=Decimal("5000.00"),
    )


def test_won_against_target_per_rep(company, closed_deals, rep, other_rep, manager):
    rows = forecast.won_vs_target(company, *Q1)
    assert rows == [
        TargetRow(manager.pk, "Mia Manager", Decimal("0"), Decimal("2000.00")),
        TargetRow(other_rep.pk, "Oscar Other", Decimal("5000.00"), Decimal("0")),
        TargetRow(rep.pk, "Rita Rep", Decimal("20000.00"), Decimal("7500.00")),
    ]
    assert [r.attainment for r in rows] == [None, Decimal("0.0"), Decimal("37.5")]


def test_win_rate_and_cycle_time(company, closed_deals, rep):
    assert forecast.win_rate(company, *Q1) == Decimal("66.7")  # 2 won of 3 closed
    assert forecast.win_rate(company, *Q1, owner_id=rep.pk) == Decimal("100.0")
    assert forecast.average_cycle_days(company, *Q1) == Decimal("24.8")  # (40 + 9.5) / 2
    assert forecast.win_rate(company, date(2030, 1, 1), date(2030, 12, 31)) is None


def test_funnel_from_leads_to_won(company, closed_deals, rep):
    """Given five leads of Q1 (two converted) and one of 2025, and the three deals opened
    in Q1 (two won), the funnel reads 5 → 2 → 3 → 2."""
    leads = [
        ("new", 2026),
        ("qualified", 2026),
        ("disqualified", 2026),
        ("converted", 2026),
        ("converted", 2026),
        ("new", 2025),
    ]
    for status, year in leads:
        lead = Lead.objects.create(company=company, first_name="L", status=status, owner=rep)
        Lead.objects.filter(pk=lead.pk).update(created_at=at(year, 2, 1))
    steps = forecast.funnel(company, *Q1)
    assert steps == [
        FunnelStep("Leads", 5),
        FunnelStep("Converted leads", 2),
        FunnelStep("Opportunities", 3),
        FunnelStep("Won", 2),
    ]


def test_dashboard_page_and_forecast_api(
    company, open_deals, closed_deals, rep, manager, api_as, django_assert_max_num_queries
):
    client = Client()
    client.force_login(manager)
    with django_assert_max_num_queries(20):
        response = client.get("/w/crm/dashboard/?start=2026-01-01&end=2026-03-31")
    html = response.content.decode()
    assert response.status_code == 200
    assert "66.7 %" in html and "24.8 days" in html and "37.5 %" in html
    assert 'data-type="bar"' in html

    body = api_as(rep).get("/api/v1/forecast/?start=2026-01-01&end=2026-03-31").json()
    assert body["open"] == {
        "count": "2",
        "amount": "3000.15",
        "weighted": "900.03",
        "other_currency": "1",
    }
    assert body["win_rate"] == "100.0"
    assert [r["name"] for r in body["won_vs_target"]] == ["Rita Rep"]  # a rep sees their own
    assert body["by_month"][0] == {
        "key": "2026-03",
        "label": "2026-03",
        "count": 2,
        "amount": "3000.15",
        "weighted": "900.03",
    }


@pytest.mark.parametrize("role", [Role.SERVICE_AGENT, Role.ACCOUNTANT, Role.EMPLOYEE])
def test_dashboard_and_forecast_are_refused_without_opportunity_rights(users, api_as, role):
    client = Client()
    client.force_login(users[role])
    assert client.get("/w/crm/dashboard/").status_code == 403
    response = api_as(users[role]).get("/api/v1/forecast/")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
