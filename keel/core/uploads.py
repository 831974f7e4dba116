"""Uploaded files: every import (leads, vCards, bank statements, the chart of accounts)
checks what it was given before parsing it: not empty, not over the size limit, and of
the kind it expects judged by its content, not by its name (a renamed executable or
spreadsheet is refused with a clear error at the file field); a workbook whose XML
declares a DTD or entities is refused before the spreadsheet library reads it."""

from __future__ import annotations

import io
import zipfile
import zlib

from django.conf import settings

from . import safexml
from .errors import InvalidInput

# Content a text import never holds: archives, documents, images, programs.
BINARY_SIGNATURES = (
    b"PK\x03\x04",  # zip (xlsx, docx, jar...)
    b"%PDF",
    b"\x7fELF",
    b"MZ",  # Windows executable
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",  # JPEG
    b"\xd0\xcf\x11\xe0",  # OLE2 (xls, doc, msi)
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf",
    b"Rar!",
)
BOM = b"\xef\xbb\xbf"
LABELS = {
    "csv": "a CSV text file",
    "xlsx": "an Excel workbook (.xlsx)",
    "vcard": "a vCard file (BEGIN:VCARD ...)",
    "camt053": "a camt.053 XML statement",
    "ofx": "an OFX statement",
}


def max_bytes(limit: int | None = None) -> int:
    """The smaller of the feature's own limit and KEEL_UPLOAD_MAX_MB."""
    configured = settings.KEEL_UPLOAD_MAX_MB * 1024 * 1024
    return min(configured, limit) if limit else configured


def _is_text(content: bytes) -> bool:
    head = content[:8192]
    return b"\x00" not in head and not head.startswith(BINARY_SIGNATURES)


def _is_xlsx(content: bytes) -> bool:
    if not content.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def _text_head(content: bytes) -> bytes:
    return content[:4096].removeprefix(BOM).lstrip()


SNIFFERS = {
    "csv": _is_text,
    "xlsx": _is_xlsx,
    "vcard": lambda c: _is_text(c) and _text_head(c).upper().startswith(b"BEGIN:VCARD"),
    "camt053": lambda c: _is_text(c) and _text_head(c).startswith(b"<"),
    "ofx": lambda c: _is_text(c) and (b"OFXHEADER" in c[:4096].upper() or b"<OFX" in c.upper()),
}


class _Unpacked:
    """Counts what a workbook's parts unpack to, refusing past the limit: a zip bomb
    (a few KB that unpack to gigabytes) stops here, whatever sizes the archive claims."""

    def __init__(self, limit: int, field: str):
        self.limit, self.field, self.read = limit, field, 0

    def chunks(self, stream):
        while chunk := stream.read(65536):
            self.read += len(chunk)
            if self.read > self.limit:
                raise InvalidInput(
                    f"The workbook unpacks to more than {self.limit / 1024 / 1024:g} MB; "
                    "split it or upload a CSV.",
                    code="file_too_large",
                    field=self.field,
                )
            yield chunk


def _refuse_workbook_declarations(workbook: bytes, field: str) -> None:
    """Refuse a workbook with a part whose XML declares a DTD or an entity, a part
    that cannot be read, or parts unpacking to more than KEEL_UPLOAD_MAX_UNPACKED_MB.
    Every part is read, whatever its name: a relationship can point the spreadsheet
    library at any of them."""
    unpacked = _Unpacked(settings.KEEL_UPLOAD_MAX_UNPACKED_MB * 1024 * 1024, field)
    try:
        with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
            for part in archive.infolist():
                with archive.open(part) as stream:
                    chunks = unpacked.chunks(stream)
                    safexml.refuse_declarations(chunks)
                    for _rest in chunks:  # a part that is not XML still counts in full
                        pass
    except safexml.DeclarationRefused as refused:
        raise InvalidInput(
            f"The workbook's part {part.filename} declares a DTD or entities (<!DOCTYPE>, "
            "<!ENTITY>); Keel refuses them, a spreadsheet never needs one. Save it again "
            "from Excel or LibreOffice, or upload a CSV.",
            code="file_xml_dtd",
            field=field,
        ) from refused
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as bad:
        # A damaged, encrypted or oddly compressed part: not a workbook Keel can read.
        raise InvalidInput(
            f"The file is not {LABELS['xlsx']}: one of its parts cannot be read.",
            code="file_type",
            field=field,
        ) from bad


def check_upload(content: bytes, kind: str, *, limit: int | None = None, field: str = "file"):
    """Refuse an empty file, one over the size limit, one whose content is not `kind`
    (csv, xlsx, vcard, camt053, ofx), or a workbook whose XML declares a DTD."""
    if not content:
        raise InvalidInput("The file is empty.", code="file_empty", field=field)
    largest = max_bytes(limit)
    if len(content) > largest:
        raise InvalidInput(
            f"The file is larger than {largest / 1024 / 1024:g} MB.",
            code="file_too_large",
            field=field,
        )
    if not SNIFFERS[kind](content):
        raise InvalidInput(
            f"The file is not {LABELS[kind]}: its content says otherwise, whatever its name.",
            code="file_type",
            field=field,
        )
    if kind == "xlsx":
        _refuse_workbook_declarations(content, field)


def read_upload(file, kind: str, *, limit: int | None = None, field: str = "file") -> bytes:
    """The bytes of an uploaded file, checked; a file over the limit is refused from its
    size before it is read into memory."""
    size = getattr(file, "size", None)
    largest = max_bytes(limit)
    if size is not None and size > largest:
        raise InvalidInput(
            f"The file is larger than {largest / 1024 / 1024:g} MB.",
            code="file_too_large",
            field=field,
        )
    content = file if isinstance(file, bytes) else file.read()
    check_upload(content, kind, limit=limit, field=field)
    return content
