"""Every API endpoint and workspace page, found from the URL resolver, so a new one
joins the access matrix without editing it."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

VERB_OF_METHOD = {
    "get": "view",
    "post": "add",
    "put": "change",
    "patch": "change",
    "delete": "delete",
}


@dataclass(frozen=True)
class ApiRoute:
    name: str  # "api:party-detail"
    view: type  # the viewset or APIView class
    actions: dict  # method -> viewset action ({} for a plain APIView)
    kwargs: tuple  # URL keyword names

    @property
    def model(self):
        queryset = getattr(self.view, "queryset", None)
        if queryset is not None:
            return queryset.model
        serializer = getattr(self.view, "serializer_class", None)
        meta = getattr(serializer, "Meta", None)
        return getattr(meta, "model", None)

    @property
    def is_detail(self) -> bool:
        return self.kwargs == ("pk",)

    def perm(self, method: str) -> str | None:
        """The permission the role must hold: the view's declared one for the action,
        else the model permission of the HTTP verb (keel.core.api.permissions)."""
        action = self.actions.get(method)
        declared = getattr(self.view, "action_perms", {})
        if action in declared:
            return declared[action]
        if self.model is None:
            return None
        opts = self.model._meta
        return f"{opts.app_label}.{VERB_OF_METHOD.get(method, 'change')}_{opts.model_name}"


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, pattern


def api_routes() -> list[ApiRoute]:
    routes = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        if not name.startswith("api:") or name == "api:api-root":
            continue
        view = getattr(pattern.callback, "cls", None)
        if view is None:
            continue
        kwargs = tuple(sorted(pattern.pattern.regex.groupindex))
        if "format" in kwargs:
            continue
        actions = dict(getattr(pattern.callback, "actions", None) or {})
        routes[name] = ApiRoute(name=name, view=view, actions=actions, kwargs=kwargs)
    return list(routes.values())


def admin_models() -> list:
    """(model, model_admin) of every model registered in the workspace."""
    return [(model, model_admin) for model, model_admin in admin.site._registry.items()]


def custom_pages() -> list[str]:
    """Names of the workspace's own pages (keel/*/urls.py and keel/web) taking no argument."""
    names = []
    for name, pattern in _walk(get_resolver().url_patterns):
        if name.startswith(("api:", "admin:")) or name in {"schema", "swagger-ui", "redoc"}:
            continue
        if pattern.pattern.regex.groupindex or "(?P" in str(pattern.pattern):
            continue
        names.append(name)
    return sorted(set(names))
