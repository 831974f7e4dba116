"""Products API: parse, check permission, call one service or selector."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

import django_filters
from django.apps import apps
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from keel.core.api.filters import KeelFilterSet
from keel.core.api.versions import version_from, with_etag
from keel.core.errors import InvalidInput, NotFound, PermissionRefused
from keel.core.models import Company

from .. import selectors
from ..models import (
    PriceGroup,
    PriceList,
    PriceListRule,
    Product,
    ProductCategory,
    Uom,
    UomCategory,
)
from ..pricing import price_for
from ..services import catalog, pricelists, uoms
from .serializers import (
    PriceGroupSerializer,
    PriceListRuleSerializer,
    PriceListSerializer,
    PriceQuoteSerializer,
    ProductCategorySerializer,
    ProductSerializer,
    UomCategorySerializer,
    UomSerializer,
)


class ServiceViewSet(viewsets.ModelViewSet):
    """Writes go through `save_service`/`delete_service`; reads are the user's company's."""

    save_service = None
    delete_service = None
    company_scoped = True

    def company_id(self) -> int | None:
        return selectors.company_id_of(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "company_id": self.company_id()}

    def perform_create(self, serializer):
        fields = dict(serializer.validated_data)
        if self.company_scoped:
            company_id = self.company_id()
            if company_id is None:
                raise InvalidInput("No company is set up yet; run `keel demo` or create one.")
            fields["company"] = Company.objects.get(pk=company_id)
        record = self.queryset.model(**fields)
        serializer.instance = type(self).save_service(record, **self.save_kwargs())

    def perform_update(self, serializer):
        record = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(record, field, value)
        serializer.instance = type(self).save_service(record, **self.save_kwargs())

    def perform_destroy(self, instance):
        type(self).delete_service(instance)

    def save_kwargs(self) -> dict:
        return {"by": self.request.user}


class UomCategoryViewSet(ServiceViewSet):
    queryset = UomCategory.objects.all()
    serializer_class = UomCategorySerializer
    search_fields = ["name"]
    ordering_fields = ["name"]
    company_scoped = False
    save_service = staticmethod(uoms.save_uom_category)
    delete_service = staticmethod(uoms.delete_uom_category)


class UomViewSet(ServiceViewSet):
    queryset = Uom.objects.none()
    serializer_class = UomSerializer
    filterset_fields = ["category", "active", "is_reference"]
    search_fields = ["name", "symbol"]
    ordering_fields = ["name", "ratio"]
    company_scoped = False
    save_service = staticmethod(uoms.save_uom)
    delete_service = staticmethod(uoms.delete_uom)

    def get_queryset(self):
        return selectors.uoms()


class ProductCategoryViewSet(ServiceViewSet):
    queryset = ProductCategory.objects.none()
    serializer_class = ProductCategorySerializer
    filterset_fields = ["parent"]
    search_fields = ["name", "full_name"]
    ordering_fields = ["full_name", "name"]
    save_service = staticmethod(catalog.save_category)
    delete_service = staticmethod(catalog.delete_category)

    def get_queryset(self):
        return selectors.categories_of(self.company_id())


class ProductFilter(KeelFilterSet):
    in_category = django_filters.NumberFilter(
        method="filter_in_category", label="Category or any category below it"
    )

    class Meta:
        model = Product
        fields = ["kind", "category", "active", "uom", "sku", "barcode"]

    def filter_in_category(self, queryset, name, value):
        return queryset.filter(category__path__contains=f"/{int(value)}/")


def _decimal(params, name: str, default: str) -> Decimal:
    try:
        return Decimal(params.get(name) or default)
    except InvalidOperation as error:
        raise InvalidInput(f"'{params.get(name)}' is not a number.", field=name) from error


def _int(params, name: str) -> int | None:
    raw = params.get(name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as error:
        raise InvalidInput(f"'{raw}' is not an id.", field=name) from error


def _pricing_party(request, company_id: int | None):
    """Who is buying: a parties.Party when the parties module is installed and
    `party` is given, else the price group / price list given directly."""
    params = request.query_params
    party_id, group_id, list_id = (_int(params, n) for n in ("party", "price_group", "price_list"))
    if party_id is not None:
        # No import of keel.parties (a sibling domain): the model is looked up by name.
        if not apps.is_installed("keel.parties"):
            raise InvalidInput(
                "Pricing by party needs the parties module; pass price_group and price_list.",
                field="party",
            )
        if not request.user.has_perm("parties.view_party"):
            raise PermissionRefused("You may not see parties.", field="party")
        party = apps.get_model("parties", "Party").objects.filter(pk=party_id).first()
        if party is None:
            raise InvalidInput(f"No party with id {party_id}.", field="party")
        return party
    if group_id and not PriceGroup.objects.filter(pk=group_id, company_id=company_id).exists():
        raise InvalidInput(f"No price group with id {group_id}.", field="price_group")
    if list_id and not PriceList.objects.filter(pk=list_id, company_id=company_id).exists():
        raise InvalidInput(f"No price list with id {list_id}.", field="price_list")
    return SimpleNamespace(price_group_id=group_id, price_list_id=list_id)


class ProductViewSet(ServiceViewSet):
    """Products; archive with `active: false` (they are never deleted through the API).

    PUT/PATCH honour `If-Match: "<version>"`: an edit of an older version is a 412.
    """

    queryset = Product.objects.none()
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    search_fields = ["name", "sku", "barcode"]
    ordering_fields = ["name", "sku", "sale_price", "cost_price", "created_at"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    save_service = staticmethod(catalog.save_product)
    action_perms = {"price": "products.view_product", "lookup": "products.view_product"}

    def get_queryset(self):
        return selectors.products_of(self.company_id())

    def save_kwargs(self) -> dict:
        kwargs = super().save_kwargs()
        if self.action in ("update", "partial_update"):
            kwargs["expected_version"] = version_from(self.request)
        return kwargs

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        with_etag(response, response.data["version"])
        return response

    @extend_schema(
        parameters=[
            OpenApiParameter("quantity", OpenApiTypes.DECIMAL, description="Default 1"),
            OpenApiParameter("date", OpenApiTypes.DATE, description="Default today"),
            OpenApiParameter("party", OpenApiTypes.INT, description="Needs the parties module"),
            OpenApiParameter("price_group", OpenApiTypes.INT),
            OpenApiParameter("price_list", OpenApiTypes.INT),
        ],
        responses=PriceQuoteSerializer,
    )
    @action(detail=True, methods=["get"])
    def price(self, request, pk=None):
        """The unit price for a customer, quantity and date, with the rule that set it."""
        product = self.get_object()
        quantity = _decimal(request.query_params, "quantity", "1")
        raw_date = request.query_params.get("date")
        try:
            on_date = date.fromisoformat(raw_date) if raw_date else None
        except ValueError as error:
            raise InvalidInput(f"'{raw_date}' is not a date (YYYY-MM-DD).", field="date") from error
        party = _pricing_party(request, product.company_id)
        quote = price_for(product, party, quantity, on_date)
        return Response(PriceQuoteSerializer(quote).data)

    @extend_schema(
        parameters=[OpenApiParameter("code", OpenApiTypes.STR, required=True)],
        responses=ProductSerializer,
    )
    @action(detail=False, methods=["get"])
    def lookup(self, request):
        """The product whose barcode or SKU is exactly `code` (a scanner's query)."""
        code = request.query_params.get("code", "")
        product = selectors.lookup_product(self.company_id(), code)
        if product is None:
            raise NotFound(f"No product has barcode or SKU '{code}'.", field="code")
        return Response(self.get_serializer(product).data)


class PriceGroupViewSet(ServiceViewSet):
    queryset = PriceGroup.objects.none()
    serializer_class = PriceGroupSerializer
    search_fields = ["name"]
    ordering_fields = ["name"]
    save_service = staticmethod(pricelists.save_price_group)
    delete_service = staticmethod(pricelists.delete_price_group)

    def get_queryset(self):
        return PriceGroup.objects.filter(company_id=self.company_id())


class PriceListViewSet(ServiceViewSet):
    """Price lists with their rules (read-only here; write them at /price-list-rules/)."""

    queryset = PriceList.objects.none()
    serializer_class = PriceListSerializer
    filterset_fields = ["active", "is_default", "currency"]
    search_fields = ["name"]
    ordering_fields = ["name", "valid_from"]
    save_service = staticmethod(pricelists.save_price_list)
    delete_service = staticmethod(pricelists.delete_price_list)

    def get_queryset(self):
        return selectors.price_lists_of(self.company_id())


class PriceListRuleViewSet(ServiceViewSet):
    queryset = PriceListRule.objects.none()
    serializer_class = PriceListRuleSerializer
    filterset_fields = ["price_list", "product", "category", "price_group", "price_type"]
    search_fields = ["name"]
    ordering_fields = ["name", "min_quantity", "valid_from"]
    save_service = staticmethod(pricelists.save_rule)
    delete_service = staticmethod(pricelists.delete_rule)

    def get_queryset(self):
        return selectors.price_list_rules_of(self.company_id())
