"""API of invoices, bills and credit notes (with post, cancel, pay, send, pdf,
reconcile) and of payments (with unreconcile)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from keel.core.api.serializers import RecordId
from keel.core.api.versions import version_from, with_etag
from keel.core.documents import pdf_response
from keel.core.errors import InvalidInput
from keel.core.workflow import allowed_transitions
from keel.parties.models import Party
from keel.products.models import Product

from .. import selectors
from ..models import Account, Invoice, Journal, Payment, PaymentTerm, Tax
from ..selectors import invoices as queries
from ..services import invoice_documents, invoices, payments, reconciliation
from .serializers import AMOUNT, MoneyOut
from .views import CompanyMixin


def _scoped(model):
    """A related field limited to the caller's company (set in `__init__`)."""
    return serializers.PrimaryKeyRelatedField(queryset=model.objects.none())


class CompanySerializer(serializers.Serializer):
    scoped: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        company_id = self.context.get("company_id")
        for name, field in self.fields.items():
            target = getattr(field, "child_relation", field)
            if isinstance(target, serializers.PrimaryKeyRelatedField) and name in self.scoped:
                target.queryset = self.scoped[name].objects.filter(company_id=company_id)


class LineInput(CompanySerializer):
    scoped = {"product": Product, "account": Account, "taxes": Tax}
    product = _scoped(Product)
    description = serializers.CharField(max_length=300)
    quantity = serializers.DecimalField(max_digits=16, decimal_places=4, default=1)
    unit_price = serializers.DecimalField(**AMOUNT)
    discount = serializers.DecimalField(max_digits=7, decimal_places=4, default=0)
    taxes = serializers.ManyRelatedField(child_relation=_scoped(Tax), required=False)
    account = _scoped(Account)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].required = self.fields["account"].required = False
        self.fields["product"].allow_null = self.fields["account"].allow_null = True


class InvoiceInput(CompanySerializer):
    """What a client may write on a draft; `version` (or If-Match) guards edits."""

    scoped = {"party": Party, "payment_term": PaymentTerm, "journal": Journal}
    kind = serializers.ChoiceField(Invoice.Kind.choices, default=Invoice.Kind.CUSTOMER_INVOICE)
    party = _scoped(Party)
    date = serializers.DateField()
    payment_term = _scoped(PaymentTerm)
    journal = _scoped(Journal)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True)
    ref = serializers.CharField(max_length=200, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    lines = serializers.ListField(child=serializers.DictField(), required=False)
    version = serializers.IntegerField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("payment_term", "journal"):
            self.fields[name].required, self.fields[name].allow_null = False, True

    def validate_lines(self, lines):
        parsed = []
        for position, raw in enumerate(lines, 1):
            line = LineInput(data=raw, context=self.context)
            if not line.is_valid():
                raise serializers.ValidationError({f"lines[{position}]": line.errors})
            parsed.append(line.validated_data)
        return parsed


class InvoiceLineOut(serializers.Serializer):
    id = serializers.IntegerField()
    product = serializers.IntegerField(source="product_id", allow_null=True)
    description = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=16, decimal_places=4)
    unit_price = MoneyOut()
    discount = serializers.DecimalField(max_digits=7, decimal_places=4)
    taxes = serializers.SerializerMethodField()
    amount_untaxed = MoneyOut()
    amount_total = MoneyOut()

    def get_taxes(self, line) -> list[int]:
        return [tax.pk for tax in line.taxes.all()]


class InvoiceOut(serializers.ModelSerializer):
    party_name = serializers.CharField(source="party.name", read_only=True)
    amount_untaxed = MoneyOut()
    amount_tax = MoneyOut()
    amount_total = MoneyOut()
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "payment_status",
            "party",
            "party_name",
            "date",
            "due_date",
            "payment_term",
            "journal",
            "currency",
            "rate",
            "ref",
            "notes",
            "reversed_invoice",
            "amount_untaxed",
            "amount_tax",
            "amount_total",
            "sent_at",
            "version",
            "allowed_transitions",
        ]

    def get_allowed_transitions(self, invoice) -> list[str]:
        return allowed_transitions(invoice)


class InvoiceDetailOut(InvoiceOut):
    lines = InvoiceLineOut(many=True, read_only=True)
    residual = serializers.SerializerMethodField()

    class Meta(InvoiceOut.Meta):
        fields = [*InvoiceOut.Meta.fields, "lines", "residual"]

    def get_residual(self, invoice) -> str:
        return MoneyOut().to_representation(queries.residual_of(invoice))


class VersionInput(serializers.Serializer):
    version = serializers.IntegerField(required=False)


class CancelInput(VersionInput):
    date = serializers.DateField(required=False)
    reason = serializers.CharField(max_length=200)


class PayInput(serializers.Serializer):
    amount = serializers.DecimalField(**AMOUNT)
    date = serializers.DateField(required=False)
    journal = serializers.IntegerField(required=False)
    write_off = serializers.BooleanField(default=False)
    memo = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ReconcileInput(serializers.Serializer):
    other = serializers.IntegerField(help_text="The document to settle against (a credit note)")
    date = serializers.DateField(required=False)


class PaymentOut(serializers.ModelSerializer):
    party_name = serializers.CharField(source="party.name", read_only=True)
    amount = MoneyOut()
    write_off = MoneyOut()

    class Meta:
        model = Payment
        fields = [
            "id",
            "number",
            "direction",
            "party",
            "party_name",
            "date",
            "amount",
            "currency",
            "rate",
            "write_off",
            "journal",
            "memo",
            "entry",
        ]


class PaymentInput(PayInput):
    party = RecordId()
    direction = serializers.ChoiceField(Payment.Direction.choices, default="inbound")
    currency = serializers.CharField(max_length=3, required=False)
    invoices = serializers.ListField(child=RecordId(), default=list)


class InvoiceViewSet(
    CompanyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Documents the caller may read (sales roles: customer ones; buyers: vendor ones)."""

    queryset = Invoice.objects.none()
    serializer_class = InvoiceOut
    filterset_fields = ["kind", "status", "payment_status", "party"]
    search_fields = ["number", "ref", "party__name"]
    ordering_fields = ["date", "due_date", "number", "amount_total"]
    action_perms = {
        "post_document": "accounting.post_invoice",
        "cancel": "accounting.cancel_invoice",
        "pay": "accounting.add_payment",
        "send": "accounting.send_invoice",
        "pdf": "accounting.view_invoice",
        "reconcile": "accounting.add_payment",
    }

    def get_queryset(self):
        documents = queries.invoices_visible_to(self.request.user, self.company_id())
        return queries.with_lines(documents) if self.action != "list" else documents

    def get_serializer_class(self):
        return InvoiceOut if self.action == "list" else InvoiceDetailOut

    def _out(self, invoice, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=invoice.pk)
        response = Response(InvoiceDetailOut(fresh).data, status=code)
        with_etag(response, fresh.version)
        return response

    def retrieve(self, request, *args, **kwargs):
        return self._out(self.get_object())

    def _input(self, request, partial=False):
        body = InvoiceInput(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)

    @extend_schema(request=InvoiceInput, responses={201: InvoiceDetailOut})
    def create(self, request):
        data = self._input(request)
        data.pop("version", None)
        if data["kind"] not in queries.visible_kinds(request.user):
            raise InvalidInput("You may not write documents of this kind.", field="kind")
        invoice = invoices.create_invoice(
            self.company(), by=request.user, lines=data.pop("lines", []), **data
        )
        return self._out(invoice, status.HTTP_201_CREATED)

    @extend_schema(request=InvoiceInput, responses=InvoiceDetailOut)
    def partial_update(self, request, pk=None):
        current = self.get_object()
        data = self._input(request, partial=True)
        version = version_from(request, data)
        data.pop("version", None)
        if data.pop("kind", current.kind) != current.kind:
            raise InvalidInput("A document keeps its kind.", field="kind")
        invoice = invoices.update_invoice(current.pk, by=request.user, version=version, **data)
        return self._out(invoice)

    @extend_schema(request=VersionInput, responses=InvoiceDetailOut)
    @action(detail=True, methods=["post"], url_path="post")
    def post_document(self, request, pk=None):
        current = self.get_object()
        version = version_from(request, request.data)
        return self._out(invoices.post_invoice(current.pk, by=request.user, version=version))

    @extend_schema(request=CancelInput, responses=InvoiceDetailOut)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        current = self.get_object()
        body = CancelInput(data=request.data)
        body.is_valid(raise_exception=True)
        invoice = invoices.cancel_invoice(
            current.pk,
            date=body.validated_data.get("date") or timezone.localdate(),
            reason=body.validated_data["reason"],
            by=request.user,
            version=version_from(request, body.validated_data),
        )
        return self._out(invoice)

    @extend_schema(request=PayInput, responses={201: PaymentOut})
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        current = self.get_object()
        body = PayInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        payment = payments.register_payment(
            self.company(),
            party=current.party,
            amount=data["amount"],
            date=data.get("date") or timezone.localdate(),
            direction="inbound" if current.partner_sign > 0 else "outbound",
            invoices=[current.pk],
            currency=current.currency,
            journal=_journal(self.company_id(), data.get("journal")),
            write_off=data["write_off"],
            memo=data["memo"] or f"Payment of {current.number}",
            by=request.user,
        )
        return Response(PaymentOut(payment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReconcileInput, responses=InvoiceDetailOut)
    @action(detail=True, methods=["post"])
    def reconcile(self, request, pk=None):
        current = self.get_object()
        body = ReconcileInput(data=request.data)
        body.is_valid(raise_exception=True)
        other = self.get_queryset().filter(pk=body.validated_data["other"]).first()
        if other is None:
            raise InvalidInput("Unknown document to reconcile with.", field="other")
        reconciliation.reconcile_documents(
            [current.pk, other.pk],
            date=body.validated_data.get("date") or timezone.localdate(),
            by=request.user,
        )
        return self._out(current)

    @extend_schema(request=None, responses=InvoiceDetailOut)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        current = self.get_object()
        return self._out(invoice_documents.send_invoice(current.pk, by=request.user))

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        current = self.get_object()
        return pdf_response(
            invoice_documents.render_pdf(current), invoice_documents.pdf_filename(current)
        )


def _journal(company_id, journal_id) -> Journal | None:
    if journal_id is None:
        return None
    journal = selectors.journals_of(company_id).filter(pk=journal_id).first()
    if journal is None:
        raise InvalidInput("Unknown journal.", field="journal")
    return journal


class PaymentViewSet(
    CompanyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Payments; POST registers one (and settles `invoices`), …/unreconcile/ detaches it."""

    queryset = Payment.objects.none()
    serializer_class = PaymentOut
    filterset_fields = ["direction", "party"]
    search_fields = ["number", "memo", "party__name"]
    action_perms = {"unreconcile": "accounting.change_payment"}

    def get_queryset(self):
        return queries.payments_of(self.company_id())

    @extend_schema(request=PaymentInput, responses={201: PaymentOut})
    def create(self, request):
        body = PaymentInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        company = self.company()
        party = Party.objects.filter(company=company, pk=data["party"]).first()
        if party is None:
            raise InvalidInput("Unknown party.", field="party")
        payment = payments.register_payment(
            company,
            party=party,
            amount=data["amount"],
            date=data.get("date") or timezone.localdate(),
            direction=data["direction"],
            invoices=data["invoices"],
            currency=data.get("currency"),
            journal=_journal(company.pk, data.get("journal")),
            write_off=data["write_off"],
            memo=data["memo"],
            by=request.user,
        )
        return Response(PaymentOut(payment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=PaymentOut)
    @action(detail=True, methods=["post"])
    def unreconcile(self, request, pk=None):
        payment = self.get_object()
        payments.unreconcile_payment(payment.pk, by=request.user)
        return Response(PaymentOut(payment).data)
