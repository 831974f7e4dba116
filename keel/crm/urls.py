"""CRM custom pages under /w/crm/."""

from django.urls import include, path  # noqa: F401

from .views import leads as leads_views

app_name = "crm"

urlpatterns = [
    # --- leads (section owned by the leads work) ---
    path("web-to-lead/", leads_views.web_to_lead, name="web-to-lead"),
    path("web-to-lead/thanks/", leads_views.web_to_lead_thanks, name="web-to-lead-thanks"),
    path("leads/import/", leads_views.import_page, name="lead-import-start"),
    path("leads/import/<int:pk>/", leads_views.import_detail, name="lead-import"),
    path("leads/import/<int:pk>/run/", leads_views.import_for_real, name="lead-import-run"),
    # --- opportunities, activities, forecast (section owned by the pipeline work) ---
    path("", include("keel.crm.urls_pipeline")),
]
