from django.apps import AppConfig


class PartiesConfig(AppConfig):
    """Organisations and people we deal with (customers, prospects, suppliers,
    partners), their contacts, addresses, territories, channels and industries;
    duplicate detection and merging, vCard exchange and GDPR requests."""

    name = "keel.parties"
    label = "parties"
    verbose_name = "Parties"

    def ready(self) -> None:
        from keel.core.search import register

        from . import search

        register("parties", search.parties)
