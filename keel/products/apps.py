from django.apps import AppConfig


class ProductsConfig(AppConfig):
    """What we sell, buy, stock and bill: products (goods, consumables, services),
    their category tree, units of measure with exact conversion, price groups and
    price lists with quantity breaks, and the pricing selector `price_for`."""

    name = "keel.products"
    label = "products"
    verbose_name = "Products"

    def ready(self) -> None:
        from keel.core.search import register

        from .search import products as product_search

        register("products", product_search)
