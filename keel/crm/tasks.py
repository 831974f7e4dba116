"""Background work of the CRM (django-tasks; the in-process backend runs it at once)."""

from __future__ import annotations

from django_tasks import task

# --- leads (section owned by the leads work) ---


@task()
def run_lead_import(import_id: int) -> str:
    """Check or import an uploaded lead file, batch by batch, updating its progress."""
    from .services import lead_import

    return lead_import.run_import(import_id).status


@task()
def rescore_leads() -> int:
    """Nightly: re-score every open lead, so behaviour points decay with time."""
    from .models import Lead
    from .selectors_leads import OPEN_STATUSES
    from .services.scoring import score_leads

    return score_leads(Lead.objects.filter(status__in=OPEN_STATUSES))


# --- opportunities, activities, forecast (section owned by the pipeline work) ---
