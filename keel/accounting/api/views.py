"""Accounting API: parse, check permission, call one service or selector."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from keel.core.db_routing import reads_from_replica
from keel.core.errors import InvalidInput, NotFound
from keel.core.models import Company

from .. import selectors
from ..models import Account, FiscalYear, Journal, JournalEntry, JournalLine, Period, Tax
from ..services import chart, posting, taxes
from .serializers import (
    AccountSerializer,
    AsOfSerializer,
    EntryInputSerializer,
    EntrySerializer,
    FiscalYearSerializer,
    JournalSerializer,
    LineSerializer,
    PeriodSerializer,
    RangeSerializer,
    ReversalSerializer,
    TaxSerializer,
    money_text,
)


class CompanyMixin:
    def company_id(self) -> int | None:
        return selectors.company_id_of(self.request.user)

    def company(self) -> Company:
        company = Company.objects.filter(pk=self.company_id()).first()
        if company is None:
            raise InvalidInput("No company is set up yet; run `keel demo` or create one.")
        return company

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "company_id": self.company_id()}


class SavedViewSet(
    CompanyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Create and change through the domain's save service; nothing is deleted
    (records that carry history are archived with `active`)."""

    save_service = None

    def perform_create(self, serializer):
        record = self.queryset.model(company=self.company(), **serializer.validated_data)
        serializer.instance = type(self).save_service(record, by=self.request.user)

    def perform_update(self, serializer):
        record = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(record, field, value)
        serializer.instance = type(self).save_service(record, by=self.request.user)


class AccountViewSet(SavedViewSet):
    queryset = Account.objects.none()
    serializer_class = AccountSerializer
    filterset_fields = ["type", "role", "active"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    save_service = staticmethod(chart.save_account)

    def get_queryset(self):
        return selectors.accounts_of(self.company_id())


class JournalViewSet(SavedViewSet):
    queryset = Journal.objects.none()
    serializer_class = JournalSerializer
    filterset_fields = ["kind", "active"]
    search_fields = ["code", "name"]
    save_service = staticmethod(chart.save_journal)

    def get_queryset(self):
        return selectors.journals_of(self.company_id()).order_by("code")


class TaxViewSet(SavedViewSet):
    queryset = Tax.objects.none()
    serializer_class = TaxSerializer
    filterset_fields = ["use", "kind", "price_include", "active"]
    search_fields = ["name"]
    save_service = staticmethod(taxes.save_tax)

    def get_queryset(self):
        return selectors.taxes_of(self.company_id())


class FiscalYearViewSet(
    CompanyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Fiscal years with their periods; POST {"year": 2027} creates one with 12 periods."""

    queryset = FiscalYear.objects.none()
    serializer_class = FiscalYearSerializer

    def get_queryset(self):
        return selectors.fiscal_years_of(self.company_id()).prefetch_related(
            Prefetch("periods", queryset=Period.objects.select_related("fiscal_year"))
        )

    def perform_create(self, serializer):
        serializer.instance = chart.ensure_fiscal_year(
            self.company(), serializer.validated_data["year"], by=self.request.user
        )


class PeriodViewSet(CompanyMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Period.objects.none()
    serializer_class = PeriodSerializer
    filterset_fields = ["fiscal_year"]

    def get_queryset(self):
        return selectors.periods_of(self.company_id()).order_by("start")


class EntryViewSet(
    CompanyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Posted entries with their lines. POST posts a new entry (it is final:
    corrections are reversals, POST /entries/{id}/reverse/)."""

    queryset = JournalEntry.objects.none()
    serializer_class = EntrySerializer
    filterset_fields = ["journal", "date", "period"]
    search_fields = ["number", "ref"]
    ordering_fields = ["date", "number"]
    action_perms = {
        "create": "accounting.add_journalentry",
        "reverse": "accounting.reverse_journalentry",
    }

    def get_queryset(self):
        return selectors.entries_of(self.company_id()).prefetch_related(
            Prefetch("lines", queryset=JournalLine.objects.select_related("account")),
            "reversed_by",
        )

    @extend_schema(request=EntryInputSerializer, responses={201: EntrySerializer})
    def create(self, request):
        data = EntryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        company = self.company()
        journal = Journal.objects.filter(company=company, pk=data.validated_data["journal"]).first()
        if journal is None:
            raise NotFound("No such journal.", code="not_found", field="journal")
        lines = [
            {key: value for key, value in line.items() if value is not None or key == "account"}
            for line in data.validated_data["lines"]
        ]
        entry = posting.post_entry(
            company,
            journal,
            data.validated_data["date"],
            lines,
            ref=data.validated_data["ref"],
            by=request.user,
        )
        return Response(
            EntrySerializer(self.get_queryset().get(pk=entry.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ReversalSerializer, responses={201: EntrySerializer})
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        entry = self.get_object()
        data = ReversalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reversal = posting.reverse_entry(
            entry,
            data.validated_data["date"],
            by=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(
            EntrySerializer(self.get_queryset().get(pk=reversal.pk)).data,
            status=status.HTTP_201_CREATED,
        )


def _exact(value):
    """Reports as JSON with amounts as strings ("1250.50"): a float would not be exact."""
    if isinstance(value, dict):
        return {key: _exact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_exact(item) for item in value]
    if isinstance(value, Decimal):
        return money_text(value)
    return value


def _range(request) -> dict:
    data = RangeSerializer(data=request.query_params)
    data.is_valid(raise_exception=True)
    return data.validated_data


RANGE = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, required=True),
    OpenApiParameter("date_to", OpenApiTypes.DATE, required=True),
]
report_schema = extend_schema(parameters=RANGE, responses=OpenApiTypes.OBJECT)


class ReportViewSet(CompanyMixin, viewsets.ViewSet):
    """Financial reports from the maintained balances; dates as YYYY-MM-DD."""

    action_perms = {
        name: "accounting.view_reports"
        for name in (
            "trial_balance",
            "profit_and_loss",
            "balance_sheet",
            "tax_report",
            "tax_report_lines",
        )
    }

    @report_schema
    @action(detail=False, url_path="trial-balance")
    @reads_from_replica
    def trial_balance(self, request):
        """?date_from=&date_to= : opening, debit, credit and closing per account."""
        dates = _range(request)
        return Response(_exact(selectors.trial_balance(self.company_id(), **dates)))

    @report_schema
    @action(detail=False, url_path="profit-and-loss")
    @reads_from_replica
    def profit_and_loss(self, request):
        dates = _range(request)
        return Response(_exact(selectors.profit_and_loss(self.company_id(), **dates)))

    @extend_schema(parameters=RANGE[1:], responses=OpenApiTypes.OBJECT)
    @action(detail=False, url_path="balance-sheet")
    @reads_from_replica
    def balance_sheet(self, request):
        data = AsOfSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        report = selectors.balance_sheet(self.company_id(), data.validated_data["date_to"])
        return Response(_exact(report))

    @report_schema
    @action(detail=False, url_path="tax-report")
    @reads_from_replica
    def tax_report(self, request):
        dates = _range(request)
        return Response(_exact(selectors.tax_report(self.company_id(), **dates)))

    @extend_schema(
        parameters=[*RANGE, OpenApiParameter("tax_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=LineSerializer(many=True),
    )
    @action(detail=False, url_path=r"tax-report/(?P<tax_id>\d+)/lines")
    @reads_from_replica
    def tax_report_lines(self, request, tax_id=None):
        """The posted lines behind one tax of the report (drill-down)."""
        dates = _range(request)
        lines = selectors.tax_report_lines(self.company_id(), int(tax_id), **dates)
        return Response(LineSerializer(lines, many=True).data)
