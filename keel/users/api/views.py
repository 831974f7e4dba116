"""Who am I, and (for administrators) who else is here."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView


class UserSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "first_name", "last_name", "email", "title", "roles"]
        read_only_fields = fields

    def get_roles(self, user) -> list[str]:
        return sorted(group.name for group in user.groups.all())


class MeView(APIView):
    """The signed-in user, their roles and their permissions."""

    public_to_signed_in = True

    @extend_schema(responses=UserSerializer)
    def get(self, request):
        data = UserSerializer(request.user).data
        data["permissions"] = sorted(request.user.get_all_permissions())
        return Response(data)


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = get_user_model().objects.prefetch_related("groups").order_by("username")
    serializer_class = UserSerializer
    filterset_fields = ["is_active", "groups__name"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering_fields = ["username", "last_name"]
