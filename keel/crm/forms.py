"""Forms of the CRM's pages."""

from __future__ import annotations

from django import forms

from .models import Lead

# --- leads (section owned by the leads work) ---

HONEYPOT = "nickname"
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign")


class WebToLeadForm(forms.ModelForm):
    """The public contact form. `nickname` is a honeypot: hidden from people, filled
    by bots; a filled one is answered with the thank-you page and nothing is kept."""

    nickname = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    website = forms.URLField(required=False, max_length=200, assume_scheme="https")
    message = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    class Meta:
        model = Lead
        fields = [
            "first_name",
            "last_name",
            "email",
            "organisation_name",
            "job_title",
            "phone",
            "website",
            "country",
            "employees",
            "message",
            *UTM_FIELDS,
        ]
        labels = {
            "organisation_name": "Company",
            "email": "E-mail",
            "country": "Country (2-letter code, e.g. DE)",
        }
        widgets = {name: forms.HiddenInput for name in UTM_FIELDS}
        error_messages = {
            "email": {
                "required": "Enter your e-mail address so we can reply.",
                "invalid": "Enter a valid e-mail address, like name@example.com.",
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT))

    def lead_fields(self, query) -> dict:
        """The cleaned values, with UTM tags taken from the query string when the hidden
        inputs are empty (a link straight to the form carries them there)."""
        fields = {k: v for k, v in self.cleaned_data.items() if k != HONEYPOT}
        for name in UTM_FIELDS:
            if not fields.get(name):
                fields[name] = query.get(name, "")[:100]
        if fields.get("employees") is None:
            fields.pop("employees", None)
        return fields


class LeadImportForm(forms.Form):
    file = forms.FileField(help_text="A .csv or .xlsx file with a heading row")
    dry_run = forms.BooleanField(
        required=False, initial=True, label="Dry run: check the rows, create nothing"
    )


# --- opportunities, activities, forecast (section owned by the pipeline work) ---
