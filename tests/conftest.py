from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


REFERENCE = Path(__file__).resolve().parent / "reference"


@pytest.fixture(scope="session")
def reference() -> Path:
    """The public reference cases, kept in the repository (``tests/reference/``, each with its SOURCE.md)."""
    return REFERENCE
