"""The printed invoice (WeasyPrint PDF) and sending it to the party by e-mail."""

from __future__ import annotations

from django.utils import timezone

from keel.core import documents
from keel.core.errors import InvalidInput

from ..models import Invoice
from ..selectors.invoices import residual_of


def pdf_filename(invoice: Invoice) -> str:
    return documents.pdf_filename(invoice.number, f"draft-{invoice.pk}")


def render_pdf(invoice: Invoice) -> bytes:
    """The document as a PDF: header, party, lines, tax totals, total and due date."""
    lines = list(invoice.lines.select_related("product").prefetch_related("taxes"))
    return documents.render_pdf(
        "accounting/invoices/pdf.html",
        {
            "invoice": invoice,
            "company": invoice.company,
            "lines": lines,
            "currency": invoice.currency or invoice.company.currency,
            "residual": residual_of(invoice) if invoice.status == "posted" else None,
        },
    )


def send_invoice(invoice_id: int, *, by=None) -> Invoice:
    """E-mail the posted document to its party with the PDF attached; records when.

    The mail leaves the process, so it is sent outside any transaction: a failing
    mail server raises and `sent_at` stays as it was."""
    invoice = Invoice.objects.select_related("company", "party").get(pk=invoice_id)
    if invoice.status != Invoice.Status.POSTED:
        raise InvalidInput(f"{invoice} is {invoice.status}: only posted documents are sent.")
    if not invoice.party.email:
        raise InvalidInput(
            f"{invoice.party} has no e-mail address; add one to the party first.", field="party"
        )
    documents.email_pdf(
        to=invoice.party.email,
        subject=f"{invoice.get_kind_display()} {invoice.number} from {invoice.company.name}",
        body_template="accounting/invoices/email.txt",
        context={"invoice": invoice},
        filename=pdf_filename(invoice),
        pdf=render_pdf(invoice),
    )
    Invoice.objects.filter(pk=invoice.pk).update(sent_at=timezone.now())
    invoice.refresh_from_db(fields=["sent_at"])
    return invoice
