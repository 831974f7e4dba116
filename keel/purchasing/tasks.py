"""Background work of purchasing (django-tasks; the in-process backend runs it at once)."""

from __future__ import annotations

from django_tasks import task


@task()
def replenish_company(company_id: int) -> int:
    """Nightly: turn the company's replenishment needs into draft RFQs; the number made."""
    from keel.core.models import Company

    from .services.replenish import replenish

    return len(replenish(Company.objects.get(pk=company_id)).rfqs)
