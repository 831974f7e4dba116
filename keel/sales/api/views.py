"""Sales API: parse, check permission, call one service or selector."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from keel.accounting.models import Journal
from keel.core.api.views import ReadViewSet
from keel.core.documents import pdf_response
from keel.core.errors import InvalidInput

from .. import selectors
from ..models import (
    Quotation,
    QuotationLine,
    ReturnAuthorisation,
    ReturnLine,
    SalesOrder,
    SalesOrderLine,
)
from ..permissions import APPROVE_RETURN_PERMISSION, CREDIT_RETURN_PERMISSION, RELEASE_PERMISSION
from ..services import (
    acceptance,
    batch,
    down_payments,
    orders,
    quotation_documents,
    quotations,
    returns,
    revisions,
)
from ..services.common import party_of
from .serializers import (
    AcceptIn,
    BatchConfirmIn,
    BatchInvoiceIn,
    BatchOut,
    BatchPayIn,
    DeclineIn,
    DownPaymentIn,
    PublicQuotationOut,
    QuotationConfirmIn,
    QuotationIn,
    QuotationOut,
    QuotationReviseIn,
    SalesDeliverIn,
    SalesInvoiceIn,
    SalesInvoiceOut,
    SalesNoteIn,
    SalesOrderOut,
    SalesReturnIn,
    SalesReturnOut,
    SalesReturnReceiveIn,
)


def quantities_of(data: dict) -> dict | None:
    """{product id: quantity} from the lines of a delivery or receipt (None: all)."""
    if "lines" not in data:
        return None
    return {line["product"]: line["quantity"] for line in data["lines"]}


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
        "pdf": "sales.view_quotation",
        "revise": "sales.change_quotation",
        "confirm_many": "sales.add_salesorder",
    }

    def get_queryset(self):
        lines = QuotationLine.objects.select_related("product").order_by("sequence")
        return selectors.quotations_visible_to(self.request.user).prefetch_related(
            Prefetch("lines", queryset=lines)
        )

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        found = self.get_object()
        return pdf_response(
            quotation_documents.render_pdf(found), quotation_documents.pdf_filename(found)
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
        """E-mail it to the contact (or customer) with the PDF and the acceptance link;
        a discount above the threshold sends it to approve instead."""
        found = quotation_documents.email_quotation(
            self.get_object().pk, by=request.user, base_url=request.build_absolute_uri("/")
        )
        return self._out(found)

    @extend_schema(request=QuotationReviseIn, responses={201: QuotationOut})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """The next revision (a draft, same number); this one is kept as revised."""
        data = self.body(QuotationReviseIn)
        if "lines" in data:
            data["lines"] = [dict(line) for line in data["lines"]]
        found = revisions.revise(self.get_object().pk, by=request.user, **data)
        return self._out(found, status.HTTP_201_CREATED)

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
        "down_payment": "sales.invoice_salesorder",
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
        found = orders.deliver(
            self.get_object().pk,
            quantities=quantities_of(data),
            on_date=data.get("date"),
            by=request.user,
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

    @extend_schema(request=DownPaymentIn, responses={201: SalesInvoiceOut})
    @action(detail=True, methods=["post"], url_path="down-payment")
    def down_payment(self, request, pk=None):
        data = self.body(DownPaymentIn)
        document = down_payments.invoice_down_payment(
            self.get_object().pk,
            percent=data.get("percent"),
            amount=data.get("amount"),
            on_date=data.get("date"),
            by=request.user,
        )
        return Response(SalesInvoiceOut(document).data, status=status.HTTP_201_CREATED)

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


class QuotationLinkViewSet(viewsets.ViewSet):
    """The customer's side, by the signed link's token and without an account: read
    the quotation, accept it with a name (it becomes a confirmed order) or decline it
    with a reason."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    lookup_field = "token"
    lookup_value_regex = "[^/]+"

    @staticmethod
    def _shown(token: str) -> dict:
        found = acceptance.quotation_of(token)
        lines = QuotationLine.objects.select_related("product").order_by("sequence")
        with_lines = Quotation.objects.select_related("company", "party").prefetch_related(
            Prefetch("lines", queryset=lines)
        )
        return PublicQuotationOut(with_lines.get(pk=found.pk)).data

    @extend_schema(responses=PublicQuotationOut)
    def retrieve(self, request, token=None):
        return Response(self._shown(token))

    def _decide(self, request, token, body_class, decide, code=status.HTTP_200_OK):
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        decide(token, ip=request.META.get("REMOTE_ADDR") or None, **body.validated_data)
        return Response(self._shown(token), status=code)

    @extend_schema(request=AcceptIn, responses={201: PublicQuotationOut})
    @action(detail=True, methods=["post"])
    def accept(self, request, token=None):
        return self._decide(request, token, AcceptIn, acceptance.accept, status.HTTP_201_CREATED)

    @extend_schema(request=DeclineIn, responses=PublicQuotationOut)
    @action(detail=True, methods=["post"])
    def decline(self, request, token=None):
        return self._decide(request, token, DeclineIn, acceptance.decline)


class ReturnViewSet(ReadViewSet):
    """Customer returns (a rep sees those of her orders): take one down against
    delivered lines, approve it, receive the goods (which credits them), credit, cancel."""

    queryset = ReturnAuthorisation.objects.none()
    serializer_class = SalesReturnOut
    filterset_fields = ["status", "party", "order", "settlement"]
    search_fields = ["number", "party__name", "order__number"]
    ordering_fields = ["return_date", "number"]
    action_perms = {
        "create": "sales.add_returnauthorisation",
        "approve": APPROVE_RETURN_PERMISSION,
        "receive": "sales.deliver_salesorder",
        "credit": CREDIT_RETURN_PERMISSION,
        "cancel": "sales.change_returnauthorisation",
    }

    def get_queryset(self):
        lines = ReturnLine.objects.select_related("product").order_by("id")
        return selectors.returns_visible_to(self.request.user).prefetch_related(
            Prefetch("lines", queryset=lines)
        )

    @extend_schema(request=SalesReturnIn, responses={201: SalesReturnOut})
    def create(self, request):
        data = self.body(SalesReturnIn)
        # 404 for an order outside the user's scope, as for any record they cannot see.
        order = generics.get_object_or_404(
            selectors.orders_visible_to(request.user), pk=data["order"]
        )
        found = returns.create_return(
            order.pk,
            lines=[dict(line) for line in data["lines"]],
            reason=data["reason"],
            settlement=data["settlement"],
            on_date=data.get("date"),
            by=request.user,
        )
        return self._out(found, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=SalesReturnOut)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._out(returns.approve(self.get_object().pk, by=request.user))

    @extend_schema(request=SalesReturnReceiveIn, responses=SalesReturnOut)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        data = self.body(SalesReturnReceiveIn)
        found = returns.receive(
            self.get_object().pk,
            quantities=quantities_of(data),
            on_date=data.get("date"),
            by=request.user,
        )
        return self._out(found)

    @extend_schema(request=None, responses=SalesReturnOut)
    @action(detail=True, methods=["post"])
    def credit(self, request, pk=None):
        return self._out(returns.credit(self.get_object().pk, by=request.user))

    @extend_schema(request=SalesNoteIn, responses=SalesReturnOut)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        note = self.body(SalesNoteIn)["note"]
        return self._out(returns.cancel(self.get_object().pk, by=request.user, reason=note))
