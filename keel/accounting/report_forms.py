"""The filters every report page and report endpoint accepts, checked once."""

from __future__ import annotations

import datetime as dt

from django import forms

from keel.core.errors import InvalidInput
from keel.parties.models import Party

from .exports.catalog import Report, default_range
from .models import Account
from .selectors.comparative import COMPARISONS, PREVIOUS_YEAR


class ReportForm(forms.Form):
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)
    account = forms.IntegerField(required=False)
    party = forms.IntegerField(required=False)
    compare = forms.ChoiceField(
        required=False, choices=[(c, c.replace("_", " ").capitalize()) for c in COMPARISONS]
    )


def report_params(report: Report, data, company_id: int, today: dt.date) -> dict:
    """Dates (`date_to` defaults to today, `date_from` to the first of its month), and
    the account, party or comparison the report needs, each checked against the
    company; refuses with InvalidInput."""
    form = ReportForm(data)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise InvalidInput(f"{field}: {' '.join(errors)}", field=field)
    values = form.cleaned_data
    end = values["date_to"] or today
    start = values["date_from"] or default_range(end)[0]
    params = {
        "date_from": start,
        "date_to": end,
        "compare": values["compare"] or PREVIOUS_YEAR,
        "account": values["account"],
        "party": values["party"],
    }
    if params["date_from"] > params["date_to"]:
        raise InvalidInput("date_from must not be after date_to.", field="date_from")
    accounts = Account.objects.filter(company_id=company_id, pk=params["account"])
    if "account" in report.needs and not accounts.exists():
        raise InvalidInput("Choose an account of this company's chart.", field="account")
    parties = Party.objects.filter(company_id=company_id, pk=params["party"])
    if "party" in report.needs and not parties.exists():
        raise InvalidInput("Choose a party of this company.", field="party")
    return params
