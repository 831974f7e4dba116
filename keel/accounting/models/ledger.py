"""Journal entries and their lines, the maintained balances, and each company's
ledger head (the lock row and the last link of the hash chain)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from keel.core.models import Company

from ..errors import PostedRecordError
from ..fields import MoneyField
from .chart import Account, Journal, Period
from .taxes import Tax

IMMUTABLE = "Posted journal entries are immutable; reverse the entry to correct it."


class LedgerQuerySet(models.QuerySet):
    """Bulk updates and deletes refuse rows of posted entries (triggers refuse too)."""

    posted_filter = "state"

    def _touches_posted(self) -> bool:
        return self.filter(**{self.posted_filter: "posted"}).exists()

    def update(self, **kwargs):
        if self._touches_posted():
            raise PostedRecordError(IMMUTABLE)
        return super().update(**kwargs)

    def delete(self):
        if self._touches_posted():
            raise PostedRecordError(IMMUTABLE)
        return super().delete()


class LineQuerySet(LedgerQuerySet):
    posted_filter = "entry__state"


class JournalEntry(models.Model):
    """A balanced set of lines, posted once and never changed.

    It is written as a draft with its lines and switched to posted in the same
    transaction; from then on database triggers refuse any UPDATE or DELETE of
    it and of its lines. `hash` chains it to the company's previous entry.
    """

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        POSTED = "posted", "Posted"

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="entries")
    number = models.CharField(max_length=40)
    date = models.DateField()
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    ref = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        help_text="The entry this one reverses",
    )
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.CharField(max_length=64, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    chain_index = models.PositiveBigIntegerField()
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    posted_at = models.DateTimeField()
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "journal entries"
        permissions = [("reverse_journalentry", "Can reverse a posted journal entry")]
        constraints = [
            models.UniqueConstraint(fields=["journal", "number"], name="entry_unique_number"),
            models.UniqueConstraint(fields=["company", "chain_index"], name="entry_unique_chain"),
        ]
        indexes = [
            models.Index(fields=["company", "date"]),
            models.Index(fields=["source_type", "source_id"]),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        if not self._state.adding and self.state == self.State.POSTED:
            raise PostedRecordError(IMMUTABLE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PostedRecordError(IMMUTABLE)


class JournalLine(models.Model):
    """One debit or credit of an entry, in the company's currency (and optionally
    the amount in a foreign currency). `date`, `period` and `company` repeat the
    entry's, so balances and reports group lines without a join."""

    # No single-column index on the foreign keys: the composite indexes below lead
    # with each of them, and every index is paid on each of a million inserts. No FK
    # constraints either: a database trigger checks the references of all lines of an
    # INSERT at once, where a constraint would check them row by row (ADR 0009).
    entry = models.ForeignKey(
        JournalEntry,
        on_delete=models.PROTECT,
        related_name="lines",
        db_index=False,
        db_constraint=False,
    )
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    sequence = models.PositiveSmallIntegerField()
    date = models.DateField()
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="lines",
        db_index=False,
        db_constraint=False,
    )
    party = models.ForeignKey(
        "parties.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    label = models.CharField(max_length=200, blank=True)
    debit = MoneyField(default=0)
    credit = MoneyField(default=0)
    currency = models.CharField(max_length=3)
    amount_currency = MoneyField(default=0, help_text="Signed: positive for a debit")
    analytic_tags = models.JSONField(default=list, blank=True)
    tax = models.ForeignKey(
        Tax,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
        help_text="On a tax line: the tax whose amount this line carries",
    )
    tax_base_amount = MoneyField(default=0, help_text="On a tax line: the base it was computed on")
    due_date = models.DateField(
        null=True, blank=True, help_text="On a receivable or payable line: when it falls due"
    )

    objects = LineQuerySet.as_manager()

    class Meta:
        ordering = ["entry_id", "sequence"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(debit__gte=0) & models.Q(credit__gte=0),
                name="line_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(debit=0) | models.Q(credit=0),
                name="line_debit_or_credit",
            ),
            models.UniqueConstraint(fields=["entry", "sequence"], name="line_unique_sequence"),
        ]
        indexes = [
            models.Index(fields=["account", "period"]),
            models.Index(fields=["company", "date"]),
            models.Index(
                fields=["tax", "date"], condition=models.Q(tax__isnull=False), name="line_tax_date"
            ),
            models.Index(
                fields=["party", "account"],
                condition=models.Q(party__isnull=False),
                name="line_party_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} D {self.debit} C {self.credit}"

    def save(self, *args, **kwargs):
        raise PostedRecordError("Lines are written by the posting service only.")

    def delete(self, *args, **kwargs):
        raise PostedRecordError(IMMUTABLE)

    @property
    def balance(self):
        return self.debit - self.credit


class AccountBalance(models.Model):
    """Σ debit and Σ credit of an account's posted lines in one period, kept up to
    date by the posting service in the same transaction as the lines."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    debit = MoneyField(default=0)
    credit = MoneyField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "period"], name="balance_unique")]
        indexes = [models.Index(fields=["company", "period"])]

    def __str__(self) -> str:
        return f"account {self.account_id} period {self.period_id}"


class PartyBalance(models.Model):
    """The same per account × party × period, for accounts kept per party."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    debit = MoneyField(default=0)
    credit = MoneyField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "party", "period"], name="partybalance_unique"
            )
        ]
        indexes = [models.Index(fields=["company", "party"])]

    def __str__(self) -> str:
        return f"account {self.account_id} party {self.party_id} period {self.period_id}"


class LedgerHead(models.Model):
    """One row per company: locked by every posting (so chain links and balance
    rows are written one transaction at a time) and holding the chain's last link."""

    company = models.OneToOneField(
        Company, on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    last_index = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"Ledger of company {self.company_id} (#{self.last_index})"
