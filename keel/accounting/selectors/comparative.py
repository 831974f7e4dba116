"""Profit and loss and balance sheet side by side with a comparison period: the
previous period of the same length, or the same dates a year earlier."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .reports import balance_sheet, profit_and_loss

ZERO = Decimal(0)
PREVIOUS_PERIOD = "previous_period"
PREVIOUS_YEAR = "previous_year"
COMPARISONS = (PREVIOUS_PERIOD, PREVIOUS_YEAR)


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def comparison_range(date_from: dt.date, date_to: dt.date, compare: str) -> tuple[dt.date, dt.date]:
    """The range to compare [date_from, date_to] with."""
    if compare == PREVIOUS_YEAR:
        return _year_before(date_from), _year_before(date_to)
    if compare != PREVIOUS_PERIOD:
        raise ValueError(f"compare must be one of {', '.join(COMPARISONS)}")
    length = date_to - date_from
    end = date_from - dt.timedelta(days=1)
    return end - length, end


def _side_by_side(current: list[dict], previous: list[dict]) -> list[dict]:
    rows: dict = {}
    for key, source in (("current", current), ("previous", previous)):
        for row in source:
            slot = rows.setdefault(
                (row["code"], row["name"]),
                {
                    "account_id": row["account_id"],
                    "code": row["code"],
                    "name": row["name"],
                    "current": ZERO,
                    "previous": ZERO,
                },
            )
            slot[key] += row["amount"]
    merged = sorted(rows.values(), key=lambda r: (r["code"] == "", r["code"]))
    for row in merged:
        row["difference"] = row["current"] - row["previous"]
    return merged


def _totals(current: Decimal, previous: Decimal) -> dict:
    return {"current": current, "previous": previous, "difference": current - previous}


def comparative_profit_and_loss(
    company_id: int, date_from: dt.date, date_to: dt.date, compare: str = PREVIOUS_YEAR
) -> dict:
    """Income and expenses of the range and of the comparison range, and differences."""
    prev_from, prev_to = comparison_range(date_from, date_to, compare)
    now = profit_and_loss(company_id, date_from, date_to)
    before = profit_and_loss(company_id, prev_from, prev_to)
    return {
        "date_from": date_from,
        "date_to": date_to,
        "previous_from": prev_from,
        "previous_to": prev_to,
        "compare": compare,
        "income": _side_by_side(now["income"], before["income"]),
        "expenses": _side_by_side(now["expenses"], before["expenses"]),
        "total_income": _totals(now["total_income"], before["total_income"]),
        "total_expenses": _totals(now["total_expenses"], before["total_expenses"]),
        "net_profit": _totals(now["net_profit"], before["net_profit"]),
    }


def comparative_balance_sheet(
    company_id: int, date_to: dt.date, compare: str = PREVIOUS_YEAR, date_from=None
) -> dict:
    """The balance sheet at `date_to` and at the comparison date (a year earlier, or
    the day before `date_from` for the previous period), and differences."""
    if compare == PREVIOUS_YEAR:
        prev_to = _year_before(date_to)
    elif compare == PREVIOUS_PERIOD:
        start = date_from or date_to.replace(day=1)
        prev_to = start - dt.timedelta(days=1)
    else:
        raise ValueError(f"compare must be one of {', '.join(COMPARISONS)}")
    now = balance_sheet(company_id, date_to)
    before = balance_sheet(company_id, prev_to)
    report = {"date_to": date_to, "previous_to": prev_to, "compare": compare}
    for section in ("assets", "liabilities", "equity"):
        report[section] = _side_by_side(now[section], before[section])
    for total in ("total_assets", "total_liabilities", "total_equity"):
        report[total] = _totals(now[total], before[total])
    report["total_liabilities_and_equity"] = _totals(
        now["total_liabilities_and_equity"], before["total_liabilities_and_equity"]
    )
    report["balanced"] = now["balanced"] and before["balanced"]
    return report
