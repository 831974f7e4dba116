"""Workspace pages of activities and sales targets."""

from __future__ import annotations

from django.contrib import admin
from import_export import fields, resources
from import_export.admin import ExportMixin
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.contrib.import_export.forms import ExportForm
from unfold.decorators import action, display

from keel.core.admin_lists import CompanyRelatedDropdownFilter
from keel.core.selectors import default_company

from ..models import Activity, SalesTarget
from ..selectors import activities_visible_to, sees_all_opportunities
from ..services import activities as service
from .scoping import ScopedAdminMixin, run_each


class ActivityResource(resources.ModelResource):
    assignee = fields.Field(attribute="assignee__username", column_name="assignee")
    about = fields.Field(column_name="about")

    class Meta:
        model = Activity
        fields = ["id", "kind", "subject", "due_at", "done_at", "outcome", "assignee", "about"]
        export_order = fields

    def dehydrate_about(self, activity):
        return f"{activity.content_type.model}:{activity.object_id}"


@admin.register(Activity)
class ActivityAdmin(ScopedAdminMixin, ExportMixin, ModelAdmin):
    """Activities are planned from the API or the record they are about; here they are
    listed, completed and exported."""

    export_form_class = ExportForm
    resource_classes = [ActivityResource]
    list_display = ["subject", "kind", "about_label", "assignee", "due_at", "done_badge"]
    list_filter = [
        "kind",
        ("assignee", CompanyRelatedDropdownFilter),
        ("due_at", RangeDateTimeFilter),
        ("done_at", admin.EmptyFieldListFilter),
    ]
    list_filter_submit = True
    search_fields = ["subject", "description", "outcome"]
    ordering = ["due_at", "id"]
    list_select_related = ["assignee", "content_type"]
    readonly_fields = ["content_type", "object_id", "done_at", "reminded_at", "assignee"]
    fields = [
        "kind",
        "subject",
        "description",
        "due_at",
        "duration_minutes",
        "reminder_at",
        "outcome",
        "assignee",
        "content_type",
        "object_id",
        "done_at",
        "reminded_at",
    ]
    actions = ["complete_selected"]

    def scoped_queryset(self, request):
        return activities_visible_to(request.user)

    def has_add_permission(self, request) -> bool:
        return False  # planned on the party, lead or opportunity it is about (or the API)

    @display(description="About")
    def about_label(self, obj):
        return f"{obj.content_type.name} #{obj.object_id}"

    @display(description="Done", label={"done": "success", "open": "warning"})
    def done_badge(self, obj):
        return "done" if obj.done_at else "open"

    def save_model(self, request, obj, form, change):
        service.update_activity(
            obj.pk,
            by=request.user,
            **{f: form.cleaned_data[f] for f in ("subject", "description", "kind")},
        )
        if "due_at" in form.changed_data and obj.due_at:
            service.reschedule_activity(
                obj.pk, due_at=obj.due_at, reminder_at=obj.reminder_at, by=request.user
            )

    @action(description="Mark selected as done", permissions=["change"])
    def complete_selected(self, request, queryset):
        run_each(
            request,
            "Completed",
            lambda a: service.complete_activity(a.pk, by=request.user),
            queryset,
        )


class SalesTargetResource(resources.ModelResource):
    user = fields.Field(attribute="user__username", column_name="user")

    class Meta:
        model = SalesTarget
        fields = ["id", "user", "period_start", "period_end", "amount", "currency"]


@admin.register(SalesTarget)
class SalesTargetAdmin(ExportMixin, ModelAdmin):
    export_form_class = ExportForm
    resource_classes = [SalesTargetResource]
    list_display = ["user", "period_start", "period_end", "amount", "currency"]
    list_filter = [("user", CompanyRelatedDropdownFilter), "period_start"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    ordering = ["-period_start", "user"]
    list_select_related = ["user"]
    exclude = ["company"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if sees_all_opportunities(request.user) else qs.filter(user=request.user)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.company = request.user.company or default_company()
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
