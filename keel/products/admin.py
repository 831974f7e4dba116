"""Workspace pages of products, units and price lists. Writes go through services;
their guards show as form errors next to the field."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.forms.models import construct_instance
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export import fields, resources
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.import_export.forms import ExportForm
from unfold.decorators import display

from keel.core.admin_lists import ListPageMixin
from keel.core.errors import DomainError
from keel.core.versioned_forms import SeenVersionForm, seen_version

from . import selectors
from .models import (
    PriceGroup,
    PriceList,
    PriceListRule,
    Product,
    ProductCategory,
    Uom,
    UomCategory,
)
from .services import catalog, pricelists, uoms


def _report(form, error: DomainError) -> None:
    """Show a service's refusal next to its field (or on top of the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.detail)


class CheckedForm(forms.ModelForm):
    """Runs the service's read-only guard on the built instance during validation,
    before the database constraints (whose messages are for developers)."""

    guard = None  # set per admin: a function(instance) raising DomainError
    company_id = None

    def run_guard(self) -> None:
        type(self).guard(self.instance)

    def _post_clean(self):
        if not self.errors:
            opts = self._meta
            self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)
            if hasattr(self.instance, "company_id") and self.instance.company_id is None:
                self.instance.company_id = self.company_id
            try:
                self.run_guard()
            except DomainError as error:
                _report(self, error)
                return
        super()._post_clean()


class ServiceAdmin(ExportMixin, SimpleHistoryAdmin, ModelAdmin):
    """Saves and deletes through the domain's services; every list exports to CSV/XLSX."""

    export_form_class = ExportForm
    formats = [CSV, XLSX]

    guard = None
    save_service = None
    delete_service = None

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change, **kwargs)
        attrs = {
            "guard": staticmethod(type(self).guard),
            "company_id": selectors.company_id_of(request.user),
        }
        return type(f"Checked{base.__name__}", (CheckedForm, base), attrs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Choices of company records (categories, price lists ...) are the user's company's."""
        related = db_field.related_model
        if any(field.name == "company" for field in related._meta.fields):
            company_id = selectors.company_id_of(request.user)
            kwargs["queryset"] = related._default_manager.filter(company_id=company_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        type(self).save_service(obj, by=request.user)

    def delete_model(self, request, obj):
        type(self).delete_service(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            try:
                type(self).delete_service(obj)
            except DomainError as error:
                messages.error(request, f"{obj}: {error.detail}")


class CompanyAdmin(ServiceAdmin):
    """Rows of the signed-in user's company only."""

    exclude = ["company"]

    def get_queryset(self, request):
        company_id = selectors.company_id_of(request.user)
        return super().get_queryset(request).filter(company_id=company_id)


class UomInline(TabularInline):
    model = Uom
    extra = 0
    fields = ["name", "symbol", "ratio", "rounding", "is_reference", "active"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(UomCategory)
class UomCategoryAdmin(ServiceAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    ordering = ["name"]
    inlines = [UomInline]
    guard = staticmethod(lambda category: None)
    save_service = staticmethod(uoms.save_uom_category)
    delete_service = staticmethod(uoms.delete_uom_category)


@admin.register(Uom)
class UomAdmin(ServiceAdmin):
    list_display = ["name", "symbol", "category", "ratio", "rounding", "is_reference", "active"]
    list_filter = ["category", "is_reference", "active"]
    search_fields = ["name", "symbol"]
    list_select_related = ["category"]
    ordering = ["category__name", "-is_reference", "ratio"]
    guard = staticmethod(uoms.check_uom)
    save_service = staticmethod(uoms.save_uom)
    delete_service = staticmethod(uoms.delete_uom)


@admin.register(ProductCategory)
class ProductCategoryAdmin(CompanyAdmin):
    list_display = ["full_name", "parent", "costing_method"]
    search_fields = ["name", "full_name"]
    list_select_related = ["parent"]
    ordering = ["full_name"]
    guard = staticmethod(catalog.check_category)
    save_service = staticmethod(catalog.save_category)
    delete_service = staticmethod(catalog.delete_category)


class ProductResource(resources.ModelResource):
    """The columns of a product export."""

    category = fields.Field(attribute="category__full_name", column_name="category")
    uom = fields.Field(attribute="uom__name", column_name="unit")
    kind = fields.Field(attribute="get_kind_display", column_name="kind")

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "kind",
            "barcode",
            "category",
            "uom",
            "sale_price",
            "cost_price",
            "active",
            "description",
        ]
        export_order = fields


@admin.register(Product)
class ProductAdmin(ListPageMixin, CompanyAdmin):
    form = SeenVersionForm  # a stale save is refused on the form, the input kept
    list_display = [
        "sku",
        "name",
        "kind_badge",
        "category",
        "uom",
        "sale_price",
        "cost_price",
        "active",
    ]
    list_display_links = ["sku", "name"]
    list_filter = ["kind", "active", ("category", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "sku", "barcode"]
    search_help_text = "Name, SKU or barcode; an exact SKU or barcode opens the product."
    list_select_related = ["category", "uom", "company"]
    ordering = ["name", "id"]
    readonly_fields = ["version"]
    resource_classes = [ProductResource]
    guard = staticmethod(catalog.check_product)
    save_service = staticmethod(catalog.save_product)

    def save_model(self, request, obj, form, change):
        catalog.save_product(obj, by=request.user, expected_version=seen_version(form))

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).select_related("category", "uom")

    @display(
        description="Kind",
        label={"goods": "info", "consumable": "warning", "service": "success"},
    )
    def kind_badge(self, obj):
        return obj.kind

    def changelist_view(self, request, extra_context=None):
        """A scanned barcode or typed SKU that names exactly one product opens it."""
        term = request.GET.get("q", "").strip()
        if term:
            product = selectors.lookup_product(selectors.company_id_of(request.user), term)
            if product is not None:
                return HttpResponseRedirect(
                    reverse("admin:products_product_change", args=[product.pk])
                )
        return super().changelist_view(request, extra_context)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # archive (active = off); documents will point at products


@admin.register(PriceGroup)
class PriceGroupAdmin(CompanyAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    ordering = ["name"]
    guard = staticmethod(lambda group: None)
    save_service = staticmethod(pricelists.save_price_group)
    delete_service = staticmethod(pricelists.delete_price_group)


class RuleForm(CheckedForm):
    """A rule checked against its list, which may not be saved yet."""

    parent = None

    def run_guard(self) -> None:
        pricelists.check_rule(self.instance, self.parent)


class RuleFormSet(forms.BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.parent = self.instance
        return form


class PriceListRuleInline(TabularInline):
    model = PriceListRule
    form = RuleForm
    formset = RuleFormSet
    extra = 0
    fields = [
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
    autocomplete_fields = ["product", "category", "price_group"]
    tab = True


@admin.register(PriceList)
class PriceListAdmin(CompanyAdmin):
    list_display = ["name", "currency", "is_default", "active", "valid_from", "valid_to"]
    list_filter = ["active", "is_default", "currency"]
    search_fields = ["name"]
    ordering = ["-is_default", "name"]
    inlines = [PriceListRuleInline]
    guard = staticmethod(pricelists.check_price_list)
    save_service = staticmethod(pricelists.save_price_list)
    delete_service = staticmethod(pricelists.delete_price_list)

    def save_formset(self, request, form, formset, change):
        rules = formset.save(commit=False)
        for rule in formset.deleted_objects:
            pricelists.delete_rule(rule)
        for rule in rules:
            rule.price_list = form.instance
            pricelists.save_rule(rule, by=request.user)
