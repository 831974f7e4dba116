"""The layering of ARCHITECTURE.md holds: `lint-imports` keeps every contract in .importlinter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_import_contracts_are_kept():
    """Given the contracts in .importlinter (tiers, the shell, layers inside a package),
    When lint-imports checks the import graph of keel,
    Then every contract is kept."""
    assert (ROOT / ".importlinter").is_file(), "the contracts live in .importlinter"
    assert LINT_IMPORTS.is_file(), f"import-linter is not installed next to {sys.executable}"

    result = subprocess.run(  # noqa: S603 - our own venv's tool, fixed arguments
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, f"lint-imports found a broken contract:\n{output}"
    assert "0 broken" in output, output
