from django.apps import AppConfig


class SalesConfig(AppConfig):
    """Quote to cash: quotations priced by the price lists with stock and promise
    dates, discount approval, sales orders with a credit check, delivery through
    inventory, invoicing on ordered or delivered quantities through accounting, and
    the payment status read back from it."""

    name = "keel.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        from keel.core.numbering import register_numbered

        from . import handlers, permissions, timeline  # noqa: F401
        from . import invariants as numbers

        handlers.register()
        timeline.register()
        register_numbered("sales.quotation", numbers.quotation_numbers)
        register_numbered("sales.order", numbers.order_numbers)
        register_numbered("sales.return", numbers.return_numbers)
