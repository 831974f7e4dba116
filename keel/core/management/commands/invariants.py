"""`keel check` (this command, `invariants`): verify what Keel promises about the
data (the books balance, stock matches its moves, numbers are gapless…) and exit 1
listing every violation; exit 0 on a sound database."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from keel.core import invariants
from keel.core.models import Company


class Command(BaseCommand):
    help = "Check the invariants of every company's data; exit 1 on any violation."

    def add_arguments(self, parser):
        parser.add_argument(
            "--only", action="append", default=[], metavar="CHECK", help="Run only this check"
        )
        parser.add_argument(
            "--company", action="append", type=int, default=[], help="Only this company (id)"
        )
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="Print the report as JSON"
        )
        parser.add_argument(
            "--list", dest="list_checks", action="store_true", help="List the checks and exit"
        )

    def handle(self, *args, only, company, as_json: bool, list_checks: bool, **options):
        checks = invariants.registered()
        if list_checks:
            for name, description in checks.items():
                self.stdout.write(f"{name:32} {description}")
            return
        if Company._meta.db_table not in connection.introspection.table_names():
            raise CommandError(
                "This database has no Keel tables yet: run `keel migrate` first.", returncode=2
            )
        try:
            found = invariants.run(only=only, company_ids=company)
        except invariants.UnknownCheck as error:
            raise CommandError(str(error), returncode=2) from error
        ran = only or [*checks]
        names = dict(Company.objects.values_list("pk", "name"))
        if as_json:
            self._json(found, ran)
        else:
            self._text(found, ran, names)
        if found:
            raise CommandError(f"{len(found)} invariant violation(s).", returncode=1)

    def _text(self, found, ran, names) -> None:
        for violation in found:
            self.stdout.write(
                f"FAIL {violation.check} [{names.get(violation.company_id)}] {violation}"
            )
        failed = {v.check for v in found}
        for name in ran:
            if name not in failed:
                self.stdout.write(f"ok   {name}")
        self.stdout.write(
            f"{len(ran)} check(s), {len(found)} violation(s)."
            if found
            else f"{len(ran)} check(s): the data is sound."
        )

    def _json(self, found, ran) -> None:
        report = {"checks": ran, "violations": [v.as_dict() for v in found]}
        self.stdout.write(dumps(report))


def dumps(report: dict) -> str:
    return json.dumps(report, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
