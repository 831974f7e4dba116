"""API of pipelines, stages, opportunities (with their verbs and timeline) and the forecast."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from keel.core.api.versions import version_from, with_etag
from keel.core.api.views import company_of
from keel.core.errors import InvalidInput, PermissionRefused

from .. import forecast as reports
from ..models import Opportunity, Pipeline, Stage
from ..selectors import opportunities_visible_to, sees_all_opportunities
from ..services import opportunities as service
from ..services import pipelines as pipeline_service
from ..timeline import timeline
from ..views.common import parse_date


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = ["id", "pipeline", "name", "sequence", "probability"]


class PipelineSerializer(serializers.ModelSerializer):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = Pipeline
        fields = ["id", "name", "active", "stages"]
        read_only_fields = ["id", "stages"]


class PipelineViewSet(viewsets.ModelViewSet):
    queryset = Pipeline.objects.prefetch_related("stages").order_by("name")
    serializer_class = PipelineSerializer
    filterset_fields = ["active"]
    search_fields = ["name"]
    ordering_fields = ["name"]

    def perform_create(self, serializer):
        user = self.request.user
        serializer.instance = pipeline_service.create_pipeline(
            company=company_of(user), by=user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = pipeline_service.update_pipeline(
            serializer.instance.pk, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        pipeline_service.delete_pipeline(instance.pk)


class StageViewSet(viewsets.ModelViewSet):
    queryset = Stage.objects.select_related("pipeline").order_by("pipeline", "sequence")
    serializer_class = StageSerializer
    filterset_fields = ["pipeline"]
    ordering_fields = ["sequence"]

    def perform_create(self, serializer):
        serializer.instance = pipeline_service.save_stage(Stage(**serializer.validated_data))

    def perform_update(self, serializer):
        stage = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(stage, name, value)
        serializer.instance = pipeline_service.save_stage(stage)

    def perform_destroy(self, instance):
        pipeline_service.delete_stage(instance.pk)


class OpportunitySerializer(serializers.ModelSerializer):
    party_name = serializers.CharField(source="party.name", read_only=True)
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Opportunity._meta.get_field("owner").related_model.objects.all(), required=False
    )
    version = serializers.IntegerField(
        required=False, help_text="The version you read; a stale one is refused with 412"
    )

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "name",
            "party",
            "party_name",
            "contact",
            "lead",
            "pipeline",
            "stage",
            "stage_name",
            "status",
            "amount",
            "currency",
            "expected_close",
            "next_step",
            "owner",
            "owner_name",
            "competitors",
            "lost_reason",
            "closed_at",
            "version",
            "created_at",
        ]
        read_only_fields = ["id", "status", "lost_reason", "closed_at", "created_at"]
        extra_kwargs = {"pipeline": {"required": False}, "stage": {"required": False}}


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False)


class StageChangeSerializer(VersionSerializer):
    stage = serializers.IntegerField()


class LoseSerializer(VersionSerializer):
    reason = serializers.CharField(max_length=300, allow_blank=True)


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    title = serializers.CharField()
    detail = serializers.CharField()
    user = serializers.CharField()
    link = serializers.CharField()


class OpportunityViewSet(viewsets.ModelViewSet):
    """A rep sees and changes only their own opportunities (others' are 404)."""

    queryset = Opportunity.objects.none()
    serializer_class = OpportunitySerializer
    filterset_fields = ["pipeline", "stage", "status", "owner", "party"]
    search_fields = ["name", "party__name", "next_step"]
    ordering_fields = ["expected_close", "amount", "created_at", "name"]
    action_perms = {
        "change_stage": "crm.change_opportunity",
        "win": "crm.change_opportunity",
        "lose": "crm.change_opportunity",
        "reopen": "crm.change_opportunity",
        "timeline": "crm.view_opportunity",
    }

    def get_queryset(self):
        return opportunities_visible_to(self.request.user).order_by("-created_at", "-id")

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        with_etag(response, response.data["version"])
        return response

    def perform_create(self, serializer):
        user = self.request.user
        data = dict(serializer.validated_data)
        data.pop("version", None)
        owner = data.pop("owner", None) or user
        if owner.pk != user.pk and not sees_all_opportunities(user):
            raise PermissionRefused(
                "Only a sales manager can open an opportunity for someone else.", field="owner"
            )
        serializer.instance = service.create_opportunity(
            company=company_of(user), owner=owner, by=user, **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = version_from(self.request, data)
        data.pop("version", None)
        stage = data.pop("stage", None)
        pipeline = data.pop("pipeline", None)
        current = serializer.instance
        if pipeline is not None and pipeline.pk != current.pipeline_id:
            raise InvalidInput("An opportunity stays in its pipeline.", field="pipeline")
        if stage is not None and stage.pk != current.stage_id:
            raise InvalidInput("Move it with the change-stage action.", field="stage")
        serializer.instance = service.update_opportunity(
            current.pk, by=self.request.user, version=version, **data
        )

    def perform_destroy(self, instance):
        service.delete_opportunity(instance.pk, by=self.request.user)

    def _verb(self, request, fn, body_class=VersionSerializer, **extra):
        self.get_object()  # 404 outside the user's scope
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        version = version_from(request, data)
        data.pop("version", None)
        result = fn(int(self.kwargs["pk"]), by=request.user, version=version, **data, **extra)
        result = self.get_queryset().get(pk=result.pk)
        return Response(OpportunitySerializer(result).data)

    @extend_schema(request=StageChangeSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"], url_path="change-stage")
    def change_stage(self, request, pk=None):
        def move(pk, *, by, version, stage):
            return service.change_stage(pk, stage, by=by, version=version)

        return self._verb(request, move, StageChangeSerializer)

    @extend_schema(request=VersionSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def win(self, request, pk=None):
        return self._verb(request, service.win)

    @extend_schema(request=LoseSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def lose(self, request, pk=None):
        return self._verb(request, service.lose, LoseSerializer)

    @extend_schema(request=VersionSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._verb(request, service.reopen)

    @extend_schema(responses=TimelineEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request, pk=None):
        opportunity = self.get_object()
        return Response(TimelineEntrySerializer(timeline(opportunity), many=True).data)


class ForecastViewSet(viewsets.ViewSet):
    """GET /forecast/?start=&end=&owner=: the figures of the CRM dashboard, as JSON."""

    action_perms = {"list": "crm.view_opportunity"}

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, description="YYYY-MM-DD (default: 1 Jan)"),
            OpenApiParameter("end", str, description="YYYY-MM-DD (default: 31 Dec)"),
            OpenApiParameter("owner", int, description="One rep (managers only)"),
        ],
        responses=dict,
    )
    def list(self, request):
        from django.utils import timezone

        user = request.user
        company = company_of(user)
        today = timezone.localdate()
        start = parse_date(request.query_params.get("start")) or today.replace(month=1, day=1)
        end = parse_date(request.query_params.get("end")) or today.replace(month=12, day=31)
        owner_id = None if sees_all_opportunities(user) else user.pk
        if owner_id is None and request.query_params.get("owner", "").isdigit():
            owner_id = int(request.query_params["owner"])

        def rows(by):
            return [
                {
                    "key": r.key,
                    "label": r.label,
                    "count": r.count,
                    "amount": str(r.amount),
                    "weighted": str(r.weighted),
                }
                for r in reports.weighted_pipeline(company, by=by, owner_id=owner_id)
            ]

        totals = reports.pipeline_totals(company, owner_id=owner_id)
        win_rate = reports.win_rate(company, start, end, owner_id=owner_id)
        cycle = reports.average_cycle_days(company, start, end, owner_id=owner_id)
        return Response(
            {
                "currency": company.currency,
                "start": start,
                "end": end,
                "open": {k: str(v) for k, v in totals.items()},
                "by_month": rows("month"),
                "by_owner": rows("owner"),
                "by_pipeline": rows("pipeline"),
                "won_vs_target": [
                    {
                        "user": r.user_id,
                        "name": r.name,
                        "target": str(r.target),
                        "won": str(r.won),
                        "attainment": None if r.attainment is None else str(r.attainment),
                    }
                    for r in reports.won_vs_target(company, start, end, owner_id=owner_id)
                ],
                "win_rate": None if win_rate is None else str(win_rate),
                "average_cycle_days": None if cycle is None else str(cycle),
                "funnel": [
                    {"name": s.name, "count": s.count}
                    for s in reports.funnel(company, start, end, owner_id=owner_id)
                ],
            }
        )
