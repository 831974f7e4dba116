from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs) -> None:
    # Roles are configuration the code ships; keep the groups in step after migrate.
    from .services.roles import ensure_roles

    ensure_roles()


class UsersConfig(AppConfig):
    """Users, roles (groups with default permissions) and object-level rules."""

    name = "keel.users"
    label = "users"
    verbose_name = "Users and roles"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="keel.users.sync_roles")
