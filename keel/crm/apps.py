from django.apps import AppConfig


class CrmConfig(AppConfig):
    """Leads and their scoring and assignment, opportunity pipelines, activities and
    timelines, sales targets and forecasts."""

    name = "keel.crm"
    label = "crm"
    verbose_name = "CRM"

    def ready(self) -> None:
        # Object rules (own records for reps) must exist before the first request.
        from . import (
            handlers,
            permissions,  # noqa: F401
        )
        from .search_pipeline import register_search
        from .timeline import register_crm_sources

        register_crm_sources()
        register_search()
        handlers.register()
