"""Inventory API: parse, check permission, call one service or selector."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from keel.core.api.versions import version_from, with_etag
from keel.core.api.views import CompanyMixin
from keel.core.errors import InvalidInput

from .. import selectors
from ..models import (
    InventoryCount,
    LandedCost,
    Location,
    Lot,
    PutawayRule,
    ReplenishmentRule,
    StockLevel,
    Transfer,
    Warehouse,
)
from ..services import (
    counts,
    landed,
    locations,
    putaway,
    replenishment,
    scanning,
    transfers,
    validation,
)
from .serializers import (
    CancelIn,
    CountIn,
    CountLinesIn,
    CountOut,
    CountValidateIn,
    LandedCostIn,
    LandedCostOut,
    LocationOut,
    LotOut,
    NeedOut,
    PutawayRuleIn,
    PutawayRuleOut,
    ReplenishmentRuleIn,
    ReplenishmentRuleOut,
    ScanIn,
    ScanOut,
    StockLevelOut,
    TraceOut,
    TransferDetailOut,
    TransferIn,
    TransferOut,
    ValidateIn,
    WarehouseIn,
    WarehouseOut,
)


class WarehouseViewSet(
    CompanyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Warehouses; creating one creates its location tree (CODE/Stock)."""

    queryset = Warehouse.objects.none()
    serializer_class = WarehouseOut
    ordering_fields = ["code", "name"]

    def get_queryset(self):
        return selectors.warehouses_of(self.company().pk)

    @extend_schema(request=WarehouseIn, responses={201: WarehouseOut})
    def create(self, request):
        body = WarehouseIn(data=request.data)
        body.is_valid(raise_exception=True)
        warehouse = locations.create_warehouse(
            self.company(), by=request.user, **body.validated_data
        )
        return Response(WarehouseOut(warehouse).data, status=status.HTTP_201_CREATED)


class LocationViewSet(CompanyMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Location.objects.none()
    serializer_class = LocationOut
    filterset_fields = ["usage", "warehouse", "active", "parent"]
    search_fields = ["full_name"]
    ordering_fields = ["full_name"]

    def get_queryset(self):
        return selectors.locations_of(self.company().pk)


LEVEL_FILTERS = [
    OpenApiParameter(name, OpenApiTypes.INT, description=text)
    for name, text in (
        ("product", "Only this product"),
        ("location", "This location and the ones below it"),
        ("warehouse", "Only this warehouse's locations"),
    )
]


class StockLevelViewSet(CompanyMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Stock on hand, reserved, available, incoming and outgoing per product x location
    x lot."""

    queryset = StockLevel.objects.none()
    serializer_class = StockLevelOut
    ordering_fields = ["on_hand", "reserved"]

    def get_queryset(self):
        filters = {}
        for name in ("product", "location", "warehouse"):
            raw = self.request.query_params.get(name)
            if raw:
                try:
                    filters[name] = int(raw)
                except ValueError as error:
                    raise InvalidInput(f"{name} must be an id.", field=name) from error
        return selectors.levels_of(self.company().pk, **filters)

    @extend_schema(parameters=LEVEL_FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class TransferViewSet(
    CompanyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Receipts, deliveries and internal transfers; confirm, reserve, validate and
    cancel as actions."""

    queryset = Transfer.objects.none()
    serializer_class = TransferOut
    filterset_fields = ["kind", "status", "warehouse", "partner"]
    search_fields = ["number", "partner__name"]
    ordering_fields = ["scheduled_date", "number"]
    action_perms = {
        "confirm": "inventory.change_transfer",
        "reserve": "inventory.change_transfer",
        "validate": "inventory.validate_transfer",
        "cancel": "inventory.cancel_transfer",
        "scan": "inventory.change_transfer",
    }

    def get_queryset(self):
        found = selectors.transfers_of(self.company().pk)
        return found if self.action == "list" else selectors.with_moves(found)

    def get_serializer_class(self):
        return TransferOut if self.action == "list" else TransferDetailOut

    def _out(self, transfer, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=transfer.pk)
        response = Response(TransferDetailOut(fresh).data, status=code)
        with_etag(response, fresh.version)
        return response

    @extend_schema(request=TransferIn, responses={201: TransferDetailOut})
    def create(self, request):
        body = TransferIn(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        transfer = transfers.create_transfer(
            self.company(), by=request.user, lines=data.pop("lines"), **data
        )
        return self._out(transfer, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=TransferDetailOut)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._out(transfers.confirm(self.get_object().pk, by=request.user))

    @extend_schema(request=None, responses=TransferDetailOut)
    @action(detail=True, methods=["post"])
    def reserve(self, request, pk=None):
        return self._out(transfers.reserve(self.get_object().pk, by=request.user))

    @extend_schema(request=ValidateIn, responses=TransferDetailOut)
    @action(detail=True, methods=["post"])
    def validate(self, request, pk=None):
        current = self.get_object()
        body = ValidateIn(data=request.data)
        body.is_valid(raise_exception=True)
        done = body.validated_data.get("done")
        transfer = validation.validate(
            current.pk,
            done=[dict(d) for d in done] if done is not None else None,
            on_date=body.validated_data.get("date"),
            by=request.user,
        )
        return self._out(transfer)

    @extend_schema(request=ScanIn, responses=ScanOut)
    @action(detail=True, methods=["post"])
    def scan(self, request, pk=None):
        """Add a scanned code (barcode, SKU, lot or serial) to its move's done quantity."""
        current = self.get_object()
        body = ScanIn(data=request.data)
        body.is_valid(raise_exception=True)
        scanned = scanning.scan(
            current.pk,
            body.validated_data["code"],
            body.validated_data["quantity"],
            by=request.user,
        )
        return Response(ScanOut(scanned).data)

    @extend_schema(request=CancelIn, responses=TransferDetailOut)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        current = self.get_object()
        body = CancelIn(data=request.data)
        body.is_valid(raise_exception=True)
        transfer = transfers.cancel(
            current.pk, by=request.user, reason=body.validated_data["reason"]
        )
        return self._out(transfer)


class ReplenishmentRuleViewSet(
    CompanyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Min/max rules per product x warehouse; `needs/` lists the ones below minimum
    with the quantity to order. PUT honours `If-Match: "<version>"` (412 when stale)."""

    queryset = ReplenishmentRule.objects.none()
    serializer_class = ReplenishmentRuleOut
    filterset_fields = ["warehouse", "product", "active"]
    ordering_fields = ["warehouse__code", "product__name"]

    def get_queryset(self):
        return selectors.rules_of(self.company().pk).order_by("warehouse__code", "product__name")

    def _save(self, request, **kwargs):
        body = ReplenishmentRuleIn(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return replenishment.save_rule(
            self.company(), by=request.user, **body.validated_data, **kwargs
        )

    @extend_schema(request=ReplenishmentRuleIn, responses={201: ReplenishmentRuleOut})
    def create(self, request):
        rule = self._save(request)
        return Response(ReplenishmentRuleOut(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReplenishmentRuleIn, responses=ReplenishmentRuleOut)
    def update(self, request, pk=None):
        current = self.get_object()
        rule = self._save(request, rule_id=current.pk, expected_version=version_from(request))
        response = Response(ReplenishmentRuleOut(rule).data)
        with_etag(response, rule.version)
        return response

    @extend_schema(responses=NeedOut(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def needs(self, request):
        """Rules whose projected available (today + lead days) is below the minimum."""
        found = selectors.replenishment_needs(self.company())
        return Response(NeedOut(found, many=True).data)


class PutawayRuleViewSet(CompanyMixin, viewsets.ReadOnlyModelViewSet):
    """Where receipts store a product or a category in a warehouse. PUT honours
    `If-Match: "<version>"` (412 when stale); DELETE removes the rule."""

    queryset = PutawayRule.objects.none()
    serializer_class = PutawayRuleOut
    filterset_fields = ["warehouse", "product", "category", "location", "active"]
    ordering_fields = ["warehouse__code", "location__full_name"]

    def get_queryset(self):
        return selectors.putaway_rules_of(self.company().pk).order_by("warehouse__code", "id")

    def _save(self, request, **kwargs):
        body = PutawayRuleIn(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return putaway.save_putaway_rule(
            self.company(), by=request.user, **body.validated_data, **kwargs
        )

    @extend_schema(request=PutawayRuleIn, responses={201: PutawayRuleOut})
    def create(self, request):
        rule = self._save(request)
        return Response(PutawayRuleOut(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PutawayRuleIn, responses=PutawayRuleOut)
    def update(self, request, pk=None):
        current = self.get_object()
        rule = self._save(request, rule_id=current.pk, expected_version=version_from(request))
        response = Response(PutawayRuleOut(rule).data)
        with_etag(response, rule.version)
        return response

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        putaway.remove_putaway_rule(self.company(), self.get_object().pk, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LotViewSet(CompanyMixin, viewsets.ReadOnlyModelViewSet):
    """Lots and serial numbers; `trace/` tells where one came from and went."""

    queryset = Lot.objects.none()
    serializer_class = LotOut
    filterset_fields = ["product", "kind"]
    search_fields = ["name", "product__name", "product__sku"]
    ordering_fields = ["name", "expiry_date"]

    def get_queryset(self):
        return selectors.lots_of(self.company().pk).order_by("product__name", "name")

    @extend_schema(responses=TraceOut)
    @action(detail=True, methods=["get"])
    def trace(self, request, pk=None):
        """Upstream (receipts and their suppliers), internal moves, downstream
        (deliveries and their customers) and where it is now, from the done moves."""
        return Response(TraceOut(selectors.trace_lot(self.get_object())).data)


class InventoryCountViewSet(CompanyMixin, viewsets.ReadOnlyModelViewSet):
    """Count sheets: POST starts one for a location (with `category`, a cycle count),
    `count/` records counted quantities, `validate/` posts the differences as an
    adjustment (done); a done count cannot be counted or posted again."""

    queryset = InventoryCount.objects.none()
    serializer_class = CountOut
    filterset_fields = ["status", "location"]
    ordering_fields = ["date"]
    action_perms = {
        "count": "inventory.change_inventorycount",
        "validate": "inventory.change_inventorycount",
    }

    def get_queryset(self):
        return selectors.counts_of(self.company().pk).order_by("-date", "-id")

    def _out(self, count, code=status.HTTP_200_OK):
        return Response(CountOut(self.get_queryset().get(pk=count.pk)).data, status=code)

    @extend_schema(request=CountIn, responses={201: CountOut})
    def create(self, request):
        body = CountIn(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        count = counts.start_count(
            self.company(),
            location=data["location"],
            category=data["category"],
            on_date=data["date"],
            by=request.user,
        )
        return self._out(count, status.HTTP_201_CREATED)

    @extend_schema(request=CountLinesIn, responses=CountOut)
    @action(detail=True, methods=["post"])
    def count(self, request, pk=None):
        """Record `{"lines": [{"product", "lot", "counted"}]}`."""
        current = self.get_object()
        body = CountLinesIn(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        lines = body.validated_data["lines"]
        return self._out(counts.record_counts(current.pk, lines=lines, by=request.user))

    @extend_schema(request=CountValidateIn, responses=CountOut)
    @action(detail=True, methods=["post"])
    def validate(self, request, pk=None):
        """Post the differences (counted - expected) to or from inventory loss."""
        current = self.get_object()
        body = CountValidateIn(data=request.data)
        body.is_valid(raise_exception=True)
        on_date = body.validated_data["date"]
        return self._out(counts.validate_count(current.pk, on_date=on_date, by=request.user))


class LandedCostViewSet(CompanyMixin, viewsets.ReadOnlyModelViewSet):
    """Freight, duty or insurance on done receipts; POST splits it over the receipt's
    moves, raises their valuation and posts the entry in one step."""

    queryset = LandedCost.objects.none()
    serializer_class = LandedCostOut
    filterset_fields = ["receipt", "split_by"]
    ordering_fields = ["date"]

    def get_queryset(self):
        return selectors.landed_costs_of(self.company().pk).order_by("-date", "-id")

    @extend_schema(request=LandedCostIn, responses={201: LandedCostOut})
    def create(self, request):
        body = LandedCostIn(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        cost = landed.add_landed_cost(
            self.company(),
            receipt=data["receipt"],
            amount=data["amount"],
            split_by=data["split_by"],
            weights=data["weights"],
            on_date=data["date"] or timezone.localdate(),
            description=data["description"],
            by=request.user,
        )
        fresh = self.get_queryset().get(pk=cost.pk)
        return Response(LandedCostOut(fresh).data, status=status.HTTP_201_CREATED)
