"""Flips against a brute-force re-matching, flip counts at every preset and the flip sample against the oracle;
the paired Poisson bootstrap on cases with a known difference, and its invariance to how frames are ordered or
split."""

from __future__ import annotations

import numpy as np
import pytest

from reportgen.engine.compare import (
    BOOTSTRAP_SEED,
    bootstrap_difference,
    bootstrap_sums,
    difference_interval,
    flip_counts,
    flip_group,
    flip_sample,
    flip_spans,
    frame_counts,
    frame_keys,
    mix64,
    object_outcomes,
    object_priority,
    poisson_weights,
)
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


def two_predictions(seed, n_images):
    """One ground truth and two prediction sets on it."""
    data_a = random_detection(seed, n_images=n_images)
    data_b = random_detection(seed + 50, n_images=n_images)
    gt = data_a.gt()
    preds_a = data_a.preds(gt)
    data_b.annotations = data_a.annotations
    data_b.images = data_a.images
    data_b.categories, data_b.category_ids = data_a.categories, data_a.category_ids
    return gt, preds_a, data_b.preds(gt)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_flips_equal_brute_force(seed):
    gt, preds_a, preds_b = two_predictions(seed, 25)
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


def keys(gt):
    return frame_keys(gt.frame_ids)


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
    out = bootstrap_difference(frame_counts(gt, ra, 0, 0), frame_counts(gt, rb, 0, 0), np.arange(n), keys(gt))
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
    a = bootstrap_difference(frame_counts(gt, ra, 0, 0), frame_counts(gt, rb, 0, 0), np.arange(n), keys(gt))
    b = bootstrap_difference(frame_counts(gt, ra, 0, 0), frame_counts(gt, rb, 0, 0), np.arange(n), keys(gt))
    assert np.array_equal(a, b, equal_nan=True)
    assert a[1].tolist() == [0.0, 0.0, 0.0]


def test_bootstrap_empty_segment_is_undefined():
    gt, ra, rb = one_object_frames([True] * 5, [False] * 5)
    out = bootstrap_difference(frame_counts(gt, ra, 0, 0), frame_counts(gt, rb, 0, 0), np.zeros(0, np.int64), keys(gt))
    assert np.isnan(out).all()


def test_bootstrap_is_the_same_however_the_frames_are_ordered_or_split():
    rng = np.random.default_rng(4)
    n = 3000
    found_a = (rng.random(n) < 0.6).tolist()
    found_b = (rng.random(n) < 0.7).tolist()
    gt, ra, rb = one_object_frames(found_a, found_b)
    ca, cb = frame_counts(gt, ra, 0, 0), frame_counts(gt, rb, 0, 0)
    whole = bootstrap_difference(ca, cb, np.arange(n), keys(gt))
    assert not np.isnan(whole).any()
    # reordered frames, and other chunk sizes: the same interval, to the last bit
    order = rng.permutation(n)
    assert np.array_equal(bootstrap_difference(ca, cb, order, keys(gt), chunk=97), whole)
    assert np.array_equal(bootstrap_difference(ca, cb, np.arange(n), keys(gt), chunk=n), whole)
    # the map over parts of the frames and the reduce (adding the parts' sums) give the same interval
    values = np.stack([ca.tp, ca.predicted, ca.objects, cb.tp, cb.predicted, cb.objects], axis=1)
    parts = np.array_split(order, 5)
    total = bootstrap_sums(keys(gt)[parts[0]], values[parts[0]])
    for part in parts[1:]:
        total = total + bootstrap_sums(keys(gt)[part], values[part])
    table = np.vstack([total.point[None, :], total.resampled])
    assert np.array_equal(difference_interval(table[:, :3], table[:, 3:]), whole)
    # a frame's weights follow its id, not its position: renaming the frames changes the draw
    other = frame_keys([f + "x" for f in gt.frame_ids])
    assert not np.array_equal(bootstrap_difference(ca, cb, np.arange(n), other), whole)


def test_poisson_weights_are_counter_based_and_poisson():
    k = frame_keys([f"frame-{i}" for i in range(4000)])
    w = poisson_weights(k, 500)
    assert w.shape == (500, 4000) and w.dtype == np.uint8
    # the definition, in plain numpy: splitmix64 of the frame's stream at counter r + 1, inverse CDF of Poisson(1)
    from reportgen.engine.compare import _GAMMA, _POISSON

    stream = mix64(k ^ mix64(np.array([BOOTSTRAP_SEED], dtype=np.uint64)))
    z = mix64(stream[None, :] + (np.arange(500, dtype=np.uint64) + np.uint64(1))[:, None] * _GAMMA)
    assert np.array_equal(w, np.searchsorted(_POISSON, z, side="right"))
    # random access: resamples 200.. of the same frames are rows 200.. of the whole draw
    assert np.array_equal(poisson_weights(k[10:20], 50, first=200), w[200:250, 10:20])
    # Poisson(1): mean and variance 1, P(0) = P(1) = 1/e
    assert abs(w.mean() - 1) < 0.01 and abs(w.var() - 1) < 0.02
    share = np.bincount(w.ravel(), minlength=3)[:3] / w.size
    assert np.allclose(share, [np.exp(-1), np.exp(-1), np.exp(-1) / 2], atol=0.003)
    # another seed, another draw
    assert not np.array_equal(poisson_weights(k, 500, seed=1), w)


def two_sets(seed):
    gt, preds_a, preds_b = two_predictions(seed, 40)
    cfg = EvalConfig.default(coco=False)
    oa = object_outcomes(gt, evaluate_model(gt, preds_a, cfg))
    return gt, cfg, oa, object_outcomes(gt, evaluate_model(gt, preds_b, cfg))


@pytest.mark.parametrize("seed", [3, 4])
def test_flip_counts_are_the_oracles_at_every_preset(seed):
    gt, cfg, oa, ob = two_sets(seed)
    t_count = cfg.confidence_grid.size
    k = gt.num_classes + 1
    mask = np.random.default_rng(seed).random(gt.num_frames) < 0.5
    checked = 0
    for u in range(cfg.iou_grid.size):
        spans = flip_spans(gt, oa, ob, u, t_count)
        for frame_mask in (None, mask):
            keep = np.ones(spans.obj.size, bool) if frame_mask is None else frame_mask[gt.frame[spans.obj]]
            groups, counts = flip_counts(spans, keep, t_count)
            assert np.all(np.diff(groups) > 0) and counts.any(axis=1).all()
            for t in range(t_count):
                want = {int(flip_group(f.gt_class, f.before, f.after, k)): len(f.objects)
                        for f in flips(gt, oa, ob, u, t, frame_mask)}  # fmt: skip
                got = {int(g): int(n) for g, n in zip(groups, counts[:, t], strict=True) if n}
                assert got == want, (u, t)
                checked += len(want)
    assert checked > 100


def test_flip_sample_is_capped_seeded_and_complete_for_small_groups():
    gt, cfg, oa, ob = two_sets(5)
    t_count = cfg.confidence_grid.size
    priority = object_priority(gt, frame_keys(gt.frame_ids))
    cap = 3
    for u in (0, 4):
        spans = flip_spans(gt, oa, ob, u, t_count)
        keep = np.ones(spans.obj.size, bool)
        sample = flip_sample(spans, keep, priority, t_count, cap)
        assert np.array_equal(sample, flip_sample(spans, keep, priority, t_count, cap))  # deterministic
        chosen = set(sample.tolist())
        big = 0
        for t in range(t_count):
            for f in flips(gt, oa, ob, u, t):
                got = [i for i in f.objects if i in chosen]
                # every group keeps min(cap, size) objects at least: its cap lowest priorities
                lowest = sorted(f.objects, key=lambda i: int(priority[i]))[:cap]
                assert set(lowest) <= set(got)
                big += len(f.objects) > cap
        assert big > 0
        # only flipped objects are sampled
        assert chosen <= set(spans.obj.tolist())
    # the priority of an object follows its frame id and rank in its frame, not the frame's position
    moved = object_priority(gt, frame_keys(gt.frame_ids))
    assert np.array_equal(moved, priority)
