"""Printed documents (WeasyPrint PDF) and e-mailing them: what invoices, RFQs and
quotations share. Each domain keeps its own templates and rules; this is the
machinery."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.http import HttpResponse
from django.template.loader import render_to_string


def pdf_filename(number: str, fallback: str) -> str:
    """SQ/00001 -> SQ-00001.pdf (a slash is no file name); `fallback` for a draft."""
    return f"{(number or fallback).replace('/', '-')}.pdf"


def render_pdf(template: str, context: dict) -> bytes:
    """The template rendered with `context`, printed to PDF."""
    return pdf_from_html(render_to_string(template, context))


def pdf_from_html(html: str) -> bytes:
    """The page printed to PDF, reading nothing from the network or the disk: only
    resources inlined as data: URLs. A document holds what users typed; were an image
    or stylesheet URL ever to slip into one, printing must not fetch it (SSRF, local
    files)."""
    from weasyprint import HTML  # heavy import, only when a PDF is asked for
    from weasyprint.urls import URLFetcher

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """The PDF shown in the browser (its download keeps `filename`)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def email_pdf(
    *, to: str, subject: str, body_template: str, context: dict, filename: str, pdf: bytes
) -> None:
    """One e-mail to `to` with the body rendered from `body_template` and the PDF
    attached. It leaves the process: call it after the document's transaction."""
    message = EmailMessage(
        subject=subject,
        body=render_to_string(body_template, context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach(filename, pdf, "application/pdf")
    message.send()
