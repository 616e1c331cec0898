"""COCO ground truth (dataset JSON) and COCO results (a list, or a dataset dict whose annotations score).

Records are turned into arrays in one pass of list comprehensions; only when that fails, or a vectorised
check fails, is the file walked record by record to name the first bad one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np

from reportgen.errors import InputError
from reportgen.io._files import read_json
from reportgen.io._location import Location
from reportgen.io._records import (
    RawBoxes,
    area_or_box,
    build_predictions,
    check_finite,
    check_positive,
    first,
)
from reportgen.io._where import JsonWhere, Where, describe, is_text, listing
from reportgen.io.containers import BoolArray, FloatArray, GroundTruth, IntArray, Predictions
from reportgen.limits import MAX_COORDINATE, size_expected

BBOX_FIELDS = ("bbox[0]", "bbox[1]", "bbox[2]", "bbox[3]")
Record = dict[str, Any]


# ---------------------------------------------------------------------------------------- ground truth


def load_coco_ground_truth(path: Location, *, data: object = None) -> GroundTruth:
    """A COCO dataset: ``images`` and ``categories`` keep file order; boxes are the ``bbox`` field.

    ``data``: the dataset already in memory (the Python API); ``path`` then only names it in messages.
    """
    source = str(path)
    if data is None:
        data = read_json(path, "a COCO dataset")
    if not isinstance(data, dict):
        raise InputError(
            source,
            "expected a COCO dataset object with 'images', 'annotations' and 'categories', "
            f"found {describe(data)} (a results file?)",
        )
    images = _array(source, data, "images")
    categories = _array(source, data, "categories")
    annotations = _array(source, data, "annotations")
    frame_ids, sizes, paths, image_ids = _images(JsonWhere(source, "images"), images)
    classes, category_ids = _categories(JsonWhere(source, "categories"), categories)
    where = JsonWhere(source, "annotations")
    ann = _annotations(where, annotations, image_ids, list(category_ids))
    rows = np.arange(len(annotations), dtype=np.int64)
    check_finite(ann.bbox, BBOX_FIELDS, where, rows)
    check_positive(ann.bbox, ann.bbox, "xywh", BBOX_FIELDS, where, rows)
    _check_unique(ann.ann_id, where, "annotation id")
    area = area_or_box(ann.area, ann.bbox, where, rows)
    return GroundTruth(
        task="detection",
        frame_ids=frame_ids,
        classes=classes,
        category_ids=category_ids,
        image_size=sizes,
        frame=ann.frame,
        cls=ann.cls,
        box=ann.bbox,
        area=area,
        crowd=ann.crowd,
        ann_id=ann.ann_id,
        source=source,
        image_paths=paths,
    )


def _array(source: str, data: Record, key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise InputError(
            source, f"expected a list, found {describe(value) if key in data else 'no such key'}", field=key
        )
    return value


def _is_id(value: object) -> bool:
    return isinstance(value, int | str) and not isinstance(value, bool)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _images(where: JsonWhere, images: list[Any]) -> tuple[tuple[str, ...], FloatArray, tuple[str, ...], list[Any]]:
    """Frame ids (``str(id)``), ``(F, 2)`` sizes (NaN where absent), file names, and the ids as in the file."""
    try:
        raw_ids = [image["id"] for image in images]
        sizes = [[image.get("width"), image.get("height")] for image in images]
        names = [image.get("file_name") for image in images]
        typed = {type(i) for i in raw_ids} <= {int, str} and {type(v) for s in sizes for v in s} <= _SIZE_TYPES
    except (KeyError, TypeError, AttributeError):
        typed = False
    if not typed:
        _find_bad_image(where, images)
    size = np.array(sizes, dtype=np.float64).reshape(-1, 2)
    bad = np.argwhere(~np.isnan(size) & ~((size > 0) & (size <= MAX_COORDINATE)))
    if bad.size:
        row, col = (int(i) for i in bad[0])
        key = ("width", "height")[col]
        expected = size_expected(float(size[row, col]))
        raise where.error(row, key, f"expected {expected}, found {describe(images[row][key])}")
    frame_ids = [str(i) for i in raw_ids]
    if len(set(frame_ids)) != len(frame_ids):
        _raise_repeated(where, frame_ids, raw_ids, "image id")
    paths = tuple(n if isinstance(n, str) else "" for n in names)
    return tuple(frame_ids), size, paths, raw_ids


_SIZE_TYPES = frozenset({int, float, type(None)})


def _find_bad_image(where: JsonWhere, images: list[Any]) -> NoReturn:
    for row, image in enumerate(images):
        _require(where, row, image, "id", _is_id, "an image id (integer or string)")
        for key in ("width", "height"):
            if image.get(key) is not None:
                _require(where, row, image, key, _is_number, "a positive number")
    raise AssertionError("a COCO image failed the fast path but passed every check")


def _raise_repeated(where: JsonWhere, keys: list[str], shown: list[Any], what: str) -> NoReturn:
    """The first record repeating an earlier key (compared as strings) is the error."""
    seen: dict[str, int] = {}
    for row, key in enumerate(keys):
        if key in seen:
            raise where.error(
                row,
                "id",
                f"expected a unique {what}, found {describe(shown[row])} again (first at {where.array}[{seen[key]}])",
            )
        seen[key] = row
    raise AssertionError("no repeated key")


def index_of(values: list[Any], ids: list[Any], *, integers_only: bool = False) -> IntArray:
    """Position of each value in ``ids`` (unique), compared as strings; -1 where absent.

    Integer ids are matched with one sort and a binary search; other ids through a dict of their strings.
    """
    if not values:
        return np.zeros(0, dtype=np.int64)
    found = np.asarray(values) if {type(v) for v in values} == {int} else None
    keys = np.asarray(ids) if ids and {type(i) for i in ids} == {int} else None
    if found is not None and keys is not None and found.dtype.kind == keys.dtype.kind == "i":
        order = np.argsort(keys, kind="stable")
        slot = np.minimum(np.searchsorted(keys, found, sorter=order), len(keys) - 1)
        return np.where(keys[order[slot]] == found, order[slot], -1).astype(np.int64)
    if integers_only and found is None:
        return np.full(len(values), -1, dtype=np.int64)
    lookup = {str(k): i for i, k in enumerate(ids)}
    return np.array(
        [lookup.get(v, -1) if type(v) is str else lookup.get(str(v), -1) if type(v) is int else -1 for v in values],
        dtype=np.int64,
    )


def _categories(where: JsonWhere, categories: list[Any]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Names and ids in file order."""
    for row, category in enumerate(categories):
        _require(where, row, category, "id", _is_int, "an integer category id")
        _require(where, row, category, "name", lambda v: isinstance(v, str), "a category name")
    ids = [category["id"] for category in categories]
    if len(set(ids)) != len(ids):
        _raise_repeated(where, [str(i) for i in ids], ids, "category id")
    names = [category["name"] for category in categories]
    for row, name in enumerate(names):
        if not is_text(name):
            raise where.error(row, "name", f"expected a class name without control characters, found {describe(name)}")
    if len(set(names)) != len(names):
        seen: dict[str, int] = {}
        for row, name in enumerate(names):
            if name in seen:
                raise where.error(
                    row, "name", f"expected a unique category name, found {describe(name)} again "
                    f"(first at {where.array}[{seen[name]}]); classes are known by name",
                )  # fmt: skip
            seen[name] = row
    return tuple(category["name"] for category in categories), tuple(ids)


def _require(where: JsonWhere, row: int, record: object, key: str, ok: Callable[[Any], bool], expected: str) -> None:
    if not isinstance(record, dict):
        raise where.error(row, None, f"expected an object, found {describe(record)}")
    if key not in record:
        raise where.error(row, key, f"expected {expected}, found no such key")
    if not ok(record[key]):
        raise where.error(row, key, f"expected {expected}, found {describe(record[key])}")


@dataclass(frozen=True)
class _Annotations:
    """Arrays of the annotations, in file order."""

    ann_id: IntArray
    frame: IntArray
    cls: IntArray
    bbox: FloatArray
    area: FloatArray  # NaN where the file gives none
    crowd: BoolArray


def _annotations(where: JsonWhere, anns: list[Any], image_ids: list[Any], category_ids: list[int]) -> _Annotations:
    try:
        ann_id = np.asarray([a["id"] for a in anns], dtype=np.int64) if anns else np.zeros(0, dtype=np.int64)
        id_typed = {type(a["id"]) for a in anns} <= {int}
        frame = index_of([a["image_id"] for a in anns], image_ids)
        cls = index_of([a["category_id"] for a in anns], list(category_ids), integers_only=True)
        bbox = _box_array([a["bbox"] for a in anns])
        areas = [a.get("area") for a in anns]
        crowds = [a.get("iscrowd", 0) for a in anns]
        area = np.array(areas, dtype=np.float64)
        crowd = np.array(crowds, dtype=np.float64)
        typed = (
            id_typed
            and (frame >= 0).all()
            and (cls >= 0).all()
            and np.isin(crowd, (0, 1)).all()
            and set(map(type, areas)) <= _AREA_TYPES
            and set(map(type, crowds)) <= _CROWD_TYPES
        )
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
        typed = False
    if not typed:
        _find_bad_annotation(where, anns, image_ids, category_ids)
    return _Annotations(ann_id, frame, cls, bbox, area, crowd.astype(np.bool_))


_AREA_TYPES = frozenset({int, float, type(None)})
_CROWD_TYPES = frozenset({int, float, bool})  # true / false stand for 1 / 0 (docs/limits.md)
_NUMBER_TYPES = frozenset({int, float})


def _box_array(boxes: list[Any]) -> FloatArray:
    """``(N, 4)`` from lists of 4 numbers; TypeError / ValueError when a box is not one (numpy would read the
    string ``"10"`` or ``true`` as a number: the element types are checked first)."""
    if {type(b) for b in boxes} - {list} or set(map(len, boxes)) - {4}:
        raise ValueError("not a list of 4")
    if set(map(type, itertools.chain.from_iterable(boxes))) - _NUMBER_TYPES:
        raise ValueError("not numbers")
    flat = np.fromiter(itertools.chain.from_iterable(boxes), dtype=np.float64, count=4 * len(boxes))
    return flat.reshape(-1, 4)


def _find_bad_annotation(where: JsonWhere, anns: list[Any], image_ids: list[Any], category_ids: list[int]) -> NoReturn:
    images = {str(i) for i in image_ids}
    categories = set(category_ids)
    for row, ann in enumerate(anns):
        _require(where, row, ann, "id", _is_int, "an integer annotation id")
        _require(where, row, ann, "image_id", _is_id, "an image id (integer or string)")
        if str(ann["image_id"]) not in images:
            raise where.error(
                row, "image_id", f"expected an image id listed in 'images', found {describe(ann['image_id'])}"
            )
        _require(where, row, ann, "category_id", _is_int, "an integer category id")
        if ann["category_id"] not in categories:
            raise where.error(
                row,
                "category_id",
                f"expected a category id listed in 'categories' "
                f"({listing(list(categories))}), found {ann['category_id']}",
            )
        _require(where, row, ann, "bbox", _is_box, "a list of 4 numbers [x, y, width, height]")
        if ann.get("area") is not None:
            _require(where, row, ann, "area", _is_number, "a number")
        if "iscrowd" in ann:
            _require(where, row, ann, "iscrowd", lambda v: isinstance(v, int | float) and v in (0, 1), "0 or 1")
    raise AssertionError("a COCO annotation failed the fast path but passed every check")


def _is_box(value: object) -> bool:
    return isinstance(value, list) and len(value) == 4 and all(_is_number(v) for v in value)


def _check_unique(ids: IntArray, where: JsonWhere, what: str) -> None:
    """The first record (in file order) that repeats an earlier id is an error."""
    order = np.argsort(ids, kind="stable")
    repeats = np.flatnonzero(ids[order][1:] == ids[order][:-1])
    if repeats.size == 0:
        return
    second = order[repeats + 1]
    row = int(second.min())
    earlier = int(np.flatnonzero(ids == ids[row])[0])
    raise where.error(
        row, "id", f"expected a unique {what}, found {int(ids[row])} again (first at {where.array}[{earlier}])"
    )


# --------------------------------------------------------------------------------------------- results


def load_coco_predictions(
    path: Location, gt: GroundTruth, *, name: str, ignore_unknown_frames: bool, data: object = None
) -> Predictions:
    """COCO results: ``[{image_id, category_id, bbox, score}, ...]`` or a dataset dict with scored annotations.

    ``category_id`` must be one of the ground truth's ``category_ids``; ``image_id`` one of its frames
    (compared as strings, see :class:`FrameLookup`). ``data``: the results already in memory (the Python API).
    """
    raw = coco_raw_predictions(path, data)
    return build_predictions(raw, gt, name=name, names=None, sizes=None, ignore_unknown_frames=ignore_unknown_frames)


def coco_raw_predictions(path: Location, data: object = None) -> RawBoxes:
    """COCO results as :class:`RawBoxes` (xywh, absolute), their category ids kept for :func:`category_index`."""
    source = str(path)
    if data is None:
        data = read_json(path, "COCO results")
    if isinstance(data, dict) and isinstance(data.get("annotations"), list):
        records, where = data["annotations"], JsonWhere(source, "annotations")
    elif isinstance(data, list):
        records, where = data, JsonWhere(source, "")
    else:
        raise InputError(
            source, f"expected a list of detections or a dataset with 'annotations', found {describe(data)}"
        )
    keys, categories, bbox, score = _results(where, records)
    return RawBoxes(
        source=source, where=where, frame_keys=keys, frame_field="image_id", class_keys=[], class_field="category_id",
        coords=bbox, coord_fields=BBOX_FIELDS, layout="xywh", normalized=False, score=score, score_field="score",
        category_ids=categories,
    )  # fmt: skip


def _results(where: JsonWhere, records: list[Any]) -> tuple[list[Any], list[Any], FloatArray, FloatArray]:
    """Image ids and category ids as in the file, ``(N, 4)`` boxes and ``(N,)`` scores."""
    try:
        keys = [r["image_id"] for r in records]
        categories = [r["category_id"] for r in records]
        bbox = _box_array([r["bbox"] for r in records])
        scores = [r["score"] for r in records]
        typed = (
            {type(k) for k in keys} <= {int, str}
            and {type(c) for c in categories} <= {int}
            and {type(v) for v in scores} <= {int, float}
        )
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
        typed = False
    if not typed:
        _find_bad_result(where, records)
    return keys, categories, bbox, np.array(scores, dtype=np.float64)


def _find_bad_result(where: JsonWhere, records: list[Any]) -> NoReturn:
    for row, record in enumerate(records):
        _require(where, row, record, "image_id", _is_id, "an image id (integer or string)")
        _require(where, row, record, "category_id", _is_int, "an integer category id")
        _require(where, row, record, "bbox", _is_box, "a list of 4 numbers [x, y, width, height]")
        _require(where, row, record, "score", _is_number, "a confidence in [0, 1]")
    raise AssertionError("a COCO result failed the fast path but passed every check")


def category_index(categories: list[int], gt: GroundTruth, where: Where, rows: IntArray) -> IntArray:
    """Class index of each COCO ``category_id`` (an id of the ground truth's categories)."""
    cls = index_of(categories, list(gt.category_ids), integers_only=True)
    row = first(cls < 0)
    if row is not None:
        raise where.error(
            int(rows[row]),
            "category_id",
            f"expected a category id of the ground truth ({listing(gt.category_ids)}), found {categories[row]}",
        )
    return cls
