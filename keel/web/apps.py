from django.apps import AppConfig


class WebConfig(AppConfig):
    """The workspace shell: navigation, dashboard, global search, custom pages."""

    name = "keel.web"
    label = "web"
    verbose_name = "Workspace"

    def ready(self) -> None:
        from django.contrib import admin

        from . import search_providers

        # unfold's own admin/index.html comes first on the template path, so the
        # dashboard is named explicitly (admin.site is unfold's site by now).
        admin.site.index_template = "web/dashboard.html"
        admin.site.index_title = "Dashboard"
        admin.site.site_header = admin.site.site_title = "Keel"

        search_providers.register_all()
