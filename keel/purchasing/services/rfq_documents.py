"""The printed RFQ (WeasyPrint PDF), one per vendor, and e-mailing it to the vendors."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from keel.core import documents
from keel.core.errors import InvalidInput

from ..models import Rfq, RfqVendor
from .rfqs import send_rfq


def pdf_filename(rfq: Rfq) -> str:
    return documents.pdf_filename(rfq.number, f"rfq-{rfq.pk}")


def _context(rfq: Rfq, vendor) -> dict:
    return {
        "rfq": rfq,
        "company": rfq.company,
        "vendor": vendor,
        "lines": list(rfq.lines.select_related("product")),
        "today": timezone.localdate(),
    }


def render_html(rfq: Rfq, vendor) -> str:
    """The RFQ as `vendor` reads it: products, quantities, blanks for price and lead time."""
    return render_to_string("purchasing/rfq/pdf.html", _context(rfq, vendor))


def render_pdf(rfq: Rfq, vendor) -> bytes:
    return documents.render_pdf("purchasing/rfq/pdf.html", _context(rfq, vendor))


def email_rfq(rfq_id: int, *, by=None) -> Rfq:
    """Send a draft (or re-send a sent) RFQ: each vendor gets its PDF by e-mail and the
    time is recorded per vendor. Refused before anything changes when a vendor has no
    e-mail address. The mail leaves the process, so it goes after the RFQ's
    transaction: a failing mail server raises and leaves `emailed_at` as it was."""
    rfq = Rfq.objects.select_related("company", "warehouse").get(pk=rfq_id)
    invitations = list(rfq.vendors.select_related("vendor"))
    missing = [str(i.vendor) for i in invitations if not i.vendor.email]
    if missing:
        raise InvalidInput(
            f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} no e-mail address; "
            "add one to the party first.",
            code="vendor_email_missing",
            field="vendors",
        )
    if rfq.status == Rfq.Status.DRAFT:
        rfq = send_rfq(rfq.pk, by=by)
    elif rfq.status != Rfq.Status.SENT:
        raise InvalidInput(f"{rfq} is {rfq.get_status_display().lower()}; it is not sent again.")
    for invitation in invitations:
        vendor = invitation.vendor
        documents.email_pdf(
            to=vendor.email,
            subject=f"Request for quotation {rfq.number} from {rfq.company.name}",
            body_template="purchasing/rfq/email.txt",
            context={"rfq": rfq, "vendor": vendor, "company": rfq.company},
            filename=pdf_filename(rfq),
            pdf=render_pdf(rfq, vendor),
        )
        RfqVendor.objects.filter(pk=invitation.pk).update(emailed_at=timezone.now())
    return rfq
