"""Scores derived from counts: precision / recall / F1, averages, PR curves and AP.

Numpy in, numpy or dataclasses out. Undefined values (a zero denominator) are NaN in arrays and ``None``
once they leave this module; they are never 0 or -1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reportgen.io.containers import BoolArray, FloatArray, IntArray


def safe_div(num: FloatArray | IntArray, den: FloatArray | IntArray) -> FloatArray:
    """``num / den`` with NaN where ``den == 0``."""
    num_f = np.asarray(num, dtype=np.float64)
    den_f = np.asarray(den, dtype=np.float64)
    out = np.full(np.broadcast(num_f, den_f).shape, np.nan)
    np.divide(num_f, den_f, out=out, where=den_f != 0)
    return out


def f1_score(precision: FloatArray, recall: FloatArray) -> FloatArray:
    """Harmonic mean; NaN when either is undefined or both are 0."""
    return safe_div(2 * precision * recall, precision + recall)


@dataclass(frozen=True, eq=False)
class Scores:
    """Counts and scores at any number of presets (leading axes ``...``), per class and pooled.

    Per class (last axis ``C``): ``tp``, ``fp`` (background row), ``fn`` (background column),
    ``predicted`` (column total), ``support`` (row total), ``confused_as`` (objects of the class taken by a
    prediction of another class), ``confused_from`` (predictions of the class on another class's object),
    ``precision``, ``recall``, ``f1``.
    Pooled over classes (``micro``): ``TP / (TP + FP + confusions)`` and ``TP / (TP + FN + confusions)``.
    ``macro``: unweighted mean over the classes with support or predictions, an undefined score counting 0
    (scikit-learn's ``zero_division=0``); ``weighted``: the same weighted by support.
    """

    tp: IntArray
    fp: IntArray
    fn: IntArray
    predicted: IntArray
    support: IntArray
    confused_as: IntArray
    confused_from: IntArray
    precision: FloatArray
    recall: FloatArray
    f1: FloatArray
    total_tp: IntArray
    total_fp: IntArray
    total_fn: IntArray
    total_confusions: IntArray
    micro: FloatArray  # (..., 3): precision, recall, f1
    macro: FloatArray  # (..., 3)
    weighted: FloatArray  # (..., 3)


def scores_from_matrix(matrix: IntArray) -> Scores:
    """All scores from confusion matrices ``(..., C + 1, C + 1)`` (background last)."""
    c = matrix.shape[-1] - 1
    real = matrix[..., :c, :c]
    tp = np.diagonal(real, axis1=-2, axis2=-1).copy()
    fp = matrix[..., c, :c]
    fn = matrix[..., :c, c]
    predicted = matrix[..., :, :c].sum(axis=-2)
    support = matrix[..., :c, :].sum(axis=-1)
    confused_as = real.sum(axis=-1) - tp
    confused_from = real.sum(axis=-2) - tp
    precision = safe_div(tp, predicted)
    recall = safe_div(tp, support)
    f1 = f1_score(precision, recall)
    total_tp = tp.sum(axis=-1)
    total_fp = fp.sum(axis=-1)
    total_fn = fn.sum(axis=-1)
    total_conf = confused_as.sum(axis=-1)
    micro_p = safe_div(total_tp, total_tp + total_fp + total_conf)
    micro_r = safe_div(total_tp, total_tp + total_fn + total_conf)
    micro = np.stack([micro_p, micro_r, f1_score(micro_p, micro_r)], axis=-1)
    present = (support + predicted) > 0
    per_class = np.stack([precision, recall, f1], axis=-1)  # (..., C, 3)
    zeroed = np.where(np.isnan(per_class), 0.0, per_class)
    n_present = present.sum(axis=-1)[..., None]
    macro = safe_div((zeroed * present[..., None]).sum(axis=-2), n_present)
    total_support = support.sum(axis=-1)[..., None]
    weighted = safe_div((zeroed * support[..., None]).sum(axis=-2), total_support)
    return Scores(
        tp,
        fp,
        fn,
        predicted,
        support,
        confused_as,
        confused_from,
        precision,
        recall,
        f1,
        total_tp,
        total_fp,
        total_fn,
        total_conf,
        micro,
        macro,
        weighted,
    )


#: The 11 recall levels of VOC 2007's AP as the Python devkit builds them (``voc_eval.py``, ``voc_ap`` with
#: ``use_07_metric=True``: ``np.arange(0., 1.1, 0.1)``). In floating point the levels written 0.3, 0.6 and 0.7 are
#: 0.30000000000000004, 0.6000000000000001 and 0.7000000000000001, so a recall of exactly 0.6 (9 of 15) does not
#: reach the level "0.6". The published numbers come from this grid, so it is kept as it is (docs/matching.md).
VOC_11_POINT_LEVELS: FloatArray = np.arange(0.0, 1.1, 0.1)


def voc_ap(tp_in_order: BoolArray, support: int) -> tuple[float | None, float | None, FloatArray, FloatArray]:
    """VOC all-point and 11-point AP from detections in descending score (ignored ones removed).

    Returns ``(ap_all_point, ap_11_point, precision, recall)`` with one precision / recall per detection,
    as the VOC devkit lists them. The 11-point AP follows the Python devkit operation for operation: its recall
    levels (``VOC_11_POINT_LEVELS``) and its running sum ``ap += p / 11``.
    """
    tp = np.cumsum(tp_in_order, dtype=np.int64)
    fp = np.cumsum(~tp_in_order, dtype=np.int64)
    if support == 0:
        return None, None, safe_div(tp, tp + fp), np.full(tp.shape, np.nan)
    recall = tp / support
    precision = tp / np.maximum(tp + fp, 1)
    mrec = np.concatenate([[0.0], recall, [1.0]])
    mpre = np.concatenate([[0.0], precision, [0.0]])
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    steps = np.flatnonzero(mrec[1:] != mrec[:-1]) + 1
    ap_all = float(np.sum((mrec[steps] - mrec[steps - 1]) * mpre[steps]))
    ap11 = 0.0
    for level in VOC_11_POINT_LEVELS:
        hit = precision[recall >= level]
        ap11 = ap11 + (float(hit.max()) if hit.size else 0.0) / 11.0
    return ap_all, ap11, precision, recall
