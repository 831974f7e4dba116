"""Every environment variable the settings read is documented in docs/configuration.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "keel" / "config" / "settings.py"
DOC = ROOT / "docs" / "configuration.md"

# os.environ.get("X"), os.environ["X"], os.getenv("X"), env_bool("X"), env_list("X")...
READ = re.compile(
    r"""(?:os\.environ\.get|os\.getenv|env_[a-z]+)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
    r"""|os\.environ\[\s*["']([A-Z][A-Z0-9_]+)["']\s*\]"""
)


def variables_read_by_settings() -> set[str]:
    return {a or b for a, b in READ.findall(SETTINGS.read_text())}


def test_every_setting_variable_is_documented():
    """Given the variables keel/config/settings.py reads,
    When docs/configuration.md is read,
    Then each one has a row there (`NAME` in a table)."""
    variables = variables_read_by_settings()
    assert {"KEEL_ENV", "SECRET_KEY", "DATABASE_URL", "EMAIL_BACKEND"} <= variables, variables

    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", DOC.read_text(), re.MULTILINE))

    assert variables - documented == set(), "document these in docs/configuration.md"
