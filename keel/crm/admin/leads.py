"""Workspace pages of leads, scoring rules, assignment rules and imports.

State changes go through the lead services; a Sales Rep sees and edits only their own.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from import_export import fields, resources
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeNumericFilter
from unfold.contrib.import_export.forms import ExportForm
from unfold.decorators import action, display
from unfold.forms import ActionForm
from unfold.widgets import UnfoldAdminTextInputWidget

from keel.core.admin import ReadOnlyAdmin, run_service
from keel.core.admin_lists import (
    CompanyRelatedDropdownFilter,
    CompanyRelatedListFilter,
    ListPageMixin,
)
from keel.core.errors import DomainError
from keel.core.selectors import default_company
from keel.core.versioned_forms import FIELD as SEEN_VERSION
from keel.core.versioned_forms import SeenVersionForm, seen_version

from .. import lead_permissions  # noqa: F401  (registers the object rules)
from ..lead_permissions import can_see_all_leads
from ..models import AssignmentRule, Lead, LeadImport, ScoringRule
from ..selectors_leads import lead_imports_visible_to, leads_visible_to
from ..services import assignment, conversion, leads, scoring
from ..services.leads import EDITABLE_FIELDS


class LeadResource(resources.ModelResource):
    """The columns of a lead export (the same headings the import reads)."""

    region = fields.Field(attribute="region__name", column_name="region")
    industry = fields.Field(attribute="industry__name", column_name="industry")
    owner = fields.Field(attribute="owner__username", column_name="owner")

    class Meta:
        model = Lead
        fields = (
            "id",
            "status",
            "first_name",
            "last_name",
            "organisation_name",
            "job_title",
            "email",
            "phone",
            "website",
            "country",
            "region",
            "industry",
            "employees",
            "source",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "owner",
            "score",
            "created_at",
        )
        export_order = fields


class LeadActionForm(ActionForm):
    reason = forms.CharField(
        required=False,
        label="Reason",
        widget=UnfoldAdminTextInputWidget(attrs={"placeholder": "Reason (to disqualify)"}),
    )


@admin.register(Lead)
class LeadAdmin(ListPageMixin, ExportMixin, SimpleHistoryAdmin, ModelAdmin):
    form = SeenVersionForm  # a stale save is refused on the form, the input kept
    resource_classes = [LeadResource]
    export_form_class = ExportForm
    list_display = [
        "__str__",
        "email",
        "status_badge",
        "source",
        "owner",
        "region",
        "score",
        "created_at",
    ]
    list_filter = [
        "status",
        "source",
        ("owner", CompanyRelatedDropdownFilter),
        ("region", CompanyRelatedDropdownFilter),
        ("score", RangeNumericFilter),
    ]
    list_filter_submit = True
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_select_related = ["owner", "region", "industry"]
    search_fields = ["first_name", "last_name", "organisation_name", "email"]
    ordering = ["-created_at", "-id"]
    sortable_by = ["score", "created_at", "email", "status", "source"]
    action_form = LeadActionForm
    actions = ["qualify_selected", "disqualify_selected", "convert_selected"]
    actions_list = ["import_leads"]
    readonly_fields = [
        "status",
        "source",
        "score",
        "score_explained",
        "scored_at",
        "disqualify_reason",
        "party",
        "contact",
        "converted_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("first_name", "last_name"),
                    ("organisation_name", "job_title"),
                    ("email", "phone"),
                    ("website", "country"),
                    ("region", "industry"),
                    ("employees", "owner"),
                    "message",
                    SEEN_VERSION,
                ]
            },
        ),
        ("Score", {"fields": ["score", "score_explained", "scored_at"]}),
        (
            "Status",
            {"fields": ["status", "disqualify_reason", "party", "contact", "converted_at"]},
        ),
        ("Source", {"fields": ["source", "utm_source", "utm_medium", "utm_campaign"]}),
    ]

    def get_queryset(self, request):
        return leads_visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        extra = [] if can_see_all_leads(request.user) else ["owner"]
        return [*self.readonly_fields, *extra]

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("crm.view_lead", obj) or self.has_change_permission(
            request, obj
        )

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("crm.change_lead", obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("crm.delete_lead", obj)

    def has_convert_permission(self, request) -> bool:
        return request.user.has_perm("crm.convert_lead")

    def has_import_permission(self, request) -> bool:
        return request.user.has_perm("crm.add_leadimport")

    @display(
        description="Status",
        label={
            "new": "info",
            "qualified": "warning",
            "converted": "success",
            "disqualified": "danger",
        },
    )
    def status_badge(self, obj):
        return obj.status

    @display(description="Why this score")
    def score_explained(self, obj):
        if not obj.score_breakdown:
            return "No rule gives points to this lead."
        rows = format_html_join(
            "",
            '<tr><td class="pr-4">{}</td><td class="pr-4 text-right">{}</td><td>{}</td></tr>',
            ((i["rule"], f"{i['points']:+d}", i["why"]) for i in obj.score_breakdown),
        )
        return format_html('<table data-testid="score-breakdown">{}</table>', rows)

    def save_model(self, request, obj, form, change):
        values = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in EDITABLE_FIELDS and name in form.cleaned_data
        }
        if change:
            leads.update_lead(obj.pk, by=request.user, version=seen_version(form), **values)
            return
        if not can_see_all_leads(request.user):
            values["owner"] = request.user
        captured = leads.capture_lead(
            company=request.user.company or default_company(),
            source=Lead.Source.MANUAL,
            by=request.user,
            **values,
        )
        obj.pk = obj.id = captured.lead.pk
        for duplicate in captured.possible_duplicates:
            messages.warning(
                request,
                f"Possible duplicate: {duplicate['kind']} {duplicate['label']} "
                f"({', '.join(duplicate['reasons'])}).",
            )

    def delete_model(self, request, obj):
        leads.delete_lead(obj.pk, by=request.user)

    def delete_queryset(self, request, queryset):
        run_service(request, "Deleted", lambda lead: leads.delete_lead(lead.pk), queryset)

    @action(description="Qualify selected leads", permissions=["change"])
    def qualify_selected(self, request, queryset):
        run_service(
            request,
            "Qualified",
            lambda lead: leads.qualify_lead(lead.pk, by=request.user),
            queryset,
        )

    @action(description="Disqualify selected leads (give a reason)", permissions=["change"])
    def disqualify_selected(self, request, queryset):
        reason = request.POST.get("reason", "")
        run_service(
            request,
            "Disqualified",
            lambda lead: leads.disqualify_lead(lead.pk, by=request.user, reason=reason),
            queryset,
        )

    @action(description="Convert selected leads", permissions=["convert"])
    def convert_selected(self, request, queryset):
        run_service(
            request,
            "Converted",
            lambda lead: conversion.convert_lead(lead.pk, by=request.user),
            queryset,
        )

    @action(description="Import leads", icon="upload", permissions=["import"])
    def import_leads(self, request):
        return redirect("crm:lead-import-start")


class RulesAdmin(ExportMixin, ModelAdmin):
    """Rules belong to the user's company; saving goes through the rule's service."""

    export_form_class = ExportForm
    formats = [CSV, XLSX]

    exclude = ["company"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.company = request.user.company or default_company()
        try:
            self.save_rule(request, obj, form)
        except DomainError as error:
            messages.error(request, error.detail)

    def save_related(self, request, form, formsets, change):
        pass  # members are saved by the service


@admin.register(ScoringRule)
class ScoringRuleAdmin(RulesAdmin):
    list_display = [
        "name",
        "kind",
        "field",
        "operator",
        "value",
        "behaviour",
        "points",
        "half_life_days",
        "active",
    ]
    list_filter = ["kind", "active"]
    search_fields = ["name", "field", "behaviour"]
    ordering = ["kind", "name"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class CheckedForm(form):
            def clean(self):
                cleaned = super().clean()
                try:
                    scoring.check_rule(ScoringRule(**{k: v for k, v in cleaned.items()}))
                except DomainError as error:
                    self.add_error(
                        error.field if error.field in self.fields else None, error.detail
                    )
                return cleaned

        return CheckedForm

    def save_rule(self, request, obj, form):
        scoring.save_scoring_rule(obj, by=request.user)


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(RulesAdmin):
    list_display = ["name", "priority", "region", "method", "capacity", "last_assigned", "active"]
    list_filter = ["method", "active", ("region", CompanyRelatedListFilter)]
    list_select_related = ["region", "last_assigned"]
    search_fields = ["name"]
    ordering = ["priority", "id"]
    filter_horizontal = ["members"]

    def save_rule(self, request, obj, form):
        assignment.save_assignment_rule(
            obj, members=form.cleaned_data.get("members"), by=request.user
        )


@admin.register(LeadImport)
class LeadImportAdmin(ExportMixin, ReadOnlyAdmin):
    export_form_class = ExportForm
    formats = [CSV, XLSX]
    list_display = [
        "__str__",
        "status",
        "total",
        "processed",
        "created_count",
        "error_count",
        "created_by",
        "created_at",
        "progress_page",
    ]
    list_filter = ["status", "dry_run"]
    search_fields = ["file_name"]
    list_select_related = ["created_by"]
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return lead_imports_visible_to(request.user)

    @display(description="Progress")
    def progress_page(self, obj):
        return format_html('<a href="{}">Open</a>', reverse("crm:lead-import", args=[obj.pk]))
