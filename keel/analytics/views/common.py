"""What every analytics page shares: who may open it, and the page frame."""

from __future__ import annotations

from django.contrib import admin

# Analytics reads sales documents: whoever may see sales orders may open its pages,
# and what each page shows is scoped like the orders (a rep: their own).
PERM = "sales.view_salesorder"
EXPORTS = ("csv", "xlsx")


def page_context(request, title: str, **more) -> dict:
    return {**admin.site.each_context(request), "title": title, **more}
