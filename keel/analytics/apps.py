from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """Read-only reports across the domains: the customer 360 page, the lead-to-cash
    trail of an order or opportunity with the time each step took, the average
    lead-to-cash time by stage, rep and channel, and sales revenue and margin sliced
    every way with drill-down. It owns no tables and writes nothing."""

    name = "keel.analytics"
    label = "analytics"
    verbose_name = "Analytics"
