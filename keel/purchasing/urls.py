from django.urls import path

from . import views

app_name = "purchasing"
urlpatterns = [
    path("rfqs/<int:rfq_id>/bids/", views.bids, name="bids"),
    path("rfqs/<int:rfq_id>/award/", views.award, name="award"),
    path("orders/<int:order_id>/edit/", views.edit_order, name="edit_order"),
    path("orders/<int:order_id>/trail/", views.order_trail, name="trail"),
    path("performance/", views.supplier_performance, name="performance"),
]
