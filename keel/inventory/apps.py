from django.apps import AppConfig


class InventoryConfig(AppConfig):
    """Warehouses and their location trees, lots and serial numbers, transfers of stock
    (receipts, deliveries, internal moves) with their moves, reservations that never
    oversell, and the maintained stock levels per product x location x lot."""

    name = "keel.inventory"
    label = "inventory"
    verbose_name = "Inventory"

    def ready(self) -> None:
        from keel.core import invariants
        from keel.core.numbering import register_numbered

        from . import invariants as stock
        from . import permissions  # noqa: F401

        invariants.register("on-hand-matches-moves", stock.on_hand_matches_moves)
        invariants.register("reserved-within-on-hand", stock.reserved_within_on_hand)
        invariants.register(
            "valuation-matches-stock-account", stock.valuation_matches_stock_account
        )
        register_numbered("inventory.", stock.transfer_numbers)
