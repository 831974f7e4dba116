"""Sales API: parse, check permission, call one service or selector."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from keel.accounting.models import Journal
from keel.core.api.views import company_of
from keel.core.errors import InvalidInput

from .. import selectors
from ..models import Quotation, QuotationLine, SalesOrder, SalesOrderLine
from ..permissions import RELEASE_PERMISSION
from ..services import batch, orders, quotations
from ..services.common import party_of
from .serializers import (
    BatchConfirmIn,
    BatchInvoiceIn,
    BatchOut,
    BatchPayIn,
    QuotationConfirmIn,
    QuotationIn,
    QuotationOut,
    SalesDeliverIn,
    SalesInvoiceIn,
    SalesInvoiceOut,
    SalesNoteIn,
    SalesOrderOut,
)


class CompanyMixin:
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
        response["ETag"] = f'"{fresh.version}"'
        return response


class ReadViewSet(
    CompanyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    pass


class QuotationViewSet(ReadViewSet):
    """Quotations (a rep sees their own): create with lines priced by the price list,
    send, approve a discount, confirm into an order."""

    queryset = Quotation.objects.none()
    serializer_class = QuotationOut
    filterset_fields = ["status", "party", "opportunity"]
    search_fields = ["number", "party__name"]
    ordering_fields = ["quote_date", "number", "amount_total"]
    action_perms = {
        "send": "sales.change_quotation",
        "confirm": "sales.add_salesorder",
        "approve_discount": "core.decide_approvalrequest",
        "confirm_many": "sales.add_salesorder",
    }

    def get_queryset(self):
        lines = QuotationLine.objects.select_related("product").order_by("sequence")
        return selectors.quotations_visible_to(self.request.user).prefetch_related(
            Prefetch("lines", queryset=lines)
        )

    @extend_schema(request=QuotationIn, responses={201: QuotationOut})
    def create(self, request):
        data = self.body(QuotationIn)
        lines = [dict(line) for line in data.pop("lines")]
        found = quotations.create_quotation(self.company(), lines=lines, by=request.user, **data)
        return self._out(found, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=QuotationOut)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        return self._out(quotations.send(self.get_object().pk, by=request.user))

    @extend_schema(request=SalesNoteIn, responses=QuotationOut)
    @action(detail=True, methods=["post"], url_path="approve-discount")
    def approve_discount(self, request, pk=None):
        note = self.body(SalesNoteIn)["note"]
        found = quotations.approve_discount(self.get_object().pk, by=request.user, note=note)
        return self._out(found)

    @extend_schema(request=QuotationConfirmIn, responses={201: SalesOrderOut})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        on_date = self.body(QuotationConfirmIn).get("date")
        order = orders.confirm(self.get_object().pk, by=request.user, on_date=on_date)
        fresh = OrderViewSet.queryset_for(request.user).get(pk=order.pk)
        return Response(SalesOrderOut(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BatchConfirmIn, responses=BatchOut)
    @action(detail=False, methods=["post"], url_path="confirm-many")
    def confirm_many(self, request):
        """Confirm the listed quotations; each refused one is reported, not fatal."""
        data = self.body(BatchConfirmIn)
        result = batch.confirm_many(data["quotations"], by=request.user, on_date=data.get("date"))
        return Response(BatchOut(result).data)


class OrderViewSet(ReadViewSet):
    """Sales orders (a rep sees their own): deliver, invoice, release a credit hold."""

    queryset = SalesOrder.objects.none()
    serializer_class = SalesOrderOut
    filterset_fields = ["status", "party", "delivery_status", "invoice_status", "payment_status"]
    search_fields = ["number", "party__name"]
    ordering_fields = ["order_date", "number", "amount_total"]
    action_perms = {
        "deliver": "sales.deliver_salesorder",
        "invoice": "sales.invoice_salesorder",
        "release_hold": RELEASE_PERMISSION,
        "invoice_delivered": "sales.invoice_salesorder",
        "pay_invoices": "accounting.add_payment",
    }

    @staticmethod
    def queryset_for(user):
        lines = SalesOrderLine.objects.select_related("product").order_by("sequence")
        return selectors.orders_visible_to(user).prefetch_related(Prefetch("lines", queryset=lines))

    def get_queryset(self):
        return self.queryset_for(self.request.user)

    @extend_schema(request=SalesDeliverIn, responses=SalesOrderOut)
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        data = self.body(SalesDeliverIn)
        quantities = None
        if "lines" in data:
            quantities = {line["product"]: line["quantity"] for line in data["lines"]}
        found = orders.deliver(
            self.get_object().pk, quantities=quantities, on_date=data.get("date"), by=request.user
        )
        return self._out(found)

    @extend_schema(request=SalesInvoiceIn, responses={201: SalesInvoiceOut})
    @action(detail=True, methods=["post"])
    def invoice(self, request, pk=None):
        data = self.body(SalesInvoiceIn)
        document = orders.invoice(
            self.get_object().pk, lines=data.get("lines"), on_date=data.get("date"), by=request.user
        )
        return Response(SalesInvoiceOut(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SalesNoteIn, responses=SalesOrderOut)
    @action(detail=True, methods=["post"], url_path="release-hold")
    def release_hold(self, request, pk=None):
        note = self.body(SalesNoteIn)["note"]
        return self._out(orders.release_hold(self.get_object().pk, by=request.user, note=note))

    @extend_schema(request=BatchInvoiceIn, responses=BatchOut)
    @action(detail=False, methods=["post"], url_path="invoice-delivered")
    def invoice_delivered(self, request):
        """Invoice all delivered (of a customer, or the listed orders): one invoice per
        customer or per order as the sales settings say."""
        data = self.body(BatchInvoiceIn)
        party = None
        if "party" in data:
            party = party_of(self.company(), data["party"])
        result = batch.invoice_delivered(
            self.company(),
            by=request.user,
            party=party,
            order_ids=data.get("orders"),
            grouping=data.get("grouping"),
            on_date=data.get("date"),
        )
        return Response(BatchOut(result).data)

    @extend_schema(request=BatchPayIn, responses=BatchOut)
    @action(detail=False, methods=["post"], url_path="pay-invoices")
    def pay_invoices(self, request):
        """Register the full payment of each listed invoice through a bank journal."""
        data = self.body(BatchPayIn)
        journal = Journal.objects.filter(company=self.company(), pk=data["journal"]).first()
        if journal is None:
            raise InvalidInput("Unknown journal.", field="journal")
        result = batch.pay_many(
            data["invoices"], journal=journal, by=request.user, on_date=data.get("date")
        )
        return Response(BatchOut(result).data)
