from django.apps import AppConfig


class PartiesConfig(AppConfig):
    """Organisations and people we deal with (customers, prospects, suppliers,
    partners), their contacts, addresses, territories, channels and industries."""

    name = "keel.parties"
    label = "parties"
    verbose_name = "Parties"
