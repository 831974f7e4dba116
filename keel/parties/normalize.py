"""Normal forms used to recognise the same party written differently."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

# Legal-form suffixes that do not distinguish one organisation from another.
LEGAL_SUFFIXES = {
    "inc",
    "incorporated",
    "llc",
    "ltd",
    "limited",
    "plc",
    "gmbh",
    "ag",
    "sa",
    "sarl",
    "sas",
    "bv",
    "nv",
    "srl",
    "spa",
    "co",
    "corp",
    "corporation",
    "company",
    "oy",
    "ab",
    "as",
    "kg",
}
FREE_MAIL_DOMAINS = {
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "gmx.com",
    "gmx.de",
    "proton.me",
    "protonmail.com",
}


def normalize_name(name: str) -> str:
    """'ACME, Inc.' and 'Acme Inc' -> 'acme': lower case, no accents, punctuation or legal form."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", text.replace("&", " and "))
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)[:200]


def normalize_phone(phone: str) -> str:
    """Digits only, with a leading + kept: '+1 (555) 010-0199' -> '+15550100199'."""
    digits = re.sub(r"\D", "", phone)
    if not digits:
        return ""
    return ("+" if phone.strip().startswith("+") else "") + digits


def domain_of(email: str = "", website: str = "") -> str:
    """The organisation's own domain from a website or a non-free-mail address."""
    if website:
        host = urlsplit(website if "//" in website else f"//{website}").hostname or ""
        host = host.lower().removeprefix("www.")
        if host:
            return host
    if "@" in email:
        host = email.rsplit("@", 1)[1].lower().strip()
        if host and host not in FREE_MAIL_DOMAINS:
            return host
    return ""
