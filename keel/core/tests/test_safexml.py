"""keel.core.safexml: XML declaring a DTD or an entity is refused before a tree is built,
however the declaration is written; XML without one reads as ElementTree reads it."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 (the error class and expected trees)

import pytest

from keel.core import safexml

DOC = '<Document xmlns="urn:x"><Ustrd>{}</Ustrd></Document>'


def _laugh(n: int) -> str:
    previous = f"&lol{n - 1};" if n > 1 else "&lol;"
    return f'<!ENTITY lol{n} "{previous * 10}">'


# Billion laughs: 1 KB that expands to 10^9 "lol"s.
LAUGHS = '<!DOCTYPE Document [<!ENTITY lol "lol">' + "".join(map(_laugh, range(1, 10))) + "]>"


def _with(declaration: str, text: str = "", *, encoding: str = "utf-8") -> bytes:
    head = f'<?xml version="1.0" encoding="{encoding}"?>'
    return (head + declaration + DOC.format(text)).encode(encoding)


@pytest.mark.parametrize(
    "content",
    [
        _with(LAUGHS, "&lol9;"),  # billion laughs: 10^9 "lol"s from 1 KB
        _with('<!DOCTYPE Document [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;"),
        _with('<!DOCTYPE Document [<!ENTITY % p SYSTEM "http://127.0.0.1/x.dtd"> %p;]>'),
        _with('<!DOCTYPE Document SYSTEM "file:///etc/passwd">'),  # external DTD only
        _with("<!--" + "padding " * 1000 + '--><!DOCTYPE Document [<!ENTITY a "b">]>', "&a;"),
        _with('<!DOCTYPE Document [<!ENTITY a "b">]>', "&a;", encoding="utf-16"),
        _with("<!DOCTYPE Document>"),  # a bare DOCTYPE: nothing a statement needs
    ],
    ids=[
        "billion-laughs",
        "external-entity",
        "parameter-entity",
        "external-dtd",
        "after-8-kb-of-comment",
        "utf-16",
        "bare-doctype",
    ],
)
def test_a_document_declaring_a_dtd_or_entities_is_refused(content):
    with pytest.raises(safexml.DeclarationRefused):
        safexml.fromstring(content)


def test_a_document_without_declarations_reads_as_elementtree_reads_it():
    content = _with("<!-- a bank's comment --><?pi data?>", "Invoice &amp; 7 &#233;")
    root = safexml.fromstring(content)
    assert root.tag == "{urn:x}Document"
    assert root.find("{urn:x}Ustrd").text == "Invoice & 7 é"


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"<Document><a></Document>", "mismatched tag: line 1, column 15"),
        (b"", "no element found: line 1, column 0"),
        (b"<Document>&undefined;</Document>", "undefined entity: line 1, column 10"),
    ],
)
def test_malformed_xml_is_reported_by_the_parser(content, error):
    with pytest.raises(ET.ParseError) as malformed:
        safexml.fromstring(content)
    assert str(malformed.value) == error
