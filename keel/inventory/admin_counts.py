"""Workspace pages of counts and landed costs: a count sheet is started, counted
(the counted column of its lines) and posted through the count services; a landed
cost is added to a done receipt through the landed-cost service. Refusals are
messages and change nothing."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from unfold.admin import TabularInline
from unfold.decorators import action, display

from keel.core.admin_steps import StepFormMixin
from keel.core.api.views import company_of
from keel.core.errors import DomainError
from keel.products.models import ProductCategory

from . import selectors
from .admin import ExportableAdmin
from .models import CountLine, InventoryCount, LandedCost, LandedCostLine, Location, Transfer
from .services import counts, landed


class StartCountForm(forms.ModelForm):
    category = forms.ModelChoiceField(
        queryset=ProductCategory.objects.none(),
        required=False,
        help_text="A cycle count: only the products of this category (and below it)",
    )

    class Meta:
        model = InventoryCount
        fields = ["location", "date"]


class CountLineInline(TabularInline):
    """The sheet: what was expected, and the counted column to fill in while draft."""

    model = CountLine
    fields = ["product", "lot", "expected", "counted", "difference_shown"]
    readonly_fields = ["product", "lot", "expected", "difference_shown"]
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "lot")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return (
            obj is not None
            and obj.status == InventoryCount.Status.DRAFT
            and request.user.has_perm("inventory.change_inventorycount")
        )

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("inventory.view_inventorycount")

    @admin.display(description="Difference")
    def difference_shown(self, line):
        return "" if line.difference is None else line.difference


@admin.register(InventoryCount)
class InventoryCountAdmin(StepFormMixin, ExportableAdmin):
    """Count sheets: Add starts one (a location, optionally a category); its lines
    take the counted quantities; Post count moves the differences."""

    list_display = ["__str__", "location", "date", "status_badge", "adjustment"]
    list_filter = ["status", ("date", admin.DateFieldListFilter)]
    list_select_related = ["location", "adjustment"]
    search_fields = ["location__full_name", "note", "adjustment__number"]
    readonly_fields = ["location", "date", "status", "note", "adjustment"]
    inlines = [CountLineInline]
    actions = None
    actions_detail = ["post_count"]

    def get_queryset(self, request):
        return InventoryCount.objects.filter(company=company_of(request.user))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = StartCountForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            company_id = company_of(request.user).pk
            form.base_fields["location"].queryset = (
                selectors.locations_of(company_id)
                .select_related(None)
                .filter(usage=Location.Usage.INTERNAL, active=True, warehouse__isnull=False)
            )
            form.base_fields["category"].queryset = ProductCategory.objects.filter(
                company_id=company_id
            )
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["location", "category", "date"]
        return ["location", "date", "status", "note", "adjustment"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @display(
        description="Status", label={"draft": "info", "done": "success", "cancelled": "danger"}
    )
    def status_badge(self, obj):
        return obj.status

    def save_model(self, request, obj, form, change):
        if change:
            return  # the sheet itself is not edited; its lines go through save_formset
        try:
            started = counts.start_count(
                company_of(request.user),
                location=form.cleaned_data["location"],
                category=form.cleaned_data.get("category"),
                on_date=form.cleaned_data["date"],
                by=request.user,
            )
            obj.pk = started.pk
        except DomainError as error:
            messages.error(request, error.detail)

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:  # refused: the message says why
            return HttpResponseRedirect(reverse("admin:inventory_inventorycount_add"))
        # Straight to the sheet, where the counted quantities are entered.
        return HttpResponseRedirect(reverse("admin:inventory_inventorycount_change", args=[obj.pk]))

    def save_related(self, request, form, formsets, change):
        for formset in formsets:  # the change message reads these; the service saves
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if not change:
            return
        lines = [
            {
                "product": f.instance.product,
                "lot": f.instance.lot.name if f.instance.lot_id else "",
                "counted": f.cleaned_data["counted"],
            }
            for formset in formsets
            for f in formset.forms
            if f.has_changed() and f.cleaned_data.get("counted") is not None
        ]
        if not lines:
            return
        try:
            counts.record_counts(form.instance.pk, lines=lines, by=request.user)
        except DomainError as error:
            messages.error(request, error.detail)

    def has_post_permission(self, request, object_id=None) -> bool:
        if not request.user.has_perm("inventory.change_inventorycount"):
            return False
        if object_id is None:
            return True
        found = self.get_queryset(request).filter(pk=object_id).first()
        return found is not None and found.status == InventoryCount.Status.DRAFT

    @action(description="Post count", url_path="post", permissions=["post"])
    def post_count(self, request, object_id):
        """Move the differences (counted - expected) to or from inventory loss."""
        if not self.has_post_permission(request, object_id):
            raise PermissionDenied

        def posted(count) -> str:
            count.refresh_from_db()
            made = f" as {count.adjustment}" if count.adjustment_id else " (no difference)"
            return f"{count} posted{made}."

        return self._step(
            request,
            object_id,
            "Post the differences",
            lambda count, _: counts.validate_count(count.pk, by=request.user),
            done=posted,
        )


class AddLandedCostForm(forms.ModelForm):
    class Meta:
        model = LandedCost
        fields = ["receipt", "amount", "split_by", "date", "description"]
        help_texts = {"split_by": "By weight needs weights: use the API for that"}


class LandedCostLineInline(TabularInline):
    model = LandedCostLine
    fields = ["move", "basis", "amount"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("move__product")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("inventory.view_landedcost")


@admin.register(LandedCost)
class LandedCostAdmin(ExportableAdmin):
    """Freight, duty or insurance on done receipts: Add splits, values and posts it in
    one step through the service; a landed cost is never edited afterwards."""

    list_display = ["__str__", "receipt", "date", "amount", "split_by"]
    list_select_related = ["receipt"]
    list_filter = ["split_by", ("date", admin.DateFieldListFilter)]
    search_fields = ["receipt__number", "description"]
    inlines = [LandedCostLineInline]
    actions = None

    def get_queryset(self, request):
        return LandedCost.objects.filter(company=company_of(request.user))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = AddLandedCostForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            form.base_fields["receipt"].queryset = selectors.transfers_of(
                company_of(request.user).pk
            ).filter(kind=Transfer.Kind.RECEIPT, status=Transfer.Status.DONE)
        return form

    def get_fields(self, request, obj=None):
        return ["receipt", "amount", "split_by", "date", "description"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        try:
            added = landed.add_landed_cost(
                company_of(request.user),
                receipt=obj.receipt,
                amount=obj.amount,
                split_by=obj.split_by,
                on_date=obj.date,
                description=obj.description,
                by=request.user,
            )
            obj.pk = added.pk
        except DomainError as error:
            messages.error(request, error.detail)

    def save_related(self, request, form, formsets, change):
        return  # the service wrote the lines

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:  # refused: the message says why
            return HttpResponseRedirect(reverse("admin:inventory_landedcost_add"))
        return HttpResponseRedirect(reverse("admin:inventory_landedcost_change", args=[obj.pk]))
