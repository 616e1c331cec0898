"""The Python API (docs/api.md) as users call it: its numbers equal the command line's JSON on the demo data and on
a DataFrame-built dataset; errors are ``reportgen.InputError`` with the CLI's message; ``import reportgen`` is light."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import reportgen
from reportgen.demo import write_demo_project
from tests.cli import check, evaluate

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("api-demo")
    write_demo_project(folder)
    return folder


def cli_json(tmp: Path, *args: str | Path) -> dict[str, Any]:
    out = tmp / "cli.json"
    run = evaluate(*args, "--json", out)
    assert run.code == 0, run.stderr
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def test_evaluation_equals_evaluate_json(demo: Path, tmp_path: Path) -> None:
    gt, v1, v2 = demo / "data" / "gt.json", demo / "data" / "model-v1.json", demo / "data" / "model-v2.json"
    ev = reportgen.evaluate(str(gt), {"v1": str(v1), "v2": str(v2)})
    assert ev.names == ["v1", "v2"]
    expected = cli_json(tmp_path, "--gt", gt, "--pred", f"v1={v1}", "--pred", f"v2={v2}")
    assert json.loads(json.dumps(ev.to_dict())) == expected
    assert ev["v1"].coco == expected["inference_sets"][0]["coco"]["stats"]


def test_at_any_confidence_equals_the_clis_preset(demo: Path, tmp_path: Path) -> None:
    gt, v1 = demo / "data" / "gt.json", demo / "data" / "model-v1.json"
    ev = reportgen.evaluate(gt, {"v1": v1})
    expected = cli_json(tmp_path, "--gt", gt, "--pred", f"v1={v1}", "--confidence", "0.337", "--iou", "0.75")
    preset = next(p for p in expected["inference_sets"][0]["presets"] if (p["iou"], p["confidence"]) == (0.75, 0.337))
    r = ev["v1"].at(confidence=0.337, iou=0.75)  # off the evaluation's confidence grid: exact
    assert json.loads(json.dumps(r.to_dict())) == preset
    report = r.report
    assert list(report.columns[:7]) == ["precision", "recall", "f1", "support", "tp", "fp", "fn"]
    assert list(report.index) == expected["classes"]
    assert report["tp"].tolist() == preset["per_class"]["tp"]
    assert r.confusion_matrix.to_numpy().tolist() == preset["confusion_matrix"]
    assert list(r.confusion_matrix.columns) == [*expected["classes"], "background"]
    assert (r.micro.precision, r.micro.recall, r.micro.f1) == tuple(preset["micro"].values())
    assert (r.weighted.precision, r.weighted.recall, r.weighted.f1) == tuple(preset["weighted"].values())


def test_an_iou_off_the_grid_names_iou_grid(demo: Path) -> None:
    ev = reportgen.evaluate(demo / "data" / "gt.json", {"v1": demo / "data" / "model-v1.json"})
    with pytest.raises(reportgen.InputError, match=r"found 0\.42; add it with evaluate\(\.\.\., iou_grid=\.\.\.\)"):
        ev["v1"].at(confidence=0.3, iou=0.42)
    ev2 = reportgen.evaluate(demo / "data" / "gt.json", {"v1": demo / "data" / "model-v1.json"}, iou_grid=[0.42])
    assert ev2["v1"].iou_thresholds == (0.42, 0.5)  # the operating point joins the grid
    assert ev2["v1"].at(confidence=0.3, iou=0.42).iou == 0.42


def test_project_check_equals_the_cli(demo: Path, tmp_path: Path) -> None:
    project = reportgen.Project.load(demo / "project.yaml")
    out = tmp_path / "payload.json"
    run = check(demo / "project.yaml", "--json", out, "--confidence", "0.3")
    result = project.check(confidence=0.3)
    assert result.passed is (run.code == 0)
    assert json.loads(json.dumps(result.payload())) == json.loads(out.read_text())
    assert result.text() + "\n" == run.stdout
    only = project.check(inference="model-v2")
    assert list(only.payload()) == ["model-v2"]
    with pytest.raises(reportgen.InputError, match="unknown inference set 'nope'"):
        project.check(inference=["nope"])


def dataframe_case(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    gt = pd.DataFrame(
        {
            "frame_id": ["a", "a", "b", "c", "c", "d"],
            "class": ["car", "truck", "car", "car", "person", "person"],
            "x": [0, 50, 10, 0, 40, 5], "y": [0, 50, 10, 0, 40, 5], "w": [20, 30, 20, 10, 10, 20],
            "h": [20, 30, 20, 10, 20, 40],
        }
    )  # fmt: skip
    preds = pd.DataFrame(
        {
            "frame_id": ["a", "a", "b", "b", "c", "c", "d", "d"],
            "class": ["car", "car", "car", "truck", "car", "person", "car", "person"],
            "x": [0, 52, 11, 60, 1, 40, 5, 5], "y": [0, 50, 9, 60, 0, 41, 5, 5], "w": [20, 30, 20, 5, 10, 10, 20, 20],
            "h": [20, 30, 20, 5, 10, 20, 40, 38], "score": [0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.3, 0.3],
        }
    )  # fmt: skip
    gt.to_csv(folder / "gt.csv", index=False)
    preds.to_csv(folder / "preds.csv", index=False)
    return gt, preds


def test_dataframes_give_the_numbers_of_the_same_csv_files(tmp_path: Path) -> None:
    gt_df, preds_df = dataframe_case(tmp_path)
    gt = reportgen.load_ground_truth(gt_df)
    ev = reportgen.evaluate(gt, {"m": preds_df})
    expected = cli_json(tmp_path, "--gt", tmp_path / "gt.csv", "--pred", f"m={tmp_path / 'preds.csv'}")
    got = json.loads(json.dumps(ev.to_dict()))
    for doc in (got, expected):  # provenance differs (files vs memory); every number must not
        doc.pop("ground_truth")
        for entry in doc["inference_sets"]:
            entry.pop("path"), entry.pop("sha256")
    assert got == expected


def test_bad_dataframe_raises_the_clis_message(tmp_path: Path) -> None:
    gt_df, preds_df = dataframe_case(tmp_path)
    preds_df.loc[2, "score"] = 1.5
    preds_df.to_csv(tmp_path / "bad.csv", index=False)
    gt = reportgen.load_ground_truth(gt_df)
    with pytest.raises(reportgen.InputError) as caught:
        reportgen.load_predictions(preds_df, gt, name="m")
    assert str(caught.value) == "<DataFrame>: row 2: field 'score': expected a confidence in [0, 1], found 1.5"
    run = evaluate("--gt", tmp_path / "gt.csv", "--pred", tmp_path / "bad.csv")
    message = "field 'score': expected a confidence in [0, 1], found 1.5"
    assert run.stderr.strip() == f"Error: {tmp_path / 'bad.csv'}: line 4: {message}"
    with pytest.raises(reportgen.InputError, match="box_format: expected one of xywh, xyxy, cxcywh, found 'ltrb'"):
        reportgen.load_ground_truth(gt_df, box_format="ltrb")
    with pytest.raises(TypeError, match="unknown format option 'boxformat'"):
        reportgen.load_ground_truth(gt_df, boxformat="xyxy")


def test_build_report_from_an_evaluation_and_repr_html(tmp_path: Path) -> None:
    gt_df, preds_df = dataframe_case(tmp_path)
    ev = reportgen.evaluate(gt_df, {"m": preds_df})
    report = reportgen.build_report(ev, tmp_path / "r.html", title="From <Python>")
    html = report.path.read_text(encoding="utf-8")
    assert "<title>From &lt;Python&gt; · model metrics · reportgen</title>" in html
    frame = report._repr_html_()
    assert frame.startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;') and 'sandbox="allow-scripts"' in frame
    assert "<script" not in frame  # the whole page is inside the attribute, escaped


def test_the_documented_example_runs(demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = demo / "data"
    args = [str(data / "gt.json"), str(data / "model-v1.json"), str(data / "model-v2.json"), str(demo / "project.yaml"),
            str(tmp_path / "example.html")]  # fmt: skip
    sys.argv = ["api_example.py", *args]
    with pytest.raises(SystemExit) as done:
        runpy.run_path(str(REPO / "tests" / "api_example.py"), run_name="__main__")
    assert done.value.code == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("['v1', 'v2'] ")
    assert out[-1].endswith("found 0.42; add it with evaluate(..., iou_grid=...)")
    assert (tmp_path / "example.html").stat().st_size > 0


def test_import_reportgen_is_light_and_evaluate_stays_the_function() -> None:
    code = (
        "import sys, reportgen; heavy = [m for m in ('pandas', 'numba', 'matplotlib', 'pyarrow') if m in sys.modules];"
        "import reportgen.engine.evaluation; print(heavy, callable(reportgen.evaluate), reportgen.evaluate.__module__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] True reportgen.api"
