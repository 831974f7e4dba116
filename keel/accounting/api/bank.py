"""Bank statements API: import a file (with a dry-run preview), list and read
statements with their lines, confirm (post) a statement; matching suggestions per
line or per statement, reconcile a line with open items and undo it; CSV mappings
per journal."""

from __future__ import annotations

from django.db.models import Count, Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from keel.core.api.serializers import RecordId
from keel.core.errors import NotFound

from ..models import BankCsvMapping, BankStatement, BankStatementLine, Journal
from ..selectors import bank_matching as matching
from ..services import bank, bank_import, bank_matching
from .serializers import money_text
from .views import CompanyMixin


@extend_schema_field(OpenApiTypes.STR)
class MoneyText(serializers.Field):
    def to_representation(self, value):
        return None if value is None else money_text(value)


class StatementLineSerializer(serializers.ModelSerializer):
    amount = MoneyText()

    class Meta:
        model = BankStatementLine
        fields = [
            "id",
            "sequence",
            "date",
            "amount",
            "reference",
            "counterparty",
            "label",
            "unique_id",
            "entry",
            "payment",
        ]


class StatementSerializer(serializers.ModelSerializer):
    balance_start = MoneyText()
    balance_end = MoneyText()
    line_count = serializers.IntegerField(read_only=True)
    # Plain text, not enums: their names would collide with other "status"/"format" enums.
    status = serializers.CharField(read_only=True)
    format = serializers.CharField(read_only=True)

    class Meta:
        model = BankStatement
        fields = [
            "id",
            "journal",
            "name",
            "format",
            "file_name",
            "date",
            "balance_start",
            "balance_end",
            "status",
            "line_count",
        ]


class StatementDetailSerializer(StatementSerializer):
    lines = StatementLineSerializer(many=True, read_only=True)

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "lines"]


class SuggestionSerializer(serializers.Serializer):
    party = serializers.IntegerField(source="party_id")
    party_name = serializers.CharField()
    open_items = serializers.ListField(child=serializers.IntegerField(), source="item_ids")
    documents = serializers.ListField(child=serializers.CharField())
    open_amount = MoneyText()
    currency = serializers.CharField()
    score = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


class LineSuggestionsSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    sequence = serializers.IntegerField()
    amount = MoneyText()
    suggestions = SuggestionSerializer(many=True)


class ReconcileLineSerializer(serializers.Serializer):
    open_items = serializers.ListField(
        child=RecordId(), allow_empty=False, help_text="Open item ids it pays"
    )
    write_off = serializers.BooleanField(
        default=False, help_text="Write a small difference off (within the tolerance)"
    )


class UnreconcileLineSerializer(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="Reversal date; the line's by default")


class StatementPreviewSerializer(serializers.Serializer):
    """What a dry run of an import would bring: nothing is stored."""

    dry_run = serializers.BooleanField()
    new_lines = serializers.ListField(child=serializers.DictField())
    duplicates = serializers.ListField(child=serializers.DictField())
    balance_start = serializers.CharField(allow_null=True)
    balance_end = serializers.CharField(allow_null=True)


class ImportSerializer(serializers.Serializer):
    journal = RecordId()
    format = serializers.CharField(help_text="csv, camt053 or ofx")
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False)


class CsvMappingSerializer(serializers.ModelSerializer):
    class Meta:
        model = BankCsvMapping
        fields = [
            "id",
            "journal",
            "delimiter",
            "date_column",
            "date_format",
            "amount_column",
            "debit_column",
            "credit_column",
            "reference_column",
            "counterparty_column",
            "label_column",
            "id_column",
            "decimal_separator",
            "thousands_separator",
        ]

    def validate_journal(self, journal):
        if journal.company_id != self.context["company_id"] or journal.kind != Journal.Kind.BANK:
            raise serializers.ValidationError("Choose a bank journal of this company.")
        return journal


def _preview(line) -> dict:
    return {
        "date": line.date.isoformat(),
        "amount": money_text(line.amount),
        "reference": line.reference,
        "counterparty": line.counterparty,
        "label": line.label,
        "unique_id": line.unique_id,
    }


class BankStatementViewSet(
    CompanyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """POST /bank-statements/import/ (multipart: journal, format, file, dry_run);
    POST /bank-statements/{id}/confirm/ posts the lines bank ↔ suspense."""

    queryset = BankStatement.objects.none()
    filterset_fields = ["journal", "status", "format"]
    search_fields = ["name", "file_name"]
    action_perms = {
        "import_file": "accounting.import_bankstatement",
        "confirm": "accounting.confirm_bankstatement",
        "suggestions": "accounting.view_bankstatementline",
    }

    def get_queryset(self):
        queryset = BankStatement.objects.filter(company_id=self.company_id()).annotate(
            line_count=Count("lines")
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("lines", queryset=BankStatementLine.objects.order_by("sequence"))
            )
        return queryset.order_by("-date", "-id")

    def get_serializer_class(self):
        return StatementDetailSerializer if self.action == "retrieve" else StatementSerializer

    @extend_schema(
        request=ImportSerializer,
        responses={200: StatementPreviewSerializer, 201: StatementDetailSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def import_file(self, request):
        data = ImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        company = self.company()
        journal = Journal.objects.filter(company=company, pk=data.validated_data["journal"]).first()
        if journal is None:
            raise NotFound("No such journal.", code="not_found", field="journal")
        upload = data.validated_data["file"]
        result = bank_import.import_statement(
            company,
            journal,
            upload.read(),
            data.validated_data["format"],
            file_name=upload.name or "",
            dry_run=data.validated_data["dry_run"],
            by=request.user,
        )
        if result.statement is None:
            return Response(
                {
                    "dry_run": True,
                    "new_lines": [_preview(line) for line in result.new_lines],
                    "duplicates": [_preview(line) for line in result.duplicates],
                    "balance_start": money_text(result.parsed.balance_start)
                    if result.parsed.balance_start is not None
                    else None,
                    "balance_end": money_text(result.parsed.balance_end)
                    if result.parsed.balance_end is not None
                    else None,
                }
            )
        statement = self.get_queryset().prefetch_related("lines").get(pk=result.statement.pk)
        body = StatementDetailSerializer(statement).data
        body["duplicates"] = len(result.duplicates)
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: StatementSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        statement = bank.confirm_statement(self.get_object(), by=request.user)
        return Response(StatementSerializer(self.get_queryset().get(pk=statement.pk)).data)

    @extend_schema(request=None, responses={200: LineSuggestionsSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def suggestions(self, request, pk=None):
        """The best matches of every unmatched line, in a fixed number of queries."""
        rows = [
            {"line": x.pk, "sequence": x.sequence, "amount": x.amount, "suggestions": found}
            for x, found in matching.suggest_for_statement(self.get_object())
        ]
        return Response(LineSuggestionsSerializer(rows, many=True).data)


class BankStatementLineViewSet(
    CompanyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Statement lines; GET …/{id}/suggestions/ ranks the open items a line may pay,
    POST …/{id}/reconcile/ {open_items, write_off} matches it, …/unreconcile/ undoes it."""

    queryset = BankStatementLine.objects.none()
    serializer_class = StatementLineSerializer
    filterset_fields = ["statement", "journal"]
    action_perms = {
        "reconcile": "accounting.reconcile_bankstatement",
        "unreconcile": "accounting.reconcile_bankstatement",
    }

    def get_queryset(self):
        return BankStatementLine.objects.filter(company_id=self.company_id()).order_by(
            "statement_id", "sequence"
        )

    def _line(self, line):
        return Response(StatementLineSerializer(self.get_queryset().get(pk=line.pk)).data)

    @extend_schema(request=None, responses={200: SuggestionSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def suggestions(self, request, pk=None):
        suggestions = matching.suggest_matches(self.get_object())
        return Response(SuggestionSerializer(suggestions, many=True).data)

    @extend_schema(request=ReconcileLineSerializer, responses={200: StatementLineSerializer})
    @action(detail=True, methods=["post"])
    def reconcile(self, request, pk=None):
        data = ReconcileLineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        line = self.get_object()
        bank_matching.reconcile_line(
            line,
            data.validated_data["open_items"],
            by=request.user,
            write_off=data.validated_data["write_off"],
        )
        return self._line(line)

    @extend_schema(request=UnreconcileLineSerializer, responses={200: StatementLineSerializer})
    @action(detail=True, methods=["post"])
    def unreconcile(self, request, pk=None):
        data = UnreconcileLineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        line = self.get_object()
        bank_matching.unreconcile_line(line, by=request.user, date=data.validated_data.get("date"))
        return self._line(line)


class BankCsvMappingViewSet(
    CompanyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = BankCsvMapping.objects.none()
    serializer_class = CsvMappingSerializer

    def get_queryset(self):
        return BankCsvMapping.objects.filter(company_id=self.company_id()).order_by("id")

    def perform_create(self, serializer):
        serializer.save(company=self.company(), created_by=self.request.user)
