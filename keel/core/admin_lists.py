"""Workspace lists that stay light as a company's records grow: a page of 50 rows, no
second count of the whole table, and the parts that are the same on every row drawn
once per page instead of once per row.

Measured on the demo company (`bench/lists.py`, docs/operations.md): a list row of
unfold's costs about 7 KB of HTML, the column headers were worked out again for every
row (a third of the page's time), and each row's checkbox and status badge rendered a
template of their own.
"""

from __future__ import annotations

from functools import lru_cache

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.utils.html import format_html
from django.utils.translation import get_language
from unfold.admin import ModelAdmin, checkbox
from unfold.contrib.filters.admin import RelatedDropdownFilter
from unfold.decorators import display
from unfold.templatetags import unfold_list

LIST_PER_PAGE = 50
_PK = "__keel_pk__"


@lru_cache(maxsize=16)
def _row_checkbox(language: str | None) -> str:
    """unfold's row checkbox, rendered once per language, as a format for the id."""
    rendered = checkbox.render(ACTION_CHECKBOX_NAME, _PK)
    return rendered.replace("{", "{{").replace("}", "}}").replace(_PK, "{}")


class ListPageMixin:
    """Put first in the bases of a busy list's ModelAdmin.

    - 50 rows a page (Django's default is 100; a rep scans a page, then searches or
      filters);
    - `show_full_result_count = False`: one count per page (the paginator's, of what
      the search and filters keep), not a second over the whole table; a filtered
      page links "Show all" instead of saying how many there are in all;
    - the row checkbox is unfold's own, rendered once per page and repeated.
    """

    list_per_page = LIST_PER_PAGE
    show_full_result_count = False

    @display(description=ModelAdmin.action_checkbox.short_description)
    def action_checkbox(self, obj) -> str:
        return format_html(_row_checkbox(get_language()), obj.pk)


def share_result_headers() -> None:
    """unfold works out a list's column headers (labels, sort links, the select-all
    checkbox) again for every row it draws; they depend on the page alone, so keep the
    first answer on the page's ChangeList. Called once from CoreConfig.ready()."""
    compute = unfold_list.result_headers
    if getattr(compute, "shared_per_page", False):
        return

    def result_headers(cl):
        headers = cl.__dict__.get("_keel_result_headers")
        if headers is None:
            headers = cl.__dict__["_keel_result_headers"] = list(compute(cl))
        return iter(headers)

    result_headers.shared_per_page = True
    result_headers.unfold = compute  # unfold's own, for the test that both draw alike
    unfold_list.result_headers = result_headers


_PLAIN = (str, int, bool, type(None))


def share_label_badges() -> None:
    """unfold draws a status badge (`@display(label=…)`) by rendering a template for
    every row, the costliest part of a row; a badge depends only on the value and its
    colours, so each distinct badge is rendered once per process and language. Values
    that are not plain (lazy text, lists, records) are rendered as before. Called once
    from CoreConfig.ready()."""
    render = unfold_list.display_for_label
    if getattr(render, "shared", False):
        return

    @lru_cache(maxsize=1024, typed=True)
    def badge(value, colours, language):
        return render(value, "", dict(colours) if isinstance(colours, tuple) else colours)

    def display_for_label(value, empty_value_display, label):
        colours = tuple(label.items()) if isinstance(label, dict) else label
        if type(value) not in _PLAIN or not isinstance(colours, tuple | str | bool):
            return render(value, empty_value_display, label)
        return badge(value, colours, get_language())

    display_for_label.shared = True
    display_for_label.unfold = render
    unfold_list.display_for_label = display_for_label


class CompanyChoices:
    """A related-record list filter offering only the user's company's records (Django's
    own offers every company's: another company's warehouses, journals, users...)."""

    def field_choices(self, field, request, model_admin):
        company_id = getattr(request.user, "company_id", None)
        related = field.related_model
        if company_id is None or "company" not in {f.name for f in related._meta.fields}:
            return super().field_choices(field, request, model_admin)
        return field.get_choices(
            include_blank=False,
            ordering=self.field_admin_ordering(field, request, model_admin),
            limit_choices_to={"company_id": company_id},
        )


class CompanyRelatedDropdownFilter(CompanyChoices, RelatedDropdownFilter):
    """A list filter's related records (owner, region, tag…) as one drop-down, and only
    those of the user's company."""


class CompanyRelatedListFilter(CompanyChoices, admin.RelatedFieldListFilter):
    """Django's list of links to filter by a related record, only the user's company's."""
