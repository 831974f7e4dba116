"""`keel rebuild-balances [--check]`: compare the maintained balances with the lines
and rebuild them; with --check, only report and exit 1 on any difference."""

from django.core.management.base import BaseCommand, CommandError

from keel.core.models import Company

from ...services.balances import rebuild_balances


class Command(BaseCommand):
    help = "Rebuild the balances per account × period (and per party) from the posted lines."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Report only; exit 1 on a difference"
        )
        parser.add_argument("--company", type=int, help="Only this company (id)")

    def handle(self, *args, check=False, company=None, **options):
        companies = Company.objects.order_by("pk")
        if company:
            companies = companies.filter(pk=company)
        found_any = False
        for each in companies:
            differences = rebuild_balances(each, check_only=check)
            for difference in differences:
                self.stdout.write(f"DIFF {each.name}: {difference}")
            found_any = found_any or bool(differences)
            verb = "differ" if check else "were rebuilt"
            summary = (
                f"{len(differences)} balance(s) {verb}"
                if differences
                else "balances match the lines"
            )
            self.stdout.write(f"{each.name}: {summary}.")
        if check and found_any:
            raise CommandError("Maintained balances differ from the lines.", returncode=1)
