"""``reportgen evaluate`` end to end, in process through ``typer.testing.CliRunner``: printed summary against
pycocotools, the ``--json`` document (docs/json-schema.md) against the text, off-grid presets, VOC mode, and
one ``Error: ...`` line with exit code 2 for every kind of bad input, with nothing written."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from tests.builders import to_coco
from tests.cli import Run, assert_error, evaluate
from tests.gen import random_detection

IOU_GRID = [0.1, 0.2, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]
CONF_GRID = [k / 100 for k in range(0, 100, 5)]
COCO_KEYS = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"]


def strict_json(path: Path) -> Any:
    """Parse JSON, failing on NaN / Infinity (undefined numbers must be null)."""

    def bad(token: str) -> Any:
        raise AssertionError(f"{path.name} holds {token}")

    return json.loads(path.read_text(), parse_constant=bad)


# ----------------------------------------------------------------------------------------------- data
@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Random COCO data with crowd regions, ties, empty images, classes on one side only, > 100 detections on
    one image, and scores exactly 0.33 (the off-grid preset below)."""
    folder = tmp_path_factory.mktemp("evaluate")
    dataset = random_detection(3, crowd_rate=0.3, many_dets=105)
    for k, det in enumerate(dataset.detections):
        if k % 9 == 4:
            det["score"] = 0.33
    gt = dataset.gt()
    gt_dict, results = to_coco(gt, dataset.preds(gt))
    (folder / "gt.json").write_text(json.dumps(gt_dict))
    (folder / "preds.json").write_text(json.dumps(results))
    return {"gt": folder / "gt.json", "preds": folder / "preds.json", "folder": folder}


@pytest.fixture(scope="module")
def default_run(data: dict[str, Path]) -> tuple[Run, dict[str, Any]]:
    out = data["folder"] / "default.json"
    run = evaluate("--gt", data["gt"], "--pred", f"model={data['preds']}", "--json", out)
    assert run.code == 0, run.stderr
    return run, strict_json(out)


def pycocotools_lines(gt_path: Path, results_path: Path) -> tuple[list[str], list[float]]:
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(str(gt_path))
        ev = COCOeval(coco, coco.loadRes(str(results_path)), "bbox")
        ev.evaluate()
        ev.accumulate()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        ev.summarize()
    return printed.getvalue().splitlines(), [float(v) for v in ev.stats]


# ------------------------------------------------------------------------------------- COCO summary
def test_summary_equals_pycocotools_on_generated_data(data: dict[str, Path], default_run: tuple[Run, Any]) -> None:
    run, doc = default_run
    lines, stats = pycocotools_lines(data["gt"], data["preds"])
    assert run.stdout.splitlines()[0] == "== model =="  # the header, with one --pred too
    assert run.stdout.splitlines()[1:13] == lines
    ours = [math.nan if v is None else v for v in doc["inference_sets"][0]["coco"]["stats"].values()]
    np.testing.assert_allclose(ours, [math.nan if v == -1 else v for v in stats], rtol=0, atol=1e-9, equal_nan=True)


def test_summary_equals_pycocotools_on_the_coco_api_demo(reference: Path) -> None:
    folder = reference / "cocoapi_fake100"
    gt, results = folder / "instances_val2014_100.json", folder / "instances_val2014_fakebbox100_results.json"
    run = evaluate("--gt", gt, "--pred", results)
    assert run.code == 0, run.stderr
    lines, _ = pycocotools_lines(gt, results)
    assert run.stdout.splitlines()[0] == "== instances_val2014_fakebbox100_results =="
    assert run.stdout.splitlines()[1:13] == lines
    assert run.stdout.splitlines()[13] == ""


# ------------------------------------------------------------------------------------------- --json
def test_json_document_shape(data: dict[str, Path], default_run: tuple[Run, Any]) -> None:
    run, doc = default_run
    assert run.stderr.strip().splitlines()[-1] == f"wrote {data['folder'] / 'default.json'}"
    assert doc["schema_version"] == 1
    assert doc["generator"]["name"] == "reportgen" and isinstance(doc["generator"]["version"], str)
    assert doc["task"] == "detection"
    truth = doc["ground_truth"]
    gt_dict = json.loads(data["gt"].read_text())
    assert truth["path"] == str(data["gt"])
    assert truth["sha256"] == hashlib.sha256(data["gt"].read_bytes()).hexdigest()
    assert truth["frames"] == len(gt_dict["images"]) and truth["objects"] == len(gt_dict["annotations"])
    assert truth["crowd"] == sum(a["iscrowd"] for a in gt_dict["annotations"]) > 0
    assert doc["classes"] == [c["name"] for c in gt_dict["categories"]]
    assert doc["category_ids"] == [c["id"] for c in gt_dict["categories"]]
    grids = doc["grids"]
    # exact decimals: 0.15, not 0.15000000000000002
    assert grids["iou"] == IOU_GRID and grids["confidence"] == CONF_GRID
    assert grids["curve_confidence"] == [k / 100 for k in range(101)]
    assert doc["operating_point"] == {"iou": 0.5, "confidence": 0.1}

    (entry,) = doc["inference_sets"]
    n_classes = len(doc["classes"])
    assert entry["name"] == "model" and entry["path"] == str(data["preds"])
    assert entry["sha256"] == hashlib.sha256(data["preds"].read_bytes()).hexdigest()
    assert entry["num_predictions"] == len(json.loads(data["preds"].read_text()))
    assert entry["dropped_unknown_frames"] == 0
    # every preset: U x T entries, IoU-major
    presets = entry["presets"]
    assert [(p["iou"], p["confidence"]) for p in presets] == [(u, t) for u in IOU_GRID for t in CONF_GRID]
    for p in presets:
        assert set(p) == {"iou", "confidence", "per_class", "totals", "micro", "macro", "weighted", "confusion_matrix"}
        per_class = p["per_class"]
        assert per_class["class"] == doc["classes"]
        assert all(len(v) == n_classes for v in per_class.values())
        matrix = np.array(p["confusion_matrix"])
        assert matrix.shape == (n_classes + 1, n_classes + 1) and matrix[-1, -1] == 0
        tp = np.diag(matrix)[:-1]
        assert per_class["tp"] == tp.tolist()
        assert per_class["fp"] == matrix[-1, :-1].tolist() and per_class["fn"] == matrix[:-1, -1].tolist()
        assert per_class["support"] == matrix[:-1].sum(axis=1).tolist()
        assert per_class["predicted"] == matrix[:, :-1].sum(axis=0).tolist()
        confusions = int(matrix[:-1, :-1].sum() - tp.sum())
        assert p["totals"] == {
            "tp": int(tp.sum()), "fp": int(matrix[-1].sum()), "fn": int(matrix[:, -1].sum()), "confusions": confusions,
        }  # fmt: skip
        for avg in ("micro", "macro", "weighted"):
            assert set(p[avg]) == {"precision", "recall", "f1"}
    # undefined numbers are null: the class only in the predictions has no recall, the unused class nothing
    at = presets[IOU_GRID.index(0.5) * len(CONF_GRID) + CONF_GRID.index(0.1)]["per_class"]
    assert None in at["recall"] and None in at["precision"]
    for k in range(n_classes):
        assert (at["recall"][k] is None) == (at["support"][k] == 0)
        assert (at["precision"][k] is None) == (at["predicted"][k] == 0)

    # curves: every IoU x (each class, then all classes as class null), sampled at 101 confidences
    curves = entry["curves"]
    assert [(c["iou"], c["class"]) for c in curves] == [(u, k) for u in IOU_GRID for k in [*doc["classes"], None]]
    for c in curves:
        assert set(c) == {"iou", "class", "support", "precision", "recall", "tp", "predicted", "ap101", "best_f1"}
        assert all(len(c[key]) == 101 for key in ("precision", "recall", "tp", "predicted"))
        assert set(c["best_f1"]) == {"confidence", "f1"}
        # tp / predicted never grow with the confidence
        assert all(a >= b for a, b in zip(c["predicted"], c["predicted"][1:], strict=False))
        assert (c["ap101"] is None) == (c["support"] == 0)
    pooled = [c for c in curves if c["class"] is None]
    assert all(c["support"] == truth["objects"] - truth["crowd"] for c in pooled)

    coco = entry["coco"]
    assert list(coco["stats"]) == COCO_KEYS and len(coco["lines"]) == 12
    assert sorted(coco["ap_per_class"]) == sorted(doc["classes"])  # keyed by name, in category-id order
    assert entry["voc"] is None


def test_json_numbers_equal_the_text_report(default_run: tuple[Run, Any]) -> None:
    run, doc = default_run
    entry = doc["inference_sets"][0]
    lines = run.stdout.splitlines()[1:]
    assert lines[:12] == entry["coco"]["lines"]
    for line, (key, value) in zip(lines, entry["coco"]["stats"].items(), strict=False):
        assert line.endswith(f"= {-1.0 if value is None else value:0.3f}"), key

    def shown(value: float | None) -> str:
        return "-" if value is None else f"{value:.4f}"

    preset = next(p for p in entry["presets"] if (p["iou"], p["confidence"]) == (0.5, 0.1))
    start = lines.index("Classification report: model at IoU 0.5, confidence 0.1")
    rows = {line.split()[0]: line.split()[1:] for line in lines[start + 2 : start + 2 + len(doc["classes"])]}
    pc = preset["per_class"]
    for k, name in enumerate(doc["classes"]):
        expected = [shown(pc["precision"][k]), shown(pc["recall"][k]), shown(pc["f1"][k])]
        expected += [str(pc[key][k]) for key in ("support", "tp", "fp", "fn", "confused_as")]
        assert rows[name] == expected, name
    averages = {" ".join(line.split()[:2]): line.split()[2:] for line in lines if line.split()[1:2] == ["avg"]}
    support = sum(pc["support"])
    for label in ("micro", "macro", "weighted"):
        values = preset[label]
        assert averages[f"{label} avg"] == [shown(values["precision"]), shown(values["recall"]), shown(values["f1"]),
                                            str(support)]  # fmt: skip
    t = preset["totals"]
    assert f"TP {t['tp']} · FP {t['fp']} · FN {t['fn']} · confusions {t['confusions']}" in run.stdout
    # PR curve lines: AP (101-point) and F1-optimal confidence per class at IoU 0.5
    start = lines.index("PR curves at IoU 0.5: AP (101-point) · F1-optimal confidence (F1)")
    curve_rows = lines[start + 1 : start + 2 + len(doc["classes"])]
    curves = [c for c in entry["curves"] if c["iou"] == 0.5]
    for line, curve in zip(curve_rows, curves, strict=True):
        name = "all classes" if curve["class"] is None else curve["class"]
        assert line.strip().startswith(name)
        fields = line.strip()[len(name) :].split()
        assert fields[0] == shown(curve["ap101"])
        best = curve["best_f1"]
        if best["confidence"] is None:
            assert fields[1:] == ["-"]
        else:
            assert fields[1:] == [f"{best['confidence']:g}", f"({best['f1']:.4f})"]


def test_curve_samples_equal_the_presets(default_run: tuple[Run, Any]) -> None:
    """docs/json-schema.md: a curve sampled at a confidence of the preset grid holds that preset's numbers
    (per class, and micro for the pooled curve)."""
    _, doc = default_run
    entry = doc["inference_sets"][0]
    presets = {(p["iou"], p["confidence"]): p for p in entry["presets"]}
    curve_grid = doc["grids"]["curve_confidence"]
    checked = 0
    for curve in entry["curves"]:
        for conf in CONF_GRID:
            k = curve_grid.index(conf)
            preset = presets[curve["iou"], conf]
            if curve["class"] is None:
                t = preset["totals"]
                assert curve["tp"][k] == t["tp"] and curve["predicted"][k] == t["tp"] + t["fp"] + t["confusions"]
                assert curve["precision"][k] == preset["micro"]["precision"]
                assert curve["recall"][k] == preset["micro"]["recall"]
            else:
                c = doc["classes"].index(curve["class"])
                pc = preset["per_class"]
                assert (curve["tp"][k], curve["predicted"][k]) == (pc["tp"][c], pc["predicted"][c])
                assert (curve["precision"][k], curve["recall"][k]) == (pc["precision"][c], pc["recall"][c])
                assert curve["support"] == pc["support"][c]
            checked += 1
    assert checked == len(IOU_GRID) * len(CONF_GRID) * (len(doc["classes"]) + 1)


def test_off_grid_confidence_is_exact(data: dict[str, Path], tmp_path: Path) -> None:
    """``--confidence 0.33 --iou 0.42``: both join the grids; the preset counts every prediction with score >= 0.33
    (some are exactly 0.33) and equals, at confidence 0, an evaluation of only those predictions (greedy matching
    in descending score: dropping lower scores never changes how the higher ones matched)."""
    results = json.loads(data["preds"].read_text())
    assert any(r["score"] == 0.33 for r in results)
    out = tmp_path / "off.json"
    run = evaluate("--gt", data["gt"], "--pred", f"model={data['preds']}", "--confidence", "0.33", "--iou", "0.42",
                   "--json", out)  # fmt: skip
    assert run.code == 0, run.stderr
    assert "Classification report: model at IoU 0.42, confidence 0.33" in run.stdout
    assert "PR curves at IoU 0.42" in run.stdout
    doc = strict_json(out)
    assert doc["operating_point"] == {"iou": 0.42, "confidence": 0.33}
    assert doc["grids"]["confidence"] == sorted([*CONF_GRID, 0.33])
    assert doc["grids"]["iou"] == sorted([*IOU_GRID, 0.42])
    presets = {(p["iou"], p["confidence"]): p for p in doc["inference_sets"][0]["presets"]}

    kept = tmp_path / "kept.json"
    kept.write_text(json.dumps([r for r in results if r["score"] >= 0.33]))
    out_kept = tmp_path / "kept-out.json"
    run = evaluate("--gt", data["gt"], "--pred", f"model={kept}", "--iou", "0.42", "--confidence", "0",
                   "--json", out_kept)  # fmt: skip
    assert run.code == 0, run.stderr
    kept_presets = {(p["iou"], p["confidence"]): p for p in strict_json(out_kept)["inference_sets"][0]["presets"]}
    for iou in (0.42, 0.5):
        assert presets[iou, 0.33]["confusion_matrix"] == kept_presets[iou, 0.0]["confusion_matrix"]
        assert presets[iou, 0.33]["micro"] == kept_presets[iou, 0.0]["micro"]
    # and 0.33 differs from its grid neighbours here (so the test can tell them apart)
    assert presets[0.5, 0.33]["confusion_matrix"] != presets[0.5, 0.35]["confusion_matrix"]
    assert presets[0.5, 0.33]["confusion_matrix"] != presets[0.5, 0.3]["confusion_matrix"]


@pytest.mark.parametrize(("pixel_inclusive", "expected"), [(True, 0.2456866805), (False, 0.2253968254)])
def test_voc_mode(reference: Path, tmp_path: Path, pixel_inclusive: bool, expected: float) -> None:
    """``--voc [--pixel-inclusive]`` on the Padilla 7-image COCO files: the published AP with +1, SOURCE.md's
    continuous-IoU value without."""
    folder = reference / "padilla_odm_7img"
    out = tmp_path / "voc.json"
    flags = ["--pixel-inclusive"] if pixel_inclusive else []
    run = evaluate("--gt", folder / "coco_gt.json", "--pred", folder / "coco_dets.json", "--voc", *flags,
                   "--iou", "0.3", "--json", out)  # fmt: skip
    assert run.code == 0, run.stderr
    convention = "pixel-inclusive (+1)" if pixel_inclusive else "continuous"
    assert f"Pascal VOC AP ({convention} IoU): all-point / 11-point" in run.stdout
    assert f"  person  {expected:.4f}  0.2684" in run.stdout.splitlines()  # 4 decimals, as every other score
    voc = strict_json(out)["inference_sets"][0]["voc"]
    assert voc["pixel_inclusive"] is pixel_inclusive
    assert [e["iou"] for e in voc["by_iou"]] == IOU_GRID  # every IoU of the grid (0.3 is on it)
    at = voc["by_iou"][IOU_GRID.index(0.3)]
    assert at["ap_all_point"] == {"person": pytest.approx(expected, abs=1e-9)}
    assert at["map_11_point"] == pytest.approx(0.2683982684, abs=1e-9)


def test_without_voc_there_are_no_voc_numbers(reference: Path) -> None:
    folder = reference / "padilla_odm_7img"
    run = evaluate("--gt", folder / "coco_gt.json", "--pred", folder / "coco_dets.json", "--pixel-inclusive")
    assert run.code == 0 and "Pascal VOC" not in run.stdout


def test_undefined_coco_numbers(tmp_path: Path) -> None:
    """No objects at all: pycocotools prints -1.000 for each of the 12 numbers; JSON says null."""
    gt, pred = write_inputs(tmp_path, json.dumps(GT | {"annotations": []}), "p.json", json.dumps([DET]))
    out = tmp_path / "metrics.json"
    run = evaluate("--gt", gt, "--pred", pred, "--json", out)
    assert run.code == 0, run.stderr
    assert all(line.endswith("] = -1.000") for line in run.stdout.splitlines()[1:13])
    entry = strict_json(out)["inference_sets"][0]
    assert set(entry["coco"]["stats"].values()) == {None}
    assert entry["coco"]["ap_per_class"] == {"cat": None, "dog": None}
    preset = next(p for p in entry["presets"] if (p["iou"], p["confidence"]) == (0.5, 0.1))
    assert preset["micro"] == {"precision": 0.0, "recall": None, "f1": None}
    assert preset["weighted"] == {"precision": None, "recall": None, "f1": None}
    assert all(c["ap101"] is None and c["support"] == 0 for c in entry["curves"])


def test_several_inference_sets(data: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "two.json"
    run = evaluate("--gt", data["gt"], "--pred", f"a={data['preds']}", "--pred", f"b={data['preds']}", "--json", out)
    assert run.code == 0, run.stderr
    assert "== a ==" in run.stdout and "== b ==" in run.stdout
    doc = strict_json(out)
    assert [e["name"] for e in doc["inference_sets"]] == ["a", "b"]
    assert doc["inference_sets"][0]["presets"] == doc["inference_sets"][1]["presets"]


# ----------------------------------------------------------------------------------- option errors
def test_two_inference_sets_with_one_name(data: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    run = evaluate("--gt", data["gt"], "--pred", data["preds"], "--pred", data["preds"], "--json", out)
    assert_error(run, "--pred: two inference sets are named 'preds'", "NAME=PATH")
    run = evaluate("--gt", data["gt"], "--pred", f"x={data['preds']}", "--pred", f"x={data['preds']}")
    assert_error(run, "two inference sets are named 'x'")
    assert not out.exists()


BAD_OPTIONS = [
    (["--iou-grid", "0.5:0.1:0.1"], "--iou-grid: range '0.5:0.1:0.1' ends before it starts"),
    (["--iou-grid", "0.5,1.5"], "--iou-grid: values must lie in [0, 1], found 1.5"),
    (["--iou-grid", "0.1:0.9:0"], "--iou-grid: step must be positive"),
    (["--iou-grid", "0.1:0.9"], "--iou-grid: expected 'value' or 'start:stop:step', found '0.1:0.9'"),
    (["--iou-grid", "0.5,,0.7"], "--iou-grid: empty entry"),
    (["--confidence-grid", "a"], "--confidence-grid: expected a number, found 'a'"),
    (["--confidence-grid", "nan"], "--confidence-grid: expected a finite number"),
    (["--confidence", "1.2"], "--confidence: expected a value in [0, 1], found 1.2"),
    (["--iou", "-0.1"], "--iou: expected a value in [0, 1], found -0.1"),
    (["--iou", "half"], "--iou: expected a number, found 'half'"),
    (["--format", "xml"], "--format: expected one of auto, coco"),
    (["--pred-format", "xml"], "--pred-format: expected one of auto, coco"),
    (["--box-format", "ltrb"], "--box-format: expected one of xywh, xyxy, cxcywh, found 'ltrb'"),
    (["--task", "segmentation"], "--task: expected one of auto, detection, classification, found 'segmentation'"),
]


@pytest.mark.parametrize(("options", "message"), BAD_OPTIONS, ids=[" ".join(o) for o, _ in BAD_OPTIONS])
def test_bad_option(data: dict[str, Path], tmp_path: Path, options: list[str], message: str) -> None:
    out = tmp_path / "out.json"
    run = evaluate("--gt", data["gt"], "--pred", data["preds"], *options, "--json", out)
    assert_error(run, message)
    assert list(tmp_path.iterdir()) == []


def test_json_into_a_missing_folder(data: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "missing" / "out.json"
    run = evaluate("--gt", data["gt"], "--pred", data["preds"], "--json", out)
    assert_error(run, str(out), "does not exist")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------- bad inputs
GT = {
    "images": [{"id": 1, "width": 100, "height": 100}, {"id": 2, "width": 100, "height": 100}],
    "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}],
    "annotations": [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20], "area": 400, "iscrowd": 0},
        {"id": 2, "image_id": 2, "category_id": 2, "bbox": [50, 50, 20, 20], "area": 400, "iscrowd": 0},
    ],
}
DET = {"image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20], "score": 0.9}
CSV_HEAD = "frame_id,class,x,y,w,h,score\n"

# (id, ground-truth text or None for the good one, predictions file name, predictions text, message fragments)
BAD_INPUTS: list[tuple[str, str | None, str, str, list[str]]] = [
    ("gt-malformed-json", '{"images": [\n  {"id": 1,}\n]}', "p.json", json.dumps([DET]),
     ["gt.json: line 2: expected valid JSON"]),
    ("gt-missing-bbox", json.dumps(GT | {"annotations": [{"id": 1, "image_id": 1, "category_id": 1}]}), "p.json",
     json.dumps([DET]), ["gt.json: annotations[0]: field 'bbox'", "found no such key"]),
    ("gt-unknown-image", json.dumps(GT | {"annotations": [GT["annotations"][0] | {"image_id": 7}]}), "p.json",
     json.dumps([DET]), ["gt.json: annotations[0]: field 'image_id'", "found 7"]),
    ("gt-unknown-category", json.dumps(GT | {"annotations": [GT["annotations"][0] | {"category_id": 9}]}), "p.json",
     json.dumps([DET]), ["gt.json: annotations[0]: field 'category_id'", "found 9"]),
    ("gt-empty-file", "", "p.json", json.dumps([DET]), ["gt.json: ", "empty"]),
    ("pred-malformed-json", None, "p.json", '[{"image_id": 1,\n "score": }]',
     ["p.json: line 2: expected valid JSON"]),
    ("pred-missing-score", None, "p.json", json.dumps([DET, {k: v for k, v in DET.items() if k != "score"}]),
     ["p.json: [1]: field 'score'", "found no such key"]),
    ("pred-missing-bbox", None, "p.json", json.dumps([{k: v for k, v in DET.items() if k != "bbox"}]),
     ["p.json: [0]: field 'bbox'"]),
    ("pred-short-bbox", None, "p.json", json.dumps([DET | {"bbox": [1, 2, 3]}]),
     ["p.json: [0]: field 'bbox'", "found a list of 3 values"]),
    ("pred-negative-width", None, "p.json", json.dumps([DET | {"bbox": [1, 2, -3, 4]}]),
     ["p.json: [0]: field 'bbox[2]'", "-3"]),
    ("pred-unknown-category", None, "p.json", json.dumps([DET | {"category_id": 77}]),
     ["p.json: [0]: field 'category_id'", "found 77"]),
    ("pred-unknown-frame", None, "p.json", json.dumps([DET, DET | {"image_id": 99}]),
     ["p.json: [1]: field 'image_id'", "found 99", "--ignore-unknown-frames"]),
    ("pred-score-above-1", None, "p.json", json.dumps([DET | {"score": 1.7}]),
     ["p.json: [0]: field 'score': expected a confidence in [0, 1], found 1.7"]),
    ("pred-score-string", None, "p.json", json.dumps([DET | {"score": "high"}]),
     ["p.json: [0]: field 'score'", "'high'"]),
    ("pred-empty-file", None, "p.json", "", ["p.json: ", "empty"]),
    ("csv-nan-score", None, "p.csv", CSV_HEAD + "1,cat,10,10,20,20,0.5\n1,cat,10,10,20,20,nan\n",
     ["p.csv: line 3: field 'score': expected a confidence in [0, 1], found nan"]),
    ("csv-unknown-class", None, "p.csv", CSV_HEAD + "1,cat,10,10,20,20,0.5\n2,unicorn,1,2,3,4,0.5\n",
     ["p.csv: line 3: field 'class'", "found 'unicorn'"]),
    ("csv-unknown-frame", None, "p.csv", CSV_HEAD + "1,cat,10,10,20,20,0.5\n3,cat,1,2,3,4,0.5\n",
     ["p.csv: line 3: field 'frame_id'", "found '3'", "--ignore-unknown-frames"]),
    ("csv-missing-score-column", None, "p.csv", "frame_id,class,x,y,w,h\n1,cat,10,10,20,20\n",
     ["p.csv: field 'score'", "expected a column"]),
    ("csv-extra-field", None, "p.csv", CSV_HEAD + "1,cat,10,10,20,20,0.5\n2,dog,1,2,3,4,0.5,9\n",
     ["p.csv: line 3: expected 7 fields, found 8"]),
    ("csv-bad-number", None, "p.csv", CSV_HEAD + "1,cat,ten,10,20,20,0.5\n", ["p.csv: line 2: field 'x'", "'ten'"]),
]  # fmt: skip


def write_inputs(folder: Path, gt_text: str | None, pred_name: str, pred_text: str) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    gt = folder / "gt.json"
    gt.write_text(json.dumps(GT) if gt_text is None else gt_text)
    pred = folder / pred_name
    pred.write_text(pred_text)
    return gt, pred


@pytest.mark.parametrize(("gt_text", "pred_name", "pred_text", "fragments"), [b[1:] for b in BAD_INPUTS],
                         ids=[b[0] for b in BAD_INPUTS])  # fmt: skip
def test_bad_input(tmp_path: Path, gt_text: str | None, pred_name: str, pred_text: str, fragments: list[str]) -> None:
    gt, pred = write_inputs(tmp_path, gt_text, pred_name, pred_text)
    before = sorted(p.name for p in tmp_path.iterdir())
    out = tmp_path / "metrics.json"
    line = assert_error(evaluate("--gt", gt, "--pred", pred, "--json", out), *fragments)
    assert line.startswith(f"Error: {gt if 'gt.json' in fragments[0] else pred}")
    # nothing written: no --json file, no temporary file beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_csv_rows_with_one_field_too_many_are_not_read_shifted(tmp_path: Path) -> None:
    """When every data row has one field more than the header, pandas silently takes the first column as the
    index: ``frame_id`` then reads the class, ``class`` the x, and so on. The loader should report the field
    count as it does when only some rows have it; instead it reports a wrong frame 'cat' (and with
    ``--ignore-unknown-frames`` drops every prediction with exit code 0)."""
    gt, pred = write_inputs(tmp_path, None, "p.csv", CSV_HEAD + "1,cat,10,10,20,20,0.5,0.7\n")
    assert_error(evaluate("--gt", gt, "--pred", pred), "p.csv: line 2: expected 7 fields, found 8")
    assert evaluate("--gt", gt, "--pred", pred, "--ignore-unknown-frames").code == 2


def test_good_inputs_of_the_bad_input_cases_work(tmp_path: Path) -> None:
    """The base data of the cases above is valid: each case fails because of its one defect."""
    gt, pred = write_inputs(tmp_path / "json", None, "p.json", json.dumps([DET]))
    assert evaluate("--gt", gt, "--pred", pred).code == 0
    gt, pred = write_inputs(tmp_path / "csv", None, "p.csv", CSV_HEAD + "1,cat,10,10,20,20,0.5\n")
    assert evaluate("--gt", gt, "--pred", pred).code == 0


def test_nan_score_in_json_names_the_record_and_field(tmp_path: Path) -> None:
    """Python's ``json.dump`` writes a NaN score as ``NaN`` (not valid JSON, but what a model's exporter
    produces): the message should locate the record and field, as for any other bad score."""
    gt, pred = write_inputs(tmp_path, None, "p.json", json.dumps([DET, DET | {"score": math.nan}]))
    assert "NaN" in pred.read_text()
    assert_error(evaluate("--gt", gt, "--pred", pred), "p.json", "[1]", "score")


def test_a_failed_run_leaves_an_existing_json_file_alone(tmp_path: Path) -> None:
    gt, pred = write_inputs(tmp_path, None, "p.json", json.dumps([DET | {"score": 2}]))
    out = tmp_path / "metrics.json"
    out.write_text("previous run")
    assert_error(evaluate("--gt", gt, "--pred", pred, "--json", out), "found 2")
    assert out.read_text() == "previous run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gt.json", "metrics.json", "p.json"]


def test_missing_files(tmp_path: Path) -> None:
    gt, pred = write_inputs(tmp_path, None, "p.json", json.dumps([DET]))
    assert_error(evaluate("--gt", tmp_path / "nope.json", "--pred", pred), "nope.json", "found nothing")
    assert_error(evaluate("--gt", gt, "--pred", tmp_path / "nope.json"), "nope.json", "found nothing")


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_unknown_frames_can_be_ignored(tmp_path: Path, fmt: str) -> None:
    if fmt == "json":
        text = json.dumps([DET, DET | {"image_id": 99}, DET | {"image_id": 98}])
    else:
        text = CSV_HEAD + "1,cat,10,10,20,20,0.9\n99,cat,1,2,3,4,0.5\n98,dog,1,2,3,4,0.5\n"
    gt, pred = write_inputs(tmp_path, None, f"p.{fmt}", text)
    out = tmp_path / "metrics.json"
    run = evaluate("--gt", gt, "--pred", pred, "--json", out, "--ignore-unknown-frames")
    assert run.code == 0, run.stderr
    assert f"{pred}: ignored 2 predictions on frames the ground truth does not have" in run.stderr
    entry = strict_json(out)["inference_sets"][0]
    assert (entry["num_predictions"], entry["dropped_unknown_frames"]) == (1, 2)
    preset = next(p for p in entry["presets"] if (p["iou"], p["confidence"]) == (0.5, 0.1))
    assert preset["totals"] == {"tp": 1, "fp": 0, "fn": 1, "confusions": 0}


def test_json_path_that_is_a_folder(data: dict[str, Path], tmp_path: Path) -> None:
    """``--json DIR`` (an existing folder) is bad input, not a crash: today os.replace raises
    IsADirectoryError, with a traceback and exit code 1."""
    run = evaluate("--gt", data["gt"], "--pred", data["preds"], "--json", tmp_path)
    assert_error(run, str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_json_output_has_the_usual_file_mode(data: dict[str, Path], tmp_path: Path) -> None:
    """An output file gets the permissions any new file gets (0666 minus the umask), like ``open(path, 'w')``:
    a CI artifact or a report served from a shared folder must stay readable by others."""
    out = tmp_path / "metrics.json"
    assert evaluate("--gt", data["gt"], "--pred", data["preds"], "--json", out).code == 0
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    assert oct(os.stat(out).st_mode & 0o777) == oct(os.stat(plain).st_mode & 0o777)
