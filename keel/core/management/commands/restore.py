"""`keel restore FILE [--force]`: bring back a `keel backup` archive into an empty
database, then verify every table against the archive's manifest."""

from django.core.management.base import BaseCommand, CommandError

from keel.core.backup import BackupRefused, restore


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and verify it."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The archive `keel backup` wrote")
        parser.add_argument("--database", default="default", help="Which database (alias)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace what the database and MEDIA_ROOT already hold",
        )

    def handle(self, *args, archive: str, database: str, force: bool, **options):
        try:
            done = restore(archive, using=database, force=force)
        except BackupRefused as error:
            raise CommandError(error.detail, returncode=1) from error
        self.stdout.write(
            f"Restored {done.tables} tables ({done.rows} rows) and {done.media_files} "
            "uploaded file(s); every table matches the manifest."
        )
