"""Core API endpoints: parse, check permission, call one service or selector."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import selectors
from ..errors import InvalidInput
from ..models import (
    ApprovalRequest,
    ApprovalRule,
    Company,
    StatusChange,
    WebhookDelivery,
    WebhookSubscription,
)
from ..services import approvals, webhooks
from .serializers import (
    ApprovalRequestSerializer,
    ApprovalRuleSerializer,
    CompanySerializer,
    DecisionSerializer,
    StatusChangeSerializer,
    WebhookDeliverySerializer,
    WebhookSubscriptionSerializer,
)
from .versions import with_etag


def company_of(user) -> Company:
    company = user.company or selectors.default_company()
    if company is None:
        raise InvalidInput("No company is set up yet; run `keel demo` or create one.")
    return company


class CompanyMixin:
    """A viewset of the signed-in user's company: serializers get its id, actions read
    their validated body with `body` and answer the record as the list shows it."""

    def company(self):
        return company_of(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "company_id": self.company().pk}

    def body(self, serializer_class):
        body = serializer_class(data=self.request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)

    def _out(self, record, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=record.pk)
        response = Response(self.get_serializer_class()(fresh).data, status=code)
        if hasattr(fresh, "version"):
            with_etag(response, fresh.version)
        return response


class ReadViewSet(
    CompanyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Listed and read here; changed only by the viewset's actions. A record read
    carries its ETag, the value a change sends back as If-Match."""

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        version = response.data.get("version") if isinstance(response.data, dict) else None
        if version is not None:
            with_etag(response, version)
        return response


class CompanyViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Company.objects.all()
    serializer_class = CompanySerializer
    search_fields = ["name", "legal_name"]
    ordering_fields = ["name"]


class ApprovalRuleViewSet(viewsets.ModelViewSet):
    queryset = ApprovalRule.objects.select_related("content_type", "approver_role")
    serializer_class = ApprovalRuleSerializer
    filterset_fields = ["action", "active", "content_type", "approver_role"]
    search_fields = ["name"]
    ordering_fields = ["min_amount", "name"]

    def perform_create(self, serializer):
        rule = ApprovalRule(company=company_of(self.request.user), **serializer.validated_data)
        serializer.instance = approvals.save_rule(rule, by=self.request.user)

    def perform_update(self, serializer):
        rule = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(rule, field, value)
        serializer.instance = approvals.save_rule(rule, by=self.request.user)


class ApprovalRequestViewSet(viewsets.ReadOnlyModelViewSet):
    """Approval requests you asked for or may decide; approve/reject/cancel as actions."""

    queryset = ApprovalRequest.objects.none()  # the model; rows come from get_queryset
    serializer_class = ApprovalRequestSerializer
    filterset_fields = ["status", "action"]
    search_fields = ["document_label", "reason"]
    ordering_fields = ["created_at", "amount"]
    action_perms = {
        "approve": "core.decide_approvalrequest",
        "reject": "core.decide_approvalrequest",
        "cancel": "core.view_approvalrequest",
    }

    def get_queryset(self):
        return selectors.approval_requests_visible_to(self.request.user)

    def _decided(self, request, pk, verb):
        self.get_object()  # 404 outside the user's scope
        decision = DecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        result = verb(int(pk), by=request.user, note=decision.validated_data["note"])
        return Response(ApprovalRequestSerializer(result).data)

    @extend_schema(request=DecisionSerializer, responses=ApprovalRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decided(request, pk, approvals.approve)

    @extend_schema(request=DecisionSerializer, responses=ApprovalRequestSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decided(request, pk, approvals.reject)

    @extend_schema(request=None, responses=ApprovalRequestSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        self.get_object()
        result = approvals.cancel(int(pk), by=request.user)
        return Response(ApprovalRequestSerializer(result).data)


class WebhookSubscriptionViewSet(viewsets.ModelViewSet):
    queryset = WebhookSubscription.objects.all()
    serializer_class = WebhookSubscriptionSerializer
    filterset_fields = ["active"]
    search_fields = ["name", "target_url"]
    ordering_fields = ["name", "created_at"]

    def perform_create(self, serializer):
        subscription = WebhookSubscription(
            company=company_of(self.request.user), **serializer.validated_data
        )
        serializer.instance = webhooks.save_subscription(subscription, by=self.request.user)

    def perform_update(self, serializer):
        subscription = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(subscription, field, value)
        serializer.instance = webhooks.save_subscription(subscription, by=self.request.user)

    def perform_destroy(self, instance):
        webhooks.delete_subscription(instance.pk)


class WebhookDeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    """The delivery log: every event sent to every subscription, with each attempt."""

    queryset = WebhookDelivery.objects.none()
    serializer_class = WebhookDeliverySerializer
    filterset_fields = ["status", "subscription"]
    ordering_fields = ["created_at", "next_attempt_at"]
    action_perms = {"retry": "core.change_webhookdelivery"}

    def get_queryset(self):
        return selectors.deliveries_for_log()

    @extend_schema(request=None, responses=WebhookDeliverySerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        self.get_object()
        delivery = webhooks.retry_now(int(pk))
        return Response(WebhookDeliverySerializer(delivery).data)


class StatusChangeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who moved which record from what status to what, and when."""

    queryset = StatusChange.objects.select_related("content_type", "changed_by")
    serializer_class = StatusChangeSerializer
    filterset_fields = ["object_id", "to_status", "content_type"]
    ordering_fields = ["changed_at"]
