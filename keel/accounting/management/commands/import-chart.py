"""`keel import-chart FILE [--company ID]`: create or update accounts from a CSV
(code,name,type[,role]); without FILE's accounts nothing changes."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from keel.core.errors import DomainError
from keel.core.models import Company

from ...services.chart import import_chart


class Command(BaseCommand):
    help = "Import a chart of accounts from CSV (code,name,type[,role])."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, or 'generic' for Keel's generic chart")
        parser.add_argument("--company", type=int, help="Company id (default: the first)")

    def handle(self, *args, file, company=None, **options):
        target = Company.objects.filter(pk=company).first() if company else Company.objects.first()
        if target is None:
            raise CommandError("No such company.")
        if file == "generic":
            from ...services.chart import GENERIC_CHART

            file = str(GENERIC_CHART)
        try:
            result = import_chart(target, Path(file).read_text(encoding="utf-8"))
        except (OSError, DomainError) as error:
            raise CommandError(getattr(error, "detail", str(error))) from error
        self.stdout.write(
            f"{target.name}: {result['created']} created, {result['updated']} updated."
        )
