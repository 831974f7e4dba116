from django.urls import path

from . import report_views, views

app_name = "inventory"
urlpatterns = [
    path("forecast/", views.forecast, name="forecast"),
    path("below-minimum/", views.below_minimum, name="below-minimum"),
    path("valuation/", report_views.valuation, name="valuation"),
    path("on-hand/", report_views.on_hand, name="on-hand"),
    path("moves/", report_views.moves, name="moves"),
]
