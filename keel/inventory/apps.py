from django.apps import AppConfig


class InventoryConfig(AppConfig):
    """Warehouses and their location trees, lots and serial numbers, transfers of stock
    (receipts, deliveries, internal moves) with their moves, reservations that never
    oversell, and the maintained stock levels per product x location x lot."""

    name = "keel.inventory"
    label = "inventory"
    verbose_name = "Inventory"

    def ready(self) -> None:
        from . import permissions  # noqa: F401
