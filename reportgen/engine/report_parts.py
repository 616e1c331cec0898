"""What a report needs of each prediction and object beyond counts and records, as map and reduce steps.

The report (``reportgen build``) shows, besides the counts at every preset and the PR curves (which come from
:class:`reportgen.engine.aggregate.PresetCounts` and :class:`reportgen.engine.records.Records`):

- **examples** behind every confusion-matrix cell: per inference set and IoU preset, the first ``caps[0]``
  items of each cell over all frames plus the first ``caps[1]`` of each segment. Cells counted by predictions
  list them by descending score (ties: input position); the background column lists missed objects, never
  matched first, then by ascending score of the prediction that matched them (ties: object index).
- **object outcomes**, for what flipped between two inference sets: per object and IoU preset, the class of the
  prediction that matched it and the highest confidence preset at which that match counts.

Both split by frames and recombine exactly. The map step (:func:`report_part`, run by
:func:`reportgen.engine.evaluation.map_part` on one partition) keeps a partition's own first items of each cell
(:class:`Candidates`) and its objects' outcomes; the reduce step (:class:`ReportAccumulator`) merges the
candidates and selects again, and places the outcomes at their global object index. Selecting from the union of
each partition's selection gives the selection over all frames: an item among the first ``cap`` of its cell
over all frames is among the first ``cap`` of its own partition, and every item before it is too, so its rank
is the same. A run in one piece is the same map on one partition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from reportgen.engine.aggregate import score_bins
from reportgen.engine.match import IGNORED, MatchResult
from reportgen.engine.partition import Part
from reportgen.io.containers import BoolArray, FloatArray, GroundTruth, IntArray, Predictions

NEVER = 255  # "matched at no confidence preset"

#: examples listed per cell over all frames, and per cell per segment
GLOBAL_CAP = 20
PER_SEGMENT_CAP = 3
#: above this many classes (the page's many-class mode) the caps shrink, to keep COCO-scale reports small
MANY_CLASSES = 25
MANY_GLOBAL_CAP = 10
MANY_PER_SEGMENT_CAP = 2


def caps_for(num_classes: int) -> tuple[int, int]:
    """(examples per cell over all frames, examples per cell per segment)."""
    if num_classes > MANY_CLASSES:
        return MANY_GLOBAL_CAP, MANY_PER_SEGMENT_CAP
    return GLOBAL_CAP, PER_SEGMENT_CAP


@dataclass(frozen=True, eq=False)
class ReportSpec:
    """What the map step keeps for a report.

    Attributes:
        caps: (items per cell over all frames, items per cell per segment).
        segment_masks: ``(F,)`` global frame masks of the segments with their own per-segment examples.
    """

    caps: tuple[int, int]
    segment_masks: tuple[BoolArray, ...] = ()


@dataclass(frozen=True, eq=False)
class ObjectOutcomes:
    """Per ground-truth object and IoU preset: what the inference set said about it.

    Attributes:
        matched_class: ``(U, N)`` class of the prediction that matched the object; C (background) if none.
        last_preset: ``(U, N)`` uint16: index of the highest confidence preset at which that match counts
            (:data:`NEVER` when never). At preset ``t`` the outcome is ``matched_class`` if ``t <= last_preset``,
            else missed (C).
    """

    matched_class: npt.NDArray[np.integer[Any]]
    last_preset: npt.NDArray[np.integer[Any]]


def class_dtype(num_classes: int) -> np.dtype[Any]:
    """The smallest signed integer type holding class indices 0..C (C: background)."""
    return np.dtype(np.int16 if num_classes < np.iinfo(np.int16).max else np.int32)


def outcomes_of(gt: GroundTruth, preds: Predictions, match: MatchResult, conf_thresholds: FloatArray) -> ObjectOutcomes:
    """The outcomes of ``gt``'s objects under ``match`` (a part's, or the whole set's)."""
    c = gt.num_classes
    pbin = score_bins(preds.score, conf_thresholds)
    by = match.gt_matched_by  # (U, N)
    matched_class = np.where(by >= 0, np.append(preds.cls, c)[by], c)
    last = np.where(by >= 0, np.append(pbin, -1)[by], -1)
    last = np.where(last < 0, NEVER, last)
    return ObjectOutcomes(matched_class.astype(class_dtype(c)), last.astype(np.uint16))


@dataclass(frozen=True, eq=False)
class Candidates:
    """Examples of one kind (predictions, or missed objects) at one IoU preset, in listing order: by ``cell``,
    then ``key`` ascending, then ``tie`` ascending.

    Attributes:
        cell: ``g * K + p`` (K = C + 1; g the object's class or C, p the prediction's class or C).
        key: the order inside a cell: minus the score (predictions); the score of the prediction that matched the
            object, -inf when none (missed objects).
        tie: the global input position (predictions) or the global object index (objects).
        pred: global input position of the prediction, or -1.
        obj: global index of the object, or -1.
        iou: their IoU (NaN when either is missing).
        frame: global frame index.
    """

    cell: IntArray
    key: FloatArray
    tie: IntArray
    pred: IntArray
    obj: IntArray
    iou: FloatArray
    frame: IntArray

    @property
    def size(self) -> int:
        return int(self.cell.shape[0])

    def take(self, rows: IntArray | BoolArray) -> Candidates:
        return Candidates(self.cell[rows], self.key[rows], self.tie[rows], self.pred[rows], self.obj[rows],
                          self.iou[rows], self.frame[rows])  # fmt: skip

    @staticmethod
    def concat(items: Sequence[Candidates]) -> Candidates:
        return Candidates(*(np.concatenate([getattr(c, f) for c in items]) for f in _FIELDS))


_FIELDS = ("cell", "key", "tie", "pred", "obj", "iou", "frame")


def rank_in_cell(cell: IntArray) -> IntArray:
    """Position of each item inside its run of equal ``cell`` values (the input is grouped by cell)."""
    if cell.size == 0:
        return cell
    start = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
    return np.arange(cell.size) - np.repeat(start, np.diff(np.r_[start, cell.size]))


def select(items: Candidates, segment_masks: Sequence[BoolArray], caps: tuple[int, int]) -> Candidates:
    """The items listed: sorted into listing order, the first ``caps[0]`` of each cell, and the first ``caps[1]``
    of each cell among the items on each segment's frames."""
    order = np.lexsort((items.tie, items.key, items.cell))
    items = items.take(order)
    keep = rank_in_cell(items.cell) < caps[0]
    for mask in segment_masks:
        inside = mask[items.frame]
        rank = np.full(items.size, caps[0])
        rank[inside] = rank_in_cell(items.cell[inside])
        keep |= rank < caps[1]
    return items.take(keep)


@dataclass(frozen=True, eq=False)
class ReportPart:
    """The map step's report data for one partition: its objects' outcomes and, per IoU preset, its candidate
    examples (predictions, then missed objects)."""

    objects: IntArray
    outcomes: ObjectOutcomes
    predictions: tuple[Candidates, ...]
    missed: tuple[Candidates, ...]


def report_part(part: Part, match: MatchResult, conf_thresholds: FloatArray, spec: ReportSpec) -> ReportPart:
    """The map step: the outcomes of the part's objects and its first examples of every cell (global indices)."""
    gt, preds = part.gt, part.preds
    c = gt.num_classes
    side = c + 1
    frames = part.frames
    real_obj = np.flatnonzero(~gt.crowd)
    positions = np.append(part.positions, -1)  # -1: no prediction
    objects = np.append(part.objects, -1)
    pred_part, missed_part = [], []
    for u in range(match.iou_thresholds.shape[0]):
        outcome = match.pred_outcome[u]
        counted = np.flatnonzero(outcome != IGNORED)
        obj = np.where(outcome[counted] >= 0, outcome[counted], -1)
        iou = np.where(obj >= 0, match.pred_iou[u, counted], np.nan)
        items = Candidates(
            cell=np.append(gt.cls, c)[obj] * side + preds.cls[counted],
            key=-preds.score[counted],
            tie=part.positions[counted],
            pred=part.positions[counted],
            obj=objects[obj],
            iou=iou,
            frame=frames[preds.frame[counted]],
        )
        pred_part.append(select(items, spec.segment_masks, spec.caps))
        by = match.gt_matched_by[u, real_obj]
        iou_obj = np.append(match.pred_iou[u], np.nan)[by]  # NaN where no prediction matched (by = -1)
        missed = Candidates(
            cell=gt.cls[real_obj] * side + c,
            key=np.where(by >= 0, np.append(preds.score, 0.0)[by], -np.inf),
            tie=part.objects[real_obj],
            pred=positions[by],
            obj=part.objects[real_obj],
            iou=iou_obj,
            frame=frames[gt.frame[real_obj]],
        )
        missed_part.append(select(missed, spec.segment_masks, spec.caps))
    outcomes = outcomes_of(gt, preds, match, conf_thresholds)
    return ReportPart(part.objects, outcomes, tuple(pred_part), tuple(missed_part))


@dataclass(frozen=True, eq=False)
class ReportData:
    """The reduce step's report data of one inference set: every object's outcomes and, per IoU preset, the
    examples listed (predictions, then missed objects, each in listing order)."""

    outcomes: ObjectOutcomes
    predictions: tuple[Candidates, ...]
    missed: tuple[Candidates, ...]


class ReportAccumulator:
    """The reduce step: partitions' report data added one at a time (candidates merged and selected again, so
    memory stays bounded by the caps, not by the number of partitions)."""

    def __init__(self, gt: GroundTruth, num_iou: int, spec: ReportSpec) -> None:
        self.spec = spec
        self.matched_class = np.full((num_iou, gt.num_objects), gt.num_classes, dtype=class_dtype(gt.num_classes))
        self.last_preset = np.full((num_iou, gt.num_objects), NEVER, dtype=np.uint16)
        self.predictions: list[Candidates] | None = None
        self.missed: list[Candidates] | None = None

    def add(self, part: ReportPart) -> None:
        self.matched_class[:, part.objects] = part.outcomes.matched_class
        self.last_preset[:, part.objects] = part.outcomes.last_preset
        if self.predictions is None or self.missed is None:
            self.predictions, self.missed = list(part.predictions), list(part.missed)
            return
        for kept, new in ((self.predictions, part.predictions), (self.missed, part.missed)):
            for u, items in enumerate(new):
                if items.size:
                    kept[u] = select(Candidates.concat([kept[u], items]), self.spec.segment_masks, self.spec.caps)

    def result(self) -> ReportData:
        if self.predictions is None or self.missed is None:
            raise ValueError("no partition was added")
        return ReportData(
            ObjectOutcomes(self.matched_class, self.last_preset), tuple(self.predictions), tuple(self.missed)
        )
