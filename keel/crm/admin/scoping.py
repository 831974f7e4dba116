"""Admin helpers of the pipeline work: per-user scoping and refusals as messages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from keel.core.admin import run_service


class ScopedAdminMixin:
    """Lists show what the user may see; opening someone else's record is a 403.

    `scoped_queryset(request)` narrows the list; the object rules (django-rules)
    decide view/change/delete of one record.
    """

    def scoped_queryset(self, request):
        raise NotImplementedError

    def get_queryset(self, request):
        return self.scoped_queryset(request)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and self.model._default_manager.filter(pk=object_id).exists():
            raise PermissionDenied  # it exists, but is not theirs
        return obj

    def _perm(self, request, action: str, obj) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}", obj)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._perm(request, "view", obj) or self._perm(request, "change", obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._perm(request, "change", obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._perm(request, "delete", obj)


# Actions over selected rows use the workspace's one helper (refusals become messages).
run_each = run_service
