"""Downloads of the books: the ledger in beancount format."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action

from ..exports.beancount import iter_beancount
from .views import CompanyMixin


class LedgerExportViewSet(CompanyMixin, viewsets.ViewSet):
    """GET /api/v1/ledger-exports/beancount/ : the posted ledger as a .beancount file."""

    action_perms = {"beancount": "accounting.view_journalentry"}

    @extend_schema(responses={(200, "text/plain"): OpenApiTypes.STR})
    @action(detail=False)
    def beancount(self, request):
        company = self.company()
        response = StreamingHttpResponse(
            iter_beancount(company.pk), content_type="text/plain; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="ledger-{company.pk}.beancount"'
        return response
