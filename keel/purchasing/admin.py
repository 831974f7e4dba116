"""Workspace pages of purchasing: vendor prices (added through the service), and
requisitions, RFQs, purchase orders and bill matches as read-only records whose
buttons run the steps the record allows next, each through its service."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.contrib.import_export.forms import ExportForm
from unfold.decorators import action, display

from keel.core.admin_steps import NoteForm, ReadOnlyInline, StepRecordAdmin
from keel.core.api.views import company_of

from . import selectors
from .models import (
    BillMatch,
    BillMatchLine,
    PurchaseOrder,
    PurchaseOrderLine,
    Requisition,
    RequisitionLine,
    Rfq,
    RfqLine,
    RfqVendor,
    VendorPrice,
)
from .services import bills, orders, prices, requisitions

STATUS_COLOURS = {
    "draft": "info",
    "to_approve": "warning",
    "approved": "primary",
    "sent": "primary",
    "confirmed": "primary",
    "received": "primary",
    "billed": "primary",
    "ordered": "success",
    "awarded": "success",
    "done": "success",
    "matched": "success",
    "released": "success",
    "on_hold": "danger",
    "rejected": "danger",
    "cancelled": "danger",
}


class ExportableAdmin(ExportMixin, SimpleHistoryAdmin, ModelAdmin):
    export_form_class = ExportForm
    formats = [CSV, XLSX]


class RecordAdmin(StepRecordAdmin):
    """A record changed only by its steps, through their services."""

    @display(description="Status", label=STATUS_COLOURS)
    def status_badge(self, obj):
        return obj.status


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False)


@admin.register(VendorPrice)
class VendorPriceAdmin(ExportableAdmin):
    list_display = [
        "product",
        "vendor",
        "price",
        "currency",
        "min_quantity",
        "lead_days",
        "minimum_order_quantity",
        "preferred",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["preferred", "currency"]
    search_fields = ["product__name", "product__sku", "vendor__name"]
    list_select_related = ["product", "vendor"]
    fields = [
        "vendor",
        "product",
        "price",
        "currency",
        "min_quantity",
        "valid_from",
        "valid_to",
        "lead_days",
        "minimum_order_quantity",
        "preferred",
    ]
    autocomplete_fields = ["vendor", "product"]

    def get_queryset(self, request):
        return selectors.vendor_prices_of(company_of(request.user).pk)

    def has_change_permission(self, request, obj=None) -> bool:
        # A price is replaced by a new row with its own validity, never edited in place.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data.get(name) for name in self.fields}
        saved = prices.save_vendor_price(company_of(request.user), by=request.user, **data)
        obj.pk = saved.pk


class RequisitionLineInline(ReadOnlyInline):
    model = RequisitionLine
    related = ("product",)
    fields = ["product", "quantity"]
    readonly_fields = fields


@admin.register(Requisition)
class RequisitionAdmin(RecordAdmin):
    list_display = ["number", "requested_by", "need_by", "reason", "status_badge"]
    list_filter = ["status"]
    search_fields = ["number", "reason"]
    list_select_related = ["requested_by"]
    fields = ["number", "status", "requested_by", "warehouse", "need_by", "reason", "decision_note"]
    readonly_fields = fields
    inlines = [RequisitionLineInline]
    actions_detail = ["approve_requisition", "reject_requisition"]
    steps = {"decide": ("purchasing.approve_requisition", {Requisition.Status.TO_APPROVE})}

    def get_queryset(self, request):
        return selectors.requisitions_visible_to(request.user, company_of(request.user).pk)

    @action(description="Approve", url_path="approve", permissions=["decide"])
    def approve_requisition(self, request, object_id):
        return self._step(
            request,
            object_id,
            "Approve",
            lambda r, d: requisitions.approve_requisition(r.pk, by=request.user, note=d["note"]),
            NoteForm,
        )

    @action(description="Reject", url_path="reject", permissions=["decide"])
    def reject_requisition(self, request, object_id):
        return self._step(
            request,
            object_id,
            "Reject",
            lambda r, d: requisitions.reject_requisition(r.pk, by=request.user, note=d["note"]),
            NoteForm,
        )


class RfqLineInline(ReadOnlyInline):
    model = RfqLine
    related = ("product",)
    fields = ["product", "quantity"]
    readonly_fields = fields


class RfqVendorInline(ReadOnlyInline):
    model = RfqVendor
    related = ("vendor",)
    fields = ["vendor", "replied_at", "note"]
    readonly_fields = fields


@admin.register(Rfq)
class RfqAdmin(RecordAdmin):
    list_display = ["number", "origin", "warehouse", "need_by", "awarded_vendor", "status_badge"]
    list_filter = ["status", "origin"]
    search_fields = ["number"]
    list_select_related = ["warehouse", "awarded_vendor"]
    fields = [
        "number",
        "status",
        "origin",
        "requisition",
        "warehouse",
        "currency",
        "need_by",
        "awarded_vendor",
        "bid_comparison",
    ]
    readonly_fields = fields
    inlines = [RfqLineInline, RfqVendorInline]

    def get_queryset(self, request):
        return selectors.rfqs_of(company_of(request.user).pk)

    @display(description="Bids")
    def bid_comparison(self, obj):
        url = reverse("purchasing:bids", args=[obj.pk])
        return format_html('<a class="text-primary-600" href="{}">Compare the bids</a>', url)


class OrderLineInline(ReadOnlyInline):
    model = PurchaseOrderLine
    related = ("product",)
    fields = [
        "product",
        "description",
        "quantity",
        "unit_price",
        "subtotal",
        "expected_date",
        "quantity_received",
        "quantity_billed",
    ]
    readonly_fields = fields


class BillMatchInline(ReadOnlyInline):
    model = BillMatch
    related = ("bill",)
    fields = ["bill", "status", "hold_reason"]
    readonly_fields = fields


# step -> (permission, statuses it applies to)
ORDER_STEPS = {
    # Who may create purchase orders may change their drafts (purchasing.views.edit_order).
    "edit": ("purchasing.add_purchaseorder", {"draft"}),
    "submit": ("purchasing.change_purchaseorder", {"draft"}),
    "approve": ("purchasing.approve_purchaseorder", {"to_approve"}),
    "cancel": ("purchasing.cancel_purchaseorder", {"draft", "to_approve", "confirmed"}),
    "bill": ("purchasing.add_billmatch", {"confirmed", "received"}),
}


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(RecordAdmin):
    list_display = [
        "number",
        "vendor",
        "order_date",
        "amount_total",
        "currency",
        "status_badge",
        "receipt_status",
        "billing_status",
    ]
    list_filter = ["status", "receipt_status", "billing_status"]
    search_fields = ["number", "vendor__name", "vendor_ref"]
    list_select_related = ["vendor"]
    fields = [
        "number",
        "status",
        "vendor",
        "vendor_ref",
        "warehouse",
        "order_date",
        "currency",
        "amount_total",
        "receipt_status",
        "billing_status",
        "rfq",
        "requisition",
        "submitted_by",
        "approved_by",
        "procure_to_pay",
    ]
    readonly_fields = fields
    inlines = [OrderLineInline, BillMatchInline]

    @display(description="Trail")
    def procure_to_pay(self, obj):
        url = reverse("purchasing:trail", args=[obj.pk])
        return format_html(
            '<a class="text-primary-600" href="{}">Receipts, bills, payments</a>', url
        )

    actions_detail = ["edit_draft", "submit_order", "approve_order", "bill_order", "cancel_order"]
    steps = ORDER_STEPS

    def get_queryset(self, request):
        return selectors.orders_of(company_of(request.user).pk)

    def summary(self, record) -> str:
        status = record.get_status_display().lower()
        return f"{record.vendor}, {record.amount_total} {record.currency}, {status}."

    @action(description="Change draft", url_path="edit", permissions=["edit"])
    def edit_draft(self, request, object_id):
        return redirect(reverse("purchasing:edit_order", args=[object_id]))

    @action(description="Submit", url_path="submit", permissions=["submit"])
    def submit_order(self, request, object_id):
        return self._step(
            request, object_id, "Submit", lambda o, _: orders.submit(o.pk, by=request.user)
        )

    @action(description="Approve", url_path="approve", permissions=["approve"])
    def approve_order(self, request, object_id):
        return self._step(
            request,
            object_id,
            "Approve",
            lambda o, d: orders.approve(o.pk, by=request.user, note=d["note"]),
            NoteForm,
        )

    @action(description="Bill what was received", url_path="bill", permissions=["bill"])
    def bill_order(self, request, object_id):
        return self._step(
            request,
            object_id,
            "Bill what was received",
            lambda o, _: bills.bill_order(o.pk, by=request.user),
        )

    @action(description="Cancel", url_path="cancel", permissions=["cancel"])
    def cancel_order(self, request, object_id):
        return self._step(
            request,
            object_id,
            "Cancel",
            lambda o, d: orders.cancel(o.pk, by=request.user, reason=d["reason"]),
            ReasonForm,
        )


class BillMatchLineInline(ReadOnlyInline):
    model = BillMatchLine
    related = ("order_line",)
    fields = ["order_line", "quantity", "unit_price"]
    readonly_fields = fields


@admin.register(BillMatch)
class BillMatchAdmin(RecordAdmin):
    list_display = ["bill", "order", "status_badge", "hold_reason"]
    list_filter = ["status"]
    search_fields = ["order__number", "bill__number"]
    list_select_related = ["bill", "order"]
    fields = [
        "order",
        "bill",
        "status",
        "hold_reason",
        "released_by",
        "released_at",
        "release_note",
    ]
    readonly_fields = fields
    inlines = [BillMatchLineInline]
    actions_detail = ["release_bill"]

    def get_queryset(self, request):
        return selectors.bill_matches_of(company_of(request.user).pk)

    def summary(self, record) -> str:
        return record.hold_reason or record.get_status_display()

    steps = {"release": ("purchasing.release_billmatch", {BillMatch.Status.ON_HOLD})}

    @action(description="Release and post", url_path="release", permissions=["release"])
    def release_bill(self, request, object_id):
        return self._step(
            request,
            object_id,
            "Release and post",
            lambda m, d: bills.release_hold(m.pk, by=request.user, note=d["note"]),
            NoteForm,
        )
