"""The party list and form: search, filters, export, duplicates, merge, vCards, GDPR."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from import_export.admin import ExportActionMixin
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.import_export.forms import ExportForm
from unfold.decorators import action, display

from keel.core.admin_lists import CompanyRelatedDropdownFilter, ListPageMixin
from keel.core.errors import DomainError
from keel.core.selectors import default_company
from keel.core.versioned_forms import seen_version

from .. import selectors
from ..models import Address, Party
from ..services import addresses as address_services
from ..services import gdpr, merge, vcards
from ..services.parties import create_party, update_party
from ..vcard import to_vcards
from .forms import EraseForm, MergeForm, PartyAdminForm, VCardImportForm
from .resources import PartyResource

# What the form edits on the row itself; tags are saved with the form's many-to-many data.
PARTY_FIELDS = [name for name in PartyAdminForm.Meta.fields if name != "tags"]


class AddressInline(TabularInline):
    model = Address
    extra = 0
    fields = ["kind", "street", "street2", "postal_code", "city", "state", "country", "is_default"]

    def _may_change(self, request, obj) -> bool:
        return obj is None or request.user.has_perm("parties.change_party", obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and self._may_change(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._may_change(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_change(request, obj)


class ContactInline(TabularInline):
    """The people of an organisation; each opens in its own form."""

    model = Party
    fk_name = "organisation"
    verbose_name = "contact"
    verbose_name_plural = "contacts"
    extra = 0
    fields = ["name", "job_title", "email", "phone", "active"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(merged_into__isnull=True)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Party)
class PartyAdmin(ListPageMixin, SimpleHistoryAdmin, ExportActionMixin, ModelAdmin):
    form = PartyAdminForm
    resource_classes = [PartyResource]
    export_form_class = ExportForm
    change_form_before_template = "parties/admin/party_form_top.html"
    list_display = [
        "name",
        "kind_badge",
        "roles",
        "organisation",
        "email",
        "phone",
        "region",
        "owner",
        "tag_list",
        "active",
    ]
    list_filter = [
        "kind",
        "is_customer",
        "is_prospect",
        "is_supplier",
        "is_partner",
        # Related records as one drop-down each, not a link per record.
        ("region", CompanyRelatedDropdownFilter),
        ("channel", CompanyRelatedDropdownFilter),
        ("industry", CompanyRelatedDropdownFilter),
        ("tags", CompanyRelatedDropdownFilter),
        ("owner", CompanyRelatedDropdownFilter),
        "active",
    ]
    list_filter_submit = True
    search_fields = ["name", "email", "phone", "normalized_phone", "domain"]
    ordering = ["name", "id"]
    sortable_by = ["name", "kind_badge", "email", "organisation", "region", "owner", "active"]
    autocomplete_fields = ["organisation"]
    inlines = [AddressInline, ContactInline]
    readonly_fields = ["domain", "version", "merged_into", "erased_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["kind", "name", "organisation", "job_title"]}),
        ("Roles", {"fields": ["is_customer", "is_prospect", "is_supplier", "is_partner"]}),
        ("Contact", {"fields": ["email", "phone", "website", "domain"]}),
        (
            "Segmentation",
            {"fields": ["region", "channel", "industry", "customer_group", "tags", "owner"]},
        ),
        ("Commercial", {"fields": ["tax_id", "credit_limit", "notes", "active"]}),
        (
            "Record",
            {"fields": ["version", "merged_into", "erased_at", "created_at", "updated_at"]},
        ),
    ]
    actions = ["merge_into_oldest", "export_vcards"]
    actions_list = ["import_vcards"]
    actions_detail = ["customer_360", "download_personal_data", "erase_person"]

    # --- list -------------------------------------------------------------

    def get_queryset(self, request):
        return selectors.parties_for_listing(request.user)

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).prefetch_related("tags")

    @display(
        description="Kind",
        ordering="kind",
        label={"Organisation": "info", "Person": "success"},
    )
    def kind_badge(self, obj):
        return obj.get_kind_display()

    @display(description="Roles")
    def roles(self, obj):
        flags = [
            ("customer", obj.is_customer),
            ("prospect", obj.is_prospect),
            ("supplier", obj.is_supplier),
            ("partner", obj.is_partner),
        ]
        return ", ".join(name for name, on in flags if on) or "–"

    @display(description="Tags")
    def tag_list(self, obj):
        return ", ".join(tag.name for tag in obj.tags.all()) or "–"

    # --- form -------------------------------------------------------------

    def get_inlines(self, request, obj):
        if obj is not None and obj.kind == Party.Kind.ORGANISATION:
            return [AddressInline, ContactInline]
        return [AddressInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.company = getattr(obj, "company", None) or request.user.company or default_company()
        return form

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return super().has_change_permission(request)
        return request.user.has_perm("parties.change_party", obj)

    def has_merge_permission(self, request) -> bool:
        return request.user.has_perm("parties.merge_party")

    def has_erase_permission(self, request, object_id=None) -> bool:
        return request.user.has_perm("parties.erase_person")

    def has_export_personal_data_permission(self, request, object_id=None) -> bool:
        return request.user.has_perm("parties.export_personal_data")

    def save_model(self, request, obj, form, change):
        """Through the services (normal forms, version check), then hand the saved row
        back to the form so tags and addresses are saved against it."""
        values = {name: getattr(obj, name) for name in PARTY_FIELDS}
        if change:
            changed = {n: values[n] for n in form.changed_data if n in values}
            saved = update_party(obj.pk, by=request.user, version=seen_version(form), **changed)
        else:
            saved = create_party(company=form.company, by=request.user, **values)
        for model_field in Party._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(saved, model_field.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_formset(self, request, form, formset, change):
        if formset.model is not Address:
            return super().save_formset(request, form, formset, change)
        for address in formset.save(commit=False):
            address_services.save_address(address)
        for address in formset.deleted_objects:
            address_services.delete_address(address.pk)

    # --- actions ----------------------------------------------------------

    @action(description="Merge selected into the oldest", permissions=["merge"])
    def merge_into_oldest(self, request, queryset):
        parties = list(queryset.order_by("created_at", "id"))
        if len(parties) < 2:
            messages.warning(request, "Select at least two parties to merge.")
            return None
        form = MergeForm(
            request.POST if "survivor" in request.POST else None,
            parties=parties,
            initial={"survivor": parties[0].pk},
        )
        if form.is_valid():
            survivor = form.cleaned_data["survivor"]
            try:
                result = merge.merge_parties(
                    survivor,
                    [p.pk for p in parties if p.pk != survivor],
                    by=request.user,
                    allow_kind_change=form.cleaned_data["allow_kind_change"],
                )
            except DomainError as error:
                messages.error(request, error.detail)
                return None
            moved = sum(result.moved.values())
            count = len(result.merged_ids)
            messages.success(
                request,
                f"Merged {count} part{'y' if count == 1 else 'ies'} into {result.survivor}; "
                f"{moved} reference(s) moved.",
            )
            return None
        return TemplateResponse(
            request,
            "parties/admin/merge.html",
            {
                **self.admin_site.each_context(request),
                "title": "Merge parties",
                "opts": self.model._meta,
                "parties": parties,
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    @action(description="Export vCards")
    def export_vcards(self, request, queryset):
        response = HttpResponse(
            to_vcards(queryset.prefetch_related("addresses")),
            content_type="text/vcard; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="parties.vcf"'
        return response

    @action(
        description="Import vCards",
        url_path="import-vcard",
        permissions=["add"],
        icon="upload_file",
    )
    def import_vcards(self, request):
        form = VCardImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            options = dict(form.cleaned_data)
            upload = options.pop("file")
            company = request.user.company or default_company()
            try:
                report = vcards.import_vcards(company, upload.read(), by=request.user, **options)
            except DomainError as error:
                form.add_error("file", error.detail)
        return TemplateResponse(
            request,
            "parties/admin/import_vcard.html",
            {
                **self.admin_site.each_context(request),
                "title": "Import vCards",
                "opts": self.model._meta,
                "form": form,
                "report": report,
            },
        )

    def _party(self, request, object_id) -> Party:
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    @action(description="Customer 360", url_path="customer-360", icon="dashboard")
    def customer_360(self, request, object_id):
        """The party's customer 360 page (analytics, above this tier: linked by URL name;
        it checks what the user may see)."""
        return HttpResponseRedirect(
            reverse("analytics:customer_360", args=[self._party(request, object_id).pk])
        )

    @action(
        description="Personal data (JSON)",
        url_path="personal-data",
        permissions=["export_personal_data"],
        icon="download",
    )
    def download_personal_data(self, request, object_id):
        party = self._party(request, object_id)
        try:
            data = selectors.export_personal_data(party)
        except DomainError as error:
            messages.error(request, error.detail)
            return HttpResponseRedirect(reverse("admin:parties_party_change", args=[party.pk]))
        response = HttpResponse(json.dumps(data, indent=2), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="personal-data-{party.pk}.json"'
        return response

    @action(
        description="Erase personal data",
        url_path="erase",
        permissions=["erase"],
        icon="delete_forever",
    )
    def erase_person(self, request, object_id):
        party = self._party(request, object_id)
        back = reverse("admin:parties_party_change", args=[party.pk])
        form = EraseForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                gdpr.erase_person(party.pk, by=request.user, reason=form.cleaned_data["reason"])
            except DomainError as error:
                messages.error(request, error.detail)
                return HttpResponseRedirect(back)
            messages.success(request, f"The personal data of party #{party.pk} was erased.")
            return HttpResponseRedirect(back)
        if party.kind != Party.Kind.PERSON:
            messages.error(request, f"{party} is an organisation; only a person's data is erased.")
            return HttpResponseRedirect(back)
        return TemplateResponse(
            request,
            "parties/admin/erase.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Erase the personal data of {party}",
                "opts": self.model._meta,
                "party": party,
                "form": form,
                "back": back,
            },
        )
