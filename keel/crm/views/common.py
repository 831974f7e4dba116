"""What every CRM page shares: the unfold frame and query-string parsing."""

from __future__ import annotations

from datetime import date

from django.contrib import admin
from django.template.response import TemplateResponse


def page(request, template: str, context: dict, title: str) -> TemplateResponse:
    """A workspace page in unfold's frame (sidebar, header, theme)."""
    return TemplateResponse(
        request, template, {**admin.site.each_context(request), "title": title, **context}
    )


def parse_date(value: str | None) -> date | None:
    """A YYYY-MM-DD query parameter; anything else counts as not given."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
