"""Purchasing API: parse, check permission, call one service or selector."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from keel.core.api.versions import version_from
from keel.core.api.views import ReadViewSet

from .. import selectors
from ..models import BillMatch, PurchaseOrder, Requisition, Rfq, VendorPrice
from ..services import (
    bills,
    orders,
    prices,
    receipts,
    replenish,
    requisitions,
    returns,
    rfq_documents,
    rfqs,
)
from .serializers import (
    BidOut,
    BillIn,
    BillMatchOut,
    NoteIn,
    OrderEditIn,
    OrderIn,
    OrderOut,
    PurchaseCancelIn,
    ReceiveIn,
    ReplyIn,
    RequisitionIn,
    RequisitionOut,
    ReturnIn,
    RfqIn,
    RfqOut,
    ToRfqIn,
    VendorIn,
    VendorPriceIn,
    VendorPriceOut,
)


def _lines(data) -> list[dict]:
    return [dict(line) for line in data]


class VendorPriceViewSet(ReadViewSet):
    """What vendors charge: quantity breaks, validity, lead time, minimum, preferred."""

    queryset = VendorPrice.objects.none()
    serializer_class = VendorPriceOut
    filterset_fields = ["vendor", "product", "preferred", "currency"]
    ordering_fields = ["product__name", "min_quantity", "price"]

    def get_queryset(self):
        return selectors.vendor_prices_of(self.company().pk)

    @extend_schema(request=VendorPriceIn, responses={201: VendorPriceOut})
    def create(self, request):
        row = prices.save_vendor_price(self.company(), by=request.user, **self.body(VendorPriceIn))
        return self._out(row, status.HTTP_201_CREATED)


class RequisitionViewSet(ReadViewSet):
    """Purchase requisitions; submit, approve, reject, and turn into an RFQ or an order."""

    queryset = Requisition.objects.none()
    serializer_class = RequisitionOut
    filterset_fields = ["status", "warehouse"]
    ordering_fields = ["need_by", "number"]
    action_perms = {
        "submit": "purchasing.add_requisition",
        "approve": "purchasing.approve_requisition",
        "reject": "purchasing.approve_requisition",
        "to_rfq": "purchasing.add_rfq",
        "to_order": "purchasing.add_purchaseorder",
    }

    def get_queryset(self):
        return selectors.requisitions_visible_to(self.request.user, self.company().pk)

    @extend_schema(request=RequisitionIn, responses={201: RequisitionOut})
    def create(self, request):
        data = self.body(RequisitionIn)
        found = requisitions.create_requisition(
            self.company(), requested_by=request.user, lines=_lines(data.pop("lines")), **data
        )
        return self._out(found, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RequisitionOut)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        found = requisitions.submit_requisition(self.get_object().pk, by=request.user)
        return self._out(found)

    @extend_schema(request=NoteIn, responses=RequisitionOut)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        note = self.body(NoteIn)["note"]
        found = requisitions.approve_requisition(self.get_object().pk, by=request.user, note=note)
        return self._out(found)

    @extend_schema(request=NoteIn, responses=RequisitionOut)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        note = self.body(NoteIn)["note"]
        found = requisitions.reject_requisition(self.get_object().pk, by=request.user, note=note)
        return self._out(found)

    @extend_schema(request=ToRfqIn, responses={201: RfqOut})
    @action(detail=True, methods=["post"], url_path="to-rfq")
    def to_rfq(self, request, pk=None):
        current = self.get_object()
        rfq = requisitions.requisition_to_rfq(current.pk, by=request.user, **self.body(ToRfqIn))
        fresh = selectors.rfqs_of(self.company().pk).get(pk=rfq.pk)
        return Response(RfqOut(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VendorIn, responses={201: OrderOut})
    @action(detail=True, methods=["post"], url_path="to-order")
    def to_order(self, request, pk=None):
        current = self.get_object()
        order = requisitions.requisition_to_order(
            current.pk, by=request.user, **self.body(VendorIn)
        )
        fresh = selectors.orders_of(self.company().pk).get(pk=order.pk)
        return Response(OrderOut(fresh).data, status=status.HTTP_201_CREATED)


class RfqViewSet(ReadViewSet):
    """Requests for quotation: send, record replies, compare bids, award, cancel;
    `replenish/` raises draft RFQs for what is below its minimum."""

    queryset = Rfq.objects.none()
    serializer_class = RfqOut
    filterset_fields = ["status", "origin", "warehouse"]
    ordering_fields = ["number", "need_by"]
    action_perms = {
        "send": "purchasing.change_rfq",
        "email": "purchasing.change_rfq",
        "reply": "purchasing.change_rfq",
        "award": "purchasing.award_rfq",
        "cancel": "purchasing.change_rfq",
        "bids": "purchasing.view_rfq",
        "replenish": "purchasing.add_rfq",
    }

    def get_queryset(self):
        return selectors.rfqs_of(self.company().pk)

    @extend_schema(request=RfqIn, responses={201: RfqOut})
    def create(self, request):
        data = self.body(RfqIn)
        rfq = rfqs.create_rfq(
            self.company(), by=request.user, lines=_lines(data.pop("lines")), **data
        )
        return self._out(rfq, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RfqOut)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        return self._out(rfqs.send_rfq(self.get_object().pk, by=request.user))

    @extend_schema(request=None, responses=RfqOut)
    @action(detail=True, methods=["post"])
    def email(self, request, pk=None):
        """Send the RFQ and e-mail each vendor its PDF."""
        return self._out(rfq_documents.email_rfq(self.get_object().pk, by=request.user))

    @extend_schema(request=ReplyIn, responses=RfqOut)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        current = self.get_object()
        data = self.body(ReplyIn)
        rfqs.record_reply(
            current.pk,
            vendor=data["vendor"],
            quotes=_lines(data["quotes"]),
            note=data["note"],
            by=request.user,
        )
        return self._out(current)

    @extend_schema(responses=BidOut(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def bids(self, request, pk=None):
        """Each vendor's total and longest lead time, cheapest complete bid first."""
        return Response(BidOut(selectors.bid_comparison(self.get_object()), many=True).data)

    @extend_schema(request=VendorIn, responses={201: OrderOut})
    @action(detail=True, methods=["post"])
    def award(self, request, pk=None):
        current = self.get_object()
        order = rfqs.award(current.pk, by=request.user, **self.body(VendorIn))
        fresh = selectors.orders_of(self.company().pk).get(pk=order.pk)
        return Response(OrderOut(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PurchaseCancelIn, responses=RfqOut)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        reason = self.body(PurchaseCancelIn)["reason"]
        return self._out(rfqs.cancel_rfq(self.get_object().pk, by=request.user, reason=reason))

    @extend_schema(request=None, responses={201: RfqOut(many=True)})
    @action(detail=False, methods=["post"], pagination_class=None)
    def replenish(self, request):
        made = replenish.replenish(self.company(), by=request.user)
        fresh = self.get_queryset().filter(pk__in=[r.pk for r in made.rfqs]).order_by("id")
        return Response(RfqOut(fresh, many=True).data, status=status.HTTP_201_CREATED)


class PurchaseOrderViewSet(ReadViewSet):
    """Purchase orders: change a draft (PATCH, with If-Match), submit (approval above
    the threshold), approve, reject, cancel, receive what arrived, bill what was
    received."""

    queryset = PurchaseOrder.objects.none()
    serializer_class = OrderOut
    filterset_fields = ["status", "vendor", "warehouse", "receipt_status", "billing_status"]
    search_fields = ["number", "vendor__name", "vendor_ref"]
    ordering_fields = ["order_date", "number", "amount_total"]
    action_perms = {
        # Changing a draft is finishing what its buyer created.
        "partial_update": "purchasing.add_purchaseorder",
        "submit": "purchasing.change_purchaseorder",
        "approve": "purchasing.approve_purchaseorder",
        "reject": "purchasing.approve_purchaseorder",
        "cancel": "purchasing.cancel_purchaseorder",
        "receive": "purchasing.receive_purchaseorder",
        "return_goods": "purchasing.receive_purchaseorder",
        "bill": "purchasing.add_billmatch",
    }

    def get_queryset(self):
        return selectors.orders_of(self.company().pk)

    @extend_schema(request=OrderIn, responses={201: OrderOut})
    def create(self, request):
        data = self.body(OrderIn)
        order = orders.create_order(
            self.company(), by=request.user, lines=_lines(data.pop("lines")), **data
        )
        return self._out(order, status.HTTP_201_CREATED)

    @extend_schema(request=OrderEditIn, responses=OrderOut)
    def partial_update(self, request, pk=None):
        order = self.get_object()
        data = self.body(OrderEditIn)
        version = version_from(request, data)
        data.pop("version", None)
        if "lines" in data:
            data["lines"] = _lines(data["lines"])
        return self._out(orders.update_draft(order.pk, by=request.user, version=version, **data))

    @extend_schema(request=None, responses=OrderOut)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._out(orders.submit(self.get_object().pk, by=request.user))

    @extend_schema(request=NoteIn, responses=OrderOut)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        note = self.body(NoteIn)["note"]
        return self._out(orders.approve(self.get_object().pk, by=request.user, note=note))

    @extend_schema(request=NoteIn, responses=OrderOut)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        note = self.body(NoteIn)["note"]
        return self._out(orders.reject(self.get_object().pk, by=request.user, note=note))

    @extend_schema(request=PurchaseCancelIn, responses=OrderOut)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        reason = self.body(PurchaseCancelIn)["reason"]
        return self._out(orders.cancel(self.get_object().pk, by=request.user, reason=reason))

    @extend_schema(request=ReceiveIn, responses=OrderOut)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        current = self.get_object()
        data = self.body(ReceiveIn)
        lines = [
            {**line, "lots": [dict(lot) for lot in line.get("lots", [])]} for line in data["lines"]
        ]
        order = receipts.receive(current.pk, lines=lines, on_date=data.get("date"), by=request.user)
        return self._out(order)

    @extend_schema(request=ReturnIn, responses=OrderOut)
    @action(detail=True, methods=["post"], url_path="return")
    def return_goods(self, request, pk=None):
        """Send received goods back to the vendor (a billed part is credited)."""
        current = self.get_object()
        data = self.body(ReturnIn)
        returns.return_to_vendor(
            current.pk,
            lines=_lines(data["lines"]),
            on_date=data.get("date"),
            reason=data["reason"],
            by=request.user,
        )
        return self._out(current)

    @extend_schema(request=BillIn, responses={201: BillMatchOut})
    @action(detail=True, methods=["post"])
    def bill(self, request, pk=None):
        current = self.get_object()
        data = self.body(BillIn)
        lines = _lines(data["lines"]) if "lines" in data else None
        match = bills.bill_order(
            current.pk, date=data.get("date"), ref=data["ref"], lines=lines, by=request.user
        )
        fresh = selectors.bill_matches_of(self.company().pk).get(pk=match.pk)
        return Response(BillMatchOut(fresh).data, status=status.HTTP_201_CREATED)


class BillMatchViewSet(ReadViewSet):
    """Vendor bills drawn from orders and their match; `release/` posts a held one."""

    queryset = BillMatch.objects.none()
    serializer_class = BillMatchOut
    filterset_fields = ["status", "order"]
    action_perms = {"release": "purchasing.release_billmatch"}

    def get_queryset(self):
        return selectors.bill_matches_of(self.company().pk)

    @extend_schema(request=NoteIn, responses=BillMatchOut)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        note = self.body(NoteIn)["note"]
        return self._out(bills.release_hold(self.get_object().pk, by=request.user, note=note))
