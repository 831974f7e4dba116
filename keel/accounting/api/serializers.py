"""What the accounting API reads and accepts; writable fields are listed explicitly."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from keel.core.api.serializers import RecordId

from ..models import (
    Account,
    AccountRole,
    FiscalYear,
    Journal,
    JournalEntry,
    JournalLine,
    Period,
    Tax,
)
from ..services import chart

AMOUNT = {"max_digits": 19, "decimal_places": 4}
CENT = Decimal("0.01")


def money_text(value: Decimal) -> str:
    """'1250.50': cents when the amount has no finer digits, else every digit kept."""
    return f"{value:.2f}" if value == value.quantize(CENT) else str(value.normalize())


@extend_schema_field(OpenApiTypes.STR)
class MoneyOut(serializers.Field):
    """A stored amount as an exact string (never a float)."""

    def to_representation(self, value):
        return money_text(value)


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = ["id", "code", "name", "type", "role", "party_balances", "active"]


class JournalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Journal
        fields = ["id", "code", "name", "kind", "sequence_prefix", "default_account", "active"]

    def validate_default_account(self, account):
        if account and account.company_id != self.context.get("company_id"):
            raise serializers.ValidationError("Unknown account.")
        return account


class PeriodSerializer(serializers.ModelSerializer):
    fiscal_year = serializers.IntegerField(source="fiscal_year.year", read_only=True)

    class Meta:
        model = Period
        fields = ["id", "fiscal_year", "number", "start", "end"]


class FiscalYearSerializer(serializers.ModelSerializer):
    periods = PeriodSerializer(many=True, read_only=True)

    class Meta:
        model = FiscalYear
        fields = ["id", "year", "start", "end", "periods"]
        read_only_fields = ["start", "end"]
        extra_kwargs = {
            "year": {"min_value": chart.FIRST_FISCAL_YEAR, "max_value": chart.LAST_FISCAL_YEAR}
        }


class TaxSerializer(serializers.ModelSerializer):
    # A plain string in the schema: the same choices already name the enum of Account.role.
    account_role = serializers.CharField(required=False, help_text="An account role")

    def validate_account_role(self, value: str) -> str:
        if value not in AccountRole.values:
            raise serializers.ValidationError(f"'{value}' is not an account role.")
        return value

    class Meta:
        model = Tax
        fields = ["id", "name", "kind", "use", "amount", "price_include", "account_role", "active"]


class LineSerializer(serializers.ModelSerializer):
    account_code = serializers.CharField(source="account.code", read_only=True)
    debit = MoneyOut(read_only=True)
    credit = MoneyOut(read_only=True)
    amount_currency = MoneyOut(read_only=True)
    tax_base_amount = MoneyOut(read_only=True)

    class Meta:
        model = JournalLine
        fields = [
            "id",
            "sequence",
            "account",
            "account_code",
            "party",
            "label",
            "debit",
            "credit",
            "currency",
            "amount_currency",
            "analytic_tags",
            "tax",
            "tax_base_amount",
        ]


class EntrySerializer(serializers.ModelSerializer):
    journal_code = serializers.CharField(source="journal.code", read_only=True)
    lines = LineSerializer(many=True, read_only=True)
    reversed_by = serializers.SerializerMethodField()

    class Meta:
        model = JournalEntry
        fields = [
            "id",
            "number",
            "journal",
            "journal_code",
            "date",
            "ref",
            "state",
            "reverses",
            "reversed_by",
            "source_type",
            "source_id",
            "hash",
            "posted_at",
            "lines",
        ]

    def get_reversed_by(self, entry) -> int | None:
        reversal = getattr(entry, "reversed_by", None)
        return reversal.pk if reversal else None


class LineInputSerializer(serializers.Serializer):
    account = serializers.IntegerField(required=False, allow_null=True)
    role = serializers.CharField(required=False, allow_blank=True)
    party = serializers.IntegerField(required=False, allow_null=True)
    debit = serializers.DecimalField(required=False, default=0, **AMOUNT)
    credit = serializers.DecimalField(required=False, default=0, **AMOUNT)
    currency = serializers.CharField(required=False, max_length=3, allow_null=True)
    amount_currency = serializers.DecimalField(required=False, allow_null=True, **AMOUNT)
    analytic_tags = serializers.ListField(child=serializers.CharField(), required=False)
    label = serializers.CharField(required=False, allow_blank=True, max_length=200)
    tax = RecordId(required=False, allow_null=True)
    tax_base_amount = serializers.DecimalField(required=False, default=0, **AMOUNT)


class EntryInputSerializer(serializers.Serializer):
    journal = RecordId()
    date = serializers.DateField()
    ref = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    lines = LineInputSerializer(many=True, allow_empty=True)


class ReversalSerializer(serializers.Serializer):
    date = serializers.DateField()
    reason = serializers.CharField(max_length=150)


class RangeSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()

    def validate(self, attrs):
        if attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": "date_to is before date_from."})
        return attrs


class AsOfSerializer(serializers.Serializer):
    date_to = serializers.DateField()
