"""API shapes of the core records; each lists its writable fields."""

from __future__ import annotations

from rest_framework import serializers

from ..models import (
    ApprovalRequest,
    ApprovalRule,
    Company,
    StatusChange,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)


class RecordId(serializers.IntegerField):
    """The id of a record in a request body: a positive 64-bit integer, as the id columns
    hold; a larger number is refused as invalid input instead of overflowing the
    database driver."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)


class Number(serializers.DecimalField):
    """An exact amount or quantity in the API: up to 15 digits and 4 decimals, the
    range of the integer-of-units columns."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=19, decimal_places=4, **kwargs)


class ExactOut(serializers.ModelSerializer):
    """Read-only record whose exact money and quantity columns (stored as integers of
    units, marked `exact_units` on the field) answer as decimals: DRF would take their
    integer storage for an IntegerField and drop the decimals."""

    def build_standard_field(self, field_name, model_field):
        if getattr(model_field, "exact_units", False):
            return Number, {"read_only": True, "allow_null": model_field.null}
        return super().build_standard_field(field_name, model_field)


class CompanyScopedFieldsMixin:
    """Related records offered for writing are the caller's company's only."""

    def get_fields(self):
        fields = super().get_fields()
        company_id = self.context.get("company_id")
        for field in fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset.model, "company_id"):
                field.queryset = queryset.filter(company_id=company_id)
        return fields


class CompanySerializer(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ["id", "name", "legal_name", "currency", "country", "fiscal_year_start_month"]
        read_only_fields = fields


class ApprovalRuleSerializer(serializers.ModelSerializer):
    document_type = serializers.SlugRelatedField(
        source="content_type", slug_field="model", read_only=True
    )
    approver_role_name = serializers.CharField(source="approver_role.name", read_only=True)

    class Meta:
        model = ApprovalRule
        fields = [
            "id",
            "name",
            "content_type",
            "document_type",
            "action",
            "min_amount",
            "approver_role",
            "approver_role_name",
            "active",
        ]
        read_only_fields = ["id", "document_type", "approver_role_name"]


class ApprovalRequestSerializer(serializers.ModelSerializer):
    document_type = serializers.CharField(source="content_type.model", read_only=True)
    approver_role = serializers.CharField(source="rule.approver_role.name", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "document_type",
            "object_id",
            "document_label",
            "action",
            "amount",
            "currency",
            "status",
            "approver_role",
            "requested_by",
            "reason",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_at",
        ]
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="Shown so the receiver can verify X-Keel-Signature"
    )

    class Meta:
        model = WebhookSubscription
        fields = ["id", "name", "target_url", "event_types", "active", "secret", "created_at"]
        read_only_fields = ["id", "secret", "created_at"]


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = [
            "number",
            "attempted_at",
            "status_code",
            "error",
            "duration_ms",
            "succeeded",
        ]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    topic = serializers.CharField(source="event.topic", read_only=True)
    event_id = serializers.UUIDField(source="event.id", read_only=True)
    log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "subscription",
            "event_id",
            "topic",
            "status",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "last_error",
            "log",
        ]
        read_only_fields = fields


class StatusChangeSerializer(serializers.ModelSerializer):
    document_type = serializers.CharField(source="content_type.model", read_only=True)
    changed_by = serializers.CharField(
        source="changed_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = StatusChange
        fields = [
            "id",
            "document_type",
            "object_id",
            "from_status",
            "to_status",
            "changed_by",
            "changed_at",
            "note",
        ]
        read_only_fields = fields
