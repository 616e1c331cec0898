"""The exit-code contract CI gates on (README, "Exit codes"; ``--help``): 0 all pass, 1 a regression test failed
(``check`` only), 2 bad input or usage, 3 internal error (a bug: one line saying so, then the traceback), 130 / 143
on Ctrl-C / SIGTERM with no partial file left. ``tests/conftest.py`` fails any test whose command reaches 3 unless
it is marked ``internal_error``; here every bad project file of ``tests/test_project_file.py`` also goes through
``build``."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reportgen import __version__
from reportgen.cli import app
from tests.test_outputs import Run, snapshot, write_project
from tests.test_project_file import BAD, GT, PREDS

INTERNAL = (
    f"reportgen {__version__}: internal error (a bug in reportgen, not a problem with your input); please report "
    "it with the command line and this traceback:"
)
EXIT_HELP = "Exit codes: 0 success"


# ------------------------------------------------------------------------------- 3: a bug, said so
@pytest.mark.internal_error
@pytest.mark.parametrize(
    ("command", "target"),
    [
        ("evaluate", "reportgen.outputs.text.classification_report"),
        ("check", "reportgen.engine.project_run.run_project"),
        ("build", "reportgen.report.build.build_examples"),
        ("demo", "reportgen.demo.demo_files"),
    ],
)
def test_an_unexpected_exception_exits_3_with_its_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, target: str
) -> None:
    project = write_project(tmp_path / "p")

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug planted by the test")

    monkeypatch.setattr(target, broken)
    args: dict[str, list[str | Path]] = {
        "evaluate": ["--gt", project.parent / "gt.json", "--pred", project.parent / "preds.json"],
        "check": [project],
        "build": [project, "-o", tmp_path / "r.html"],
        "demo": [tmp_path / "demo"],
    }
    run = Run([command, *args[command], "-q"])
    lines = run.stderr.splitlines()
    assert run.code == 3
    assert lines[0] == INTERNAL
    assert lines[1] == "Traceback (most recent call last):"
    assert lines[-1] == "ZeroDivisionError: a bug planted by the test"
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "demo").exists()


# ------------------------------------------------------------------------------- 2: usage
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "p.yaml", "--no-such-option"], "No such option: --no-such-option"),
        (["check"], "Missing argument 'PROJECT.yaml'"),
        (["evaluate", "--pred", "x.json"], "Missing option '--gt'"),
        (["demo", "d", "--seed", "many"], "Invalid value for '--seed'"),
        (["build", "--thumbnail-budget"], "Option '--thumbnail-budget' requires an argument"),
        (["frobnicate"], "No such command 'frobnicate'"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    run = Run(args)
    assert run.code == 2
    assert message in run.stderr
    assert run.stdout == ""


# ------------------------------------------------------------------------------- 0 and 1: only check gates
def test_only_check_gates_on_the_verdicts(tmp_path: Path) -> None:
    """The fixture's regression test fails: check exits 1; build and evaluate exit 0 and write their output."""
    project = write_project(tmp_path)
    checked = Run(["check", project, "-q"])
    assert checked.code == 1, checked.stderr
    assert "0 of 1 regression tests pass" in checked.stdout.splitlines()
    built = Run(["build", project, "-o", tmp_path / "r.html", "-q"])
    assert built.code == 0, built.stderr
    assert (tmp_path / "r.html").read_bytes().startswith(b"<!DOCTYPE html>")
    evaluated = Run(["evaluate", "--gt", tmp_path / "gt.json", "--pred", tmp_path / "preds.json", "-q"])
    assert evaluated.code == 0, evaluated.stderr


@pytest.mark.parametrize("command", [None, "evaluate", "check", "build", "demo"])
def test_help_states_the_exit_codes(command: str | None) -> None:
    result = CliRunner().invoke(app, [*([command] if command else []), "--help"], terminal_width=200)
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert (
        "Exit codes: 0 success (check: every regression test passes); 1 a regression test failed (check only: build "
        "and evaluate exit 0 whatever the verdicts); 2 bad input or usage, nothing written; 3 internal error, a bug "
        "in reportgen (please report it with the traceback); 130 / 143 interrupted by Ctrl-C / SIGTERM, no partial "
        "file left; 141 standard output closed early (a pipe into head)."
    ) in text


def test_the_readme_states_the_exit_codes() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Exit codes\n", 1)[1].split("\n## ", 1)[0]
    for row in ("| 0 |", "| 1 |", "| 2 |", "| 3 |", "| 130 |", "| 143 |", "| 141 |"):
        assert row in section


# ------------------------------------------------------------------------------- no bad input reaches 3
@pytest.mark.parametrize(("text", "fragments"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_every_bad_project_file_is_exit_2_for_build(tmp_path: Path, text: str, fragments: list[str]) -> None:
    """``tests/test_project_file.py`` runs these through ``check``; ``build`` reads the same file and must give
    the same one line (exit 2, never 3) and no report."""
    import json

    (tmp_path / "gt.json").write_text(json.dumps(GT))
    (tmp_path / "preds.json").write_text(json.dumps(PREDS))
    (tmp_path / "frames.csv").write_text("frame_id,weather,distance\n1,fog,10\n2,clear,200\n3,fog,\n")
    (tmp_path / "frames.txt").write_text("1\n\n# a comment\n77\n")
    (tmp_path / "project.yaml").write_text(text)
    run = Run(["build", tmp_path / "project.yaml", "-o", tmp_path / "r.html", "-q"])
    assert run.code == 2, run.stderr
    assert run.stderr.startswith("Error: ") and run.stderr.count("\n") == 1
    for fragment in fragments:
        assert fragment in run.stderr
    assert not (tmp_path / "r.html").exists()


# ------------------------------------------------------------------------------- SOURCE_DATE_EPOCH
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("soon", "expected a whole number of seconds since 1970-01-01 UTC (such as 1767225600), found 'soon'"),
        ("1.5e9", "expected a whole number of seconds since 1970-01-01 UTC (such as 1767225600), found '1.5e9'"),
        ("-1", "expected a whole number of seconds since 1970-01-01 UTC (such as 1767225600), found '-1'"),
        (" 17", "expected a whole number of seconds since 1970-01-01 UTC (such as 1767225600), found ' 17'"),
        ("١٧", "expected a whole number of seconds since 1970-01-01 UTC (such as 1767225600), found '١٧'"),
        ("9" * 30, f"expected a time between 1970 and the year 9999, found '{'9' * 30}' seconds"),
    ],
)
@pytest.mark.parametrize("command", ["build", "demo"])
def test_malformed_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, value: str, expected: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    project = write_project(tmp_path / "p")
    before = snapshot(tmp_path)
    args = [project, "-o", tmp_path / "r.html"] if command == "build" else [tmp_path / "demo"]
    run = Run([command, *args, "-q"])
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == f"Error: environment variable SOURCE_DATE_EPOCH: {expected}\n"
    assert snapshot(tmp_path) == before


# ------------------------------------------------------------------------------- 130 / 143: interrupted
SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    import reportgen.outputs.atomic as atomic
    from reportgen.cli import main

    real = atomic._write_all
    sig = getattr(signal, sys.argv[1])
    # a shell starts background jobs with SIGINT ignored, and Python then keeps it ignored: restore Python's own
    # handler, as in a terminal, so that the test does not depend on how it was started
    signal.signal(signal.SIGINT, signal.default_int_handler)

    def interrupted(fd, payload):
        os.write(fd, payload[:10])  # the temporary file exists and holds a part of the output
        os.kill(os.getpid(), sig)
        real(fd, payload[10:])

    atomic._write_all = interrupted
    sys.argv = ["reportgen", *sys.argv[2:]]
    main()
    """
)


@pytest.mark.parametrize(
    ("signal_name", "code", "line"), [("SIGTERM", 143, "Terminated"), ("SIGINT", 130, "Interrupted")]
)
def test_a_signal_during_the_write_leaves_no_file(tmp_path: Path, signal_name: str, code: int, line: str) -> None:
    """The signal arrives while the output's temporary file is half written: the temporary file is removed,
    the output is not created, the exit code says interrupted (not 1, which CI reads as a failed test)."""
    project = write_project(tmp_path)
    before = snapshot(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    args = ["check", str(project), "--json", str(tmp_path / "p.json"), "--junit", str(tmp_path / "j.xml"), "-q"]
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, signal_name, *args], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == code, done.stderr
    assert done.stderr == f"{line} (no partial output is left behind).\n"
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("output", [None, "/dev/stdout"])
def test_standard_output_closed_early_is_not_a_bug(tmp_path: Path, output: str | None) -> None:
    """``reportgen check ... | head -1``: the reader leaves before the end. Exit 141 (as a shell reports SIGPIPE),
    no traceback, no "internal error", no "Exception ignored" at exit; here the pipe is closed before the start."""
    project = write_project(tmp_path)
    read_end, write_end = os.pipe()
    os.close(read_end)
    extra = ["--markdown", output] if output else []
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "reportgen", "check", str(project), "-q", *extra],
            stdout=write_end, stderr=subprocess.PIPE, text=True, env=env, timeout=300,
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (141, "")


@pytest.mark.internal_error
def test_an_exception_outside_a_command_body_exits_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``main`` (the console script) keeps the contract for what escapes the command bodies (option parsing,
    Typer itself)."""
    import reportgen.cli

    def broken() -> None:
        raise LookupError("planted outside the command body")

    monkeypatch.setattr(reportgen.cli, "app", broken)
    with pytest.raises(SystemExit) as info:
        reportgen.cli.main()
    assert info.value.code == 3
    lines = capsys.readouterr().err.splitlines()
    assert (lines[0], lines[1], lines[-1]) == (
        INTERNAL,
        "Traceback (most recent call last):",
        "LookupError: planted outside the command body",
    )
