"""IoU matching: the report rule (semantics.md) and the VOC rule, one pass per IoU threshold.

Greedy matching in descending confidence has the property that dropping every prediction below a
confidence ``t`` does not change how the predictions above ``t`` were matched. So one pass per IoU threshold
records, for every prediction, what it matched; every confidence threshold then follows by cumulative sums
(:mod:`reportgen.engine.aggregate`).

Matching is per frame, so it can run on any partition of the frames: :func:`match_report` on a subset of
frames gives exactly the rows of the full result for those frames, and the counts built from partitions add
up (:class:`reportgen.engine.aggregate.PresetCounts` supports ``+``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from reportgen.io.containers import BoolArray, FloatArray, GroundTruth, IntArray, Predictions

#: prediction outcome codes (values >= 0 are the index of the matched ground-truth object)
UNMATCHED = -1  # a false positive
IGNORED = -2  # overlaps a crowd region of its own class: neither TP nor FP


@dataclass(frozen=True, eq=False)
class MatchResult:
    """Report matching of one inference set at several IoU thresholds.

    Attributes:
        iou_thresholds: ``(U,)``.
        pred_outcome: ``(U, M)`` index of the ground-truth object each prediction matched, or
            :data:`UNMATCHED` / :data:`IGNORED`.
        pred_iou: ``(U, M)`` IoU with the matched object (NaN when unmatched or ignored).
        gt_matched_by: ``(U, N)`` index of the prediction that matched each object, or -1.
    """

    iou_thresholds: FloatArray
    pred_outcome: IntArray
    pred_iou: FloatArray
    gt_matched_by: IntArray


def frame_order(frame: IntArray, score: FloatArray | None, num_frames: int) -> tuple[IntArray, IntArray]:
    """Order grouping rows by frame (descending score inside a frame, ties in input order), and offsets.

    Returns ``(order, offsets)`` with ``offsets`` of shape ``(F + 1,)``: rows of frame ``f`` are
    ``order[offsets[f]:offsets[f + 1]]``.
    """
    if score is None:
        order = np.argsort(frame, kind="stable")
    else:
        # lexsort is stable: the last key is primary
        order = np.lexsort((-score, frame))
    counts = np.bincount(frame, minlength=num_frames)
    offsets = np.zeros(num_frames + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return order.astype(np.int64), offsets


@numba.njit(cache=True, nogil=True, inline="always")
def _iou(
    px: float, py: float, pw: float, ph: float, gx: float, gy: float, gw: float, gh: float, crowd: bool, plus: float
) -> float:
    """IoU of two xywh boxes with pycocotools' arithmetic (``bbIou`` in maskApi.c).

    For a crowd region the union is the prediction's area. ``plus`` is 1.0 for the pixel-inclusive VOC
    convention (width = x2 - x1 + 1), else 0.0.
    """
    w = min(px + pw, gx + gw) - max(px, gx) + plus
    if w <= 0:
        return 0.0
    h = min(py + ph, gy + gh) - max(py, gy) + plus
    if h <= 0:
        return 0.0
    inter = w * h
    pa = (pw + plus) * (ph + plus)
    if crowd:
        return inter / pa
    return inter / (pa + (gw + plus) * (gh + plus) - inter)


@numba.njit(cache=True, nogil=True)
def _match_report_kernel(
    thresholds: FloatArray,
    p_order: IntArray,
    p_off: IntArray,
    p_cls: IntArray,
    p_box: FloatArray,
    g_order: IntArray,
    g_off: IntArray,
    g_cls: IntArray,
    g_box: FloatArray,
    g_crowd: BoolArray,
    out_outcome: IntArray,
    out_iou: FloatArray,
    out_gt: IntArray,
) -> None:
    num_frames = p_off.shape[0] - 1
    nthr = thresholds.shape[0]
    for f in range(num_frames):
        p0, p1 = p_off[f], p_off[f + 1]
        g0, g1 = g_off[f], g_off[f + 1]
        np_, ng = p1 - p0, g1 - g0
        if np_ == 0:
            continue
        ious = np.zeros((np_, max(ng, 1)))
        for a in range(np_):
            pi = p_order[p0 + a]
            for b in range(ng):
                gi = g_order[g0 + b]
                ious[a, b] = _iou(
                    p_box[pi, 0],
                    p_box[pi, 1],
                    p_box[pi, 2],
                    p_box[pi, 3],
                    g_box[gi, 0],
                    g_box[gi, 1],
                    g_box[gi, 2],
                    g_box[gi, 3],
                    g_crowd[gi],
                    0.0,
                )
        taken = np.zeros(max(ng, 1), dtype=np.bool_)
        for u in range(nthr):
            thr = thresholds[u]
            taken[:] = False
            for a in range(np_):
                pi = p_order[p0 + a]
                c = p_cls[pi]
                best = -1
                best_iou = -1.0
                # 1. own class, 2. another class: the unmatched non-crowd object with the highest IoU >= thr
                for own in (True, False):
                    for b in range(ng):
                        gi = g_order[g0 + b]
                        if taken[b] or g_crowd[gi] or ((g_cls[gi] == c) != own):
                            continue
                        v = ious[a, b]
                        if v >= thr and v > best_iou:
                            best, best_iou = b, v
                    if best >= 0:
                        break
                if best >= 0:
                    taken[best] = True
                    gi = g_order[g0 + best]
                    out_outcome[u, pi] = gi
                    out_iou[u, pi] = best_iou
                    out_gt[u, gi] = pi
                    continue
                # 3. a crowd region of its own class: ignored
                for b in range(ng):
                    gi = g_order[g0 + b]
                    if g_crowd[gi] and g_cls[gi] == c and ious[a, b] >= thr:
                        out_outcome[u, pi] = -2
                        break


def match_report(gt: GroundTruth, preds: Predictions, iou_thresholds: FloatArray) -> MatchResult:
    """The report matching of semantics.md at each IoU threshold, one pass over the frames."""
    thresholds = np.ascontiguousarray(iou_thresholds, dtype=np.float64)
    p_order, p_off = frame_order(preds.frame, preds.score, gt.num_frames)
    g_order, g_off = frame_order(gt.frame, None, gt.num_frames)
    u, m, n = thresholds.shape[0], preds.num_predictions, gt.num_objects
    outcome = np.full((u, m), UNMATCHED, dtype=np.int64)
    iou = np.full((u, m), np.nan)
    gt_by = np.full((u, n), -1, dtype=np.int64)
    _match_report_kernel(
        thresholds,
        p_order,
        p_off,
        preds.cls,
        np.ascontiguousarray(preds.box),
        g_order,
        g_off,
        gt.cls,
        np.ascontiguousarray(gt.box),
        gt.crowd,
        outcome,
        iou,
        gt_by,
    )
    return MatchResult(thresholds, outcome, iou, gt_by)


@numba.njit(cache=True, nogil=True)
def _match_voc_kernel(
    thr: float,
    plus: float,
    d_sorted: IntArray,
    d_frame: IntArray,
    d_cls: IntArray,
    d_box: FloatArray,
    g_order: IntArray,
    g_off: IntArray,
    g_cls: IntArray,
    g_box: FloatArray,
    g_ignore: BoolArray,
    out_tp: BoolArray,
    out_ignored: BoolArray,
) -> None:
    taken = np.zeros(g_order.shape[0], dtype=np.bool_)
    for k in range(d_sorted.shape[0]):
        di = d_sorted[k]
        f = d_frame[di]
        best = -1
        best_iou = -1.0
        for b in range(g_off[f], g_off[f + 1]):
            gi = g_order[b]
            if g_cls[gi] != d_cls[di]:
                continue
            v = _iou(
                d_box[di, 0],
                d_box[di, 1],
                d_box[di, 2],
                d_box[di, 3],
                g_box[gi, 0],
                g_box[gi, 1],
                g_box[gi, 2],
                g_box[gi, 3],
                False,
                plus,
            )
            if v > best_iou:
                best, best_iou = b, v
        if best >= 0 and best_iou >= thr:
            gi = g_order[best]
            if g_ignore[gi]:
                out_ignored[di] = True
            elif not taken[best]:
                taken[best] = True
                out_tp[di] = True


def match_voc(
    gt: GroundTruth, preds: Predictions, iou_threshold: float, *, pixel_inclusive: bool
) -> tuple[BoolArray, BoolArray, IntArray]:
    """Pascal VOC matching of every prediction against objects of its own class.

    Detections are visited in descending score over the whole set (ties in input order). A detection takes
    the object of its class with the highest IoU in its frame (ties: the earlier object); it is a true
    positive when that IoU >= threshold and the object is still free, a false positive when the object is
    taken or the IoU is too low, and ignored when the object is a crowd / ``difficult`` region.

    Returns ``(tp, ignored, order)``: boolean ``(M,)`` arrays and the descending-score order used.
    """
    order = np.argsort(-preds.score, kind="stable").astype(np.int64)
    g_order, g_off = frame_order(gt.frame, None, gt.num_frames)
    tp = np.zeros(preds.num_predictions, dtype=np.bool_)
    ignored = np.zeros(preds.num_predictions, dtype=np.bool_)
    _match_voc_kernel(
        float(iou_threshold),
        1.0 if pixel_inclusive else 0.0,
        order,
        preds.frame,
        preds.cls,
        np.ascontiguousarray(preds.box),
        g_order,
        g_off,
        gt.cls,
        np.ascontiguousarray(gt.box),
        gt.crowd,
        tp,
        ignored,
    )
    return tp, ignored, order
