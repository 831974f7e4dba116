"""Lead endpoints: CRUD scoped to the user, the lead verbs, scores, engagements, imports,
and the scoring and assignment rules. Each parses, checks permission and calls a service."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from keel.core.api.versions import version_from
from keel.core.api.views import company_of
from keel.core.errors import PermissionRefused
from keel.parties.models import Industry, Region

from .. import lead_permissions  # noqa: F401  (registers the object rules)
from ..lead_permissions import can_see_all_leads
from ..models import AssignmentRule, Lead, LeadImport, ScoringRule
from ..selectors_leads import lead_imports_visible_to, leads_visible_to
from ..services import assignment, conversion, lead_import, leads, scoring
from ..tasks import run_lead_import

# Files up to this size are checked in the request; larger ones go to the worker.
SYNC_IMPORT_BYTES = 256 * 1024


class LeadSerializer(serializers.ModelSerializer):
    region = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(), required=False, allow_null=True
    )
    industry = serializers.PrimaryKeyRelatedField(
        queryset=Industry.objects.all(), required=False, allow_null=True
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), required=False, allow_null=True
    )
    owner_name = serializers.CharField(
        source="owner.username", read_only=True, default=None, allow_null=True
    )
    region_name = serializers.CharField(
        source="region.name", read_only=True, default=None, allow_null=True
    )
    industry_name = serializers.CharField(
        source="industry.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Lead
        fields = [
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
            "region_name",
            "industry",
            "industry_name",
            "employees",
            "message",
            "source",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "owner",
            "owner_name",
            "score",
            "score_breakdown",
            "scored_at",
            "disqualify_reason",
            "party",
            "contact",
            "converted_at",
            "version",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "source",
            "score",
            "score_breakdown",
            "scored_at",
            "disqualify_reason",
            "party",
            "contact",
            "converted_at",
            "version",
            "created_at",
        ]


class ScoreSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    breakdown = serializers.ListField(child=serializers.DictField(), source="score_breakdown")
    scored_at = serializers.DateTimeField(allow_null=True)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ConvertSerializer(serializers.Serializer):
    create_opportunity = serializers.BooleanField(default=True)
    opportunity_name = serializers.CharField(max_length=200, required=False, default="")
    amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, required=False, default=Decimal("0")
    )
    expected_close = serializers.DateField(required=False, allow_null=True, default=None)


class EngagementSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=40)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    detail = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class LeadImportSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = LeadImport
        fields = [
            "id",
            "file_name",
            "format",
            "dry_run",
            "status",
            "total",
            "processed",
            "percent",
            "created_count",
            "error_count",
            "errors",
            "warnings",
            "failure",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=LeadImport.Format.choices, required=False)


class LeadViewSet(viewsets.ModelViewSet):
    """Leads you may see: all of them for managers and marketing, your own for reps."""

    queryset = Lead.objects.none()  # the model; rows come from get_queryset
    serializer_class = LeadSerializer
    filterset_fields = {
        "status": ["exact"],
        "source": ["exact"],
        "owner": ["exact", "isnull"],
        "region": ["exact"],
        "industry": ["exact"],
        "score": ["gte", "lte"],
    }
    search_fields = ["first_name", "last_name", "organisation_name", "email"]
    ordering_fields = ["score", "created_at", "last_name", "organisation_name"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    action_perms = {
        "qualify": "crm.change_lead",
        "disqualify": "crm.change_lead",
        "reopen": "crm.change_lead",
        "convert": "crm.convert_lead",
        "score": "crm.view_lead",
        "engagements": "crm.add_leadengagement",
        "import_file": "crm.add_leadimport",
    }

    def get_queryset(self):
        return leads_visible_to(self.request.user)

    def _owner_for(self, data: dict, current=None):
        """A rep keeps what they capture and cannot hand a lead to someone else."""
        user = self.request.user
        if can_see_all_leads(user):
            return data.get("owner", current)
        owner = data.get("owner", current or user)
        if owner not in (None, user):
            raise PermissionRefused(
                "A Sales Rep works on their own leads; ask a Sales Manager to reassign it.",
                field="owner",
            )
        return owner or user

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["owner"] = self._owner_for(data)
        captured = leads.capture_lead(
            company=company_of(request.user), source=Lead.Source.API, by=request.user, **data
        )
        body = LeadSerializer(captured.lead).data
        body["possible_duplicates"] = captured.possible_duplicates
        return Response(body, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        lead = self.get_object()
        serializer = self.get_serializer(lead, data=request.data, partial=kwargs.get("partial"))
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if "owner" in changes:
            changes["owner"] = self._owner_for(changes, lead.owner)
        updated = leads.update_lead(
            lead.pk, by=request.user, version=version_from(request, request.data), **changes
        )
        return Response(LeadSerializer(updated).data)

    def perform_destroy(self, instance):
        leads.delete_lead(instance.pk, by=self.request.user)

    def _answer(self, lead):
        return Response(LeadSerializer(self.get_queryset().get(pk=lead.pk)).data)

    @extend_schema(request=NoteSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def qualify(self, request, pk=None):
        lead = self.get_object()
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(
            leads.qualify_lead(lead.pk, by=request.user, note=body.validated_data["note"])
        )

    @extend_schema(request=ReasonSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def disqualify(self, request, pk=None):
        lead = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(
            leads.disqualify_lead(lead.pk, by=request.user, reason=body.validated_data["reason"])
        )

    @extend_schema(request=None, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        lead = self.get_object()
        return self._answer(leads.reopen_lead(lead.pk, by=request.user))

    @extend_schema(request=ConvertSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        lead = self.get_object()
        body = ConvertSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(
            conversion.convert_lead(lead.pk, by=request.user, **body.validated_data)
        )

    @extend_schema(responses=ScoreSerializer)
    @action(detail=True, methods=["get"])
    def score(self, request, pk=None):
        return Response(ScoreSerializer(self.get_object()).data)

    @extend_schema(request=EngagementSerializer, responses={201: ScoreSerializer})
    @action(detail=True, methods=["post"])
    def engagements(self, request, pk=None):
        lead = self.get_object()
        body = EngagementSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        scored = leads.record_engagement(lead.pk, **body.validated_data)
        return Response(ScoreSerializer(scored).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: LeadImportSerializer, 202: LeadImportSerializer},
        parameters=[OpenApiParameter("dry_run", bool, description="1: check only (default)")],
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_file(self, request):
        """Check (?dry_run=1, the default) or import a CSV/XLSX file. Small files answer 201
        with the result; larger ones answer 202 and run in the background: poll
        /api/v1/lead-imports/{id}/."""
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        dry_run = request.query_params.get("dry_run", "1").lower() not in {"0", "false", "no"}
        file = upload.validated_data["file"]
        record = lead_import.prepare_import(
            file,
            format=upload.validated_data.get("format"),
            dry_run=dry_run,
            by=request.user,
            company=company_of(request.user),
        )
        if file.size <= SYNC_IMPORT_BYTES:
            lead_import.run_import(record.pk)
        else:
            run_lead_import.enqueue(record.pk)
        record = lead_imports_visible_to(request.user).get(pk=record.pk)
        done = record.status in (LeadImport.Status.DONE, LeadImport.Status.FAILED)
        return Response(
            LeadImportSerializer(record).data,
            status=status.HTTP_201_CREATED if done else status.HTTP_202_ACCEPTED,
        )


class LeadImportViewSet(viewsets.ReadOnlyModelViewSet):
    """Imports and their progress (status, processed of total, errors per row)."""

    queryset = LeadImport.objects.none()
    serializer_class = LeadImportSerializer
    filterset_fields = ["status", "dry_run"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return lead_imports_visible_to(self.request.user)


class ScoringRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoringRule
        fields = [
            "id",
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
        read_only_fields = ["id"]


class ScoringRuleViewSet(viewsets.ModelViewSet):
    queryset = ScoringRule.objects.all()
    serializer_class = ScoringRuleSerializer
    filterset_fields = ["kind", "active"]
    search_fields = ["name", "field", "behaviour"]
    ordering_fields = ["name", "points"]

    def perform_create(self, serializer):
        rule = ScoringRule(company=company_of(self.request.user), **serializer.validated_data)
        serializer.instance = scoring.save_scoring_rule(rule, by=self.request.user)

    def perform_update(self, serializer):
        rule = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(rule, name, value)
        serializer.instance = scoring.save_scoring_rule(rule, by=self.request.user)


class AssignmentRuleSerializer(serializers.ModelSerializer):
    members = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), many=True
    )

    class Meta:
        model = AssignmentRule
        fields = [
            "id",
            "name",
            "priority",
            "region",
            "method",
            "members",
            "capacity",
            "last_assigned",
            "active",
        ]
        read_only_fields = ["id", "last_assigned"]


class AssignmentRuleViewSet(viewsets.ModelViewSet):
    queryset = AssignmentRule.objects.prefetch_related("members")
    serializer_class = AssignmentRuleSerializer
    filterset_fields = ["method", "region", "active"]
    search_fields = ["name"]
    ordering_fields = ["priority", "name"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        members = data.pop("members", [])
        rule = AssignmentRule(company=company_of(self.request.user), **data)
        serializer.instance = assignment.save_assignment_rule(
            rule, members=members, by=self.request.user
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        members = data.pop("members", None)
        rule = serializer.instance
        for name, value in data.items():
            setattr(rule, name, value)
        serializer.instance = assignment.save_assignment_rule(
            rule, members=members, by=self.request.user
        )
