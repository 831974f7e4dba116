"""Workspace pages of customer returns: a rep sees the returns of her own orders;
the buttons approve, receive, credit or cancel one through its service."""

from __future__ import annotations

from django.contrib import admin
from unfold.decorators import action

from keel.core.admin_steps import NoteForm, ReadOnlyInline

from . import selectors
from .admin import RecordAdmin
from .models import ReturnAuthorisation, ReturnLine
from .permissions import APPROVE_RETURN_PERMISSION, CREDIT_RETURN_PERMISSION
from .services import returns

RMA = ReturnAuthorisation.Status
RETURN_STEPS = {
    "approve": (APPROVE_RETURN_PERMISSION, {RMA.DRAFT}),
    "receive": ("sales.deliver_salesorder", {RMA.APPROVED}),
    "credit": (CREDIT_RETURN_PERMISSION, {RMA.RECEIVED}),
    "cancel": ("sales.change_returnauthorisation", {RMA.DRAFT, RMA.APPROVED}),
}


class ReturnLineInline(ReadOnlyInline):
    model = ReturnLine
    fields = ["product", "quantity", "quantity_received"]
    readonly_fields = fields

    related = ("product",)


@admin.register(ReturnAuthorisation)
class ReturnAdmin(RecordAdmin):
    steps = RETURN_STEPS
    list_display = [
        "number",
        "order",
        "party",
        "owner",
        "return_date",
        "amount_credited",
        "status_badge",
        "settlement",
    ]
    list_filter = ["status", "settlement"]
    search_fields = ["number", "party__name", "order__number"]
    fields = [
        "number",
        "status",
        "order",
        "party",
        "owner",
        "return_date",
        "reason",
        "settlement",
        "credit_note",
        "refund",
        "amount_credited",
        "amount_applied",
        "amount_refunded",
    ]
    readonly_fields = fields
    inlines = [ReturnLineInline]
    actions_detail = ["approve_return", "receive_return", "credit_return", "cancel_return"]

    def get_queryset(self, request):
        return selectors.returns_visible_to(request.user)

    def summary(self, record) -> str:
        return f"{record.party}, return of {record.order}"

    @action(description="Approve", url_path="approve", permissions=["approve"])
    def approve_return(self, request, object_id):
        return self._step(
            request, object_id, "Approve", lambda r, _: returns.approve(r.pk, by=request.user)
        )

    @action(description="Receive everything", url_path="receive", permissions=["receive"])
    def receive_return(self, request, object_id):
        return self._step(
            request, object_id, "Receive", lambda r, _: returns.receive(r.pk, by=request.user)
        )

    @action(description="Credit", url_path="credit", permissions=["credit"])
    def credit_return(self, request, object_id):
        return self._step(
            request, object_id, "Credit", lambda r, _: returns.credit(r.pk, by=request.user)
        )

    @action(description="Cancel", url_path="cancel", permissions=["cancel"])
    def cancel_return(self, request, object_id):
        return self._step(
            request,
            object_id,
            "Cancel",
            lambda r, d: returns.cancel(r.pk, by=request.user, reason=d["note"]),
            NoteForm,
        )
