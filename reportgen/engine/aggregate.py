"""Counts at every (IoU, confidence) preset, from one matching pass per IoU threshold.

A prediction with score ``s`` counts at every confidence threshold ``t <= s``; an object matched by a
prediction with score ``s`` is a false negative at every ``t > s``. So one histogram of predictions by
(score bin, ground-truth class, predicted class) and one of objects by (bin of their match's score, class),
each followed by a cumulative sum over the bins, give the confusion matrix at every confidence threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reportgen.engine.match import IGNORED, MatchResult
from reportgen.io.containers import BoolArray, FloatArray, GroundTruth, IntArray, Predictions


@dataclass(frozen=True, eq=False)
class PresetCounts:
    """Confusion matrices of one inference set on one set of frames, at every preset.

    Attributes:
        iou_thresholds: ``(U,)``.
        conf_thresholds: ``(T,)`` ascending.
        matrix: ``(U, T, C + 1, C + 1)``; rows ground truth, columns predictions, the last row and column
            are ``background`` (row: unmatched predictions = FP; column: unmatched objects = FN).
        frame_count: number of frames counted.

    Counts of disjoint frame sets add: ``a + b`` is the count of their union.
    """

    iou_thresholds: FloatArray
    conf_thresholds: FloatArray
    matrix: IntArray
    frame_count: int

    def __add__(self, other: PresetCounts) -> PresetCounts:
        if not (
            np.array_equal(self.iou_thresholds, other.iou_thresholds)
            and np.array_equal(self.conf_thresholds, other.conf_thresholds)
            and self.matrix.shape == other.matrix.shape
        ):
            raise ValueError("counts on different grids or class lists cannot be added")
        return PresetCounts(
            self.iou_thresholds, self.conf_thresholds, self.matrix + other.matrix, self.frame_count + other.frame_count
        )

    @property
    def num_classes(self) -> int:
        return int(self.matrix.shape[-1]) - 1


def score_bins(score: FloatArray, conf_thresholds: FloatArray) -> IntArray:
    """Index of the highest threshold ``<= score`` (-1 below the first): the prediction counts at 0..bin."""
    return (np.searchsorted(conf_thresholds, score, side="right") - 1).astype(np.int64)


def count_presets(
    gt: GroundTruth,
    preds: Predictions,
    match: MatchResult,
    conf_thresholds: FloatArray,
    frame_mask: BoolArray | None = None,
) -> PresetCounts:
    """The confusion matrix at every (IoU of ``match``, confidence) preset, over the frames in ``frame_mask``.

    Args:
        frame_mask: ``(F,)`` frames to count; all frames when None.
    """
    c = gt.num_classes
    side = c + 1
    nt = conf_thresholds.shape[0]
    pbin = score_bins(preds.score, conf_thresholds)
    p_in = pbin >= 0
    g_in = ~gt.crowd
    if frame_mask is not None:
        p_in &= frame_mask[preds.frame]
        g_in &= frame_mask[gt.frame]
    frame_count = gt.num_frames if frame_mask is None else int(np.count_nonzero(frame_mask))
    g_idx = np.flatnonzero(g_in)
    g_cls = gt.cls[g_idx]
    nu = match.iou_thresholds.shape[0]
    matrix = np.zeros((nu, nt, side, side), dtype=np.int64)
    # lookups with a sentinel slot at the end, so that "no match" (-1) needs no special case (and empty inputs work)
    gt_cls_or_bg = np.append(gt.cls, c)
    pbin_or_none = np.append(pbin, -1)
    for u in range(nu):
        outcome = match.pred_outcome[u]
        sel = p_in & (outcome != IGNORED)
        oc = outcome[sel]
        row = gt_cls_or_bg[oc]  # UNMATCHED (-1) reads the sentinel: background
        flat = (pbin[sel] * side + row) * side + preds.cls[sel]
        hist = np.bincount(flat, minlength=nt * side * side).reshape(nt, side, side)
        matrix[u] = np.cumsum(hist[::-1], axis=0)[::-1]
        # objects: missed at thresholds above their match's score bin
        by = match.gt_matched_by[u, g_idx]
        mbin = pbin_or_none[by]  # -1: not matched, missed at every threshold
        fn_hist = np.bincount((mbin + 1) * side + g_cls, minlength=(nt + 1) * side).reshape(nt + 1, side)
        matrix[u, :, :, c] = np.cumsum(fn_hist, axis=0)[:nt]
    return PresetCounts(match.iou_thresholds, conf_thresholds, matrix, frame_count)
