"""`manage.py rescore_leads`: run from cron nightly so that behaviour points decay."""

from django.core.management.base import BaseCommand

from keel.crm.tasks import rescore_leads


class Command(BaseCommand):
    help = "Queue the re-scoring of every open lead (runs at once with the in-process backend)."

    def handle(self, *args, **options):
        result = rescore_leads.enqueue()
        self.stdout.write(f"Re-scoring queued ({result.status}).")
