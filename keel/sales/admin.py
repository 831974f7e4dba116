"""Workspace pages of sales: quotations and orders as read-only records (a rep sees
their own) whose buttons run the steps the record allows next, each through its
service."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from unfold.decorators import action, display

from keel.core.admin_steps import NoteForm, ReadOnlyInline, StepRecordAdmin
from keel.core.api.views import company_of
from keel.core.documents import pdf_response

from . import selectors
from .models import (
    OUTREACH_FIELDS,
    Quotation,
    QuotationLine,
    ReturnAuthorisation,
    SalesOrder,
    SalesOrderLine,
)
from .permissions import RELEASE_PERMISSION
from .services import (
    batch,
    down_payments,
    orders,
    quotation_documents,
    quotations,
    returns,
    revisions,
)

STATUS_COLOURS = {
    "draft": "info",
    "to_approve": "warning",
    "sent": "primary",
    "confirmed": "success",
    "done": "success",
    "on_hold": "danger",
    "cancelled": "danger",
    "declined": "danger",
    "revised": "info",
    "approved": "primary",
    "received": "warning",
    "credited": "success",
}
Q, SO = Quotation.Status, SalesOrder.Status
# step -> (permission, statuses in which the button shows)
QUOTATION_STEPS = {
    "send": ("sales.change_quotation", {Q.DRAFT}),
    "approve": ("core.decide_approvalrequest", {Q.TO_APPROVE}),
    "confirm": ("sales.add_salesorder", {Q.DRAFT, Q.SENT}),
    "pdf": ("sales.view_quotation", set(Q)),
    "revise": ("sales.change_quotation", {Q.SENT, Q.DECLINED}),
}
ORDER_STEPS = {
    "deliver": ("sales.deliver_salesorder", {SO.CONFIRMED}),
    "invoice": ("sales.invoice_salesorder", {SO.CONFIRMED}),
    "release": (RELEASE_PERMISSION, {SO.ON_HOLD}),
    "down_payment": ("sales.invoice_salesorder", {SO.CONFIRMED}),
    "take_return": ("sales.add_returnauthorisation", {SO.CONFIRMED, SO.DONE}),
}


class DownPaymentForm(forms.Form):
    percent = forms.DecimalField(required=False, help_text="Of the untaxed amount")
    amount = forms.DecimalField(required=False, help_text="Or a fixed untaxed amount")


def return_form_for(order: SalesOrder) -> type[forms.Form]:
    """Why, how to settle, and how many of each delivered line come back."""
    fields = {
        "reason": forms.CharField(max_length=300),
        "settlement": forms.ChoiceField(choices=ReturnAuthorisation.Settlement.choices),
    }
    for line in order.lines.select_related("product"):
        if line.quantity_delivered > 0:
            fields[f"line_{line.pk}"] = forms.DecimalField(
                required=False,
                min_value=0,
                label=f"{line.product} ({line.quantity_delivered.normalize():f} delivered, "
                f"{line.quantity_returned.normalize():f} returned)",
            )
    return type("ReturnForm", (forms.Form,), fields)


def take_return(order: SalesOrder, data: dict, user) -> ReturnAuthorisation:
    lines = [
        {"line": int(name.removeprefix("line_")), "quantity": quantity}
        for name, quantity in data.items()
        if name.startswith("line_") and quantity
    ]
    return returns.create_return(
        order.pk, lines=lines, reason=data["reason"], settlement=data["settlement"], by=user
    )


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

    @action(description="Customer 360", url_path="customer-360", icon="dashboard")
    def customer_360(self, request, object_id):
        """The customer's 360 page (keel.analytics, linked by URL name)."""
        return redirect("analytics:customer_360", self._record(request, object_id).party_id)


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
        "revision",
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
        *OUTREACH_FIELDS,
        "margin_approved_by",
    ]
    readonly_fields = fields
    inlines = [QuotationLineInline]
    actions_detail = [
        "send_quotation",
        "approve_discount",
        "confirm_quotation",
        "revise_quotation",
        "download_pdf",
        "customer_360",
    ]
    actions_list = ["new_quotation"]
    actions = ["confirm_selected"]

    def get_queryset(self, request):
        return selectors.quotations_visible_to(request.user)

    @action(description="Revise", url_path="revise", permissions=["revise"])
    def revise_quotation(self, request, object_id):
        """The next revision, a draft priced and promised today; this one is kept."""
        made = {}

        def run(quotation, _):
            made["revision"] = revisions.revise(quotation.pk, by=request.user)

        response = self._step(request, object_id, "Revise", run)
        if "revision" in made:
            return redirect(reverse("admin:sales_quotation_change", args=[made["revision"].pk]))
        return response

    def has_new_quotation_permission(self, request) -> bool:
        return request.user.has_perm("sales.add_quotation")

    @action(description="New quotation", url_path="new", permissions=["new_quotation"])
    def new_quotation(self, request):
        """The builder is a page of its own (this record is read-only)."""
        return redirect("sales:quotation_new")

    @action(description="Send by e-mail", url_path="send", permissions=["send"])
    def send_quotation(self, request, object_id):
        def run(quotation, _):
            sent = quotation_documents.email_quotation(
                quotation.pk, by=request.user, base_url=request.build_absolute_uri("/")
            )
            if sent.status == Q.TO_APPROVE:
                messages.warning(
                    request, f"{sent} waits for a sales manager to approve its discount."
                )

        return self._step(request, object_id, "Send by e-mail", run)

    @action(description="PDF", url_path="pdf", permissions=["pdf"])
    def download_pdf(self, request, object_id):
        quotation = self._record(request, object_id)
        return pdf_response(
            quotation_documents.render_pdf(quotation), quotation_documents.pdf_filename(quotation)
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
        "quantity_returned",
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
    actions_detail = [
        "deliver_order",
        "invoice_order",
        "release_order",
        "customer_360",
        "lead_to_cash_trail",
        "down_payment_order",
        "take_return_order",
    ]
    actions = ["invoice_delivered", "pay_selected"]

    def get_queryset(self, request):
        return selectors.orders_visible_to(request.user)

    @action(description="Lead-to-cash trail", url_path="trail", icon="timeline")
    def lead_to_cash_trail(self, request, object_id):
        """The order's trail from its lead to its payments (keel.analytics)."""
        return redirect("analytics:order_trail", self._record(request, object_id).pk)

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

    @action(description="Down payment", url_path="down-payment", permissions=["down_payment"])
    def down_payment_order(self, request, object_id):
        return self._step(
            request,
            object_id,
            "Down payment",
            lambda o, d: down_payments.invoice_down_payment(
                o.pk, percent=d["percent"], amount=d["amount"], by=request.user
            ),
            DownPaymentForm,
        )

    @action(description="Take a return", url_path="take-return", permissions=["take_return"])
    def take_return_order(self, request, object_id):
        order = self._record(request, object_id)
        return self._step(
            request,
            object_id,
            "Take a return",
            lambda o, d: take_return(o, d, request.user),
            return_form_for(order),
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


# Returns have their own page module; importing it registers them.
from . import admin_returns  # noqa: E402, F401, I001
