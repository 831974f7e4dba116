"""Workspace records changed only by their steps (send, approve, confirm…): a read-only
admin whose detail buttons each run one service, shown only when the user has the
step's permission and the record is in a status the step starts from."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.import_export.forms import ExportForm

from .admin_lists import ListPageMixin
from .errors import DomainError


class NoteForm(forms.Form):
    note = forms.CharField(max_length=500, required=False)


class ReadOnlyInline(TabularInline):
    """The lines of a record, shown, never edited here; `related` are loaded with the
    lines in the same query (a read-only field would otherwise query per line)."""

    extra = 0
    can_delete = False
    related: tuple[str, ...] = ()

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.select_related(*self.related) if self.related else queryset


class StepFormMixin:
    """A detail button that changes a record shows a form and acts only on POST (a GET,
    a prefetch or a crawler changes nothing); the outcome comes back as a message."""

    def summary(self, record) -> str:
        return record.get_status_display()

    def _record(self, request, object_id):
        found = self.get_queryset(request).filter(pk=object_id).first()
        if found is None:
            raise PermissionDenied
        return found

    def _step(self, request, object_id, verb: str, run, form_class=forms.Form, done=""):
        """The step's form; on POST run it through its service and come back to the
        record with the outcome (`done`, a text or a function of the record; a refusal
        is a message, nothing changed)."""
        record = self._record(request, object_id)
        form = form_class(request.POST if request.method == "POST" else None)
        opts = self.model._meta
        if request.method == "POST" and form.is_valid():
            try:
                run(record, form.cleaned_data)
            except DomainError as error:
                messages.error(request, error.detail)
            else:
                said = done(record) if callable(done) else done
                messages.success(request, said or f"{verb}: done.")
            return redirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"{verb}: {record}",
            "form": form,
            "verb": verb,
            "record": record,
            "summary": self.summary(record),
            "opts": opts,
        }
        return TemplateResponse(request, "core/step_action.html", context)


class StepRecordAdmin(ListPageMixin, StepFormMixin, ExportMixin, SimpleHistoryAdmin, ModelAdmin):
    """No add, change or delete form; the list downloads as CSV or XLSX. `steps` maps a
    step to (permission, statuses in which its button shows)."""

    export_form_class = ExportForm
    formats = [CSV, XLSX]
    steps: dict = {}

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def __getattr__(self, name: str):
        """`has_<step>_permission` for each of `steps` (unfold asks it before showing
        the step's button): see `_may`. A step needing another rule defines its own."""
        step = name.removeprefix("has_").removesuffix("_permission")
        if name.startswith("has_") and name.endswith("_permission") and step in type(self).steps:
            return lambda request, object_id=None: self._may(request, object_id, step)
        raise AttributeError(name)

    def _may(self, request, object_id, step: str) -> bool:
        perm, statuses = self.steps[step]
        if not request.user.has_perm(perm):
            return False
        if object_id is None:
            return True
        # One read of the record's status per page, however many buttons ask.
        seen = request.__dict__.setdefault("_step_statuses", {})
        key = (self.model._meta.label, str(object_id))
        if key not in seen:
            seen[key] = (
                self.get_queryset(request).filter(pk=object_id).values_list("status", flat=True)
            ).first()
        return seen[key] in statuses
