"""Users with roles, for tests of every domain."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from keel.core.tests.factories import CompanyFactory

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = "Test"
    last_name = factory.LazyAttribute(lambda u: u.username.title())
    is_staff = True
    company = factory.SubFactory(CompanyFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(*Group.objects.filter(name__in=[str(role) for role in extracted]))
        if create:
            self.save()


def user_with_role(role, username: str | None = None, **fields):
    """A workspace user holding `role` (a keel.users.roles.Role)."""
    username = username or str(role).lower().replace(" ", ".").replace("-", "")
    return UserFactory(username=username, roles=[role], **fields)
