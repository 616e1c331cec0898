"""Input loaders: ground truth and predictions in COCO, tables, YOLO, Padilla and VOC formats.

Public API: :func:`load_ground_truth`, :func:`load_predictions`, :func:`parse_pred_argument`,
:func:`detect_format` and :class:`LoadOptions`; for inputs read a part at a time, :func:`iter_table_chunks` and
:func:`iter_raw_prediction_chunks`. Every user error is an :class:`~reportgen.errors.InputError`
naming the file, the line or record, the field, what was expected and what was found.

Format detection (``auto``) is described in :mod:`reportgen.io._detect`; a txt folder with ``auto`` is
read as YOLO when the other side was declared ``yolo`` (ground truth declared YOLO makes a predictions
folder YOLO too), since YOLO and Padilla txt cannot be told apart by content.

Choices, in one place:

- Frames: COCO ``images`` order; table frames in order of first appearance; txt and xml folders: the file
  stem is the frame id, files in name order, an empty ground-truth file is a frame without objects.
- A prediction's frame is found by frame id compared as a string, else by the file-name stem of the
  ground truth's image (see :class:`reportgen.io._records.FrameLookup`).
- Classes: COCO ``categories`` order; otherwise ``--class-names`` when given, else order of first
  appearance. A prediction's class is matched by name; integers index ``--class-names``, or without it are
  tried as ground-truth category ids.
- Image sizes (normalized coordinates, whole-frame boxes): the ground truth's own (COCO ``images``, VOC
  ``<size>``, a table's ``image_width`` / ``image_height`` or ``width`` / ``height`` columns); then
  ``--image-sizes`` for frames still without one.
- Task: a ground-truth table with a class column and no box position column (``x``, ``x1``, ``xmin``,
  ``cx``, ...) is classification; ``task`` or the ``classification`` format decide otherwise.
- A folder of ``.parquet`` files is one table (:mod:`reportgen.io._parquet`): files in name order, hive
  ``key=value`` folders as string columns, rows named by file and row within it.
- Locations: a local path, or an fsspec URL (``s3://bucket/key``, ``file:///data/gt.json``, ``memory://...``),
  read through fsspec by whoever reads it (:mod:`reportgen.io._location`); every format reads from both alike.
- VOC ``difficult`` objects are crowd (ignored by matching, never missed), as the VOC devkit ignores them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from reportgen.errors import InputError
from reportgen.io._detect import detect_format
from reportgen.io._location import Location, Url, is_url, location
from reportgen.io.options import InputFormat, LoadOptions

if TYPE_CHECKING:
    from reportgen.io._records import ClassNames, RawBoxes
    from reportgen.io._side_files import SizeMap
    from reportgen.io._table_file import Table, TableFormat
    from reportgen.io.containers import GroundTruth, Predictions

# The readers are imported where a format needs them: reading COCO JSON loads neither pandas nor pyarrow.

__all__ = [
    "LoadOptions",
    "Location",
    "Url",
    "detect_format",
    "iter_prediction_chunks",
    "iter_raw_prediction_chunks",
    "iter_table_chunks",
    "load_ground_truth",
    "load_predictions",
    "location",
    "parse_pred_argument",
    "prediction_parts",
]

_TABLES: tuple[TableFormat, ...] = ("csv", "parquet", "jsonl")
_FOLDERS = ("yolo", "padilla", "voc")


#: How in-memory data is named in messages.
DATAFRAME_SOURCE, COCO_DICT_SOURCE = "<DataFrame>", "<COCO data>"


def _in_memory(source: object) -> bool:
    return not isinstance(source, (str, os.PathLike))


def load_ground_truth(
    path: Location | str | object, options: LoadOptions, *, chunk_rows: int | None = None
) -> GroundTruth:
    """Read the ground truth at ``path`` (a file or a folder; a local path or an fsspec URL) in
    ``options.gt_format``; or, from Python, a pandas DataFrame (a table) or a COCO dataset dict.

    ``chunk_rows``: read a detection table that many rows at a time (the rows as read take a fraction of the
    memory of the whole table at once); the result is the same.
    """
    if _in_memory(path):
        return _ground_truth_in_memory(path, options)
    path = location(path)  # type: ignore[arg-type]
    fmt = _resolve_format(path, options.gt_format, "gt", other=options.pred_format)
    names = _class_names(options)
    sizes = _image_sizes(options)
    wants_classification = options.task == "classification" or options.gt_format == "classification"
    if fmt in _TABLES and chunk_rows is not None and not wants_classification:
        chunked = _ground_truth_in_chunks(path, fmt, options, names, sizes, chunk_rows)
        if chunked is not None:
            return chunked
    if fmt in _TABLES:
        from reportgen.io._table_file import read_table

        return _ground_truth_from_table(read_table(path, fmt), options, names, sizes)
    if wants_classification:
        raise InputError(path, f"expected a table (CSV, Parquet or JSON Lines) of labels, found a {fmt} input")
    elif fmt == "coco":
        from reportgen.io._coco import load_coco_ground_truth

        return load_coco_ground_truth(path)
    elif fmt == "voc":
        from reportgen.io._voc import read_voc_folder

        raw = read_voc_folder(path)
    else:
        from reportgen.io._txt import read_txt_folder

        _require_names_for_yolo(path, fmt, names)
        raw = read_txt_folder(path, fmt, "gt", options.box_format, options.normalized)  # type: ignore[arg-type]
    from reportgen.io._records import build_ground_truth

    return build_ground_truth(_rounding(raw, options), names=names, sizes=sizes)


def _ground_truth_in_chunks(
    path: Location, fmt: TableFormat, options: LoadOptions, names: ClassNames | None, sizes: SizeMap | None, rows: int
) -> GroundTruth | None:
    """A detection table read a chunk at a time, or None when it must be read whole (classification, or chunks
    whose columns differ)."""
    from reportgen.io._detections import detection_table
    from reportgen.io._records import build_ground_truth, concat_raw
    from reportgen.io._table_file import iter_table_chunks as chunks

    tables = chunks(path, fmt, rows=rows)
    first = next(tables)
    if _is_classification(first, options):
        return None
    raws = [detection_table(first, options.box_format, options.normalized, "gt")]
    del first
    raws.extend(detection_table(t, options.box_format, options.normalized, "gt") for t in tables)
    merged = concat_raw(raws)
    if merged is None:
        return None
    del raws
    return build_ground_truth(_rounding(merged, options), names=names, sizes=sizes)


def _ground_truth_from_table(
    table: Table, options: LoadOptions, names: ClassNames | None, sizes: SizeMap | None
) -> GroundTruth:
    from reportgen.io._classification import classification_ground_truth
    from reportgen.io._detections import detection_table
    from reportgen.io._records import build_ground_truth

    if _is_classification(table, options):
        return classification_ground_truth(table, names, sizes)
    raw = detection_table(table, options.box_format, options.normalized, "gt")
    return build_ground_truth(_rounding(raw, options), names=names, sizes=sizes)


def _ground_truth_in_memory(data: object, options: LoadOptions) -> GroundTruth:
    import pandas as pd

    from reportgen.io._coco import load_coco_ground_truth
    from reportgen.io._table_file import table_from_dataframe

    if isinstance(data, pd.DataFrame):
        table = table_from_dataframe(data, DATAFRAME_SOURCE)
        return _ground_truth_from_table(table, options, _class_names(options), _image_sizes(options))
    if isinstance(data, dict):
        return load_coco_ground_truth(Path(COCO_DICT_SOURCE), data=data)
    raise InputError(
        None, f"expected a path, a pandas DataFrame or a COCO dataset dict, found {type(data).__name__}",
        field="ground truth",
    )


def _predictions_in_memory(data: object, gt: GroundTruth, options: LoadOptions, name: str) -> Predictions:
    import pandas as pd

    from reportgen.io._classification import classification_predictions
    from reportgen.io._coco import load_coco_predictions
    from reportgen.io._detections import detection_table
    from reportgen.io._records import build_predictions
    from reportgen.io._table_file import table_from_dataframe

    names = _class_names(options)
    ignore = options.ignore_unknown_frames
    if isinstance(data, pd.DataFrame):
        table = table_from_dataframe(data, DATAFRAME_SOURCE)
        if gt.task == "classification":
            return classification_predictions(table, gt, name=name, names=names, ignore_unknown_frames=ignore)
        raw = detection_table(table, options.box_format, options.normalized, "pred")
        return build_predictions(
            _rounding(raw, options), gt, name=name, names=names, sizes=_image_sizes(options),
            ignore_unknown_frames=ignore,
        )  # fmt: skip
    if isinstance(data, (dict, list)) and gt.task == "detection":
        return load_coco_predictions(Path(COCO_DICT_SOURCE), gt, name=name, ignore_unknown_frames=ignore, data=data)
    expected = "a pandas DataFrame" + (", a COCO results list or dict" if gt.task == "detection" else "")
    raise InputError(None, f"expected a path, {expected}, found {type(data).__name__}", field=f"predictions {name!r}")


def load_predictions(path: Location | str | object, gt: GroundTruth, options: LoadOptions, *, name: str) -> Predictions:
    """Read one inference set and index it into ``gt``'s frames and classes (``path``: as for
    :func:`load_ground_truth`, or a COCO results list)."""
    if _in_memory(path):
        return _predictions_in_memory(path, gt, options, name)
    from reportgen.io._records import build_predictions

    path = location(path)  # type: ignore[arg-type]
    fmt = _resolve_format(path, options.pred_format, "pred", other=options.gt_format)
    names = _class_names(options)
    ignore = options.ignore_unknown_frames
    if gt.task == "classification":
        if fmt not in _TABLES:
            raise InputError(
                path, f"expected a table (CSV, Parquet or JSON Lines) of predicted labels, found a {fmt} input"
            )
        from reportgen.io._classification import classification_predictions
        from reportgen.io._table_file import read_table

        table = read_table(path, fmt)
        return classification_predictions(table, gt, name=name, names=names, ignore_unknown_frames=ignore)
    if fmt == "coco":
        from reportgen.io._coco import load_coco_predictions

        return load_coco_predictions(path, gt, name=name, ignore_unknown_frames=ignore)
    if fmt in _TABLES:
        from reportgen.io._detections import detection_table
        from reportgen.io._table_file import read_table

        raw = detection_table(read_table(path, fmt), options.box_format, options.normalized, "pred")
    elif fmt == "voc":
        raise InputError(path, "expected predictions, found Pascal VOC xml (a ground-truth format)")
    else:
        from reportgen.io._txt import read_txt_folder

        _require_names_for_yolo(path, fmt, names)
        raw = read_txt_folder(path, fmt, "pred", options.box_format, options.normalized)  # type: ignore[arg-type]
    return build_predictions(
        _rounding(raw, options), gt, name=name, names=names, sizes=_image_sizes(options), ignore_unknown_frames=ignore
    )


def iter_table_chunks(path: Location | str, fmt: TableFormat, *, rows: int = 1_000_000) -> Iterator[Table]:
    """A CSV, JSON Lines or Parquet input (a file, or a folder of Parquet files) as consecutive tables of at most
    ``rows`` rows; see :func:`reportgen.io._table_file.iter_table_chunks` for the guarantees."""
    from reportgen.io._table_file import iter_table_chunks as chunks

    return chunks(location(path), fmt, rows=rows)


def iter_raw_prediction_chunks(
    path: Location | str, options: LoadOptions, *, rows: int = 1_000_000, part: int | None = None
) -> Iterator[RawBoxes]:
    """Detection predictions at ``path``, read a chunk of at most ``rows`` rows at a time, as :class:`RawBoxes`.

    ``build_predictions(chunk, gt, name=..., names=..., sizes=..., ignore_unknown_frames=...)`` on each chunk
    (see :func:`reportgen.io._records.build_predictions`; ``names`` and ``sizes`` as :func:`load_predictions`
    reads them from ``options``), concatenated in order, gives the arrays ``load_predictions`` gives for the whole
    input, bit for bit; an error in a chunk has the message the whole read gives for that row. Each chunk's
    ``start`` is its first row's position in the whole input. Tables (CSV, JSON Lines, a Parquet file or folder)
    stream; COCO results and txt folders are read whole and yielded as one chunk (a COCO JSON file is parsed in
    one piece: its memory grows with the file). ``part``: only that file of a Parquet folder (see
    :func:`prediction_parts`), its rows' positions counted from the file's first row (that file alone is opened).
    """
    path = location(path)
    fmt = _resolve_format(path, options.pred_format, "pred", other=options.gt_format)
    if part is not None and fmt != "parquet":
        raise ValueError(f"part {part} of a {fmt} input: only a Parquet folder has parts")
    if fmt in _TABLES:
        from reportgen.io._detections import detection_table
        from reportgen.io._table_file import iter_table_chunks as chunks

        for table in chunks(path, fmt, rows=rows, part=part):
            yield _rounding(detection_table(table, options.box_format, options.normalized, "pred"), options)
    elif fmt == "coco":
        from reportgen.io._coco import coco_raw_predictions

        yield coco_raw_predictions(path)
    elif fmt == "voc":
        raise InputError(path, "expected predictions, found Pascal VOC xml (a ground-truth format)")
    else:
        from reportgen.io._txt import read_txt_folder

        _require_names_for_yolo(path, fmt, _class_names(options))
        raw = read_txt_folder(path, fmt, "pred", options.box_format, options.normalized)  # type: ignore[arg-type]
        yield _rounding(raw, options)


def iter_prediction_chunks(
    path: Location | str, gt: GroundTruth, options: LoadOptions, *, name: str, rows: int = 1_000_000,
    part: int | None = None,
) -> Iterator[tuple[Predictions, int]]:
    """Detection predictions read a chunk at a time (:func:`iter_raw_prediction_chunks`) and indexed into ``gt``:
    ``(predictions, position of the chunk's first row)``. Concatenated, the chunks are :func:`load_predictions`'s
    arrays, bit for bit."""
    from reportgen.io._records import build_predictions

    names, sizes = _class_names(options), _image_sizes(options)
    for raw in iter_raw_prediction_chunks(path, options, rows=rows, part=part):
        preds = build_predictions(
            raw, gt, name=name, names=names, sizes=sizes, ignore_unknown_frames=options.ignore_unknown_frames
        )
        yield preds, raw.start


def prediction_parts(path: Location | str, options: LoadOptions) -> list[int] | None:
    """The row count of each file of a Parquet folder of predictions (what each ``part`` of
    :func:`iter_raw_prediction_chunks` holds, from the files' metadata), or None for any other input."""
    path = location(path)
    if not path.is_dir():
        return None
    fmt = _resolve_format(path, options.pred_format, "pred", other=options.gt_format)
    if fmt != "parquet":
        return None
    from reportgen.io._parquet import file_rows, open_parquet

    return [file_rows(p) for p in open_parquet(path).parts]


def _rounding(raw: RawBoxes, options: LoadOptions) -> RawBoxes:
    return replace(raw, round_pixels=options.round_pixels) if options.round_pixels else raw


def parse_pred_argument(value: str) -> tuple[str, Location]:
    """``[NAME=]PATH`` -> ``(name, path)``; the name defaults to the file stem (a folder: its name). PATH may be an
    fsspec URL (``model=s3://bucket/preds/``).

    A value that is an existing path, or that starts with a URL's ``protocol://``, is a path even if it contains
    ``=`` (``s3://bucket/date=2024-01-01/``).
    """
    from reportgen.io._where import short

    if "=" in value and not is_url(value) and not Path(value).exists():
        name, _, rest = value.partition("=")
        if not name.strip() or not rest.strip():
            raise InputError(None, f"expected NAME=PATH with a name and a path, found {short(value)}", field="--pred")
        return _printable_name(name.strip()), location(rest.strip())
    if not value.strip():
        raise InputError(None, "expected [NAME=]PATH, found an empty value", field="--pred")
    path = location(value)
    return _printable_name(default_name(path)), path


def default_name(path: Location) -> str:
    """An inference set's name when none is given: the file stem; a folder's name. A URL is not asked whether it
    is a folder (no request for a name): a name with a suffix is a file."""
    if isinstance(path, Url):
        return path.stem if path.suffix else path.name
    return path.resolve().name if path.is_dir() else path.stem


def _printable_name(name: str) -> str:
    """An inference set's name is shown in every output: no control characters (docs/limits.md)."""
    from reportgen.io._where import is_text, short

    if not is_text(name):
        raise InputError(
            None, f"expected a name without control characters, found {short(name)} (name it with NAME=PATH)",
            field="--pred",
        )  # fmt: skip
    return name


def _resolve_format(path: Location, chosen: InputFormat, role: Literal["gt", "pred"], *, other: InputFormat) -> str:
    """The file format to read: ``chosen``, or detected from the content (``auto``, ``classification``)."""
    if chosen not in ("auto", "classification"):
        _check_path_kind(path, chosen, role)
        return chosen
    fmt = detect_format(path, role=role)
    if fmt == "padilla" and other == "yolo":
        return "yolo"
    return fmt


def _check_path_kind(path: Location, fmt: str, role: Literal["gt", "pred"]) -> None:
    what = "ground truth" if role == "gt" else "predictions"
    if not path.exists():
        raise InputError(path, f"expected a file or folder of {what}, found nothing at this path")
    if fmt in _FOLDERS and not path.is_dir():
        raise InputError(path, f"expected a folder of {fmt} files ({what}), found a file")
    if fmt not in _FOLDERS and fmt != "parquet" and path.is_dir():
        raise InputError(path, f"expected a {fmt} file of {what}, found a folder")
    if fmt not in _FOLDERS and not path.is_dir():
        detect_format(path, role=role)  # an empty file is an error whatever its declared format


def _is_classification(table: Table, options: LoadOptions) -> bool:
    if options.task != "auto":
        return options.task == "classification"
    if options.gt_format == "classification":
        return True
    from reportgen.io._detections import has_box_columns
    from reportgen.io._table_file import CLASS_COLUMNS

    return table.find(CLASS_COLUMNS) is not None and not has_box_columns(table)


def _class_names(options: LoadOptions) -> ClassNames | None:
    if options.class_names is None:
        return None
    from reportgen.io._records import ClassNames
    from reportgen.io._side_files import read_class_names

    return ClassNames(str(options.class_names), read_class_names(location(options.class_names)))


def _image_sizes(options: LoadOptions) -> SizeMap | None:
    from reportgen.io._side_files import read_image_sizes

    return None if options.image_sizes is None else read_image_sizes(location(options.image_sizes))


def _require_names_for_yolo(path: Location, fmt: str, names: ClassNames | None) -> None:
    if fmt == "yolo" and names is None:
        raise InputError(
            path, "expected --class-names (a names file or data.yaml) to read YOLO class indices, found none"
        )
