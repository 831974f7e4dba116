"""API shapes of stock records; inputs list their writable fields."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from keel.core.api.serializers import CompanyScopedFieldsMixin, RecordId
from keel.core.workflow import allowed_transitions
from keel.parties.models import Party
from keel.products.models import Product, ProductCategory

from ..models import (
    CountLine,
    InventoryCount,
    LandedCost,
    LandedCostLine,
    Location,
    Lot,
    MoveLine,
    PutawayRule,
    ReplenishmentRule,
    StockLevel,
    StockMove,
    Transfer,
    Warehouse,
)

QUANTITY = {"max_digits": 19, "decimal_places": 4}


class Quantity(serializers.DecimalField):
    def __init__(self, **kwargs):
        super().__init__(**QUANTITY, **kwargs)


class LocationOut(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = [
            "id",
            "name",
            "full_name",
            "parent",
            "warehouse",
            "usage",
            "allow_negative",
            "active",
        ]
        read_only_fields = fields


class WarehouseOut(serializers.ModelSerializer):
    stock_location_name = serializers.CharField(source="stock_location.full_name", default="")

    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "stock_location", "stock_location_name", "active"]
        read_only_fields = fields


class WarehouseIn(serializers.Serializer):
    code = serializers.CharField(max_length=10)
    name = serializers.CharField(max_length=120)


class StockLevelOut(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name")
    sku = serializers.CharField(source="product.sku")
    location_name = serializers.CharField(source="location.full_name")
    lot_name = serializers.CharField(source="lot.name", default=None, allow_null=True)
    on_hand = Quantity()
    reserved = Quantity()
    available = Quantity()
    incoming = Quantity()
    outgoing = Quantity()

    class Meta:
        model = StockLevel
        fields = [
            "id",
            "product",
            "product_name",
            "sku",
            "location",
            "location_name",
            "lot",
            "lot_name",
            "on_hand",
            "reserved",
            "available",
            "incoming",
            "outgoing",
        ]
        read_only_fields = fields


class LineIn(CompanyScopedFieldsMixin, serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = Quantity()
    unit_cost = Quantity(required=False, allow_null=True, help_text="Receipts: cost of one unit")


class TransferIn(CompanyScopedFieldsMixin, serializers.Serializer):
    """A whole transfer with its lines, created as a draft."""

    kind = serializers.ChoiceField(Transfer.Kind.choices)
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    partner = serializers.PrimaryKeyRelatedField(
        queryset=Party.objects.all(), required=False, allow_null=True
    )
    scheduled_date = serializers.DateField(required=False)
    source = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True
    )
    destination = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    lines = serializers.ListField(child=serializers.DictField(), min_length=1)

    def validate_lines(self, lines):
        parsed = []
        for position, raw in enumerate(lines, 1):
            line = LineIn(data=raw, context=self.context)
            if not line.is_valid():
                raise serializers.ValidationError({f"lines[{position}]": line.errors})
            parsed.append(line.validated_data)
        return parsed


class DoneIn(serializers.Serializer):
    move = RecordId()
    quantity = Quantity()
    lot = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    expiry_date = serializers.DateField(required=False, allow_null=True, default=None)


class ValidateIn(serializers.Serializer):
    """Without `done`: everything reserved (or, on a receipt, expected) is done."""

    done = DoneIn(many=True, required=False)
    date = serializers.DateField(required=False)


class ScanIn(serializers.Serializer):
    """A scanned barcode, SKU, lot or serial number, and how many were scanned."""

    code = serializers.CharField(max_length=100)
    quantity = Quantity(required=False, default=Decimal(1))


class ScanOut(serializers.Serializer):
    move = serializers.IntegerField(source="move.pk")
    product = serializers.IntegerField(source="product.pk")
    product_name = serializers.CharField(source="product.__str__")
    lot = serializers.CharField(source="lot.name", default=None, allow_null=True)
    done = Quantity()
    expected = Quantity()


class CancelIn(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class MoveLineOut(serializers.ModelSerializer):
    lot_name = serializers.CharField(source="lot.name", default=None, allow_null=True)
    source_name = serializers.CharField(source="source.full_name")
    destination_name = serializers.CharField(source="destination.full_name")
    quantity = Quantity()
    quantity_done = Quantity()

    class Meta:
        model = MoveLine
        fields = [
            "id",
            "lot",
            "lot_name",
            "source",
            "source_name",
            "destination",
            "destination_name",
            "quantity",
            "quantity_done",
        ]
        read_only_fields = fields


class StockMoveOut(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name")
    quantity = Quantity()
    quantity_reserved = Quantity()
    quantity_done = Quantity()
    unit_cost = Quantity(allow_null=True)
    lines = MoveLineOut(many=True)

    class Meta:
        model = StockMove
        fields = [
            "id",
            "product",
            "product_name",
            "quantity",
            "quantity_reserved",
            "quantity_done",
            "unit_cost",
            "status",
            "date",
            "lines",
        ]
        read_only_fields = fields


class TransferOut(serializers.ModelSerializer):
    warehouse_code = serializers.CharField(source="warehouse.code")
    partner_name = serializers.CharField(source="partner.name", default=None, allow_null=True)
    source_name = serializers.CharField(source="source.full_name")
    destination_name = serializers.CharField(source="destination.full_name")
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Transfer
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "warehouse",
            "warehouse_code",
            "partner",
            "partner_name",
            "scheduled_date",
            "done_date",
            "source",
            "source_name",
            "destination",
            "destination_name",
            "backorder_of",
            "origin_id",
            "note",
            "version",
            "allowed_transitions",
        ]
        read_only_fields = fields

    def get_allowed_transitions(self, transfer) -> list[str]:
        return allowed_transitions(transfer)


class TransferDetailOut(TransferOut):
    moves = StockMoveOut(many=True)

    class Meta(TransferOut.Meta):
        fields = [*TransferOut.Meta.fields, "moves"]
        read_only_fields = fields


class ReplenishmentRuleOut(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name")
    warehouse_code = serializers.CharField(source="warehouse.code")
    minimum = Quantity()
    maximum = Quantity()

    class Meta:
        model = ReplenishmentRule
        fields = [
            "id",
            "product",
            "product_name",
            "warehouse",
            "warehouse_code",
            "minimum",
            "maximum",
            "lead_days",
            "active",
            "version",
        ]
        read_only_fields = fields


class ReplenishmentRuleIn(CompanyScopedFieldsMixin, serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    minimum = Quantity()
    maximum = Quantity()
    lead_days = serializers.IntegerField(min_value=0, required=False, default=0)
    active = serializers.BooleanField(required=False, default=True)


class NeedOut(serializers.Serializer):
    rule = serializers.IntegerField(source="rule.pk")
    product = serializers.IntegerField(source="rule.product_id")
    product_name = serializers.CharField(source="rule.product.name")
    sku = serializers.CharField(source="rule.product.sku")
    warehouse = serializers.IntegerField(source="rule.warehouse_id")
    warehouse_code = serializers.CharField(source="rule.warehouse.code")
    minimum = Quantity(source="rule.minimum")
    maximum = Quantity(source="rule.maximum")
    on_date = serializers.DateField()
    projected = Quantity()
    quantity = Quantity()


class LotOut(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name")

    class Meta:
        model = Lot
        fields = ["id", "name", "kind", "product", "product_name", "expiry_date", "received_at"]
        read_only_fields = fields


class StepOut(serializers.Serializer):
    date = serializers.DateField()
    transfer = serializers.IntegerField(source="transfer_id")
    number = serializers.CharField()
    kind = serializers.CharField()
    partner = serializers.IntegerField(source="partner_id", allow_null=True)
    partner_name = serializers.CharField(source="partner")
    source = serializers.CharField()
    destination = serializers.CharField()
    quantity = Quantity()


class TraceOut(serializers.Serializer):
    lot = LotOut()
    upstream = StepOut(many=True)
    internal = StepOut(many=True)
    downstream = StepOut(many=True)
    on_hand = serializers.SerializerMethodField()

    def get_on_hand(self, trace) -> list[dict]:
        return [{"location": name, "quantity": f"{qty:.4f}"} for name, qty in trace.on_hand]


class PutawayRuleOut(serializers.ModelSerializer):
    warehouse_code = serializers.CharField(source="warehouse.code")
    product_name = serializers.CharField(source="product.name", default=None, allow_null=True)
    category_name = serializers.CharField(
        source="category.full_name", default=None, allow_null=True
    )
    location_name = serializers.CharField(source="location.full_name")

    class Meta:
        model = PutawayRule
        fields = [
            "id",
            "warehouse",
            "warehouse_code",
            "product",
            "product_name",
            "category",
            "category_name",
            "location",
            "location_name",
            "active",
            "version",
        ]
        read_only_fields = fields


class PutawayRuleIn(CompanyScopedFieldsMixin, serializers.Serializer):
    """One of `product` and `category`; `location` under the warehouse's stock."""

    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True, default=None
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=ProductCategory.objects.all(), required=False, allow_null=True, default=None
    )
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all())
    active = serializers.BooleanField(required=False, default=True)


class CountLineOut(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name")
    sku = serializers.CharField(source="product.sku")
    lot_name = serializers.CharField(source="lot.name", default=None, allow_null=True)
    expected = Quantity()
    counted = Quantity(allow_null=True)
    difference = Quantity(allow_null=True)

    class Meta:
        model = CountLine
        fields = [
            "id",
            "product",
            "product_name",
            "sku",
            "lot",
            "lot_name",
            "expected",
            "counted",
            "difference",
        ]
        read_only_fields = fields


class CountOut(serializers.ModelSerializer):
    location_name = serializers.CharField(source="location.full_name")
    adjustment_number = serializers.CharField(
        source="adjustment.number", default=None, allow_null=True
    )
    lines = CountLineOut(many=True)

    class Meta:
        model = InventoryCount
        fields = [
            "id",
            "location",
            "location_name",
            "date",
            "status",
            "note",
            "adjustment",
            "adjustment_number",
            "lines",
        ]
        read_only_fields = fields


class CountIn(CompanyScopedFieldsMixin, serializers.Serializer):
    """A count sheet of `location`; with `category`, a cycle count of its products."""

    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all())
    category = serializers.PrimaryKeyRelatedField(
        queryset=ProductCategory.objects.all(), required=False, allow_null=True, default=None
    )
    date = serializers.DateField(required=False, allow_null=True, default=None)


class CountedIn(CompanyScopedFieldsMixin, serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    lot = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    counted = Quantity()


class CountLinesIn(serializers.Serializer):
    lines = serializers.ListField(child=serializers.DictField(), min_length=1)

    def validate_lines(self, lines):
        parsed = []
        for position, raw in enumerate(lines, 1):
            line = CountedIn(data=raw, context=self.context)
            if not line.is_valid():
                raise serializers.ValidationError({f"lines[{position}]": line.errors})
            parsed.append(dict(line.validated_data))
        return parsed


class CountValidateIn(serializers.Serializer):
    date = serializers.DateField(required=False, allow_null=True, default=None)


class LandedCostLineOut(serializers.ModelSerializer):
    product = serializers.IntegerField(source="move.product_id")
    product_name = serializers.CharField(source="move.product.name")
    basis = serializers.DecimalField(max_digits=19, decimal_places=4)
    amount = serializers.DecimalField(max_digits=19, decimal_places=2)

    class Meta:
        model = LandedCostLine
        fields = ["id", "move", "product", "product_name", "basis", "amount"]
        read_only_fields = fields


class LandedCostOut(serializers.ModelSerializer):
    receipt_number = serializers.CharField(source="receipt.number")
    amount = serializers.DecimalField(max_digits=19, decimal_places=2)
    lines = LandedCostLineOut(many=True)

    class Meta:
        model = LandedCost
        fields = [
            "id",
            "receipt",
            "receipt_number",
            "date",
            "amount",
            "split_by",
            "description",
            "lines",
        ]
        read_only_fields = fields


class LandedCostIn(CompanyScopedFieldsMixin, serializers.Serializer):
    """Freight, duty or insurance on a done receipt, split and posted at once;
    `weights` maps move ids to weights when split by weight."""

    receipt = serializers.PrimaryKeyRelatedField(queryset=Transfer.objects.all())
    amount = serializers.DecimalField(max_digits=19, decimal_places=2)
    split_by = serializers.ChoiceField(LandedCost.Split.choices)
    weights = serializers.DictField(
        child=serializers.DecimalField(max_digits=19, decimal_places=4, min_value=0),
        required=False,
        default=dict,
    )
    date = serializers.DateField(required=False, allow_null=True, default=None)
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )

    def validate_weights(self, weights):
        try:
            return {int(move): weight for move, weight in weights.items()}
        except ValueError as error:
            raise serializers.ValidationError("Weights are keyed by move id.") from error
