"""Helpers the sales services share: parsing, locking, numbering."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from keel.core.errors import InvalidInput, NotFound, TransitionNotAllowed
from keel.core.events import publish
from keel.core.models import Company
from keel.core.money import amount_text
from keel.core.numbering import next_number
from keel.parties.models import Party
from keel.products.models import Product

from ..errors import OrderOnHold
from ..events import OrderInvoiced
from ..models import InvoicedQuantity, OrderInvoice, SalesOrder, SalesOrderLine

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def decimal_of(value, *, field: str, allow_zero: bool = False, label: str = "") -> Decimal:
    """A positive (or, with allow_zero, non-negative) Decimal from user input."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput(f"'{value}' is not a number.", field=field) from None
    if not number.is_finite() or number < 0 or (number == 0 and not allow_zero):
        what = label or "The value"
        raise InvalidInput(
            f"{what} must be {'zero or more' if allow_zero else 'more than zero'} (got {value}).",
            field=field,
        )
    return number


def number(company: Company, key: str, prefix: str) -> str:
    """The next number of one of sales' series (SQ/00001); gapless, drawn in the
    document's transaction."""
    return next_number(company, f"sales.{key}", None, prefix=prefix, yearly=False)


def party_of(company: Company, party, *, field: str = "party") -> Party:
    found = party if isinstance(party, Party) else Party.objects.filter(pk=party).first()
    if found is None or found.company_id != company.pk:
        raise InvalidInput("Unknown customer.", field=field)
    return found


def product_of(company: Company, product, *, field: str) -> Product:
    found = (
        product
        if isinstance(product, Product)
        else Product.objects.filter(pk=product).select_related("company", "category").first()
    )
    if found is None or found.company_id != company.pk:
        raise InvalidInput("Unknown product.", field=field)
    if not found.active:
        raise InvalidInput(f"{found} is archived.", field=field)
    return found


def open_quantities(transfer, quantities: dict | None, *, label: str) -> list[dict] | None:
    """What validation is told was done on an open transfer, from {product id:
    quantity} (None: everything it expects)."""
    if quantities is None:
        return None
    moves = {m.product_id: m for m in transfer.moves.all()}
    done = []
    for product_id, quantity in quantities.items():
        if product_id not in moves:
            raise InvalidInput(
                f"{transfer} has nothing open of product {product_id}.", field="quantities"
            )
        quantity = decimal_of(quantity, field="quantities", allow_zero=True, label=label)
        done.append({"move": moves[product_id].pk, "quantity": quantity})
    return done


def products_by_pk(wanted: list) -> dict:
    """The products named by id among `wanted` (ids or Products), with their company
    and category, in one query; product_of() then checks each."""
    ids = {pk for pk in wanted if isinstance(pk, int) and not isinstance(pk, bool)}
    if not ids:
        return {}
    found = Product.objects.filter(pk__in=ids).select_related("company", "category")
    return {product.pk: product for product in found}


def lock(model, pk: int, *, label: str):
    """The row, locked for the rest of the transaction, or NotFound."""
    try:
        return model.objects.select_for_update(of=("self",)).select_related("company").get(pk=pk)
    except model.DoesNotExist:
        raise NotFound(f"{label} {pk} does not exist.") from None


def require_confirmed(order: SalesOrder, verb: str) -> None:
    """Only a confirmed order (not on credit hold, not done or cancelled) moves on."""
    if order.status == SalesOrder.Status.ON_HOLD:
        raise OrderOnHold(
            f"{order} is on credit hold ({order.hold_reason}); it cannot be {verb} until released.",
            field="status",
        )
    if order.status != SalesOrder.Status.CONFIRMED:
        raise TransitionNotAllowed(
            f"{order} is {order.get_status_display().lower()}; it cannot be {verb}.",
            field="status",
        )


def link_invoice(order: SalesOrder, document, *, down_payment=ZERO) -> OrderInvoice:
    """The posted invoice counts as the order's (with the down payment it asks, or
    deducts when negative) and the order announces it."""
    link = OrderInvoice.objects.create(
        company=order.company, order=order, invoice=document, down_payment=down_payment
    )
    publish(
        OrderInvoiced(
            order_id=order.pk,
            number=order.number,
            invoice_id=document.pk,
            total=amount_text(document.amount_total, document.currency),
        ),
        company=order.company,
    )
    return link


def record_billed(billed) -> None:
    """The order lines count what each invoice billed of them ((invoice, line,
    quantity) rows), remembered per invoice so a cancelled one gives exactly that back."""
    for _, line, quantity in billed:
        line.quantity_invoiced += quantity
    SalesOrderLine.objects.bulk_update([line for _, line, _ in billed], ["quantity_invoiced"])
    InvoicedQuantity.objects.bulk_create(
        InvoicedQuantity(order_line=line, invoice=document, quantity=quantity)
        for document, line, quantity in billed
    )


def invoice_line(line, quantity, *, description: str = "") -> dict:
    """An accounting invoice line for `quantity` of an order line, at its net price
    and taxes."""
    return {
        "product": line.product,
        "description": description or line.description,
        "quantity": quantity,
        "unit_price": line.unit_price,
        "discount": line.discount,
        "taxes": list(line.taxes.all()),
    }
