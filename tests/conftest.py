from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def reference_dir() -> Path:
    """``../shared/reference`` beside the checkout, or ``$REPORTGEN_REFERENCE``."""
    env = os.environ.get("REPORTGEN_REFERENCE")
    return Path(env) if env else REPO.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def reference() -> Path:
    path = reference_dir()
    if not path.is_dir():
        pytest.fail(f"reference data not found at {path} (set REPORTGEN_REFERENCE)")
    return path
