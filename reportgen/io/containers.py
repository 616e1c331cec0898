"""Typed containers for loaded inputs.

Everything here is a frozen dataclass over numpy arrays with documented shapes. Loaders in
:mod:`reportgen.io` produce them; the engine consumes them. Indices are positions into the tuples of the
owning :class:`GroundTruth` (``frame_ids``, ``classes``), never the ids found in the files.

Boxes are always ``(N, 4)`` float64 ``[x, y, w, h]`` in absolute pixels (COCO layout), whatever the file
used. Classification data uses the same containers: each frame holds exactly one ground-truth object and at
most one prediction, with a whole-frame box, so that one engine serves both tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

Task = Literal["detection", "classification"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class GroundTruth:
    """Ground truth of one dataset.

    Attributes:
        task: ``"detection"`` or ``"classification"``.
        frame_ids: ``(F,)`` frame ids as strings, in file order (COCO: the ``images`` order).
        classes: ``(C,)`` class names, in category order (COCO: the ``categories`` order).
        category_ids: ``(C,)`` the ids the source used for each class (COCO ``category_id``;
            0..C-1 for formats that name classes or index ``--classes``).
        image_size: ``(F, 2)`` width, height in pixels; NaN where unknown.
        frame: ``(N,)`` frame index of each object.
        cls: ``(N,)`` class index of each object.
        box: ``(N, 4)`` xywh, absolute pixels.
        area: ``(N,)`` the COCO ``area`` field where given, else ``w * h``; used for COCO size buckets.
        crowd: ``(N,)`` True for ``iscrowd`` regions.
        ann_id: ``(N,)`` annotation id from the file, or 1..N where the format has none.
        source: the path the data came from (for messages).
        image_paths: ``(F,)`` image path of each frame where known, else ``""``.
    """

    task: Task
    frame_ids: tuple[str, ...]
    classes: tuple[str, ...]
    category_ids: tuple[int, ...]
    image_size: FloatArray
    frame: IntArray
    cls: IntArray
    box: FloatArray
    area: FloatArray
    crowd: BoolArray
    ann_id: IntArray
    source: str = ""
    image_paths: tuple[str, ...] = ()
    _frame_index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self._frame_index:
            self._frame_index.update({fid: i for i, fid in enumerate(self.frame_ids)})

    @property
    def num_frames(self) -> int:
        return len(self.frame_ids)

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def num_objects(self) -> int:
        return int(self.frame.shape[0])

    def frame_index(self, frame_id: str) -> int | None:
        """Position of ``frame_id`` (compared as a string), or None."""
        return self._frame_index.get(frame_id)


@dataclass(frozen=True, eq=False)
class Predictions:
    """One inference set, indexed into its :class:`GroundTruth`.

    Attributes:
        name: the inference set's name (``--pred NAME=PATH``; default: the file stem).
        frame: ``(M,)`` frame index of each prediction.
        cls: ``(M,)`` predicted class index.
        box: ``(M, 4)`` xywh, absolute pixels (whole-frame boxes for classification).
        score: ``(M,)`` confidence in [0, 1].
        source: the path the data came from.
        class_scores: classification only: ``(M, C)`` per-class scores when the file gave them, else None.
        dropped_unknown_frames: predictions dropped because their frame is not in the ground truth
            (only with ``ignore_unknown_frames``; otherwise such a prediction is an error).
    """

    name: str
    frame: IntArray
    cls: IntArray
    box: FloatArray
    score: FloatArray
    source: str = ""
    class_scores: FloatArray | None = None
    dropped_unknown_frames: int = 0

    @property
    def num_predictions(self) -> int:
        return int(self.frame.shape[0])


def empty_int() -> IntArray:
    return np.zeros(0, dtype=np.int64)


def empty_float() -> FloatArray:
    return np.zeros(0, dtype=np.float64)


def empty_boxes() -> FloatArray:
    return np.zeros((0, 4), dtype=np.float64)
