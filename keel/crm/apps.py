from django.apps import AppConfig


class CrmConfig(AppConfig):
    """Leads and their scoring and assignment, opportunity pipelines, activities and
    timelines, sales targets and forecasts."""

    name = "keel.crm"
    label = "crm"
    verbose_name = "CRM"
