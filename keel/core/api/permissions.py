"""API permission: the role's model permission, then the object rule (django-rules)."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

ACTION_PERMS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def _model_of(view):
    queryset = getattr(view, "queryset", None)
    if queryset is None and hasattr(view, "get_queryset"):
        queryset = view.get_queryset()
    return None if queryset is None else queryset.model


def required_perm(view, method: str) -> str | None:
    """`app.codename` a request needs; a view may name it per action in `action_perms`."""
    action = getattr(view, "action", None)
    overrides = getattr(view, "action_perms", {})
    if action in overrides:
        return overrides[action]
    model = _model_of(view)
    if model is None:
        return None
    opts = model._meta
    return f"{opts.app_label}.{ACTION_PERMS.get(method, 'change')}_{opts.model_name}"


class RolePermission(BasePermission):
    """Signed-in users whose role grants the model permission of the action.

    An Auditor has every view permission and no other, so reads pass and writes
    are refused. Object rules (rules.add_perm) narrow single records further.
    """

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if getattr(view, "public_to_signed_in", False) and request.method in SAFE_METHODS:
            return True
        perm = required_perm(view, request.method)
        # A view that names no permission is closed, never open by accident.
        return perm is not None and request.user.has_perm(perm)

    def has_object_permission(self, request, view, obj) -> bool:
        import rules

        perm = required_perm(view, request.method)
        if perm is None or not rules.perm_exists(perm):
            return True
        if not perm.endswith(f"_{obj._meta.model_name}"):
            # A permission about another kind of record (approving a quotation's
            # discount is deciding its approval request): its object rule does not
            # apply to this record; the service checks the record it names.
            return True
        return request.user.has_perm(perm, obj)
