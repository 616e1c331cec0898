"""Partitions of the frames: the unit of work of the map step.

Matching is per frame, so the work splits by frames and recombines exactly: a :class:`Part` holds the ground
truth and the predictions of a set of whole frames, indexed locally (frames ``0..f-1`` of the part), with what
maps them back: the global index of each local frame and the global input position of each prediction.
Predictions inside a part are kept in input order (ascending position), so that ties in score are broken the
same way as in a single pass over the whole inference set.

Frames are assigned to partitions by contiguous ranges of the ground truth's frame order
(:func:`partition_of`): a row's partition follows from its frame alone, so rows may arrive in any order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from reportgen.io.containers import GroundTruth, IntArray, Predictions


@dataclass(frozen=True, eq=False)
class Part:
    """The ground truth and predictions of a set of whole frames.

    Attributes:
        gt: the objects of these frames; ``gt.frame`` indexes the part's frames.
        preds: their predictions, in input order; ``preds.frame`` indexes the part's frames.
        frames: ``(f,)`` global frame index of each of the part's frames.
        positions: ``(m,)`` global input position of each prediction.
        objects: ``(n,)`` global index (in the whole ground truth) of each of the part's objects.
    """

    gt: GroundTruth
    preds: Predictions
    frames: IntArray
    positions: IntArray
    objects: IntArray


def whole(gt: GroundTruth, preds: Predictions) -> Part:
    """Every frame as one part."""
    return Part(gt, preds, np.arange(gt.num_frames, dtype=np.int64), np.arange(preds.num_predictions, dtype=np.int64),
                np.arange(gt.num_objects, dtype=np.int64))  # fmt: skip


def partition_of(frame: IntArray, num_frames: int, num_parts: int) -> IntArray:
    """The partition of each global frame index: ``num_parts`` contiguous ranges of nearly equal size."""
    return (frame.astype(np.int64) * num_parts) // max(num_frames, 1)


def frames_of(part: int, num_frames: int, num_parts: int) -> IntArray:
    """The global frame indices of partition ``part`` (the inverse of :func:`partition_of`)."""
    lo = -((-part * num_frames) // num_parts)  # ceil(part * F / K)
    hi = -((-(part + 1) * num_frames) // num_parts)
    return np.arange(lo, hi, dtype=np.int64)


def ground_truth_part(gt: GroundTruth, frames: IntArray) -> tuple[GroundTruth, IntArray, IntArray]:
    """The objects of ``frames`` (ascending global indices), re-indexed to them, the local index of every
    global frame (-1: not in the part), and the global index of each of the part's objects."""
    local = np.full(gt.num_frames, -1, dtype=np.int64)
    local[frames] = np.arange(frames.shape[0])
    rows = np.flatnonzero(local[gt.frame] >= 0)
    part = replace(
        gt,
        frame_ids=tuple(gt.frame_ids[i] for i in frames),
        image_size=gt.image_size[frames],
        frame=local[gt.frame[rows]],
        cls=gt.cls[rows],
        box=gt.box[rows],
        area=gt.area[rows],
        crowd=gt.crowd[rows],
        ann_id=gt.ann_id[rows],
        image_paths=tuple(gt.image_paths[i] for i in frames) if gt.image_paths else (),
        _frame_index={},
    )
    return part, local, rows.astype(np.int64)


def predictions_part(preds: Predictions, rows: IntArray, local: IntArray) -> Predictions:
    """Rows ``rows`` (ascending) of ``preds``, with frames re-indexed by ``local``."""
    return replace(
        preds,
        frame=local[preds.frame[rows]],
        cls=preds.cls[rows],
        box=preds.box[rows],
        score=preds.score[rows],
        class_scores=None if preds.class_scores is None else preds.class_scores[rows],
    )


def group_rows(frame: IntArray, num_frames: int, num_parts: int) -> tuple[IntArray, IntArray]:
    """Rows grouped by partition, in input order inside each: ``(order, bounds)``, the rows of partition ``p``
    being ``order[bounds[p]:bounds[p + 1]]``."""
    which = partition_of(frame, num_frames, num_parts)
    order = np.argsort(which, kind="stable")
    bounds = np.searchsorted(which[order], np.arange(num_parts + 1))
    return order.astype(np.int64), bounds.astype(np.int64)


def split(gt: GroundTruth, preds: Predictions, num_parts: int) -> Iterator[Part]:
    """In-memory data as ``num_parts`` parts (some may be empty when there are fewer frames), made one at a time
    as they are consumed (so that only one part's copy of the predictions is held)."""
    order, bounds = group_rows(preds.frame, gt.num_frames, num_parts)
    for p in range(num_parts):
        frames = frames_of(p, gt.num_frames, num_parts)
        gt_part, local, objects = ground_truth_part(gt, frames)
        rows = order[bounds[p] : bounds[p + 1]]
        yield Part(gt_part, predictions_part(preds, rows, local), frames, rows.astype(np.int64), objects)
