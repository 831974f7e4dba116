"""The printed quotation (WeasyPrint PDF) and sending it: the customer's contact
(or the customer) gets it by e-mail with the PDF attached and the link to accept
or decline it online."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from keel.core import documents
from keel.core.errors import TransitionNotAllowed

from ..errors import RecipientMissing
from ..models import Quotation
from . import quotations
from .acceptance import token_for

Status = Quotation.Status


def pdf_filename(quotation: Quotation) -> str:
    suffix = f"-rev{quotation.revision}" if quotation.revision > 1 else ""
    return documents.pdf_filename(f"{quotation.number}{suffix}", f"quotation-{quotation.pk}")


def acceptance_link(quotation: Quotation, base_url: str | None = None) -> str:
    """The public page where the customer accepts or declines this revision."""
    base = (base_url or settings.KEEL_PUBLIC_URL).rstrip("/")
    return base + reverse("sales_public:quotation", args=[token_for(quotation)])


def context_of(quotation: Quotation, link: str = "") -> dict:
    """What the PDF and the public page show: company, customer, contact, lines with
    price, discount, taxes, subtotal and promise date, totals and validity."""
    lines = list(
        quotation.lines.select_related("product").prefetch_related("taxes").order_by("sequence")
    )
    return {
        "quotation": quotation,
        "company": quotation.company,
        "lines": lines,
        "link": link,
    }


def render_pdf(quotation: Quotation, link: str = "") -> bytes:
    return documents.render_pdf("sales/quotation/pdf.html", context_of(quotation, link))


def recipient_of(quotation: Quotation) -> str:
    """The contact's e-mail address, else the customer's."""
    contact = quotation.contact
    return (contact.email if contact is not None else "") or quotation.party.email


def email_quotation(quotation_id: int, *, by=None, base_url: str | None = None) -> Quotation:
    """Send a draft (or re-send a sent) quotation by e-mail, the PDF attached and the
    acceptance link in the body; records to whom and when. A discount waiting for
    approval sends nothing (the quotation goes to approve). Refused before anything
    changes when there is no address. The mail leaves the process, so it goes after
    the send's transaction: a failing mail server raises, `emailed_at` stays as it was."""
    quotation = Quotation.objects.select_related("company", "party", "contact", "owner").get(
        pk=quotation_id
    )
    quotations.check_owner(quotation, by, "send")
    to = recipient_of(quotation)
    if not to:
        if quotation.contact is not None:
            raise RecipientMissing(
                f"Neither {quotation.contact} nor {quotation.party} has an e-mail address; "
                "add one to the contact first.",
                field="contact",
            )
        raise RecipientMissing(
            f"{quotation.party} has no e-mail address; add one to the customer first.",
            field="party",
        )
    if quotation.status == Status.DRAFT:
        quotations.send(quotation.pk, by=by)
        quotation.refresh_from_db()
        if quotation.status != Status.SENT:
            return quotation
    elif quotation.status != Status.SENT:
        raise TransitionNotAllowed(
            f"{quotation} is {quotation.get_status_display().lower()}; only a draft or sent "
            "quotation is e-mailed.",
            field="status",
        )
    link = acceptance_link(quotation, base_url)
    context = context_of(quotation, link)
    documents.email_pdf(
        to=to,
        subject=f"Quotation {quotation.number} from {quotation.company.name}",
        body_template="sales/quotation/email.txt",
        context=context,
        filename=pdf_filename(quotation),
        pdf=documents.render_pdf("sales/quotation/pdf.html", context),
    )
    Quotation.objects.filter(pk=quotation.pk).update(emailed_to=to, emailed_at=timezone.now())
    quotation.refresh_from_db(fields=["emailed_to", "emailed_at"])
    return quotation
