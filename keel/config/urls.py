"""URL map: the API under /api/v1/, custom pages under /w/, the workspace at /."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from keel.core.api.errors import unknown_endpoint
from keel.web.health import healthz

api_v1 = [
    path("", include("keel.users.api.urls")),
    path("", include("keel.core.api.urls")),
    path("", include("keel.parties.api.urls")),
    path("", include("keel.products.api.urls")),
    path("", include("keel.crm.api.urls")),
    path("", include("keel.accounting.api.urls")),
    path("", include("keel.inventory.api.urls")),
    path("", include("keel.purchasing.api.urls")),
    path("", include("keel.sales.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    # Before the workspace's catch-all: an unknown API URL is a JSON 404, not a redirect.
    re_path(r"^api/", unknown_endpoint),
    path("w/crm/", include("keel.crm.urls")),
    path("w/accounting/dashboard/", include("keel.accounting.dashboard_urls")),
    path("w/accounting/reports/", include("keel.accounting.report_urls")),
    path("w/inventory/", include("keel.inventory.urls")),
    path("w/purchasing/", include("keel.purchasing.urls")),
    path("w/sales/", include("keel.sales.urls")),
    path("w/", include("keel.web.urls")),
    path("analytics/", include("keel.analytics.urls")),
    path("q/", include("keel.sales.public_urls")),
    path("", admin.site.urls),
]

# A lost database answers 503 (a page, or the API's JSON), not a 500: keel/web/errors.py.
handler500 = "keel.web.errors.server_error"
