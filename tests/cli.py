"""The one way the tests run the command line: in process, through ``typer.testing.CliRunner``."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from reportgen.cli import app


class Run:
    """One CLI invocation: exit code, stdout, stderr; an exception other than SystemExit fails the test."""

    def __init__(self, args: list[str | Path], env: dict[str, str] | None = None) -> None:
        result = CliRunner().invoke(app, [str(a) for a in args], env=env)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"reportgen crashed: {result.exception!r}") from result.exception
        self.code = result.exit_code
        self.stdout = result.stdout
        self.stderr = result.stderr


def reportgen(*args: str | Path) -> Run:
    return Run(list(args))


def evaluate(*args: str | Path) -> Run:
    return Run(["evaluate", *args, "-q"])


def check(project: Path, *args: str | Path) -> Run:
    return Run(["check", project, *args, "-q"])


def build(*args: str | Path) -> Run:
    return Run(["build", *args, "-q"])


def assert_error(run: Run, *fragments: str) -> str:
    """Exit 2, nothing on stdout, one ``Error: ...`` line on stderr holding every fragment, no traceback."""
    assert run.code == 2, (run.code, run.stdout, run.stderr)
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), run.stderr
    assert "Traceback" not in run.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]
