"""Demo catalogue: units, a category tree, 40 products, a retail and a wholesale list.

Deterministic: fixed names and prices; Faker (seeded by the caller) only writes
descriptions.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from .models import (
    PriceGroup,
    PriceList,
    PriceListRule,
    Product,
    ProductCategory,
    Uom,
    UomCategory,
)
from .services import catalog, pricelists, uoms

# category: [(name, symbol, ratio, rounding)], reference unit first
UNITS = {
    "Unit": [("Unit", "pc", "1", "1"), ("Dozen", "dz", "12", "0.01")],
    "Weight": [("Kilogram", "kg", "1", "0.001"), ("Gram", "g", "0.001", "1")],
    "Length": [("Metre", "m", "1", "0.01"), ("Centimetre", "cm", "0.01", "1")],
    "Time": [("Hour", "h", "1", "0.01")],
}

# key: (name, parent key)
CATEGORIES = {
    "furniture": ("Office Furniture", None),
    "hardware": ("Hardware", None),
    "computers": ("Computers", "hardware"),
    "cables": ("Cables & Accessories", "hardware"),
    "supplies": ("Office Supplies", None),
    "services": ("Services", None),
}

G, C, S = Product.Kind.GOODS, Product.Kind.CONSUMABLE, Product.Kind.SERVICE
# (category, kind, sku, name, unit symbol, sale price, cost price)
PRODUCTS = [
    ("furniture", G, "FUR-DESK-160", "Desk 160x80 oak", "pc", "449.00", "260.00"),
    ("furniture", G, "FUR-DESK-140", "Desk 140x70 white", "pc", "329.00", "190.00"),
    ("furniture", G, "FUR-CHR-ERGO", "Ergonomic office chair", "pc", "289.00", "150.00"),
    ("furniture", G, "FUR-CHR-VIS", "Visitor chair", "pc", "89.00", "41.00"),
    ("furniture", G, "FUR-CAB-3D", "Drawer cabinet, 3 drawers", "pc", "179.00", "95.00"),
    ("furniture", G, "FUR-SHELF-5", "Shelving unit, 5 shelves", "pc", "139.00", "70.00"),
    ("furniture", G, "FUR-LAMP-LED", "LED desk lamp", "pc", "59.00", "24.00"),
    ("computers", G, "CMP-LAP-14", "Laptop 14in, 16 GB", "pc", "1199.00", "890.00"),
    ("computers", G, "CMP-LAP-16", "Laptop 16in, 32 GB", "pc", "1799.00", "1350.00"),
    ("computers", G, "CMP-DSK-MINI", "Mini desktop PC", "pc", "749.00", "520.00"),
    ("computers", G, "CMP-MON-24", "Monitor 24in", "pc", "189.00", "120.00"),
    ("computers", G, "CMP-MON-27", "Monitor 27in 4K", "pc", "399.00", "260.00"),
    ("computers", G, "CMP-DOCK-USBC", "USB-C docking station", "pc", "219.00", "130.00"),
    ("computers", G, "CMP-KB-WL", "Wireless keyboard", "pc", "49.00", "22.00"),
    ("computers", G, "CMP-MS-WL", "Wireless mouse", "pc", "29.00", "11.00"),
    ("cables", G, "CBL-HDMI-2", "HDMI cable 2 m", "pc", "12.90", "3.10"),
    ("cables", G, "CBL-USBC-1", "USB-C cable 1 m", "pc", "9.90", "2.40"),
    ("cables", G, "CBL-CAT6-M", "Cat 6 network cable (by the metre)", "m", "1.20", "0.35"),
    ("cables", G, "CBL-PWR-STRIP", "Power strip, 6 sockets", "pc", "24.90", "9.80"),
    ("cables", C, "CBL-TIES-100", "Cable ties, pack of 100", "pc", "4.90", "1.10"),
    ("cables", G, "CBL-ADPT-HDMI", "USB-C to HDMI adapter", "pc", "19.90", "6.50"),
    ("supplies", C, "SUP-PAPER-A4", "Copy paper A4, 500 sheets", "pc", "5.49", "3.20"),
    ("supplies", C, "SUP-PEN-BLUE", "Ballpoint pen, blue", "dz", "7.80", "2.40"),
    ("supplies", C, "SUP-NOTE-A5", "Notebook A5, ruled", "pc", "3.90", "1.30"),
    ("supplies", C, "SUP-STICKY", "Sticky notes 76x76", "pc", "2.50", "0.70"),
    ("supplies", C, "SUP-TONER-BK", "Toner cartridge, black", "pc", "79.00", "42.00"),
    ("supplies", C, "SUP-COFFEE", "Coffee beans", "kg", "18.50", "9.90"),
    ("supplies", C, "SUP-TEA", "Green tea, loose", "g", "0.06", "0.02"),
    ("supplies", C, "SUP-ENVL-C4", "Envelopes C4, box of 250", "pc", "21.00", "9.00"),
    ("supplies", C, "SUP-LABEL", "Address labels, 1000", "pc", "14.90", "5.60"),
    ("supplies", C, "SUP-CLEAN", "Screen cleaning wipes", "pc", "6.90", "2.10"),
    ("services", S, "SRV-INSTALL", "On-site installation", "h", "95.00", "55.00"),
    ("services", S, "SRV-SUPPORT", "Remote support", "h", "75.00", "40.00"),
    ("services", S, "SRV-ASSEMBLY", "Furniture assembly", "h", "65.00", "35.00"),
    ("services", S, "SRV-TRAINING", "Software training", "h", "120.00", "60.00"),
    ("services", S, "SRV-DELIVERY", "Delivery and carry-in", "pc", "49.00", "30.00"),
    ("services", S, "SRV-WARRANTY", "Extended warranty, 1 year", "pc", "99.00", "20.00"),
    ("services", S, "SRV-RECYCLE", "IT equipment recycling", "kg", "1.50", "0.60"),
    ("services", S, "SRV-CONSULT", "Workplace consulting", "h", "140.00", "70.00"),
    ("services", S, "SRV-CABLING", "Network cabling", "m", "8.50", "4.00"),
]


def _units() -> dict[str, Uom]:
    """The shared units (they belong to no company): created once, reused after."""
    by_symbol: dict[str, Uom] = {}
    for category_name, specs in UNITS.items():
        category = UomCategory.objects.filter(name=category_name).first()
        if category is None:
            category = uoms.save_uom_category(UomCategory(name=category_name), by=None)
        for index, (name, symbol, ratio, rounding) in enumerate(specs):
            uom = Uom.objects.filter(category=category, name=name).first()
            if uom is None:
                uom = uoms.save_uom(
                    Uom(
                        category=category,
                        name=name,
                        symbol=symbol,
                        ratio=Decimal(ratio),
                        rounding=Decimal(rounding),
                        is_reference=index == 0,
                    ),
                    by=None,
                )
            by_symbol[symbol] = uom
    return by_symbol


def load(company, fake) -> None:
    """Add the demo catalogue and price lists to `company`."""
    units = _units()
    categories: dict[str, ProductCategory] = {}
    for key, (name, parent) in CATEGORIES.items():
        categories[key] = catalog.save_category(
            ProductCategory(company=company, name=name, parent=categories.get(parent)), by=None
        )
    products = {}
    for index, (category, kind, sku, name, symbol, sale, cost) in enumerate(PRODUCTS):
        products[sku] = catalog.save_product(
            Product(
                company=company,
                kind=kind,
                sku=sku,
                name=name,
                barcode=f"200{index + 1:09d}" if kind != S else "",
                category=categories[category],
                uom=units[symbol],
                sale_price=Decimal(sale),
                cost_price=Decimal(cost),
                description=fake.sentence(nb_words=10),
            ),
            by=None,
        )
    wholesale_group = pricelists.save_price_group(
        PriceGroup(company=company, name="Wholesale customers"), by=None
    )
    pricelists.save_price_group(PriceGroup(company=company, name="Resellers"), by=None)

    retail = pricelists.save_price_list(
        PriceList(company=company, name="Retail", currency=company.currency, is_default=True),
        by=None,
    )
    year = timezone.localdate().year
    wholesale = pricelists.save_price_list(
        PriceList(
            company=company,
            name=f"Wholesale {year}",
            currency=company.currency,
            valid_from=date(year, 1, 1),
            valid_to=date(year, 12, 31),
        ),
        by=None,
    )
    rules = [
        (retail, "Supplies 5+ at 5% off", {"category": categories["supplies"]}, 5, "5"),
        (retail, "Cables 10+ at 8% off", {"category": categories["cables"]}, 10, "8"),
        (wholesale, "Wholesale: everything 10% off", {}, 0, "10"),
        (wholesale, "Wholesale 10+", {}, 10, "15"),
        (wholesale, "Wholesale 50+", {}, 50, "20"),
        (wholesale, "Hardware 25+", {"category": categories["hardware"]}, 25, "22"),
        (
            wholesale,
            "Wholesale customers: monitors",
            {"product": products["CMP-MON-24"], "price_group": wholesale_group},
            0,
            None,
        ),
    ]
    for price_list, name, target, min_quantity, discount in rules:
        rule = PriceListRule(
            price_list=price_list, name=name, min_quantity=Decimal(min_quantity), **target
        )
        if discount is None:
            rule.price_type, rule.fixed_price = PriceListRule.PriceType.FIXED, Decimal("159.00")
        else:
            rule.discount_percent = Decimal(discount)
        pricelists.save_rule(rule, by=None)
