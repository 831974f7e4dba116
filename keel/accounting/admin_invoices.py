"""Workspace pages of invoices, bills and payments: lists with filters and export,
documents with their lines and totals, and buttons only for what the document
allows next (post, cancel, register payment, send, PDF). Writes go through services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from import_export import resources
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.import_export.forms import ExportForm
from unfold.decorators import action

from keel.core.admin_lists import ListPageMixin
from keel.core.documents import pdf_response
from keel.core.errors import DomainError
from keel.core.money import format_money
from keel.core.submissions import SubmitOnceForm, once

from . import selectors
from .models import Invoice, InvoiceLine, Payment
from .selectors import invoices as queries
from .services import invoice_documents, invoices, payments


def _money(amount, currency) -> str:
    """1750.0000 stored -> '1,750.00 USD' shown (the currency's own precision)."""
    return "" if amount is None else format_money(amount, currency)


class LineInline(TabularInline):
    model = InvoiceLine
    fields = ["product", "description", "quantity_shown", "price", "discount", "amount"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("invoice")

    def has_view_permission(self, request, obj=None) -> bool:
        # Lines are part of the document: whoever may see the invoice sees its lines.
        return request.user.has_perm("accounting.view_invoice")

    @admin.display(description="Quantity")
    def quantity_shown(self, line) -> str:
        return f"{line.quantity.normalize():f}"

    @admin.display(description="Unit price")
    def price(self, line) -> str:
        return _money(line.unit_price, line.invoice.currency)

    @admin.display(description="Amount")
    def amount(self, line) -> str:
        return _money(line.amount_untaxed, line.invoice.currency)

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class InvoiceResource(resources.ModelResource):
    class Meta:
        model = Invoice
        fields = (
            "number",
            "kind",
            "status",
            "payment_status",
            "party__name",
            "date",
            "due_date",
            "currency",
            "amount_untaxed",
            "amount_tax",
            "amount_total",
        )
        export_order = fields


class CancelForm(forms.Form):
    date = forms.DateField(initial=dt.date.today)
    reason = forms.CharField(max_length=150)


class PayForm(SubmitOnceForm):
    """A double click registers one payment: the form's token is claimed by the first
    submit (core.submissions)."""

    amount = forms.DecimalField(max_digits=19, decimal_places=4)
    date = forms.DateField(initial=dt.date.today)
    write_off = forms.BooleanField(required=False, help_text="Write off a small difference")


@admin.register(Invoice)
class InvoiceAdmin(ListPageMixin, ExportMixin, SimpleHistoryAdmin, ModelAdmin):
    """Documents with lines and totals; drafts are written through the API or services."""

    list_display = [
        "__str__",
        "kind",
        "party",
        "date",
        "due_date",
        "total",
        "status",
        "payment_status",
    ]
    list_filter = ["kind", "status", "payment_status", ("date", admin.DateFieldListFilter)]
    search_fields = ["number", "ref", "party__name"]
    ordering = ["-date", "-id"]
    list_select_related = ["party"]
    date_hierarchy = "date"
    inlines = [LineInline]
    fields = [
        "number",
        "kind",
        "status",
        "payment_status",
        "party",
        "date",
        "due_date",
        "payment_term",
        "journal",
        "currency",
        "rate",
        "ref",
        "notes",
        "untaxed",
        "tax",
        "total",
        "entry",
        "cancel_entry",
        "sent_at",
        "version",
    ]
    readonly_fields = fields
    resource_classes = [InvoiceResource]
    export_form_class = ExportForm
    formats = [CSV, XLSX]
    actions_detail = ["post_document", "cancel_document", "pay_document", "send_document", "pdf"]

    @admin.display(description="Untaxed amount")
    def untaxed(self, document) -> str:
        return _money(document.amount_untaxed, document.currency)

    @admin.display(description="Tax")
    def tax(self, document) -> str:
        return _money(document.amount_tax, document.currency)

    @admin.display(description="Total", ordering="amount_total")
    def total(self, document) -> str:
        return _money(document.amount_total, document.currency)

    def get_queryset(self, request):
        return queries.invoices_visible_to(request.user, selectors.company_id_of(request.user))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _document(self, request, object_id) -> Invoice:
        return self.get_queryset(request).get(pk=object_id)

    def _allowed(self, request, object_id, perm: str, status: str) -> bool:
        if not request.user.has_perm(perm):
            return False
        if object_id is None:
            return True
        found = self.get_queryset(request).filter(pk=object_id).first()
        return found is not None and found.status == status

    def has_post_permission(self, request, object_id=None) -> bool:
        return self._allowed(request, object_id, "accounting.post_invoice", "draft")

    def has_cancel_permission(self, request, object_id=None) -> bool:
        return self._allowed(request, object_id, "accounting.cancel_invoice", "posted")

    def has_pay_permission(self, request, object_id=None) -> bool:
        return self._allowed(request, object_id, "accounting.add_payment", "posted")

    def has_send_permission(self, request, object_id=None) -> bool:
        return self._allowed(request, object_id, "accounting.send_invoice", "posted")

    def has_pdf_permission(self, request, object_id=None) -> bool:
        return request.user.has_perm("accounting.view_invoice")

    def _back(self, object_id):
        return redirect(reverse("admin:accounting_invoice_change", args=[object_id]))

    def _run(self, request, object_id, fn, success: str):
        try:
            fn()
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, success)
        return self._back(object_id)

    def _form(self, request, object_id, form_class, verb: str, perm_check, run):
        if not perm_check(request, object_id):
            raise PermissionDenied
        invoice = self._document(request, object_id)
        form = form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            return run(invoice, form.cleaned_data)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{verb}: {invoice}",
            "form": form,
            "verb": verb,
            "invoice": invoice,
            "residual": queries.residual_of(invoice),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "accounting/invoices/action.html", context)

    @action(description="Post", url_path="post", permissions=["post"])
    def post_document(self, request, object_id):
        def run(invoice, data):
            return self._run(
                request,
                object_id,
                lambda: invoices.post_invoice(invoice.pk, by=request.user),
                "Posted.",
            )

        return self._form(request, object_id, forms.Form, "Post", self.has_post_permission, run)

    @action(description="Cancel", url_path="cancel", permissions=["cancel"])
    def cancel_document(self, request, object_id):
        def run(invoice, data):
            return self._run(
                request,
                object_id,
                lambda: invoices.cancel_invoice(
                    invoice.pk, date=data["date"], reason=data["reason"], by=request.user
                ),
                f"{invoice} cancelled by a reversal.",
            )

        return self._form(request, object_id, CancelForm, "Cancel", self.has_cancel_permission, run)

    @action(description="Register payment", url_path="pay", permissions=["pay"])
    def pay_document(self, request, object_id):
        def run(invoice, data):
            return self._run(
                request,
                object_id,
                lambda: once(
                    request,
                    data["submission"],
                    lambda: payments.register_payment(
                        invoice.company,
                        party=invoice.party,
                        amount=data["amount"],
                        date=data["date"],
                        direction="inbound" if invoice.partner_sign > 0 else "outbound",
                        invoices=[invoice.pk],
                        currency=invoice.currency,
                        write_off=data["write_off"],
                        memo=f"Payment of {invoice.number}",
                        by=request.user,
                    ),
                    what=f"the payment of {invoice.number}",
                ),
                "Payment registered.",
            )

        return self._form(
            request, object_id, PayForm, "Register payment", self.has_pay_permission, run
        )

    @action(description="Send by e-mail", url_path="send", permissions=["send"])
    def send_document(self, request, object_id):
        def run(invoice, data):
            return self._run(
                request,
                object_id,
                lambda: invoice_documents.send_invoice(invoice.pk, by=request.user),
                f"Sent to {invoice.party.email}.",
            )

        return self._form(request, object_id, forms.Form, "Send", self.has_send_permission, run)

    @action(description="PDF", url_path="pdf", permissions=["pdf"])
    def pdf(self, request, object_id):
        if not self.has_pdf_permission(request, object_id):
            raise PermissionDenied
        invoice = self._document(request, object_id)
        return pdf_response(
            invoice_documents.render_pdf(invoice), invoice_documents.pdf_filename(invoice)
        )


@admin.register(Payment)
class PaymentAdmin(ListPageMixin, ExportMixin, SimpleHistoryAdmin, ModelAdmin):
    list_display = ["number", "direction", "party", "date", "amount", "currency", "write_off"]
    list_filter = ["direction", ("date", admin.DateFieldListFilter)]
    search_fields = ["number", "memo", "party__name"]
    ordering = ["-date", "-id"]
    list_select_related = ["party"]
    readonly_fields = [
        "number",
        "direction",
        "party",
        "date",
        "amount",
        "currency",
        "rate",
        "write_off",
        "journal",
        "memo",
        "entry",
    ]
    fields = readonly_fields
    export_form_class = ExportForm
    formats = [CSV, XLSX]

    def get_queryset(self, request):
        return queries.payments_of(selectors.company_id_of(request.user))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
