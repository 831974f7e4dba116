"""Forms of the parties workspace pages."""

from __future__ import annotations

from django import forms
from unfold.widgets import UnfoldAdminFileFieldWidget, UnfoldAdminTextInputWidget

from keel.core.versioned_forms import SeenVersionForm

from ..models import Party
from ..selectors import DuplicateMatch, duplicates_of


class PartyAdminForm(SeenVersionForm):
    """The party form: warns about look-alikes before creating one, and refuses to save
    over a version someone else changed since the form was opened."""

    confirm_duplicate = forms.BooleanField(required=False, label="Create anyway")
    website = forms.URLField(required=False, assume_scheme="https")
    company = None  # set by PartyAdmin.get_form
    duplicates: list[DuplicateMatch]

    class Meta:
        model = Party
        fields = [
            "kind",
            "name",
            "organisation",
            "job_title",
            "is_customer",
            "is_prospect",
            "is_supplier",
            "is_partner",
            "email",
            "phone",
            "website",
            "region",
            "channel",
            "industry",
            "customer_group",
            "tags",
            "owner",
            "tax_id",
            "credit_limit",
            "notes",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicates = []

    def clean(self):
        data = super().clean()  # refuses a stale save
        if self.instance.pk:
            return data
        if data.get("confirm_duplicate") or self.company is None:
            return data
        self.duplicates = duplicates_of(
            self.company,
            name=data.get("name") or "",
            email=data.get("email") or "",
            phone=data.get("phone") or "",
            website=data.get("website") or "",
        )
        if self.duplicates:
            raise forms.ValidationError(
                "This looks like a party that already exists (see the list above). "
                "Open it instead, or tick “Create anyway”.",
                code="possible_duplicate",
            )
        return data


class MergeForm(forms.Form):
    survivor = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect)
    allow_kind_change = forms.BooleanField(
        required=False, label="Allow merging people into an organisation"
    )

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].choices = [(p.pk, str(p)) for p in parties]


class VCardImportForm(forms.Form):
    file = forms.FileField(widget=UnfoldAdminFileFieldWidget, help_text=".vcf, at most 2 MB")
    import_duplicates = forms.BooleanField(
        required=False, label="Import cards that look like existing parties too"
    )
    is_customer = forms.BooleanField(required=False, label="Mark as customers")
    is_prospect = forms.BooleanField(required=False, label="Mark as prospects")
    is_supplier = forms.BooleanField(required=False, label="Mark as suppliers")


class EraseForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=UnfoldAdminTextInputWidget,
        help_text="Why the data is erased, e.g. the request's reference",
    )
