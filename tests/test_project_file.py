"""The project file (docs/project-file.md) through ``reportgen check``: every bad file exits 2 with one
``Error: ...`` line naming the file and the key path; an empty segment, ``classes.rename`` and
``classes.ignore`` work as documented."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests import cli
from tests.cli import Run, assert_error

# Three frames, three classes. Frame 1: a cat found; frame 2: a dog taken by a cat prediction (a confusion);
# frame 3: a bird missed and a bird prediction elsewhere (FN + FP). All Frames: TP 1, FP 1, FN 1, confusions 1.
GT = {
    "images": [{"id": i, "width": 100, "height": 100} for i in (1, 2, 3)],
    "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}, {"id": 3, "name": "bird"}],
    "annotations": [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0},
        {"id": 2, "image_id": 2, "category_id": 2, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0},
        {"id": 3, "image_id": 3, "category_id": 3, "bbox": [20, 20, 10, 10], "area": 100, "iscrowd": 0},
    ],
}
PREDS = [
    {"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.9},
    {"image_id": 2, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.8},
    {"image_id": 3, "category_id": 3, "bbox": [50, 50, 10, 10], "score": 0.3},
]
FRAMES = "frame_id,weather,distance\n1,fog,10\n2,clear,200\n3,fog,\n"
HEAD = """name: Small
dataset: {ground_truth: gt.json, frames: frames.csv}
inference_sets: [{name: m, path: preds.json}, {name: n, path: preds.json}]
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "gt.json").write_text(json.dumps(GT))
    (tmp_path / "preds.json").write_text(json.dumps(PREDS))
    (tmp_path / "frames.csv").write_text(FRAMES)
    (tmp_path / "frames.txt").write_text("1\n\n# a comment\n77\n")
    return tmp_path


def check(folder: Path, text: str, *args: str | Path) -> Run:
    project = folder / "project.yaml"
    project.write_text(text)
    return cli.check(project, *args)


def seg(body: str) -> str:
    return HEAD + f"segments:\n  - {body}\n"


# (id, project text, fragments of the message after "Error: <folder>/project.yaml: ")
BAD = [
    # unknown keys, anywhere
    ("unknown-top-key", HEAD + "colour: red\n",
     ["field 'colour': unknown key",
      "(expected one of: classes, dask, dataset, defaults, inference_sets, name, segments, task)"]),
    ("unknown-dataset-key", HEAD.replace("frames: frames.csv", "frame_table: frames.csv"),
     ["field 'dataset.frame_table': unknown key"]),
    ("unknown-inference-set-key", HEAD.replace("{name: n, path: preds.json}", "{name: n, path: preds.json, x: 1}"),
     ["field 'inference_sets[1].x': unknown key (expected one of: format, name, path)"]),
    ("unknown-segment-key", seg("{name: s, type: scenario, frames: [1], owner: me}"),
     ["field 'segments[0].owner': unknown key"]),
    ("unknown-target-key", seg("{name: s, type: scenario, frames: [1], targets: {accuracy: 0.2}}"),
     ["field 'segments[0].targets.accuracy': unknown key (expected one of: f1, precision, recall)"]),
    ("unknown-classes-key", HEAD + "classes: {merge: {dog: cat}}\n", ["field 'classes.merge': unknown key"]),
    ("unknown-defaults-key", HEAD + "defaults: {conf: 0.3}\n", ["field 'defaults.conf': unknown key"]),
    # required keys
    ("missing-name", HEAD.replace("name: Small\n", ""), ["field 'name': required key is missing"]),
    ("missing-ground-truth", HEAD.replace("ground_truth: gt.json, ", ""),
     ["field 'dataset.ground_truth': required key is missing"]),
    ("missing-segment-type", seg("{name: s, frames: [1]}"), ["field 'segments[0].type': required key is missing"]),
    # wrong types
    ("name-a-list", HEAD.replace("name: Small", "name: [a, b]"), ["field 'name': expected a string, found a list"]),
    ("dataset-a-string", HEAD.replace("dataset: {ground_truth: gt.json, frames: frames.csv}", "dataset: gt.json"),
     ["field 'dataset': expected a mapping, found a string ('gt.json')"]),
    ("inference-sets-a-number", HEAD.split("inference_sets")[0] + "inference_sets: 3\n",
     ["field 'inference_sets': expected a non-empty list, found a number (3)"]),
    ("inference-sets-empty", HEAD.split("inference_sets")[0] + "inference_sets: []\n",
     ["field 'inference_sets': expected a non-empty list, found a list"]),
    ("normalized-a-string", HEAD.replace("frames: frames.csv", "frames: frames.csv, normalized: 'yes'"),
     ["field 'dataset.normalized': expected true or false, found a string ('yes')"]),
    ("confidence-a-string", HEAD + "defaults: {confidence: high}\n",
     ["field 'defaults.confidence': expected a number in [0, 1], found a string ('high')"]),
    ("target-a-boolean", seg("{name: s, type: scenario, frames: [1], targets: {precision: true}}"),
     ["field 'segments[0].targets.precision': expected a number in [0, 1], found a boolean (True)"]),
    ("segments-a-mapping", HEAD + "segments: {a: 1}\n", ["field 'segments': expected a list, found a mapping"]),
    ("frames-a-string", seg("{name: s, type: scenario, frames: '1,2'}"),
     ["field 'segments[0].frames': expected a list of frame ids, found a string ('1,2')"]),
    ("metadata-a-list", seg("{name: s, type: scenario, frames: [1], metadata: [a]}"),
     ["field 'segments[0].metadata': expected a mapping, found a list"]),
    ("bad-segment-type", seg("{name: s, type: test, frames: [1]}"),
     ["field 'segments[0].type': expected split, regression_test or scenario, found 'test'"]),
    ("bad-task", HEAD + "task: segmentation\n",
     ["field 'task': expected auto, detection or classification, found 'segmentation'"]),
    ("bad-format", HEAD.replace("{name: n, path: preds.json}", "{name: n, path: preds.json, format: xml}"),
     ["field 'inference_sets[1].format': expected one of auto, coco"]),
    ("bad-grid", HEAD + "defaults: {iou_grid: '0.5:0.1:0.1'}\n",
     ["field 'defaults.iou_grid'", "range '0.5:0.1:0.1' ends before it starts"]),
    # membership
    ("no-membership", seg("{name: s, type: scenario}"),
     ["field 'segments[0]': expected exactly one of query, frames, frames_file; found 0"]),
    ("two-memberships", seg("{name: s, type: scenario, frames: [1], query: 'distance > 1'}"),
     ["field 'segments[0]': expected exactly one of query, frames, frames_file; found 2"]),
    ("unknown-frame-in-list", seg("{name: s, type: scenario, frames: [1, 99]}"),
     ["field 'segments[0].frames': segment 's' names frame '99', which is not in the ground truth"]),
    ("missing-frames-file", seg("{name: s, type: scenario, frames_file: nope.txt}"),
     ["field 'segments[0].frames_file': frames file", "nope.txt", "not found"]),
    ("query-unknown-column", seg("{name: s, type: scenario, query: 'height > 3'}"),
     ["field 'segments[0].query': query 'height > 3': unknown column 'height'", "frame_id, weather, distance"]),
    ("query-does-not-parse", seg("{name: s, type: scenario, query: 'weather == '}"),
     ["field 'segments[0].query': query 'weather == ': does not parse"]),
    ("query-runs-code", seg("""{name: s, type: scenario, query: '__import__("os").getcwd()'}"""),
     ["field 'segments[0].query'", "is not allowed"]),
    ("query-without-frame-table", HEAD.replace(", frames: frames.csv", "")
     + "segments:\n  - {name: s, type: scenario, query: 'distance > 1'}\n",
     ["field 'segments[0].query': a query needs a frame table (dataset.frames)"]),
    # thresholds
    ("recall-below-0", seg("{name: s, type: scenario, frames: [1], targets: {recall: -0.1}}"),
     ["field 'segments[0].targets.recall': expected a number in [0, 1], found -0.1"]),
    ("precision-above-1", seg("{name: s, type: regression_test, frames: [1], targets: {precision: 80}}"),
     ["field 'segments[0].targets.precision': expected a number in [0, 1], found 80"]),
    ("max-drop-above-1", seg("{name: s, type: scenario, frames: [1], targets: {f1: {baseline: m, max_drop: 2}}}"),
     ["field 'segments[0].targets.f1.max_drop': expected a number in [0, 1], found 2"]),
    ("iou-above-1", HEAD + "defaults: {iou: 1.5}\n", ["field 'defaults.iou': expected a number in [0, 1], found 1.5"]),
    # names
    ("two-segments-one-name", HEAD + "segments:\n  - {name: s, type: scenario, frames: [1]}\n"
     "  - {name: s, type: split, frames: [2]}\n", ["field 'segments[1].name': two segments are named 's'"]),
    ("empty-segment-name", seg("{name: ' ', type: scenario, frames: [1]}"),
     ["field 'segments[0].name': expected a non-empty name"]),
    ("two-inference-sets-one-name", HEAD.replace("{name: n,", "{name: m,"),
     ["field 'inference_sets[1].name': two inference sets are named 'm'"]),
    ("unknown-baseline", seg("{name: s, type: regression_test, frames: [1], targets: {recall: {baseline: zz}}}"),
     ["field 'segments[0].targets.recall.baseline': unknown inference set 'zz' (known: m, n)"]),
    ("baseline-without-name", seg("{name: s, type: regression_test, frames: [1], targets: {recall: {max_drop: 0.1}}}"),
     ["field 'segments[0].targets.recall.baseline': required key is missing"]),
    # classes
    ("unknown-metric-class", seg("{name: s, type: scenario, frames: [1], metric_class: horse}"),
     ["field 'segments[0].metric_class': unknown class 'horse' (known: cat, dog, bird)"]),
    ("classes-ignore-a-string", HEAD + "classes: {ignore: bird}\n",
     ["field 'classes.ignore': expected a list of class names, found a string ('bird')"]),
    ("classes-rename-a-list", HEAD + "classes: {rename: [dog]}\n",
     ["field 'classes.rename': expected a mapping, found a list"]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "fragments"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_project_file(folder: Path, text: str, fragments: list[str]) -> None:
    out = folder / "payload.json"
    line = assert_error(check(folder, text, "--json", out), *fragments)
    assert line.startswith(f"Error: {folder / 'project.yaml'}: ")
    assert not out.exists()


def test_every_bad_case_has_one_defect(folder: Path) -> None:
    """The base of the cases above checks cleanly, with one segment of each kind."""
    text = HEAD + (
        "segments:\n"
        "  - {name: q, type: split, query: 'weather == \"fog\"'}\n"
        "  - {name: l, type: scenario, frames: [1, 2]}\n"
        "  - {name: f, type: regression_test, frames_file: frames.txt, targets: {recall: 0.0}}\n"
    )
    (folder / "frames.txt").write_text("1\n\n# a comment\n3\n")
    run = check(folder, text, "--json", folder / "p.json")
    assert run.code == 0, run.stderr
    items = json.loads((folder / "p.json").read_text())["m"]
    assert [(i["segment_name"], i["frame_count"]) for i in items] == [("All Frames", 3), ("q", 2), ("l", 2), ("f", 2)]


def test_frames_file_naming_a_frame_that_does_not_exist(folder: Path) -> None:
    """The error is located in the frames file: its path, the line, and the segment."""
    run = check(folder, seg("{name: s, type: scenario, frames_file: frames.txt}"))
    where = f"Error: {folder / 'frames.txt'}: line 4: "
    assert_error(run, where, "segment 's' names frame '77'", "not in the ground truth")


def test_malformed_yaml_names_the_line(folder: Path) -> None:
    text = "name: Small\ndataset:\n  ground_truth: gt.json\n inference_sets: [x\n"
    assert_error(check(folder, text), f"Error: {folder / 'project.yaml'}: line 4: malformed YAML")
    text = HEAD + "segments:\n  - {name: s, type: scenario, frames: [1]\n  - {name: t}\n"
    line = assert_error(check(folder, text), "malformed YAML")
    assert ": line 6: " in line  # PyYAML's problem mark: the "-" where a "," or "}" was expected


def test_empty_and_missing_project_files(folder: Path) -> None:
    assert_error(check(folder, ""), "project.yaml: the file is empty")
    run = cli.check(folder / "nope.yaml")
    assert_error(run, "nope.yaml: project file not found")


@pytest.mark.parametrize(
    ("replace", "fragments"),
    [
        ("ground_truth: gt.json", ["nope.json", "dataset.ground_truth"]),
        ("{name: m, path: preds.json}", ["nope.json", "inference_sets[0].path"]),
    ],
    ids=["ground-truth", "inference-set"],
)
def test_missing_data_file_names_the_key_path(folder: Path, replace: str, fragments: list[str]) -> None:
    """docs/project-file.md: "every error names the key path". A missing ground truth or predictions file is
    reported with its path only ('nope.json: expected a file or folder of ..., found nothing at this path'),
    without the key that named it."""
    text = HEAD.replace(replace, replace.replace("gt.json", "nope.json").replace("preds.json", "nope.json"))
    assert "nope.json" in text
    assert_error(check(folder, text), *fragments)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (seg("{name: s, type: regression_test, frames: [1, 2, 3], targets: {precision: 0.99}}").replace(
            "targets: {precision: 0.99}}", "targets: {precision: 0.99}, targets: {recall: 0.1}}"),
         "segments[0].targets"),
        (HEAD + "segments:\n  - name: s\n    type: regression_test\n    frames: [1]\n"
         "    targets:\n      precision: 0.99\n      precision: 0.1\n", "segments[0].targets.precision"),
        (HEAD + "name: Other\n", "name"),
    ],
    ids=["targets-twice", "precision-twice", "name-twice"],
)  # fmt: skip
def test_a_key_given_twice_is_an_error(folder: Path, text: str, key: str) -> None:
    """YAML loaders keep the last of two equal keys. A second ``targets:`` (or ``precision:``) silently replaces
    the first, so a failing target disappears and check exits 0: the silent loss docs/project-file.md rules
    out for unknown keys ("a typo must not silently disable a regression test")."""
    line = assert_error(check(folder, text), key)
    assert ": line " in line  # where the second one is


@pytest.mark.parametrize("key", ["rename", "ignore"])
def test_unknown_class_in_classes_names_the_key_path(folder: Path, key: str) -> None:
    """``classes.rename`` and ``classes.ignore`` naming an unknown class: both say only "field 'classes'",
    so the message does not tell which of the two lists is wrong."""
    value = "{horse: cat}" if key == "rename" else "[horse]"
    run = check(folder, HEAD + f"classes: {{{key}: {value}}}\n")
    assert_error(run, "unknown class 'horse' (known: cat, dog, bird)", f"classes.{key}")


# ----------------------------------------------------------------------------------- what works
def payload(folder: Path, text: str, *args: str) -> tuple[Run, dict[str, Any]]:
    out = folder / "payload.json"
    run = check(folder, text, "--json", out, *args)
    assert run.code in (0, 1), run.stderr
    return run, json.loads(out.read_text())


def test_empty_segment_reports_null_scores(folder: Path) -> None:
    """A query that matches no frame: frame_count 0, every score null, a target fails, no crash."""
    text = seg("{name: far, type: regression_test, query: 'distance > 1000', targets: {precision: 0.5, recall: 0.0}}")
    run, data = payload(folder, text)
    assert run.code == 1
    item = data["m"][1]
    assert (item["segment_name"], item["frame_count"]) == ("far", 0)
    assert item["precision"] == {"score": None, "threshold": 0.5, "succeeds": False}
    assert item["recall"] == {"score": None, "threshold": 0.0, "succeeds": False}
    assert item["f1_score"] == {"score": None, "threshold": None, "succeeds": None}
    assert [item[k]["score"] for k in ("false_positives", "false_negatives", "total_confusions")] == [0, 0, 0]


def test_missing_values_do_not_satisfy_a_comparison(folder: Path) -> None:
    """Frame 3's distance is empty: not in 'distance < 100' and not in 'distance >= 100', but in 'not (...)'."""
    text = HEAD + (
        "segments:\n"
        "  - {name: near, type: scenario, query: 'distance < 100'}\n"
        "  - {name: far, type: scenario, query: 'distance >= 100'}\n"
        "  - {name: not near, type: scenario, query: 'not (distance < 100)'}\n"
    )
    _, data = payload(folder, text)
    assert [i["frame_count"] for i in data["m"]] == [3, 1, 1, 2]


def scores(item: dict[str, Any]) -> tuple[Any, ...]:
    return (
        item["precision"]["score"], item["recall"]["score"],
        item["false_positives"]["score"], item["false_negatives"]["score"], item["total_confusions"]["score"],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("classes", "expected"),
    [
        ("", (1 / 3, 1 / 3, 1, 1, 1)),
        # dog merged into cat: frame 2's cat prediction becomes a true positive
        ("classes: {rename: {dog: cat}}\n", (2 / 3, 2 / 3, 1, 1, 0)),
        # bird left out everywhere: frame 3's object and prediction are gone
        ("classes: {ignore: [bird]}\n", (1 / 2, 1 / 2, 0, 0, 1)),
        ("classes: {rename: {dog: cat}, ignore: [bird]}\n", (1.0, 1.0, 0, 0, 0)),
        # several classes renamed to one new name
        ("classes: {rename: {dog: pet, cat: pet}}\n", (2 / 3, 2 / 3, 1, 1, 0)),
    ],
    ids=["none", "rename", "ignore", "both", "merge-into-new"],
)
def test_classes_rename_and_ignore(folder: Path, classes: str, expected: tuple[Any, ...]) -> None:
    _, data = payload(folder, HEAD + classes)
    got = scores(data["m"][0])
    assert got[:2] == pytest.approx(expected[:2], abs=1e-12) and got[2:] == expected[2:]


def test_metric_class_uses_the_class_numbers(folder: Path) -> None:
    """metric_class dog on frame 2: the dog object was taken by a cat prediction: precision undefined (no dog
    prediction), recall 0, one confusion; the verdict against recall 0.0 succeeds (0 >= 0)."""
    text = seg("{name: dogs, type: regression_test, frames: [2], metric_class: dog, targets: {recall: 0.0}}")
    run, data = payload(folder, text)
    item = data["m"][1]
    assert item["metric_class"] == "dog"
    assert scores(item) == (None, 0.0, 0, 0, 1)
    assert item["recall"] == {"score": 0.0, "threshold": 0.0, "succeeds": True}
    assert run.code == 0


def test_relative_target_with_an_undefined_baseline_fails(folder: Path) -> None:
    """On an empty segment the baseline's recall is undefined: threshold null, the verdict false."""
    text = seg("{name: far, type: regression_test, query: 'distance > 1000', "
               "targets: {recall: {baseline: n, max_drop: 0.1}}}")  # fmt: skip
    run, data = payload(folder, text)
    assert run.code == 1
    recall = data["m"][1]["recall"]
    assert recall == {
        "score": None, "threshold": None, "succeeds": False,
        "baseline": {"inference_set": "n", "score": None, "max_drop": 0.1},
    }  # fmt: skip


def test_all_frames_may_be_given_as_a_split_with_targets(folder: Path) -> None:
    text = seg("{name: All Frames, type: split, targets: {precision: 0.3}}")
    run, data = payload(folder, text)
    assert [i["segment_name"] for i in data["m"]] == ["All Frames"]
    assert data["m"][0]["precision"]["succeeds"] is True and run.code == 0
    assert_error(check(folder, seg("{name: All Frames, type: regression_test, frames: [1]}")), "'All Frames'")


def test_frame_ids_are_read_as_written(tmp_path: Path) -> None:
    """YAML reads 000044 as the octal number 36; frame ids are the text as written."""
    from reportgen.io.project import load_project

    (tmp_path / "gt.json").write_text("{}", encoding="utf-8")
    (tmp_path / "p.json").write_text("[]", encoding="utf-8")
    (tmp_path / "p.yaml").write_text(
        "name: x\ndataset: {ground_truth: gt.json}\ninference_sets: [{name: a, path: p.json}]\n"
        "segments:\n  - {name: s, type: scenario, frames: [000044, \"000045\", 12, 1e3]}\n",
        encoding="utf-8",
    )
    assert load_project(tmp_path / "p.yaml").segments[0].frames == ("000044", "000045", "12", "1e3")
