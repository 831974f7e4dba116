"""Lead pages: the public web-to-lead form, and the import page with its progress bar."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST

from keel.core.errors import DomainError, InvalidInput
from keel.core.selectors import default_company

from ..forms import LeadImportForm, WebToLeadForm
from ..models import Lead, LeadImport
from ..selectors_leads import lead_imports_visible_to
from ..services import lead_import, leads
from ..tasks import run_lead_import

SYNC_IMPORT_BYTES = 256 * 1024
TOO_MANY = "Too many submissions from your address. Please wait a minute and try again."


def _over_rate_limit(request) -> bool:
    """At most KEEL_WEB_TO_LEAD_PER_MINUTE posts per IP address within a minute of the
    first one (the counter expires a minute after it starts)."""
    limit = getattr(settings, "KEEL_WEB_TO_LEAD_PER_MINUTE", 10)
    key = f"crm:web-to-lead:{request.META.get('REMOTE_ADDR', 'unknown')}"
    cache.add(key, 0, timeout=60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=60)
        count = 1
    return count > limit


# The form is meant to be embedded in the company's own site (an iframe), hence the
# frame exemption; CSRF protection stays on.
@xframe_options_exempt
def web_to_lead(request):
    """Public: GET shows the form (UTM tags from the query string go into hidden inputs);
    POST creates a lead with source web_form and shows the thank-you page."""
    if request.method == "POST":
        if _over_rate_limit(request):
            return TemplateResponse(
                request, "crm/leads/web_to_lead.html", {"refusal": TOO_MANY}, status=429
            )
        form = WebToLeadForm(request.POST)
        if form.is_bot:
            return redirect("crm:web-to-lead-thanks")
        if form.is_valid():
            company = default_company()
            if company is None:
                raise InvalidInput("This form is not connected to a company yet.")
            try:
                leads.capture_lead(
                    company=company,
                    source=Lead.Source.WEB_FORM,
                    **form.lead_fields(request.GET),
                )
            except InvalidInput as refusal:
                form.add_error(
                    refusal.field if refusal.field in form.fields else None, refusal.detail
                )
            else:
                return redirect("crm:web-to-lead-thanks")
    else:
        form = WebToLeadForm(
            initial={
                k: request.GET.get(k, "")[:100]
                for k in ("utm_source", "utm_medium", "utm_campaign")
            }
        )
    return TemplateResponse(request, "crm/leads/web_to_lead.html", {"form": form})


@xframe_options_exempt
def web_to_lead_thanks(request):
    return TemplateResponse(request, "crm/leads/thanks.html", {})


def _page(request, template: str, context: dict, title: str) -> TemplateResponse:
    return TemplateResponse(
        request, template, {**admin.site.each_context(request), "title": title, **context}
    )


@login_required
@permission_required("crm.add_leadimport", raise_exception=True)
def import_page(request):
    """Upload a file for a dry run (the default) or a real import."""
    form = LeadImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = lead_import.prepare_import(
                upload, dry_run=form.cleaned_data["dry_run"], by=request.user
            )
        except DomainError as refusal:
            form.add_error("file", refusal.detail)
        else:
            _start(record, upload.size)
            return redirect("crm:lead-import", pk=record.pk)
    recent = lead_imports_visible_to(request.user)[:10]
    return _page(request, "crm/leads/import.html", {"form": form, "recent": recent}, "Import leads")


def _start(record: LeadImport, size: int) -> None:
    if size <= SYNC_IMPORT_BYTES:
        lead_import.run_import(record.pk)
    else:
        run_lead_import.enqueue(record.pk)


@login_required
@permission_required("crm.view_leadimport", raise_exception=True)
def import_detail(request, pk: int):
    """An import's progress bar (polled while it runs), its bad rows and duplicates."""
    record = get_object_or_404(lead_imports_visible_to(request.user), pk=pk)
    template = "crm/leads/import_detail.html"
    if request.headers.get("HX-Request"):
        template += "#progress"
    return _page(request, template, {"record": record}, str(record))


@login_required
@require_POST
@permission_required("crm.add_leadimport", raise_exception=True)
def import_for_real(request, pk: int):
    """After a dry run: import the same file, creating the good rows."""
    checked = get_object_or_404(lead_imports_visible_to(request.user), pk=pk)
    record = lead_import.retry_for_real(checked.pk, by=request.user)
    _start(record, len(record.content))
    return redirect(reverse("crm:lead-import", kwargs={"pk": record.pk}))
