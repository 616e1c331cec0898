"""Comparing two inference sets: per-object outcomes, what flipped, and paired-bootstrap intervals.

- Outcome of a ground-truth object at a preset (IoU u, confidence t), under the report matching: the class of
  the prediction that matched it if that prediction's score >= t (its own class: found; another: confused as
  that class), else missed. Crowd objects have no outcome.
- A flip is an object whose outcome differs between the two inference sets at the same preset.
- The interval of a difference (candidate minus baseline) of precision, recall or F1 on a segment is a paired
  bootstrap over the segment's frames: 1,000 resamples of the frames with replacement (the same resample for
  both sets), percentile 2.5 / 97.5, seeded, so a report is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reportgen.engine.aggregate import score_bins
from reportgen.engine.evaluation import ModelResult
from reportgen.engine.match import IGNORED
from reportgen.engine.metrics import f1_score, safe_div
from reportgen.io.containers import FloatArray, GroundTruth, IntArray

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20260501
NEVER = 255  # "matched at no confidence preset"


@dataclass(frozen=True, eq=False)
class ObjectOutcomes:
    """Per ground-truth object and IoU preset: what the inference set said about it.

    Attributes:
        matched_class: ``(U, N)`` class of the prediction that matched the object; C (background) if none.
        last_preset: ``(U, N)`` index of the highest confidence preset at which that match counts
            (:data:`NEVER` when never). At preset ``t`` the outcome is ``matched_class`` if ``t <= last_preset``,
            else missed (C).
    """

    matched_class: IntArray
    last_preset: IntArray


def object_outcomes(gt: GroundTruth, result: ModelResult) -> ObjectOutcomes:
    """What the inference set said about every object, at every IoU and confidence preset."""
    c = gt.num_classes
    conf = result.counts.conf_thresholds
    pbin = score_bins(result.predictions.score, conf)
    by = result.match.gt_matched_by  # (U, N)
    matched_class = np.where(by >= 0, np.append(result.predictions.cls, c)[by], c)
    last = np.where(by >= 0, np.append(pbin, -1)[by], -1)
    last = np.where(last < 0, NEVER, last)
    return ObjectOutcomes(matched_class.astype(np.int64), last.astype(np.int64))


def outcome_at(outcomes: ObjectOutcomes, u: int, t: int, background: int) -> IntArray:
    """Outcome of every object at preset (u, t): the matching prediction's class, or ``background``."""
    last = outcomes.last_preset[u]
    found = (last != NEVER) & (t <= last)
    return np.where(found, outcomes.matched_class[u], background)


@dataclass(frozen=True, eq=False)
class FrameCounts:
    """Per-frame counts of one inference set at one preset: ``(F,)`` arrays.

    ``tp``: objects found by a prediction of their class; ``predicted``: counted predictions (not ignored);
    ``objects``: non-crowd objects. Restricted to one class when built with ``cls``.
    """

    tp: IntArray
    predicted: IntArray
    objects: IntArray


def frame_counts(gt: GroundTruth, result: ModelResult, u: int, t: int, cls: int | None = None) -> FrameCounts:
    """Counts per frame at preset (u, t), pooled over classes or for class ``cls`` (its row and column)."""
    preds = result.predictions
    f = gt.num_frames
    threshold = result.counts.conf_thresholds[t]
    outcome = result.match.pred_outcome[u]
    counted = (outcome != IGNORED) & (preds.score >= threshold)
    correct = counted & (np.append(gt.cls, -1)[outcome] == preds.cls)
    objects = ~gt.crowd
    if cls is not None:
        counted &= preds.cls == cls
        correct &= preds.cls == cls
        objects &= gt.cls == cls
    return FrameCounts(
        np.bincount(preds.frame[correct], minlength=f),
        np.bincount(preds.frame[counted], minlength=f),
        np.bincount(gt.frame[objects], minlength=f),
    )


def _scores(tp: FloatArray, predicted: FloatArray, objects: FloatArray) -> FloatArray:
    p = safe_div(tp, predicted)
    r = safe_div(tp, objects)
    return np.stack([p, r, f1_score(p, r)], axis=-1)


def bootstrap_difference(
    baseline: FrameCounts,
    candidate: FrameCounts,
    frames: IntArray,
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> FloatArray:
    """``(3, 3)``: for precision, recall, F1: [difference, 2.5th, 97.5th percentile] of candidate - baseline.

    Paired: each resample draws the segment's frames with replacement and both sets are scored on that draw.
    Resamples where a difference is undefined are left out; NaN when none is defined.
    """
    out = np.full((3, 3), np.nan)
    n = frames.size
    if n == 0:
        return out
    stack_a = np.stack([baseline.tp[frames], baseline.predicted[frames], baseline.objects[frames]]).astype(float)
    stack_b = np.stack([candidate.tp[frames], candidate.predicted[frames], candidate.objects[frames]]).astype(float)
    point = _scores(*stack_b.sum(axis=1)) - _scores(*stack_a.sum(axis=1))
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=resamples).astype(float)  # (R, n)
    sums_a = weights @ stack_a.T  # (R, 3)
    sums_b = weights @ stack_b.T
    diffs = _scores(sums_b[:, 0], sums_b[:, 1], sums_b[:, 2]) - _scores(sums_a[:, 0], sums_a[:, 1], sums_a[:, 2])
    for k in range(3):
        d = diffs[:, k]
        d = d[~np.isnan(d)]
        out[k, 0] = point[k]
        if d.size:
            out[k, 1], out[k, 2] = np.percentile(d, [2.5, 97.5])
    return out
