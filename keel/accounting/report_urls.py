from django.urls import path

from . import report_views

app_name = "accounting_reports"
urlpatterns = [
    path("", report_views.index, name="index"),
    path("<slug:name>/", report_views.report, name="report"),
]
