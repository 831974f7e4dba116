"""The sidebar, grouped by module, showing each person only what their role allows."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from keel.core.search import search


def can(*perms: str):
    """A permission callback for a sidebar item: any of `perms`."""

    def check(request) -> bool:
        return any(request.user.has_perm(perm) for perm in perms)

    return check


def _item(title: str, icon: str, url_name: str, *perms: str) -> dict:
    return {
        "title": title,
        "icon": icon,
        "link": lambda request: reverse(url_name),
        "permission": can(*perms) if perms else None,
    }


# Each module: (title, [items]). Later domains append their group here.
MODULES: list[tuple[str, list[dict]]] = [
    (
        "Workspace",
        [
            _item("Dashboard", "dashboard", "admin:index"),
            _item("Approvals inbox", "approval", "web:approvals", "core.view_approvalrequest"),
        ],
    ),
    (
        "Parties",
        [
            _item("Parties", "groups", "admin:parties_party_changelist", "parties.view_party"),
            _item("Regions", "public", "admin:parties_region_changelist", "parties.view_region"),
            _item(
                "Sales channels",
                "storefront",
                "admin:parties_saleschannel_changelist",
                "parties.view_saleschannel",
            ),
            _item(
                "Industries",
                "factory",
                "admin:parties_industry_changelist",
                "parties.view_industry",
            ),
            _item("Tags", "sell", "admin:parties_tag_changelist", "parties.view_tag"),
            _item(
                "Customer groups",
                "group_work",
                "admin:parties_customergroup_changelist",
                "parties.view_customergroup",
            ),
        ],
    ),
    (
        "Approvals",
        [
            _item(
                "Approval requests",
                "task_alt",
                "admin:core_approvalrequest_changelist",
                "core.view_approvalrequest",
            ),
            _item(
                "Approval rules",
                "rule",
                "admin:core_approvalrule_changelist",
                "core.view_approvalrule",
            ),
        ],
    ),
    (
        "Products",
        [
            _item(
                "Products",
                "inventory_2",
                "admin:products_product_changelist",
                "products.view_product",
            ),
            _item(
                "Product categories",
                "category",
                "admin:products_productcategory_changelist",
                "products.view_productcategory",
            ),
            _item(
                "Price lists",
                "sell",
                "admin:products_pricelist_changelist",
                "products.view_pricelist",
            ),
            _item(
                "Price groups",
                "group_work",
                "admin:products_pricegroup_changelist",
                "products.view_pricegroup",
            ),
            _item(
                "Units of measure",
                "straighten",
                "admin:products_uom_changelist",
                "products.view_uom",
            ),
        ],
    ),
    (
        "CRM",
        [
            _item("Pipeline board", "view_kanban", "crm:board-index", "crm.view_opportunity"),
            _item("My activities", "event", "crm:activities", "crm.view_activity"),
            _item("CRM dashboard", "monitoring", "crm:dashboard", "crm.view_opportunity"),
            _item("Leads", "person_add", "admin:crm_lead_changelist", "crm.view_lead"),
            _item(
                "Opportunities",
                "handshake",
                "admin:crm_opportunity_changelist",
                "crm.view_opportunity",
            ),
            _item("Activities", "task", "admin:crm_activity_changelist", "crm.view_activity"),
            _item("Lead import", "upload_file", "crm:lead-import-start", "crm.add_leadimport"),
            _item(
                "Scoring rules",
                "scoreboard",
                "admin:crm_scoringrule_changelist",
                "crm.view_scoringrule",
            ),
            _item(
                "Assignment rules",
                "alt_route",
                "admin:crm_assignmentrule_changelist",
                "crm.view_assignmentrule",
            ),
            _item(
                "Pipelines", "linear_scale", "admin:crm_pipeline_changelist", "crm.view_pipeline"
            ),
            _item(
                "Sales targets", "flag", "admin:crm_salestarget_changelist", "crm.view_salestarget"
            ),
        ],
    ),
    (
        "Inventory",
        [
            _item(
                "Transfers",
                "local_shipping",
                "admin:inventory_transfer_changelist",
                "inventory.view_transfer",
            ),
            _item(
                "Stock on hand",
                "inventory",
                "admin:inventory_stocklevel_changelist",
                "inventory.view_stocklevel",
            ),
            _item(
                "Stock by location",
                "pin_drop",
                "inventory:on-hand",
                "inventory.view_stocklevel",
            ),
            _item(
                "Move history",
                "history",
                "inventory:moves",
                "inventory.view_transfer",
            ),
            _item(
                "Stock valuation",
                "payments",
                "inventory:valuation",
                "inventory.view_valuationlayer",
            ),
            _item(
                "Stock forecast",
                "show_chart",
                "inventory:forecast",
                "inventory.view_stocklevel",
            ),
            _item(
                "Below minimum",
                "production_quantity_limits",
                "inventory:below-minimum",
                "inventory.view_replenishmentrule",
            ),
            _item(
                "Replenishment rules",
                "rule",
                "admin:inventory_replenishmentrule_changelist",
                "inventory.view_replenishmentrule",
            ),
            _item(
                "Inventory counts",
                "fact_check",
                "admin:inventory_inventorycount_changelist",
                "inventory.view_inventorycount",
            ),
            _item(
                "Landed costs",
                "local_airport",
                "admin:inventory_landedcost_changelist",
                "inventory.view_landedcost",
            ),
            _item(
                "Put-away rules",
                "move_to_inbox",
                "admin:inventory_putawayrule_changelist",
                "inventory.view_putawayrule",
            ),
            _item(
                "Warehouses",
                "warehouse",
                "admin:inventory_warehouse_changelist",
                "inventory.view_warehouse",
            ),
            _item(
                "Locations",
                "shelves",
                "admin:inventory_location_changelist",
                "inventory.view_location",
            ),
            _item(
                "Lots and serials",
                "qr_code",
                "admin:inventory_lot_changelist",
                "inventory.view_lot",
            ),
        ],
    ),
    (
        "Purchasing",
        [
            _item(
                "Purchase orders",
                "shopping_cart",
                "admin:purchasing_purchaseorder_changelist",
                "purchasing.view_purchaseorder",
            ),
            _item(
                "Requisitions",
                "assignment",
                "admin:purchasing_requisition_changelist",
                "purchasing.view_requisition",
            ),
            _item(
                "Requests for quotation",
                "request_quote",
                "admin:purchasing_rfq_changelist",
                "purchasing.view_rfq",
            ),
            _item(
                "Vendor bills (match)",
                "fact_check",
                "admin:purchasing_billmatch_changelist",
                "purchasing.view_billmatch",
            ),
            _item(
                "Vendor prices",
                "sell",
                "admin:purchasing_vendorprice_changelist",
                "purchasing.view_vendorprice",
            ),
            _item(
                "Supplier performance",
                "leaderboard",
                "purchasing:performance",
                "purchasing.view_purchaseorder",
            ),
        ],
    ),
    (
        "Sales",
        [
            _item(
                "Quotations",
                "request_quote",
                "admin:sales_quotation_changelist",
                "sales.view_quotation",
            ),
            _item(
                "Sales orders",
                "receipt_long",
                "admin:sales_salesorder_changelist",
                "sales.view_salesorder",
            ),
        ],
    ),
    (
        "Analytics",
        [
            _item("Sales analysis", "analytics", "analytics:sales", "sales.view_salesorder"),
            _item(
                "Lead-to-cash time",
                "timer",
                "analytics:lead_to_cash",
                "sales.view_salesorder",
            ),
        ],
    ),
    (
        "Accounting",
        [
            _item(
                "Accounting overview",
                "monitoring",
                "accounting_dashboard:index",
                "accounting.view_reports",
            ),
            _item(
                "Journal entries",
                "receipt_long",
                "admin:accounting_journalentry_changelist",
                "accounting.view_journalentry",
            ),
            _item(
                "Chart of accounts",
                "account_tree",
                "admin:accounting_account_changelist",
                "accounting.view_account",
            ),
            _item(
                "Journals",
                "menu_book",
                "admin:accounting_journal_changelist",
                "accounting.view_journal",
            ),
            _item(
                "Fiscal years",
                "calendar_month",
                "admin:accounting_fiscalyear_changelist",
                "accounting.view_fiscalyear",
            ),
            _item("Taxes", "percent", "admin:accounting_tax_changelist", "accounting.view_tax"),
            _item(
                "Tax report", "summarize", "admin:accounting_tax_report", "accounting.view_reports"
            ),
            _item(
                "Bank statements",
                "account_balance",
                "admin:accounting_bankstatement_changelist",
                "accounting.view_bankstatement",
            ),
            _item(
                "Financial reports",
                "analytics",
                "accounting_reports:index",
                "accounting.view_reports",
            ),
            _item(
                "Accounting settings",
                "lock",
                "admin:accounting_accountingsettings_changelist",
                "accounting.view_accountingsettings",
            ),
        ],
    ),
    (
        "Integrations",
        [
            _item(
                "Webhook subscriptions",
                "webhook",
                "admin:core_webhooksubscription_changelist",
                "core.view_webhooksubscription",
            ),
            _item(
                "Webhook deliveries",
                "send",
                "admin:core_webhookdelivery_changelist",
                "core.view_webhookdelivery",
            ),
            _item(
                "Outbox events",
                "outbox",
                "admin:core_outboxevent_changelist",
                "core.view_outboxevent",
            ),
            _item("API documentation", "api", "swagger-ui"),
        ],
    ),
    (
        "Administration",
        [
            _item("Users", "person", "admin:users_user_changelist", "users.view_user"),
            _item("Roles", "groups", "admin:auth_group_changelist", "auth.view_group"),
            _item("Companies", "apartment", "admin:core_company_changelist", "core.change_company"),
            _item("Number series", "pin", "admin:core_sequence_changelist", "core.view_sequence"),
            _item(
                "Status log",
                "history",
                "admin:core_statuschange_changelist",
                "core.view_statuschange",
            ),
        ],
    ),
]


# Sidebar order: the workspace, the business modules by tier, then the platform.
ORDER = [
    "Workspace",
    "Parties",
    "Products",
    "CRM",
    "Accounting",
    "Inventory",
    "Purchasing",
    "Sales",
    "Analytics",
    "Approvals",
    "Integrations",
    "Administration",
]


def _position(module: tuple[str, list[dict]]) -> int:
    title = module[0]
    return ORDER.index(title) if title in ORDER else ORDER.index("Approvals")


def sidebar_navigation(request) -> list[dict]:
    """unfold's SIDEBAR.navigation: groups that have at least one item for this user."""
    groups = []
    for title, items in sorted(MODULES, key=_position):
        visible = [
            item for item in items if item["permission"] is None or item["permission"](request)
        ]
        if visible:
            groups.append(
                {"title": title, "separator": True, "collapsible": False, "items": visible}
            )
    return groups


def environment_callback(request):
    """A badge in the header saying which environment this is (not shown in production)."""
    if settings.PRODUCTION:
        return None
    return [settings.KEEL_ENV.title(), "warning"]


def search_callback(request, term: str) -> list:
    """unfold's command palette asks every registered search provider."""
    from unfold.dataclasses import SearchResult

    return [
        SearchResult(title=hit.title, description=hit.description, link=hit.link, icon=hit.icon)
        for hit in search(request.user, term)
    ]
