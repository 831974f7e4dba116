"""API of activities (with complete and reschedule), sales targets and record timelines."""

from __future__ import annotations

import rules
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound as HttpNotFound
from rest_framework.response import Response

from keel.core.api.views import company_of
from keel.core.errors import InvalidInput
from keel.parties.models import Party

from ..models import Activity, Lead, Opportunity, SalesTarget
from ..selectors import activities_visible_to, opportunities_visible_to, sees_all_opportunities
from ..services import activities as service
from ..services import targets as target_service
from ..timeline import timeline
from .opportunities import TimelineEntrySerializer

ABOUT = {"party": Party, "lead": Lead, "opportunity": Opportunity}
TIMELINE_PERMS = {
    "party": "crm.view_activity",
    "lead": "crm.view_lead",
    "opportunity": "crm.view_opportunity",
}


class ActivitySerializer(serializers.ModelSerializer):
    about_type = serializers.ChoiceField(choices=sorted(ABOUT), source="content_type.model")
    about_id = serializers.CharField(source="object_id")
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=Activity._meta.get_field("assignee").related_model.objects.all(), required=False
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "subject",
            "description",
            "due_at",
            "duration_minutes",
            "reminder_at",
            "reminded_at",
            "done_at",
            "outcome",
            "assignee",
            "about_type",
            "about_id",
            "created_at",
        ]
        read_only_fields = ["id", "reminded_at", "done_at", "outcome", "created_at"]


class CompleteSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RescheduleSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField()
    reminder_at = serializers.DateTimeField(required=False, allow_null=True)


def _about(user, about_type: str, about_id: str):
    """The record an activity is about, if the user may see it (404 otherwise)."""
    model = ABOUT.get(about_type)
    if model is None:
        raise InvalidInput("about_type is party, lead or opportunity.", field="about_type")
    qs = opportunities_visible_to(user) if model is Opportunity else model.objects.all()
    record = qs.filter(pk=about_id).first() if str(about_id).isdigit() else None
    if record is None:
        raise HttpNotFound(f"There is no {about_type} {about_id} you can see.")
    perm = f"crm.view_{model._meta.model_name}" if model is not Party else "parties.view_party"
    if model is Lead and rules.perm_exists(perm) and not user.has_perm(perm, record):
        raise HttpNotFound(f"There is no lead {about_id} you can see.")
    return record


class ActivityViewSet(viewsets.ModelViewSet):
    """Your activities (everyone's for a sales manager); others' are 404."""

    queryset = Activity.objects.none()
    serializer_class = ActivitySerializer
    filterset_fields = ["kind", "assignee", "object_id", "content_type"]
    search_fields = ["subject", "description", "outcome"]
    ordering_fields = ["due_at", "done_at", "created_at"]
    action_perms = {
        "complete": "crm.change_activity",
        "reschedule": "crm.change_activity",
    }

    def get_queryset(self):
        qs = activities_visible_to(self.request.user)
        done = self.request.query_params.get("done")
        if done in {"true", "false"}:
            qs = qs.filter(done_at__isnull=(done == "false"))
        return qs.order_by("due_at", "id")

    def perform_create(self, serializer):
        user = self.request.user
        data = dict(serializer.validated_data)
        about = _about(user, data.pop("content_type")["model"], data.pop("object_id"))
        serializer.instance = service.create_activity(
            company=company_of(user),
            about=about,
            by=user,
            assignee=data.pop("assignee", user),
            **data,
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        activity = serializer.instance
        if "content_type" in data or "object_id" in data or "assignee" in data:
            same = (
                data.get("content_type", {}).get("model", activity.content_type.model)
                == activity.content_type.model
                and data.get("object_id", activity.object_id) == activity.object_id
                and data.get("assignee", activity.assignee) == activity.assignee
            )
            if not same:
                raise InvalidInput(
                    "What an activity is about and who does it are set when it is planned."
                )
        for key in ("content_type", "object_id", "assignee"):
            data.pop(key, None)
        due_at = data.pop("due_at", activity.due_at)
        reminder_at = data.pop("reminder_at", activity.reminder_at)
        user = self.request.user
        if data:
            service.update_activity(activity.pk, by=user, **data)
        if due_at != activity.due_at or reminder_at != activity.reminder_at:
            service.reschedule_activity(
                activity.pk, due_at=due_at, reminder_at=reminder_at, by=user
            )
        serializer.instance = self.get_queryset().get(pk=activity.pk)

    def perform_destroy(self, instance):
        service.delete_activity(instance.pk, by=self.request.user)

    @extend_schema(request=CompleteSerializer, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        self.get_object()
        body = CompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        service.complete_activity(int(pk), by=request.user, **body.validated_data)
        return Response(ActivitySerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(request=RescheduleSerializer, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        self.get_object()
        body = RescheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        service.reschedule_activity(int(pk), by=request.user, **body.validated_data)
        return Response(ActivitySerializer(self.get_queryset().get(pk=pk)).data)


class SalesTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = SalesTarget
        fields = ["id", "user", "period_start", "period_end", "amount", "currency"]


class SalesTargetViewSet(viewsets.ModelViewSet):
    """Targets per rep and period; a rep reads their own, a manager sets them."""

    queryset = SalesTarget.objects.none()
    serializer_class = SalesTargetSerializer
    filterset_fields = ["user", "period_start"]
    ordering_fields = ["period_start", "amount"]

    def get_queryset(self):
        qs = SalesTarget.objects.select_related("user").order_by("-period_start", "user_id")
        user = self.request.user
        return qs if sees_all_opportunities(user) else qs.filter(user=user)

    def perform_create(self, serializer):
        serializer.instance = target_service.set_target(
            company=company_of(self.request.user), by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = target_service.update_target(
            serializer.instance.pk, by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        target_service.delete_target(instance.pk)


class TimelineViewSet(viewsets.ViewSet):
    """GET /timeline/?type=party|lead|opportunity&id=N: what happened to that record."""

    @property
    def action_perms(self) -> dict[str, str]:
        """Opportunities' timelines need the opportunity view right; the others the
        activity view right (a party's timeline is CRM activity)."""
        kind = self.request.query_params.get("type", "") if self.request else ""
        return {"list": TIMELINE_PERMS.get(kind, "crm.view_activity")}

    @extend_schema(
        parameters=[
            OpenApiParameter("type", str, enum=sorted(ABOUT), required=True),
            OpenApiParameter("id", int, required=True),
        ],
        responses=TimelineEntrySerializer(many=True),
    )
    def list(self, request):
        kind = request.query_params.get("type", "")
        record = _about(request.user, kind, request.query_params.get("id", ""))
        return Response(TimelineEntrySerializer(timeline(record), many=True).data)
