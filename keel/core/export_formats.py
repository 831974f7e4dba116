"""The formats workspace lists export to: CSV, XLSX and TSV whose text cells cannot
run as spreadsheet formulas (a party named `=HYPERLINK(...)` stays text), and JSON."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from import_export.formats import base_formats

# What a spreadsheet reads as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def quote_formula(value):
    """A text cell a spreadsheet would run as a formula, prefixed with a quote so it
    shows as text; numbers (-12.50 too) and everything else stay as they are."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    try:
        Decimal(value)
    except InvalidOperation:
        return "'" + value
    return value


class _FormulaSafe:
    """Runs when IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT is on (keel.config.settings);
    the library's own escape drops the `=`, which changes the data: we quote instead."""

    def _escape_formulae(self, dataset):
        for _ in range(dataset.height):
            dataset.append([quote_formula(cell) for cell in dataset.lpop()])


class CSV(_FormulaSafe, base_formats.CSV):
    pass


class XLSX(_FormulaSafe, base_formats.XLSX):
    pass


class TSV(_FormulaSafe, base_formats.TSV):
    pass


EXPORT_FORMATS = [CSV, XLSX, TSV, base_formats.JSON]
