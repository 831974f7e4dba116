from django.core.management.base import BaseCommand

from keel.core.services import webhooks


class Command(BaseCommand):
    help = (
        "Dispatch undispatched outbox events and send every webhook delivery that is due "
        "(a safety net for cron; `keel worker` does this continuously)."
    )

    def handle(self, *args, **options):
        new = webhooks.dispatch_outbox()
        tried = webhooks.deliver_due()
        self.stdout.write(f"{len(new)} new deliveries, {tried} attempts made.")
