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
        from . import handlers, permissions, timeline  # noqa: F401

        handlers.register()
        timeline.register()
