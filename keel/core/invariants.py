"""The invariants Keel promises: checks each domain registers and `keel check` runs.

A check is a read-only function of one company that returns the violations it
finds (empty when the data is sound). Domains register theirs from
`AppConfig.ready()`, so core runs them without importing any domain:

    invariants.register("entries-balance", entries_that_do_not_balance)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from .models import Company


@dataclass(frozen=True)
class Violation:
    """One place where the data breaks a promise, with the figures to act on."""

    subject: str  # what is wrong, as a user names it: "entry GEN/2026/00002"
    detail: str  # why, with the figures: "debits 40.00 ≠ credits 30.00"
    figures: dict = field(default_factory=dict)  # the same figures, for --json
    check: str = ""
    company_id: int | None = None

    def __str__(self) -> str:
        return f"{self.subject}: {self.detail}"

    def as_dict(self) -> dict:
        return asdict(self)


Check = Callable[[Company], Iterable[Violation]]
_CHECKS: dict[str, tuple[str, Check]] = {}


def register(name: str, check: Check, *, description: str = "") -> None:
    """Add `check` under `name` (registering the same name again replaces it)."""
    summary = " ".join((check.__doc__ or "").strip().split("\n\n")[0].split())
    _CHECKS[name] = (description or summary, check)


def registered() -> dict[str, str]:
    """Every check's name and what it promises, in the order they run."""
    return {name: description for name, (description, _) in _CHECKS.items()}


class UnknownCheck(ValueError):
    pass


def run(*, only: Iterable[str] = (), company_ids: Iterable[int] = ()) -> list[Violation]:
    """Run the checks (all, or those named in `only`) on every company (or those in
    `company_ids`); every violation found, tagged with its check and company."""
    names = list(only) or list(_CHECKS)
    unknown = sorted(set(names) - set(_CHECKS))
    if unknown:
        raise UnknownCheck(
            f"No check named {', '.join(unknown)}; the checks are: {', '.join(_CHECKS)}."
        )
    companies = Company.objects.order_by("pk")
    if company_ids:
        companies = companies.filter(pk__in=list(company_ids))
    found = []
    for company in companies:
        for name in names:
            found += [
                Violation(v.subject, v.detail, v.figures, name, company.pk)
                for v in _CHECKS[name][1](company)
            ]
    return found
