"""Regions, sales channels, industries, tags and customer groups."""

from __future__ import annotations

from django.contrib import admin, messages
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from unfold.admin import ModelAdmin
from unfold.contrib.import_export.forms import ExportForm

from keel.core.errors import DomainError
from keel.core.selectors import default_company

from ..models import CustomerGroup, Industry, Region, SalesChannel, Tag
from ..services.reference import delete_named, save_named


class NamedAdmin(ExportMixin, ModelAdmin):
    export_form_class = ExportForm
    formats = [CSV, XLSX]
    list_display = ["name"]
    search_fields = ["name"]
    ordering = ["name"]
    exclude = ["company"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        company_id = request.user.company_id
        return queryset.filter(company_id=company_id) if company_id else queryset

    def save_model(self, request, obj, form, change):
        if not change:
            obj.company = request.user.company or default_company()
            obj.created_by = request.user
        obj.updated_by = request.user
        try:
            save_named(obj)
        except DomainError as error:
            messages.error(request, error.detail)

    def delete_model(self, request, obj):
        try:
            delete_named(obj)
        except DomainError as error:
            messages.error(request, error.detail)

    def delete_queryset(self, request, queryset):
        for record in queryset:
            self.delete_model(request, record)


@admin.register(Region)
class RegionAdmin(NamedAdmin):
    list_display = ["name", "code", "countries"]
    search_fields = ["name", "code"]


admin.site.register(SalesChannel, NamedAdmin)
admin.site.register(Industry, NamedAdmin)
admin.site.register(Tag, NamedAdmin)
admin.site.register(CustomerGroup, NamedAdmin)
