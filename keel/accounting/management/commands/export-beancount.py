"""`keel export-beancount [--company ID] [--to FILE]`: the posted ledger in
beancount format (to standard output unless --to), ready for `bean-check`."""

from django.core.management.base import BaseCommand, CommandError

from keel.core.models import Company

from ...exports.beancount import iter_beancount


class Command(BaseCommand):
    help = "Write the ledger in beancount format (one transaction per posted entry)."

    def add_arguments(self, parser):
        parser.add_argument("--company", type=int, help="Company id (default: the first one)")
        parser.add_argument("--to", help="File to write (default: standard output)")

    def handle(self, *args, company=None, to=None, **options):
        companies = Company.objects.order_by("pk")
        found = companies.filter(pk=company).first() if company else companies.first()
        if found is None:
            raise CommandError("No such company." if company else "No company is set up yet.")
        if to:
            with open(to, "w", encoding="utf-8") as out:
                for piece in iter_beancount(found.pk):
                    out.write(piece)
            self.stderr.write(f"Wrote the ledger of {found.name} to {to}.")
        else:
            for piece in iter_beancount(found.pk):
                self.stdout.write(piece, ending="")
