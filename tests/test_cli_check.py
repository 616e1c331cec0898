"""``reportgen check`` end to end on the demo projects (``reportgen.demo.write_demo_project``, written once per
session) and on small projects written here: exit codes, the payload (docs/payload.md), JUnit, Markdown, and
the payload's numbers against ``reportgen evaluate --json`` on the same files."""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from reportgen.demo import write_demo_project
from tests.cli import check, evaluate, reportgen

METRICS = {"precision": "precision", "recall": "recall", "f1": "f1_score"}
ITEM_KEYS = [
    "segment_name", "frame_count", "precision", "recall", "f1_score", "false_positives", "false_negatives",
    "total_confusions", "segment_type", "uuid",
]  # fmt: skip


def segment_uuid(project: str, segment: str) -> str:
    """docs/payload.md: uuid5 in the URL namespace of ``json.dumps([project name, segment name])``."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, json.dumps([project, segment])))


# --------------------------------------------------------------------------------------- the demo
class Checked:
    """A demo project and one ``check`` of it with every output."""

    def __init__(self, folder: Path, *args: str) -> None:
        self.folder = folder
        self.project = folder / "project.yaml"
        self.spec = yaml.safe_load(self.project.read_text())
        tag = "-".join(a.strip("-") for a in args) or "default"
        self.json, self.junit, self.md = (folder / f"{tag}.json", folder / f"{tag}.xml", folder / f"{tag}.md")
        self.run = check(self.project, *args, "--json", self.json, "--junit", self.junit, "--markdown", self.md)
        assert self.run.code in (0, 1), self.run.stderr
        self.payload: dict[str, list[dict[str, Any]]] = json.loads(self.json.read_text())

    def item(self, model: str, segment: str) -> dict[str, Any]:
        return next(i for i in self.payload[model] if i["segment_name"] == segment)


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    write_demo_project(folder)
    return folder


@pytest.fixture(scope="session")
def demo(demo_folder: Path) -> Checked:
    return Checked(demo_folder)


@pytest.fixture(scope="session")
def demo_off_grid(demo_folder: Path) -> Checked:
    return Checked(demo_folder, "--confidence", "0.33", "--iou", "0.42")


@pytest.fixture(scope="session")
def demo_evaluated(demo_folder: Path) -> dict[str, dict[tuple[float, float], dict[str, Any]]]:
    """``reportgen evaluate --json`` on the demo's files, with the off-grid preset too: presets by model."""
    out = demo_folder / "evaluate.json"
    preds = [f"{name}={demo_folder / 'data' / f'{name}.json'}" for name in ("model-v1", "model-v2", "model-v3")]
    args: list[str | Path] = ["--gt", demo_folder / "data" / "gt.json", "--confidence", "0.33", "--iou", "0.42"]
    for p in preds:
        args += ["--pred", p]
    run = evaluate(*args, "--json", out)
    assert run.code == 0, run.stderr
    doc = json.loads(out.read_text())
    return {e["name"]: {(p["iou"], p["confidence"]): p for p in e["presets"]} for e in doc["inference_sets"]}


def test_demo_exit_code_and_summary_line(demo: Checked) -> None:
    regress = [i for items in demo.payload.values() for i in items if i["segment_type"] == "Regression Test"]
    failed = [i for i in regress if any(i[m]["succeeds"] is False for m in METRICS.values())]
    assert failed and demo.run.code == 1  # the demo is built so that some regression test fails
    assert demo.run.stdout.splitlines()[-1] == f"{len(regress) - len(failed)} of {len(regress)} regression tests pass"
    assert demo.run.stdout.splitlines()[0] == "Verdicts at confidence 0.1, IoU 0.5 (failures first)"
    # the text table: one row per inference set x segment, failures first
    table = demo.run.stdout.split("\n\n")[0].splitlines()[2:-1]
    legend = "FP: false positives; FN: false negatives; confusions: objects detected as another class."
    assert demo.run.stdout.split("\n\n")[0].splitlines()[-1] == legend
    assert len(table) == sum(len(items) for items in demo.payload.values())
    statuses = [row.split()[0] for row in table]
    # regression tests say PASS / FAIL; targets of splits and scenarios (which do not gate) met / missed
    assert set(statuses) == {"FAIL", "missed", "PASS", "met", "-"}
    for row, status in zip(table, statuses, strict=True):
        assert (status in ("PASS", "FAIL")) == ("Regression Test" in row), row
    rank = {"FAIL": 0, "missed": 1, "PASS": 2, "met": 2, "-": 2}
    assert [rank[s] for s in statuses] == sorted(rank[s] for s in statuses)


def test_payload_shape(demo: Checked) -> None:
    spec = demo.spec
    assert list(demo.payload) == [s["name"] for s in spec["inference_sets"]]
    expected_segments = ["All Frames"] + [s["name"] for s in spec["segments"]]
    types = {"split": "Split", "regression_test": "Regression Test", "scenario": "Scenario"}
    expected_types = ["Split"] + [types[s["type"]] for s in spec["segments"]]
    for items in demo.payload.values():
        assert [i["segment_name"] for i in items] == expected_segments  # All Frames first, then file order
        assert [i["segment_type"] for i in items] == expected_types
        for item, seg in zip(items, [{}, *spec["segments"]], strict=True):
            keys = ITEM_KEYS + (["metric_class"] if "metric_class" in seg else [])
            assert list(item) == keys
            assert item["uuid"] == segment_uuid(spec["name"], item["segment_name"])
            for key in ("false_positives", "false_negatives", "total_confusions"):
                assert list(item[key]) == ["score"] and isinstance(item[key]["score"], int)
            targets = seg.get("targets", {})
            for metric, key in METRICS.items():
                entry = item[key]
                relative = isinstance(targets.get(metric), dict)
                assert list(entry) == ["score", "threshold", "succeeds"] + (["baseline"] if relative else [])
                if metric not in targets:
                    assert entry["threshold"] is None and entry["succeeds"] is None
                elif entry["score"] is None:
                    assert entry["succeeds"] is False
                else:
                    assert entry["succeeds"] is (entry["score"] >= entry["threshold"])
                    if not relative:
                        assert entry["threshold"] == targets[metric]
    assert all(i["frame_count"] == 400 for i in (items[0] for items in demo.payload.values()))


def test_payload_is_stable_across_runs(demo: Checked, demo_folder: Path) -> None:
    again = Checked(demo_folder, "--iou", "0.5")  # the same preset, spelled out
    assert again.payload == demo.payload
    assert again.json.read_bytes() == demo.json.read_bytes()


def test_relative_target_uses_the_baseline(demo: Checked) -> None:
    seg = next(s for s in demo.spec["segments"] if isinstance(s.get("targets", {}).get("recall"), dict))
    target = seg["targets"]["recall"]
    base = demo.item(target["baseline"], seg["name"])["recall"]["score"]
    for model in demo.payload:
        recall = demo.item(model, seg["name"])["recall"]
        expected = {"inference_set": target["baseline"], "score": base, "max_drop": target["max_drop"]}
        assert recall["baseline"] == expected
        assert recall["threshold"] == pytest.approx(base - target["max_drop"], abs=1e-15)


def test_payload_all_frames_equals_evaluate_json(
    demo: Checked, demo_evaluated: dict[str, dict[tuple[float, float], dict[str, Any]]]
) -> None:
    for model, presets in demo_evaluated.items():
        assert_item_equals_preset(demo.item(model, "All Frames"), presets[0.5, 0.1])


def test_off_grid_preset_equals_evaluate_json(
    demo_off_grid: Checked, demo_evaluated: dict[str, dict[tuple[float, float], dict[str, Any]]]
) -> None:
    assert demo_off_grid.run.stdout.splitlines()[0] == "Verdicts at confidence 0.33, IoU 0.42 (failures first)"
    for model, presets in demo_evaluated.items():
        assert_item_equals_preset(demo_off_grid.item(model, "All Frames"), presets[0.42, 0.33])
    junit = ET.parse(demo_off_grid.junit).getroot()
    assert "at confidence 0.33, IoU 0.42 on" in ET.tostring(junit, encoding="unicode")
    assert "(confidence 0.33, IoU 0.42)" in demo_off_grid.md.read_text()


def assert_item_equals_preset(item: dict[str, Any], preset: dict[str, Any], cls: str | None = None) -> None:
    if cls is None:
        scores = preset["micro"]
        counts = preset["totals"]
        fp, fn, confusions = counts["fp"], counts["fn"], counts["confusions"]
    else:
        pc = preset["per_class"]
        k = pc["class"].index(cls)
        scores = {m: pc[m][k] for m in METRICS}
        fp, fn, confusions = pc["fp"][k], pc["fn"][k], pc["confused_as"][k] + pc["confused_from"][k]
    for metric, key in METRICS.items():
        assert item[key]["score"] == scores[metric], (item["segment_name"], metric)
    assert (item["false_positives"]["score"], item["false_negatives"]["score"]) == (fp, fn)
    assert item["total_confusions"]["score"] == confusions


@pytest.mark.parametrize("segment", ["Night", "Delta wings"])
def test_segment_numbers_equal_evaluate_json_on_the_segment_frames(
    demo: Checked, demo_folder: Path, tmp_path: Path, segment: str
) -> None:
    """A segment's numbers equal ``evaluate --json`` on ground truth and predictions cut to its frames
    (Night: a query on the frame table; Delta wings: a frames file and metric_class delta)."""
    seg = next(s for s in demo.spec["segments"] if s["name"] == segment)
    data = demo_folder / "data"
    if "query" in seg:
        table = pd.read_csv(data / "frames.csv", dtype={"frame_id": str})
        frames = set(table.query(seg["query"])["frame_id"])
    else:
        frames = {line.strip() for line in (demo_folder / seg["frames_file"]).read_text().splitlines() if line.strip()}
    gt = json.loads((data / "gt.json").read_text())
    gt["images"] = [im for im in gt["images"] if str(im["id"]) in frames]
    gt["annotations"] = [a for a in gt["annotations"] if str(a["image_id"]) in frames]
    (tmp_path / "gt.json").write_text(json.dumps(gt))
    model = "model-v2"
    preds = [p for p in json.loads((data / f"{model}.json").read_text()) if str(p["image_id"]) in frames]
    (tmp_path / "preds.json").write_text(json.dumps(preds))
    out = tmp_path / "out.json"
    run = evaluate("--gt", tmp_path / "gt.json", "--pred", tmp_path / "preds.json", "--json", out)
    assert run.code == 0, run.stderr
    preset = next(p for p in json.loads(out.read_text())["inference_sets"][0]["presets"]
                  if (p["iou"], p["confidence"]) == (0.5, 0.1))  # fmt: skip
    item = demo.item(model, segment)
    assert item["frame_count"] == len(frames)
    assert item.get("metric_class") == seg.get("metric_class")
    assert_item_equals_preset(item, preset, seg.get("metric_class"))


def test_one_inference_set(demo: Checked, demo_folder: Path) -> None:
    only = Checked(demo_folder, "--inference", "model-v2")
    assert list(only.payload) == ["model-v2"]
    assert only.payload["model-v2"] == demo.payload["model-v2"]  # a baseline still comes from its own set
    failed = [
        i for i in only.payload["model-v2"]
        if i["segment_type"] == "Regression Test" and any(i[m]["succeeds"] is False for m in METRICS.values())
    ]  # fmt: skip
    assert only.run.code == (1 if failed else 0)
    suites = ET.parse(only.junit).getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == ["model-v2"]


def test_an_inference_set_named_twice_is_checked_once(demo: Checked, demo_folder: Path) -> None:
    """``--inference model-v2 --inference model-v2`` lists every segment twice in the payload (24 items) and
    counts each regression test twice ("6 of 8 regression tests pass" for 4 regression tests)."""
    twice = Checked(demo_folder, "--inference", "model-v2", "--inference", "model-v2")
    assert twice.payload == {"model-v2": demo.payload["model-v2"]}
    regress = sum(1 for s in demo.spec["segments"] if s["type"] == "regression_test")
    assert twice.run.stdout.splitlines()[-1].endswith(f" of {regress} regression tests pass")


def test_unknown_inference_set(demo: Checked) -> None:
    run = check(demo.project, "--inference", "model-v9")
    assert run.code == 2 and run.stdout == ""
    assert run.stderr == "Error: --inference: unknown inference set 'model-v9' (known: model-v1, model-v2, model-v3)\n"


def test_junit(demo: Checked) -> None:
    root = ET.parse(demo.junit).getroot()
    assert root.tag == "testsuites"
    regression = [s["name"] for s in demo.spec["segments"] if s["type"] == "regression_test"]
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == list(demo.payload)
    total = failures = skipped = 0
    for suite in suites:
        model = suite.get("name")
        cases = suite.findall("testcase")
        # one test case per inference set x regression test x metric
        assert [c.get("name") for c in cases] == [f"{seg} · {m}" for seg in regression for m in METRICS]
        assert {c.get("classname") for c in cases} == {f"reportgen.{model}"}
        s_fail = s_skip = 0
        for case in cases:
            segment, metric = case.get("name", "").split(" · ")
            verdict = demo.item(str(model), segment)[METRICS[metric]]["succeeds"]
            failure, skip = case.find("failure"), case.find("skipped")
            assert (failure is not None) == (verdict is False)
            assert (skip is not None) == (verdict is None)
            if failure is not None:
                assert failure.get("type") == "ThresholdNotMet"
                assert f"{metric} " in failure.get("message", "") and "against threshold" in failure.get("message", "")
            s_fail += failure is not None
            s_skip += skip is not None
        assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == (
            str(len(cases)), str(s_fail), str(s_skip),
        )  # fmt: skip
        total, failures, skipped = total + len(cases), failures + s_fail, skipped + s_skip
    assert total == len(demo.payload) * len(regression) * 3
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == (str(total), str(failures), str(skipped))


def test_markdown(demo: Checked) -> None:
    text = demo.md.read_text()
    lines = text.splitlines()
    assert lines[0] == f"## reportgen: {demo.spec['name']}"
    summary = demo.run.stdout.splitlines()[-1]  # "N of M regression tests pass"
    assert f"**{summary}** (confidence 0.1, IoU 0.5)." in text
    rows = [line for line in lines if line.startswith("| ") and "inference set" not in line]
    assert len(rows) == sum(len(items) for items in demo.payload.values())
    # failing rows first, each marked; the worked example of a failure: model-v2 on Night
    marks = [row.split("|")[1].strip() for row in rows]
    assert marks[: marks.count("❌")] == ["❌"] * marks.count("❌")
    night = next(row for row in rows if "| model-v2 | Night |" in row)
    item = demo.item("model-v2", "Night")
    assert night.startswith("| ❌ |") == any(item[m]["succeeds"] is False for m in METRICS.values())


# ------------------------------------------------------------------------------ small projects
GT = {
    "images": [{"id": i, "width": 100, "height": 100} for i in (1, 2, 3)],
    "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}],
    "annotations": [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0},
        {"id": 2, "image_id": 2, "category_id": 2, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0},
        {"id": 3, "image_id": 3, "category_id": 2, "bbox": [50, 50, 10, 10], "area": 100, "iscrowd": 0},
    ],
}
PREDS = [
    {"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.9},
    {"image_id": 2, "category_id": 2, "bbox": [1, 0, 10, 10], "score": 0.8},
    {"image_id": 3, "category_id": 2, "bbox": [50, 50, 10, 10], "score": 0.3},
    {"image_id": 3, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.2},  # a false positive
]


def small_project(folder: Path, segments: list[dict[str, Any]]) -> Path:
    (folder / "gt.json").write_text(json.dumps(GT))
    (folder / "preds.json").write_text(json.dumps(PREDS))
    spec = {
        "name": "Small",
        "dataset": {"ground_truth": "gt.json"},
        "inference_sets": [{"name": "m", "path": "preds.json"}],
        "segments": segments,
    }
    (folder / "project.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return folder / "project.yaml"


def test_every_regression_test_passes_exit_0(tmp_path: Path) -> None:
    project = small_project(
        tmp_path,
        [
            # frames 1-2: every prediction right; score == threshold passes (>=)
            {"name": "easy", "type": "regression_test", "frames": [1, 2],
             "targets": {"precision": 1.0, "recall": 1.0}},
            # all frames: precision 3/4; a target of 0.0 is a real threshold
            {"name": "loose", "type": "regression_test", "frames": [1, 2, 3],
             "targets": {"precision": 0.75, "f1": 0.0}},
            # a failing scenario or split target does not fail the run
            {"name": "strict", "type": "scenario", "frames": [3], "targets": {"precision": 0.9}},
        ],
    )  # fmt: skip
    out = tmp_path / "payload.json"
    run = check(project, "--json", out, "--junit", tmp_path / "junit.xml")
    assert run.code == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[-1] == "2 of 2 regression tests pass"
    payload = json.loads(out.read_text())["m"]
    easy, loose, strict = payload[1], payload[2], payload[3]
    assert easy["precision"] == {"score": 1.0, "threshold": 1.0, "succeeds": True}
    assert loose["precision"] == {"score": 0.75, "threshold": 0.75, "succeeds": True}
    assert loose["f1_score"]["threshold"] == 0.0 and loose["f1_score"]["succeeds"] is True
    assert strict["precision"]["succeeds"] is False and strict["segment_type"] == "Scenario"
    assert ET.parse(tmp_path / "junit.xml").getroot().get("failures") == "0"


def test_targets_missed_only_on_splits_and_scenarios_are_informational(tmp_path: Path) -> None:
    """No regression test, two missed targets elsewhere: exit 0, the rows say "missed" (not FAIL) and the summary
    says plainly that they do not gate."""
    project = small_project(
        tmp_path,
        [
            {"name": "strict", "type": "scenario", "frames": [3], "targets": {"precision": 0.9}},
            {"name": "val", "type": "split", "frames": [1, 2, 3], "targets": {"recall": 1.0, "f1": 0.99}},
        ],
    )  # fmt: skip
    run = check(project)
    assert run.code == 0, run.stdout + run.stderr
    rows = run.stdout.split("\n\n")[0].splitlines()[2:-1]
    assert [row.split()[0] for row in rows] == ["missed", "missed", "-"]
    assert "FAIL" not in run.stdout and "PASS" not in run.stdout
    assert run.stdout.splitlines()[-2:] == [
        "Splits and Scenarios: 2 results below target (informational: only regression tests set the exit code)",
        "0 of 0 regression tests pass (the project has no regression test, so nothing gates the exit code)",
    ]
    assert run.stdout.splitlines()[1].split()[-1] == "confusions"


def test_each_written_output_is_announced(tmp_path: Path) -> None:
    project = small_project(
        tmp_path, [{"name": "easy", "type": "regression_test", "frames": [1, 2], "targets": {"precision": 1.0}}]
    )
    outs = [tmp_path / "p.json", tmp_path / "j.xml", tmp_path / "s.md"]
    run = check(project, "--json", outs[0], "--junit", outs[1], "--markdown", outs[2])
    assert run.code == 0, run.stderr
    assert run.stderr.splitlines() == [f"wrote {path}" for path in outs]


def test_an_unmeasurable_regression_test_fails_even_against_0(tmp_path: Path) -> None:
    """Frame 3 at confidence 0.95: no prediction counts, so precision is undefined; threshold 0.0 still fails."""
    project = small_project(
        tmp_path, [{"name": "dark", "type": "regression_test", "frames": [3], "targets": {"precision": 0.0}}]
    )
    out = tmp_path / "payload.json"
    run = check(project, "--confidence", "0.95", "--json", out)
    assert run.code == 1
    item = json.loads(out.read_text())["m"][1]
    assert item["precision"] == {"score": None, "threshold": 0.0, "succeeds": False}
    assert item["recall"]["score"] == 0.0 and item["f1_score"]["score"] is None


def test_off_grid_thresholds_are_exact(tmp_path: Path) -> None:
    """Confidence 0.3 keeps frame 3's 0.3 prediction (score >= t) and 0.31 drops it; IoU 0.81 (frame 2's
    box has IoU 9/11 = 0.818) keeps the dog match, 0.82 loses it."""
    project = small_project(tmp_path, [{"name": "f", "type": "scenario", "frames": [2, 3]}])
    results = {}
    for conf, iou in (("0.3", "0.81"), ("0.31", "0.81"), ("0.3", "0.82")):
        out = tmp_path / f"{conf}-{iou}.json"
        assert check(project, "--confidence", conf, "--iou", iou, "--json", out).code == 0
        item = json.loads(out.read_text())["m"][1]
        results[conf, iou] = (item["precision"]["score"], item["recall"]["score"])
    assert results["0.3", "0.81"] == (1.0, 1.0)
    assert results["0.31", "0.81"] == (1.0, 0.5)
    assert results["0.3", "0.82"] == (0.5, 0.5)


def test_bad_threshold_options(tmp_path: Path) -> None:
    project = small_project(tmp_path, [])
    for args, message in (
        (["--confidence", "2"], "Error: --confidence: expected a value in [0, 1], found 2\n"),
        (["--iou", "x"], "Error: --iou: expected a number, found 'x'\n"),
    ):
        run = check(project, *args, "--json", tmp_path / "p.json")
        assert (run.code, run.stdout, run.stderr) == (2, "", message)
    assert not (tmp_path / "p.json").exists()


def test_a_failed_write_leaves_no_other_output(tmp_path: Path) -> None:
    """README, Errors: on bad input "nothing is written". Here --markdown names a missing folder: check
    exits 2 but has already written the --json and --junit files."""
    project = small_project(tmp_path, [])
    out, junit = tmp_path / "payload.json", tmp_path / "junit.xml"
    run = check(project, "--json", out, "--junit", junit, "--markdown", tmp_path / "missing" / "summary.md")
    assert run.code == 2 and "missing" in run.stderr
    assert not out.exists() and not junit.exists()


@pytest.mark.parametrize("option", ["--json", "--junit", "--markdown"])
def test_output_path_that_is_a_folder(tmp_path: Path, option: str) -> None:
    """An output path naming an existing folder is bad input (exit 2, one line), not a crash: today
    os.replace raises IsADirectoryError, a traceback and exit code 1, which CI reads as "a regression test
    failed"."""
    project = small_project(tmp_path, [])
    (tmp_path / "out").mkdir()
    run = check(project, option, tmp_path / "out")
    assert run.code == 2, run.stderr
    assert run.stderr.startswith("Error: ") and len(run.stderr.splitlines()) == 1
    assert str(tmp_path / "out") in run.stderr
    assert list((tmp_path / "out").iterdir()) == []


def test_names_are_escaped_in_junit_and_markdown(tmp_path: Path) -> None:
    (tmp_path / "gt.json").write_text(json.dumps(GT))
    (tmp_path / "preds.json").write_text(json.dumps(PREDS))
    name, model = 'a<b> | "c" & d', 'm<1>&"'
    spec = {
        "name": "P <x> & | y",
        "dataset": {"ground_truth": "gt.json"},
        "inference_sets": [{"name": model, "path": "preds.json"}],
        "segments": [{"name": name, "type": "regression_test", "frames": [1, 3], "targets": {"precision": 0.9}}],
    }
    project = tmp_path / "project.yaml"
    project.write_text(yaml.safe_dump(spec))
    junit, md = tmp_path / "junit.xml", tmp_path / "summary.md"
    assert check(project, "--junit", junit, "--markdown", md).code == 1
    cases = ET.parse(junit).getroot().findall("testsuite/testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        (f"reportgen.{model}", f"{name} · {m}") for m in METRICS
    ]
    text = md.read_text()
    assert "## reportgen: P &lt;x&gt; & \\| y" in text
    row = next(line for line in text.splitlines() if "Regression Test" in line)
    assert row.startswith('| ❌ | m&lt;1&gt;&" | a&lt;b&gt; \\| "c" & d | Regression Test | 2 | 0.6667 &lt; 0.9000 |')
    assert "<" not in text


# ------------------------------------------------------------------------------ classification demo
def test_classification_demo(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("demo-cls")
    write_demo_project(folder, task="classification")
    checked = Checked(folder)
    spec = checked.spec
    assert spec["task"] == "classification"
    regress = [i for items in checked.payload.values() for i in items if i["segment_type"] == "Regression Test"]
    failed = [i for i in regress if any(i[m]["succeeds"] is False for m in METRICS.values())]
    assert checked.run.code == (1 if failed else 0)
    passed = len(regress) - len(failed)
    assert checked.run.stdout.splitlines()[-1] == f"{passed} of {len(regress)} regression tests pass"
    assert list(checked.payload) == [s["name"] for s in spec["inference_sets"]]
    # All Frames against evaluate --task classification at the project's confidence
    confidence = spec["defaults"]["confidence"]
    data = folder / "data"
    for model_spec in spec["inference_sets"]:
        out = tmp_path_factory.mktemp("cls-eval") / "out.json"
        gt, pred = folder / spec["dataset"]["ground_truth"], folder / model_spec["path"]
        run = evaluate("--task", "classification", "--gt", gt, "--pred", pred, "--confidence", str(confidence),
                       "--json", out)  # fmt: skip
        assert run.code == 0, run.stderr
        entry = json.loads(out.read_text())["inference_sets"][0]
        preset = next(p for p in entry["presets"] if (p["iou"], p["confidence"]) == (0.5, confidence))
        item = checked.item(model_spec["name"], "All Frames")
        assert_item_equals_preset(item, preset)
        assert item["frame_count"] == len((data / "labels.csv").read_text().splitlines()) - 1
        # classification: every prediction lands on its frame's object, so no false positives at all
        assert item["false_positives"]["score"] == 0


def test_demo_command_check_txt_ends_with_the_summary(tmp_path: Path) -> None:
    """``reportgen demo`` writes check.txt with the same closing lines as ``reportgen check`` prints."""
    folder = tmp_path / "demo"
    run = reportgen("demo", folder, "--task", "classification", "-q")
    assert run.code == 0, run.stderr
    again = check(folder / "project.yaml")
    text = (folder / "check.txt").read_text()
    assert text.splitlines()[-1] == again.stdout.splitlines()[-1]
    assert text.splitlines()[-1].endswith(" regression tests pass")
    assert text == again.stdout
