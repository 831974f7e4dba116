"""What each role may do in purchasing.

Administrators have everything and auditors every view permission already
(keel.users.permissions). Buyers run purchasing: vendor prices, requisitions,
RFQs (and their award), purchase orders and bills drawn from them; they do not
release a bill the match held (accountants do, so the one who ordered is not the
one who waves a price difference through). Employees ask for goods with
requisitions. Warehouse clerks receive what was ordered.
"""

from __future__ import annotations

from keel.users.roles import Role

MODELS = (
    "vendorprice",
    "requisition",
    "requisitionline",
    "rfq",
    "rfqline",
    "rfqvendor",
    "rfqquote",
    "purchaseorder",
    "purchaseorderline",
    "billmatch",
    "billmatchline",
)
BUY = [f"purchasing.{verb}_{model}" for model in MODELS for verb in ("view", "add", "change")] + [
    "purchasing.approve_requisition",
    "purchasing.award_rfq",
    "purchasing.approve_purchaseorder",
    "purchasing.receive_purchaseorder",
    "purchasing.cancel_purchaseorder",
]
REQUEST = ["purchasing.view_requisition", "purchasing.add_requisition"]
RECEIVE = ["purchasing.view_purchaseorder", "purchasing.receive_purchaseorder"]
RELEASE = [
    "purchasing.view_purchaseorder",
    "purchasing.view_billmatch",
    "purchasing.release_billmatch",
]

GRANTS: dict[Role, list[str]] = {
    Role.BUYER: list(BUY),
    Role.EMPLOYEE: list(REQUEST),
    Role.WAREHOUSE_CLERK: list(RECEIVE),
    Role.ACCOUNTANT: list(RELEASE),
}

# Who approves a purchase order above the threshold, unless the company says otherwise.
DEFAULT_APPROVER_ROLE = Role.ADMINISTRATOR
RELEASE_PERMISSION = "purchasing.release_billmatch"
APPROVE_REQUISITION_PERMISSION = "purchasing.approve_requisition"
