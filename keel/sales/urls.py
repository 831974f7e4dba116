from django.urls import path

from . import views

app_name = "sales"
urlpatterns = [
    path("quotations/new/", views.new_quotation, name="quotation_new"),
    path("quotations/line-preview/", views.line_preview, name="line_preview"),
]
