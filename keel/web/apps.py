from django.apps import AppConfig


class WebConfig(AppConfig):
    """The workspace shell: navigation, dashboard, global search, custom pages."""

    name = "keel.web"
    label = "web"
    verbose_name = "Workspace"

    def ready(self) -> None:
        from . import search_providers

        search_providers.register_all()
