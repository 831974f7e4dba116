"""Refusals of the accounting domain, each with a stable code."""

from __future__ import annotations

from keel.core.errors import Conflict, InvalidInput, NotFound


class PostedRecordError(Conflict):
    """Someone tried to change or delete a posted entry or one of its lines."""

    code = "entry_posted"


class EmptyEntry(InvalidInput):
    code = "entry_empty"


class UnbalancedEntry(InvalidInput):
    code = "entry_unbalanced"


class InvalidLine(InvalidInput):
    code = "line_invalid"


class InactiveAccount(InvalidInput):
    code = "account_inactive"


class PeriodLocked(InvalidInput):
    code = "period_locked"


class NoOpenPeriod(InvalidInput):
    code = "no_period"


class RoleNotConfigured(NotFound):
    code = "account_role_missing"


class AlreadyReversed(Conflict):
    code = "entry_already_reversed"


class ChartImportError(InvalidInput):
    code = "chart_invalid"


# Bank statement lines matched with open items (services/bank_matching.py).


class BankLineNotConfirmed(Conflict):
    code = "bank_line_not_confirmed"


class BankLineAlreadyReconciled(Conflict):
    code = "bank_line_reconciled"


class BankLineNotReconciled(Conflict):
    code = "bank_line_not_reconciled"


class OpenItemsInvalid(InvalidInput):
    code = "open_items_invalid"


class OpenItemsOfSeveralParties(InvalidInput):
    code = "open_items_several_parties"


class BankLineSignMismatch(InvalidInput):
    code = "bank_line_sign_mismatch"


class LineAmountMismatch(InvalidInput):
    """A draft statement line matched with a posted entry that moves another amount
    (services/bank_entries.py)."""

    code = "bank_line_amount_mismatch"
