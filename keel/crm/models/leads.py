"""Leads: people who showed interest, scored, assigned, qualified and converted."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from keel.core.models import CompanyScoped, Versioned


class Lead(CompanyScoped, Versioned):
    class Status(models.TextChoices):
        NEW = "new", "New"
        QUALIFIED = "qualified", "Qualified"
        DISQUALIFIED = "disqualified", "Disqualified"
        CONVERTED = "converted", "Converted"

    TRANSITIONS = {
        Status.NEW: {Status.QUALIFIED, Status.DISQUALIFIED, Status.CONVERTED},
        Status.QUALIFIED: {Status.CONVERTED, Status.DISQUALIFIED},
        Status.DISQUALIFIED: {Status.NEW},
        Status.CONVERTED: set(),
    }

    class Source(models.TextChoices):
        WEB_FORM = "web_form", "Web form"
        API = "api", "API"
        IMPORT = "import", "Import"
        MANUAL = "manual", "Manual"

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    organisation_name = models.CharField(max_length=200, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    country = models.CharField(max_length=2, blank=True)
    region = models.ForeignKey(
        "parties.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    industry = models.ForeignKey(
        "parties.Industry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    employees = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANUAL)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_leads",
    )
    score = models.IntegerField(default=0, db_index=True)
    score_breakdown = models.JSONField(default=list, blank=True, editable=False)
    scored_at = models.DateTimeField(null=True, blank=True, editable=False)
    disqualify_reason = models.CharField(max_length=300, blank=True)
    party = models.ForeignKey(
        "parties.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        help_text="The organisation it became (or matched) on conversion",
    )
    contact = models.ForeignKey(
        "parties.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    converted_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "status", "owner"]),
            models.Index(fields=["company", "-score"]),
        ]
        permissions = [
            ("convert_lead", "Can convert a lead into an account and opportunity"),
            ("view_all_leads", "Can see every lead, not only their own"),
        ]

    def __str__(self) -> str:
        person = f"{self.first_name} {self.last_name}".strip()
        if person and self.organisation_name:
            return f"{person} ({self.organisation_name})"
        return person or self.organisation_name or self.email or f"Lead {self.pk}"


class LeadEngagement(models.Model):
    """Something a lead did that scoring rules can reward (opened a mailing, visited)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="engagements")
    kind = models.CharField(max_length=40, db_index=True, help_text="e.g. opened_mailing")
    occurred_at = models.DateTimeField(db_index=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.occurred_at:%Y-%m-%d}"


class ScoringRule(CompanyScoped):
    """Points for a field value or a behaviour, optionally decaying with age."""

    class Kind(models.TextChoices):
        FIELD = "field", "Field value"
        BEHAVIOUR = "behaviour", "Behaviour"

    class Operator(models.TextChoices):
        EQUALS = "equals", "equals"
        CONTAINS = "contains", "contains"
        GREATER_THAN = "gt", "greater than"
        IS_SET = "is_set", "is set"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FIELD)
    field = models.CharField(max_length=60, blank=True, help_text="Lead field, for field rules")
    operator = models.CharField(max_length=20, choices=Operator.choices, default=Operator.EQUALS)
    value = models.CharField(max_length=200, blank=True)
    behaviour = models.CharField(max_length=40, blank=True, help_text="Engagement kind")
    points = models.IntegerField()
    half_life_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Behaviour points halve every N days (decay)"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.points:+d})"


class AssignmentRule(CompanyScoped):
    """Who gets new leads: by territory, in turn (round-robin), within capacity."""

    class Method(models.TextChoices):
        ROUND_ROBIN = "round_robin", "Round-robin"
        CAPACITY = "capacity", "Least loaded within capacity"

    name = models.CharField(max_length=120)
    priority = models.PositiveIntegerField(default=10, help_text="Lower runs first")
    region = models.ForeignKey(
        "parties.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Only leads in this territory (empty: any)",
    )
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.ROUND_ROBIN)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Most open leads per member"
    )
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return self.name


class LeadImport(CompanyScoped):
    """One upload of a lead file: its progress and the reason of each refused row."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    file_name = models.CharField(max_length=200, blank=True)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.CSV)
    content = models.BinaryField(editable=False, help_text="The uploaded file, for the worker")
    dry_run = models.BooleanField(default=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    total = models.PositiveIntegerField(default=0, help_text="Rows in the file")
    processed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, blank=True, help_text="[{row, field, message}] of refused rows"
    )
    warnings = models.JSONField(
        default=list, blank=True, help_text="[{row, message}] possible duplicates (not refused)"
    )
    failure = models.TextField(blank=True, help_text="Why the whole import stopped, if it did")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        kind = "Dry run" if self.dry_run else "Import"
        return f"{kind} of {self.file_name or 'a file'} ({self.get_status_display()})"

    @property
    def good_rows(self) -> int:
        return max(0, self.total - self.error_count)

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.processed / self.total))
