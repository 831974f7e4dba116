"""XML that users upload (camt.053 bank statements, the parts of an .xlsx workbook) is
refused when it declares a DTD or an entity, before any tree is built: such files never
need one, and it is how entity expansion ("billion laughs") and external entities
(file:///etc/passwd, http://169.254.169.254/) arrive. Standard library only: expat
reports the declaration as it reads it, and reading stops there."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 (declarations refused before parsing)
from collections.abc import Iterable
from xml.parsers import expat


class DeclarationRefused(ValueError):
    """The XML declares a document type (DTD) or an entity."""


def _refuse(*_args) -> None:
    raise DeclarationRefused


def refuse_declarations(chunks: Iterable[bytes]) -> None:
    """Raise DeclarationRefused when the XML read from `chunks` declares a DTD or an
    entity. A document malformed before any declaration is let through: the parser that
    reads it next stops at the same place and says why."""
    scanner = expat.ParserCreate(namespace_separator="}")  # as ElementTree reads it
    scanner.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    scanner.StartDoctypeDeclHandler = _refuse
    scanner.EntityDeclHandler = _refuse
    scanner.UnparsedEntityDeclHandler = _refuse
    scanner.ExternalEntityRefHandler = _refuse
    try:
        for chunk in chunks:
            scanner.Parse(chunk, False)
        scanner.Parse(b"", True)
    except expat.ExpatError:
        return


def fromstring(content: bytes) -> ET.Element:
    """The document's root element; raises DeclarationRefused for a DTD or an entity,
    ET.ParseError for XML that is not well-formed."""
    refuse_declarations([content])
    return ET.fromstring(content)  # noqa: S314 (no DTD or entity: refused above)
