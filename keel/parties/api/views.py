"""Parties API: parse, check permission, call one service or selector, render."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from keel.core.api.errors import error_body
from keel.core.api.filters import KeelFilterSet, RecordMultipleChoiceFilter
from keel.core.api.versions import version_from, with_etag
from keel.core.api.views import company_of
from keel.core.errors import InvalidInput, PermissionRefused

from .. import selectors
from ..models import Address, CustomerGroup, Industry, Party, Region, SalesChannel, Tag
from ..services import addresses as address_services
from ..services import gdpr, merge, reference, vcards
from ..services.parties import create_party, update_party
from ..vcard import to_vcards
from . import serializers as s


class PartyFilter(KeelFilterSet):
    tags = RecordMultipleChoiceFilter(queryset=Tag.objects.all())

    class Meta:
        model = Party
        fields = [
            "kind",
            "is_customer",
            "is_prospect",
            "is_supplier",
            "is_partner",
            "region",
            "channel",
            "industry",
            "customer_group",
            "owner",
            "organisation",
            "active",
            "tags",
        ]


def vcf_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class PartyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Organisations and people. Creating one that looks like an existing party answers
    409 `possible_duplicate` unless `confirm_duplicate` is true; updates honour If-Match."""

    queryset = Party.objects.none()
    serializer_class = s.PartySerializer
    filterset_class = PartyFilter
    search_fields = ["name", "email", "phone", "domain"]
    ordering_fields = ["name", "created_at", "updated_at", "id", "credit_limit"]
    action_perms = {
        "check_duplicates": "parties.view_party",
        "merge": "parties.merge_party",
        "import_vcard": "parties.add_party",
        "vcards": "parties.view_party",
        "vcard": "parties.view_party",
        "personal_data": "parties.export_personal_data",
        "erase": "parties.erase_person",
    }

    def get_queryset(self):
        return selectors.parties_for_listing(self.request.user)

    def _reloaded(self, pk: int) -> Party:
        return self.get_queryset().get(pk=pk)

    def retrieve(self, request, *args, **kwargs):
        party = self.get_object()
        return with_etag(Response(self.get_serializer(party).data), party.version)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        confirmed = data.pop("confirm_duplicate", False)
        data.pop("version", None)
        company = company_of(request.user)
        if not confirmed:
            matches = selectors.duplicates_of(
                company,
                name=data.get("name", ""),
                email=data.get("email", ""),
                phone=data.get("phone", ""),
                website=data.get("website", ""),
            )
            if matches:
                body = error_body(
                    "possible_duplicate",
                    f"{len(matches)} existing part{'y looks' if len(matches) == 1 else 'ies look'} "
                    "like this one. Send confirm_duplicate=true to create it anyway.",
                    matches=s.DuplicateMatchSerializer(matches, many=True).data,
                )
                return Response(body, status=status.HTTP_409_CONFLICT)
        party = create_party(company=company, by=request.user, **data)
        party = self._reloaded(party.pk)
        created = Response(self.get_serializer(party).data, status=status.HTTP_201_CREATED)
        return with_etag(created, party.version)

    def update(self, request, *args, **kwargs):
        party = self.get_object()
        serializer = self.get_serializer(party, data=request.data, partial=kwargs.get("partial"))
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        changes.pop("confirm_duplicate", None)
        changes.pop("version", None)
        updated = update_party(
            party.pk, by=request.user, version=version_from(request, request.data), **changes
        )
        updated = self._reloaded(updated.pk)
        return with_etag(Response(self.get_serializer(updated).data), updated.version)

    @extend_schema(request=s.DuplicateCheckSerializer, responses=s.DuplicateMatchesSerializer)
    @action(detail=False, methods=["post"], url_path="check-duplicates")
    def check_duplicates(self, request):
        query = s.DuplicateCheckSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        matches = selectors.duplicates_of(company_of(request.user), **query.validated_data)
        return Response(s.DuplicateMatchesSerializer({"matches": matches}).data)

    @extend_schema(request=s.MergeSerializer, responses=s.MergeResultSerializer)
    @action(detail=False, methods=["post"])
    def merge(self, request):
        body = s.MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids = [body.validated_data["survivor"], *body.validated_data["duplicates"]]
        visible = set(self.get_queryset().filter(pk__in=ids).values_list("pk", flat=True))
        if missing := [pk for pk in ids if pk not in visible]:
            raise InvalidInput(f"No party with id {missing[0]}.", code="not_found")
        result = merge.merge_parties(
            body.validated_data["survivor"],
            body.validated_data["duplicates"],
            by=request.user,
            allow_kind_change=body.validated_data["allow_kind_change"],
        )
        result.survivor = self._reloaded(result.survivor.pk)
        return Response(s.MergeResultSerializer(result).data)

    @extend_schema(
        request={"multipart/form-data": s.VCardImportSerializer},
        responses={200: s.VCardImportReportSerializer, 201: s.VCardImportReportSerializer},
    )
    @action(detail=False, methods=["post"], url_path="import-vcard")
    def import_vcard(self, request):
        body = s.VCardImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        options = dict(body.validated_data)
        upload = options.pop("file")
        report = vcards.import_vcards(
            company_of(request.user), upload.read(), by=request.user, **options
        )
        answer = status.HTTP_201_CREATED if report.count("created") else status.HTTP_200_OK
        return Response(s.VCardImportReportSerializer(report).data, status=answer)

    @extend_schema(
        parameters=[OpenApiParameter("version", str, enum=["3.0", "4.0"])],
        responses={(200, "text/vcard"): str},
    )
    @action(detail=False, methods=["get"])
    def vcards(self, request):
        """The filtered list as one .vcf file (at most 5000 parties)."""
        query = s.VCardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        parties = self.filter_queryset(self.get_queryset())[:5000]
        return vcf_response(to_vcards(parties, query.validated_data["version"]), "parties.vcf")

    @extend_schema(
        parameters=[OpenApiParameter("version", str, enum=["3.0", "4.0"])],
        responses={(200, "text/vcard"): str},
    )
    @action(detail=True, methods=["get"])
    def vcard(self, request, pk=None):
        query = s.VCardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        party = self.get_object()
        return vcf_response(
            to_vcards([party], query.validated_data["version"]), f"party-{party.pk}.vcf"
        )

    @extend_schema(responses=dict)
    @action(detail=True, methods=["get"], url_path="personal-data")
    def personal_data(self, request, pk=None):
        """Everything held about a person, as JSON (GDPR access request)."""
        data = selectors.export_personal_data(self.get_object())
        response = Response(data)
        response["Content-Disposition"] = f'attachment; filename="personal-data-{pk}.json"'
        return response

    @extend_schema(request=s.EraseSerializer, responses=s.PartySerializer)
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        party = self.get_object()
        body = s.EraseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        gdpr.erase_person(party.pk, by=request.user, reason=body.validated_data["reason"])
        return Response(self.get_serializer(self._reloaded(party.pk)).data)


class AddressViewSet(viewsets.ModelViewSet):
    """Addresses of the parties you can see; changing one needs the right to change its party."""

    queryset = Address.objects.none()
    serializer_class = s.AddressSerializer
    filterset_fields = ["party", "kind", "country", "is_default"]
    search_fields = ["street", "city", "postal_code"]
    ordering_fields = ["id", "city", "country"]

    def get_queryset(self):
        parties = selectors.parties_visible_to(self.request.user)
        return Address.objects.filter(party__in=parties).select_related("party")

    def perform_create(self, serializer):
        party = serializer.validated_data["party"]
        visible = selectors.parties_visible_to(self.request.user)
        if not visible.filter(pk=party.pk).exists() or not self.request.user.has_perm(
            "parties.change_party", party
        ):
            raise PermissionRefused(f"You cannot change the addresses of {party}.")
        serializer.instance = address_services.save_address(Address(**serializer.validated_data))

    def perform_update(self, serializer):
        address = serializer.instance
        for field, value in serializer.validated_data.items():
            if field != "party":  # an address does not move to another party
                setattr(address, field, value)
        serializer.instance = address_services.save_address(address)

    def perform_destroy(self, instance):
        address_services.delete_address(instance.pk)


class NamedViewSet(viewsets.ModelViewSet):
    """A company's list of regions, channels, industries, tags or customer groups."""

    search_fields = ["name"]
    ordering_fields = ["name", "id"]

    def get_queryset(self):
        model = self.serializer_class.Meta.model
        return model.objects.filter(company=company_of(self.request.user))

    def perform_create(self, serializer):
        model = self.serializer_class.Meta.model
        record = model(
            company=company_of(self.request.user),
            created_by=self.request.user,
            **serializer.validated_data,
        )
        serializer.instance = reference.save_named(record)

    def perform_update(self, serializer):
        record = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(record, field, value)
        record.updated_by = self.request.user
        serializer.instance = reference.save_named(record)

    def perform_destroy(self, instance):
        reference.delete_named(instance)


def named_viewset(serializer_class, model):
    return type(
        f"{model.__name__}ViewSet",
        (NamedViewSet,),
        {"serializer_class": serializer_class, "queryset": model.objects.none()},
    )


RegionViewSet = named_viewset(s.RegionSerializer, Region)
SalesChannelViewSet = named_viewset(s.SalesChannelSerializer, SalesChannel)
IndustryViewSet = named_viewset(s.IndustrySerializer, Industry)
TagViewSet = named_viewset(s.TagSerializer, Tag)
CustomerGroupViewSet = named_viewset(s.CustomerGroupSerializer, CustomerGroup)
