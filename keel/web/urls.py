from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("approvals/", views.approvals_inbox, name="approvals"),
    path(
        "approvals/<int:pk>/<str:decision>/",
        views.decide,
        name="approval-decide",
    ),
    path("search/", views.search, name="search"),
]
