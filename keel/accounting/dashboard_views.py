"""The accounting dashboard: receivables and payables due by age, cash and bank, and
this month's profit against last month's, drawn with unfold's bundled Chart.js."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import admin
from django.contrib.auth.decorators import login_required, permission_required
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from keel.core.charts import PRIMARY, SECOND
from keel.core.charts import chart_data as _chart
from keel.core.db_routing import reads_from_replica
from keel.core.money import format_money

from . import selectors
from .permissions import VIEW_REPORTS
from .selectors.dashboard import accounting_dashboard


def _as_of(value: str | None) -> dt.date:
    """`?as_of=YYYY-MM-DD` (to look back), else today."""
    try:
        return dt.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def _report(name: str) -> str:
    return reverse("accounting_reports:report", args=[name])


@login_required
@permission_required(VIEW_REPORTS, raise_exception=True)
@reads_from_replica
def dashboard(request):
    company_id = selectors.company_id_of(request.user)
    figures = accounting_dashboard(company_id, _as_of(request.GET.get("as_of")))
    currency = figures.currency

    def money(amount: Decimal) -> str:
        return format_money(amount, currency)

    def ageing(side, title: str, testid: str) -> dict:
        return {
            "title": title,
            "testid": testid,
            "problem": side.problem,
            "total": money(side.total),
            "overdue": money(side.overdue),
            "buckets": [(label, money(amount)) for label, amount in side.buckets],
            "chart": _chart(
                [label for label, _ in side.buckets],
                ("Due", [amount for _, amount in side.buckets], PRIMARY),
            ),
        }

    months = [figures.last_month, figures.this_month]
    context: dict = {
        **admin.site.each_context(request),
        "title": "Accounting dashboard",
        "as_of": figures.as_of,
        "currency": currency,
        "receivables": ageing(
            figures.receivables, "Receivables due by age (days past due)", "receivables-buckets"
        ),
        "payables": ageing(
            figures.payables, "Payables due by age (days past due)", "payables-buckets"
        ),
        "cash_accounts": [(a, money(a.balance)) for a in figures.cash_accounts],
        "cash_total": money(figures.cash_total),
        "cash_chart": _chart(
            [start.strftime("%Y-%m") for start, _ in figures.cash_by_month],
            ("Cash and bank", [balance for _, balance in figures.cash_by_month], PRIMARY),
        ),
        "profit": [
            {
                "label": label,
                "this": money(getattr(figures.this_month, key)),
                "last": money(getattr(figures.last_month, key)),
            }
            for key, label in (("income", "Income"), ("expenses", "Expenses"), ("net", "Net"))
        ],
        "this_month": figures.this_month,
        "last_month": figures.last_month,
        "profit_chart": _chart(
            ["Income", "Expenses", "Net"],
            *(
                (
                    month.start.strftime("%B %Y"),
                    [month.income, month.expenses, month.net],
                    color,
                )
                for month, color in zip(months, (SECOND, PRIMARY), strict=True)
            ),
        ),
        "top_overdue": [(row, money(row["overdue"])) for row in figures.top_overdue],
    }
    context["ageing"] = [context["receivables"], context["payables"]]
    this, last = figures.this_month.start, figures.last_month.start
    context["kpis"] = [
        {
            "key": "receivables",
            "title": "Receivables due",
            "value": context["receivables"]["total"],
            "note": f"of which overdue {context['receivables']['overdue']}",
            "href": _report("aged-receivables"),
        },
        {
            "key": "payables",
            "title": "Payables due",
            "value": context["payables"]["total"],
            "note": f"of which overdue {context['payables']['overdue']}",
            "href": _report("aged-payables"),
        },
        {
            "key": "cash",
            "title": "Cash and bank",
            "value": context["cash_total"],
            "note": f"on {figures.as_of.isoformat()}",
            "href": None,
        },
        {
            "key": "net",
            "title": f"Net profit {this:%B %Y}",
            "value": money(figures.this_month.net),
            "note": f"{last:%B %Y}: {money(figures.last_month.net)}",
            "href": _report("profit-and-loss"),
        },
    ]
    return TemplateResponse(request, "accounting/dashboard.html", context)
