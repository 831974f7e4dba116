"""Demo stock: two warehouses with zones and bins, 150 stocked products (the demo
catalogue's goods and supplies plus 119 more; lot-tracked ones with expiry dates,
serial-tracked ones; FIFO and average costing by category), and a year of receipts,
deliveries and counts (`demo_year`), all through the inventory services, so levels,
valuation layers and stock entries are the real ones.

Deterministic: fixed names and prices, quantities drawn from a generator with a
fixed seed, dated relative to `today` over the accounting demo's year. A second load
finds the warehouses and does nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from keel.accounting.models import Journal
from keel.accounting.services.chart import save_journal
from keel.products.models import Product, ProductCategory, Uom
from keel.products.services import catalog

from . import demo_year
from .models import Location, Warehouse
from .services import locations
from .services.valuation import STOCK_JOURNAL_CODE

D = Decimal
NONE, LOT, SERIAL = Product.Tracking.NONE, Product.Tracking.LOT, Product.Tracking.SERIAL
FIFO = ProductCategory.CostingMethod.FIFO

# code, name, {zone: [bin, ...]}; each bin holds the shelf groups listed in SHELVES.
WAREHOUSES = [
    ("MAIN", "Central warehouse", {"A": ["A-01", "A-02", "A-03"], "B": ["B-01", "B-02"]}),
    ("EAST", "East coast depot", {"A": ["A-01", "A-02"], "B": ["B-01"]}),
]
# bin -> the categories it holds, per warehouse (the depot keeps no computers).
SHELVES = {
    "MAIN": {
        "A-01": ["furniture"],
        "A-02": ["computers", "networking"],
        "A-03": ["cables"],
        "B-01": ["printing", "supplies"],
        "B-02": ["pantry", "hygiene"],
    },
    "EAST": {
        "A-01": ["furniture", "cables"],
        "A-02": ["printing", "supplies"],
        "B-01": ["pantry", "hygiene"],
    },
}
# Categories the demo catalogue lacks: key -> (name, parent key in the catalogue).
NEW_CATEGORIES = {
    "networking": ("Networking", "hardware"),
    "printing": ("Printing", None),
    "pantry": ("Pantry", None),
    "hygiene": ("Hygiene", None),
}
CATALOGUE_CATEGORIES = {
    "Office Furniture": "furniture",
    "Computers": "computers",
    "Cables & Accessories": "cables",
    "Office Supplies": "supplies",
}
FIFO_CATEGORIES = {"computers", "networking", "printing"}  # the others: average cost
# Catalogue products that get tracked: sku -> (tracking, shelf life in days).
TRACKED = {
    "CMP-LAP-14": (SERIAL, 0),
    "CMP-LAP-16": (SERIAL, 0),
    "CMP-DSK-MINI": (SERIAL, 0),
    "SUP-COFFEE": (LOT, 365),
    "SUP-TONER-BK": (LOT, 540),
}
# 17 families of 7 variants: (category, sku prefix, name, tracking, shelf life in
# days, sale price, cost price of the first variant, variants). Each variant costs
# 12% more than the one before it.
FAMILIES = [
    ("furniture", "FUR-SDK", "Standing desk", NONE, 0, "599.00", "340.00",
     ["120x70", "140x70", "160x80", "180x80", "white 140", "oak 160", "black 180"]),
    ("furniture", "FUR-MTG", "Meeting table", NONE, 0, "489.00", "270.00",
     ["4 seats", "6 seats", "8 seats", "10 seats", "round 4", "round 6", "oval 8"]),
    ("furniture", "FUR-BKC", "Bookcase", NONE, 0, "159.00", "82.00",
     ["80 cm", "120 cm", "160 cm", "200 cm", "corner", "glass doors", "on wheels"]),
    ("computers", "CMP-NB", "Notebook", SERIAL, 0, "899.00", "640.00",
     ["13in i5", "13in i7", "14in i5", "14in i7", "15in i5", "15in i7", "17in i7"]),
    ("computers", "CMP-DSP", "Display", SERIAL, 0, "169.00", "105.00",
     ["22in", "24in IPS", "27in IPS", "27in QHD", "32in QHD", "34in curved", "38in curved"]),
    ("computers", "CMP-TAB", "Tablet", SERIAL, 0, "329.00", "230.00",
     ["10in 64 GB", "10in 128 GB", "11in 128 GB", "11in 256 GB", "12in 256 GB",
      "12in 512 GB", "13in 512 GB"]),
    ("networking", "NET-SW", "Network switch", SERIAL, 0, "89.00", "52.00",
     ["8 ports", "16 ports", "24 ports", "48 ports", "8 ports PoE", "24 ports PoE",
      "48 ports PoE"]),
    ("networking", "NET-AP", "Wi-Fi access point", SERIAL, 0, "129.00", "74.00",
     ["Wi-Fi 5", "Wi-Fi 6", "Wi-Fi 6 outdoor", "Wi-Fi 6E", "Wi-Fi 6E outdoor", "Wi-Fi 7",
      "Wi-Fi 7 outdoor"]),
    ("networking", "NET-RT", "Router", SERIAL, 0, "149.00", "88.00",
     ["home office", "small office", "dual WAN", "LTE", "5G", "VPN", "fibre"]),
    ("cables", "CBL-PATCH", "Patch cable Cat 6", NONE, 0, "4.90", "1.20",
     ["0.5 m", "1 m", "2 m", "3 m", "5 m", "10 m", "20 m"]),
    ("cables", "CBL-DP", "DisplayPort cable", NONE, 0, "11.90", "3.40",
     ["1 m", "1.5 m", "2 m", "3 m", "5 m", "mini 1 m", "mini 2 m"]),
    ("printing", "PRT-TNR", "Toner cartridge", LOT, 540, "69.00", "36.00",
     ["cyan", "magenta", "yellow", "black XL", "cyan XL", "magenta XL", "yellow XL"]),
    ("printing", "PRT-INK", "Ink cartridge", LOT, 720, "24.00", "11.00",
     ["black", "cyan", "magenta", "yellow", "photo black", "black XL", "colour pack"]),
    ("pantry", "PAN-CAP", "Coffee capsules, 50", LOT, 365, "16.50", "8.40",
     ["espresso", "lungo", "ristretto", "decaf", "hazelnut", "vanilla", "organic"]),
    ("pantry", "PAN-WTR", "Mineral water, 12 x 1 l", LOT, 270, "6.90", "3.10",
     ["still", "sparkling", "lightly sparkling", "lemon", "lime", "glass still",
      "glass sparkling"]),
    ("hygiene", "HYG-SAN", "Hand sanitiser", LOT, 730, "4.90", "1.90",
     ["100 ml", "250 ml", "500 ml", "1 l", "5 l refill", "gel 500 ml", "foam 500 ml"]),
    ("hygiene", "HYG-WIP", "Disinfectant wipes", LOT, 540, "5.90", "2.30",
     ["50", "100", "200", "screen 50", "screen 100", "hand 100", "surface 200"]),
]  # fmt: skip
STEP = D("1.12")


@dataclass
class Stock:
    """What the year is run with: the warehouses, their bins, the products on each
    shelf and how long a lot of each keeps."""

    company: object
    warehouses: dict[str, Warehouse]
    bins: dict[tuple[str, str], Location]  # (warehouse code, bin name) -> bin
    shelf_of: dict[tuple[str, int], str]  # (warehouse code, product id) -> bin name
    products: dict[int, Product]
    group_of: dict[int, str]  # product id -> category key
    shelf_life: dict[int, int]  # product id -> days a lot keeps (0: no expiry)


def _layout(company) -> tuple[dict[str, Warehouse], dict[tuple[str, str], Location]]:
    warehouses, bins = {}, {}
    for code, name, zones in WAREHOUSES:
        warehouse = locations.create_warehouse(company, code=code, name=name)
        warehouses[code] = warehouse
        for zone, names in zones.items():
            area = locations.create_location(
                company, name=f"Zone {zone}", parent=warehouse.stock_location
            )
            for bin_name in names:
                bins[(code, bin_name)] = locations.create_location(
                    company, name=bin_name, parent=area
                )
    return warehouses, bins


def _categories(company) -> dict[str, ProductCategory]:
    """The catalogue's categories by key, the missing ones created, FIFO set."""
    found = {
        CATALOGUE_CATEGORIES[c.name]: c
        for c in ProductCategory.objects.filter(
            company=company, name__in=CATALOGUE_CATEGORIES.keys()
        )
    }
    for name, key in CATALOGUE_CATEGORIES.items():
        if key not in found:  # a company without the demo catalogue
            found[key] = catalog.save_category(ProductCategory(company=company, name=name), by=None)
    hardware = ProductCategory.objects.filter(company=company, name="Hardware").first()
    for key, (name, parent) in NEW_CATEGORIES.items():
        found[key] = catalog.save_category(
            ProductCategory(company=company, name=name, parent=hardware if parent else None),
            by=None,
        )
    for key, category in found.items():
        if key in FIFO_CATEGORIES:
            category.costing_method = FIFO
            catalog.save_category(category, by=None)
    return found


def _products(company, categories) -> tuple[dict[int, Product], dict[int, str], dict[int, int]]:
    """The stocked products: the catalogue's (some now tracked) and the families'."""
    keys = {c.pk: key for key, c in categories.items()}
    products, group_of, shelf_life = {}, {}, {}
    stocked = Product.objects.filter(company=company, category__in=categories.values()).exclude(
        kind=Product.Kind.SERVICE
    )
    for product in stocked.select_related("uom").order_by("pk"):
        tracking, keeps = TRACKED.get(product.sku, (NONE, 0))
        if tracking != NONE:
            product.tracking = tracking
            catalog.save_product(product, by=None)
        products[product.pk], group_of[product.pk] = product, keys[product.category_id]
        shelf_life[product.pk] = keeps
    piece = Uom.objects.get(symbol="pc", category__name="Unit")
    number = 0
    for key, prefix, name, tracking, keeps, sale, cost, variants in FAMILIES:
        factor = D(1)
        for position, variant in enumerate(variants, 1):
            number += 1
            product = catalog.save_product(
                Product(
                    company=company,
                    kind=Product.Kind.GOODS,
                    sku=f"{prefix}-{position:02d}",
                    name=f"{name}, {variant}",
                    barcode=f"210{number:09d}",
                    category=categories[key],
                    uom=piece,
                    tracking=tracking,
                    sale_price=(D(sale) * factor).quantize(D("0.01")),
                    cost_price=(D(cost) * factor).quantize(D("0.01")),
                ),
                by=None,
            )
            factor *= STEP
            products[product.pk], group_of[product.pk] = product, key
            shelf_life[product.pk] = keeps
    return products, group_of, shelf_life


def _stock_journal(company) -> None:
    """Stock entries get a journal of their own (STK), as the valuation expects."""
    if Journal.objects.filter(company=company).exists() and not (
        Journal.objects.filter(company=company, code=STOCK_JOURNAL_CODE).exists()
    ):
        save_journal(
            Journal(
                company=company,
                code=STOCK_JOURNAL_CODE,
                name="Stock valuation",
                kind=Journal.Kind.GENERAL,
                sequence_prefix="STK/",
            )
        )


def load(company, fake=None, *, today: dt.date | None = None) -> None:
    """Add the demo warehouses, stocked products and a year of stock moves to
    `company` (once). Its own seeded generator keeps it the same whatever ran before."""
    if Warehouse.objects.filter(company=company).exists():
        return
    today = today or dt.date.today()
    _stock_journal(company)
    warehouses, bins = _layout(company)
    categories = _categories(company)
    products, group_of, shelf_life = _products(company, categories)
    shelf_of = {}
    for code, shelves in SHELVES.items():
        for bin_name, groups in shelves.items():
            for pk, group in group_of.items():
                if group in groups:
                    shelf_of[(code, pk)] = bin_name
    stock = Stock(company, warehouses, bins, shelf_of, products, group_of, shelf_life)
    demo_year.load(stock, today)
