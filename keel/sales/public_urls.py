"""The pages customers reach without an account: a quotation's acceptance link."""

from django.urls import path

from . import public_views

app_name = "sales_public"
urlpatterns = [
    path("<str:token>/", public_views.quotation, name="quotation"),
    path("<str:token>/pdf/", public_views.quotation_pdf, name="quotation_pdf"),
]
