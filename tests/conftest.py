from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


REFERENCE = Path(__file__).resolve().parent / "reference"


@pytest.fixture(scope="session")
def reference() -> Path:
    """The public reference cases, kept in the repository (``tests/reference/``, each with its SOURCE.md)."""
    return REFERENCE


@pytest.fixture(autouse=True)
def _no_internal_error(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exit code 3 means a bug in reportgen, never bad input (README, "Exit codes"). Every command run through
    ``CliRunner`` in the suite, every bad-input case included, fails its test if it ends with 3, unless the test
    is marked ``internal_error`` (it provokes one on purpose)."""
    if request.node.get_closest_marker("internal_error") is not None:
        return
    from typer.testing import CliRunner

    invoke = CliRunner.invoke

    def guarded(self: CliRunner, *args: Any, **kwargs: Any) -> Any:
        result = invoke(self, *args, **kwargs)
        if result.exit_code == 3:
            pytest.fail(f"reportgen exited 3 (internal error), args {args[1:2]}:\n{result.stderr}", pytrace=False)
        return result

    monkeypatch.setattr(CliRunner, "invoke", guarded)
