"""Evaluate inference sets against ground truth: every metric at every preset.

``evaluate_model`` runs one matching pass per IoU threshold of the grid, then derives every confidence
preset by cumulative sums, the PR curves, AP, the F1-optimal confidences, the COCO summary and (on request)
the VOC numbers. Segments reuse the same matching through :func:`segment_counts`.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numba
import numpy as np

from reportgen.engine.aggregate import PresetCounts, count_presets, score_bins
from reportgen.engine.cocoeval import CocoSummary, evaluate_coco
from reportgen.engine.grids import (
    COCO_RECALL_THRESHOLDS,
    DEFAULT_CONFIDENCE,
    DEFAULT_CONFIDENCE_GRID,
    DEFAULT_IOU,
    DEFAULT_IOU_GRID,
    parse_grid,
    with_value,
)
from reportgen.engine.match import IGNORED, MatchResult, match_report, match_voc
from reportgen.engine.metrics import safe_div, voc_ap
from reportgen.io.containers import BoolArray, FloatArray, GroundTruth, IntArray, Predictions

#: confidence grid of the sampled PR curves written to JSON and the report: 0.00 .. 1.00 by 0.01
CURVE_GRID: FloatArray = np.arange(101) / 100

Progress = Callable[[str], None]


@dataclass(frozen=True)
class EvalConfig:
    """What to compute.

    Attributes:
        iou_grid / confidence_grid: the presets (the operating point is added when off the grid).
        iou / confidence: the operating point for text output and verdicts.
        coco: compute the COCO summary (detection only).
        voc: compute VOC all-point and 11-point AP at every IoU of the grid.
        pixel_inclusive: VOC IoU with the ``+1`` pixel convention.
    """

    iou_grid: FloatArray
    confidence_grid: FloatArray
    iou: float = DEFAULT_IOU
    confidence: float = DEFAULT_CONFIDENCE
    coco: bool = True
    voc: bool = False
    pixel_inclusive: bool = False

    @staticmethod
    def default(**kwargs: object) -> EvalConfig:
        cfg = EvalConfig(parse_grid(DEFAULT_IOU_GRID), parse_grid(DEFAULT_CONFIDENCE_GRID), **kwargs)  # type: ignore[arg-type]
        return cfg.normalized()

    def normalized(self) -> EvalConfig:
        """The same config with the operating point placed on both grids."""
        return EvalConfig(
            with_value(self.iou_grid, self.iou),
            with_value(self.confidence_grid, self.confidence),
            self.iou,
            self.confidence,
            self.coco,
            self.voc,
            self.pixel_inclusive,
        )


@dataclass(frozen=True, eq=False)
class CurveSet:
    """PR curves of every class and of all classes pooled, at every IoU threshold.

    Attributes:
        confidence: ``(P,)`` the sampled confidences (:data:`CURVE_GRID`).
        tp, predicted: ``(U, P, C + 1)`` counts at each sampled confidence; index ``C`` is all classes pooled.
        support: ``(C + 1,)`` objects per class, then all.
        ap101: ``(U, C + 1)`` COCO-style 101-point AP of the full-resolution curve (NaN: no objects).
        best_f1_confidence, best_f1: ``(U, C + 1)`` the F1-optimal confidence (ties: lowest) and its F1.
    """

    confidence: FloatArray
    tp: IntArray
    predicted: IntArray
    support: IntArray
    ap101: FloatArray
    best_f1_confidence: FloatArray
    best_f1: FloatArray

    @property
    def precision(self) -> FloatArray:
        return safe_div(self.tp, self.predicted)

    @property
    def recall(self) -> FloatArray:
        return safe_div(self.tp, np.broadcast_to(self.support, self.tp.shape))


@dataclass(frozen=True, eq=False)
class VocResult:
    """VOC AP per IoU threshold and class: ``(U, C)`` arrays (NaN: class without objects)."""

    iou_thresholds: FloatArray
    pixel_inclusive: bool
    ap_all_point: FloatArray
    ap_11_point: FloatArray
    mean_all_point: FloatArray  # (U,) mean over classes with objects
    mean_11_point: FloatArray


@dataclass(frozen=True, eq=False)
class ModelResult:
    """Everything computed for one inference set on all frames."""

    predictions: Predictions
    match: MatchResult
    counts: PresetCounts
    curves: CurveSet
    coco: CocoSummary | None
    voc: VocResult | None

    @property
    def name(self) -> str:
        return self.predictions.name


def _noop(_: str) -> None:
    return None


def evaluate_model(
    gt: GroundTruth, preds: Predictions, config: EvalConfig, *, progress: Progress = _noop
) -> ModelResult:
    """Every metric of one inference set at every preset of ``config``.

    The COCO summary is independent of the report matching, so it runs in a second thread (its kernels
    release the GIL): on two cores the two overlap.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        coco_future = pool.submit(evaluate_coco, gt, preds) if config.coco and gt.task == "detection" else None
        progress(f"{preds.name}: matching at {config.iou_grid.size} IoU thresholds")
        match = match_report(gt, preds, config.iou_grid)
        progress(f"{preds.name}: counting {config.iou_grid.size * config.confidence_grid.size} presets")
        counts = count_presets(gt, preds, match, config.confidence_grid)
        progress(f"{preds.name}: PR curves")
        curves = curve_set(gt, preds, match)
        if coco_future is not None:
            progress(f"{preds.name}: COCO summary")
        coco = coco_future.result() if coco_future is not None else None
    voc = None
    if config.voc:
        progress(f"{preds.name}: VOC AP")
        voc = evaluate_voc(gt, preds, config.iou_grid, pixel_inclusive=config.pixel_inclusive)
    return ModelResult(preds, match, counts, curves, coco, voc)


def segment_counts(gt: GroundTruth, result: ModelResult, frame_mask: BoolArray) -> PresetCounts:
    """Counts at every preset over a subset of the frames, reusing the model's matching."""
    return count_presets(gt, result.predictions, result.match, result.counts.conf_thresholds, frame_mask)


def curve_set(gt: GroundTruth, preds: Predictions, match: MatchResult, frame_mask: BoolArray | None = None) -> CurveSet:
    """Sampled and full-resolution PR curves for every class and pooled, at every IoU of ``match``."""
    c = gt.num_classes
    nu = match.iou_thresholds.shape[0]
    npts = CURVE_GRID.shape[0]
    p_sel = np.ones(preds.num_predictions, dtype=bool) if frame_mask is None else frame_mask[preds.frame]
    g_sel = ~gt.crowd if frame_mask is None else (~gt.crowd & frame_mask[gt.frame])
    support = np.bincount(gt.cls[g_sel], minlength=c).astype(np.int64)
    support = np.append(support, support.sum())
    pbin = score_bins(preds.score, CURVE_GRID)
    tp = np.zeros((nu, npts, c + 1), dtype=np.int64)
    predicted = np.zeros((nu, npts, c + 1), dtype=np.int64)
    ap = np.full((nu, c + 1), np.nan)
    best_conf = np.full((nu, c + 1), np.nan)
    best_f1 = np.full((nu, c + 1), np.nan)
    # one global order: descending score, ties in input order; grouped by class keeping that order
    order = np.argsort(-preds.score, kind="stable")
    order = order[p_sel[order]]
    by_class = order[np.argsort(preds.cls[order], kind="stable")]
    group_off = np.zeros(c + 2, dtype=np.int64)
    np.cumsum(np.bincount(preds.cls[by_class], minlength=c), out=group_off[1 : c + 1])
    group_off[c + 1] = group_off[c] + order.size
    for u in range(nu):
        outcome = match.pred_outcome[u]
        counted = outcome != IGNORED
        correct = counted & (np.append(gt.cls, -1)[outcome] == preds.cls)
        sel = p_sel & counted & (pbin >= 0)
        for arr, flags in ((tp, correct & sel), (predicted, sel)):
            hist = np.bincount(pbin[flags] * c + preds.cls[flags], minlength=npts * c).reshape(npts, c)
            cum = np.cumsum(hist[::-1], axis=0)[::-1]
            arr[u, :, :c] = cum
            arr[u, :, c] = cum.sum(axis=1)
        # full-resolution curves of every class, then all classes pooled (the global order), in one kernel
        items = np.concatenate([by_class, order])
        q = np.full((c + 1, COCO_RECALL_THRESHOLDS.size), np.nan)
        _curve_stats_kernel(
            preds.score[items], correct[items], counted[items], group_off, support, COCO_RECALL_THRESHOLDS,
            q, best_conf[u], best_f1[u],
        )  # fmt: skip
        ap[u] = q.mean(axis=1)  # numpy's summation, as Curve.ap101: the same bits
    return CurveSet(CURVE_GRID, tp, predicted, support, ap, best_conf, best_f1)


@numba.njit(cache=True, nogil=True)
def _curve_stats_kernel(
    score: FloatArray,
    correct: BoolArray,
    counted: BoolArray,
    group_off: IntArray,
    support: IntArray,
    rec_thrs: FloatArray,
    out_q: FloatArray,
    out_conf: FloatArray,
    out_f1: FloatArray,
) -> None:
    """Per group of predictions in descending score: the 101 interpolated precisions (``out_q``, left NaN
    without objects) and the F1-optimal confidence.

    The same numbers as the test oracle ``tests/oracles.py`` (``Curve.ap101``, ``Curve.best_f1``)
    on ``curve_from_outcomes`` (one point per distinct score), without building curves.
    """
    for k in range(group_off.shape[0] - 1):
        g0, g1 = group_off[k], group_off[k + 1]
        n_obj = support[k]
        rc = np.empty(g1 - g0)
        pr = np.empty(g1 - g0)
        conf = np.empty(g1 - g0)
        npts = 0
        tp = 0
        n = 0
        best = -1.0
        best_at = -1
        for j in range(g0, g1):
            if not counted[j]:
                continue
            n += 1
            if correct[j]:
                tp += 1
            # a point closes at the last prediction of each distinct score
            last = True
            for nxt in range(j + 1, g1):
                if counted[nxt]:
                    last = score[nxt] != score[j]
                    break
            if not last:
                continue
            p = tp / n
            r = tp / n_obj if n_obj > 0 else np.nan
            rc[npts] = r
            pr[npts] = p
            conf[npts] = score[j]
            if n_obj > 0 and p + r > 0:
                f1 = 2 * p * r / (p + r)
                if f1 >= best:
                    best = f1
                    best_at = npts
            npts += 1
        if best_at >= 0:
            out_conf[k] = conf[best_at]
            out_f1[k] = best
        if n_obj == 0:
            continue
        for i in range(npts - 1, 0, -1):
            if pr[i] > pr[i - 1]:
                pr[i - 1] = pr[i]
        i = 0
        for r_i in range(rec_thrs.shape[0]):
            while i < npts and rc[i] < rec_thrs[r_i]:
                i += 1
            out_q[k, r_i] = pr[i] if i < npts else 0.0


def evaluate_voc(
    gt: GroundTruth, preds: Predictions, iou_thresholds: FloatArray, *, pixel_inclusive: bool
) -> VocResult:
    """Pascal VOC AP (all-point and 11-point) per class at each IoU threshold."""
    c = gt.num_classes
    nu = iou_thresholds.shape[0]
    ap_all = np.full((nu, c), np.nan)
    ap_11 = np.full((nu, c), np.nan)
    support = np.bincount(gt.cls[~gt.crowd], minlength=c)
    for u, thr in enumerate(iou_thresholds):
        tp, ignored, order = match_voc(gt, preds, float(thr), pixel_inclusive=pixel_inclusive)
        for k in range(c):
            idx = order[(preds.cls[order] == k) & ~ignored[order]]
            a_all, a_11, _, _ = voc_ap(tp[idx], int(support[k]))
            if a_all is not None and a_11 is not None:
                ap_all[u, k], ap_11[u, k] = a_all, a_11
    with np.errstate(invalid="ignore"):
        has = support > 0
        mean_all = ap_all[:, has].mean(axis=1) if has.any() else np.full(nu, np.nan)
        mean_11 = ap_11[:, has].mean(axis=1) if has.any() else np.full(nu, np.nan)
    return VocResult(iou_thresholds, pixel_inclusive, ap_all, ap_11, mean_all, mean_11)
