"""The rep's quotation form: header and line rows; the service does the checking."""

from __future__ import annotations

from django import forms
from unfold.widgets import (
    UnfoldAdminDecimalFieldWidget,
    UnfoldAdminSelectMultipleWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminSingleDateWidget,
)

from keel.accounting.models import Tax
from keel.crm.models import Opportunity
from keel.inventory.models import Warehouse
from keel.parties.models import Party
from keel.products.models import Product

from .models import InvoicingPolicy

LINE_ROWS = 5
SELECT = UnfoldAdminSelectWidget


class QuotationForm(forms.Form):
    opportunity = forms.ModelChoiceField(
        queryset=Opportunity.objects.none(), required=False, widget=forms.HiddenInput
    )
    party = forms.ModelChoiceField(
        queryset=Party.objects.none(), required=False, label="Customer", widget=SELECT
    )
    contact = forms.ModelChoiceField(queryset=Party.objects.none(), required=False, widget=SELECT)
    warehouse = forms.ModelChoiceField(queryset=Warehouse.objects.none(), widget=SELECT)
    valid_until = forms.DateField(widget=UnfoldAdminSingleDateWidget)
    invoicing_policy = forms.ChoiceField(choices=InvoicingPolicy.choices, widget=SELECT)

    def __init__(self, company, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parties = Party.objects.filter(company=company).order_by("name")
        self.fields["opportunity"].queryset = Opportunity.objects.filter(company=company)
        self.fields["party"].queryset = parties.filter(is_customer=True)
        self.fields["contact"].queryset = parties
        self.fields["warehouse"].queryset = Warehouse.objects.filter(company=company)


class LineForm(forms.Form):
    # Numbers as typed: the service refuses zero, negative or out-of-range values
    # with a message this form shows at the field.
    product = forms.ModelChoiceField(queryset=Product.objects.none(), required=False, widget=SELECT)
    quantity = forms.DecimalField(required=False, widget=UnfoldAdminDecimalFieldWidget)
    discount = forms.DecimalField(
        required=False, initial=0, label="Discount %", widget=UnfoldAdminDecimalFieldWidget
    )
    taxes = forms.ModelMultipleChoiceField(
        queryset=Tax.objects.none(), required=False, widget=UnfoldAdminSelectMultipleWidget
    )

    def __init__(self, *args, company=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(
            company=company, active=True
        ).order_by("sku")
        self.fields["taxes"].queryset = Tax.objects.filter(company=company).order_by("name")

    def as_line(self) -> dict | None:
        """The service's line, or None for an empty row."""
        data = self.cleaned_data
        if not data.get("product"):
            return None
        return {
            "product": data["product"],
            "quantity": data.get("quantity") if data.get("quantity") is not None else "",
            "discount": data.get("discount") or 0,
            "taxes": list(data.get("taxes") or []),
        }


LineFormSet = forms.formset_factory(LineForm, extra=0)
