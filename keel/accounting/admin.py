"""Workspace pages of the books. Writes go through services; posted entries are
read-only, with a "Reverse" action; the tax report drills down to its lines."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from import_export import resources
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.import_export.forms import ExportForm
from unfold.decorators import action

from keel.core.admin_lists import CompanyRelatedListFilter
from keel.core.errors import DomainError
from keel.core.models import Company
from keel.core.uploads import read_upload

from . import selectors
from .models import (
    Account,
    AccountingSettings,
    FiscalYear,
    Journal,
    JournalEntry,
    JournalLine,
    Period,
    Tax,
    TaxGroup,
)
from .services import chart, posting, taxes


class CompanyRowsAdmin(ExportMixin, SimpleHistoryAdmin, ModelAdmin):
    """Rows of the signed-in user's company; saved through `save_service`; every list
    exports to CSV/XLSX."""

    export_form_class = ExportForm
    formats = [CSV, XLSX]

    save_service = None
    exclude = ["company"]

    def get_queryset(self, request):
        company_id = selectors.company_id_of(request.user)
        return super().get_queryset(request).filter(company_id=company_id)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if any(field.name == "company" for field in related._meta.fields):
            company_id = selectors.company_id_of(request.user)
            kwargs["queryset"] = related._default_manager.filter(company_id=company_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if obj.company_id is None:
            obj.company_id = selectors.company_id_of(request.user)
        try:
            type(self).save_service(obj, by=request.user)
        except DomainError as error:
            messages.error(request, error.detail)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # archive with `active`: posted lines point at these rows


class AccountResource(resources.ModelResource):
    class Meta:
        model = Account
        fields = ("code", "name", "type", "role", "party_balances", "active")
        export_order = fields


class ChartUploadForm(forms.Form):
    file = forms.FileField(help_text="CSV with the columns code,name,type[,role]")


@admin.register(Account)
class AccountAdmin(CompanyRowsAdmin):
    list_display = ["code", "name", "type", "role", "party_balances", "active"]
    list_filter = ["type", "role", "active"]
    search_fields = ["code", "name"]
    ordering = ["code"]
    resource_classes = [AccountResource]
    export_form_class = ExportForm
    save_service = staticmethod(chart.save_account)
    actions_list = ["import_chart"]

    def has_import_chart_permission(self, request) -> bool:
        return request.user.has_perm("accounting.import_chart")

    @action(description="Import chart (CSV)", url_path="import-chart", permissions=["import_chart"])
    def import_chart(self, request):
        if not request.user.has_perm("accounting.import_chart"):
            raise PermissionDenied
        form = ChartUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            company = Company.objects.get(pk=selectors.company_id_of(request.user))
            try:
                content = read_upload(form.cleaned_data["file"], "csv")
                result = chart.import_chart(company, content.decode("utf-8-sig"), by=request.user)
            except DomainError as error:
                messages.error(request, error.detail)
            except UnicodeDecodeError:
                messages.error(request, "The file is not UTF-8 text; save the CSV as UTF-8.")
            else:
                messages.success(
                    request, f"{result['created']} accounts created, {result['updated']} updated."
                )
                return redirect(reverse("admin:accounting_account_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a chart of accounts",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "accounting/import_chart.html", context)


@admin.register(Journal)
class JournalAdmin(CompanyRowsAdmin):
    list_display = ["code", "name", "kind", "sequence_prefix", "default_account", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    ordering = ["code"]
    list_select_related = ["default_account"]
    save_service = staticmethod(chart.save_journal)


class PeriodInline(TabularInline):
    model = Period
    fields = ["number", "start", "end"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FiscalYear)
class FiscalYearAdmin(CompanyRowsAdmin):
    list_display = ["year", "start", "end"]
    search_fields = ["year"]
    list_filter = ["year"]
    ordering = ["-year"]
    fields = ["year"]
    inlines = [PeriodInline]

    def save_model(self, request, obj, form, change):
        company = Company.objects.get(pk=selectors.company_id_of(request.user))
        created = chart.ensure_fiscal_year(company, obj.year, by=request.user)
        obj.pk = created.pk

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)


@admin.register(Period)
class PeriodAdmin(ExportMixin, ModelAdmin):
    export_form_class = ExportForm
    formats = [CSV, XLSX]
    list_display = ["__str__", "fiscal_year", "number", "start", "end"]
    list_filter = [("fiscal_year", CompanyRelatedListFilter)]
    search_fields = ["fiscal_year__year"]
    ordering = ["start"]
    list_select_related = ["fiscal_year"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(company_id=selectors.company_id_of(request.user))
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class LineInline(TabularInline):
    model = JournalLine
    fields = [
        "sequence",
        "account",
        "party",
        "label",
        "debit",
        "credit",
        "currency",
        "amount_currency",
        "tax",
        "analytic_tags",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["sequence"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account", "party", "tax")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class EntryResource(resources.ModelResource):
    class Meta:
        model = JournalEntry
        fields = ("number", "journal__code", "date", "ref", "state", "hash")
        export_order = fields


class ReverseForm(forms.Form):
    date = forms.DateField(initial=dt.date.today)
    reason = forms.CharField(max_length=150)


@admin.register(JournalEntry)
class JournalEntryAdmin(ExportMixin, ModelAdmin):
    """Posted entries: read-only, lines inline; "Reverse" posts the mirror entry."""

    list_display = ["number", "date", "journal", "ref", "state", "reverses"]
    list_filter = [
        ("journal", CompanyRelatedListFilter),
        "state",
        ("date", admin.DateFieldListFilter),
    ]
    search_fields = ["number", "ref"]
    ordering = ["-date", "-id"]
    list_select_related = ["journal", "reverses"]
    date_hierarchy = "date"
    inlines = [LineInline]
    readonly_fields = [
        "number",
        "journal",
        "date",
        "period",
        "ref",
        "state",
        "reverses",
        "source_type",
        "source_id",
        "chain_index",
        "previous_hash",
        "hash",
        "posted_at",
        "posted_by",
    ]
    fields = readonly_fields
    resource_classes = [EntryResource]
    export_form_class = ExportForm
    actions_detail = ["reverse_entry"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(company_id=selectors.company_id_of(request.user))
        )

    def has_add_permission(self, request) -> bool:
        return False  # entries are posted by the engine (API, invoices, stock moves)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_reverse_permission(self, request, object_id=None) -> bool:
        return request.user.has_perm("accounting.reverse_journalentry")

    @action(description="Reverse", url_path="reverse", permissions=["reverse"])
    def reverse_entry(self, request, object_id):
        if not request.user.has_perm("accounting.reverse_journalentry"):
            raise PermissionDenied
        entry = self.get_queryset(request).get(pk=object_id)
        form = ReverseForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                reversal = posting.reverse_entry(
                    entry,
                    form.cleaned_data["date"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                messages.error(request, error.detail)
            else:
                messages.success(request, f"{entry.number} reversed by {reversal.number}.")
                return redirect(reverse("admin:accounting_journalentry_change", args=[reversal.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Reverse {entry.number}",
            "form": form,
            "entry": entry,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "accounting/reverse_entry.html", context)


@admin.register(Tax)
class TaxAdmin(CompanyRowsAdmin):
    list_display = ["name", "use", "kind", "amount", "price_include", "account_role", "active"]
    list_filter = ["use", "kind", "price_include", "active"]
    search_fields = ["name"]
    ordering = ["use", "sequence", "name"]
    save_service = staticmethod(taxes.save_tax)

    def get_urls(self):
        return [
            path(
                "report/",
                self.admin_site.admin_view(self.report_view),
                name="accounting_tax_report",
            )
        ] + super().get_urls()

    def report_view(self, request):
        """The tax report of a period, with the lines behind a tax on demand."""
        if not request.user.has_perm("accounting.view_reports"):
            raise PermissionDenied
        company_id = selectors.company_id_of(request.user)
        today = dt.date.today()
        try:
            date_from = dt.date.fromisoformat(request.GET.get("date_from", ""))
            date_to = dt.date.fromisoformat(request.GET.get("date_to", ""))
        except ValueError:
            date_from = today.replace(day=1)
            date_to = (date_from + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        report = selectors.tax_report(company_id, date_from, date_to)
        tax_id = request.GET.get("tax")
        lines = (
            list(selectors.tax_report_lines(company_id, int(tax_id), date_from, date_to))
            if tax_id and tax_id.isdigit()
            else None
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Tax report {date_from} – {date_to}",
            "report": report,
            "lines": lines,
            "date_from": date_from,
            "date_to": date_to,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "accounting/tax_report.html", context)


@admin.register(TaxGroup)
class TaxGroupAdmin(CompanyRowsAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    ordering = ["name"]
    filter_horizontal = ["taxes"]

    def save_model(self, request, obj, form, change):
        obj.company_id = obj.company_id or selectors.company_id_of(request.user)
        obj.save()

    def save_related(self, request, form, formsets, change):
        taxes.save_tax_group(form.instance, list(form.cleaned_data["taxes"]), by=request.user)


@admin.register(AccountingSettings)
class AccountingSettingsAdmin(ExportMixin, SimpleHistoryAdmin, ModelAdmin):
    export_form_class = ExportForm
    formats = [CSV, XLSX]
    list_display = ["company", "lock_date", "adviser_lock_date", "tax_rounding"]
    search_fields = ["company__name"]
    ordering = ["company"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(company_id=selectors.company_id_of(request.user))
        )

    def save_model(self, request, obj, form, change):
        chart.update_settings(
            obj.company,
            lock_date=obj.lock_date,
            adviser_lock_date=obj.adviser_lock_date,
            tax_rounding=obj.tax_rounding,
            by=request.user,
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# Bank statement pages and invoices/bills/payments register themselves.
from . import admin_bank, admin_invoices  # noqa: E402, F401, I001
