"""Flips against a brute-force re-matching; the paired bootstrap on cases with a known difference."""

from __future__ import annotations

import numpy as np
import pytest

from reportgen.engine.compare import bootstrap_difference, frame_counts, object_outcomes
from reportgen.engine.evaluation import EvalConfig, evaluate_model
from reportgen.engine.match import match_report
from tests.builders import make_gt, make_preds
from tests.gen import random_detection
from tests.oracles import flips


def brute_outcomes(gt, preds, iou, threshold):
    """Re-match only the predictions at or above the threshold; the class each object was taken by."""
    keep = preds.score >= threshold
    sub = type(preds)(preds.name, preds.frame[keep], preds.cls[keep], preds.box[keep], preds.score[keep])
    m = match_report(gt, sub, np.array([iou]))
    by = m.gt_matched_by[0]
    return np.where(by >= 0, np.append(sub.cls, gt.num_classes)[by], gt.num_classes)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_flips_equal_brute_force(seed):
    data_a = random_detection(seed, n_images=25)
    data_b = random_detection(seed + 50, n_images=25)
    gt = data_a.gt()
    # same ground truth, two prediction sets
    preds_a = data_a.preds(gt)
    data_b.annotations = data_a.annotations
    data_b.images = data_a.images
    data_b.categories, data_b.category_ids = data_a.categories, data_a.category_ids
    preds_b = data_b.preds(gt)
    cfg = EvalConfig.default(coco=False)
    ra, rb = evaluate_model(gt, preds_a, cfg), evaluate_model(gt, preds_b, cfg)
    oa, ob = object_outcomes(gt, ra), object_outcomes(gt, rb)
    rng = np.random.default_rng(seed)
    for u in rng.choice(cfg.iou_grid.size, 3, replace=False):
        for t in rng.choice(cfg.confidence_grid.size, 4, replace=False):
            iou, conf = cfg.iou_grid[u], cfg.confidence_grid[t]
            a = brute_outcomes(gt, preds_a, iou, conf)
            b = brute_outcomes(gt, preds_b, iou, conf)
            expected = {}
            for i in np.flatnonzero((a != b) & ~gt.crowd):
                expected.setdefault((int(gt.cls[i]), int(a[i]), int(b[i])), set()).add(int(i))
            got = {(f.gt_class, f.before, f.after): set(f.objects) for f in flips(gt, oa, ob, int(u), int(t))}
            assert got == expected


def one_object_frames(found_a, found_b):
    n = len(found_a)
    gt = make_gt(list(range(n)), ["car"], [{"image": i, "cls": "car", "bbox": [0, 0, 10, 10]} for i in range(n)])

    def preds(found):
        return make_preds(
            gt, [{"image": i, "cls": "car", "bbox": [0, 0, 10, 10], "score": 0.9} for i in range(n) if found[i]]
        )

    cfg = EvalConfig(np.array([0.5]), np.array([0.1]), iou=0.5, confidence=0.1, coco=False)
    return gt, evaluate_model(gt, preds(found_a), cfg), evaluate_model(gt, preds(found_b), cfg)


def test_bootstrap_known_difference():
    n = 400
    found_a = [i % 2 == 0 for i in range(n)]  # recall 0.5
    found_b = [True] * n  # recall 1.0
    gt, ra, rb = one_object_frames(found_a, found_b)
    out = bootstrap_difference(frame_counts(gt, ra, 0, 0), frame_counts(gt, rb, 0, 0), np.arange(n))
    diff, lo, hi = out[1]
    assert diff == pytest.approx(0.5)
    # paired resampling: the difference is the share of frames only B finds, a binomial(400, 0.5) / 400
    assert 0.44 < lo < 0.5 < hi < 0.56
    # precision is 1.0 for both: the difference is exactly 0 in every resample
    assert out[0].tolist() == [0.0, 0.0, 0.0]


def test_bootstrap_is_seeded_and_includes_zero_for_equal_models():
    n = 100
    found = [i % 3 != 0 for i in range(n)]
    gt, ra, rb = one_object_frames(found, found)
    a = bootstrap_difference(frame_counts(gt, ra, 0, 0), frame_counts(gt, rb, 0, 0), np.arange(n))
    b = bootstrap_difference(frame_counts(gt, ra, 0, 0), frame_counts(gt, rb, 0, 0), np.arange(n))
    assert np.array_equal(a, b, equal_nan=True)
    assert a[1].tolist() == [0.0, 0.0, 0.0]


def test_bootstrap_empty_segment_is_undefined():
    gt, ra, rb = one_object_frames([True] * 5, [False] * 5)
    out = bootstrap_difference(frame_counts(gt, ra, 0, 0), frame_counts(gt, rb, 0, 0), np.zeros(0, np.int64))
    assert np.isnan(out).all()
