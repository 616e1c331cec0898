"""reportgen build end to end: reproducible bytes, atomic output, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import cli


def build(args: list[str]) -> tuple[int, str]:
    run = cli.build(*args)
    return run.code, run.stdout + run.stderr


@pytest.fixture()
def fake100(reference: Path) -> list[str]:
    folder = reference / "cocoapi_fake100"
    return ["--gt", str(folder / "instances_val2014_100.json"),
            "--pred", f"fake={folder / 'instances_val2014_fakebbox100_results.json'}"]  # fmt: skip


def test_same_inputs_give_the_same_bytes(tmp_path: Path, fake100: list[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    assert build([*fake100, "-o", str(first)])[0] == 0
    assert build([*fake100, "-o", str(second)])[0] == 0
    assert first.read_bytes() == second.read_bytes()
    assert "2026-01-01T00:00:00Z" in first.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "b.html"]  # no temporary files left


def test_failed_build_leaves_nothing(tmp_path: Path, reference: Path):
    folder = reference / "cocoapi_fake100"
    bad = tmp_path / "bad.json"
    bad.write_text('[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 2}]', encoding="utf-8")
    out = tmp_path / "report.html"
    code, output = build(["--gt", str(folder / "instances_val2014_100.json"), "--pred", str(bad), "-o", str(out)])
    assert code == 2
    assert output.startswith("Error: ") and "score" in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give PROJECT.yaml, or --gt and at least one --pred"),
        (["--thumbnail-budget", "-1"], "--thumbnail-budget: expected a number of bytes >= 0"),
        (["--bootstrap-at", "0.3"], "--bootstrap-at: expected CONFIDENCE:IOU"),
        (["--title", " "], "--title: expected a non-empty title"),
    ],
)
def test_bad_options(tmp_path: Path, fake100: list[str], args: list[str], message: str):
    base = fake100 if args else []
    code, output = build([*base, *args, "-o", str(tmp_path / "r.html")])
    assert code == 2
    assert message in output


def test_title_names_a_quick_report(tmp_path: Path, fake100: list[str]):
    out = tmp_path / "r.html"
    code, output = build([*fake100, "--title", "Nightly <run> 42", "-o", str(out)])
    assert code == 0, output
    html = out.read_text(encoding="utf-8")
    assert "<title>Nightly &lt;run&gt; 42 · model metrics · reportgen</title>" in html
    assert "instances_val2014_100 · model metrics" not in html


def test_without_title_a_quick_report_is_named_after_the_ground_truth(tmp_path: Path, fake100: list[str]):
    out = tmp_path / "r.html"
    assert build([*fake100, "-o", str(out)])[0] == 0
    assert "<title>instances_val2014_100 · model metrics · reportgen</title>" in out.read_text(encoding="utf-8")


def test_bootstrap_at_with_one_inference_set_warns(tmp_path: Path, fake100: list[str]):
    run = cli.build(*fake100, "--bootstrap-at", "0.3:0.5", "-o", tmp_path / "r.html")
    assert run.code == 0, run.stderr
    assert run.stderr.splitlines() == [
        "warning: --bootstrap-at: the intervals compare two inference sets and this report has one, "
        "so none are computed"
    ]
