"""`keel purge`: delete the technical rows that have outlived their retention (stored
Idempotency-Key answers, claimed form tokens, expired sessions, logs of delivered
webhooks, finished task results, heartbeats of gone workers) and print how many of
each. `keel worker` runs the same purge once an hour; this command is for cron, or to
see with `--dry-run` what would go."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from keel.core.services import retention


class Command(BaseCommand):
    help = "Purge technical rows older than their retention (KEEL_RETENTION_* settings)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be removed; remove nothing"
        )

    def handle(self, *args, dry_run: bool, **options):
        removed = retention.purge(dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        for kind, count in removed.items():
            self.stdout.write(f"{verb} {count:>8} {kind}")
        self.stdout.write(f"{verb} {sum(removed.values()):>8} in all")
