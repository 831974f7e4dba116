"""keel.core.uploads: a file is judged by its content, not its name, and by its size."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from keel.core.errors import InvalidInput
from keel.core.uploads import check_upload


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["First name", "Last name"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CAMT = '<?xml version="1.0" encoding="UTF-8"?>\n<Document><BkToCstmrStmt/></Document>\n'
OFX1 = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><BANKMSGSRSV1></BANKMSGSRSV1></OFX>\n"
OFX2 = '<?xml version="1.0"?>\n<?OFX OFXHEADER="200" VERSION="220"?>\n<OFX></OFX>\n'
CSV_EU = "Buchungstag;Empfänger;Soll;Haben\n10.03.2026;Müller GmbH;;1.250,50\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
ZIP = b"PK\x03\x04\x14\x00\x00\x00" + b"\x00" * 64  # a zip, not a workbook
VCARD = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada King\r\nEND:VCARD\r\n"


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"First name,Last name\nAda,King\n", "csv"),
        (CSV_EU.encode("latin-1"), "csv"),  # not UTF-8: still text
        (_xlsx(), "xlsx"),
        (("\ufeff" + VCARD).encode(), "vcard"),
        (CAMT.encode(), "camt053"),
        (OFX1.encode(), "ofx"),
        (OFX2.encode(), "ofx"),
    ],
)
def test_real_files_of_each_kind_pass(content, kind):
    check_upload(content, kind)  # no exception


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PNG, "csv"),
        (EXE, "csv"),
        (PDF, "csv"),
        (_xlsx(), "csv"),  # a workbook renamed .csv
        (b"a,b\n1,2\n", "xlsx"),  # a CSV renamed .xlsx
        (ZIP, "xlsx"),
        (b"text with a \x00 NUL byte", "csv"),
        (b"FN:Ada King\r\n", "vcard"),
        (PDF, "vcard"),
        (OFX1.encode(), "camt053"),
        (CAMT.encode().replace(b"OFX", b""), "ofx"),
        (PNG, "ofx"),
    ],
)
def test_content_of_another_kind_is_refused_whatever_the_name(content, kind):
    with pytest.raises(InvalidInput) as refused:
        check_upload(content, kind)
    assert (refused.value.code, refused.value.field) == ("file_type", "file")
    assert refused.value.detail.startswith("The file is not ")


def test_an_empty_file_and_one_over_the_limit_are_refused(settings):
    settings.KEEL_UPLOAD_MAX_MB = 1
    with pytest.raises(InvalidInput) as empty:
        check_upload(b"", "csv")
    with pytest.raises(InvalidInput) as large:
        check_upload(b"a,b\n" * (1024 * 1024 // 4 + 1), "csv")
    with pytest.raises(InvalidInput) as own_limit:
        check_upload(b"a,b\n" * 1000, "csv", limit=1000)
    assert (empty.value.code, empty.value.detail) == ("file_empty", "The file is empty.")
    assert (large.value.code, large.value.detail) == (
        "file_too_large",
        "The file is larger than 1 MB.",
    )
    assert own_limit.value.code == "file_too_large"
    check_upload(b"a,b\n" * (1024 * 1024 // 4), "csv")  # exactly 1 MB passes


def _workbook_with_part(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_xlsx())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for part in source.infolist():
            bomb.writestr(part, source.read(part))
        bomb.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    "content",
    [b"<a>" + b" " * (3 * 1024 * 1024) + b"</a>", b"\x00" * (3 * 1024 * 1024)],
    ids=["xml", "not-xml"],
)
def test_a_workbook_unpacking_past_the_limit_is_refused(settings, content):
    """Given a 1 MB limit on what a workbook unpacks to, and a workbook of a few KB
    with a part of 3 MB (XML or not); When it is checked; Then it is refused as too
    large, while the same workbook without the part passes."""
    settings.KEEL_UPLOAD_MAX_UNPACKED_MB = 1
    bomb = _workbook_with_part("xl/media/bomb.xml", content)
    assert len(bomb) < 20 * 1024
    with pytest.raises(InvalidInput) as refused:
        check_upload(bomb, "xlsx")
    assert (refused.value.code, refused.value.detail, refused.value.field) == (
        "file_too_large",
        "The workbook unpacks to more than 1 MB; split it or upload a CSV.",
        "file",
    )
    check_upload(_xlsx(), "xlsx")
