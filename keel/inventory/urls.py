from django.urls import path

from . import views

app_name = "inventory"
urlpatterns = [
    path("forecast/", views.forecast, name="forecast"),
    path("below-minimum/", views.below_minimum, name="below-minimum"),
]
