"""Classification tables: one ground-truth label per frame, at most one prediction per frame.

Both become the detection containers with a whole-frame box (``[0, 0, width, height]`` when the image size
is known, else ``[0, 0, 1, 1]``), so one engine serves both tasks.

- Ground truth: a frame id column and a label column (``label``, ``class``, ``category``, ...).
- Predictions: a frame id, a label and a confidence (``score`` / ``confidence``; without that column the
  labels are hard predictions, of confidence 1); or a frame id and one score column per ground-truth class
  (named as the class): the prediction is the arg-max (ties: the first class in ground-truth order), its
  confidence the max, and ``class_scores`` keeps the ``(M, C)`` matrix (also kept beside a label column
  when every class has a score column).
"""

from __future__ import annotations

import numpy as np

from reportgen.errors import InputError
from reportgen.io._detections import row_sizes
from reportgen.io._records import (
    ClassNames,
    FrameLookup,
    check_scores,
    drop_unknown_frames,
    factorize,
    first,
    gt_classes,
    pred_classes,
    take,
    whole_frame_boxes,
)
from reportgen.io._side_files import SizeMap, sizes_of
from reportgen.io._table_file import CLASS_COLUMNS, SCORE_COLUMNS, Table
from reportgen.io._where import FRAME_COLUMNS, Where, listing
from reportgen.io.containers import FloatArray, GroundTruth, IntArray, Predictions

LABEL_COLUMNS = ("label", *(c for c in CLASS_COLUMNS if c != "label"))


def classification_ground_truth(table: Table, names: ClassNames | None, sizes: SizeMap | None) -> GroundTruth:
    if table.num_rows == 0:
        raise InputError(table.source, "expected at least one ground-truth row, found only a header")
    frame_column = table.require(FRAME_COLUMNS, "frame id")
    label_column = table.require(LABEL_COLUMNS, "label")
    frames = table.keys(frame_column, "frame id")
    _check_one_per_frame(factorize(frames)[0], frames, table.where, frame_column, np.arange(len(frames)))
    cls, classes = gt_classes(table.keys(label_column, "label"), names, table.where, label_column)
    image_size = _image_sizes(table, frames, sizes)
    box = whole_frame_boxes(image_size)
    count = len(frames)
    return GroundTruth(
        task="classification",
        frame_ids=tuple(frames),
        classes=classes,
        category_ids=tuple(range(len(classes))),
        image_size=image_size,
        frame=np.arange(count, dtype=np.int64),
        cls=cls,
        box=box,
        area=box[:, 2] * box[:, 3],
        crowd=np.zeros(count, dtype=np.bool_),
        ann_id=np.arange(1, count + 1, dtype=np.int64),
        source=table.source,
        image_paths=("",) * count,
    )


def _image_sizes(table: Table, frames: list[str], sizes: SizeMap | None) -> FloatArray:
    """Width and height columns of the table where given, else ``--image-sizes``, else NaN."""
    given = row_sizes(table)
    result = np.full((len(frames), 2), np.nan) if given is None else given
    if sizes is not None:
        result = np.where(np.isnan(result), sizes_of(frames, sizes), result)
    return result


def _check_one_per_frame(frame: IntArray, keys: list[str], where: Where, field: str, rows: IntArray) -> None:
    """A frame appearing twice is an error at its second row."""
    _, first_rows = np.unique(frame, return_index=True)
    repeated = np.ones(frame.size, dtype=np.bool_)
    repeated[first_rows] = False
    row = first(repeated)
    if row is None:
        return
    earlier = int(np.flatnonzero(frame == frame[row])[0])
    location = where.error(int(rows[earlier]), None, "")
    at = f"line {location.line}" if location.line is not None else location.record
    raise where.error(
        int(rows[row]), field, f"expected one row per frame, found frame {keys[row]!r} again (first at {at})"
    )


def classification_predictions(
    table: Table, gt: GroundTruth, *, name: str, names: ClassNames | None, ignore_unknown_frames: bool
) -> Predictions:
    frame_column = table.require(FRAME_COLUMNS, "frame id")
    label_column = table.find(LABEL_COLUMNS)
    matrix = _class_scores(table, gt, required=label_column is None)
    score = _confidence(table, matrix if label_column is None else None)
    keys = table.keys(frame_column, "frame id")
    frame = FrameLookup(gt).indices(keys)
    rows = drop_unknown_frames(frame, keys, gt, ignore_unknown_frames, table.where, frame_column)
    _check_one_per_frame(frame[rows], take(keys, rows), table.where, frame_column, rows)
    if label_column is not None:
        labels = take(table.keys(label_column, "label"), rows)
        cls = pred_classes(labels, gt, names, table.where, label_column, rows)
    else:
        assert matrix is not None
        cls = np.argmax(matrix[rows], axis=1).astype(np.int64) if rows.size else np.zeros(0, dtype=np.int64)
    return Predictions(
        name=name,
        frame=frame[rows],
        cls=cls,
        box=whole_frame_boxes(gt.image_size[frame[rows]]),
        score=score[rows],
        source=table.source,
        class_scores=None if matrix is None else matrix[rows],
        dropped_unknown_frames=table.num_rows - int(rows.size),
    )


def _confidence(table: Table, matrix: FloatArray | None) -> FloatArray:
    """The max of the class scores when they decide the label; else the confidence column, or 1 for hard labels."""
    if matrix is not None:
        return matrix.max(axis=1) if table.num_rows else np.zeros(0)
    column = table.find(SCORE_COLUMNS)
    if column is None:
        return np.ones(table.num_rows)
    score = table.numbers(column)
    check_scores(score, column, table.where, np.arange(table.num_rows, dtype=np.int64))
    return score


def _class_scores(table: Table, gt: GroundTruth, *, required: bool) -> FloatArray | None:
    """``(M, C)`` scores from one column per ground-truth class; None when some class has no column."""
    columns = [table.find((c.strip().lower(),)) for c in gt.classes]
    if None in columns:
        if not required:
            return None
        absent = [c for c, col in zip(gt.classes, columns, strict=True) if col is None]
        raise InputError(
            table.source,
            "expected a label column (label or class) with a confidence, or one score column per class; "
            f"found columns {listing(table.columns)} (no column for classes {listing(absent)})",
            field="label",
        )
    rows = np.arange(table.num_rows, dtype=np.int64)
    matrix = np.zeros((table.num_rows, len(columns)))
    for index, column in enumerate(columns):
        assert column is not None
        matrix[:, index] = table.numbers(column)
        check_scores(matrix[:, index], column, table.where, rows)
    return matrix
