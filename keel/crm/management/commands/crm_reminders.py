from django.core.management.base import BaseCommand
from django.utils import timezone

from keel.crm.services.activities import send_due_reminders


class Command(BaseCommand):
    help = (
        "E-mail the reminders of CRM activities whose reminder time has passed "
        "(for cron; with --schedule, start the worker's self-renewing reminder task)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true")

    def handle(self, *args, **options):
        if options["schedule"]:
            from keel.crm.tasks_activities import send_activity_reminders

            send_activity_reminders.using(backend="database").enqueue(reschedule=True)
            self.stdout.write("Reminder task queued; `keel worker` runs it every 5 minutes.")
            return
        sent = send_due_reminders(timezone.now())
        self.stdout.write(f"{sent} reminders sent.")
