"""Compact per-prediction records: what the reduce step needs of each prediction, in tens of bytes.

Every number reportgen computes is either a sum over frames (confusion matrices at every preset) or a merge of
per-prediction records in score order (PR curves with one point per distinct score, AP, best-F1 confidence, the
COCO summary in pycocotools' order, VOC AP). A partition of the frames is matched on its own (the map step,
:func:`reportgen.engine.evaluation.map_part`) and reduced to additive counts plus these records; the reduce step
(:func:`reportgen.engine.evaluation.reduce_parts`) merges the records of every partition in the global order.
The order never depends on how the frames were split: records carry the prediction's global input
``position`` (ties in score are broken by it, as the single-pass engine breaks them by input order) and its
global ``frame`` index (for pycocotools' image order and for segments).

Flags are bit-packed along the first axis (``numpy.packbits(axis=0)``): ``flags`` holds, per IoU threshold
``u`` of the report grid, row ``u`` "correct" (matched an object of its class) and row ``U + u`` "counted"
(not ignored); ``coco_flags`` holds pycocotools' ``dtMatches`` then ``dtIgnore`` per (area range, IoU), and
``voc_flags`` VOC's true positive then ignored per IoU. Size per prediction: 8 (score) + 4 (class) + 4
(frame) + 8 (position) + ``ceil(2U / 8)`` + 1 + 10 (COCO) bytes: 39 bytes with the default grid of 14 IoUs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

import numpy as np
import numpy.typing as npt

from reportgen.io.containers import BoolArray, FloatArray, IntArray

U8Array = npt.NDArray[np.uint8]
I32Array = npt.NDArray[np.int32]

#: a COCO rank that is not kept (beyond pycocotools' 100 detections per image and category)
RANK_DROPPED = 255


def pack(rows: BoolArray) -> U8Array:
    """``(k, n)`` booleans -> ``(ceil(k / 8), n)`` bytes."""
    if rows.shape[0] == 0:
        return np.zeros((0, rows.shape[1]), dtype=np.uint8)
    return np.packbits(rows, axis=0)


def unpack(packed: U8Array, count: int) -> BoolArray:
    """The inverse of :func:`pack` for ``count`` rows."""
    out: BoolArray = np.unpackbits(packed, axis=0, count=count).view(np.bool_)  # 0 / 1 bytes: a view, no copy
    return out


def row(packed: U8Array, r: int) -> BoolArray:
    """Row ``r`` of packed flags, without unpacking the others."""
    out: BoolArray = ((packed[r // 8] >> (7 - r % 8)) & 1).astype(bool)
    return out


@dataclass(frozen=True, eq=False)
class Records:
    """Per-prediction records of one partition (or, after :meth:`concat`, of all of them).

    Attributes:
        score: ``(n,)`` confidence.
        cls: ``(n,)`` predicted class index.
        frame: ``(n,)`` global frame index.
        position: ``(n,)`` global input position of the prediction (its index in the whole inference set).
        num_iou: U, the report grid's IoU thresholds.
        flags: ``(ceil(2U / 8), n)`` packed: correct at IoU u (row u), counted at IoU u (row U + u).
        coco_rank: ``(n,)`` the detection's rank in its (image, category) by descending score, capped at
            :data:`RANK_DROPPED`; empty without the COCO summary.
        coco_flags: ``(ceil(2AT / 8), n)`` packed pycocotools ``dtMatches`` (rows ``a * T + t``) then ``dtIgnore``
            (rows ``AT + a * T + t``); ``(0, n)`` without the COCO summary.
        voc_flags: ``(ceil(2U / 8), n)`` packed VOC true positive at IoU u (row u), ignored (row U + u); ``(0, n)``
            without VOC.
    """

    score: FloatArray
    cls: I32Array
    frame: I32Array
    position: IntArray
    num_iou: int
    flags: U8Array
    coco_rank: U8Array
    coco_flags: U8Array
    voc_flags: U8Array

    def __len__(self) -> int:
        return int(self.score.shape[0])

    @property
    def has_coco(self) -> bool:
        return bool(self.coco_flags.shape[0] > 0)

    @property
    def has_voc(self) -> bool:
        return bool(self.voc_flags.shape[0] > 0)

    def correct(self, u: int) -> BoolArray:
        return row(self.flags, u)

    def counted(self, u: int) -> BoolArray:
        return row(self.flags, self.num_iou + u)

    def voc_tp(self, u: int) -> BoolArray:
        return row(self.voc_flags, u)

    def voc_ignored(self, u: int) -> BoolArray:
        return row(self.voc_flags, self.num_iou + u)

    @property
    def nbytes(self) -> int:
        return sum(
            a.nbytes
            for a in (self.score, self.cls, self.frame, self.position, self.flags, self.coco_rank, self.coco_flags,
                      self.voc_flags)
        )  # fmt: skip

    _FIELDS: ClassVar[tuple[str, ...]] = (
        "score", "cls", "frame", "position", "flags", "coco_rank", "coco_flags", "voc_flags",
    )  # fmt: skip

    def save(self, folder: Path) -> SavedRecords:
        """Write to ``folder`` (one ``.npy`` file an array), so that the records of every partition can be merged
        without holding each partition's copy as well as the merged one."""
        folder.mkdir(parents=True, exist_ok=True)
        for name in self._FIELDS:
            np.save(folder / f"{name}.npy", getattr(self, name))
        return SavedRecords(folder, len(self), self.num_iou)

    @staticmethod
    def concat(parts: list[Records | SavedRecords]) -> Records:
        """All records of ``parts`` in one, in the order given. Consumes ``parts`` (the list is emptied while
        copying, so a partition's records can be freed as soon as they are copied; saved ones are read from
        their files straight into the merged arrays)."""
        if not parts:
            raise ValueError("no records to concatenate")
        first = parts[0].load(mmap=True) if isinstance(parts[0], SavedRecords) else parts[0]
        n = sum(len(p) for p in parts)
        out = Records(
            np.empty(n, dtype=np.float64),
            np.empty(n, dtype=np.int32),
            np.empty(n, dtype=np.int32),
            np.empty(n, dtype=np.int64),
            first.num_iou,
            np.empty((first.flags.shape[0], n), dtype=np.uint8),
            np.empty(n if first.has_coco else 0, dtype=np.uint8),
            np.empty((first.coco_flags.shape[0], n), dtype=np.uint8),
            np.empty((first.voc_flags.shape[0], n), dtype=np.uint8),
        )
        at = 0
        parts.reverse()
        while parts:
            item = parts.pop()
            p = item.load(mmap=True) if isinstance(item, SavedRecords) else item
            k = len(p)
            out.score[at : at + k] = p.score
            out.cls[at : at + k] = p.cls
            out.frame[at : at + k] = p.frame
            out.position[at : at + k] = p.position
            out.flags[:, at : at + k] = p.flags
            if out.has_coco:
                out.coco_rank[at : at + k] = p.coco_rank
            out.coco_flags[:, at : at + k] = p.coco_flags
            out.voc_flags[:, at : at + k] = p.voc_flags
            at += k
        return out


@dataclass(frozen=True)
class SavedRecords:
    """Records written by :meth:`Records.save`."""

    folder: Path
    size: int
    num_iou: int

    def __len__(self) -> int:
        return self.size

    def load(self, *, mmap: bool = False) -> Records:
        mode: Literal["r"] | None = "r" if mmap else None
        arrays = {name: np.load(self.folder / f"{name}.npy", mmap_mode=mode) for name in Records._FIELDS}
        return Records(num_iou=self.num_iou, **arrays)
