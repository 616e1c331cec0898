"""Every public reference case (``tests/reference``) end to end: its files read as they are, through the
public loaders and the engine (and through the CLI for some), against the numbers its project published.

Tolerances are the README table's: 1e-9 on the Padilla 7-image AP and the COCO stats against the
full-precision list, 1e-6 on the review toy, exact TP/FP and matrices.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reportgen.engine.aggregate import count_presets
from reportgen.engine.cocoeval import evaluate_coco
from reportgen.engine.evaluation import evaluate_voc
from reportgen.engine.match import match_report, match_voc
from reportgen.engine.metrics import voc_ap
from reportgen.io import LoadOptions, load_ground_truth, load_predictions
from reportgen.io.containers import GroundTruth, Predictions
from tests.cli import Run, reportgen

PLAIN = LoadOptions()


def cli(*args: str | Path) -> Run:
    return reportgen(*args)


# ================================================================================== padilla_odm_7img
# SOURCE.md, published verbatim (results/results.txt and the README's illustrated example, IoU 0.3).
ODM_AP_ALL_POINT = 0.2456866805
ODM_AP_11_POINT = 0.2683982684
ODM_PRECISION = (
    "1.00 0.50 0.67 0.50 0.40 0.33 0.29 0.25 0.22 0.30 0.27 0.33 "
    "0.38 0.43 0.40 0.38 0.35 0.33 0.32 0.30 0.29 0.27 0.30 0.29"
)
ODM_RECALL = (
    "0.07 0.07 0.13 0.13 0.13 0.13 0.13 0.13 0.13 0.20 0.20 0.27 "
    "0.33 0.40 0.40 0.40 0.40 0.40 0.40 0.40 0.40 0.40 0.47 0.47"
)
# The README's TP table: R(.95,img5), J(.91,img3), B(.70,img1), P(.62,img5), E(.54,img2), X(.48,img7), G(.18,img3);
# the other 17 detections are false positives. (frame, score) names one detection uniquely in this data.
ODM_TRUE_POSITIVES = {("00005", 0.95), ("00003", 0.91), ("00001", 0.70), ("00005", 0.62), ("00002", 0.54)}
ODM_TRUE_POSITIVES |= {("00007", 0.48), ("00003", 0.18)}


def odm_sizes(tmp_path: Path) -> Path:
    """The 200x200 image sizes of the _rel folders (SOURCE.md), as an --image-sizes table."""
    path = tmp_path / "sizes.csv"
    path.write_text("frame_id,width,height\n" + "".join(f"0000{i},200,200\n" for i in range(1, 8)))
    return path


def odm_inputs(folder: Path, layout: str, tmp_path: Path) -> tuple[GroundTruth, Predictions]:
    if layout == "txt":
        gt = load_ground_truth(folder / "groundtruths", PLAIN)
        return gt, load_predictions(folder / "detections", gt, PLAIN, name="detections")
    if layout == "coco":
        gt = load_ground_truth(folder / "coco_gt.json", PLAIN)
        return gt, load_predictions(folder / "coco_dets.json", gt, PLAIN, name="detections")
    options = LoadOptions(box_format="cxcywh", normalized=True, image_sizes=odm_sizes(tmp_path))
    gt = load_ground_truth(folder / "groundtruths_rel", options)
    return gt, load_predictions(folder / "detections_rel", gt, options, name="detections")


def frame_name(gt: GroundTruth, frame: int) -> str:
    """The image's file stem (``00003``): txt folders name frames by it, the COCO files by integer id."""
    path = gt.image_paths[frame] if gt.image_paths and gt.image_paths[frame] else gt.frame_ids[frame]
    return Path(path).stem.zfill(5)


@pytest.mark.parametrize("layout", ["txt", "coco", "rel"])
def test_padilla_odm_7img_published_voc_numbers(layout: str, reference: Path, tmp_path: Path) -> None:
    folder = reference / "padilla_odm_7img"
    gt, preds = odm_inputs(folder, layout, tmp_path)
    assert (gt.num_frames, gt.num_objects, preds.num_predictions, gt.classes) == (7, 15, 24, ("person",))

    tp, ignored, order = match_voc(gt, preds, 0.3, pixel_inclusive=True)
    assert not ignored.any()
    ap_all, ap_11, precision, recall = voc_ap(tp[order], gt.num_objects)
    assert ap_all == pytest.approx(ODM_AP_ALL_POINT, abs=1e-9)
    assert ap_11 == pytest.approx(ODM_AP_11_POINT, abs=1e-9)
    # the published lists, in Padilla's order (stable sort: the two 0.95 detections keep file order)
    assert [f"{p:.2f}" for p in precision] == ODM_PRECISION.split()
    assert [f"{r:.2f}" for r in recall] == ODM_RECALL.split()
    # the TP / FP of every detection
    hits = {(frame_name(gt, int(preds.frame[i])), round(float(preds.score[i]), 2)) for i in np.flatnonzero(tp)}
    assert hits == ODM_TRUE_POSITIVES
    assert (int(tp.sum()), int((~tp).sum())) == (7, 17)
    assert (precision[-1], recall[-1]) == pytest.approx((7 / 24, 7 / 15))

    # the engine's VOC numbers at every IoU of a grid, the published one among them
    voc = evaluate_voc(gt, preds, np.array([0.1, 0.3, 0.5]), pixel_inclusive=True)
    assert voc.ap_all_point[1, 0] == pytest.approx(ODM_AP_ALL_POINT, abs=1e-9)
    assert voc.ap_11_point[1, 0] == pytest.approx(ODM_AP_11_POINT, abs=1e-9)
    assert voc.mean_all_point[1] == voc.ap_all_point[1, 0]


def test_padilla_odm_7img_continuous_iou_is_not_the_published_value(reference: Path, tmp_path: Path) -> None:
    """Pitfall 1 (SOURCE.md): with pycocotools' continuous IoU, detection G (img 00003, 0.18) has IoU 0.2953 < 0.3
    and becomes a false positive: all-point AP 0.2253968254, 11-point unchanged."""
    gt, preds = odm_inputs(reference / "padilla_odm_7img", "txt", tmp_path)
    tp, _, order = match_voc(gt, preds, 0.3, pixel_inclusive=False)
    ap_all, ap_11, _, _ = voc_ap(tp[order], gt.num_objects)
    assert ap_all == pytest.approx(0.2253968254, abs=1e-9)
    assert ap_11 == pytest.approx(ODM_AP_11_POINT, abs=1e-9)
    hits = {(frame_name(gt, int(preds.frame[i])), round(float(preds.score[i]), 2)) for i in np.flatnonzero(tp)}
    assert hits == ODM_TRUE_POSITIVES - {("00003", 0.18)}


def test_padilla_odm_7img_pycocotools_oracle_values(reference: Path) -> None:
    """SOURCE.md's pycocotools values (continuous IoU, 101-point) on coco_*.json: AP at IoU 0.5 and 0.75, the
    two of them in the COCO summary; 6 decimals given."""
    folder = reference / "padilla_odm_7img"
    gt, preds = odm_inputs(folder, "coco", folder)
    coco = evaluate_coco(gt, preds)
    assert coco.stat("AP50") == pytest.approx(0.023102, abs=1e-6)
    assert coco.stat("AP75") == pytest.approx(0.0, abs=1e-12)


def test_padilla_odm_7img_through_the_cli(reference: Path, tmp_path: Path) -> None:
    """``reportgen evaluate --voc --pixel-inclusive --iou 0.3`` prints and writes the published AP."""
    folder = reference / "padilla_odm_7img"
    out = tmp_path / "voc.json"
    result = cli(
        "evaluate", "--gt", folder / "groundtruths", "--pred", folder / "detections",
        "--voc", "--pixel-inclusive", "--iou", "0.3", "--json", out, "-q",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert "Pascal VOC AP (pixel-inclusive (+1) IoU)" in result.stdout
    line = next(ln for ln in result.stdout.splitlines() if ln.strip().startswith("person  0.2"))
    assert line.split() == ["person", f"{ODM_AP_ALL_POINT:.4f}", f"{ODM_AP_11_POINT:.4f}"]  # JSON: full precision
    voc = json.loads(out.read_text())["inference_sets"][0]["voc"]
    assert voc["pixel_inclusive"] is True
    at = next(e for e in voc["by_iou"] if e["iou"] == 0.3)
    assert at["ap_all_point"]["person"] == pytest.approx(ODM_AP_ALL_POINT, abs=1e-9)
    assert at["ap_11_point"]["person"] == pytest.approx(ODM_AP_11_POINT, abs=1e-9)
    assert at["map_all_point"] == pytest.approx(ODM_AP_ALL_POINT, abs=1e-9)


# ================================================================================== padilla_review_toy
# SOURCE.md: 11-point / all-point AP at IoU 0.5 and 0.75. Reproduced there "with both IoU conventions": the
# paper's tool (review_object_detection_metrics) uses the pixel-inclusive one; none of the 12 detections sits
# close enough to a threshold for the +1 to matter.
TOY = {0.5: (0.886364, 0.895833), 0.75: (0.492424, 0.509722)}
TOY_LAYOUTS = {
    "dets_classname_abs_xywh": ("xywh", False),
    "dets_classid_abs_xywh": ("xywh", False),
    "dets_classname_abs_xyx2y2": ("xyxy", False),
    "dets_classid_abs_xyx2y2": ("xyxy", False),
    "dets_classname_rel_xcycwh": ("cxcywh", True),
    "dets_classid_rel_xcycwh": ("cxcywh", True),
}
# The _rel_xcycwh files hold 6-decimal fractions; converted exactly, the 0.81 detection on 2007_005688 has IoU
# 0.7506 (0.7480 in the absolute files), a TP at 0.75 where the published table has a FP. Padilla's tool rounds
# converted boxes to whole pixels (convert_to_absolute_values returns round(x1), round(y1), round(x2), round(y2)):
# reportgen's round_pixels option (--round-pixels) does the same, and the published numbers reproduce.


def toy_inputs(reference: Path, layout: str, *, round_pixels: bool = True) -> tuple[GroundTruth, Predictions]:
    folder = reference / "padilla_review_toy"
    if layout == "coco":
        gt = load_ground_truth(folder / "gts_coco_format" / "toy_example_coco.JSON", PLAIN)
        return gt, load_predictions(folder / "dets_coco_format" / "coco_dets.json", gt, PLAIN, name="coco")
    box_format, normalized = TOY_LAYOUTS[layout]
    options = LoadOptions(
        box_format=box_format,  # type: ignore[arg-type]
        normalized=normalized,
        class_names=folder / "voc.names",
        round_pixels=round_pixels,
    )
    gt = load_ground_truth(folder / "gts_vocpascal_format", options)
    return gt, load_predictions(folder / layout, gt, options, name=layout)


def toy_cases() -> list[Any]:
    cases = []
    for layout in [*TOY_LAYOUTS, "coco"]:
        for iou in TOY:
            cases.append(pytest.param(layout, iou, id=f"{layout}-{iou}"))
    return cases


@pytest.mark.parametrize("pixel_inclusive", [True, False], ids=["plus1", "continuous"])
@pytest.mark.parametrize(("layout", "iou"), toy_cases())
def test_padilla_review_toy_published_ap(reference: Path, layout: str, iou: float, pixel_inclusive: bool) -> None:
    gt, preds = toy_inputs(reference, layout)
    cat = gt.classes.index("cat")  # with voc.names, the 20 VOC classes; only cats occur
    assert (gt.num_objects, preds.num_predictions) == (12, 12)
    assert (gt.cls == cat).all() and (preds.cls == cat).all()
    voc = evaluate_voc(gt, preds, np.array([iou]), pixel_inclusive=pixel_inclusive)
    eleven, all_point = TOY[iou]
    assert voc.ap_11_point[0, cat] == pytest.approx(eleven, abs=1e-6)
    assert voc.ap_all_point[0, cat] == pytest.approx(all_point, abs=1e-6)
    assert voc.mean_all_point[0] == voc.ap_all_point[0, cat]  # the mean is over classes with objects
    tp, _, _ = match_voc(gt, preds, iou, pixel_inclusive=pixel_inclusive)
    assert int(tp.sum()) == {0.5: 11, 0.75: 8}[iou]  # SOURCE.md: TP 11 FP 1, TP 8 FP 4


@pytest.mark.parametrize("layout", ["dets_classname_rel_xcycwh", "dets_classid_rel_xcycwh"])
def test_padilla_review_toy_relative_layouts_without_rounding(reference: Path, layout: str) -> None:
    """Why round_pixels exists: the exact conversion of the 6-decimal fractions moves one detection over the
    0.75 threshold (IoU 0.7506), so without rounding the AP at 0.75 differs from the published one."""
    gt, preds = toy_inputs(reference, layout, round_pixels=False)
    voc = evaluate_voc(gt, preds, np.array([0.5, 0.75]), pixel_inclusive=True)
    np.testing.assert_allclose(voc.mean_11_point, [TOY[0.5][0], 0.568182], rtol=0, atol=1e-6)
    np.testing.assert_allclose(voc.mean_all_point, [TOY[0.5][1], 0.583333], rtol=0, atol=1e-6)


def test_padilla_review_toy_coco_summary_with_annotation_id_0(reference: Path) -> None:
    """Pitfall 2: the COCO ground truth has an annotation with id 0. reportgen matches by position, so its numbers
    are SOURCE.md's pycocotools oracle *after renumbering* (AP50 0.890264, not 0.759488 as shipped)."""
    gt, preds = toy_inputs(reference, "coco")
    assert 0 in gt.ann_id.tolist()
    oracle = [0.597923, 0.890264, 0.509241, -1, -1, 0.597923, 0.55, 0.658333, 0.658333, -1, -1, 0.658333]
    expected = np.where(np.array(oracle) == -1, np.nan, oracle)
    np.testing.assert_allclose(evaluate_coco(gt, preds).stats, expected, rtol=0, atol=1e-6, equal_nan=True)


# ================================================================================== cocoapi_fake100
FAKE100_FULL = [
    0.5045806987249628, 0.6969727247299577, 0.5729816669904824, 0.5856257209410443, 0.5193996948036719,
    0.5013978986347466, 0.38681277964578054, 0.5936795762842003, 0.595352982877607, 0.6398109626113442,
    0.5664205978994309, 0.5642905982905982,
]  # fmt: skip


def published_bbox_summary(folder: Path) -> list[float]:
    """The 12 numbers of the ``type=bbox`` block of val2014_fake_eval_res.txt, read as it is."""
    text = (folder / "val2014_fake_eval_res.txt").read_text()
    block = text.split("type=bbox", 1)[1].split("type=", 1)[0]  # segm, bbox, keypoints blocks
    values = [float(v) for v in re.findall(r"\] = (-?\d\.\d{3})", block)]
    assert len(values) == 12
    return values


def test_cocoapi_fake100_engine(reference: Path) -> None:
    folder = reference / "cocoapi_fake100"
    gt = load_ground_truth(folder / "instances_val2014_100.json", PLAIN)
    preds = load_predictions(folder / "instances_val2014_fakebbox100_results.json", gt, PLAIN, name="fake")
    stats = evaluate_coco(gt, preds).stats
    np.testing.assert_allclose(stats, FAKE100_FULL, rtol=0, atol=1e-9)
    assert [f"{v:.3f}" for v in stats] == [f"{v:.3f}" for v in published_bbox_summary(folder)]


def test_cocoapi_fake100_cli(reference: Path, tmp_path: Path) -> None:
    folder = reference / "cocoapi_fake100"
    out = tmp_path / "fake100.json"
    result = cli(
        "evaluate", "--gt", folder / "instances_val2014_100.json",
        "--pred", f"fake={folder / 'instances_val2014_fakebbox100_results.json'}", "--json", out, "-q",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "== fake =="
    lines = result.stdout.splitlines()[1:13]
    printed = [float(line.rsplit("= ", 1)[1]) for line in lines]
    assert printed == published_bbox_summary(folder)
    assert lines[0] == " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.505"
    doc = json.loads(out.read_text())
    (entry,) = doc["inference_sets"]
    assert entry["name"] == "fake" and entry["num_predictions"] == 734
    stats = entry["coco"]["stats"]
    assert list(stats) == ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"]
    np.testing.assert_allclose(list(stats.values()), FAKE100_FULL, rtol=0, atol=1e-9)
    assert entry["coco"]["lines"] == lines
    assert doc["ground_truth"]["objects"] == 839 and doc["ground_truth"]["crowd"] == 9


# ================================================================================== faster_coco_eval_small
# SOURCE.md: rows GT class [cloud, heart, arrow, star], columns predicted class, then FP, then FN; IoU 0.5,
# class-agnostic matching, every detection. Comparable with the report matching in full: each detection has at
# most one candidate object at IoU >= 0.5 and no crowd region exists (tests/test_oracle_confusion.py), so the
# confusions, the FP and the FN are the same under both rules.
FCE_MATRIX = [[2, 1, 0, 0, 1, 0], [1, 1, 0, 0, 0, 1], [0, 0, 1, 0, 0, 0], [0, 0, 0, 2, 0, 0]]
# pycocotools bbox stats (SOURCE.md, oracle only; 6 decimals; area buckets from the file's mask areas)
FCE_BBOX_STATS = [0.694719, 0.694719, 0.694719, -1, 0.792079, 0.0, 0.666667, 0.75, 0.75, -1, 0.791667, 0.0]


def their_layout(matrix: np.ndarray) -> list[list[int]]:
    c = matrix.shape[0] - 1
    return np.column_stack([matrix[:c, :c], matrix[c, :c], matrix[:c, c]]).tolist()


def test_faster_coco_eval_small_through_the_loaders(reference: Path) -> None:
    folder = reference / "faster_coco_eval_small"
    gt = load_ground_truth(folder / "gt_dataset.json", PLAIN)
    preds = load_predictions(folder / "dt_dataset.json", gt, PLAIN, name="dt")
    assert gt.classes == ("cloud", "heart", "arrow", "star") and not gt.crowd.any()
    match = match_report(gt, preds, np.array([0.5]))
    matrix = count_presets(gt, preds, match, np.array([0.0])).matrix[0, 0]
    assert their_layout(matrix) == FCE_MATRIX
    expected = np.where(np.array(FCE_BBOX_STATS) == -1, np.nan, FCE_BBOX_STATS)
    np.testing.assert_allclose(evaluate_coco(gt, preds).stats, expected, rtol=0, atol=1e-6, equal_nan=True)


def test_faster_coco_eval_small_through_the_cli(reference: Path, tmp_path: Path) -> None:
    folder = reference / "faster_coco_eval_small"
    out = tmp_path / "fce.json"
    result = cli(
        "evaluate", "--gt", folder / "gt_dataset.json", "--pred", folder / "dt_dataset.json",
        "--confidence", "0", "--json", out, "-q",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    entry = json.loads(out.read_text())["inference_sets"][0]
    preset = next(p for p in entry["presets"] if (p["iou"], p["confidence"]) == (0.5, 0.0))
    assert their_layout(np.array(preset["confusion_matrix"])) == FCE_MATRIX
    # the report's totals and its "TP · FP · FN · confusions" line say the same
    assert preset["totals"] == {"tp": 6, "fp": 1, "fn": 1, "confusions": 2}
    assert "TP 6 · FP 1 · FN 1 · confusions 2" in result.stdout


# ================================================================================== sklearn_docstring_cls
def test_sklearn_classification_report_end_to_end(reference: Path, tmp_path: Path) -> None:
    """scikit-learn's classification_report docstring example, as label tables, through ``reportgen evaluate
    --task classification``: the printed report and the JSON equal sklearn's exact values."""
    case = next(
        c for c in json.loads((reference / "sklearn_docstring_cls" / "cases.json").read_text())["cases"]
        if c["fn"] == "classification_report"
    )  # fmt: skip
    names = ["class 0", "class 1", "class 2"]  # the docstring's target_names
    gt_csv, pred_csv = tmp_path / "labels.csv", tmp_path / "preds.csv"
    gt_csv.write_text("frame_id,label\n" + "".join(f"f{i},{names[y]}\n" for i, y in enumerate(case["y_true"])))
    pred_csv.write_text(
        "frame_id,label,score\n" + "".join(f"f{i},{names[y]},0.9\n" for i, y in enumerate(case["y_pred"]))
    )
    classes = tmp_path / "classes.txt"
    classes.write_text("\n".join(names) + "\n")
    out = tmp_path / "cls.json"
    result = cli(
        "evaluate", "--task", "classification", "--gt", gt_csv, "--pred", pred_csv, "--class-names", classes,
        "--confidence", "0", "--json", out, "-q",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    exact = case["sklearn_exact"]
    rows = {}
    report = result.stdout.split("PR curves", 1)[0]  # the curve lines below also start with the class names
    for line in report.splitlines():
        for key in [*names, "macro avg", "weighted avg", "micro avg"]:
            if line.strip().startswith(key + " "):
                rows[key] = line[line.index(key) + len(key) :].split()
    for k, name in enumerate(names):
        want = exact[str(k)]
        p, r, f, support = rows[name][:4]
        assert p == f"{want['precision']:.4f}" and r == f"{want['recall']:.4f}" and int(support) == want["support"]
        # class 1: precision and recall 0, F1 undefined here (a dash); sklearn's zero_division=0 says 0
        assert f == (f"{want['f1-score']:.4f}" if k != 1 else "-")
    for key in ("macro avg", "weighted avg"):
        assert rows[key][:3] == [f"{exact[key][m]:.4f}" for m in ("precision", "recall", "f1-score")]
    assert rows["micro avg"][:2] == [f"{exact['accuracy']:.4f}"] * 2

    doc = json.loads(out.read_text())
    assert doc["task"] == "classification" and doc["classes"] == names
    entry = doc["inference_sets"][0]
    assert entry["coco"] is None
    preset = next(p for p in entry["presets"] if (p["iou"], p["confidence"]) == (0.5, 0.0))
    per_class = preset["per_class"]
    for k in range(3):
        want = exact[str(k)]
        assert per_class["precision"][k] == pytest.approx(want["precision"], abs=1e-9)
        assert per_class["recall"][k] == pytest.approx(want["recall"], abs=1e-9)
        assert per_class["support"][k] == want["support"]
    assert per_class["f1"][1] is None
    for key, ours in (("macro avg", preset["macro"]), ("weighted avg", preset["weighted"])):
        for metric, theirs in (("precision", "precision"), ("recall", "recall"), ("f1", "f1-score")):
            assert ours[metric] == pytest.approx(exact[key][theirs], abs=1e-9)
    np.testing.assert_array_equal(np.array(preset["confusion_matrix"])[:3, :3], [[1, 0, 0], [1, 0, 0], [0, 1, 2]])
