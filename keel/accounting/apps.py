from django.apps import AppConfig


class AccountingConfig(AppConfig):
    """The books: chart of accounts with roles, journals, fiscal years and periods,
    lock dates, the posting engine (immutable, hash-chained entries with maintained
    balances per account × period and per party), taxes and the financial reports.
    Other domains post through `services.posting.post_entry` by account role."""

    name = "keel.accounting"
    label = "accounting"
    verbose_name = "Accounting"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from keel.core import invariants
        from keel.core.numbering import register_numbered
        from keel.core.search import register

        from . import invariants as books
        from .guard import install_sqlite_guard
        from .search import accounts as account_search

        connection_created.connect(install_sqlite_guard, dispatch_uid="keel.accounting.guard")
        register("accounts", account_search)
        invariants.register("entries-balance", books.entries_balance)
        invariants.register("balances-match-lines", books.balances_match_lines)
        invariants.register("control-accounts", books.control_accounts_match_open_items)
        invariants.register("hash-chain", books.hash_chain_intact)
        register_numbered("accounting.journal.", books.entry_numbers)
