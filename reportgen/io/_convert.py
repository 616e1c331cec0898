"""``reportgen convert``: any detection input to Parquet in reportgen's table layout, read back to the same arrays.

The input is read by the ordinary loaders (:func:`reportgen.io.load_ground_truth`, and for predictions
:func:`reportgen.io.load_predictions` against the ground truth they are for), so box layouts, normalized
coordinates, class indices and frame names are resolved once, here; the output holds what evaluation uses:

- ground truth: first one row per frame, in the ground truth's frame order, with only ``frame_id`` and the image
  size (``image_width``, ``image_height``; empty where unknown), so that frames without objects and the frame
  order survive; then one row per object, in the loaded order: ``frame_id``, ``class`` (the name), ``x``, ``y``,
  ``w``, ``h`` (absolute pixels), ``area`` (COCO's where given, else ``w * h``), ``iscrowd``, ``ann_id``. The
  class list and category ids (COCO ``categories``, with classes that have no object) are kept in the file's
  schema metadata (:func:`reportgen.io._parquet.categories_metadata`).
- predictions: one row per prediction, in the loaded order: ``frame_id`` (the ground truth's id), ``class``
  (the ground truth's class name), ``x``, ``y``, ``w``, ``h``, ``score``.

Frame ids are written as strings (``00001`` stays ``00001``); COCO's integer image ids are their decimal text,
which the COCO summary still orders as numbers. What is not kept: image file names (COCO ``file_name``, VOC
``filename``), so predictions evaluated against a converted ground truth must name frames by id, not by file
stem; and predictions dropped by ``--ignore-unknown-frames`` (the output has none, so it reports 0 dropped).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from reportgen.errors import InputError
from reportgen.io._parquet import categories_metadata
from reportgen.io.containers import GroundTruth, Predictions

Role = Literal["gt", "pred"]


@dataclass(frozen=True)
class Converted:
    """What :func:`convert` wrote: the files, and the rows (frame rows included) and objects or predictions."""

    files: tuple[Path, ...]
    rows: int
    boxes: int


def ground_truth_table(gt: GroundTruth) -> pa.Table:
    """The ground truth as one table: a row per frame (id and size), then a row per object."""
    if gt.task != "detection":
        raise InputError(gt.source, "expected detection ground truth, found classification labels (already a table)")
    _unique_classes(gt)
    frames, objects = gt.num_frames, gt.num_objects
    ids = np.asarray(gt.frame_ids, dtype=object)
    none = np.zeros(frames, dtype=np.bool_)
    empty_f = np.full(frames, np.nan)

    def column(frame_part: np.ndarray, object_part: np.ndarray, type_: pa.DataType) -> pa.Array:
        mask = np.concatenate([np.ones(frames, dtype=np.bool_), np.zeros(objects, dtype=np.bool_)])
        values = np.concatenate([frame_part, object_part])
        return pa.array(values, type=type_, mask=mask)

    names = np.asarray(gt.classes, dtype=object)
    sizes = gt.image_size
    known = np.all(np.isfinite(sizes), axis=1)
    size_mask = np.concatenate([~known, ~np.all(np.isfinite(sizes[gt.frame]), axis=1)]) if objects else ~known
    width = np.concatenate([sizes[:, 0], sizes[gt.frame, 0]])
    height = np.concatenate([sizes[:, 1], sizes[gt.frame, 1]])
    table = pa.table(
        {
            "frame_id": pa.array(np.concatenate([ids, ids[gt.frame]]), type=pa.string()),
            "class": column(np.full(frames, "", dtype=object), names[gt.cls], pa.string()),
            "x": column(empty_f, gt.box[:, 0], pa.float64()),
            "y": column(empty_f, gt.box[:, 1], pa.float64()),
            "w": column(empty_f, gt.box[:, 2], pa.float64()),
            "h": column(empty_f, gt.box[:, 3], pa.float64()),
            "area": column(empty_f, gt.area, pa.float64()),
            "iscrowd": column(none.astype(np.int64), gt.crowd.astype(np.int64), pa.int64()),
            "ann_id": column(none.astype(np.int64), gt.ann_id, pa.int64()),
            "image_width": pa.array(np.where(size_mask, 0.0, width), type=pa.float64(), mask=size_mask),
            "image_height": pa.array(np.where(size_mask, 0.0, height), type=pa.float64(), mask=size_mask),
        }
    )
    return table.replace_schema_metadata(categories_metadata(gt.classes, gt.category_ids))


def predictions_table(preds: Predictions, gt: GroundTruth) -> pa.Table:
    """The predictions as one table, frames and classes named as in ``gt``."""
    _unique_classes(gt)
    return pa.table(
        {
            "frame_id": pa.array(np.asarray(gt.frame_ids, dtype=object)[preds.frame], type=pa.string()),
            "class": pa.array(np.asarray(gt.classes, dtype=object)[preds.cls], type=pa.string()),
            "x": pa.array(preds.box[:, 0]),
            "y": pa.array(preds.box[:, 1]),
            "w": pa.array(preds.box[:, 2]),
            "h": pa.array(preds.box[:, 3]),
            "score": pa.array(preds.score),
        }
    )


def _unique_classes(gt: GroundTruth) -> None:
    seen: set[str] = set()
    for name in gt.classes:
        if name in seen:
            raise InputError(
                gt.source,
                f"expected unique class names, found {name!r} twice (a table names classes, so two categories of "
                "one name would become one)",
            )
        seen.add(name)


def parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())


def write_parquet(table: pa.Table, output: Path, *, rows_per_file: int | None) -> tuple[Path, ...]:
    """Write ``table`` to ``output`` (one file), or with ``rows_per_file`` into the existing empty folder ``output``
    as ``part-00000.parquet``, ... (all files written or none)."""
    from reportgen.outputs.atomic import write_together

    if rows_per_file is None:
        write_together([(output, parquet_bytes(table))])
        return (output,)
    count = max(1, -(-table.num_rows // rows_per_file))
    width = max(5, len(str(count - 1)))
    items = [
        (output / f"part-{i:0{width}d}.parquet", parquet_bytes(table.slice(i * rows_per_file, rows_per_file)))
        for i in range(count)
    ]
    write_together(items)
    return tuple(path for path, _ in items)


def check_folder_output(output: Path) -> bool:
    """A folder output must not exist yet, or be an empty folder; create it. True when it was created."""
    if output.exists() and not output.is_dir():
        raise InputError(output, "cannot write a folder of Parquet files (--rows-per-file): a file exists here")
    if output.is_dir():
        with os.scandir(output) as entries:
            empty = next(entries, None) is None
        if not empty:
            raise InputError(
                output, "cannot write a folder of Parquet files (--rows-per-file): the folder is not empty"
            )
        return False
    try:
        output.mkdir()
    except OSError as exc:
        raise InputError(output, f"cannot create the folder: {exc.strerror or exc}") from None
    return True
