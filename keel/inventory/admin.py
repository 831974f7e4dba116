"""Workspace pages of stock: warehouses and locations (created through services),
lots, transfers with their moves and buttons only for the steps the transfer allows
next, and stock levels as a read-only list with filters."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.import_export.forms import ExportForm
from unfold.decorators import action, display

from keel.core.admin_lists import CompanyRelatedListFilter
from keel.core.admin_steps import StepRecordAdmin
from keel.core.api.views import company_of
from keel.core.errors import DomainError
from keel.core.versioned_forms import SeenVersionForm, seen_version

from . import selectors
from .models import (
    Location,
    Lot,
    PutawayRule,
    ReplenishmentRule,
    StockLevel,
    StockMove,
    Transfer,
    Warehouse,
)
from .services import locations, putaway, replenishment, scanning, transfers, validation


class ExportableAdmin(ExportMixin, SimpleHistoryAdmin, ModelAdmin):
    export_form_class = ExportForm
    formats = [CSV, XLSX]


class ReadOnly:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Warehouse)
class WarehouseAdmin(ExportableAdmin):
    list_display = ["code", "name", "stock_location", "active"]
    search_fields = ["code", "name"]
    list_filter = ["active"]
    list_select_related = ["stock_location"]
    fields = ["code", "name", "view_location", "stock_location", "active"]
    readonly_fields = ["view_location", "stock_location"]

    def get_queryset(self, request):
        return selectors.warehouses_of(company_of(request.user).pk)

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "code"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if change:
            obj.updated_by = request.user
            obj.save(update_fields=["name", "active", "updated_by", "updated_at"])
            return
        try:
            created = locations.create_warehouse(
                company_of(request.user), code=obj.code, name=obj.name, by=request.user
            )
            obj.pk = created.pk
        except DomainError as error:
            messages.error(request, error.detail)


@admin.register(Location)
class LocationAdmin(ExportableAdmin):
    list_display = ["full_name", "usage", "warehouse", "allow_negative", "active"]
    list_filter = ["usage", ("warehouse", CompanyRelatedListFilter), "active"]
    search_fields = ["full_name"]
    list_select_related = ["warehouse"]
    fields = ["name", "parent", "usage", "allow_negative", "full_name", "warehouse", "active"]
    readonly_fields = ["full_name", "warehouse"]

    def get_queryset(self, request):
        return selectors.locations_of(company_of(request.user).pk)

    def get_readonly_fields(self, request, obj=None):
        if obj:  # the place in the tree and the stock rules are set when created
            return [*self.readonly_fields, "name", "parent", "usage", "allow_negative"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if change:
            obj.updated_by = request.user
            obj.save(update_fields=["active", "updated_by", "updated_at"])
            return
        try:
            created = locations.create_location(
                company_of(request.user),
                name=obj.name,
                parent=obj.parent,
                usage=obj.usage,
                allow_negative=obj.allow_negative,
                by=request.user,
            )
            obj.pk = created.pk
        except DomainError as error:
            messages.error(request, error.detail)


@admin.register(Lot)
class LotAdmin(ReadOnly, ExportableAdmin):
    """Lots and serial numbers are created by the receipts that bring them in."""

    list_display = ["name", "product", "kind", "expiry_date", "received_at"]
    list_filter = ["kind", ("expiry_date", admin.DateFieldListFilter)]
    search_fields = ["name", "product__name", "product__sku"]
    list_select_related = ["product"]
    fieldsets = [
        (None, {"fields": ["name", "product", "kind", "expiry_date", "received_at"]}),
        ("Traceability", {"fields": ["traceability"]}),
    ]
    readonly_fields = ["traceability"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(company=company_of(request.user))

    @admin.display(description="Upstream, inside and downstream")
    def traceability(self, lot):
        """Where the lot came from, how it moved, where it went and where it is now."""
        trace = selectors.trace_lot(lot)
        sections = [
            ("Received", trace.upstream, "from"),
            ("Moved inside", trace.internal, "by"),
            ("Delivered", trace.downstream, "to"),
        ]
        return render_to_string(
            "inventory/lot_trace.html",
            {"sections": sections, "on_hand": trace.on_hand, "lot": lot},
        )


class MoveInline(ReadOnly, TabularInline):
    model = StockMove
    fields = ["product", "quantity", "quantity_reserved", "quantity_done", "status", "lots"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("product")
            .prefetch_related("lines__lot", "lines__source")
        )

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("inventory.view_transfer")

    @admin.display(description="Lots and locations")
    def lots(self, move) -> str:
        return ", ".join(
            f"{line.quantity_done or line.quantity} {line.lot or ''} @ {line.source}".replace(
                "  ", " "
            )
            for line in move.lines.all()
        )


class ScanForm(forms.Form):
    code = forms.CharField(
        max_length=100,
        label="Barcode",
        help_text="Scan or type a barcode, SKU, lot or serial number",
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    quantity = forms.DecimalField(min_value=0, decimal_places=4, initial=1)


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=300, required=False)


_OPEN = (Transfer.Status.WAITING, Transfer.Status.READY)


@admin.register(Transfer)
class TransferAdmin(StepRecordAdmin):
    """Transfers are written through the API or the services; here they are followed
    and moved on with the buttons the status allows."""

    list_display = [
        "number",
        "kind",
        "partner",
        "source",
        "destination",
        "scheduled_date",
        "status_badge",
    ]
    list_filter = [
        "kind",
        "status",
        ("warehouse", CompanyRelatedListFilter),
        ("scheduled_date", admin.DateFieldListFilter),
    ]
    search_fields = ["number", "partner__name", "note"]
    list_select_related = ["partner", "source", "destination", "warehouse"]
    ordering = ["-scheduled_date", "-id"]
    fields = [
        "number",
        "kind",
        "status",
        "warehouse",
        "partner",
        "scheduled_date",
        "done_date",
        "source",
        "destination",
        "backorder_of",
        "note",
    ]
    readonly_fields = fields
    inlines = [MoveInline]
    actions_detail = [
        "process_transfer",
        "confirm_transfer",
        "reserve_transfer",
        "validate_transfer",
        "cancel",
    ]
    # Reserving leaves a partly available transfer waiting, so its button shows only
    # there; processing (scanning) is validating in steps.
    steps = {
        "confirm": ("inventory.change_transfer", (Transfer.Status.DRAFT,)),
        "reserve": ("inventory.change_transfer", (Transfer.Status.WAITING,)),
        "validate": ("inventory.validate_transfer", _OPEN),
        "process": ("inventory.validate_transfer", _OPEN),
        "cancel": (
            "inventory.cancel_transfer",
            tuple(
                status
                for status, next_ in Transfer.TRANSITIONS.items()
                if Transfer.Status.CANCELLED in next_
            ),
        ),
    }

    done = {
        "confirm": "Confirmed.",
        "reserve": "Reserved.",
        "validate": "Validated.",
        "cancel": "Cancelled.",
    }

    def get_queryset(self, request):
        return selectors.transfers_of(company_of(request.user).pk)

    def summary(self, transfer) -> str:
        return (
            f"{transfer.get_kind_display()} from {transfer.source} to "
            f"{transfer.destination}, {transfer.get_status_display().lower()}."
        )

    @display(
        description="Status",
        label={
            "draft": "info",
            "waiting": "warning",
            "ready": "primary",
            "done": "success",
            "cancelled": "danger",
        },
    )
    def status_badge(self, obj):
        return obj.status

    def _guarded(self, request, object_id, step: str, verb: str, run, form_class=forms.Form):
        if not self._may(request, object_id, step):
            raise PermissionDenied
        return self._step(request, object_id, verb, run, form_class, done=self.done[step])

    @action(description="Process (scan)", url_path="process", permissions=["process"])
    def process_transfer(self, request, object_id):
        """Scan codes into the done quantities, then validate what was scanned."""
        if not self._may(request, object_id, "process"):
            raise PermissionDenied
        transfer = self.get_queryset(request).get(pk=object_id)
        here = reverse("admin:inventory_transfer_process_transfer", args=[object_id])
        form = ScanForm(initial={"quantity": 1})
        if request.method == "POST" and "validate" in request.POST:
            try:
                validation.validate(transfer.pk, by=request.user)
            except DomainError as error:
                messages.error(request, error.detail)
                return redirect(here)
            messages.success(request, f"{transfer} validated.")
            return redirect(reverse("admin:inventory_transfer_change", args=[object_id]))
        if request.method == "POST":
            form = ScanForm(request.POST)
            if form.is_valid():
                try:
                    scanned = scanning.scan(
                        transfer.pk,
                        form.cleaned_data["code"],
                        form.cleaned_data["quantity"],
                        by=request.user,
                    )
                except DomainError as error:
                    form.add_error("code", error.detail)
                else:
                    messages.success(
                        request,
                        f"{scanned.product}: {scanning.shown(scanned.done)} of "
                        f"{scanning.shown(scanned.expected)} scanned.",
                    )
                    return redirect(here)
        moves = [
            (move, scanning.expected_of(move))
            for move in StockMove.objects.filter(transfer=transfer)
            .select_related("product", "source")
            .order_by("sequence", "id")
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Process {transfer}",
            "form": form,
            "transfer": transfer,
            "moves": moves,
            "open": transfer.status in _OPEN,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "inventory/process.html", context)

    @action(description="Confirm", url_path="confirm", permissions=["confirm"])
    def confirm_transfer(self, request, object_id):
        return self._guarded(
            request,
            object_id,
            "confirm",
            "Confirm",
            lambda t, _: transfers.confirm(t.pk, by=request.user),
        )

    @action(description="Check availability", url_path="reserve", permissions=["reserve"])
    def reserve_transfer(self, request, object_id):
        return self._guarded(
            request,
            object_id,
            "reserve",
            "Reserve",
            lambda t, _: transfers.reserve(t.pk, by=request.user),
        )

    @action(description="Validate", url_path="validate", permissions=["validate"])
    def validate_transfer(self, request, object_id):
        return self._guarded(
            request,
            object_id,
            "validate",
            "Validate everything reserved (or expected)",
            lambda t, _: validation.validate(t.pk, by=request.user),
        )

    @action(description="Cancel", url_path="cancel", permissions=["cancel"])
    def cancel(self, request, object_id):
        return self._guarded(
            request,
            object_id,
            "cancel",
            "Cancel",
            lambda t, data: transfers.cancel(t.pk, by=request.user, reason=data["reason"]),
            CancelForm,
        )


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnly, ExportMixin, ModelAdmin):
    """Stock on hand per product x location x lot; kept by the services, never edited."""

    list_display = [
        "product",
        "location",
        "lot",
        "on_hand",
        "reserved",
        "available_shown",
        "incoming",
        "outgoing",
    ]
    list_filter = [
        ("location__warehouse", CompanyRelatedListFilter),
        ("location", CompanyRelatedListFilter),
        ("product__category", CompanyRelatedListFilter),
    ]
    search_fields = ["product__name", "product__sku", "lot__name", "location__full_name"]
    list_select_related = ["product", "location", "lot"]
    export_form_class = ExportForm
    formats = [CSV, XLSX]

    def get_queryset(self, request):
        return selectors.levels_of(company_of(request.user).pk)

    @admin.display(description="Available")
    def available_shown(self, level):
        return level.available


@admin.register(ReplenishmentRule)
class ReplenishmentRuleAdmin(ExportableAdmin):
    """Min/max per product x warehouse, saved through the service (minimum <= maximum,
    one rule per product and warehouse, a stale edit refused)."""

    list_display = ["product", "warehouse", "minimum", "maximum", "lead_days", "active"]
    list_filter = [("warehouse", CompanyRelatedListFilter), "active"]
    search_fields = ["product__name", "product__sku"]
    list_select_related = ["product", "warehouse"]
    form = SeenVersionForm
    fields = ["product", "warehouse", "minimum", "maximum", "lead_days", "active", "seen_version"]

    def get_queryset(self, request):
        return selectors.rules_of(company_of(request.user).pk)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        company_id = company_of(request.user).pk
        if db_field.name == "warehouse":
            kwargs["queryset"] = selectors.warehouses_of(company_id)
        if db_field.name == "product":
            kwargs["queryset"] = selectors.stockable_products(company_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        try:
            saved = replenishment.save_rule(
                company_of(request.user),
                product=obj.product,
                warehouse=obj.warehouse,
                minimum=obj.minimum,
                maximum=obj.maximum,
                lead_days=obj.lead_days,
                active=obj.active,
                rule_id=obj.pk if change else None,
                expected_version=seen_version(form),
                by=request.user,
            )
            obj.pk, obj.version = saved.pk, saved.version
        except DomainError as error:
            messages.error(request, error.detail)


@admin.register(PutawayRule)
class PutawayRuleAdmin(ExportableAdmin):
    """Where receipts store a product or a category, saved and removed through the
    service (one of product and category, a location under the warehouse's stock)."""

    list_display = ["warehouse", "product", "category", "location", "active"]
    list_filter = [("warehouse", CompanyRelatedListFilter), "active"]
    search_fields = ["product__name", "product__sku", "category__full_name"]
    list_select_related = ["warehouse", "product", "category", "location"]
    form = SeenVersionForm
    fields = ["warehouse", "product", "category", "location", "active", "seen_version"]
    actions = None  # bulk delete would skip the service

    def get_queryset(self, request):
        return selectors.putaway_rules_of(company_of(request.user).pk)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        company_id = company_of(request.user).pk
        if db_field.name == "warehouse":
            kwargs["queryset"] = selectors.warehouses_of(company_id)
        if db_field.name == "product":
            kwargs["queryset"] = selectors.stockable_products(company_id)
        if db_field.name == "location":
            kwargs["queryset"] = selectors.locations_of(company_id).filter(
                usage=Location.Usage.INTERNAL, active=True
            )
        if db_field.name == "category":
            kwargs["queryset"] = db_field.related_model.objects.filter(company_id=company_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        try:
            saved = putaway.save_putaway_rule(
                company_of(request.user),
                warehouse=obj.warehouse,
                location=obj.location,
                product=obj.product,
                category=obj.category,
                active=obj.active,
                rule_id=obj.pk if change else None,
                expected_version=seen_version(form),
                by=request.user,
            )
            obj.pk, obj.version = saved.pk, saved.version
        except DomainError as error:
            messages.error(request, error.detail)

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:  # refused: the message says why; back to the form
            return redirect(reverse("admin:inventory_putawayrule_add"))
        return super().response_add(request, obj, post_url_continue)

    def delete_model(self, request, obj):
        putaway.remove_putaway_rule(company_of(request.user), obj.pk, by=request.user)


# Count sheets and landed costs register themselves.
from . import admin_counts  # noqa: E402, F401, I001
