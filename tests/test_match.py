"""Hand-built matching cases, with the expected matrix written out by hand (semantics.md)."""

from __future__ import annotations

import numpy as np

from reportgen.engine.aggregate import count_presets
from reportgen.engine.cocoeval import evaluate_coco
from reportgen.engine.match import IGNORED, UNMATCHED, match_report
from tests.builders import make_gt, make_preds

IOU = np.array([0.5])
CONF = np.array([0.0, 0.1])


def matrix_at(gt, preds, conf_index=0):
    m = match_report(gt, preds, IOU)
    return count_presets(gt, preds, m, CONF).matrix[0, conf_index], m


def test_gt_taken_first_by_another_class():
    # car object; a truck prediction (0.9) takes it first as a confusion, the car prediction (0.8) finds it taken
    gt = make_gt([1], ["car", "truck"], [{"image": 1, "cls": "car", "bbox": [0, 0, 10, 10]}])
    preds = make_preds(
        gt,
        [
            {"image": 1, "cls": "truck", "bbox": [0, 0, 10, 10], "score": 0.9},
            {"image": 1, "cls": "car", "bbox": [0, 0, 10, 10], "score": 0.8},
        ],
    )
    mat, m = matrix_at(gt, preds)
    #                 car truck bg
    expected = [[0, 1, 0], [0, 0, 0], [1, 0, 0]]
    assert mat.tolist() == expected
    assert m.pred_outcome[0].tolist() == [0, UNMATCHED]
    # COCO's class-aware matching differs here: the car prediction is its true positive
    coco = evaluate_coco(gt, preds)
    assert abs(coco.stat("AP50") - 1.0) < 1e-12  # pycocotools divides by tp + fp + eps


def test_own_class_preferred_over_higher_iou_of_another_class():
    gt = make_gt(
        [1],
        ["car", "truck"],
        [
            {"image": 1, "cls": "car", "bbox": [0, 0, 10, 10]},
            {"image": 1, "cls": "truck", "bbox": [1, 0, 10, 10]},
        ],
    )
    preds = make_preds(
        gt,
        [
            {"image": 1, "cls": "car", "bbox": [1, 0, 10, 10], "score": 0.9},  # IoU 0.818 car, 1.0 truck
            {"image": 1, "cls": "truck", "bbox": [1, 0, 10, 10], "score": 0.8},
        ],
    )
    mat, m = matrix_at(gt, preds)
    assert mat.tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 0]]
    assert m.pred_outcome[0].tolist() == [0, 1]
    assert np.isclose(m.pred_iou[0, 0], 90 / 110)


def test_another_class_when_own_class_has_no_overlap():
    gt = make_gt(
        [1],
        ["car", "truck"],
        [{"image": 1, "cls": "car", "bbox": [100, 100, 10, 10]}, {"image": 1, "cls": "truck", "bbox": [0, 0, 10, 10]}],
    )
    preds = make_preds(gt, [{"image": 1, "cls": "car", "bbox": [0, 0, 10, 10], "score": 0.5}])
    mat, _ = matrix_at(gt, preds)
    # truck taken as car (confusion); the car object is missed
    assert mat.tolist() == [[0, 0, 1], [1, 0, 0], [0, 0, 0]]


def test_crowd_region_ignores_own_class_only():
    gt = make_gt(
        [1],
        ["person", "car"],
        [{"image": 1, "cls": "person", "bbox": [0, 0, 100, 100], "iscrowd": 1}],
    )
    preds = make_preds(
        gt,
        [
            {"image": 1, "cls": "person", "bbox": [10, 10, 20, 20], "score": 0.9},  # inside the crowd: ignored
            {"image": 1, "cls": "car", "bbox": [10, 10, 20, 20], "score": 0.8},  # another class: a false positive
            {"image": 1, "cls": "person", "bbox": [90, 90, 50, 50], "score": 0.7},  # 100/2500 inside: FP
        ],
    )
    mat, m = matrix_at(gt, preds)
    assert m.pred_outcome[0].tolist() == [IGNORED, UNMATCHED, UNMATCHED]
    # the crowd object never appears; FP: one person, one car
    assert mat.tolist() == [[0, 0, 0], [0, 0, 0], [1, 1, 0]]


def test_equal_scores_keep_input_order():
    gt = make_gt([1], ["car"], [{"image": 1, "cls": "car", "bbox": [0, 0, 10, 10]}])
    preds = make_preds(
        gt,
        [
            {"image": 1, "cls": "car", "bbox": [0, 0, 10, 9], "score": 0.5},
            {"image": 1, "cls": "car", "bbox": [0, 0, 10, 10], "score": 0.5},  # better IoU but later
        ],
    )
    mat, m = matrix_at(gt, preds)
    assert m.pred_outcome[0].tolist() == [0, UNMATCHED]
    assert mat.tolist() == [[1, 0], [1, 0]]


def test_equal_ious_take_the_earlier_object():
    gt = make_gt(
        [1],
        ["car"],
        [{"image": 1, "cls": "car", "bbox": [0, 0, 10, 10]}, {"image": 1, "cls": "car", "bbox": [5, 0, 10, 10]}],
    )
    preds = make_preds(gt, [{"image": 1, "cls": "car", "bbox": [2.5, 0, 10, 10], "score": 0.9}])
    _, m = matrix_at(gt, preds)
    assert m.pred_iou[0, 0] == m.pred_iou[0, 0]  # defined
    assert m.pred_outcome[0].tolist() == [0]
    assert m.gt_matched_by[0].tolist() == [0, -1]


def test_more_than_100_predictions_in_a_frame_all_count():
    objects = [{"image": 1, "cls": "car", "bbox": [i * 20, 0, 10, 10]} for i in range(120)]
    gt = make_gt([1], ["car"], objects)
    dets = [{"image": 1, "cls": "car", "bbox": [i * 20, 0, 10, 10], "score": 0.5 + i / 1000} for i in range(120)]
    dets += [{"image": 1, "cls": "car", "bbox": [i * 20, 50, 10, 10], "score": 0.2} for i in range(30)]
    preds = make_preds(gt, dets)
    mat, _ = matrix_at(gt, preds)
    assert mat.tolist() == [[120, 0], [30, 0]]
    # the COCO summary keeps pycocotools' cap of 100 detections per image: recall@100 is 100/120
    coco = evaluate_coco(gt, preds)
    assert abs(coco.stat("AR100") - 100 / 120) < 1e-12


def test_confidence_threshold_drops_low_scores_without_rematching():
    gt = make_gt([1], ["car"], [{"image": 1, "cls": "car", "bbox": [0, 0, 10, 10]}])
    preds = make_preds(gt, [{"image": 1, "cls": "car", "bbox": [0, 0, 10, 10], "score": 0.05}])
    mat0, _ = matrix_at(gt, preds, 0)
    mat1, _ = matrix_at(gt, preds, 1)
    assert mat0.tolist() == [[1, 0], [0, 0]]
    assert mat1.tolist() == [[0, 1], [0, 0]]  # below 0.1 the object is missed


def test_score_equal_to_threshold_counts():
    gt = make_gt([1], ["car"], [{"image": 1, "cls": "car", "bbox": [0, 0, 10, 10]}])
    preds = make_preds(gt, [{"image": 1, "cls": "car", "bbox": [0, 0, 10, 10], "score": 0.1}])
    mat1, _ = matrix_at(gt, preds, 1)
    assert mat1.tolist() == [[1, 0], [0, 0]]


def test_iou_equal_to_threshold_matches():
    gt = make_gt([1], ["car"], [{"image": 1, "cls": "car", "bbox": [0, 0, 10, 10]}])
    # intersection 50, union 100 + 50 - 50 = 100: IoU exactly 0.5
    preds = make_preds(gt, [{"image": 1, "cls": "car", "bbox": [0, 0, 10, 5], "score": 0.9}])
    _, m = matrix_at(gt, preds)
    assert m.pred_iou[0, 0] == 0.5
    assert m.pred_outcome[0].tolist() == [0]
