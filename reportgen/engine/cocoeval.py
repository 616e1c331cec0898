"""The COCO bbox summary, computed exactly as pycocotools' ``COCOeval`` computes it.

Rules kept from pycocotools (``cocoeval.py``, ``maskApi.c``), so the 12 numbers equal its output to 1e-9:

- categories: every category of the ground truth; images: every image, in ascending image id;
- per (image, category): detections sorted by descending score (stable), only the first 100 used;
  ground truth sorted so that ignored objects come last (stable);
- an object is ignored when ``iscrowd`` or when its ``area`` field lies outside the size range
  (all / small < 32² / medium / large >= 96², bounds inclusive); a crowd object's IoU is
  intersection / detection area and it can absorb any number of detections;
- matching per IoU threshold in pycocotools' loop order: a detection takes the last object with the largest
  IoU >= threshold, preferring non-ignored objects; a detection matched to an ignored object, or unmatched
  and outside the size range (by ``w * h``), is ignored;
- precision interpolated at 101 recall points, recall at the last detection; maxDets 1 / 10 / 100 truncate
  the per-image lists; undefined cells are -1 and are left out of the means.

Deliberate difference: pycocotools treats an annotation id of 0 as "unmatched" (it stores ids in its match
arrays and tests them for zero). Here matches are kept by position, so id 0 is an ordinary id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from reportgen.engine.grids import COCO_IOU_THRESHOLDS, COCO_RECALL_THRESHOLDS
from reportgen.engine.match import _iou
from reportgen.engine.records import RANK_DROPPED, Records, U8Array, pack
from reportgen.io.containers import BoolArray, FloatArray, GroundTruth, IntArray, Predictions

AREA_RANGES: tuple[tuple[str, float, float], ...] = (
    ("all", 0.0, 1e5**2),
    ("small", 0.0, 32.0**2),
    ("medium", 32.0**2, 96.0**2),
    ("large", 96.0**2, 1e5**2),
)
MAX_DETS: tuple[int, ...] = (1, 10, 100)

#: (name, is_ap, iou threshold or None, area name, maxDets) in pycocotools' order
SUMMARY_ROWS: tuple[tuple[str, bool, float | None, str, int], ...] = (
    ("AP", True, None, "all", 100),
    ("AP50", True, 0.5, "all", 100),
    ("AP75", True, 0.75, "all", 100),
    ("APs", True, None, "small", 100),
    ("APm", True, None, "medium", 100),
    ("APl", True, None, "large", 100),
    ("AR1", False, None, "all", 1),
    ("AR10", False, None, "all", 10),
    ("AR100", False, None, "all", 100),
    ("ARs", False, None, "small", 100),
    ("ARm", False, None, "medium", 100),
    ("ARl", False, None, "large", 100),
)


@dataclass(frozen=True, eq=False)
class CocoSummary:
    """Result of the COCO evaluation.

    Attributes:
        stats: ``(12,)`` the summary in pycocotools' order; NaN where pycocotools prints -1.
        precision: ``(T, R, K, A, M)`` as pycocotools' ``eval['precision']`` (-1 = undefined).
        recall: ``(T, K, A, M)`` as ``eval['recall']``.
        class_index: ``(K,)`` class index (into ``GroundTruth.classes``) of each K position, in ascending
            category id.
    """

    stats: FloatArray
    precision: FloatArray
    recall: FloatArray
    class_index: IntArray

    def stat(self, name: str) -> float | None:
        """One summary number by name (``"AP"``, ``"AP50"``, ... ``"ARl"``), None when undefined."""
        names = [row[0] for row in SUMMARY_ROWS]
        value = float(self.stats[names.index(name)])
        return None if np.isnan(value) else value

    def ap_per_class(self) -> dict[int, float | None]:
        """AP@[.50:.95] (area all, maxDets 100) per class index; None for a class without ground truth."""
        out: dict[int, float | None] = {}
        for k, cls in enumerate(self.class_index):
            s = self.precision[:, :, k, 0, -1]
            s = s[s > -1]
            out[int(cls)] = float(np.mean(s)) if s.size else None
        return out

    def lines(self) -> list[str]:
        """The 12 lines pycocotools' ``summarize()`` prints, character for character."""
        out = []
        for (_, is_ap, iou, area, max_det), value in zip(SUMMARY_ROWS, self.stats, strict=True):
            title = "Average Precision" if is_ap else "Average Recall"
            kind = "(AP)" if is_ap else "(AR)"
            iou_str = f"{COCO_IOU_THRESHOLDS[0]:0.2f}:{COCO_IOU_THRESHOLDS[-1]:0.2f}" if iou is None else f"{iou:0.2f}"
            shown = -1.0 if np.isnan(value) else float(value)
            out.append(
                f" {title:<18} {kind} @[ IoU={iou_str:<9} | area={area:>6s} | maxDets={max_det:>3d} ] = {shown:0.3f}"
            )
        return out


@numba.njit(cache=True, nogil=True)
def _coco_match_kernel(
    thresholds: FloatArray,
    area_lo: FloatArray,
    area_hi: FloatArray,
    d_order: IntArray,
    d_off: IntArray,
    d_box: FloatArray,
    g_order: IntArray,
    g_off: IntArray,
    g_box: FloatArray,
    g_area: FloatArray,
    g_crowd: BoolArray,
    max_det: int,
    out_rank: IntArray,
    out_matched: BoolArray,
    out_ignored: BoolArray,
) -> None:
    """Per (image, category) block: pycocotools' evaluateImg for every area range and IoU threshold.

    Blocks are the groups of ``d_off`` / ``g_off`` (same block count). ``out_rank[d]`` is the detection's
    rank in its block (kept only below ``max_det``); ``out_matched`` / ``out_ignored`` are ``(A, T, M)``.
    """
    nblocks = d_off.shape[0] - 1
    na = area_lo.shape[0]
    nt = thresholds.shape[0]
    for blk in range(nblocks):
        d0, d1 = d_off[blk], d_off[blk + 1]
        g0, g1 = g_off[blk], g_off[blk + 1]
        nd = min(d1 - d0, max_det)
        ng = g1 - g0
        for a in range(d1 - d0):
            out_rank[d_order[d0 + a]] = a
        if nd == 0:
            continue
        # IoU of every detection with every object of the block, once for all size ranges
        ious_all = np.zeros((nd, max(ng, 1)))
        for a in range(nd):
            di = d_order[d0 + a]
            for b in range(ng):
                gi = g_order[g0 + b]
                ious_all[a, b] = _iou(
                    d_box[di, 0], d_box[di, 1], d_box[di, 2], d_box[di, 3],
                    g_box[gi, 0], g_box[gi, 1], g_box[gi, 2], g_box[gi, 3], g_crowd[gi], 0.0,
                )  # fmt: skip
        gpos = np.empty(ng, dtype=np.int64)
        gsorted = np.empty(ng, dtype=np.int64)
        gign = np.empty(ng, dtype=np.bool_)
        ious = np.zeros((nd, max(ng, 1)))
        for ai in range(na):
            lo, hi = area_lo[ai], area_hi[ai]
            # ground truth in pycocotools' order: not-ignored first, stable
            k = 0
            for pass_ignored in (False, True):
                for b in range(ng):
                    gi = g_order[g0 + b]
                    ig = g_crowd[gi] or g_area[gi] < lo or g_area[gi] > hi
                    if ig == pass_ignored:
                        gpos[k] = b
                        gsorted[k] = gi
                        gign[k] = ig
                        k += 1
            for a in range(nd):
                for b in range(ng):
                    ious[a, b] = ious_all[a, gpos[b]]
            gtm = np.zeros(max(ng, 1), dtype=np.bool_)
            for t in range(nt):
                gtm[:] = False
                for a in range(nd):
                    di = d_order[d0 + a]
                    iou = min(thresholds[t], 1 - 1e-10)
                    m = -1
                    for b in range(ng):
                        if gtm[b] and not g_crowd[gsorted[b]]:
                            continue
                        if m > -1 and not gign[m] and gign[b]:
                            break
                        if ious[a, b] < iou:
                            continue
                        iou = ious[a, b]
                        m = b
                    if m == -1:
                        darea = d_box[di, 2] * d_box[di, 3]
                        out_ignored[ai, t, di] = darea < lo or darea > hi
                        continue
                    out_ignored[ai, t, di] = gign[m]
                    out_matched[ai, t, di] = True
                    gtm[m] = True


@numba.njit(cache=True, nogil=True, inline="always")
def _bit(packed: U8Array, r: int, d: int) -> bool:
    """Row ``r`` of column ``d`` of flags packed by :func:`reportgen.engine.records.pack`."""
    return bool((packed[r >> 3, d] >> (7 - (r & 7))) & 1)


@numba.njit(cache=True, nogil=True)
def _coco_accumulate_kernel(
    seq: IntArray,
    cat_off: IntArray,
    rank: IntArray,
    flags: U8Array,
    na: int,
    nt: int,
    npig: IntArray,
    max_dets: IntArray,
    rec_thrs: FloatArray,
    out_precision: FloatArray,
    out_recall: FloatArray,
) -> None:
    """pycocotools' ``accumulate()`` with its exact arithmetic.

    ``seq`` holds the detections of each category (``cat_off`` groups) in accumulate order; ``flags`` their
    packed ``dtMatches`` (rows ``a * nt + t``) and ``dtIgnore`` (rows ``na * nt + a * nt + t``), read bit by bit
    (no unpacked copy). Categories or ranges without non-ignored objects keep -1, as in pycocotools.
    """
    nr = rec_thrs.shape[0]
    eps = np.spacing(1.0)
    for k in range(cat_off.shape[0] - 1):
        d0, d1 = cat_off[k], cat_off[k + 1]
        for a in range(na):
            n_obj = npig[k, a]
            if n_obj == 0:
                continue
            for mi in range(max_dets.shape[0]):
                md = max_dets[mi]
                for t in range(nt):
                    rc = np.empty(d1 - d0)
                    pr = np.empty(d1 - d0)
                    nd = 0
                    tp = 0.0
                    fp = 0.0
                    for j in range(d0, d1):
                        d = seq[j]
                        if rank[d] >= md:
                            continue
                        if not _bit(flags, na * nt + a * nt + t, d):
                            if _bit(flags, a * nt + t, d):
                                tp += 1.0
                            else:
                                fp += 1.0
                        rc[nd] = tp / n_obj
                        pr[nd] = tp / (fp + tp + eps)
                        nd += 1
                    out_recall[t, k, a, mi] = rc[nd - 1] if nd else 0.0
                    for i in range(nd - 1, 0, -1):
                        if pr[i] > pr[i - 1]:
                            pr[i - 1] = pr[i]
                    i = 0
                    for r in range(nr):
                        while i < nd and rc[i] < rec_thrs[r]:
                            i += 1
                        out_precision[t, r, k, a, mi] = pr[i] if i < nd else 0.0


def _image_rank(gt: GroundTruth) -> IntArray:
    """Rank of each frame in pycocotools' image order (ascending image id; ids compared as numbers)."""
    try:
        keys = np.array([int(f) for f in gt.frame_ids], dtype=np.int64)
        order = np.argsort(keys, kind="stable")
    except ValueError:
        order = np.array(sorted(range(gt.num_frames), key=lambda i: gt.frame_ids[i]), dtype=np.int64)
    rank = np.empty(gt.num_frames, dtype=np.int64)
    rank[order] = np.arange(gt.num_frames)
    return rank


@dataclass(frozen=True, eq=False)
class CocoMatch:
    """pycocotools' ``evaluateImg`` of every detection of a set of frames (the map step of the COCO summary).

    Attributes:
        rank: ``(M,)`` each detection's rank in its (image, category) by descending score (ties in input order).
        flags: ``(2, A, T, M)`` pycocotools' ``dtMatches`` (index 0) and ``dtIgnore`` (index 1) per area range
            and IoU threshold; False beyond rank 100.
    """

    rank: IntArray
    flags: BoolArray


def coco_match(gt: GroundTruth, preds: Predictions) -> CocoMatch:
    """pycocotools' per-(image, category) matching of every detection, at every area range and IoU threshold.

    Works on any subset of whole frames: the result for a frame depends on that frame only.
    """
    num_classes = gt.num_classes
    nimg = gt.num_frames
    # blocks ordered by (class, frame); their order does not matter, each block is matched on its own
    g_block = gt.cls * nimg + gt.frame
    d_block = preds.cls * nimg + preds.frame
    nblocks = num_classes * nimg
    g_order = np.argsort(g_block, kind="stable").astype(np.int64)
    d_order = np.lexsort((-preds.score, d_block)).astype(np.int64)
    g_off = np.zeros(nblocks + 1, dtype=np.int64)
    np.cumsum(np.bincount(g_block, minlength=nblocks), out=g_off[1:])
    d_off = np.zeros(nblocks + 1, dtype=np.int64)
    np.cumsum(np.bincount(d_block, minlength=nblocks), out=d_off[1:])
    area_lo = np.array([r[1] for r in AREA_RANGES])
    area_hi = np.array([r[2] for r in AREA_RANGES])
    na, nt, m = len(AREA_RANGES), COCO_IOU_THRESHOLDS.shape[0], preds.num_predictions
    rank = np.zeros(m, dtype=np.int64)
    flags = np.zeros((2, na, nt, m), dtype=np.bool_)
    _coco_match_kernel(
        COCO_IOU_THRESHOLDS, area_lo, area_hi, d_order, d_off, np.ascontiguousarray(preds.box), g_order, g_off,
        np.ascontiguousarray(gt.box), gt.area, gt.crowd, MAX_DETS[-1], rank, flags[0], flags[1],
    )  # fmt: skip
    return CocoMatch(rank, flags)


def coco_records(match: CocoMatch) -> tuple[U8Array, U8Array]:
    """The match as compact records: ranks capped at :data:`RANK_DROPPED` and the flags bit-packed."""
    rank = np.minimum(match.rank, RANK_DROPPED).astype(np.uint8)
    m = match.rank.shape[0]
    return rank, pack(match.flags.reshape(2 * len(AREA_RANGES) * COCO_IOU_THRESHOLDS.shape[0], m))


def coco_from_records(gt: GroundTruth, records: Records) -> CocoSummary:
    """pycocotools' ``accumulate(); summarize()`` over the records of every frame (the reduce step).

    Detections of a category are taken in pycocotools' accumulate order: by descending score, ties in image
    order (ascending image id), then by rank in the image (input order on equal scores), which is the order
    pycocotools' stable sort leaves them in after concatenating the images' lists in image order.
    """
    num_classes = gt.num_classes
    class_index = np.argsort(np.asarray(gt.category_ids, dtype=np.int64), kind="stable")
    cat_pos = np.empty(num_classes, dtype=np.int64)
    cat_pos[class_index] = np.arange(num_classes)
    image_rank = _image_rank(gt)
    na, nt = len(AREA_RANGES), COCO_IOU_THRESHOLDS.shape[0]
    nr, nm = COCO_RECALL_THRESHOLDS.shape[0], len(MAX_DETS)
    precision = -np.ones((nt, nr, num_classes, na, nm))
    recall = -np.ones((nt, num_classes, na, nm))
    g_ignored = [gt.crowd | (gt.area < lo) | (gt.area > hi) for _, lo, hi in AREA_RANGES]
    g_cat = cat_pos[gt.cls]
    npig = np.stack([np.bincount(g_cat[~ig], minlength=num_classes) for ig in g_ignored], axis=1).astype(
        np.int64
    )  # (K, A) objects that are not ignored
    # each record's category position (num_classes: beyond the 100 kept per image and category), in 2 bytes a
    # record; a category's records are then found one category at a time (no global sort of the records)
    key_type = np.int16 if num_classes < np.iinfo(np.int16).max else np.int32
    cat_key = cat_pos.astype(key_type)[records.cls]
    cat_key[records.coco_rank >= MAX_DETS[-1]] = num_classes
    max_dets = np.array(MAX_DETS, dtype=np.int64)
    for k in range(num_classes):
        sub = np.flatnonzero(cat_key == k)  # ascending: the order does not matter, the sort below sets it
        # lexsort is stable and its last key is primary
        seq = sub[np.lexsort((records.position[sub], image_rank[records.frame[sub]], -records.score[sub]))]
        prec_k = -np.ones((nt, nr, 1, na, nm))
        rec_k = -np.ones((nt, 1, na, nm))
        _coco_accumulate_kernel(
            np.arange(seq.shape[0], dtype=np.int64), np.array([0, seq.shape[0]], dtype=np.int64),
            records.coco_rank[seq].astype(np.int64), np.ascontiguousarray(records.coco_flags[:, seq]), na, nt,
            npig[k : k + 1], max_dets,
            COCO_RECALL_THRESHOLDS, prec_k, rec_k,
        )  # fmt: skip
        precision[:, :, k] = prec_k[:, :, 0]
        recall[:, k] = rec_k[:, 0]
    stats = np.array([_summarize(precision, recall, row) for row in SUMMARY_ROWS])
    return CocoSummary(stats=stats, precision=precision, recall=recall, class_index=class_index.astype(np.int64))


def evaluate_coco(gt: GroundTruth, preds: Predictions) -> CocoSummary:
    """pycocotools' bbox evaluation (``evaluate(); accumulate(); summarize()``) in one call: the map step on
    every frame, then the reduce step."""
    rank, flags = coco_records(coco_match(gt, preds))
    m = preds.num_predictions
    records = Records(
        preds.score, preds.cls.astype(np.int32), preds.frame.astype(np.int32), np.arange(m, dtype=np.int64), 0,
        np.zeros((0, m), dtype=np.uint8), rank, flags, np.zeros((0, m), dtype=np.uint8),
    )  # fmt: skip
    return coco_from_records(gt, records)


def _summarize(precision: FloatArray, recall: FloatArray, row: tuple[str, bool, float | None, str, int]) -> float:
    _, is_ap, iou, area, max_det = row
    aind = [r[0] for r in AREA_RANGES].index(area)
    mind = MAX_DETS.index(max_det)
    if is_ap:
        s = precision
        if iou is not None:
            s = s[np.where(iou == COCO_IOU_THRESHOLDS)[0]]
        s = s[:, :, :, aind, mind]
    else:
        s = recall
        if iou is not None:
            s = s[np.where(iou == COCO_IOU_THRESHOLDS)[0]]
        s = s[:, :, aind, mind]
    if len(s[s > -1]) == 0:
        return float("nan")
    return float(np.mean(s[s > -1]))
