"""``--help`` and the documentation agree: every option of every command is in the README and the reverse; every
input option of the single options table is read by the project file, documented in docs/project-file.md and
offered by the CLI; the help shows no type placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from reportgen.cli import app
from reportgen.io.options import INPUT_OPTIONS
from reportgen.io.project import load_project

REPO = Path(__file__).resolve().parents[1]
#: pycocotools' fake100 case: ground truth and detections (tests/reference/cocoapi_fake100)
FAKE100 = REPO / "tests" / "reference" / "cocoapi_fake100"
FAKE100_GT = FAKE100 / "instances_val2014_100.json"
FAKE100_DETS = FAKE100 / "instances_val2014_fakebbox100_results.json"


def fresh_python(code: str) -> str:
    """What `code` prints when run by a fresh interpreter (nothing imported yet)."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
COMMANDS = ("evaluate", "check", "build", "convert", "demo")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z-]*[a-z])")


def help_text(*command: str) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    return result.stdout


def help_options(command: str) -> set[str]:
    options_part = help_text(command).split("Options:", 1)[1]
    return {
        m for line in options_part.splitlines() if line.startswith("  -") for m in OPTION.findall(line.split("  ")[1])
    }


def readme_section(command: str) -> str:
    text = (REPO / "README.md").read_text()
    start = text.index(f"### `reportgen {command}")
    end = min(i for i in (text.find("\n### ", start + 1), text.find("\n## ", start + 1), len(text)) if i != -1)
    return text[start:end]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_in_help_is_in_the_readme_and_the_reverse(command: str) -> None:
    shown = help_options(command) - {"--help"}
    documented = set(OPTION.findall(readme_section(command)))
    if command == "build":  # its table says "format options: as for evaluate"
        inputs = {flag for o in INPUT_OPTIONS for flag in o.flag.split("/")}
        documented |= inputs & set(OPTION.findall(readme_section("evaluate")))
    assert shown - documented == set(), f"in --help, not in the README: {sorted(shown - documented)}"
    assert documented - shown == set(), f"in the README, not in --help: {sorted(documented - shown)}"


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_has_no_type_placeholders(command: str) -> None:
    text = help_text(*([command] if command else []))
    for placeholder in ("<bool>", "<str>", "<int>", "<path>", "<list[", "{", "[["):
        assert placeholder not in text, (command, placeholder)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_default_is_stated_once(command: str) -> None:
    """An option whose help shows ``[default: ...]`` does not say its default in its text as well."""
    import typer.main

    group = typer.main.get_command(app)
    params = group.commands[command].params  # type: ignore[attr-defined]
    for param in params:
        if getattr(param, "show_default", False) and param.default is not None:
            assert "default" not in (getattr(param, "help", None) or ""), param.name


def test_usage_lines() -> None:
    assert help_text("check").splitlines()[0] == "Usage: reportgen check [OPTIONS] PROJECT.yaml"
    assert help_text("build").splitlines()[0] == "Usage: reportgen build [OPTIONS] [PROJECT.yaml]"
    assert help_text("demo").splitlines()[0] == "Usage: reportgen demo [OPTIONS] DIR"
    assert help_text("convert").splitlines()[0] == "Usage: reportgen convert [OPTIONS] INPUT OUTPUT"


@pytest.mark.parametrize("option", [o for o in INPUT_OPTIONS if o.where == "dataset"], ids=lambda o: o.key)
def test_every_dataset_option_is_read_by_the_project_file(tmp_path: Path, option: object) -> None:
    from reportgen.io.options import InputOption

    assert isinstance(option, InputOption)
    (tmp_path / "gt.json").write_text('{"images": [], "annotations": [], "categories": []}')
    (tmp_path / "p.json").write_text("[]")
    (tmp_path / "aux.txt").write_text("a\n")
    value: object = True if option.kind == "bool" else "aux.txt" if option.kind == "path" else option.choices[-1]
    spec = {
        "name": "P",
        "dataset": {"ground_truth": "gt.json", option.key: value},
        "inference_sets": [{"name": "m", "path": "p.json"}],
    }
    (tmp_path / "project.yaml").write_text(yaml.safe_dump(spec))
    project = load_project(tmp_path / "project.yaml")
    got = getattr(project.load_options, option.field)
    assert got == (tmp_path / "aux.txt" if option.kind == "path" else value)


def test_every_input_option_is_documented_and_offered() -> None:
    project_doc = (REPO / "docs" / "project-file.md").read_text()
    for option in INPUT_OPTIONS:
        flags = option.flag.split("/")
        assert all(flag in help_text("evaluate") for flag in flags), option.flag
        assert all(flag in help_text("build") for flag in flags), option.flag
        if option.where != "cli":
            assert re.search(rf"^\s*{option.key}:", project_doc, re.M), option.key


def test_help_loads_nothing_heavy() -> None:
    """``reportgen --help`` (and any command's start) imports neither numpy, pandas, numba nor matplotlib: the
    start-up is typer's, not the engine's (benchmarks/bench_startup.py measures it)."""
    code = (
        "import sys; from typer.testing import CliRunner; from reportgen.cli import app;"
        "CliRunner().invoke(app, ['--help']); CliRunner().invoke(app, ['evaluate', '--help']);"
        "print(sorted(m for m in ('numpy', 'pandas', 'numba', 'matplotlib', 'pyarrow', 'yaml') if m in sys.modules))"
    )
    assert fresh_python(code).strip() == "[]"


def test_evaluate_on_coco_json_loads_neither_pandas_nor_pyarrow(tmp_path: Path) -> None:
    code = (
        "import sys; from typer.testing import CliRunner; from reportgen.cli import app;"
        f"r = CliRunner().invoke(app, ['evaluate', '--gt', {str(FAKE100_GT)!r}, '--pred', {str(FAKE100_DETS)!r},"
        " '-q']);"
        "print(r.exit_code, sorted(m for m in ('pandas', 'pyarrow', 'matplotlib') if m in sys.modules))"
    )
    assert fresh_python(code).strip() == "0 []"


def test_cli_skips_numbas_scipy_blas_probe(tmp_path: Path) -> None:
    """numba's first kernel load imports SciPy's BLAS (about 0.4 s) to learn whether jitted code may call np.dot;
    the command line skips that probe (reportgen's kernels use no BLAS), and SciPy still imports afterwards."""
    pytest.importorskip("scipy.linalg")
    code = (
        "import sys; from reportgen.cli import main;"
        f"sys.argv = ['reportgen', 'evaluate', '--gt', {str(FAKE100_GT)!r}, '--pred', {str(FAKE100_DETS)!r}, '-q'];\n"
        "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
        "import numba.np.arraymath as arraymath\n"
        "print(code, 'scipy.linalg' in sys.modules, arraymath._HAVE_BLAS)\n"
        "import scipy.linalg.cython_blas\n"
        "print('scipy.linalg' in sys.modules)\n"
    )
    assert fresh_python(code).split("\n")[-3:] == ["0 False False", "True", ""]
