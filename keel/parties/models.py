"""Parties: the organisations and people every other domain points at."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from keel.core.models import CompanyScoped, Versioned


class Named(CompanyScoped):
    name = models.CharField(max_length=120)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Region(Named):
    """A sales territory; leads and parties in it can be assigned by it."""

    code = models.CharField(max_length=20, blank=True)
    countries = models.JSONField(default=list, blank=True, help_text="ISO codes it covers")

    class Meta(Named.Meta):
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="region_unique")]


class SalesChannel(Named):
    class Meta(Named.Meta):
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="channel_unique")]


class Industry(Named):
    class Meta(Named.Meta):
        verbose_name_plural = "industries"
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="industry_unique")]


class Tag(Named):
    class Meta(Named.Meta):
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="tag_unique")]


class CustomerGroup(Named):
    """Customers priced alike (price lists can target a group)."""

    class Meta(Named.Meta):
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="customergroup_unique")
        ]


class Party(CompanyScoped, Versioned):
    """An organisation or a person. A person may be a contact of an organisation."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", "Organisation"
        PERSON = "person", "Person"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ORGANISATION)
    name = models.CharField(max_length=200, db_index=True)
    normalized_name = models.CharField(max_length=200, db_index=True, editable=False)
    organisation = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
        limit_choices_to={"kind": "organisation"},
        help_text="For a contact person: the organisation they work for",
    )
    job_title = models.CharField(max_length=120, blank=True)
    is_customer = models.BooleanField(default=False, db_index=True)
    is_prospect = models.BooleanField(default=False, db_index=True)
    is_supplier = models.BooleanField(default=False, db_index=True)
    is_partner = models.BooleanField(default=False, db_index=True)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=40, blank=True)
    normalized_phone = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    website = models.URLField(blank=True)
    domain = models.CharField(max_length=120, blank=True, db_index=True, editable=False)
    tax_id = models.CharField(max_length=40, blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT)
    channel = models.ForeignKey(SalesChannel, null=True, blank=True, on_delete=models.PROTECT)
    industry = models.ForeignKey(Industry, null=True, blank=True, on_delete=models.PROTECT)
    customer_group = models.ForeignKey(
        CustomerGroup, null=True, blank=True, on_delete=models.PROTECT
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="parties")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_parties",
    )
    credit_limit = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    notes = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "parties"
        permissions = [
            ("merge_party", "Can merge duplicate parties"),
            ("erase_person", "Can erase a person's personal data (GDPR)"),
            ("export_personal_data", "Can export a person's personal data (GDPR)"),
        ]
        indexes = [
            models.Index(fields=["company", "normalized_name"]),
            models.Index(fields=["company", "owner"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="organisation", organisation__isnull=False),
                name="party_only_people_belong_to_organisations",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Address(models.Model):
    class Kind(models.TextChoices):
        BILLING = "billing", "Billing"
        SHIPPING = "shipping", "Shipping"
        OTHER = "other", "Other"

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.BILLING)
    street = models.CharField(max_length=200, blank=True)
    street2 = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=120, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["party", "kind", "-is_default", "id"]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return ", ".join(p for p in [self.street, self.postal_code, self.city, self.country] if p)


class PersonalDataErasure(models.Model):
    """Audit of a GDPR erasure: who erased which person, when and why (no personal data)."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="erasures")
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    erased_at = models.DateTimeField()
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ["-erased_at", "-id"]

    def __str__(self) -> str:
        return f"Erasure of party #{self.party_id} on {self.erased_at:%Y-%m-%d}"
