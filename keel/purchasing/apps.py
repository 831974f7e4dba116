from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    """Procure-to-pay: vendor prices and lead times, purchase requisitions, requests for
    quotation with vendor replies and award, purchase orders with approvals, receipts
    through inventory, vendor bills matched three ways (order, receipt, bill), and
    reorder-driven buying."""

    name = "keel.purchasing"
    label = "purchasing"
    verbose_name = "Purchasing"

    def ready(self) -> None:
        from keel.core.numbering import register_numbered

        from . import handlers, permissions  # noqa: F401
        from . import invariants as numbers

        handlers.register()
        register_numbered("purchasing.order", numbers.order_numbers)
