"""`manage.py replenish`: run from cron nightly; queues replenishment for every company."""

from django.core.management.base import BaseCommand

from keel.core.models import Company
from keel.purchasing.tasks import replenish_company


class Command(BaseCommand):
    help = "Queue reorder-driven buying (draft RFQs for what is below its minimum)."

    def handle(self, *args, **options):
        for company_id in Company.objects.values_list("pk", flat=True):
            replenish_company.enqueue(company_id)
        self.stdout.write("Replenishment queued.")
