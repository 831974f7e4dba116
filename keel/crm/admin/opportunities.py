"""Workspace pages of pipelines and opportunities; state changes go through services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from import_export import fields, resources
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.filters.admin import RangeDateFilter, RelatedDropdownFilter
from unfold.contrib.import_export.forms import ExportForm
from unfold.decorators import action, display

from keel.core.admin_lists import CompanyRelatedDropdownFilter, ListPageMixin
from keel.core.errors import InvalidInput
from keel.core.selectors import default_company
from keel.core.versioned_forms import FIELD as SEEN_VERSION
from keel.core.versioned_forms import SeenVersionForm, seen_version

from ..models import Opportunity, Pipeline, Stage
from ..selectors import opportunities_visible_to, sees_all_opportunities
from ..services import opportunities as service
from .scoping import ScopedAdminMixin, run_each


class StageInline(TabularInline):
    model = Stage
    extra = 0
    fields = ["sequence", "name", "probability"]
    ordering = ["sequence"]


@admin.register(Pipeline)
class PipelineAdmin(ExportMixin, SimpleHistoryAdmin, ModelAdmin):
    export_form_class = ExportForm
    list_display = ["name", "active", "stage_list"]
    list_filter = ["active"]
    search_fields = ["name"]
    ordering = ["name"]
    inlines = [StageInline]
    filter_horizontal = ["team"]
    exclude = ["company"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("stages")

    @display(description="Stages")
    def stage_list(self, obj):
        return " → ".join(f"{s.name} ({s.probability:.0f}%)" for s in obj.stages.all())

    def save_model(self, request, obj, form, change):
        if not change:
            obj.company = request.user.company or default_company()
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


class OpportunityResource(resources.ModelResource):
    party = fields.Field(attribute="party__name", column_name="party")
    pipeline = fields.Field(attribute="pipeline__name", column_name="pipeline")
    stage = fields.Field(attribute="stage__name", column_name="stage")
    owner = fields.Field(attribute="owner__username", column_name="owner")

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "name",
            "party",
            "pipeline",
            "stage",
            "status",
            "amount",
            "currency",
            "expected_close",
            "owner",
            "next_step",
            "lost_reason",
            "created_at",
            "closed_at",
        ]
        export_order = fields


class OpportunityForm(SeenVersionForm):
    """Refuses a stage outside the pipeline, and a save over a version someone else
    changed since the form was opened (the user's input stays on the form)."""

    class Meta:
        model = Opportunity
        fields = [
            "name",
            "party",
            "contact",
            "lead",
            "pipeline",
            "stage",
            "amount",
            "currency",
            "expected_close",
            "next_step",
            "owner",
            "competitors",
        ]

    def clean(self):
        data = super().clean()  # refuses a stale save
        stage, pipeline = data.get("stage"), data.get("pipeline")
        if stage and pipeline and stage.pipeline_id != pipeline.pk:
            self.add_error("stage", f"{stage.name} is not a stage of {pipeline}.")
        return data


class LoseForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why was it lost?")


@admin.register(Opportunity)
class OpportunityAdmin(
    ListPageMixin, ScopedAdminMixin, ExportMixin, SimpleHistoryAdmin, ModelAdmin
):
    form = OpportunityForm
    export_form_class = ExportForm
    resource_classes = [OpportunityResource]
    list_display = [
        "name",
        "party",
        "pipeline",
        "stage_name",
        "status_badge",
        "amount",
        "currency",
        "owner",
        "expected_close",
    ]
    list_filter = [
        ("pipeline", CompanyRelatedDropdownFilter),
        ("stage", RelatedDropdownFilter),
        "status",
        ("owner", CompanyRelatedDropdownFilter),
        ("expected_close", RangeDateFilter),
    ]
    list_filter_submit = True
    search_fields = ["name", "party__name", "next_step", "competitors"]
    ordering = ["expected_close", "-id"]
    sortable_by = ["name", "amount", "expected_close", "status_badge", "stage_name", "owner"]
    list_select_related = ["party", "pipeline", "stage", "owner"]
    autocomplete_fields = []
    raw_id_fields = ["party", "contact", "lead"]
    readonly_fields = ["status", "closed_at", "lost_reason", "version"]
    actions = ["win_selected", "lose_selected", "reopen_selected"]

    def scoped_queryset(self, request):
        return opportunities_visible_to(request.user)

    def get_fieldsets(self, request, obj=None):
        main = [*OpportunityForm.Meta.fields, SEEN_VERSION]
        if obj is None:
            return [(None, {"fields": main})]
        return [(None, {"fields": main}), ("Outcome", {"fields": self.readonly_fields})]

    @display(description="Stage", ordering="stage__sequence")
    def stage_name(self, obj):
        return obj.stage.name

    @display(
        description="Status",
        ordering="status",
        label={"open": "info", "won": "success", "lost": "danger"},
    )
    def status_badge(self, obj):
        return obj.status

    def save_model(self, request, obj, form, change):
        """Create and edit through the services (guards, history, events)."""
        data = dict(form.cleaned_data)
        data.pop(SEEN_VERSION, None)
        version = seen_version(form)
        stage, pipeline = data.pop("stage"), data.pop("pipeline")
        # A refusal (DomainError) rolls the admin's transaction back; the middleware
        # turns it into a message on the form.
        if not change:
            company = request.user.company or default_company()
            created = service.create_opportunity(
                company=company, pipeline=pipeline, stage=stage, by=request.user, **data
            )
            obj.pk, obj.version = created.pk, created.version
            return
        if pipeline.pk != obj.pipeline_id and stage.pipeline_id == pipeline.pk:
            raise InvalidInput("Move an opportunity to another pipeline by creating a new one.")
        updated = service.update_opportunity(obj.pk, by=request.user, version=version, **data)
        if stage.pk != updated.stage_id:
            service.change_stage(obj.pk, stage.pk, by=request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not sees_all_opportunities(request.user):
            # A rep's deals are their own: the owner choice is themselves.
            owner = form.base_fields["owner"]
            owner.queryset = owner.queryset.filter(pk=request.user.pk)
            owner.initial = request.user.pk
        return form

    @action(description="Mark selected as won", permissions=["change"])
    def win_selected(self, request, queryset):
        run_each(request, "Won", lambda o: service.win(o.pk, by=request.user), queryset)

    @action(description="Mark selected as lost…", permissions=["change"])
    def lose_selected(self, request, queryset):
        """Asks for the reason on an intermediate page, then loses each selected deal."""
        form = LoseForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            run_each(
                request,
                "Lost",
                lambda o: service.lose(o.pk, reason=reason, by=request.user),
                queryset,
            )
            return None
        return TemplateResponse(
            request,
            "crm/admin/lose_opportunities.html",
            {
                **self.admin_site.each_context(request),
                "title": "Why were they lost?",
                "opportunities": queryset,
                "form": form,
                "opts": self.opts,
            },
        )

    @action(description="Reopen selected lost opportunities", permissions=["change"])
    def reopen_selected(self, request, queryset):
        run_each(request, "Reopened", lambda o: service.reopen(o.pk, by=request.user), queryset)
