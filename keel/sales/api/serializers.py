"""API shapes of sales records; inputs list their writable fields."""

from __future__ import annotations

from rest_framework import serializers

from keel.accounting.models import Tax
from keel.core.api.serializers import CompanyScopedFieldsMixin, ExactOut, Number, RecordId
from keel.core.workflow import allowed_transitions
from keel.crm.models import Opportunity
from keel.inventory.models import Warehouse
from keel.parties.models import Party
from keel.products.models import Product

from ..models import (
    OUTREACH_FIELDS,
    InvoicingPolicy,
    Quotation,
    QuotationLine,
    ReturnAuthorisation,
    ReturnLine,
    SalesOrder,
    SalesOrderLine,
)


class RecordOut(ExactOut):
    """A record moved by steps: the statuses it may go to next (the buttons to show)."""

    allowed_transitions = serializers.SerializerMethodField()

    def get_allowed_transitions(self, obj) -> list[str]:
        return allowed_transitions(obj)


class QuotationLineOut(ExactOut):
    product_name = serializers.CharField(source="product.name")

    class Meta:
        model = QuotationLine
        fields = [
            "id",
            "product",
            "product_name",
            "description",
            "quantity",
            "list_price",
            "unit_price",
            "price_explanation",
            "discount",
            "subtotal",
            "atp_quantity",
            "promise_date",
        ]
        read_only_fields = fields


class QuotationOut(RecordOut):
    party_name = serializers.CharField(source="party.name")
    lines = QuotationLineOut(many=True)

    class Meta:
        model = Quotation
        fields = [
            "id",
            "number",
            "status",
            "party",
            "party_name",
            "contact",
            "opportunity",
            "owner",
            "warehouse",
            "currency",
            "quote_date",
            "valid_until",
            "invoicing_policy",
            "amount_untaxed",
            "amount_tax",
            "amount_total",
            *OUTREACH_FIELDS,
            "revision_of",
            "lines",
            "allowed_transitions",
            "version",
        ]
        read_only_fields = fields


class PublicQuotationOut(ExactOut):
    """What the customer sees through the acceptance link: no owner, no approvals."""

    party_name = serializers.CharField(source="party.name")
    company_name = serializers.CharField(source="company.name")
    lines = QuotationLineOut(many=True)

    class Meta:
        model = Quotation
        fields = [
            "number",
            "revision",
            "status",
            "company_name",
            "party_name",
            "currency",
            "quote_date",
            "valid_until",
            "amount_untaxed",
            "amount_tax",
            "amount_total",
            "accepted_name",
            "accepted_at",
            "declined_at",
            "lines",
        ]
        read_only_fields = fields


class AcceptIn(serializers.Serializer):
    # Blank allowed here: the service refuses it with its own code and field.
    name = serializers.CharField(max_length=200, allow_blank=True)


class DeclineIn(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True)


class QuotationLineIn(CompanyScopedFieldsMixin, serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    # Any number: the service refuses zero and negative quantities with its own code.
    quantity = Number()
    discount = Number(required=False, default=0)
    unit_price = Number(required=False)
    description = serializers.CharField(max_length=300, required=False)
    taxes = serializers.PrimaryKeyRelatedField(
        queryset=Tax.objects.all(), many=True, required=False, default=list
    )


class QuotationIn(CompanyScopedFieldsMixin, serializers.Serializer):
    party = serializers.PrimaryKeyRelatedField(
        queryset=Party.objects.all(), required=False, allow_null=True
    )
    opportunity = serializers.PrimaryKeyRelatedField(
        queryset=Opportunity.objects.all(), required=False, allow_null=True
    )
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Party.objects.all(), required=False, allow_null=True
    )
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    quote_date = serializers.DateField(required=False)
    valid_until = serializers.DateField(required=False)
    invoicing_policy = serializers.ChoiceField(
        choices=InvoicingPolicy.choices, required=False, default=InvoicingPolicy.ORDERED
    )
    lines = QuotationLineIn(many=True)


class QuotationReviseIn(CompanyScopedFieldsMixin, serializers.Serializer):
    """Without lines, the revision keeps the current ones (priced again)."""

    quote_date = serializers.DateField(required=False)
    valid_until = serializers.DateField(required=False)
    lines = QuotationLineIn(many=True, required=False)


class QuotationConfirmIn(serializers.Serializer):
    date = serializers.DateField(required=False)


class SalesNoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class SalesOrderLineOut(ExactOut):
    product_name = serializers.CharField(source="product.name")

    class Meta:
        model = SalesOrderLine
        fields = [
            "id",
            "product",
            "product_name",
            "description",
            "quantity",
            "unit_price",
            "discount",
            "subtotal",
            "quantity_delivered",
            "quantity_invoiced",
            "quantity_returned",
        ]
        read_only_fields = fields


class SalesOrderOut(RecordOut):
    party_name = serializers.CharField(source="party.name")
    lines = SalesOrderLineOut(many=True)

    class Meta:
        model = SalesOrder
        fields = [
            "id",
            "number",
            "status",
            "quotation",
            "party",
            "party_name",
            "owner",
            "warehouse",
            "currency",
            "order_date",
            "invoicing_policy",
            "amount_untaxed",
            "amount_tax",
            "amount_total",
            "delivery_status",
            "invoice_status",
            "payment_status",
            "hold_reason",
            "released_by",
            "released_at",
            "release_note",
            "lines",
            "allowed_transitions",
            "version",
        ]
        read_only_fields = fields


class SalesDeliveredIn(serializers.Serializer):
    product = RecordId()
    quantity = Number()


class SalesDeliverIn(serializers.Serializer):
    date = serializers.DateField(required=False)
    lines = SalesDeliveredIn(many=True, required=False)


class SalesInvoiceIn(serializers.Serializer):
    date = serializers.DateField(required=False)
    lines = serializers.ListField(child=RecordId(), required=False)


class SalesInvoiceOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    amount_untaxed = Number()
    amount_tax = Number()
    amount_total = Number()


class DownPaymentIn(serializers.Serializer):
    """Either a percentage of the order's untaxed amount or a fixed untaxed amount."""

    percent = Number(required=False)
    amount = Number(required=False)
    date = serializers.DateField(required=False)


class SalesReturnLineOut(ExactOut):
    product_name = serializers.CharField(source="product.name")

    class Meta:
        model = ReturnLine
        fields = ["id", "order_line", "product", "product_name", "quantity", "quantity_received"]
        read_only_fields = fields


class SalesReturnOut(RecordOut):
    order_number = serializers.CharField(source="order.number")
    party_name = serializers.CharField(source="party.name")
    credit_note_number = serializers.CharField(
        source="credit_note.number", default=None, allow_null=True
    )
    lines = SalesReturnLineOut(many=True)

    class Meta:
        model = ReturnAuthorisation
        fields = [
            "id",
            "number",
            "status",
            "order",
            "order_number",
            "party",
            "party_name",
            "owner",
            "return_date",
            "reason",
            "settlement",
            "credit_note",
            "credit_note_number",
            "refund",
            "amount_credited",
            "amount_applied",
            "amount_refunded",
            "lines",
            "allowed_transitions",
            "version",
        ]
        read_only_fields = fields


class SalesReturnLineIn(serializers.Serializer):
    line = serializers.IntegerField(help_text="The order line the goods were delivered on")
    # Any number: the service refuses zero, negative and too much with its own code.
    quantity = Number()


class SalesReturnIn(serializers.Serializer):
    order = RecordId()
    reason = serializers.CharField(max_length=300, allow_blank=True)
    settlement = serializers.ChoiceField(
        choices=ReturnAuthorisation.Settlement.choices,
        required=False,
        default=ReturnAuthorisation.Settlement.CREDIT,
    )
    date = serializers.DateField(required=False)
    lines = SalesReturnLineIn(many=True)


class SalesReturnReceiveIn(serializers.Serializer):
    date = serializers.DateField(required=False)
    lines = SalesDeliveredIn(many=True, required=False)


class BatchConfirmIn(serializers.Serializer):
    quotations = serializers.ListField(child=RecordId(), min_length=1)
    date = serializers.DateField(required=False)


class BatchInvoiceIn(serializers.Serializer):
    party = RecordId(required=False)
    orders = serializers.ListField(child=RecordId(), required=False)
    grouping = serializers.CharField(required=False)
    date = serializers.DateField(required=False)


class BatchPayIn(serializers.Serializer):
    invoices = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    journal = serializers.IntegerField()
    date = serializers.DateField(required=False)


class RefusalOut(serializers.Serializer):
    id = serializers.IntegerField(source="document_id")
    label = serializers.CharField()
    code = serializers.CharField()
    detail = serializers.CharField()


class BatchOut(serializers.Serializer):
    """Per document: what it became (`done`: id -> new record id) or why it was refused."""

    done = serializers.DictField(child=serializers.IntegerField())
    refused = RefusalOut(many=True)
