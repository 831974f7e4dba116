"""The buyer's form for changing a draft purchase order: header and line rows; the
service does the checking, this form only carries what was typed."""

from __future__ import annotations

from django import forms
from unfold.widgets import (
    UnfoldAdminDecimalFieldWidget,
    UnfoldAdminIntegerFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminSingleDateWidget,
    UnfoldAdminTextInputWidget,
)

from keel.core.versioned_forms import SeenVersionForm
from keel.parties.models import Party
from keel.products.models import Product

from .models import PurchaseOrder

EMPTY_ROWS = 2  # spare rows for new lines under the order's own
SELECT = UnfoldAdminSelectWidget


class DraftOrderForm(SeenVersionForm):
    """Vendor, reference and date of a draft; a save over a version someone else
    changed since the page was opened is refused here, the input kept."""

    class Meta:
        model = PurchaseOrder
        fields = ["vendor", "vendor_ref", "order_date"]
        widgets = {
            "vendor": SELECT,
            "vendor_ref": UnfoldAdminTextInputWidget,
            "order_date": UnfoldAdminSingleDateWidget,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = Party.objects.filter(
            company_id=self.instance.company_id, merged_into__isnull=True
        ).order_by("name")


class OrderLineForm(forms.Form):
    # Numbers as typed: the service refuses zero or negative values with a message
    # this form shows at the field. An empty price takes the vendor's.
    product = forms.ModelChoiceField(queryset=Product.objects.none(), required=False, widget=SELECT)
    description = forms.CharField(max_length=300, required=False, widget=UnfoldAdminTextInputWidget)
    quantity = forms.DecimalField(required=False, widget=UnfoldAdminDecimalFieldWidget)
    unit_price = forms.DecimalField(required=False, widget=UnfoldAdminDecimalFieldWidget)
    lead_days = forms.IntegerField(required=False, widget=UnfoldAdminIntegerFieldWidget)

    def __init__(self, *args, company_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(
            company_id=company_id, active=True
        ).order_by("sku")

    def as_line(self) -> dict | None:
        """The service's line, or None for an empty row."""
        data = self.cleaned_data
        if not data.get("product"):
            return None
        line = {
            "product": data["product"],
            "quantity": data.get("quantity") if data.get("quantity") is not None else "",
            "description": data.get("description") or "",
        }
        for name in ("unit_price", "lead_days"):
            if data.get(name) is not None:
                line[name] = data[name]
        return line


OrderLineFormSet = forms.formset_factory(OrderLineForm, extra=0)
