from django.urls import path

from . import dashboard_views

app_name = "accounting_dashboard"
urlpatterns = [path("", dashboard_views.dashboard, name="index")]
