"""Products tables: units of measure, categories, products, price groups and lists."""

from .catalog import Product, ProductCategory
from .pricing import PriceGroup, PriceList, PriceListRule
from .uom import Uom, UomCategory

__all__ = [
    "PriceGroup",
    "PriceList",
    "PriceListRule",
    "Product",
    "ProductCategory",
    "Uom",
    "UomCategory",
]
