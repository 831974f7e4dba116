"""The public quotation page (no login; the signed link is the key): the customer
reads the quotation and accepts it with their name or declines it with a reason.
A bad, expired or replaced link, an expired quotation or one already decided is a
page that says so, with a 4xx status, and changes nothing."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from keel.core.documents import pdf_response
from keel.core.errors import DomainError, InvalidInput

from .services import acceptance, quotation_documents

TEMPLATE = "sales/public/quotation.html"


def _client_ip(request) -> str | None:
    # REMOTE_ADDR is the peer; behind a proxy the server is configured to set it.
    return request.META.get("REMOTE_ADDR") or None


def _refused(request, error: DomainError):
    return render(request, TEMPLATE, {"refusal": error.detail}, status=error.status)


@require_http_methods(["GET", "POST"])
def quotation(request, token: str):
    """GET: the quotation, with the accept and decline forms while it is open.
    POST `decision=accept` with `name`, or `decision=decline` with `reason`."""
    try:
        found = acceptance.quotation_of(token)
    except DomainError as error:
        return _refused(request, error)
    context = {**quotation_documents.context_of(found), "token": token, "errors": {}}
    status = 200
    if request.method == "POST":
        decision = request.POST.get("decision")
        ip = _client_ip(request)
        try:
            if decision == "accept":
                acceptance.accept(token, name=request.POST.get("name", ""), ip=ip)
            elif decision == "decline":
                acceptance.decline(token, reason=request.POST.get("reason", ""), ip=ip)
            else:
                raise InvalidInput("Choose to accept or to decline.", field="decision")
        except DomainError as error:
            context["errors"][error.field or "decision"] = error.detail
            context["posted"] = request.POST
            status = error.status
        else:
            found.refresh_from_db()
            context["done"] = decision
            return render(request, TEMPLATE, context)
    try:
        acceptance.require_open(found, timezone.localdate())
    except DomainError as error:
        context["closed"] = error.detail
        status = status if status != 200 else error.status
    return render(request, TEMPLATE, context, status=status)


@require_http_methods(["GET"])
def quotation_pdf(request, token: str):
    """The quotation's PDF, as e-mailed."""
    try:
        found = acceptance.quotation_of(token)
    except DomainError as error:
        return _refused(request, error)
    return pdf_response(
        quotation_documents.render_pdf(found), quotation_documents.pdf_filename(found)
    )
