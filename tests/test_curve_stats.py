"""The curve-statistics kernel equals the explicit curve (``curve_from_outcomes``) per class and pooled."""

from __future__ import annotations

import numpy as np
import pytest

from reportgen.engine.evaluation import EvalConfig, curve_set, evaluate_model
from reportgen.engine.match import IGNORED
from tests.gen import random_detection
from tests.oracles import curve_from_outcomes


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_kernel_matches_explicit_curves(seed):
    data = random_detection(seed, n_images=30)
    gt = data.gt()
    preds = data.preds(gt)
    result = evaluate_model(gt, preds, EvalConfig.default(coco=False))
    mask = np.random.default_rng(seed + 100).random(gt.num_frames) < 0.6
    for frame_mask in (None, mask):
        cs = curve_set(gt, preds, result.match, frame_mask)
        p_sel = np.ones(preds.num_predictions, bool) if frame_mask is None else frame_mask[preds.frame]
        g_sel = ~gt.crowd if frame_mask is None else (~gt.crowd & frame_mask[gt.frame])
        for u in range(result.match.iou_thresholds.size):
            outcome = result.match.pred_outcome[u]
            counted = (outcome != IGNORED) & p_sel
            correct = np.append(gt.cls, -1)[outcome] == preds.cls
            for k in range(gt.num_classes + 1):
                sel = counted if k == gt.num_classes else counted & (preds.cls == k)
                support = int(np.count_nonzero(g_sel if k == gt.num_classes else g_sel & (gt.cls == k)))
                curve = curve_from_outcomes(preds.score[sel], correct[sel], support)
                ap = curve.ap101()
                if ap is None:
                    assert np.isnan(cs.ap101[u, k])
                else:
                    assert cs.ap101[u, k] == pytest.approx(ap, abs=1e-12)
                best = curve.best_f1()
                if best is None:
                    assert np.isnan(cs.best_f1_confidence[u, k])
                else:
                    assert (cs.best_f1_confidence[u, k], cs.best_f1[u, k]) == pytest.approx(best, abs=1e-12)
