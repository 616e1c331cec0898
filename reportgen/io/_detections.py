"""Detection tables (CSV, Parquet, JSON Lines): one row per object or prediction.

Columns (names case-insensitive; the first alias present wins):

- frame id: ``frame_id``, ``image_id``, ``frame``; class: ``class``, ``label``, ``category``,
  ``class_name``, ``category_id``, ``class_id`` (a name, or an index into ``--class-names``);
- confidence (predictions): ``score``, ``confidence``, ``conf``;
- box, by ``--box-format``: ``xywh``: ``x|xmin|left``, ``y|ymin|top``, ``w|width``, ``h|height``;
  ``xyxy``: ``x1|xmin|left``, ``y1|ymin|top``, ``x2|xmax|right``, ``y2|ymax|bottom``;
  ``cxcywh``: ``cx|x_center|xc|x``, ``cy|y_center|yc|y``, ``w|width``, ``h|height``;
- optional: ``iscrowd`` (0/1), ``area``, ``ann_id``, and the image size ``image_width`` /
  ``image_height`` (or ``width`` / ``height`` when those are not the box's own width and height).

A ground-truth row whose class and four box cells are all empty names a frame without objects (with its image
size, when the row gives one): ``reportgen convert`` writes one for each such COCO image, so that predictions on
it are false positives rather than unknown frames. Frames are then in order of first appearance over all rows.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

import numpy as np
import pandas as pd

from reportgen.errors import InputError
from reportgen.io._records import FrameInfo, RawBoxes, factorize, first
from reportgen.io._table_file import CLASS_COLUMNS, SCORE_COLUMNS, Table
from reportgen.io._where import FRAME_COLUMNS, RowsWhere, describe, listing
from reportgen.io.containers import BoolArray, FloatArray, IntArray
from reportgen.io.options import BoxLayout
from reportgen.limits import MAX_COORDINATE, size_expected

_X = ("xmin", "x_min", "left")
_Y = ("ymin", "y_min", "top")
_W = ("w", "width")
_H = ("h", "height")
BOX_COLUMNS: dict[BoxLayout, tuple[tuple[str, ...], ...]] = {
    "xywh": (("x", *_X), ("y", *_Y), _W, _H),
    "xyxy": (("x1", *_X), ("y1", *_Y), ("x2", "xmax", "x_max", "right"), ("y2", "ymax", "y_max", "bottom")),
    "cxcywh": (("cx", "x_center", "xc", "x"), ("cy", "y_center", "yc", "y"), _W, _H),
}
# Columns that only a box has (a classification table may carry width / height as the image size).
_POSITION_COLUMNS = tuple(
    {alias for columns in BOX_COLUMNS.values() for axis in (0, 1) for alias in columns[axis]}
    | set(BOX_COLUMNS["xyxy"][2] + BOX_COLUMNS["xyxy"][3])
)


def has_box_columns(table: Table) -> bool:
    return table.find(_POSITION_COLUMNS) is not None


def detection_table(table: Table, layout: BoxLayout, normalized: bool, role: Literal["gt", "pred"]) -> RawBoxes:
    """Read the columns of a detection table; values are checked later, in :mod:`reportgen.io._records`.

    Works on a chunk of a table (:func:`reportgen.io.iter_table_chunks`) as on the whole: rows are located
    through the chunk's ``where``, and the result's ``start`` is the chunk's.
    """
    if role == "gt" and table.num_rows == 0:
        raise InputError(table.source, "expected at least one ground-truth row, found only a header")
    frame_column = table.require(FRAME_COLUMNS, "frame id")
    class_column = table.require(CLASS_COLUMNS, "class")
    box_columns = _box_columns(table, layout)
    frames = None
    if role == "gt":
        table, frames = _frame_rows(table, frame_column, class_column, box_columns)
    coords = np.stack([table.numbers(c) for c in box_columns], axis=1) if table.num_rows else np.zeros((0, 4))
    raw = RawBoxes(
        source=table.source,
        where=table.where,
        frame_keys=table.keys(frame_column, "frame id"),
        frame_field=frame_column,
        class_keys=table.keys(class_column, "class"),
        class_field=class_column,
        coords=coords,
        coord_fields=box_columns,
        layout=layout,
        normalized=normalized,
        row_sizes=row_sizes(table, box_columns),
        frames=frames,
        categories=table.categories,
        start=table.start,
    )
    if role == "pred":
        score_column = table.require(SCORE_COLUMNS, "confidence")
        return replace(raw, score=table.numbers(score_column), score_field=score_column)
    return replace(raw, crowd=_crowd(table), area=_area(table), ann_id=_ann_id(table))


def _frame_rows(
    table: Table, frame_column: str, class_column: str, box_columns: tuple[str, str, str, str]
) -> tuple[Table, FrameInfo | None]:
    """Drop the rows that only name a frame (class and box empty); with any, every frame of the table."""
    no_box = np.ones(table.num_rows, dtype=np.bool_)
    for column in box_columns:
        no_box &= table.optional_numbers(column)[1]
    if not no_box.any():
        return table, None
    series = table.frame[class_column]
    no_class = series.isna().to_numpy(dtype=np.bool_) | table.missing.get(class_column, np.zeros_like(no_box))
    no_class |= series.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=np.bool_)
    only_frame = no_box & no_class
    if not only_frame.any():
        return table, None
    codes, uniques = factorize(table.keys(frame_column, "frame id"))
    sizes = np.full((len(uniques), 2), np.nan)
    given = row_sizes(table, box_columns)
    if given is not None:  # each frame takes the size on its first row that has one
        known = np.flatnonzero(np.all(np.isfinite(given), axis=1))
        frames, first_rows = np.unique(codes[known], return_index=True)
        sizes[frames] = given[known[first_rows]]
    info = FrameInfo(tuple(str(u) for u in uniques), sizes, ("",) * len(uniques))
    keep = np.flatnonzero(~only_frame).astype(np.int64)
    kept = Table(
        table.source,
        table.frame.iloc[keep].reset_index(drop=True),
        RowsWhere(table.where, keep),
        {name: mask[keep] for name, mask in table.missing.items()},
        typed=table.typed,
        start=table.start,
        categories=table.categories,
    )
    return kept, info


def _box_columns(table: Table, layout: BoxLayout) -> tuple[str, str, str, str]:
    found = [table.find(aliases) for aliases in BOX_COLUMNS[layout]]
    if None not in found:
        return found[0], found[1], found[2], found[3]  # type: ignore[return-value]
    wanted = ", ".join(aliases[0] for aliases in BOX_COLUMNS[layout])
    fitting = [
        other
        for other, columns in BOX_COLUMNS.items()
        if other != layout and all(table.find(aliases) for aliases in columns)
    ]
    hint = f" (they fit --box-format {fitting[0]})" if fitting else ""
    missing = BOX_COLUMNS[layout][found.index(None)][0]
    raise InputError(
        table.source,
        f"expected box columns {wanted} for --box-format {layout}, found columns {listing(table.columns)}{hint}",
        field=missing,
    )


def row_sizes(table: Table, box_columns: tuple[str, ...] = ()) -> FloatArray | None:
    """``(N, 2)`` image width and height given on each row (NaN in empty cells), when the table has them."""
    width, height = (_size_column(table, axis, box_columns) for axis in ("width", "height"))
    if width is None or height is None:
        return None
    values = []
    for column in (width, height):
        value, empty = table.optional_numbers(column)
        row = first(~empty & ~((value > 0) & (value <= MAX_COORDINATE)))
        if row is not None:
            expected = size_expected(float(value[row]), "image size")
            raise table.where.error(row, column, f"expected {expected}, found {describe(value[row])}")
        values.append(value)
    return np.stack(values, axis=1)


def _size_column(table: Table, axis: str, box_columns: tuple[str, ...]) -> str | None:
    """``image_width``, else ``width`` unless it is the box's own width."""
    for column in (table.find((f"image_{axis}",)), table.find((axis,))):
        if column is not None and column not in box_columns:
            return column
    return None


def _crowd(table: Table) -> BoolArray | None:
    column = table.find(("iscrowd", "crowd"))
    if column is None:
        return None
    series = table.frame[column]
    if pd.api.types.is_bool_dtype(series) or pd.api.types.infer_dtype(series, skipna=True) == "boolean":
        # true / false in a typed file (JSON Lines, Parquet) stand for 1 / 0 (docs/limits.md)
        present = ~series.isna().to_numpy()
        return np.where(present, series.to_numpy(dtype=object) == True, False).astype(np.bool_)  # noqa: E712
    crowd, missing = table.optional_numbers(column)
    row = first(~missing & ~np.isin(crowd, (0, 1)))
    if row is not None:
        raise table.where.error(row, column, f"expected 0 or 1, found {describe(crowd[row])}")
    return np.where(missing, 0, crowd).astype(np.bool_)


def _area(table: Table) -> FloatArray | None:
    column = table.find(("area",))
    return None if column is None else table.optional_numbers(column)[0]


def _ann_id(table: Table) -> IntArray | None:
    column = table.find(("ann_id", "annotation_id"))
    if column is None:
        return None
    ids = table.numbers(column)
    row = first(~(np.isfinite(ids) & (ids == np.round(ids))))
    if row is not None:
        raise table.where.error(row, column, f"expected an integer id, found {describe(ids[row])}")
    return ids.astype(np.int64)
