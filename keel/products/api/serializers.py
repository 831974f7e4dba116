"""API shapes of products records; each lists its writable fields."""

from __future__ import annotations

from rest_framework import serializers

from keel.core.api.serializers import CompanyScopedFieldsMixin

from ..models import (
    PriceGroup,
    PriceList,
    PriceListRule,
    Product,
    ProductCategory,
    Uom,
    UomCategory,
)


class UomCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = UomCategory
        fields = ["id", "name"]


class UomSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = Uom
        fields = [
            "id",
            "category",
            "category_name",
            "name",
            "symbol",
            "ratio",
            "rounding",
            "is_reference",
            "active",
        ]
        read_only_fields = ["id", "category_name"]


class ProductCategorySerializer(CompanyScopedFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = ProductCategory
        fields = ["id", "name", "parent", "full_name", "costing_method"]
        read_only_fields = ["id", "full_name"]


class ProductSerializer(CompanyScopedFieldsMixin, serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.full_name", read_only=True, default="")
    uom_name = serializers.CharField(source="uom.name", read_only=True)
    currency = serializers.CharField(source="company.currency", read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "kind",
            "name",
            "sku",
            "barcode",
            "category",
            "category_name",
            "uom",
            "uom_name",
            "sale_price",
            "cost_price",
            "currency",
            "active",
            "tracking",
            "supply_route",
            "description",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "category_name",
            "uom_name",
            "currency",
            "version",
            "created_at",
            "updated_at",
        ]
        # Uniqueness (SKU, barcode) is the service's to check, with a clear message.
        validators = []


class PriceGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceGroup
        fields = ["id", "name"]
        validators = []


class PriceListRuleSerializer(CompanyScopedFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = PriceListRule
        fields = [
            "id",
            "price_list",
            "name",
            "product",
            "category",
            "price_group",
            "min_quantity",
            "valid_from",
            "valid_to",
            "price_type",
            "fixed_price",
            "discount_percent",
        ]
        read_only_fields = ["id"]


class NestedRuleSerializer(PriceListRuleSerializer):
    class Meta(PriceListRuleSerializer.Meta):
        read_only_fields = PriceListRuleSerializer.Meta.fields


class PriceListSerializer(serializers.ModelSerializer):
    rules = NestedRuleSerializer(many=True, read_only=True)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True)

    class Meta:
        model = PriceList
        fields = [
            "id",
            "name",
            "currency",
            "active",
            "is_default",
            "valid_from",
            "valid_to",
            "rules",
        ]
        read_only_fields = ["id", "rules"]
        validators = []


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PriceQuoteSerializer(serializers.Serializer):
    """The answer of GET /products/{id}/price/."""

    product = serializers.IntegerField(source="product.pk")
    quantity = serializers.DecimalField(max_digits=18, decimal_places=4)
    date = serializers.DateField(source="on_date")
    unit_price = serializers.CharField()
    currency = serializers.CharField()
    list_price = serializers.CharField()
    price_list = NamedRefSerializer(allow_null=True)
    rule = NamedRefSerializer(allow_null=True)
    explanation = serializers.CharField()
