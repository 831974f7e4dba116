"""Workspace pages of the core records. State changes go through services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action, display

from .admin_lists import CompanyRelatedListFilter
from .errors import DomainError, InvalidInput
from .http import check_target
from .models import (
    ApprovalRequest,
    ApprovalRule,
    Company,
    OutboxEvent,
    Sequence,
    StatusChange,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from .services import approvals, webhooks


class ReadOnlyAdmin(ModelAdmin):
    """Logs and ledgers: readable by whoever may view them, never edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def run_service(request, label: str, fn, queryset) -> int:
    """Apply `fn` to each selected record; report each refusal as a message. Returns how
    many were done. Every domain's admin actions use this one."""
    done = 0
    for record in queryset:
        try:
            fn(record)
            done += 1
        except DomainError as error:
            messages.error(request, f"{record}: {error.detail}")
    if done:
        messages.success(request, f"{label}: {done} done.")
    return done


@admin.register(Company)
class CompanyAdmin(SimpleHistoryAdmin, ModelAdmin):
    list_display = ["name", "currency", "country", "fiscal_year_start_month"]
    search_fields = ["name", "legal_name"]


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(SimpleHistoryAdmin, ModelAdmin):
    list_display = ["name", "content_type", "action", "min_amount", "approver_role", "active"]
    list_filter = ["active", "action", "approver_role"]
    search_fields = ["name"]
    list_select_related = ["content_type", "approver_role"]
    exclude = ["company"]

    def save_model(self, request, obj, form, change):
        from .selectors import default_company

        if not change:
            obj.company = request.user.company or default_company()
        try:
            approvals.save_rule(obj, by=request.user)
        except DomainError as error:
            messages.error(request, error.detail)


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = [
        "document_label",
        "action",
        "amount",
        "currency",
        "status_badge",
        "requested_by",
        "approver",
        "created_at",
    ]
    list_filter = ["status", "action"]
    search_fields = ["document_label", "reason"]
    actions = ["approve_selected", "reject_selected"]

    def get_queryset(self, request):
        from .selectors import approval_requests_visible_to

        return approval_requests_visible_to(request.user)

    @display(
        description="Status",
        label={
            "pending": "warning",
            "approved": "success",
            "rejected": "danger",
            "cancelled": "info",
        },
    )
    def status_badge(self, obj):
        return obj.status

    @display(description="Approver role")
    def approver(self, obj):
        return obj.rule.approver_role.name

    @action(description="Approve selected requests", permissions=["decide"])
    def approve_selected(self, request, queryset):
        run_service(
            request, "Approved", lambda r: approvals.approve(r.pk, by=request.user), queryset
        )

    @action(description="Reject selected requests", permissions=["decide"])
    def reject_selected(self, request, queryset):
        run_service(
            request,
            "Rejected",
            lambda r: approvals.reject(r.pk, by=request.user, note="Rejected from the list"),
            queryset,
        )

    def has_decide_permission(self, request) -> bool:
        return request.user.has_perm("core.decide_approvalrequest")


class WebhookSubscriptionForm(forms.ModelForm):
    class Meta:
        model = WebhookSubscription
        fields = ["name", "target_url", "event_types", "active"]

    def clean_target_url(self):
        """The SSRF guard's refusal shows at the field, before anything is saved."""
        url = self.cleaned_data["target_url"]
        try:
            check_target(url)
        except InvalidInput as refused:
            raise forms.ValidationError(refused.detail, code=refused.code) from refused
        return url


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(SimpleHistoryAdmin, ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ["name", "target_url", "event_types", "active"]
    list_filter = ["active"]
    search_fields = ["name", "target_url"]
    readonly_fields = ["secret"]
    exclude = ["company"]

    def save_model(self, request, obj, form, change):
        from .selectors import default_company

        if not change:
            obj.company = request.user.company or default_company()
        try:
            webhooks.save_subscription(obj, by=request.user)
        except DomainError as error:
            messages.error(request, error.detail)


class WebhookAttemptInline(TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["number", "attempted_at", "status_code", "error", "duration_ms", "succeeded"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "topic",
        "subscription",
        "status_badge",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "last_error",
    ]
    list_filter = ["status", ("subscription", CompanyRelatedListFilter)]
    list_select_related = ["event", "subscription"]
    search_fields = ["event__topic", "last_error"]
    inlines = [WebhookAttemptInline]
    actions = ["retry_selected"]

    @display(description="Event")
    def topic(self, obj):
        return obj.event.topic

    @display(
        description="Status",
        label={"pending": "warning", "sending": "info", "delivered": "success", "failed": "danger"},
    )
    def status_badge(self, obj):
        return obj.status

    @action(description="Retry now", permissions=["retry"])
    def retry_selected(self, request, queryset):
        run_service(request, "Queued again", lambda d: webhooks.retry_now(d.pk), queryset)

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("core.change_webhookdelivery")


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ["topic", "occurred_at", "dispatched_at", "company"]
    list_filter = ["topic"]
    search_fields = ["topic"]
    list_select_related = ["company"]


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = [
        "content_type",
        "object_id",
        "from_status",
        "to_status",
        "changed_by",
        "changed_at",
    ]
    list_filter = ["content_type", "to_status"]
    search_fields = ["object_id", "note"]
    list_select_related = ["content_type", "changed_by"]


@admin.register(Sequence)
class SequenceAdmin(ReadOnlyAdmin):
    list_display = ["key", "fiscal_year", "prefix", "next_value", "company"]
    list_filter = ["fiscal_year", "key"]
    list_select_related = ["company"]
