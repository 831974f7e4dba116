"""`keel check-stock-valuation [--company ID]`: compare the stock valuation (layers
left, average costs) with the stock account's balance; exit 1 listing any difference."""

from django.core.management.base import BaseCommand, CommandError

from keel.core.models import Company
from keel.core.money import format_money

from ...selectors import check_valuation


class Command(BaseCommand):
    help = "Compare the stock valuation with the stock account's balance (exit 1 if they differ)."

    def add_arguments(self, parser):
        parser.add_argument("--company", type=int, help="Only this company (id)")

    def handle(self, *args, company=None, **options):
        companies = Company.objects.order_by("pk")
        if company:
            companies = companies.filter(pk=company)
        wrong = 0
        for each in companies:
            check = check_valuation(each.pk)

            def money(amount, currency=each.currency):
                return format_money(amount, currency)

            if check.sound:
                self.stdout.write(
                    f"{each.name}: stock valuation {money(check.valuation)} "
                    "equals the stock account."
                )
                continue
            wrong += 1
            self.stdout.write(
                f"DIFF {each.name}: stock valuation {money(check.valuation)}, stock account "
                f"{money(check.stock_account)}, difference {money(check.difference)}"
            )
            if check.layers != check.valuation:
                self.stdout.write(
                    f"DIFF {each.name}: the layers sum to {money(check.layers)}, "
                    f"the valuation to {money(check.valuation)}"
                )
        if wrong:
            raise CommandError(
                f"Stock valuation differs from the books in {wrong} company(ies).", returncode=1
            )
