"""Side files: the class-names list (``--class-names``) and the image-sizes table (``--image-sizes``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from reportgen.errors import InputError
from reportgen.io._detect import detect_format
from reportgen.io._files import read_json, read_text
from reportgen.io._location import Location
from reportgen.io._where import FRAME_COLUMNS, JsonWhere, describe, is_text
from reportgen.io._yaml import check_yaml_events
from reportgen.io.containers import FloatArray
from reportgen.limits import MAX_COORDINATE, size_expected

if TYPE_CHECKING:
    from reportgen.io._table_file import TableFormat

SizeMap = dict[str, tuple[float, float]]


def read_class_names(path: Location) -> tuple[str, ...]:
    """One name per line (``voc.names``, ``classes.txt``), or a YOLO ``data.yaml`` with ``names``.

    Blank lines are skipped. Index ``i`` of a txt or table file means ``names[i]``.
    """
    source = str(path)
    text = read_text(path, "class names, one a line")
    if path.suffix.lower() in (".yaml", ".yml"):
        names = _yaml_names(source, text)
    else:
        names = [line.strip() for line in text.splitlines() if line.strip()]
    if not names:
        raise InputError(source, "expected class names, one a line, found an empty file")
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        if not is_text(name):
            raise InputError(
                source, f"expected class names without control characters, found {describe(name)} (class {index})"
            )
        if name in seen:
            raise InputError(source, f"expected unique class names, found {name!r} again (first as class {seen[name]})")
        seen[name] = index
    return tuple(names)


def _yaml_names(source: str, text: str) -> list[str]:
    import yaml

    try:
        check_yaml_events(source, text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(source, f"expected valid YAML, found an error ({exc})") from None
    names = data.get("names") if isinstance(data, dict) else None
    if isinstance(names, list):
        return [str(n).strip() for n in names]
    if isinstance(names, dict) and set(names) == set(range(len(names))):
        return [str(names[i]).strip() for i in range(len(names))]
    raise InputError(
        source,
        f"expected a list of names or a mapping 0..N-1 to names, found {describe(names)}",
        field="names",
    )


def read_image_sizes(path: Location) -> SizeMap:
    """Image width and height by frame id (and by image file stem when the file names images).

    Accepted: a table (CSV, Parquet, JSON Lines) with a frame id column and ``width``, ``height``; a COCO
    dataset JSON (its ``images``); or a JSON list of ``{frame_id, width, height}`` objects.
    """
    fmt = detect_format(path, role="gt")
    if fmt in ("csv", "parquet", "jsonl"):
        return _sizes_from_table(path, fmt)  # type: ignore[arg-type]
    if fmt == "coco":
        return _sizes_from_json(path)
    raise InputError(path, f"expected a table or JSON of image sizes, found a {fmt} folder")


def _sizes_from_table(path: Location, fmt: TableFormat) -> SizeMap:
    from reportgen.io._table_file import read_table  # pandas: loaded only when a table is read

    table = read_table(path, fmt)
    frames = table.keys(table.require(FRAME_COLUMNS, "frame id"), "frame id")
    columns = (
        table.require(("width", "image_width"), "image width"),
        table.require(("height", "image_height"), "image height"),
    )
    widths, heights = (table.numbers(column) for column in columns)
    for column, values in zip(columns, (widths, heights), strict=True):
        bad = ~((values > 0) & (values <= MAX_COORDINATE))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            value = float(values[row])
            raise table.where.error(row, column, f"expected {size_expected(value)}, found {describe(value)}")
    return {frame: (float(w), float(h)) for frame, w, h in zip(frames, widths, heights, strict=True)}


def _sizes_from_json(path: Location) -> SizeMap:
    data = read_json(path, "image sizes")
    records = data.get("images") if isinstance(data, dict) else data
    where = JsonWhere(str(path), "images" if isinstance(data, dict) else "")
    if not isinstance(records, list):
        raise InputError(path, f"expected a list of images, found {describe(records)}", field="images")
    sizes: SizeMap = {}
    stems: SizeMap = {}
    for row, record in enumerate(records):
        if not isinstance(record, dict):
            raise where.error(row, None, f"expected an object, found {describe(record)}")
        key = next((k for k in ("id", *FRAME_COLUMNS) if k in record), None)
        if key is None:
            raise where.error(row, "id", "expected an image id, found no value")
        size = (_json_size(where, row, record, "width"), _json_size(where, row, record, "height"))
        sizes[str(record[key])] = size
        name = record.get("file_name")
        if isinstance(name, str) and name:
            stems.setdefault(image_stem(name), size)
    return stems | sizes


def _json_size(where: JsonWhere, row: int, record: dict[str, object], key: str) -> float:
    value = record.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= MAX_COORDINATE:
        shown = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
        raise where.error(row, key, f"expected {size_expected(shown)}, found {describe(value)}")
    return float(value)


def sizes_of(frame_ids: tuple[str, ...] | list[str], sizes: SizeMap) -> FloatArray:
    """``(F, 2)`` width, height of each frame from ``sizes``; NaN where the map has none."""
    out = np.full((len(frame_ids), 2), np.nan)
    for i, frame in enumerate(frame_ids):
        size = sizes.get(frame)
        if size is not None:
            out[i] = size
    return out


def image_stem(name: str) -> str:
    """``val/COCO_1.jpg`` -> ``COCO_1`` (also for Windows paths), as :attr:`pathlib.PurePath.stem`."""
    base = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    dot = base.rfind(".")
    return base[:dot] if dot > 0 else base
