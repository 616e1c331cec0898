"""Comparing two inference sets: per-object outcomes, what flipped, and paired-bootstrap intervals.

- Outcome of a ground-truth object at a preset (IoU u, confidence t), under the report matching: the class of
  the prediction that matched it if that prediction's score >= t (its own class: found; another: confused as
  that class), else missed. Crowd objects have no outcome.
- A flip is an object whose outcome differs between the two inference sets at the same preset. As t rises an
  object's outcome changes at most once per set (to missed), so at one IoU preset its (before, after) pair is
  constant on at most two spans of confidence presets (:func:`flip_spans`): counts at every preset come from
  those spans with one cumulative sum (:func:`flip_counts`), and a bounded sample of objects keeps the page's
  lists (:func:`flip_sample`).
- The interval of a difference (candidate minus baseline) of precision, recall or F1 on a segment is a paired
  Poisson bootstrap over the segment's frames: in resample r, frame f counts ``w(f, r)`` times, w ~ Poisson(1),
  drawn by a counter-based generator keyed by (the frame id, r) (:func:`poisson_weights`): the same frame gets
  the same weights however the frames are ordered or split into chunks, so per-resample sums are added over
  chunks (:class:`BootstrapSums`) and never need every frame's resample in memory. Percentiles 2.5 / 97.5 of
  1,000 resamples, seeded, so a report is reproducible (docs/compare.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

import numba
import numpy as np
import numpy.typing as npt

from reportgen.engine.evaluation import ModelResult, ModelSummary
from reportgen.engine.match import IGNORED
from reportgen.engine.metrics import f1_score, safe_div
from reportgen.engine.report_parts import NEVER, ObjectOutcomes, outcomes_of
from reportgen.io.containers import BoolArray, FloatArray, GroundTruth, IntArray

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20260501
#: frames per chunk of the bootstrap: the weights of a chunk are (resamples x chunk) at a time
BOOTSTRAP_CHUNK = 2048
#: objects kept per flip group, segment and preset in the page's sample (see :func:`flip_sample`)
FLIP_SAMPLE = 8
FLIP_SAMPLE_SEED = 20260502

U64 = npt.NDArray[np.uint64]
_GAMMA = np.uint64(0x9E3779B97F4A7C15)  # splitmix64's increment (the golden ratio x 2**64)


def frame_keys(frame_ids: Sequence[str]) -> U64:
    """``(F,)`` a stable 64-bit key of each frame id: the first 8 bytes (little-endian) of BLAKE2b of its UTF-8
    text. The key depends on the id only, never on the frame's position in a file or chunk."""
    raw = b"".join(
        hashlib.blake2b(f.encode("utf-8", "surrogatepass"), digest_size=8).digest() for f in frame_ids
    )
    return np.frombuffer(raw, dtype="<u8").astype(np.uint64)


def mix64(x: U64) -> U64:
    """splitmix64's output function (Steele, Lea and Flood 2014): a bijective 64-bit integer mix, elementwise
    (wrapping arithmetic)."""
    z = np.asarray(x, dtype=np.uint64)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _poisson_thresholds(limit: int = 24) -> U64:
    """``floor(2**64 * P(X <= k))`` for X ~ Poisson(1), k = 0 .. limit - 1, computed exactly in decimal (the
    same on every machine); a uniform 64-bit integer z gives the weight ``#{k : z >= threshold_k}``."""
    out = []
    with localcontext() as ctx:
        ctx.prec = 60
        term = Decimal(-1).exp()
        cdf = Decimal(0)
        for k in range(limit):
            if k:
                term /= k
            cdf += term
            out.append(min(int(cdf * (1 << 64)), (1 << 64) - 1))
    return np.array(out, dtype=np.uint64)


_POISSON = _poisson_thresholds()


@numba.njit(cache=True, nogil=True, inline="always")
def _weight(stream: np.uint64, r: int, thresholds: U64) -> int:  # pragma: no cover - compiled
    """Poisson(1) weight number r of a frame's stream: splitmix64's r-th output, by the inverse CDF."""
    z = stream + np.uint64(r + 1) * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    # branch-free for the usual weights 0 .. 4, a loop for the rare larger ones (P(weight >= 5) = 0.4%)
    k = (
        int(z >= thresholds[0]) + int(z >= thresholds[1]) + int(z >= thresholds[2]) + int(z >= thresholds[3])
        + int(z >= thresholds[4])
    )  # fmt: skip
    if k == 5:
        while k < thresholds.size and z >= thresholds[k]:
            k += 1
    return k


@numba.njit(cache=True, nogil=True)
def _weights_kernel(streams: U64, first: int, out: FloatArray, thresholds: U64) -> None:  # pragma: no cover
    """Fill ``out`` ``(R, n)`` with the weights of resamples ``first ..`` of the frames with these streams."""
    for r in range(out.shape[0]):
        for f in range(streams.size):
            out[r, f] = _weight(streams[f], first + r, thresholds)


def _streams(keys: U64, seed: int) -> U64:
    """Each frame's stream seed: ``mix64(key ^ mix64(seed))``."""
    return mix64(np.asarray(keys, dtype=np.uint64) ^ mix64(np.array([seed], dtype=np.uint64)))


def poisson_weights(keys: U64, resamples: int, seed: int = BOOTSTRAP_SEED, first: int = 0) -> npt.NDArray[np.uint8]:
    """``(resamples, n)`` Poisson(1) bootstrap weights of the frames with keys ``keys`` in resamples
    ``first .. first + resamples - 1``.

    Counter-based: weight (f, r) is a function of (key f, r, seed) alone. The frame's stream is seeded by
    ``mix64(key ^ mix64(seed))``; its r-th 64-bit number is splitmix64's, ``mix64(stream + (r + 1) * gamma)``,
    turned into Poisson(1) by the inverse of its distribution function (:data:`_POISSON`).
    """
    out = np.empty((resamples, len(keys)))
    _weights_kernel(_streams(keys, seed), first, out, _POISSON)
    return out.astype(np.uint8)


def object_outcomes(gt: GroundTruth, result: ModelSummary) -> ObjectOutcomes:
    """What the inference set said about every object, at every IoU and confidence preset: from the report data
    of a run that kept it (:mod:`reportgen.engine.report_parts`), else from the matching."""
    if result.report is not None:
        return result.report.outcomes
    if isinstance(result, ModelResult):
        return outcomes_of(gt, result.predictions, result.match, result.counts.conf_thresholds)
    raise ValueError("object outcomes need the report data or the matching")


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


def frame_counts(gt: GroundTruth, result: ModelSummary, u: int, t: int, cls: int | None = None) -> FrameCounts:
    """Counts per frame at preset (u, t), pooled over classes or for class ``cls`` (its row and column): from
    the records of a run that kept them, else from the matching."""
    f = gt.num_frames
    threshold = result.counts.conf_thresholds[t]
    frame: npt.NDArray[np.integer[Any]]
    pred_cls: npt.NDArray[np.integer[Any]]
    if result.records is not None:
        records = result.records
        counted = records.counted(u) & (records.score >= threshold)
        correct = counted & records.correct(u)
        frame, pred_cls = records.frame, records.cls
    elif isinstance(result, ModelResult):
        preds = result.predictions
        outcome = result.match.pred_outcome[u]
        counted = (outcome != IGNORED) & (preds.score >= threshold)
        correct = counted & (np.append(gt.cls, -1)[outcome] == preds.cls)
        frame, pred_cls = preds.frame, preds.cls
    else:
        raise ValueError("per-frame counts need the records or the matching")
    objects = ~gt.crowd
    if cls is not None:
        counted &= pred_cls == cls
        correct &= pred_cls == cls
        objects &= gt.cls == cls
    return FrameCounts(
        np.bincount(frame[correct], minlength=f),
        np.bincount(frame[counted], minlength=f),
        np.bincount(gt.frame[objects], minlength=f),
    )


def _scores(tp: FloatArray, predicted: FloatArray, objects: FloatArray) -> FloatArray:
    p = safe_div(tp, predicted)
    r = safe_div(tp, objects)
    return np.stack([p, r, f1_score(p, r)], axis=-1)


@dataclass(frozen=True, eq=False)
class BootstrapSums:
    """Sums over frames of per-frame values, unweighted and in every Poisson resample: the bootstrap's map
    output. Adding the sums of two disjoint sets of frames gives the sums of their union (the reduce); the values
    are counts, so every sum is an exact integer in float64 and the order of the additions does not matter.

    Attributes:
        point: ``(Z,)`` the plain sums of the ``Z`` value columns.
        resampled: ``(R, Z)`` the sums weighted by each resample's Poisson weights.
    """

    point: FloatArray
    resampled: FloatArray

    def __add__(self, other: BootstrapSums) -> BootstrapSums:
        return BootstrapSums(self.point + other.point, self.resampled + other.resampled)


def bootstrap_sums(
    keys: U64,
    values: npt.ArrayLike,
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    chunk: int = BOOTSTRAP_CHUNK,
) -> BootstrapSums:
    """Plain and resampled sums of ``values`` (``(n, Z)``, one row per frame, keyed by ``keys`` ``(n,)``),
    ``chunk`` frames at a time: memory ``resamples x chunk`` weights, whatever n."""
    vals = np.asarray(values, dtype=np.float64)
    if vals.ndim != 2 or vals.shape[0] != len(keys):
        raise ValueError(f"values: expected shape (n, Z) with n = {len(keys)} keys, found {vals.shape}")
    streams = _streams(keys, seed)
    out = np.zeros((resamples, vals.shape[1]))
    weights = np.empty((resamples, min(chunk, len(keys))))
    for start in range(0, len(keys), chunk):
        part = streams[start : start + chunk]
        w = weights[:, : part.size]
        _weights_kernel(part, 0, w, _POISSON)
        out += w @ vals[start : start + chunk]
    return BootstrapSums(vals.sum(axis=0), out)


def difference_interval(baseline: FloatArray, candidate: FloatArray) -> FloatArray:
    """``(3, 3)``: for precision, recall, F1: [difference, 2.5th, 97.5th percentile] of candidate - baseline.

    ``baseline``, ``candidate``: ``(R + 1, 3)`` sums of (tp, predicted, objects), row 0 unweighted, rows 1 ..
    R the resamples. Resamples where a difference is undefined are left out; NaN when none is defined.
    """
    out = np.full((3, 3), np.nan)
    diffs = _scores(candidate[:, 0], candidate[:, 1], candidate[:, 2]) - _scores(
        baseline[:, 0], baseline[:, 1], baseline[:, 2]
    )
    out[:, 0] = diffs[0]
    for k in range(3):
        d = diffs[1:, k]
        d = d[~np.isnan(d)]
        if d.size:
            out[k, 1], out[k, 2] = np.percentile(d, [2.5, 97.5])
    return out


def bootstrap_difference(
    baseline: FrameCounts,
    candidate: FrameCounts,
    frames: IntArray,
    keys: U64,
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    chunk: int = BOOTSTRAP_CHUNK,
) -> FloatArray:
    """``(3, 3)``: for precision, recall, F1: [difference, 2.5th, 97.5th percentile] of candidate - baseline
    over the segment's ``frames`` (indices into the counts; ``keys``: ``(F,)`` :func:`frame_keys` of all frames).

    Paired: in each resample both sets are scored on the same Poisson weights. NaN when the segment is empty.
    """
    if frames.size == 0:
        return np.full((3, 3), np.nan)
    values = np.stack([
        baseline.tp[frames], baseline.predicted[frames], baseline.objects[frames],
        candidate.tp[frames], candidate.predicted[frames], candidate.objects[frames],
    ], axis=1)  # fmt: skip
    sums = bootstrap_sums(keys[frames], values, resamples=resamples, seed=seed, chunk=chunk)
    table = np.vstack([sums.point[None, :], sums.resampled])
    return difference_interval(table[:, :3], table[:, 3:])


# ------------------------------------------------------------------------------------------------ what flipped
@dataclass(frozen=True, eq=False)
class FlipSpans:
    """The flips of one pair of inference sets at one IoU preset, as spans of confidence presets.

    Object ``obj[i]`` is in flip group ``group[i]`` at every confidence preset ``t`` with
    ``start[i] <= t < stop[i]``; a group is ``(g * K + before) * K + after`` (K = C + 1; before, after: the
    outcomes, C = missed). An object has at most two spans (its outcome changes at most once per set).
    """

    obj: IntArray
    group: IntArray
    start: IntArray
    stop: IntArray


def flip_group(g: IntArray | int, before: IntArray | int, after: IntArray | int, k: int) -> IntArray:
    """The flat flip group index ``(g * K + before) * K + after``."""
    return np.asarray((np.asarray(g) * k + before) * k + after, dtype=np.int64)


def flip_spans(gt: GroundTruth, baseline: ObjectOutcomes, candidate: ObjectOutcomes, u: int, t_count: int) -> FlipSpans:
    """Every span of presets on which a non-crowd object's outcome differs between the two sets at IoU u."""
    c = gt.num_classes
    k = c + 1
    last_a = baseline.last_preset[u].astype(np.int64)
    last_b = candidate.last_preset[u].astype(np.int64)
    la = np.where(last_a == NEVER, -1, np.minimum(last_a, t_count - 1))
    lb = np.where(last_b == NEVER, -1, np.minimum(last_b, t_count - 1))
    ca, cb = baseline.matched_class[u].astype(np.int64), candidate.matched_class[u].astype(np.int64)
    e1 = np.minimum(la, lb) + 1
    e2 = np.maximum(la, lb) + 1
    live = ~gt.crowd
    objs = np.arange(gt.num_objects, dtype=np.int64)
    # span 1: [0, e1) both outcomes are the matches; span 2: [e1, e2) the set with the later end still has its match
    first = live & (e1 > 0) & (ca != cb)
    before2 = np.where(la > lb, ca, c)
    after2 = np.where(lb > la, cb, c)
    second = live & (e2 > e1)
    g = gt.cls
    return FlipSpans(
        obj=np.concatenate([objs[first], objs[second]]),
        group=np.concatenate([
            flip_group(g[first], ca[first], cb[first], k),
            flip_group(g[second], before2[second], after2[second], k),
        ]),
        start=np.concatenate([np.zeros(int(first.sum()), np.int64), e1[second]]),
        stop=np.concatenate([e1[first], e2[second]]),
    )


def flip_counts(spans: FlipSpans, keep: BoolArray, t_count: int) -> tuple[IntArray, IntArray]:
    """``(groups (G,), counts (G, T))``: the flip groups present at some preset among the spans with ``keep``
    (per span), ascending, and each group's object count at every confidence preset (one cumulative sum)."""
    group = spans.group[keep]
    groups, inverse = np.unique(group, return_inverse=True)
    width = t_count + 1
    diff = np.bincount(inverse * width + spans.start[keep], minlength=groups.size * width)
    diff = diff - np.bincount(inverse * width + spans.stop[keep], minlength=groups.size * width)
    counts = np.cumsum(diff.reshape(groups.size, width), axis=1)[:, :t_count]
    present = counts.any(axis=1)
    return groups[present], counts[present]


def object_priority(gt: GroundTruth, keys: U64, seed: int = FLIP_SAMPLE_SEED) -> U64:
    """``(N,)`` a seeded pseudo-random priority of every object, keyed by its frame's id and its rank among its
    frame's objects (so it does not depend on how frames are ordered or split)."""
    order = np.argsort(gt.frame, kind="stable")
    first = np.searchsorted(gt.frame[order], gt.frame[order], side="left")
    rank = np.empty(gt.num_objects, dtype=np.uint64)
    rank[order] = (np.arange(gt.num_objects) - first).astype(np.uint64)
    per_frame = mix64(keys[gt.frame] ^ mix64(np.array([seed], dtype=np.uint64)))
    return mix64(per_frame + (rank + np.uint64(1)) * _GAMMA)


def flip_sample(
    spans: FlipSpans, keep: BoolArray, priority: U64, t_count: int, cap: int = FLIP_SAMPLE
) -> IntArray:
    """The objects of a bounded, seeded sample of the flips: at every confidence preset, the ``cap`` objects of
    lowest ``priority`` of each flip group among the spans with ``keep``. Priorities are fixed per object, so
    a group's sample at neighbouring presets mostly overlaps. Returns object indices, ascending."""
    obj, group = spans.obj[keep], spans.group[keep]
    start, stop = spans.start[keep], spans.stop[keep]
    order = np.lexsort((priority[obj], group))
    obj, group, start, stop = obj[order], group[order], start[order], stop[order]
    chosen: list[IntArray] = []
    for t in range(t_count):
        at = (start <= t) & (t < stop)
        g = group[at]
        if g.size == 0:
            continue
        first = np.searchsorted(g, g, side="left")
        rank = np.arange(g.size) - first
        chosen.append(obj[at][rank < cap])
    return np.unique(np.concatenate(chosen)) if chosen else np.zeros(0, np.int64)
