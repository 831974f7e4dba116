"""CRM custom pages under /w/crm/."""

from django.urls import include, path  # noqa: F401

app_name = "crm"

urlpatterns = [
    # --- leads (section owned by the leads work) ---
    # --- opportunities, activities, forecast (section owned by the pipeline work) ---
    path("", include("keel.crm.urls_pipeline")),
]
