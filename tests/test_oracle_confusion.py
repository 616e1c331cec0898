"""The confusion matrix against faster-coco-eval's class-agnostic one (``PreviewResults.compute_confusion_matrix``).

What faster-coco-eval does (faster_coco_eval/extra/extra.py, display.py, core/faster_eval_api.py, 1.8.0):
COCOeval with ``useCats=0`` at one IoU threshold, one area range, maxDets >= every detection, after dropping
detections with ``score < min_score``. Per image, all detections in descending score take the unmatched object
of ANY class with the highest IoU >= threshold (pycocotools' loop: on equal IoU the later object). The matrix
is ``(K, K + 2)``: rows the object's class, columns the matched detection's class, then the unmatched
detections of the row's class (FP), then the unmatched objects of the row's class (FN).

Where it coincides with our report matching (semantics.md: own class first, then another class):
- the layout: their cell (g, p) is our cell (g, p), their FP column of row k is our background row at
  column k, their FN column is our background column; thresholds are inclusive on both sides
  (``score >= min_score``, ``IoU >= iou_tresh``);
- the matching, whenever every prediction has at most one candidate: at most one non-crowd object with
  IoU >= u in its frame, no crowd region in the frame, and predictions competing for the same object
  have distinct scores. Then both rules give each prediction that one object if it is still free, else
  nothing. ("Each object overlapped by at most one prediction" is NOT enough: a prediction overlapping
  two objects takes the higher IoU there and its own class here; see test_rules_differ_*.)

Where they differ (tested below so the difference stays known):
- a prediction whose best-IoU free object is of another class while an object of its own class is also free:
  they record a confusion, we record a true positive;
- crowd regions: theirs are matched class-agnostically and can appear as a row; ours are ignored for a
  prediction of the region's own class only and never appear in the matrix;
- equal scores in one image: they do not keep the input order (we do), and on equal IoU they take the later
  object (we take the earlier).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from faster_coco_eval import COCO
from faster_coco_eval.extra import PreviewResults

from reportgen.engine.aggregate import count_presets
from reportgen.engine.match import match_report
from reportgen.io.containers import GroundTruth, Predictions
from tests.builders import make_gt, make_preds, to_coco
from tests.gen import Dataset, box_iou, random_detection, separated_detection


def theirs(gt: GroundTruth, preds: Predictions, iou: float, conf: float) -> np.ndarray:
    gt_dict, results = to_coco(gt, preds)
    coco_gt = COCO(gt_dict)
    coco_dt = coco_gt.loadRes(results)
    preview = PreviewResults(coco_gt, coco_dt, iouType="bbox", iou_tresh=iou, min_score=conf, useCats=False)
    return preview.compute_confusion_matrix()


def ours(gt: GroundTruth, preds: Predictions, iou: float, conf: float) -> np.ndarray:
    match = match_report(gt, preds, np.array([iou]))
    return count_presets(gt, preds, match, np.array([conf])).matrix[0, 0]


def as_theirs(matrix: np.ndarray) -> np.ndarray:
    """Our ``(C + 1, C + 1)`` matrix in their ``(C, C + 2)`` layout: classes, FP (background row), FN."""
    c = matrix.shape[0] - 1
    return np.column_stack([matrix[:c, :c], matrix[c, :c], matrix[:c, c]])


PRESETS = [(0.5, 0.0), (0.5, 0.3), (0.3, 0.0), (0.75, 0.55), (0.1, 0.9)]


@pytest.mark.parametrize("seed", range(6))
def test_separated_objects_equal_faster_coco_eval(seed: int) -> None:
    data = separated_detection(seed, n_images=10, n_classes=4)
    gt = data.gt()
    preds = data.preds(gt)
    for iou, conf in PRESETS:
        mine = ours(gt, preds, iou, conf)
        assert mine[:-1, :-1].sum() > 0 or conf > 0.5  # the case holds matches, not only FP / FN
        np.testing.assert_array_equal(as_theirs(mine), theirs(gt, preds, iou, conf), err_msg=f"IoU {iou}, conf {conf}")


def coinciding_frames(data: Dataset, gt: GroundTruth, preds: Predictions, iou: float, conf: float) -> list[int]:
    """Images where every kept prediction has at most one candidate object, without crowd or tied scores."""
    keep = []
    for f, image in enumerate(data.images):
        objs = np.flatnonzero(gt.frame == f)
        kept = np.flatnonzero((preds.frame == f) & (preds.score >= conf))
        if gt.crowd[objs].any() or len(set(preds.score[kept].tolist())) < kept.size:
            continue
        if all(sum(box_iou(preds.box[j], gt.box[i], False) >= iou for i in objs) <= 1 for j in kept):
            keep.append(image)
    return keep


@pytest.mark.parametrize("seed", range(4))
def test_random_frames_where_rules_coincide(seed: int) -> None:
    # general random data (overlapping objects, confusions), restricted per preset to the frames where the
    # two rules coincide
    data = random_detection(100 + seed, n_images=30, n_classes=4, crowd_rate=0.0, roles=False)
    full = data.gt()
    full_preds = data.preds(full)
    for iou, conf in PRESETS:
        images = coinciding_frames(data, full, full_preds, iou, conf)
        assert len(images) >= 10
        gt = data.gt(images)
        preds = data.preds(gt)
        if preds.num_predictions == 0:
            continue
        np.testing.assert_array_equal(as_theirs(ours(gt, preds, iou, conf)), theirs(gt, preds, iou, conf))


def test_rules_differ_when_best_iou_is_another_class() -> None:
    # the prediction "a" overlaps its own object (IoU 0.67) and a "b" object (IoU 1.0)
    gt = make_gt(
        [1],
        ["a", "b"],
        [{"image": 1, "cls": "a", "bbox": [0, 0, 10, 10]}, {"image": 1, "cls": "b", "bbox": [2, 0, 10, 10]}],
    )
    preds = make_preds(gt, [{"image": 1, "cls": "a", "bbox": [2, 0, 10, 10], "score": 0.9}])
    # ours: a true positive on "a", the "b" object missed
    np.testing.assert_array_equal(as_theirs(ours(gt, preds, 0.5, 0.0)), [[1, 0, 0, 0], [0, 0, 0, 1]])
    # theirs: a confusion "b" -> "a", the "a" object missed
    np.testing.assert_array_equal(theirs(gt, preds, 0.5, 0.0), [[0, 0, 0, 1], [1, 0, 0, 0]])


def test_rules_differ_on_crowd_regions() -> None:
    gt = make_gt(
        [1],
        ["a", "b"],
        [
            {"image": 1, "cls": "b", "bbox": [0, 0, 10, 10], "iscrowd": 1},
            {"image": 1, "cls": "a", "bbox": [50, 50, 10, 10]},
        ],
    )
    preds = make_preds(
        gt,
        [
            {"image": 1, "cls": "a", "bbox": [0, 0, 5, 5], "score": 0.9},  # inside a crowd region of another class
            {"image": 1, "cls": "b", "bbox": [0, 0, 5, 5], "score": 0.8},  # inside a crowd region of its class
        ],
    )
    # ours: "a" is a false positive, "b" is ignored, the crowd region is not in the matrix
    np.testing.assert_array_equal(as_theirs(ours(gt, preds, 0.5, 0.0)), [[0, 0, 1, 1], [0, 0, 0, 0]])
    # theirs: the crowd region appears as a "b" object matched by "a"
    np.testing.assert_array_equal(theirs(gt, preds, 0.5, 0.0), [[0, 0, 0, 1], [1, 0, 0, 0]])


def test_faster_coco_eval_small_reference(reference: Path) -> None:
    """The published class-agnostic matrix (SOURCE.md; segm, and identical with bbox per SOURCE.md).

    Comparable: all of it. Each detection's box coincides with one object's box and overlaps no other object
    at IoU >= 0.5, so each detection has at most one candidate and the two rules coincide: the confusions
    (cloud <-> heart in img_3), the unmatched cloud detection (FP, cloud row) and the missed heart (FN,
    heart row) are the same under both. Annotation ids are not used (our matching is by position), and the
    polygons are dropped: box IoU only.
    """
    folder = reference / "faster_coco_eval_small"
    d = json.loads((folder / "gt_dataset.json").read_text())
    names = {c["id"]: c["name"] for c in d["categories"]}
    gt = make_gt(
        [im["id"] for im in d["images"]],
        [c["name"] for c in d["categories"]],
        [
            {"image": a["image_id"], "cls": names[a["category_id"]], "bbox": a["bbox"], "area": a["area"]}
            for a in d["annotations"]
        ],
        category_ids=[c["id"] for c in d["categories"]],
    )
    dets = json.loads((folder / "dt_dataset.json").read_text())
    preds = make_preds(
        gt,
        [
            {"image": r["image_id"], "cls": names[r["category_id"]], "bbox": r["bbox"], "score": r["score"]}
            for r in dets
        ],
    )
    published = [[2, 1, 0, 0, 1, 0], [1, 1, 0, 0, 0, 1], [0, 0, 1, 0, 0, 0], [0, 0, 0, 2, 0, 0]]
    mine = ours(gt, preds, 0.5, 0.0)
    np.testing.assert_array_equal(as_theirs(mine), published)
    np.testing.assert_array_equal(theirs(gt, preds, 0.5, 0.0), published)
    # our matrix in full: rows cloud, heart, arrow, star, background
    expected = [[2, 1, 0, 0, 0], [1, 1, 0, 0, 1], [0, 0, 1, 0, 0], [0, 0, 0, 2, 0], [1, 0, 0, 0, 0]]
    np.testing.assert_array_equal(mine, expected)
