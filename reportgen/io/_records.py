"""From records as read to :class:`GroundTruth` / :class:`Predictions`: one path for every box format.

Readers (tables, txt folders, VOC xml) produce :class:`RawBoxes`: string keys, coordinates in the file's
layout, and a :class:`Where` to locate rows. Everything here is vectorised; a failed check reports the
first bad row, in this order: finite coordinates, confidence, frame, class, image size (normalized
coordinates), positive width and height.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from reportgen.errors import InputError
from reportgen.io._side_files import SizeMap, image_stem, sizes_of
from reportgen.io._where import ChunksWhere, Where, describe, is_text, listing
from reportgen.io.containers import BoolArray, FloatArray, GroundTruth, IntArray, Predictions
from reportgen.io.options import BoxLayout
from reportgen.limits import MAX_AREA, MAX_COORDINATE

T = TypeVar("T")


@dataclass(frozen=True)
class ClassNames:
    """The ``--class-names`` list and the file it came from (for messages)."""

    source: str
    names: tuple[str, ...]

    def lookup(self, value: str) -> str | None:
        """A listed name as is, else an index into the list; None when neither."""
        if value in self.names:
            return value
        if value.isdigit() and int(value) < len(self.names):
            return self.names[int(value)]
        return None


@dataclass(frozen=True)
class FrameInfo:
    """Every frame of a ground truth read from a folder (one file per frame, even without objects)."""

    ids: tuple[str, ...]
    sizes: FloatArray  # (F, 2), NaN where unknown
    paths: tuple[str, ...]


@dataclass(frozen=True)
class RawBoxes:
    """Detection records as read, one row per object or prediction.

    Attributes:
        frame_keys / class_keys: ``(N,)`` strings as in the file.
        coords: ``(N, 4)`` in ``layout``, fractions of the image size when ``normalized``.
        coord_fields: the names of the four coordinates in the file (for messages).
        score: ``(N,)`` confidences (predictions only).
        crowd, area, ann_id: ground truth extras; ``area`` is NaN where the file gives none.
        row_sizes: ``(N, 2)`` image width, height given on the row itself; NaN where not.
        round_pixels: round normalized boxes, once scaled, to whole-pixel corners (as Padilla's tools do).
        frames: all frames, for folder formats whose empty files are frames without objects (and tables with
            rows that only name a frame).
        categories: the class list and category ids a converted file carries (ground truth; see
            :mod:`reportgen.io._parquet`).
        category_ids: COCO results: each row's ``category_id`` (``class_keys`` is then empty), matched to the
            ground truth's category ids only.
        start: the position of row 0 in the whole input (a chunk, see :func:`reportgen.io.iter_table_chunks`).
    """

    source: str
    where: Where
    frame_keys: list[str]
    frame_field: str
    class_keys: list[str]
    class_field: str
    coords: FloatArray
    coord_fields: tuple[str, str, str, str]
    layout: BoxLayout
    normalized: bool
    score: FloatArray | None = None
    score_field: str = "score"
    crowd: BoolArray | None = None
    area: FloatArray | None = None
    ann_id: IntArray | None = None
    row_sizes: FloatArray | None = None
    frames: FrameInfo | None = None
    round_pixels: bool = False
    categories: tuple[tuple[str, ...], tuple[int, ...]] | None = None
    category_ids: list[int] | None = None
    start: int = 0

    @property
    def num_rows(self) -> int:
        return int(self.coords.shape[0])


def each_row(mask: npt.NDArray[np.bool_]) -> BoolArray:
    """``(N, k)`` -> ``(N,)``: True where the whole row is True."""
    return np.asarray(np.all(mask, axis=1), dtype=np.bool_)


def first(mask: BoolArray) -> int | None:
    """Position of the first True, or None."""
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


#: Up to this many keys a dict factorizes them (no pandas import: a small run starts fast); above it pandas'
#: hash table does, several times faster per key.
_DICT_FACTORIZE_MAX = 200_000


def factorize(keys: Sequence[object]) -> tuple[IntArray, list[object]]:
    """Codes into the unique keys, which keep the order of first appearance (keys compare as Python values)."""
    if len(keys) <= _DICT_FACTORIZE_MAX:
        index: dict[object, int] = {}
        codes = np.fromiter((index.setdefault(k, len(index)) for k in keys), dtype=np.int64, count=len(keys))
        return codes, list(index)
    import pandas as pd

    values = np.empty(len(keys), dtype=object)
    values[:] = keys
    pd_codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return pd_codes.astype(np.int64), list(uniques)


# --------------------------------------------------------------------------------------------- checks


def check_finite(coords: FloatArray, fields: Sequence[str], where: Where, rows: IntArray) -> None:
    """Every coordinate finite and at most :data:`MAX_COORDINATE` in magnitude."""
    bad = ~(np.abs(coords) <= MAX_COORDINATE)
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        value = coords[row, col]
        expected = "a finite number" if not np.isfinite(value) else "a number between -1e12 and 1e12"
        raise where.error(int(rows[row]), fields[col], f"expected {expected}, found {describe(value)}")


def check_scores(score: FloatArray, field: str, where: Where, rows: IntArray) -> None:
    row = first(~((score >= 0) & (score <= 1)))
    if row is not None:
        raise where.error(int(rows[row]), field, f"expected a confidence in [0, 1], found {describe(score[row])}")


def check_positive(
    raw: FloatArray, box: FloatArray, layout: BoxLayout, fields: Sequence[str], where: Where, rows: IntArray
) -> None:
    """Width and height must be > 0; the message shows the file's own values."""
    row = first(~((box[:, 2] > 0) & (box[:, 3] > 0)))
    if row is None:
        return
    axis = 0 if not box[row, 2] > 0 else 1
    if layout == "xyxy":
        low, high = fields[axis], fields[axis + 2]
        message = (
            f"expected a value greater than {low} ({describe(raw[row, axis])}), found {describe(raw[row, axis + 2])}"
        )
        raise where.error(int(rows[row]), high, message)
    noun = "width" if axis == 0 else "height"
    raise where.error(
        int(rows[row]), fields[axis + 2], f"expected a positive {noun}, found {describe(raw[row, axis + 2])}"
    )


def to_xywh(coords: FloatArray, layout: BoxLayout, sizes: FloatArray | None = None) -> FloatArray:
    """``(N, 4)`` in ``layout`` -> absolute xywh; ``sizes`` ``(N, 2)`` scales normalized coordinates."""
    box = np.array(coords, dtype=np.float64)
    if sizes is not None:
        box *= np.concatenate([sizes, sizes], axis=1)
    if layout == "xyxy":
        box[:, 2:] -= box[:, :2]
    elif layout == "cxcywh":
        box[:, :2] -= box[:, 2:] / 2
    return box


def whole_frame_boxes(sizes: FloatArray) -> FloatArray:
    """``[0, 0, w, h]`` per row of ``sizes`` ``(N, 2)``; ``[0, 0, 1, 1]`` where the size is unknown."""
    known = each_row(np.isfinite(sizes))
    box = np.zeros((sizes.shape[0], 4))
    box[:, 2:] = np.where(known[:, None], sizes, 1.0)
    return box


# ---------------------------------------------------------------------------------------------- frames


class FrameLookup:
    """Finds ground-truth frames by id, compared as strings (``1`` and ``"1"`` are one frame).

    A key that is no frame id is then tried as the file-name stem of a frame's image (COCO ``file_name``,
    VOC ``filename``), so txt files named ``00001.txt`` find the COCO image ``{"id": 1, "file_name":
    "00001.jpg"}``. Frame ids always win over stems.
    """

    def __init__(self, gt: GroundTruth) -> None:
        by_id: dict[object, int] = {}
        for index, frame in enumerate(gt.frame_ids):
            by_id.setdefault(frame, index)
            if _is_int_text(frame):
                by_id.setdefault(int(frame), index)
        self._by_id = by_id
        self._paths = gt.image_paths
        self._by_stem: dict[str, int] | None = None

    def indices(self, keys: Sequence[object]) -> IntArray:
        """``(N,)`` frame index of each key; -1 where the ground truth has no such frame."""
        if not len(keys):
            return np.zeros(0, dtype=np.int64)
        codes, uniques = factorize(keys)
        found = np.array([self._find(u) for u in uniques], dtype=np.int64)
        return found[codes]

    def _find(self, key: object) -> int:
        if isinstance(key, float) and key.is_integer():
            key = int(key)
        hit = self._by_id.get(key)
        if hit is None and not isinstance(key, str):
            hit = self._by_id.get(str(key))
        if hit is None:
            hit = self._stems().get(str(key))
        return -1 if hit is None else hit

    def _stems(self) -> dict[str, int]:
        if self._by_stem is None:
            self._by_stem = {}
            for index, path in enumerate(self._paths):
                if path:
                    self._by_stem.setdefault(image_stem(path), index)
        return self._by_stem


def _is_int_text(value: str) -> bool:
    return value.isdigit() and str(int(value)) == value


def unknown_frame_error(gt: GroundTruth, key: object) -> str:
    return (
        f"expected a frame of the ground truth ({gt.source}), found {describe(key)} "
        "(--ignore-unknown-frames drops such predictions)"
    )


def take(values: list[T], rows: IntArray) -> list[T]:
    """``values`` at ``rows`` (all of them, uncopied, when nothing was dropped)."""
    if rows.size == len(values):
        return values
    return [values[i] for i in rows.tolist()]


def drop_unknown_frames(
    frame: IntArray, keys: Sequence[object], gt: GroundTruth, ignore: bool, where: Where, field: str
) -> IntArray:
    """Rows to keep; an unknown frame is an error unless ``ignore``."""
    unknown = frame < 0
    row = first(unknown)
    if row is not None and not ignore:
        raise where.error(row, field, unknown_frame_error(gt, keys[row]))
    return np.flatnonzero(~unknown).astype(np.int64)


# --------------------------------------------------------------------------------------------- classes


def gt_classes(
    keys: Sequence[str], names: ClassNames | None, where: Where, field: str
) -> tuple[IntArray, tuple[str, ...]]:
    """Class index of each row and the class list: ``names`` when given, else order of first appearance."""
    codes, uniques = factorize(keys)
    for code, name in enumerate(uniques):
        if not is_text(str(name)):
            raise where.error(
                int(np.flatnonzero(codes == code)[0]),
                field,
                f"expected a class name without control characters, found {describe(str(name))}",
            )
    if names is None:
        return codes, tuple(str(u) for u in uniques)
    position = {name: i for i, name in reversed(list(enumerate(names.names)))}
    mapped = np.array([position.get(names.lookup(str(u)) or "", -1) for u in uniques] or [0])
    row = first(mapped[codes] < 0) if len(keys) else None
    if row is not None:
        raise where.error(
            row,
            field,
            f"expected a class name listed in {names.source} or an index below {len(names.names)}, "
            f"found {describe(keys[row])}",
        )
    return mapped[codes].astype(np.int64), names.names


def pred_classes(
    keys: Sequence[str], gt: GroundTruth, names: ClassNames | None, where: Where, field: str, rows: IntArray
) -> IntArray:
    """Class index (into ``gt.classes``) of each prediction.

    A value is a class name; with ``--class-names`` an integer is an index into that list; without it, an
    integer that names no class is tried as a ground-truth category id (COCO ``category_id``).
    """
    by_name = {c: i for i, c in reversed(list(enumerate(gt.classes)))}
    by_id = {c: i for i, c in reversed(list(enumerate(gt.category_ids)))}

    def find(value: str) -> int:
        name = (names.lookup(value) if names else None) or value
        if name in by_name:
            return by_name[name]
        if names is None and value.isdigit():
            return by_id.get(int(value), -1)
        return -1

    codes, uniques = factorize(keys)
    mapped = np.array([find(str(u)) for u in uniques] or [0], dtype=np.int64)
    cls = mapped[codes] if len(keys) else np.zeros(0, dtype=np.int64)
    row = first(cls < 0)
    if row is not None:
        hint = " (class indices need --class-names)" if keys[row].isdigit() and names is None else ""
        raise where.error(
            int(rows[row]),
            field,
            f"expected a class of the ground truth ({listing(gt.classes)}), found {describe(keys[row])}{hint}",
        )
    return cls


# ---------------------------------------------------------------------------------------- ground truth


def concat_raw(chunks: list[RawBoxes]) -> RawBoxes | None:
    """Consecutive chunks of one table's ground-truth rows (:func:`reportgen.io.iter_table_chunks`) as the one
    :class:`RawBoxes` the whole read gives: rows, frames (in order of first appearance, each with the size of its
    first row that has one) and where each row came from. None when the chunks do not have the same optional
    columns (a JSON Lines key first seen in a later chunk): read such an input whole."""
    first = chunks[0]
    optional = ("score", "crowd", "area", "ann_id", "row_sizes")
    for raw in chunks[1:]:
        if any((getattr(raw, name) is None) != (getattr(first, name) is None) for name in optional):
            return None
        if (raw.frame_field, raw.class_field, raw.coord_fields) != (first.frame_field, first.class_field,
                                                                    first.coord_fields):  # fmt: skip
            return None
    if len(chunks) == 1:
        return first
    starts = np.cumsum([0] + [c.num_rows for c in chunks[:-1]]).tolist()

    def joined(name: str) -> npt.NDArray[Any] | None:
        parts = [getattr(c, name) for c in chunks]
        return None if parts[0] is None else np.concatenate(parts)

    frames = None
    if any(c.frames is not None for c in chunks):
        ids: dict[str, int] = {}
        sizes: list[FloatArray] = []
        for c in chunks:
            if c.frames is not None:
                chunk_ids, chunk_sizes = c.frames.ids, c.frames.sizes
            else:
                codes, uniques = factorize(c.frame_keys)
                chunk_ids = tuple(str(u) for u in uniques)
                chunk_sizes = np.full((len(chunk_ids), 2), np.nan)
                if c.row_sizes is not None:
                    _fill_from_rows(chunk_sizes, codes, c.row_sizes)
            for fid, size in zip(chunk_ids, chunk_sizes, strict=True):
                at = ids.setdefault(fid, len(ids))
                if at == len(sizes):
                    sizes.append(size.copy())
                elif not np.all(np.isfinite(sizes[at])) and np.all(np.isfinite(size)):
                    sizes[at] = size.copy()
        frames = FrameInfo(tuple(ids), np.array(sizes).reshape(len(ids), 2), ("",) * len(ids))
    return RawBoxes(
        source=first.source,
        where=ChunksWhere(tuple(c.where for c in chunks), tuple(starts)),
        frame_keys=[k for c in chunks for k in c.frame_keys],
        frame_field=first.frame_field,
        class_keys=[k for c in chunks for k in c.class_keys],
        class_field=first.class_field,
        coords=np.concatenate([c.coords for c in chunks]),
        coord_fields=first.coord_fields,
        layout=first.layout,
        normalized=first.normalized,
        score=joined("score"),
        score_field=first.score_field,
        crowd=joined("crowd"),
        area=joined("area"),
        ann_id=joined("ann_id"),
        row_sizes=joined("row_sizes"),
        frames=frames,
        round_pixels=first.round_pixels,
        categories=first.categories,
    )



def build_ground_truth(raw: RawBoxes, *, names: ClassNames | None, sizes: SizeMap | None) -> GroundTruth:
    """A detection :class:`GroundTruth` from ``raw``; frames in file order, classes as :func:`gt_classes`."""
    rows = np.arange(raw.num_rows, dtype=np.int64)
    check_finite(raw.coords, raw.coord_fields, raw.where, rows)
    frame, frames = _gt_frames(raw, sizes)
    category_ids: tuple[int, ...] | None = None
    if names is None and raw.categories is not None:
        names = ClassNames(raw.source, raw.categories[0])
        category_ids = raw.categories[1]
    cls, classes = gt_classes(raw.class_keys, names, raw.where, raw.class_field)
    box = _absolute_boxes(raw, frame, frames.sizes, list(frames.ids), rows)
    area = area_or_box(raw.area, box, raw.where, rows)
    crowd = raw.crowd if raw.crowd is not None else np.zeros(raw.num_rows, dtype=np.bool_)
    ann_id = raw.ann_id if raw.ann_id is not None else np.arange(1, raw.num_rows + 1, dtype=np.int64)
    return GroundTruth(
        task="detection",
        frame_ids=frames.ids,
        classes=classes,
        category_ids=category_ids if category_ids is not None else tuple(range(len(classes))),
        image_size=frames.sizes,
        frame=frame,
        cls=cls,
        box=box,
        area=area,
        crowd=crowd,
        ann_id=ann_id,
        source=raw.source,
        image_paths=frames.paths,
    )


def _gt_frames(raw: RawBoxes, sizes: SizeMap | None) -> tuple[IntArray, FrameInfo]:
    """Frame index of each row and the frames (with sizes: from the rows, else ``sizes``)."""
    if raw.frames is not None:
        position = {f: i for i, f in enumerate(raw.frames.ids)}
        frame = np.array([position[k] for k in raw.frame_keys], dtype=np.int64)
        info = raw.frames
    else:
        frame, uniques = factorize(raw.frame_keys)
        ids = tuple(str(u) for u in uniques)
        info = FrameInfo(ids, np.full((len(ids), 2), np.nan), ("",) * len(ids))
    frame_sizes = info.sizes.copy()
    if raw.row_sizes is not None:
        _fill_from_rows(frame_sizes, frame, raw.row_sizes)
    if sizes is not None:
        unknown = ~each_row(~np.isnan(frame_sizes))
        frame_sizes[unknown] = sizes_of([info.ids[i] for i in np.flatnonzero(unknown)], sizes)
    return frame, FrameInfo(info.ids, frame_sizes, info.paths)


def _fill_from_rows(frame_sizes: FloatArray, frame: IntArray, row_sizes: FloatArray) -> None:
    """Each frame takes the size on its first row that has one."""
    rows = np.flatnonzero(each_row(np.isfinite(row_sizes)))
    frames, first_rows = np.unique(frame[rows], return_index=True)
    frame_sizes[frames] = row_sizes[rows[first_rows]]


def _absolute_boxes(
    raw: RawBoxes, frame: IntArray, frame_sizes: FloatArray, frame_ids: list[str], rows: IntArray
) -> FloatArray:
    """xywh in pixels; normalized coordinates need each row's image size."""
    coords = raw.coords[rows]
    sizes = None
    if raw.normalized:
        sizes = frame_sizes[frame]
        if raw.row_sizes is not None:
            own = raw.row_sizes[rows]
            sizes = np.where(each_row(np.isfinite(own))[:, None], own, sizes)
        row = first(~each_row(~np.isnan(sizes)))
        if row is not None:
            raise raw.where.error(
                int(rows[row]),
                None,
                f"expected an image size for frame {frame_ids[frame[row]]!r} to scale normalized "
                "coordinates (give --image-sizes, or sizes in the ground truth), found none",
            )
    box = to_xywh(coords, raw.layout, sizes)
    if sizes is not None:  # normalized boxes scaled by a huge image size
        bad = ~(np.abs(box) <= MAX_COORDINATE)
        if bad.any():
            row, col = (int(i) for i in np.argwhere(bad)[0])
            raise raw.where.error(
                int(rows[row]), raw.coord_fields[col], "expected a coordinate between -1e12 and 1e12 once scaled by "
                f"the image size, found {describe(box[row, col])}",
            )  # fmt: skip
    if raw.normalized and raw.round_pixels:
        corners = np.rint(np.concatenate([box[:, :2], box[:, :2] + box[:, 2:]], axis=1))  # half to even, as round()
        box = np.concatenate([corners[:, :2], corners[:, 2:] - corners[:, :2]], axis=1)
    check_positive(coords, box, raw.layout, raw.coord_fields, raw.where, rows)
    return box


def area_or_box(given: FloatArray | None, box: FloatArray, where: Where, rows: IntArray) -> FloatArray:
    """The file's ``area`` where given (finite, >= 0; NaN where not), else the box's ``w * h``."""
    computed = box[:, 2] * box[:, 3]
    if given is None:
        return computed
    row = first(~np.isnan(given) & ~((given >= 0) & (given <= MAX_AREA)))
    if row is not None:
        bound = " at most 1e24" if given[row] > MAX_AREA else ""
        raise where.error(
            int(rows[row]), "area", f"expected a non-negative number{bound}, found {describe(given[row])}"
        )
    return np.where(np.isnan(given), computed, given)


# ----------------------------------------------------------------------------------------- predictions


def build_predictions(
    raw: RawBoxes,
    gt: GroundTruth,
    *,
    name: str,
    names: ClassNames | None,
    sizes: SizeMap | None,
    ignore_unknown_frames: bool,
) -> Predictions:
    """Detection :class:`Predictions` indexed into ``gt``; unknown frames fail unless ignored."""
    if raw.score is None:
        raise InputError(raw.source, "expected a confidence for every prediction, found none", field="score")
    everything = np.arange(raw.num_rows, dtype=np.int64)
    check_finite(raw.coords, raw.coord_fields, raw.where, everything)
    check_scores(raw.score, raw.score_field, raw.where, everything)
    frame = FrameLookup(gt).indices(raw.frame_keys)
    rows = drop_unknown_frames(frame, raw.frame_keys, gt, ignore_unknown_frames, raw.where, raw.frame_field)
    frame = frame[rows]
    if raw.category_ids is not None:
        from reportgen.io._coco import category_index

        cls = category_index(take(raw.category_ids, rows), gt, raw.where, rows)
    else:
        cls = pred_classes(take(raw.class_keys, rows), gt, names, raw.where, raw.class_field, rows)
    frame_sizes = gt.image_size.copy()
    if sizes is not None:
        frame_sizes = np.where(np.isnan(frame_sizes), sizes_of(gt.frame_ids, sizes), frame_sizes)
    box = _absolute_boxes(raw, frame, frame_sizes, list(gt.frame_ids), rows)
    return Predictions(
        name=name,
        frame=frame,
        cls=cls,
        box=box,
        score=raw.score[rows],
        source=raw.source,
        dropped_unknown_frames=raw.num_rows - int(rows.size),
    )
