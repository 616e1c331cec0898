"""The COCO summary against pycocotools, run live on the same data: 12 stats, precision, recall, text."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from reportgen.engine.cocoeval import evaluate_coco
from reportgen.engine.evaluation import EvalConfig, evaluate_model
from reportgen.engine.grids import COCO_IOU_THRESHOLDS
from reportgen.io.containers import GroundTruth, Predictions
from tests.builders import make_gt, make_preds, to_coco
from tests.gen import random_detection


def pycocotools_eval(gt_dict: dict[str, Any], results: list[dict[str, Any]]) -> tuple[COCOeval, list[str]]:
    """evaluate / accumulate / summarize; returns the evaluator and the lines summarize() printed."""
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO()
        coco.dataset = json.loads(json.dumps(gt_dict))  # pycocotools mutates its inputs
        coco.createIndex()
        dt = coco.loadRes(json.loads(json.dumps(results)))
        ev = COCOeval(coco, dt, "bbox")
        ev.evaluate()
        ev.accumulate()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        ev.summarize()
    return ev, printed.getvalue().splitlines()


def assert_same_as_pycocotools(gt: GroundTruth, preds: Predictions) -> None:
    ours = evaluate_coco(gt, preds)
    ev, lines = pycocotools_eval(*to_coco(gt, preds))
    theirs = np.asarray(ev.stats, dtype=np.float64)
    expected = np.where(theirs == -1, np.nan, theirs)
    np.testing.assert_allclose(ours.stats, expected, rtol=0, atol=1e-9, equal_nan=True)
    assert ours.precision.shape == ev.eval["precision"].shape
    np.testing.assert_allclose(ours.precision, ev.eval["precision"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours.recall, ev.eval["recall"], rtol=0, atol=1e-9)
    assert ours.lines() == lines


CASES = [
    # (seed, options): several shapes of data, each with ties, crowd, empty images, classes on one side only
    (0, {}),
    (1, {"many_dets": 130}),
    (2, {"n_images": 25, "max_gt": 10}),
    (3, {"crowd_rate": 0.3, "many_dets": 105}),
    (4, {"n_classes": 7, "n_images": 20}),
    (5, {"n_classes": 1, "roles": False}),
    (6, {"n_classes": 3, "max_gt": 15, "many_dets": 250}),
    (7, {"n_images": 4, "max_gt": 2}),
    (8, {"n_classes": 4, "crowd_rate": 0.5}),
    (9, {"n_images": 40, "max_gt": 3}),
]


@pytest.mark.parametrize(("seed", "options"), CASES, ids=[f"seed{s}" for s, _ in CASES])
def test_random_data_equals_pycocotools(seed: int, options: dict[str, Any]) -> None:
    data = random_detection(seed, **options)
    gt = data.gt()
    assert_same_as_pycocotools(gt, data.preds(gt))


def test_generator_covers_the_awkward_cases() -> None:
    """The random cases above do hold what they are meant to exercise."""
    seen = {"crowd": False, "area_on_bound": False, "gt_only_class": False, "pred_only_class": False}
    seen |= {"unused_class": False, "empty_image": False, "image_without_preds": False, "over_100": False}
    seen |= {"tied_scores": False, "identical_objects": False}
    for seed, options in CASES:
        data = random_detection(seed, **options)
        gt = data.gt()
        preds = data.preds(gt)
        seen["crowd"] |= bool(gt.crowd.any())
        seen["area_on_bound"] |= bool(np.isin(gt.area, [32.0**2, 96.0**2]).any())
        gt_cls, pred_cls = set(gt.cls.tolist()), set(preds.cls.tolist())
        seen["gt_only_class"] |= bool(gt_cls - pred_cls)
        seen["pred_only_class"] |= bool(pred_cls - gt_cls)
        seen["unused_class"] |= len(gt_cls | pred_cls) < gt.num_classes
        has_gt = np.bincount(gt.frame, minlength=gt.num_frames) > 0
        has_pred = np.bincount(preds.frame, minlength=gt.num_frames) > 0
        seen["empty_image"] |= bool((~has_gt & ~has_pred).any())
        seen["image_without_preds"] |= bool((has_gt & ~has_pred).any())
        per_block = np.bincount(preds.frame * gt.num_classes + preds.cls)
        seen["over_100"] |= bool(per_block.max() > 100)
        seen["tied_scores"] |= len(set(preds.score.tolist())) < preds.num_predictions
        boxes = [(int(f), tuple(b)) for f, b in zip(gt.frame, gt.box.tolist(), strict=True)]
        seen["identical_objects"] |= len(set(boxes)) < len(boxes)
    assert all(seen.values()), seen


def test_identical_ious_and_threshold_boundaries() -> None:
    # two identical objects and identical predictions: which one pycocotools takes decides later matches;
    # IoU exactly 0.5 and exactly 0.75 sit on COCO thresholds; areas exactly 32² and 96² sit in two buckets
    anns = [
        {"image": 3, "cls": "a", "bbox": [10, 10, 40, 40], "area": 1024.0},
        {"image": 3, "cls": "a", "bbox": [10, 10, 40, 40], "area": 9216.0},
        {"image": 3, "cls": "a", "bbox": [100, 100, 96, 96]},
        {"image": 3, "cls": "b", "bbox": [300, 300, 20, 20], "iscrowd": 1, "area": 100.0},
        {"image": 1, "cls": "b", "bbox": [0, 0, 32, 32]},
    ]
    dets = [
        {"image": 3, "cls": "a", "bbox": [10, 10, 40, 40], "score": 0.9},
        {"image": 3, "cls": "a", "bbox": [10, 10, 40, 20], "score": 0.9},
        {"image": 3, "cls": "a", "bbox": [10, 10, 40, 40], "score": 0.8},
        {"image": 3, "cls": "a", "bbox": [100, 100, 72, 96], "score": 0.7},
        {"image": 3, "cls": "b", "bbox": [300, 300, 10, 10], "score": 0.6},
        {"image": 3, "cls": "b", "bbox": [305, 305, 30, 30], "score": 0.6},
        {"image": 1, "cls": "b", "bbox": [0, 0, 32, 16], "score": 0.5},
        {"image": 1, "cls": "c", "bbox": [0, 0, 32, 32], "score": 0.5},
    ]
    gt = make_gt([3, 1, 2], ["a", "b", "c"], anns, category_ids=[5, 2, 9])
    assert_same_as_pycocotools(gt, make_preds(gt, dets))


def test_only_unmatched_predictions() -> None:
    gt = make_gt([1, 2], ["a", "b"], [{"image": 1, "cls": "a", "bbox": [0, 0, 10, 10]}])
    preds = make_preds(gt, [{"image": 2, "cls": "b", "bbox": [0, 0, 10, 10], "score": 0.3}])
    assert_same_as_pycocotools(gt, preds)


@pytest.mark.parametrize("seed", range(4))
def test_report_ap_equals_coco_ap_for_one_class(seed: int) -> None:
    """One class, no crowd, distinct scores, at most 100 predictions per image: the report matching is COCO's
    (no other class can take an object), each distinct confidence is one COCO detection, so the report's
    101-point AP of the class curve equals pycocotools' AP at that IoU threshold (area all, maxDets 100)."""
    data = random_detection(seed, n_images=15, n_classes=1, crowd_rate=0.0, roles=False)
    rng = np.random.default_rng(seed)
    for det, score in zip(data.detections, rng.permutation(len(data.detections)) + 1, strict=True):
        det["score"] = float(score) / len(data.detections)
    gt = data.gt()
    preds = data.preds(gt)
    config = EvalConfig.default()
    result = evaluate_model(gt, preds, config)
    ev, _ = pycocotools_eval(*to_coco(gt, preds))
    compared = 0
    for t, thr in enumerate(COCO_IOU_THRESHOLDS):
        u = np.flatnonzero(config.iou_grid == thr)
        if u.size == 0:  # pycocotools' 0.8999999999999999 (np.linspace) is not the grid's exact 0.9
            continue
        theirs = float(np.mean(ev.eval["precision"][t, :, 0, 0, 2]))
        assert result.curves.ap101[int(u[0]), 0] == pytest.approx(theirs, abs=1e-12), thr
        compared += 1
    assert compared == 9


def _gt_from_coco_json(path: Path) -> GroundTruth:
    d = json.loads(path.read_text())
    cats = d["categories"]
    names = {c["id"]: c["name"] for c in cats}
    anns = [
        {
            "image": a["image_id"],
            "cls": names[a["category_id"]],
            "bbox": a["bbox"],
            "area": a["area"],
            "iscrowd": a.get("iscrowd", 0),
        }
        for a in d["annotations"]
    ]
    return make_gt(
        [im["id"] for im in d["images"]], [c["name"] for c in cats], anns, category_ids=[c["id"] for c in cats]
    )


def _preds_from_results(gt: GroundTruth, results: list[dict[str, Any]]) -> Predictions:
    names = dict(zip(gt.category_ids, gt.classes, strict=True))
    dets = [
        {"image": r["image_id"], "cls": names[r["category_id"]], "bbox": r["bbox"], "score": r["score"]}
        for r in results
    ]
    return make_preds(gt, dets)


def test_faster_coco_eval_small_bbox(reference: Path) -> None:
    # GT "area" is the mask area (used for the size buckets); boxes only
    folder = reference / "faster_coco_eval_small"
    gt = _gt_from_coco_json(folder / "gt_dataset.json")
    preds = _preds_from_results(gt, json.loads((folder / "dt_dataset.json").read_text()))
    assert_same_as_pycocotools(gt, preds)
    # SOURCE.md: pycocotools bbox stats, 6 decimals
    published = [0.694719, 0.694719, 0.694719, -1, 0.792079, 0.0, 0.666667, 0.75, 0.75, -1, 0.791667, 0.0]
    expected = np.where(np.array(published) == -1, np.nan, published)
    np.testing.assert_allclose(evaluate_coco(gt, preds).stats, expected, rtol=0, atol=5e-7, equal_nan=True)


@pytest.mark.slow
def test_cocoapi_fake100_bbox(reference: Path) -> None:
    folder = reference / "cocoapi_fake100"
    gt = _gt_from_coco_json(folder / "instances_val2014_100.json")
    preds = _preds_from_results(gt, json.loads((folder / "instances_val2014_fakebbox100_results.json").read_text()))
    ours = evaluate_coco(gt, preds)
    # SOURCE.md, full precision
    published = [
        0.5045806987249628, 0.6969727247299577, 0.5729816669904824, 0.5856257209410443, 0.5193996948036719,
        0.5013978986347466, 0.38681277964578054, 0.5936795762842003, 0.595352982877607, 0.6398109626113442,
        0.5664205978994309, 0.5642905982905982,
    ]  # fmt: skip
    np.testing.assert_allclose(ours.stats, published, rtol=0, atol=1e-9)
    assert_same_as_pycocotools(gt, preds)
