"""Quotations: create (from an opportunity or directly), send (a discount above the
threshold or a margin below the minimum waits for a sales manager's approval first),
approve, cancel."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from keel.accounting.models import Tax
from keel.accounting.selectors.chart import accounting_settings
from keel.accounting.taxes import TaxableLine, compute_taxes
from keel.core.errors import InvalidInput, PermissionRefused, TransitionNotAllowed
from keel.core.events import publish
from keel.core.models import ApprovalRequest, ApprovalRule
from keel.core.money import amount_text, format_money, round_money
from keel.core.services import approvals
from keel.core.transactions import atomic_service
from keel.core.workflow import transition
from keel.crm.selectors import may_manage_opportunity
from keel.inventory.models import Warehouse
from keel.products.pricing import price_for, price_list_of

from ..errors import DiscountNeedsApproval, MarginNeedsApproval
from ..events import QuotationSent
from ..models import InvoicingPolicy, Quotation, QuotationLine, SalesSettings
from ..permissions import DISCOUNT_APPROVER_ROLE
from ..selectors import promises_for, sees_all, settings_of
from .common import (
    HUNDRED,
    ZERO,
    decimal_of,
    lock,
    number,
    party_of,
    product_of,
    products_by_pk,
)
from .margins import margin_shortfall

Status = Quotation.Status
APPROVAL_ACTION = "discount"
MARGIN_ACTION = "margin"
UNCHANGED = object()
DEFAULT_VALIDITY_DAYS = 30
HAND_PRICED = "Price entered by hand"


@atomic_service
def configure(
    company,
    *,
    discount_threshold=None,
    minimum_margin=UNCHANGED,
    overdue_days=UNCHANGED,
    refuse_unreservable=None,
    by=None,
) -> SalesSettings:
    """Set what is given (the rest stays): the line discount (percent) above which and
    the margin (percent, None: no check) below which a quotation needs approval, the
    days overdue (None: never) after which a customer's orders are held, and whether
    an order whose stock promised for today cannot be set aside is refused."""
    found, _ = SalesSettings.objects.get_or_create(company=company)
    if discount_threshold is not None:
        found.discount_threshold = _percent(discount_threshold, "discount_threshold")
    if minimum_margin is not UNCHANGED:
        found.minimum_margin = (
            None if minimum_margin is None else _percent(minimum_margin, "minimum_margin")
        )
    if overdue_days is not UNCHANGED:
        found.overdue_days = (
            None
            if overdue_days is None
            else int(decimal_of(overdue_days, field="overdue_days", label="The days overdue"))
        )
    if refuse_unreservable is not None:
        found.refuse_unreservable = bool(refuse_unreservable)
    found.save()
    return found


def dates_of(quote_date: dt.date | None, valid_until: dt.date | None):
    """The quote date (today by default) and the validity date (30 days on by default),
    refused when the validity precedes the date."""
    quote_date = quote_date or timezone.localdate()
    valid_until = valid_until or quote_date + dt.timedelta(days=DEFAULT_VALIDITY_DAYS)
    if valid_until < quote_date:
        raise InvalidInput("The validity date cannot precede the quote date.", "valid_until")
    return quote_date, valid_until


def _percent(value, field: str):
    found = decimal_of(value, field=field, allow_zero=True, label="The percentage")
    if found > HUNDRED:
        raise InvalidInput("A percentage goes up to 100.", field=field)
    return found


def parse_lines(company, party, lines: list[dict], on_date: dt.date, currency: str):
    """Quotation lines priced by the price-list selector unless a unit price is given
    (the rule applied is kept), with their discount and taxes; refuses an empty list,
    a product twice, a quantity or discount out of range."""
    if not lines:
        raise InvalidInput("Give at least one line.", field="lines")
    records, line_taxes, seen = [], [], set()
    # One query for the lines' products and one for the price list, not one per line.
    loaded = products_by_pk([raw.get("product") for raw in lines])
    price_list = price_list_of(company.pk, party, on_date)
    for position, raw in enumerate(lines, 1):
        where = f"lines[{position}]"
        wanted = raw.get("product")
        product = product_of(company, loaded.get(wanted, wanted), field=f"{where}.product")
        if product.pk in seen:
            raise InvalidInput(
                f"Line {position}: {product} is already on another line; add the quantities.",
                field=f"{where}.product",
            )
        seen.add(product.pk)
        quantity = decimal_of(
            raw.get("quantity"), field=f"{where}.quantity", label=f"Line {position}: the quantity"
        )
        discount = decimal_of(
            raw.get("discount", 0),
            field=f"{where}.discount",
            allow_zero=True,
            label=f"Line {position}: the discount",
        )
        if discount > HUNDRED:
            raise InvalidInput(
                f"Line {position}: the discount is a percentage up to 100.",
                field=f"{where}.discount",
            )
        quote = price_for(product, party, quantity, on_date, price_list=price_list)
        unit_price = raw.get("unit_price")
        if unit_price is None:
            if quote.currency != currency:
                raise InvalidInput(
                    f"Line {position}: {product} is priced in {quote.currency}, not {currency}; "
                    "give the unit price.",
                    field=f"{where}.unit_price",
                )
            unit_price, rule, explanation = quote.unit_price, quote.rule, quote.explanation
        else:
            unit_price = decimal_of(unit_price, field=f"{where}.unit_price", allow_zero=True)
            rule, explanation = None, HAND_PRICED
        tax_ids = [getattr(t, "pk", t) for t in raw.get("taxes") or []]
        found = (
            {t.pk: t for t in Tax.objects.filter(company=company, pk__in=tax_ids)}
            if tax_ids
            else {}
        )
        if len(found) != len(set(tax_ids)):
            raise InvalidInput(f"Line {position}: unknown tax.", field=f"{where}.taxes")
        records.append(
            QuotationLine(
                sequence=position,
                product=product,
                description=raw.get("description") or product.name,
                quantity=quantity,
                list_price=quote.list_price,
                unit_price=unit_price,
                price_rule=rule,
                price_explanation=explanation[:400],
                discount=discount,
            )
        )
        line_taxes.append([found[i] for i in tax_ids])
    return records, line_taxes


def totals_of(company, records, line_taxes, currency: str):
    """Untaxed, tax and total by the company's tax rounding; each line's subtotal is
    its quantity x price less discount, rounded (a document is the sum of its lines)."""
    by_pk: dict = {}
    taxable = []
    for record, taxes in zip(records, line_taxes, strict=True):
        gross = record.quantity * record.unit_price * (HUNDRED - record.discount) / HUNDRED
        record.subtotal = round_money(gross, currency)
        taxable.append(
            TaxableLine(amount=record.subtotal, taxes=[by_pk.setdefault(t.pk, t) for t in taxes])
        )
    rule = accounting_settings(company.pk).tax_rounding
    result = compute_taxes(taxable, rounding=rule, currency=currency)
    return result.untaxed, result.tax, result.total


@atomic_service
def create_quotation(
    company,
    *,
    lines: list[dict],
    warehouse: Warehouse,
    party=None,
    opportunity=None,
    contact=None,
    quote_date: dt.date | None = None,
    valid_until: dt.date | None = None,
    invoicing_policy: str = InvoicingPolicy.ORDERED,
    currency: str | None = None,
    by=None,
) -> Quotation:
    """A draft quotation (SQ/00001). From an opportunity, its customer, contact and
    currency are carried over. Each line `{"product", "quantity", "discount",
    "taxes"}` is priced by the price list (or `"unit_price"`), and gets what the
    warehouse can promise on the quote date and the date the whole quantity can."""
    if opportunity is not None:
        if opportunity.company_id != company.pk:
            raise InvalidInput("The opportunity belongs to another company.", field="opportunity")
        if opportunity.status != "open":
            raise InvalidInput(
                f"“{opportunity}” is {opportunity.status}; quote only open opportunities.",
                field="opportunity",
            )
        if not may_manage_opportunity(by, opportunity):
            raise PermissionRefused(
                f"“{opportunity}” belongs to {opportunity.owner}; only its owner or a sales "
                "manager can quote it."
            )
        party = party or opportunity.party
        contact = contact or opportunity.contact
        currency = currency or opportunity.currency
    if party is None:
        raise InvalidInput("Say who the quotation is for.", field="party")
    party = party_of(company, party)
    if contact is not None:
        contact = party_of(company, contact, field="contact")
    if warehouse.company_id != company.pk:
        raise InvalidInput(f"{warehouse} belongs to another company.", field="warehouse")
    if invoicing_policy not in InvoicingPolicy.values:
        raise InvalidInput(
            f"Unknown invoicing policy '{invoicing_policy}'.", field="invoicing_policy"
        )
    quote_date, valid_until = dates_of(quote_date, valid_until)
    currency = (currency or company.currency).upper()
    return store_quotation(
        company,
        lines,
        number=number(company, "quotation", "SQ/"),
        party=party,
        contact=contact,
        opportunity=opportunity,
        owner=(opportunity.owner if opportunity is not None else by),
        warehouse=warehouse,
        currency=currency,
        quote_date=quote_date,
        valid_until=valid_until,
        invoicing_policy=invoicing_policy,
        created_by=by,
        updated_by=by,
    )


def store_quotation(company, lines: list[dict], **fields) -> Quotation:
    """The quotation with its lines priced, taxed, totalled and promised."""
    party, currency, quote_date = fields["party"], fields["currency"], fields["quote_date"]
    records, line_taxes = parse_lines(company, party, lines, quote_date, currency)
    untaxed, tax, total = totals_of(company, records, line_taxes, currency)
    promises = promises_for(
        fields["warehouse"], [(r.product, r.quantity) for r in records], quote_date
    )
    for record, promise in zip(records, promises, strict=True):
        record.atp_quantity, record.promise_date = promise.available, promise.promise_date
    quotation = Quotation.objects.create(
        company=company, amount_untaxed=untaxed, amount_tax=tax, amount_total=total, **fields
    )
    for record in records:
        record.quotation = quotation
    QuotationLine.objects.bulk_create(records)
    through = QuotationLine.taxes.through
    through.objects.bulk_create(
        [
            through(quotationline_id=record.pk, tax_id=tax.pk)
            for record, taxes in zip(records, line_taxes, strict=True)
            for tax in taxes
        ]
    )
    return quotation


def _lock(quotation_id: int) -> Quotation:
    return lock(Quotation, quotation_id, label="Quotation")


def check_owner(document, user, verb: str) -> None:
    """A rep acts on their own quotations and orders only; managers on all."""
    if user is not None and document.owner_id not in (None, user.pk) and not sees_all(user):
        raise PermissionRefused(
            f"{document} belongs to {document.owner}; only its owner or a sales manager can "
            f"{verb} it."
        )


def largest_discount(quotation: Quotation):
    return max((line.discount for line in quotation.lines.all()), default=ZERO)


def discount_amount(quotation: Quotation):
    """What the discounts take off the lines' list value, in the quotation's currency."""
    currency = quotation.currency
    return sum(
        (
            round_money(line.quantity * line.unit_price * line.discount / HUNDRED, currency)
            for line in quotation.lines.all()
        ),
        ZERO,
    )


def _pending_requests(quotation: Quotation) -> list[ApprovalRequest]:
    """The quotation's approval requests still waiting (discount, margin)."""
    return list(
        ApprovalRequest.objects.filter(
            content_type=ContentType.objects.get_for_model(Quotation),
            object_id=str(quotation.pk),
            action__in=[APPROVAL_ACTION, MARGIN_ACTION],
            status=ApprovalRequest.Status.PENDING,
        ).order_by("id")
    )


RULE_NAMES = {
    APPROVAL_ACTION: "Quotation discounts above the threshold",
    MARGIN_ACTION: "Quotation margins below the minimum",
}


def _ensure_rule(company, action: str = APPROVAL_ACTION) -> None:
    """Every discount or margin that needs approval goes to the sales managers (the
    threshold is a percentage, checked here; the rule routes it at any amount)."""
    content_type = ContentType.objects.get_for_model(Quotation)
    exists = ApprovalRule.objects.filter(
        company=company, content_type=content_type, action=action, active=True
    ).exists()
    if not exists:
        rule = ApprovalRule(
            company=company,
            content_type=content_type,
            action=action,
            name=RULE_NAMES[action],
            min_amount=ZERO,
            approver_role=Group.objects.get(name=str(DISCOUNT_APPROVER_ROLE)),
            active=True,
        )
        approvals.save_rule(rule, by=None)


@atomic_service
def send(quotation_id: int, *, by=None) -> Quotation:
    """draft -> sent. A line discount above the threshold not yet approved sends it
    to approve instead: a pending request for the sales managers, nothing sent."""
    quotation = _lock(quotation_id)
    check_owner(quotation, by, "send")
    if quotation.status != Status.DRAFT:
        raise TransitionNotAllowed(
            f"{quotation} is {quotation.get_status_display().lower()}; only a draft can be sent.",
            field="status",
        )
    threshold = settings_of(quotation.company).discount_threshold
    discount = largest_discount(quotation)
    waiting = False
    if discount > threshold and quotation.discount_approved_by_id is None:
        _ensure_rule(quotation.company)
        approvals.request_approval(
            company=quotation.company,
            document=quotation,
            action=APPROVAL_ACTION,
            amount=discount_amount(quotation),
            currency=quotation.currency,
            requested_by=by,
            reason=f"{quotation} for {quotation.party}: a discount of {discount.normalize():f}% "
            f"is above the {threshold.normalize():f}% threshold",
        )
        waiting = True
    shortfall = margin_shortfall(quotation)
    if shortfall is not None:
        margin, minimum = shortfall
        _ensure_rule(quotation.company, MARGIN_ACTION)
        approvals.request_approval(
            company=quotation.company,
            document=quotation,
            action=MARGIN_ACTION,
            amount=margin.revenue,
            currency=quotation.company.currency,
            requested_by=by,
            reason=f"{quotation} for {quotation.party}: a margin of {margin.percent:f}% "
            f"({format_money(margin.amount, quotation.company.currency, symbol=True)}) is "
            f"below the {minimum.normalize():f}% minimum",
        )
        waiting = True
    if waiting:
        transition(quotation, Status.TO_APPROVE, by=by)
        return quotation
    transition(quotation, Status.SENT, by=by)
    publish(
        QuotationSent(
            quotation_id=quotation.pk,
            number=quotation.number,
            party_id=quotation.party_id,
            total=amount_text(quotation.amount_total, quotation.currency),
            currency=quotation.currency,
        ),
        company=quotation.company,
    )
    return quotation


APPROVED_FIELD = {APPROVAL_ACTION: "discount_approved_by", MARGIN_ACTION: "margin_approved_by"}


@atomic_service
def approve_discount(quotation_id: int, *, by, note: str = "") -> Quotation:
    """to approve -> draft with its discount and margin approved (by a sales manager,
    through the core approval requests); it can then be sent."""
    quotation = _lock(quotation_id)
    if quotation.status != Status.TO_APPROVE:
        raise TransitionNotAllowed(f"{quotation} is not waiting for approval.", field="status")
    requests = _pending_requests(quotation)
    if not requests:
        raise TransitionNotAllowed(f"{quotation} has no pending approval.", field="status")
    for request in requests:
        approvals.approve(request.pk, by=by, note=note)
        setattr(quotation, APPROVED_FIELD[request.action], by)
    quotation.save(update_fields=[APPROVED_FIELD[r.action] for r in requests])
    approved = " and ".join(r.action for r in requests).capitalize()
    transition(quotation, Status.DRAFT, by=by, note=f"{approved} approved")
    return quotation


def require_sendable(quotation: Quotation) -> None:
    """A discount above the threshold or a margin below the minimum blocks
    confirmation until approved."""
    threshold = settings_of(quotation.company).discount_threshold
    if quotation.discount_approved_by_id is None and largest_discount(quotation) > threshold:
        raise DiscountNeedsApproval(
            f"{quotation} has a discount above {threshold.normalize():f}%; a sales manager "
            "must approve it first.",
            field="lines",
        )
    shortfall = margin_shortfall(quotation)
    if shortfall is not None:
        margin, minimum = shortfall
        raise MarginNeedsApproval(
            f"{quotation} has a margin of {margin.percent:f}%, below the "
            f"{minimum.normalize():f}% minimum; a sales manager must approve it first.",
            field="lines",
        )


@atomic_service
def cancel(quotation_id: int, *, by=None, reason: str = "") -> Quotation:
    quotation = _lock(quotation_id)
    check_owner(quotation, by, "cancel")
    requests = _pending_requests(quotation)
    transition(quotation, Status.CANCELLED, by=by, note=reason)
    for request in requests:
        transition(request, ApprovalRequest.Status.CANCELLED, by=by, note=f"{quotation} cancelled")
    return quotation
