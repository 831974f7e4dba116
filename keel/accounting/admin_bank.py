"""Workspace pages for bank statements: import a file (preview first, then import),
read the lines, confirm (post) a statement, reconcile each line with a suggested
match in one click (or undo it); the CSV mapping per bank journal."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.import_export.forms import ExportForm
from unfold.decorators import action

from keel.core.admin_lists import CompanyRelatedListFilter
from keel.core.admin_steps import StepFormMixin
from keel.core.errors import DomainError
from keel.core.models import Company
from keel.core.money import format_money

from . import selectors
from .models import BankCsvMapping, BankStatement, BankStatementLine, Journal
from .selectors.bank_matching import statement_matching
from .services import bank, bank_import, bank_matching

RECONCILE = "accounting.reconcile_bankstatement"


class StatementLineInline(TabularInline):
    model = BankStatementLine
    fields = [
        "sequence",
        "date",
        "amount",
        "counterparty",
        "reference",
        "label",
        "entry",
        "payment",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("entry", "payment")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ImportForm(forms.Form):
    journal = forms.ModelChoiceField(queryset=Journal.objects.none())
    format = forms.ChoiceField(choices=BankStatement.Format.choices)
    file = forms.FileField()
    preview = forms.BooleanField(required=False, initial=True, help_text="Only show the lines")

    def __init__(self, *args, company_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["journal"].queryset = Journal.objects.filter(
            company_id=company_id, kind=Journal.Kind.BANK
        )


@admin.register(BankStatement)
class BankStatementAdmin(StepFormMixin, ExportMixin, SimpleHistoryAdmin, ModelAdmin):
    export_form_class = ExportForm
    formats = [CSV, XLSX]
    list_display = ["name", "journal", "date", "format", "status", "balance_end"]
    list_filter = [("journal", CompanyRelatedListFilter), "status", "format"]
    search_fields = ["name", "file_name"]
    ordering = ["-date", "-id"]
    list_select_related = ["journal"]
    readonly_fields = [
        "name",
        "journal",
        "format",
        "file_name",
        "date",
        "balance_start",
        "balance_end",
        "status",
    ]
    fields = readonly_fields
    inlines = [StatementLineInline]
    actions_list = ["import_file"]
    actions_detail = ["confirm"]
    change_form_outer_after_template = "accounting/bank/matching.html"

    def get_queryset(self, request):
        company_id = selectors.company_id_of(request.user)
        return super().get_queryset(request).filter(company_id=company_id)

    def has_add_permission(self, request) -> bool:
        return False  # statements come from files: "Import statement"

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_import_file_permission(self, request) -> bool:
        return request.user.has_perm("accounting.import_bankstatement")

    def has_confirm_permission(self, request, object_id=None) -> bool:
        return request.user.has_perm("accounting.confirm_bankstatement")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/lines/<int:line_id>/reconcile/",
                wrap(require_POST(self.reconcile_line)),
                name="accounting_bankstatement_reconcile_line",
            ),
            path(
                "<path:object_id>/lines/<int:line_id>/unreconcile/",
                wrap(require_POST(self.unreconcile_line)),
                name="accounting_bankstatement_unreconcile_line",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        statement = self.get_queryset(request).filter(pk=object_id).first()
        extra = {"matching": None, "can_reconcile": request.user.has_perm(RECONCILE)}
        if statement is not None and self.has_view_permission(request, statement):
            extra["matching"] = _matching_rows(statement)
            extra["statement_confirmed"] = statement.status == BankStatement.Status.CONFIRMED
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def _statement_line(self, request, object_id, line_id) -> BankStatementLine:
        if not request.user.has_perm(RECONCILE):
            raise PermissionDenied
        statement = self.get_queryset(request).get(pk=object_id)
        return statement.lines.get(pk=line_id)

    def reconcile_line(self, request, object_id, line_id):
        line = self._statement_line(request, object_id, line_id)
        items = [int(x) for x in request.POST.getlist("open_items") if x.isdigit()]
        try:
            payment = bank_matching.reconcile_line(
                line, items, by=request.user, write_off=bool(request.POST.get("write_off"))
            )
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(
                request,
                f"Line {line.sequence} matched: payment {payment.number} of "
                f"{format_money(payment.amount, payment.currency)} from {payment.party}.",
            )
        return redirect(reverse("admin:accounting_bankstatement_change", args=[object_id]))

    def unreconcile_line(self, request, object_id, line_id):
        line = self._statement_line(request, object_id, line_id)
        try:
            reversal = bank_matching.unreconcile_line(line, by=request.user)
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(
                request, f"Line {line.sequence} unmatched: reversed by {reversal.number}."
            )
        return redirect(reverse("admin:accounting_bankstatement_change", args=[object_id]))

    @action(description="Import statement", url_path="import", permissions=["import_file"])
    def import_file(self, request):
        if not request.user.has_perm("accounting.import_bankstatement"):
            raise PermissionDenied
        company_id = selectors.company_id_of(request.user)
        form = ImportForm(request.POST or None, request.FILES or None, company_id=company_id)
        preview = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = bank_import.import_statement(
                    Company.objects.get(pk=company_id),
                    form.cleaned_data["journal"],
                    upload.read(),
                    form.cleaned_data["format"],
                    file_name=upload.name or "",
                    dry_run=form.cleaned_data["preview"],
                    by=request.user,
                )
            except DomainError as error:  # at the field it names (file, journal, format)
                form.add_error(error.field if error.field in form.fields else None, error.detail)
            else:
                if result.statement is None:
                    preview = result
                else:
                    messages.success(
                        request,
                        f"{len(result.new_lines)} lines imported, "
                        f"{len(result.duplicates)} already known.",
                    )
                    url = reverse(
                        "admin:accounting_bankstatement_change", args=[result.statement.pk]
                    )
                    return redirect(url)
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a bank statement",
            "form": form,
            "preview": preview,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "accounting/bank/import.html", context)

    @action(description="Confirm and post", url_path="confirm", permissions=["confirm"])
    def confirm(self, request, object_id):
        if not request.user.has_perm("accounting.confirm_bankstatement"):
            raise PermissionDenied
        return self._step(
            request,
            object_id,
            "Confirm and post",
            lambda statement, _: bank.confirm_statement(statement, by=request.user),
            done=lambda statement: f"{statement.name} confirmed: its lines are posted.",
        )


def _matching_rows(statement: BankStatement) -> list[dict]:
    """The page's view of each line: matched (with its payment) or its suggestions."""
    rows = []
    for line, suggestions in statement_matching(statement):
        currency = line.company.currency
        rows.append(
            {
                "line": line,
                "amount": format_money(line.amount, currency),
                "payment": line.payment,
                "suggestions": [
                    {
                        "suggestion": s,
                        "open_amount": format_money(s.open_amount, s.currency),
                        "documents": ", ".join(s.documents),
                    }
                    for s in suggestions
                ],
            }
        )
    return rows


@admin.register(BankCsvMapping)
class BankCsvMappingAdmin(ExportMixin, SimpleHistoryAdmin, ModelAdmin):
    export_form_class = ExportForm
    formats = [CSV, XLSX]
    list_display = ["journal", "delimiter", "date_column", "date_format", "amount_column"]
    search_fields = ["journal__code", "journal__name"]
    list_filter = ["delimiter"]
    ordering = ["journal__code"]
    list_select_related = ["journal"]
    exclude = ["company"]

    def get_queryset(self, request):
        company_id = selectors.company_id_of(request.user)
        return super().get_queryset(request).filter(company_id=company_id)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "journal":
            kwargs["queryset"] = Journal.objects.filter(
                company_id=selectors.company_id_of(request.user), kind=Journal.Kind.BANK
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.company_id = obj.company_id or selectors.company_id_of(request.user)
        super().save_model(request, obj, form, change)
