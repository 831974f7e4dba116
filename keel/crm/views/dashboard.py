"""The CRM dashboard: weighted pipeline, won against target, win rate, cycle time, funnel."""

from __future__ import annotations

import json
from datetime import date

from django.contrib.auth.decorators import login_required, permission_required
from django.utils import timezone

from keel.core.selectors import default_company

from .. import forecast
from ..selectors import sees_all_opportunities
from .common import page, parse_date, parse_int


def _bar(labels, *datasets) -> str:
    """The JSON unfold's chart component draws (Chart.js data)."""
    return json.dumps(
        {
            "labels": labels,
            "datasets": [
                {"label": label, "data": [float(v) for v in values]} for label, values in datasets
            ],
        }
    )


@login_required
@permission_required("crm.view_opportunity", raise_exception=True)
def dashboard(request):
    """Figures for the chosen dates (this calendar year by default); a rep sees their
    own, a manager everyone's or one rep's."""
    company = request.user.company or default_company()
    today = timezone.localdate()
    start = parse_date(request.GET.get("start")) or date(today.year, 1, 1)
    end = parse_date(request.GET.get("end")) or date(today.year, 12, 31)
    owner_id = None
    if not sees_all_opportunities(request.user):
        owner_id = request.user.pk
    elif parse_int(request.GET.get("owner")):
        owner_id = parse_int(request.GET.get("owner"))
    by_month = forecast.weighted_pipeline(company, by="month", owner_id=owner_id)
    by_owner = forecast.weighted_pipeline(company, by="owner", owner_id=owner_id)
    by_pipeline = forecast.weighted_pipeline(company, by="pipeline", owner_id=owner_id)
    targets = forecast.won_vs_target(company, start, end, owner_id=owner_id)
    funnel = forecast.funnel(company, start, end, owner_id=owner_id)
    totals = forecast.pipeline_totals(company, owner_id=owner_id)
    return page(
        request,
        "crm/dashboard.html",
        {
            "start": start,
            "end": end,
            "currency": company.currency,
            "totals": totals,
            "win_rate": forecast.win_rate(company, start, end, owner_id=owner_id),
            "cycle_days": forecast.average_cycle_days(company, start, end, owner_id=owner_id),
            "by_month": by_month,
            "by_owner": by_owner,
            "by_pipeline": by_pipeline,
            "targets": targets,
            "funnel": funnel,
            "month_chart": _bar(
                [r.label for r in by_month],
                ("Pipeline", [r.amount for r in by_month]),
                ("Weighted", [r.weighted for r in by_month]),
            ),
            "target_chart": _bar(
                [r.name for r in targets],
                ("Target", [r.target for r in targets]),
                ("Won", [r.won for r in targets]),
            ),
            "funnel_chart": _bar([s.name for s in funnel], ("Count", [s.count for s in funnel])),
        },
        "CRM dashboard",
    )
