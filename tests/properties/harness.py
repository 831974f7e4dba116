"""What the state machines share: the hypothesis profiles, one clean company per
example, and the check that a refused step left the database as it was."""

from __future__ import annotations

import os
from collections.abc import Callable

from django.apps import apps
from django.db import transaction
from hypothesis import HealthCheck, Phase, event, settings

from keel.core.errors import DomainError
from keel.core.tests.invariants import assert_invariants_hold

# `make test` runs the bounded profile, derandomized so CI replays the same examples
# on every run; `make soak` (KEEL_HYPOTHESIS_PROFILE=soak) explores far more, with a
# fresh seed each time.
PROFILE_VARIABLE = "KEEL_HYPOTHESIS_PROFILE"
_SHARED = dict(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "keel-properties-ci", max_examples=10, stateful_step_count=15, derandomize=True, **_SHARED
)
settings.register_profile(
    "keel-properties-soak", max_examples=300, stateful_step_count=40, **_SHARED
)
# While writing a machine: the same examples, reported as found (no shrinking).
settings.register_profile(
    "keel-properties-debug",
    max_examples=10,
    stateful_step_count=15,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    **_SHARED,
)


def profile() -> settings:
    """The settings the machines run under: `ci` unless KEEL_HYPOTHESIS_PROFILE names
    another (`soak`)."""
    name = os.environ.get(PROFILE_VARIABLE, "ci")
    return settings.get_profile(f"keel-properties-{name}")


class CleanExample:
    """Each example of a machine runs in a savepoint of the test's transaction that is
    rolled back at teardown, so the next example starts from an empty company again."""

    def __init__(self) -> None:
        super().__init__()
        self._savepoint = transaction.savepoint()

    def teardown(self) -> None:
        transaction.savepoint_rollback(self._savepoint)


def _keel_models():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model.__module__.startswith("keel.") and not model._meta.proxy
    ]


def database_state() -> dict[str, list[tuple]]:
    """Every row of every Keel table (the tables hold one example's data only)."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for model in _keel_models()
    }


def assert_refused(error: type[DomainError], call: Callable[[], object]) -> DomainError:
    """The step is refused with `error` and leaves every table as it was."""
    before = database_state()
    try:
        call()
    except error as refusal:
        event(f"refused: {refusal.code}")
        after = database_state()
        changed = [label for label in before if before[label] != after[label]]
        assert changed == [], f"the refused step ({refusal.code}) changed {changed}"
        return refusal
    raise AssertionError(f"expected the step to be refused with {error.__name__}")


def assert_keel_check_clean(company) -> None:
    """Every check `keel check` runs passes on the company."""
    assert_invariants_hold(company)
