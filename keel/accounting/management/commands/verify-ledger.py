"""`keel verify-ledger`: recompute the hash chain of posted entries; exit 1 at the
first broken link."""

from django.core.management.base import BaseCommand, CommandError

from keel.core.models import Company

from ...selectors import first_broken_link


class Command(BaseCommand):
    help = "Check every company's chain of posted entries; name the first entry that was altered."

    def add_arguments(self, parser):
        parser.add_argument("--company", type=int, help="Only this company (id)")

    def handle(self, *args, company=None, **options):
        companies = Company.objects.order_by("pk")
        if company:
            companies = companies.filter(pk=company)
        broken = False
        for each in companies:
            found, checked = first_broken_link(each.pk)
            if found is None:
                self.stdout.write(f"OK {each.name}: {checked} entries, chain intact.")
            else:
                broken = True
                self.stderr.write(
                    f"BROKEN {each.name}: {found} ({checked} entries intact before it)"
                )
        if broken:
            raise CommandError("The ledger's hash chain is broken.", returncode=1)
