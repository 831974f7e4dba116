"""Optimistic locking in the workspace's forms, the counterpart of core.api.versions.

A change form carries the version its page was rendered from (a hidden
`seen_version`); saving an older one is refused on the form itself, with the
user's input kept for them to re-apply. Inside a transaction (the workspace's change
pages run in one) the form reads the version with the row locked, so no other save
can slip in between the form's check and the service's: a stale save is always
refused here, never as a bare error from the service. The service still checks the
version it is given under its own lock (pass `seen_version(form)`), for every
other caller.
"""

from __future__ import annotations

from django import forms
from django.db import router, transaction

FIELD = "seen_version"


def stale_message(record, current: int, seen: int) -> str:
    return (
        f"{record} was changed by someone else since you opened it (version {current}, "
        f"yours {seen}). Reload the page and apply your change again."
    )


class SeenVersionForm(forms.ModelForm):
    """A ModelForm of a Versioned model that refuses a stale save on the form."""

    seen_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields[FIELD].initial = self.instance.version

    def clean(self):
        data = super().clean()
        seen = data.get(FIELD)
        if self.instance.pk and seen is not None:
            model = type(self.instance)
            # The primary's version: the save goes there, and a replica may lag.
            db = router.db_for_write(model, instance=self.instance)
            rows = model.objects.using(db).filter(pk=self.instance.pk)
            if transaction.get_connection(db).in_atomic_block:
                # Held until the save commits: what is checked here is what is saved over.
                rows = rows.select_for_update()
            current = rows.values_list("version", flat=True).first()
            if current is not None and current != seen:
                raise forms.ValidationError(
                    stale_message(self.instance, current, seen), code="stale_record"
                )
        return data


def seen_version(form) -> int | None:
    """The version the user edited (None on a new record or a form without it)."""
    return form.cleaned_data.get(FIELD) if form.instance.pk else None


__all__ = ["FIELD", "SeenVersionForm", "seen_version", "stale_message"]
