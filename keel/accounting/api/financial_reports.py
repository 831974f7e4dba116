"""Reports beyond the basic three: general ledger, comparative P&L and balance sheet,
aged receivables/payables, customer statement; as JSON or, with ?export=csv|xlsx|pdf,
as a file."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from keel.core.db_routing import reads_from_replica
from keel.core.errors import InvalidInput, NotFound

from ..exports.catalog import REPORTS
from ..exports.tables import FORMATS, render
from ..report_forms import report_params
from .views import CompanyMixin, _exact

PARAMS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE),
    OpenApiParameter("date_to", OpenApiTypes.DATE),
    OpenApiParameter("account", OpenApiTypes.INT, description="general-ledger"),
    OpenApiParameter("party", OpenApiTypes.INT, description="customer-statement"),
    OpenApiParameter("compare", OpenApiTypes.STR, enum=["previous_period", "previous_year"]),
    OpenApiParameter("export", OpenApiTypes.STR, enum=list(FORMATS)),
]


class ReportOut(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    needs = serializers.ListField(child=serializers.CharField(), help_text="Parameters it needs")


class FinancialReportViewSet(CompanyMixin, viewsets.ViewSet):
    """GET /financial-reports/ lists the reports; GET /financial-reports/{name}/ runs one."""

    lookup_field = "name"
    lookup_value_regex = "[a-z-]+"
    action_perms = {"list": "accounting.view_reports", "retrieve": "accounting.view_reports"}

    @extend_schema(operation_id="v1_financial_reports_list", responses=ReportOut(many=True))
    def list(self, request):
        return Response(
            [{"name": r.name, "title": r.title, "needs": list(r.needs)} for r in REPORTS.values()]
        )

    @extend_schema(
        operation_id="v1_financial_reports_run",
        parameters=[
            OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=[*REPORTS]),
            *PARAMS,
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @reads_from_replica
    def retrieve(self, request, name=None):
        report = REPORTS.get(name)
        if report is None:
            raise NotFound(f"No report named '{name}'.", code="not_found")
        company_id = self.company_id()
        params = report_params(report, request.query_params, company_id, dt.date.today())
        data, table = report.run(company_id, params)
        export = request.query_params.get("export")
        if export:
            if export not in FORMATS:
                raise InvalidInput(f"export must be one of {', '.join(FORMATS)}.", field="export")
            content, content_type, filename = render(table, export)
            response = HttpResponse(content, content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        return Response(_exact(data))
