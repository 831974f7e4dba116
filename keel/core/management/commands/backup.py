"""`keel backup FILE`: the database and the uploaded files in one archive, with a
manifest of every table's rows (see keel.core.backup)."""

from django.core.management.base import BaseCommand, CommandError

from keel.core.backup import BackupRefused, backup


class Command(BaseCommand):
    help = "Write the database and MEDIA_ROOT to one tar archive with a manifest."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Where to write the archive, e.g. keel-2026-06-01.tar")
        parser.add_argument("--database", default="default", help="Which database (alias)")

    def handle(self, *args, archive: str, database: str, **options):
        try:
            saved = backup(archive, using=database)
        except BackupRefused as error:
            raise CommandError(error.detail, returncode=1) from error
        rows = sum(table["rows"] for table in saved["tables"].values())
        self.stdout.write(
            f"Backed up {len(saved['tables'])} tables ({rows} rows) and "
            f"{saved['media_files']} uploaded file(s) to {archive}."
        )
