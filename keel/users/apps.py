from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs) -> None:
    # Roles are configuration the code ships; keep the groups in step after migrate.
    # Apps after users in INSTALLED_APPS get their permissions only after this
    # signal, so create every app's permissions first (idempotent).
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from .services.roles import ensure_roles

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=kwargs.get("using", "default"))
    ensure_roles()


class UsersConfig(AppConfig):
    """Users, roles (groups with default permissions) and object-level rules."""

    name = "keel.users"
    label = "users"
    verbose_name = "Users and roles"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="keel.users.sync_roles")
