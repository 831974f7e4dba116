"""API shapes of purchasing records; inputs list their writable fields."""

from __future__ import annotations

from rest_framework import serializers

from keel.core.api.serializers import CompanyScopedFieldsMixin, ExactOut, Number, RecordId
from keel.core.workflow import allowed_transitions
from keel.inventory.models import Warehouse
from keel.parties.models import Party
from keel.products.models import Product

from ..models import (
    BillMatch,
    PurchaseOrder,
    PurchaseOrderLine,
    Requisition,
    RequisitionLine,
    Rfq,
    RfqLine,
    RfqVendor,
    VendorPrice,
)


def vendors():
    return Party.objects.all()


# --- vendor prices ------------------------------------------------------------------
class VendorPriceOut(ExactOut):
    vendor_name = serializers.CharField(source="vendor.name")
    product_name = serializers.CharField(source="product.name")

    class Meta:
        model = VendorPrice
        fields = [
            "id",
            "vendor",
            "vendor_name",
            "product",
            "product_name",
            "currency",
            "price",
            "min_quantity",
            "valid_from",
            "valid_to",
            "lead_days",
            "minimum_order_quantity",
            "preferred",
        ]
        read_only_fields = fields


class VendorPriceIn(CompanyScopedFieldsMixin, serializers.Serializer):
    vendor = serializers.PrimaryKeyRelatedField(queryset=vendors())
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    price = Number(min_value=0)
    currency = serializers.CharField(max_length=3, required=False)
    min_quantity = Number(min_value=0, required=False, default=0)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_to = serializers.DateField(required=False, allow_null=True)
    lead_days = serializers.IntegerField(min_value=0, required=False, default=0)
    minimum_order_quantity = Number(min_value=0, required=False, default=0)
    preferred = serializers.BooleanField(required=False, default=False)


# --- lines in -----------------------------------------------------------------------
class ProductLineIn(CompanyScopedFieldsMixin, serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = Number(min_value=0)


class OrderLineIn(ProductLineIn):
    unit_price = Number(min_value=0, required=False)
    lead_days = serializers.IntegerField(min_value=0, required=False)
    description = serializers.CharField(max_length=300, required=False)


# --- requisitions -------------------------------------------------------------------
class RequisitionLineOut(ExactOut):
    product_name = serializers.CharField(source="product.name")

    class Meta:
        model = RequisitionLine
        fields = ["id", "product", "product_name", "quantity"]
        read_only_fields = fields


class RequisitionOut(ExactOut):
    lines = RequisitionLineOut(many=True)
    requested_by = serializers.CharField(source="requested_by.username")
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Requisition
        fields = [
            "id",
            "number",
            "status",
            "requested_by",
            "warehouse",
            "need_by",
            "reason",
            "decision_note",
            "lines",
            "allowed_transitions",
            "version",
        ]
        read_only_fields = fields

    def get_allowed_transitions(self, obj) -> list[str]:
        return allowed_transitions(obj)


class RequisitionIn(CompanyScopedFieldsMixin, serializers.Serializer):
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    need_by = serializers.DateField()
    reason = serializers.CharField(max_length=500)
    lines = ProductLineIn(many=True)


class NoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ToRfqIn(CompanyScopedFieldsMixin, serializers.Serializer):
    vendors = serializers.PrimaryKeyRelatedField(queryset=vendors(), many=True)
    currency = serializers.CharField(max_length=3, required=False)


class VendorIn(CompanyScopedFieldsMixin, serializers.Serializer):
    vendor = serializers.PrimaryKeyRelatedField(queryset=vendors())
    order_date = serializers.DateField(required=False)


# --- RFQs ---------------------------------------------------------------------------
class RfqLineOut(ExactOut):
    product_name = serializers.CharField(source="product.name")

    class Meta:
        model = RfqLine
        fields = ["id", "product", "product_name", "quantity"]
        read_only_fields = fields


class RfqVendorOut(ExactOut):
    vendor_name = serializers.CharField(source="vendor.name")
    quotes = serializers.SerializerMethodField()

    class Meta:
        model = RfqVendor
        fields = ["vendor", "vendor_name", "emailed_at", "replied_at", "note", "quotes"]
        read_only_fields = fields

    def get_quotes(self, obj) -> list[dict]:
        return [
            {"line": q.line_id, "unit_price": str(q.unit_price), "lead_days": q.lead_days}
            for q in obj.quotes.all()
        ]


class RfqOut(ExactOut):
    lines = RfqLineOut(many=True)
    vendors = RfqVendorOut(many=True)
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Rfq
        fields = [
            "id",
            "number",
            "status",
            "origin",
            "requisition",
            "warehouse",
            "currency",
            "need_by",
            "awarded_vendor",
            "lines",
            "vendors",
            "allowed_transitions",
            "version",
        ]
        read_only_fields = fields

    def get_allowed_transitions(self, obj) -> list[str]:
        return allowed_transitions(obj)


class RfqIn(CompanyScopedFieldsMixin, serializers.Serializer):
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    vendors = serializers.PrimaryKeyRelatedField(queryset=vendors(), many=True)
    currency = serializers.CharField(max_length=3, required=False)
    need_by = serializers.DateField(required=False, allow_null=True)
    lines = ProductLineIn(many=True)


class QuoteIn(serializers.Serializer):
    line = serializers.IntegerField()
    unit_price = Number(min_value=0)
    lead_days = serializers.IntegerField(min_value=0, required=False, default=0)


class ReplyIn(CompanyScopedFieldsMixin, serializers.Serializer):
    vendor = serializers.PrimaryKeyRelatedField(queryset=vendors())
    quotes = QuoteIn(many=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class BidOut(serializers.Serializer):
    vendor_id = serializers.IntegerField()
    vendor = serializers.CharField()
    replied = serializers.BooleanField()
    total = serializers.DecimalField(max_digits=19, decimal_places=2)
    longest_lead_days = serializers.IntegerField()
    complete = serializers.BooleanField()
    cheapest = serializers.BooleanField()
    fastest = serializers.BooleanField()


# --- purchase orders ----------------------------------------------------------------
class OrderLineOut(ExactOut):
    product_name = serializers.CharField(source="product.name")

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "id",
            "product",
            "product_name",
            "description",
            "quantity",
            "unit_price",
            "subtotal",
            "lead_days",
            "expected_date",
            "quantity_received",
            "quantity_billed",
        ]
        read_only_fields = fields


class OrderOut(ExactOut):
    vendor_name = serializers.CharField(source="vendor.name")
    lines = OrderLineOut(many=True)
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = PurchaseOrder
        fields = [
            "id",
            "number",
            "status",
            "vendor",
            "vendor_name",
            "warehouse",
            "currency",
            "order_date",
            "vendor_ref",
            "rfq",
            "requisition",
            "amount_total",
            "receipt_status",
            "billing_status",
            "lines",
            "allowed_transitions",
            "version",
        ]
        read_only_fields = fields

    def get_allowed_transitions(self, obj) -> list[str]:
        return allowed_transitions(obj)


class OrderIn(CompanyScopedFieldsMixin, serializers.Serializer):
    vendor = serializers.PrimaryKeyRelatedField(queryset=vendors())
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    order_date = serializers.DateField(required=False)
    currency = serializers.CharField(max_length=3, required=False)
    vendor_ref = serializers.CharField(max_length=100, required=False, allow_blank=True)
    lines = OrderLineIn(many=True)


class OrderEditIn(CompanyScopedFieldsMixin, serializers.Serializer):
    """What a draft's buyer may change; `lines`, when given, replaces them all."""

    vendor = serializers.PrimaryKeyRelatedField(queryset=vendors(), required=False)
    order_date = serializers.DateField(required=False)
    vendor_ref = serializers.CharField(max_length=100, required=False, allow_blank=True)
    lines = OrderLineIn(many=True, required=False)
    version = serializers.IntegerField(
        required=False, help_text="The version you read, if not sent as If-Match"
    )


class PurchaseCancelIn(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class LotIn(serializers.Serializer):
    lot = serializers.CharField(max_length=100)
    quantity = Number(min_value=0)
    expiry_date = serializers.DateField(required=False, allow_null=True)


class ReceiveLineIn(serializers.Serializer):
    line = RecordId()
    quantity = Number(min_value=0, required=False)
    lots = LotIn(many=True, required=False)


class ReceiveIn(serializers.Serializer):
    date = serializers.DateField(required=False)
    lines = ReceiveLineIn(many=True)


class ReturnLineIn(serializers.Serializer):
    line = RecordId()
    quantity = Number(min_value=0)


class ReturnIn(serializers.Serializer):
    date = serializers.DateField(required=False)
    reason = serializers.CharField(max_length=500)
    lines = ReturnLineIn(many=True)


class BillLineIn(serializers.Serializer):
    line = RecordId()
    quantity = Number(min_value=0)
    unit_price = Number(min_value=0, required=False)


class BillIn(serializers.Serializer):
    date = serializers.DateField(required=False)
    ref = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    lines = BillLineIn(many=True, required=False)


class BillMatchOut(ExactOut):
    bill_number = serializers.CharField(source="bill.number")
    bill_status = serializers.CharField(source="bill.status")
    amount_total = Number(source="bill.amount_total")
    order_number = serializers.CharField(source="order.number")
    vendor_name = serializers.CharField(source="order.vendor.name")

    class Meta:
        model = BillMatch
        fields = [
            "id",
            "order",
            "order_number",
            "vendor_name",
            "bill",
            "bill_number",
            "bill_status",
            "amount_total",
            "status",
            "hold_reason",
            "released_by",
            "released_at",
            "release_note",
        ]
        read_only_fields = fields
