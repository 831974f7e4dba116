"""Workspace pages of sales: quotations and orders as read-only records (a rep sees
their own) whose buttons run the steps the record allows next, each through its
service."""

from __future__ import annotations

from django.contrib import admin, messages
from unfold.decorators import action, display

from keel.core.admin_steps import NoteForm, ReadOnlyInline, StepRecordAdmin
from keel.core.api.views import company_of

from . import selectors
from .models import Quotation, QuotationLine, SalesOrder, SalesOrderLine
from .permissions import RELEASE_PERMISSION
from .services import batch, orders, quotations

STATUS_COLOURS = {
    "draft": "info",
    "to_approve": "warning",
    "sent": "primary",
    "confirmed": "success",
    "done": "success",
    "on_hold": "danger",
    "cancelled": "danger",
}
Q, SO = Quotation.Status, SalesOrder.Status
# step -> (permission, statuses in which the button shows)
QUOTATION_STEPS = {
    "send": ("sales.change_quotation", {Q.DRAFT}),
    "approve": ("core.decide_approvalrequest", {Q.TO_APPROVE}),
    "confirm": ("sales.add_salesorder", {Q.DRAFT, Q.SENT}),
}
ORDER_STEPS = {
    "deliver": ("sales.deliver_salesorder", {SO.CONFIRMED}),
    "invoice": ("sales.invoice_salesorder", {SO.CONFIRMED}),
    "release": (RELEASE_PERMISSION, {SO.ON_HOLD}),
}


def report(request, label: str, result: batch.BatchResult) -> None:
    """A batch's outcome as messages: how many went through, and each refusal."""
    if result.done:
        messages.success(request, f"{label}: {len(result.done)} done.")
    for refusal in result.refused:
        messages.error(request, f"{refusal.label}: {refusal.detail}")
    if not result.done and not result.refused:
        messages.info(request, f"{label}: nothing to do.")


class RecordAdmin(StepRecordAdmin):
    """A quotation or order: changed only by its steps, through their services."""

    @display(description="Status", label=STATUS_COLOURS)
    def status_badge(self, obj):
        return obj.status

    def summary(self, record) -> str:
        return f"{record.party}, {record.amount_total} {record.currency}"


class QuotationLineInline(ReadOnlyInline):
    model = QuotationLine
    fields = [
        "product",
        "quantity",
        "list_price",
        "unit_price",
        "price_explanation",
        "discount",
        "subtotal",
        "atp_quantity",
        "promise_date",
    ]
    readonly_fields = fields

    related = ("product",)


@admin.register(Quotation)
class QuotationAdmin(RecordAdmin):
    steps = QUOTATION_STEPS
    list_display = [
        "number",
        "party",
        "owner",
        "quote_date",
        "valid_until",
        "amount_total",
        "currency",
        "status_badge",
    ]
    list_filter = ["status", "invoicing_policy"]
    search_fields = ["number", "party__name"]
    fields = [
        "number",
        "status",
        "party",
        "contact",
        "opportunity",
        "owner",
        "warehouse",
        "quote_date",
        "valid_until",
        "invoicing_policy",
        "currency",
        "amount_untaxed",
        "amount_tax",
        "amount_total",
        "discount_approved_by",
    ]
    readonly_fields = fields
    inlines = [QuotationLineInline]
    actions_detail = ["send_quotation", "approve_discount", "confirm_quotation"]
    actions = ["confirm_selected"]

    def get_queryset(self, request):
        return selectors.quotations_visible_to(request.user)

    def has_send_permission(self, request, object_id=None) -> bool:
        return self._may(request, object_id, "send")

    def has_approve_permission(self, request, object_id=None) -> bool:
        return self._may(request, object_id, "approve")

    def has_confirm_permission(self, request, object_id=None) -> bool:
        return self._may(request, object_id, "confirm")

    @action(description="Send", url_path="send", permissions=["send"])
    def send_quotation(self, request, object_id):
        return self._step(
            request, object_id, "Send", lambda q, _: quotations.send(q.pk, by=request.user)
        )

    @action(description="Approve discount", url_path="approve-discount", permissions=["approve"])
    def approve_discount(self, request, object_id):
        return self._step(
            request,
            object_id,
            "Approve discount",
            lambda q, d: quotations.approve_discount(q.pk, by=request.user, note=d["note"]),
            NoteForm,
        )

    @action(description="Confirm", url_path="confirm", permissions=["confirm"])
    def confirm_quotation(self, request, object_id):
        return self._step(
            request, object_id, "Confirm", lambda q, _: orders.confirm(q.pk, by=request.user)
        )

    @action(description="Confirm selected", permissions=["confirm"])
    def confirm_selected(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        report(request, "Confirmed", batch.confirm_many(ids, by=request.user))


class OrderLineInline(ReadOnlyInline):
    model = SalesOrderLine
    fields = [
        "product",
        "quantity",
        "unit_price",
        "discount",
        "subtotal",
        "quantity_delivered",
        "quantity_invoiced",
    ]
    readonly_fields = fields

    related = ("product",)


@admin.register(SalesOrder)
class SalesOrderAdmin(RecordAdmin):
    steps = ORDER_STEPS
    list_display = [
        "number",
        "party",
        "owner",
        "order_date",
        "amount_total",
        "currency",
        "status_badge",
        "delivery_status",
        "invoice_status",
        "payment_status",
    ]
    list_filter = ["status", "delivery_status", "invoice_status", "payment_status"]
    search_fields = ["number", "party__name"]
    fields = [
        "number",
        "status",
        "hold_reason",
        "quotation",
        "party",
        "owner",
        "warehouse",
        "order_date",
        "invoicing_policy",
        "currency",
        "amount_untaxed",
        "amount_tax",
        "amount_total",
        "delivery_status",
        "invoice_status",
        "payment_status",
        "released_by",
        "released_at",
        "release_note",
    ]
    readonly_fields = fields
    inlines = [OrderLineInline]
    actions_detail = ["deliver_order", "invoice_order", "release_order"]
    actions = ["invoice_delivered", "pay_selected"]

    def get_queryset(self, request):
        return selectors.orders_visible_to(request.user)

    def has_deliver_permission(self, request, object_id=None) -> bool:
        return self._may(request, object_id, "deliver")

    def has_invoice_permission(self, request, object_id=None) -> bool:
        return self._may(request, object_id, "invoice")

    def has_release_permission(self, request, object_id=None) -> bool:
        return self._may(request, object_id, "release")

    @action(description="Deliver what is reserved", url_path="deliver", permissions=["deliver"])
    def deliver_order(self, request, object_id):
        return self._step(
            request, object_id, "Deliver", lambda o, _: orders.deliver(o.pk, by=request.user)
        )

    @action(description="Invoice", url_path="invoice", permissions=["invoice"])
    def invoice_order(self, request, object_id):
        return self._step(
            request, object_id, "Invoice", lambda o, _: orders.invoice(o.pk, by=request.user)
        )

    @action(description="Release credit hold", url_path="release", permissions=["release"])
    def release_order(self, request, object_id):
        return self._step(
            request,
            object_id,
            "Release credit hold",
            lambda o, d: orders.release_hold(o.pk, by=request.user, note=d["note"]),
            NoteForm,
        )

    @action(description="Invoice all delivered", permissions=["invoice"])
    def invoice_delivered(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        result = batch.invoice_delivered(company_of(request.user), by=request.user, order_ids=ids)
        report(request, "Invoiced", result)

    @action(description="Register payment for selected", permissions=["pay"])
    def pay_selected(self, request, queryset):
        """Pay in full, through the company's bank journal, the unpaid invoices of the
        selected orders."""
        company = company_of(request.user)
        journal = selectors.bank_journal(company)
        if journal is None:
            messages.error(request, "Set up a bank journal first.")
            return
        ids = selectors.unpaid_invoice_ids(queryset.values_list("pk", flat=True))
        report(request, "Paid", batch.pay_many(ids, journal=journal, by=request.user))

    def has_pay_permission(self, request, object_id=None) -> bool:
        return request.user.has_perm("accounting.add_payment")
