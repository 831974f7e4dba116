from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, using="default", **kwargs) -> None:
    """Roles are configuration the code ships: keep the groups in step after migrate."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from .services.roles import ensure_roles

    # post_migrate reaches this app before the domains listed after it; create
    # every app's permissions first so that all domains' grants resolve.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    ensure_roles()


class UsersConfig(AppConfig):
    """Users, roles (groups with default permissions) and object-level rules."""

    name = "keel.users"
    label = "users"
    verbose_name = "Users and roles"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="keel.users.sync_roles")
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from .sign_in import count_failure, forget_failures

        user_login_failed.connect(count_failure, dispatch_uid="keel.users.count_failure")
        user_logged_in.connect(forget_failures, dispatch_uid="keel.users.forget_failures")
        # Every domain's object rules (rules.add_perm in its permissions.py) must be
        # registered before the first request, not only when ensure_roles() runs.
        from .services.roles import import_domain_permissions

        import_domain_permissions()
