from django.urls import path

from .views import customers, sales, trails

app_name = "analytics"
urlpatterns = [
    path("customers/<int:party_id>/", customers.customer_360, name="customer_360"),
    path("trail/order/<int:order_id>/", trails.order_trail, name="order_trail"),
    path(
        "trail/opportunity/<int:opportunity_id>/",
        trails.opportunity_trail,
        name="opportunity_trail",
    ),
    path("lead-to-cash/", trails.lead_to_cash, name="lead_to_cash"),
    path("sales/", sales.sales, name="sales"),
]
