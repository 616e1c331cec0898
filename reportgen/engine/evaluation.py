"""Evaluate inference sets against ground truth: every metric at every preset.

``evaluate_model`` runs one matching pass per IoU threshold of the grid, then derives every confidence
preset by cumulative sums, the PR curves, AP, the F1-optimal confidences, the COCO summary and (on request)
the VOC numbers. Segments reuse the same matching through :func:`segment_counts`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt

from reportgen.engine.aggregate import PresetCounts, count_presets, score_bins
from reportgen.engine.cocoeval import CocoSummary, coco_from_records, coco_match, coco_records
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
from reportgen.engine.partition import Part, whole
from reportgen.engine.records import I32Array, Records, SavedRecords, pack
from reportgen.engine.report_parts import ReportAccumulator, ReportData, ReportPart, ReportSpec, report_part
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
class ModelSummary:
    """Every metric of one inference set on all frames: what ``evaluate`` reports.

    A partitioned run (:func:`reduce_parts`) produces this; a run in one piece (:func:`evaluate_model`) produces
    a :class:`ModelResult`, which also keeps the predictions and their matching (for segments and the report).
    """

    name: str
    source: str
    num_predictions: int
    dropped_unknown_frames: int
    counts: PresetCounts
    curves: CurveSet
    coco: CocoSummary | None
    voc: VocResult | None
    records: Records | None  # kept when asked (the curves of segments come from them)
    segments: tuple[PresetCounts, ...]  # counts of the segments asked for (map_part's segment_masks), in order
    report: ReportData | None  # examples and object outcomes, when a report asked for them (map_part's report)


@dataclass(frozen=True, eq=False)
class ModelResult(ModelSummary):
    """A :class:`ModelSummary` that keeps the predictions and their report matching."""

    predictions: Predictions
    match: MatchResult


def _noop(_: str) -> None:
    return None


@dataclass(frozen=True, eq=False)
class PartResult:
    """The map step's output for one partition of the frames: counts that add, and compact records."""

    counts: PresetCounts
    records: Records | SavedRecords
    segments: tuple[PresetCounts, ...] = ()
    report: ReportPart | None = None


def outcome_flags(gt: GroundTruth, preds: Predictions, match: MatchResult) -> BoolArray:
    """``(2U, M)``: per IoU u, row u "correct" (matched an object of the prediction's class), row U + u
    "counted" (not ignored)."""
    nu = match.iou_thresholds.shape[0]
    out = np.zeros((2 * nu, preds.num_predictions), dtype=np.bool_)
    gt_cls = np.append(gt.cls, -1)
    for u in range(nu):
        outcome = match.pred_outcome[u]
        counted = outcome != IGNORED
        out[nu + u] = counted
        out[u] = counted & (gt_cls[outcome] == preds.cls)
    return out


def map_part(
    part: Part, config: EvalConfig, *, segment_masks: Sequence[BoolArray] = (), report: ReportSpec | None = None,
    progress: Progress = _noop,
) -> tuple[PartResult, MatchResult]:  # fmt: skip
    """The map step: match one partition of the frames and reduce it to counts and records (and the counts of
    each segment, ``segment_masks`` being ``(F,)`` masks over the global frames; and what a report needs of
    the partition's predictions and objects when ``report`` says so).

    The COCO matching runs in a second thread (its kernels release the GIL): on two cores the two overlap.
    """
    gt, preds = part.gt, part.preds
    name = preds.name
    with ThreadPoolExecutor(max_workers=1) as pool:
        wants_coco = config.coco and gt.task == "detection"
        coco_future = pool.submit(coco_match, gt, preds) if wants_coco else None
        progress(f"{name}: matching at {config.iou_grid.size} IoU thresholds")
        match = match_report(gt, preds, config.iou_grid)
        progress(f"{name}: counting {config.iou_grid.size * config.confidence_grid.size} presets")
        counts = count_presets(gt, preds, match, config.confidence_grid)
        flags = pack(outcome_flags(gt, preds, match))
        if coco_future is not None:
            progress(f"{name}: COCO matching")
            coco_rank, coco_flags = coco_records(coco_future.result())
        else:
            coco_rank, coco_flags = np.zeros(0, dtype=np.uint8), np.zeros((0, preds.num_predictions), dtype=np.uint8)
    voc_flags = np.zeros((0, preds.num_predictions), dtype=np.uint8)
    if config.voc:
        progress(f"{name}: VOC matching")
        nu = config.iou_grid.size
        both = np.zeros((2 * nu, preds.num_predictions), dtype=np.bool_)
        for u, thr in enumerate(config.iou_grid):
            both[u], both[nu + u], _ = match_voc(gt, preds, float(thr), pixel_inclusive=config.pixel_inclusive)
        voc_flags = pack(both)
    records = Records(
        preds.score, preds.cls.astype(np.int32), part.frames[preds.frame].astype(np.int32), part.positions,
        config.iou_grid.size, flags, coco_rank, coco_flags, voc_flags,
    )  # fmt: skip
    segments = tuple(
        count_presets(gt, preds, match, config.confidence_grid, mask[part.frames]) for mask in segment_masks
    )
    extra = report_part(part, match, config.confidence_grid, report) if report is not None else None
    return PartResult(counts, records, segments, extra), match


def reduce_parts(
    gt: GroundTruth,
    parts: list[PartResult],
    config: EvalConfig,
    *,
    name: str,
    source: str = "",
    dropped_unknown_frames: int = 0,
    keep_records: bool = False,
    report: ReportSpec | None = None,
    progress: Progress = _noop,
) -> ModelSummary:
    """The reduce step: add the counts of every partition and merge their records in the global order (and their
    report data, when the map step kept it with ``report``).

    ``parts`` must cover every frame of ``gt`` exactly once; it is consumed (emptied) so that each partition's
    records are freed once merged. ``keep_records``: keep the merged records in the result (segments' curves; always
    with ``report``).
    """
    counts = parts[0].counts
    for p in parts[1:]:
        counts = counts + p.counts
    segments = add_segments(parts)
    if counts.frame_count != gt.num_frames:
        raise ValueError(f"partitions cover {counts.frame_count} frames, the ground truth has {gt.num_frames}")
    report_data = None
    if report is not None:
        report_data = reduce_reports(gt, [p.report for p in parts], config.iou_grid.size, report)
    pieces = [p.records for p in parts]
    parts.clear()  # each partition's records are freed once copied
    records = Records.concat(pieces)
    progress(f"{name}: PR curves")
    curves = curves_from_records(gt, records)
    coco = None
    if records.has_coco:
        progress(f"{name}: COCO summary")
        coco = coco_from_records(gt, records)
    voc = None
    if records.has_voc:
        progress(f"{name}: VOC AP")
        voc = voc_from_records(gt, records, config.iou_grid, pixel_inclusive=config.pixel_inclusive)
    kept = records if keep_records or report is not None else None  # a report's segments and bootstrap read them
    return ModelSummary(name, source, len(records), dropped_unknown_frames, counts, curves, coco, voc, kept, segments,
                        report_data)  # fmt: skip


def reduce_reports(gt: GroundTruth, parts: Sequence[ReportPart | None], num_iou: int, spec: ReportSpec) -> ReportData:
    """The partitions' report data merged (the map step ran with the same ``spec``)."""
    acc = ReportAccumulator(gt, num_iou, spec)
    for part in parts:
        if part is None:
            raise ValueError("a partition has no report data")
        acc.add(part)
    return acc.result()


def add_segments(parts: Sequence[PartResult]) -> tuple[PresetCounts, ...]:
    """Each segment's counts over every partition."""
    if not parts:
        return ()
    out = list(parts[0].segments)
    for p in parts[1:]:
        out = [a + b for a, b in zip(out, p.segments, strict=True)]
    return tuple(out)


def evaluate_model(
    gt: GroundTruth, preds: Predictions, config: EvalConfig, *, report: ReportSpec | None = None,
    keep_records: bool = False, progress: Progress = _noop,
) -> ModelResult:  # fmt: skip
    """Every metric of one inference set at every preset of ``config``: the map step on all frames at once, then
    the reduce step (the same two functions a partitioned run uses)."""
    part = whole(gt, preds)
    result, match = map_part(part, config, report=report, progress=progress)
    summary = reduce_parts(
        gt, [result], config, name=preds.name, source=preds.source,
        dropped_unknown_frames=preds.dropped_unknown_frames, keep_records=keep_records, report=report,
        progress=progress,
    )  # fmt: skip
    fields = {f.name: getattr(summary, f.name) for f in dataclasses.fields(ModelSummary)}
    return ModelResult(**fields, predictions=preds, match=match)


def with_report(gt: GroundTruth, result: ModelResult, config: EvalConfig, spec: ReportSpec) -> ModelResult:
    """``result`` with its report data (:mod:`reportgen.engine.report_parts`), from the matching it kept: the
    same map step on one partition, and the same reduce."""
    part = report_part(whole(gt, result.predictions), result.match, config.confidence_grid, spec)
    return dataclasses.replace(result, report=reduce_reports(gt, [part], config.iou_grid.size, spec))


def segment_counts(gt: GroundTruth, result: ModelResult, frame_mask: BoolArray) -> PresetCounts:
    """Counts at every preset over a subset of the frames, reusing the model's matching."""
    return count_presets(gt, result.predictions, result.match, result.counts.conf_thresholds, frame_mask)


def curve_set(gt: GroundTruth, preds: Predictions, match: MatchResult, frame_mask: BoolArray | None = None) -> CurveSet:
    """Sampled and full-resolution PR curves for every class and pooled, at every IoU of ``match``."""
    m = preds.num_predictions
    empty = np.zeros((0, m), dtype=np.uint8)
    records = Records(
        preds.score, preds.cls.astype(np.int32), preds.frame.astype(np.int32), np.arange(m, dtype=np.int64),
        match.iou_thresholds.shape[0], pack(outcome_flags(gt, preds, match)), np.zeros(0, dtype=np.uint8), empty,
        empty,
    )  # fmt: skip
    return curves_from_records(gt, records, frame_mask)


def segment_curves(gt: GroundTruth, result: ModelSummary, frame_mask: BoolArray) -> CurveSet:
    """The PR curves of the frames in ``frame_mask``: from the kept records, or from the matching."""
    if result.records is not None:
        return curves_from_records(gt, result.records, frame_mask)
    if isinstance(result, ModelResult):
        return curve_set(gt, result.predictions, result.match, frame_mask)
    raise ValueError("a segment's curves need the records or the matching")


def _score_order(records: Records, selected: BoolArray | None = None) -> I32Array:
    """Records in descending score, ties by input position (the single-pass engine's stable order), as 4-byte
    indices."""
    order = np.lexsort((records.position, -records.score))
    if selected is not None:
        order = order[selected[order]]
    return order.astype(np.int32)


def _by_class(records: Records, order: I32Array, num_classes: int) -> tuple[I32Array, IntArray]:
    """``order`` grouped by class (keeping the order inside each class), and the groups' offsets."""
    cls = records.cls[order]
    by_class = order[np.argsort(cls, kind="stable")]
    off = np.zeros(num_classes + 1, dtype=np.int64)
    np.cumsum(np.bincount(cls, minlength=num_classes), out=off[1:])
    return by_class, off


#: records counted per histogram step (bounds the temporaries of the reduce's histograms)
_SLICE = 1 << 22


def _class_histogram(pbin: npt.NDArray[np.int16], cls: I32Array, flags: BoolArray, npts: int, c: int) -> IntArray:
    """Flagged records counted by (score bin, class), a slice at a time."""
    hist = np.zeros(npts * c, dtype=np.int64)
    for start in range(0, flags.shape[0], _SLICE):
        sl = slice(start, start + _SLICE)
        f = flags[sl]
        hist += np.bincount(pbin[sl][f].astype(np.int64) * c + cls[sl][f], minlength=npts * c)
    return hist.reshape(npts, c)


def curves_from_records(gt: GroundTruth, records: Records, frame_mask: BoolArray | None = None) -> CurveSet:
    """Sampled and full-resolution PR curves of every class and pooled, from the records of every frame (or of
    the frames in ``frame_mask``)."""
    c = gt.num_classes
    nu = records.num_iou
    npts = CURVE_GRID.shape[0]
    p_sel = None if frame_mask is None else frame_mask[records.frame]
    g_sel = ~gt.crowd if frame_mask is None else (~gt.crowd & frame_mask[gt.frame])
    support = np.bincount(gt.cls[g_sel], minlength=c).astype(np.int64)
    support = np.append(support, support.sum())
    pbin = score_bins(records.score, CURVE_GRID).astype(np.int16)  # 101 bins: 2 bytes a record, not 8
    tp = np.zeros((nu, npts, c + 1), dtype=np.int64)
    predicted = np.zeros((nu, npts, c + 1), dtype=np.int64)
    ap = np.full((nu, c + 1), np.nan)
    best_conf = np.full((nu, c + 1), np.nan)
    best_f1 = np.full((nu, c + 1), np.nan)
    # one global order: descending score, ties in input order; grouped by class keeping that order
    order = _score_order(records, p_sel)
    by_class, class_off = _by_class(records, order, c)
    pooled_off = np.array([0, order.size], dtype=np.int64)
    in_grid = pbin >= 0 if p_sel is None else (pbin >= 0) & p_sel
    for u in range(nu):
        correct, counted = records.correct(u), records.counted(u)
        sel = counted & in_grid
        for arr, flags in ((tp, correct & sel), (predicted, sel)):
            cum = np.cumsum(_class_histogram(pbin, records.cls, flags, npts, c)[::-1], axis=0)[::-1]
            arr[u, :, :c] = cum
            arr[u, :, c] = cum.sum(axis=1)
        # full-resolution curves of every class, then of all classes pooled (the global order)
        q = np.full((c + 1, COCO_RECALL_THRESHOLDS.size), np.nan)
        for items, off, k0, k1 in ((by_class, class_off, 0, c), (order, pooled_off, c, c + 1)):
            _curve_stats_kernel(
                items, records.score, correct, counted, off, support[k0:k1], COCO_RECALL_THRESHOLDS,
                q[k0:k1], best_conf[u, k0:k1], best_f1[u, k0:k1],
            )  # fmt: skip
        ap[u] = q.mean(axis=1)  # numpy's summation, as Curve.ap101: the same bits
    return CurveSet(CURVE_GRID, tp, predicted, support, ap, best_conf, best_f1)


@numba.njit(cache=True, nogil=True)
def _closes(items: I32Array, score: FloatArray, counted: BoolArray, j: int, g1: int) -> bool:
    """Whether counted prediction ``items[j]`` is the last of its score (a curve point closes there)."""
    for nxt in range(j + 1, g1):
        if counted[items[nxt]]:
            return bool(score[items[nxt]] != score[items[j]])
    return True


@numba.njit(cache=True, nogil=True)
def _curve_stats_kernel(
    items: I32Array,
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
    """Per group of predictions ``items[group_off[k]:group_off[k + 1]]`` (indices into ``score``, ``correct`` and
    ``counted``, in descending score): the 101 interpolated precisions (``out_q``, left NaN without objects) and
    the F1-optimal confidence.

    The same numbers as the test oracle ``tests/oracles.py`` (``Curve.ap101``, ``Curve.best_f1``)
    on ``curve_from_outcomes`` (one point per distinct score), without building curves. The points are counted
    first, so memory grows with the number of distinct scores, not of predictions.
    """
    for k in range(group_off.shape[0] - 1):
        g0, g1 = group_off[k], group_off[k + 1]
        n_obj = support[k]
        points = 0
        for j in range(g0, g1):
            if counted[items[j]] and _closes(items, score, counted, j, g1):
                points += 1
        rc = np.empty(points)
        pr = np.empty(points)
        conf = np.empty(points)
        npts = 0
        tp = 0
        n = 0
        best = -1.0
        best_at = -1
        for j in range(g0, g1):
            d = items[j]
            if not counted[d]:
                continue
            n += 1
            if correct[d]:
                tp += 1
            # a point closes at the last prediction of each distinct score
            if not _closes(items, score, counted, j, g1):
                continue
            p = tp / n
            r = tp / n_obj if n_obj > 0 else np.nan
            rc[npts] = r
            pr[npts] = p
            conf[npts] = score[d]
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
    """Pascal VOC AP (all-point and 11-point) per class at each IoU threshold: VOC matching of every frame, then
    :func:`voc_from_records`."""
    nu, m = iou_thresholds.shape[0], preds.num_predictions
    both = np.zeros((2 * nu, m), dtype=np.bool_)
    for u, thr in enumerate(iou_thresholds):
        both[u], both[nu + u], _ = match_voc(gt, preds, float(thr), pixel_inclusive=pixel_inclusive)
    empty = np.zeros((0, m), dtype=np.uint8)
    records = Records(
        preds.score, preds.cls.astype(np.int32), preds.frame.astype(np.int32), np.arange(m, dtype=np.int64), nu,
        empty, np.zeros(0, dtype=np.uint8), empty, pack(both),
    )  # fmt: skip
    return voc_from_records(gt, records, iou_thresholds, pixel_inclusive=pixel_inclusive)


def voc_from_records(
    gt: GroundTruth, records: Records, iou_thresholds: FloatArray, *, pixel_inclusive: bool
) -> VocResult:
    """VOC AP per class and IoU from the records of every frame: each class's detections in descending score
    (ties in input order), ignored ones left out."""
    c = gt.num_classes
    nu = iou_thresholds.shape[0]
    ap_all = np.full((nu, c), np.nan)
    ap_11 = np.full((nu, c), np.nan)
    support = np.bincount(gt.cls[~gt.crowd], minlength=c)
    by_class, class_off = _by_class(records, _score_order(records), c)
    for u in range(nu):
        tp, ignored = records.voc_tp(u), records.voc_ignored(u)
        for k in range(c):
            idx = by_class[class_off[k] : class_off[k + 1]]
            idx = idx[~ignored[idx]]
            a_all, a_11, _, _ = voc_ap(tp[idx], int(support[k]))
            if a_all is not None and a_11 is not None:
                ap_all[u, k], ap_11[u, k] = a_all, a_11
    with np.errstate(invalid="ignore"):
        has = support > 0
        mean_all = ap_all[:, has].mean(axis=1) if has.any() else np.full(nu, np.nan)
        mean_11 = ap_11[:, has].mean(axis=1) if has.any() else np.full(nu, np.nan)
    return VocResult(iou_thresholds, pixel_inclusive, ap_all, ap_11, mean_all, mean_11)
