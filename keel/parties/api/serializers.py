"""API shapes of parties; each lists its writable fields."""

from __future__ import annotations

from rest_framework import serializers

from keel.core.api.serializers import RecordId

from ..models import Address, CustomerGroup, Industry, Party, Region, SalesChannel, Tag
from ..vcard import VERSIONS


class AddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = [
            "id",
            "party",
            "kind",
            "street",
            "street2",
            "postal_code",
            "city",
            "state",
            "country",
            "is_default",
        ]
        read_only_fields = ["id"]


class NestedAddressSerializer(AddressSerializer):
    class Meta(AddressSerializer.Meta):
        fields = [f for f in AddressSerializer.Meta.fields if f != "party"]
        read_only_fields = fields


class PartySerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(
        source="organisation.name", read_only=True, default=None, allow_null=True
    )
    owner_username = serializers.CharField(
        source="owner.username", read_only=True, default=None, allow_null=True
    )
    tags = serializers.PrimaryKeyRelatedField(queryset=Tag.objects.all(), many=True, required=False)
    addresses = NestedAddressSerializer(many=True, read_only=True)
    confirm_duplicate = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Create even though possible duplicates exist",
    )
    version = serializers.IntegerField(
        required=False, help_text="The version you read (optimistic locking; or If-Match)"
    )

    class Meta:
        model = Party
        fields = [
            "id",
            "kind",
            "name",
            "organisation",
            "organisation_name",
            "job_title",
            "is_customer",
            "is_prospect",
            "is_supplier",
            "is_partner",
            "email",
            "phone",
            "website",
            "domain",
            "tax_id",
            "region",
            "channel",
            "industry",
            "customer_group",
            "tags",
            "owner",
            "owner_username",
            "credit_limit",
            "notes",
            "active",
            "merged_into",
            "erased_at",
            "addresses",
            "version",
            "confirm_duplicate",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "organisation_name",
            "owner_username",
            "domain",
            "merged_into",
            "erased_at",
            "addresses",
            "created_at",
            "updated_at",
        ]


class DuplicateCheckSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, default="")
    email = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    website = serializers.CharField(required=False, allow_blank=True, default="")
    exclude_id = serializers.IntegerField(required=False, allow_null=True, default=None)


class DuplicateMatchSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="party.pk")
    name = serializers.CharField(source="party.name")
    kind = serializers.CharField(source="party.kind")
    email = serializers.CharField(source="party.email")
    phone = serializers.CharField(source="party.phone")
    reasons = serializers.ListField(child=serializers.CharField())


class DuplicateMatchesSerializer(serializers.Serializer):
    matches = DuplicateMatchSerializer(many=True)


class MergeSerializer(serializers.Serializer):
    survivor = RecordId()
    duplicates = serializers.ListField(child=RecordId(), min_length=1)
    allow_kind_change = serializers.BooleanField(required=False, default=False)


class MergeResultSerializer(serializers.Serializer):
    survivor = PartySerializer()
    merged_ids = serializers.ListField(child=serializers.IntegerField())
    moved = serializers.DictField(child=serializers.IntegerField())


class EraseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class VCardImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    import_duplicates = serializers.BooleanField(required=False, default=False)
    is_customer = serializers.BooleanField(required=False, default=False)
    is_prospect = serializers.BooleanField(required=False, default=False)
    is_supplier = serializers.BooleanField(required=False, default=False)


class CardOutcomeSerializer(serializers.Serializer):
    card = serializers.IntegerField(source="number")
    name = serializers.CharField()
    status = serializers.CharField()
    party = serializers.IntegerField(source="party.pk", default=None, allow_null=True)
    error = serializers.CharField()
    duplicates = DuplicateMatchSerializer(many=True)


class VCardImportReportSerializer(serializers.Serializer):
    created = serializers.SerializerMethodField()
    duplicates = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()
    cards = CardOutcomeSerializer(many=True)

    def get_created(self, report) -> int:
        return report.count("created")

    def get_duplicates(self, report) -> int:
        return report.count("duplicate")

    def get_errors(self, report) -> int:
        return report.count("error")


class VCardQuerySerializer(serializers.Serializer):
    version = serializers.ChoiceField(choices=VERSIONS, default="3.0")


def named_serializer(model_class):
    class NamedSerializer(serializers.ModelSerializer):
        class Meta:
            model = model_class
            fields = ["id", "name"] + (["code", "countries"] if model_class is Region else [])
            read_only_fields = ["id"]

    NamedSerializer.__name__ = f"{model_class.__name__}Serializer"
    return NamedSerializer


RegionSerializer = named_serializer(Region)
SalesChannelSerializer = named_serializer(SalesChannel)
IndustrySerializer = named_serializer(Industry)
TagSerializer = named_serializer(Tag)
CustomerGroupSerializer = named_serializer(CustomerGroup)
