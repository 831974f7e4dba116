from django.db import migrations


def _progress(done, wanted) -> str:
    # As keel.sales.services.orders._progress (a migration keeps its own copy).
    if done <= 0:
        return "nothing"
    return "full" if done >= wanted else "partial"


def release_invoices_cancelled_before(apps, schema_editor):
    """Invoices cancelled before sales listened to cancellations still counted as
    invoiced on their orders (and 0008 recorded what they billed): count them out
    again, and give their orders the invoice and payment status they now have."""
    InvoicedQuantity = apps.get_model("sales", "InvoicedQuantity")
    SalesOrder = apps.get_model("sales", "SalesOrder")
    SalesOrderLine = apps.get_model("sales", "SalesOrderLine")
    OrderInvoice = apps.get_model("sales", "OrderInvoice")
    stale = list(InvoicedQuantity.objects.filter(invoice__status="cancelled"))
    if not stale:
        return
    lines = SalesOrderLine.objects.in_bulk({row.order_line_id for row in stale})
    for row in stale:
        lines[row.order_line_id].quantity_invoiced -= row.quantity
    SalesOrderLine.objects.bulk_update(list(lines.values()), ["quantity_invoiced"])
    InvoicedQuantity.objects.filter(pk__in=[row.pk for row in stale]).delete()
    order_ids = {line.order_id for line in lines.values()}
    for order in SalesOrder.objects.filter(pk__in=order_ids).exclude(
        status__in=("on_hold", "cancelled")
    ):
        order_lines = list(SalesOrderLine.objects.filter(order=order))
        ordered = sum(line.quantity for line in order_lines)
        order.invoice_status = _progress(
            sum(min(line.quantity_invoiced, line.quantity) for line in order_lines), ordered
        )
        states = list(
            OrderInvoice.objects.filter(order=order)
            .exclude(invoice__status="cancelled")
            .values_list("invoice__payment_status", flat=True)
        )
        if states and all(state == "paid" for state in states):
            order.payment_status = "paid" if order.invoice_status == "full" else "partial"
        elif any(state != "not_paid" for state in states):
            order.payment_status = "partial"
        else:
            order.payment_status = "not_paid"
        order.save(update_fields=["invoice_status", "payment_status"])


class Migration(migrations.Migration):
    dependencies = [("sales", "0008_invoiced_quantities")]

    operations = [migrations.RunPython(release_invoices_cancelled_before, migrations.RunPython.noop)]
