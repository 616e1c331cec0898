"""Examples behind every confusion-matrix cell, and their thumbnails (docs/report-payload.md, "Examples").

Per inference set and IoU preset, each cell keeps the 20 most relevant examples over all frames plus the 3 most
relevant of each segment (10 and 2 above 25 classes). Cells counted by predictions rank by descending
confidence, so a list stays correct as the confidence rises (the page drops entries below the threshold). The
background column (missed objects) ranks objects never matched first, then by ascending score of the
prediction that matched them: those are the ones missed at every threshold the page can select above that
score.
"""

from __future__ import annotations

import base64
import io
import itertools
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from reportgen.engine.evaluation import Progress
from reportgen.engine.project_run import ProjectRun
from reportgen.engine.report_parts import (
    MANY_CLASSES,
    Candidates,
    caps_for,
    rank_in_cell,
)
from reportgen.errors import InputError
from reportgen.io.containers import BoolArray, FloatArray, IntArray
from reportgen.limits import MAX_IMAGE_PIXELS


def frame_cap_for(num_classes: int) -> int:
    """How many frames carry their boxes (and may carry a picture) for the frame viewer."""
    return MANY_FRAME_CAP if num_classes > MANY_CLASSES else FRAME_CAP


#: a thumbnail's longer side at most (pixels); a crop is enlarged at most THUMB_UPSCALE times its size in the
#: image (more would add bytes, not detail: the page scales the picture to its box)
THUMB_SIZE = 120
THUMB_UPSCALE = 2.0
#: WebP (every current browser shows it) at this quality: about 60% of a JPEG's bytes at the same size
THUMB_QUALITY = 55
#: examples the page lists at first for a cell or a filter (static/js/examples.js PAGE)
PAGE = 24
GT_COLOUR = (0, 158, 115)  # Okabe-Ito bluish green: the page's ground-truth colour (blue and orange are A and B)
PRED_COLOUR = (230, 159, 0)  # Okabe-Ito orange

#: whole frames (the viewer a click on an example opens): the frames of the listed examples, in the thumbnails'
#: priority order, carry every ground-truth box and every prediction box of every inference set, up to this many
#: frames (fewer above :data:`MANY_CLASSES` classes, where frames hold hundreds of predictions)
FRAME_CAP = 400
MANY_FRAME_CAP = 40
#: a frame picture's longer side at most (pixels; never enlarged), and its WebP quality
FRAME_SIZE = 480
FRAME_QUALITY = 50
#: share of the thumbnail budget kept for frame pictures: crops take the rest first, then frame pictures, then
#: crops again with what is left
FRAME_SHARE = 0.35


def _noop(_: str) -> None:
    return None


@dataclass
class _Picked:
    """Examples chosen for one (inference set, IoU preset): parallel arrays, in listing order."""

    m: int
    u: int
    cell: IntArray  # g * K + p
    pred: IntArray  # prediction index (into the model's predictions) or -1
    obj: IntArray  # ground-truth object index or -1
    iou: FloatArray  # NaN where undefined
    rank: IntArray  # position inside its cell's list (0 = most relevant)


def _picked(m: int, u: int, predictions: Candidates, missed: Candidates) -> _Picked:
    """The examples listed at IoU preset ``u`` (the run's report data): predictions, then missed objects."""
    cell = np.concatenate([predictions.cell, missed.cell])
    return _Picked(m, u, cell, np.concatenate([predictions.pred, missed.pred]),
                   np.concatenate([predictions.obj, missed.obj]), np.concatenate([predictions.iou, missed.iou]),
                   rank_in_cell(cell))  # fmt: skip


def build_examples(
    run: ProjectRun,
    *,
    thumbnail_budget: int = 700_000,
    progress: Progress = _noop,
) -> dict[str, Any]:
    """The ``examples`` part of the report payload, with thumbnails within ``thumbnail_budget`` bytes."""
    gt = run.gt
    side = gt.num_classes + 1
    caps = caps_for(gt.num_classes)
    picked: list[_Picked] = []
    for m, result in enumerate(run.results):
        progress(f"examples: {result.name}")
        data = run.report_data(m)
        picked.extend(_picked(m, u, p, o) for u, (p, o) in enumerate(zip(data.predictions, data.missed, strict=True)))

    # dense renumbering of the referenced objects and predictions
    obj_ids = np.unique(np.concatenate([p.obj for p in picked] + [np.zeros(0, np.int64)]))
    obj_ids = obj_ids[obj_ids >= 0]
    pred_ids = []
    for m in range(len(run.results)):
        ids = np.unique(np.concatenate([p.pred for p in picked if p.m == m] + [np.zeros(0, np.int64)]))
        pred_ids.append(ids[ids >= 0])

    def renumber(values: IntArray, table: IntArray) -> IntArray:
        return np.where(values >= 0, np.searchsorted(table, values), -1)

    all_cells: list[list[dict[str, list[list[Any]]]]] = [[] for _ in run.results]
    for p in picked:
        ious = np.round(p.iou, 4).astype(object)
        ious[np.isnan(p.iou)] = None
        rows = np.column_stack([renumber(p.pred, pred_ids[p.m]), renumber(p.obj, obj_ids)]).tolist()
        entries = [[a, b, i] for (a, b), i in zip(rows, ious.tolist(), strict=True)]
        cells: dict[str, list[list[Any]]] = {}
        bounds = np.flatnonzero(np.r_[True, p.cell[1:] != p.cell[:-1], True]) if p.cell.size else np.zeros(1, int)
        for a, b in itertools.pairwise(bounds):
            key = int(p.cell[a])
            cells[f"{key // side},{key % side}"] = entries[a:b]
        all_cells[p.m].append(cells)

    objects = {
        "index": obj_ids.tolist(),  # the object's index in the ground truth (as in the outcome blobs)
        "frame": gt.frame[obj_ids].tolist(),
        "cls": gt.cls[obj_ids].tolist(),
        "box": np.round(gt.box[obj_ids], 2).tolist(),
    }
    predictions = []
    for m, pr in enumerate(run.predictions):
        ids = pred_ids[m]
        predictions.append({
            "frame": pr.frame[ids].tolist(),
            "cls": pr.cls[ids].tolist(),
            "box": np.round(pr.box[ids], 2).tolist(),
            "score": pr.score[ids].tolist(),
        })  # fmt: skip

    progress("thumbnails")
    priority = _priority(run, picked)
    frames = _frame_order(run, priority, frame_cap_for(gt.num_classes))
    thumbs, pictures, stats = _pictures(run, priority, frames, pred_ids, obj_ids, thumbnail_budget)
    return {
        "objects": objects,
        "predictions": predictions,
        "thumbnails": thumbs,
        "cells": all_cells,
        "caps": {"global": caps[0], "per_segment": caps[1]},
        "thumbnail_stats": stats,
        "frames": frame_boxes(run, frames, pictures),
    }


@dataclass(frozen=True)
class FrameBoxes:
    """Every box on the frames the viewer can open (docs/report-payload.md, "Frames").

    frame: ``(F,)`` frame indices, ascending. size: ``(F, 2)`` width, height in pixels (from the ground truth;
    where unknown, the extent of the frame's boxes). offsets: ``(F, 2)`` ``[start, count]`` of each frame's rows
    in ``boxes`` / ``info``. boxes: ``(B, 4)`` float32 ``x, y, w, h`` in image pixels. info: ``(B, 5)`` uint16
    ``source`` (0 ground truth, 1 + m a prediction of inference set m), class, score as a display integer
    (65535 for ground truth), ``shown``: the number of confidence presets at which the prediction counts (it is
    shown at preset t when t < shown; 0 for ground truth), crowd (1 for a crowd region). Rows are grouped by
    frame, then source; predictions by descending score. pictures: frame index -> WebP data URI.
    """

    frame: IntArray
    size: FloatArray
    offsets: np.ndarray
    boxes: np.ndarray
    info: np.ndarray
    cap: int
    pictures: dict[int, str]


def _frame_order(run: ProjectRun, priority: list[tuple[int, int, int]], cap: int) -> list[int]:
    """The frames of the prioritised examples, first seen first, at most ``cap``."""
    order: dict[int, None] = {}
    for m, j, i in priority:
        if len(order) >= cap:
            break
        frame = int(run.predictions[m].frame[j]) if j >= 0 else int(run.gt.frame[i])
        order.setdefault(frame, None)
    return list(order)


def frame_boxes(run: ProjectRun, frames: list[int], pictures: dict[int, str]) -> FrameBoxes:
    """Every ground-truth box and every prediction box of every inference set on ``frames``."""
    from reportgen.report.model import display_int

    gt = run.gt
    chosen = np.array(sorted(frames), dtype=np.int64)
    grid = np.asarray(run.config.confidence_grid, dtype=np.float64)
    # (frame position, source, order key, box, info) of every row; one lexsort groups them
    pos_of = np.full(gt.num_frames, -1, dtype=np.int64)
    pos_of[chosen] = np.arange(chosen.size)
    parts = []
    g_rows = np.flatnonzero(pos_of[gt.frame] >= 0)
    info = np.zeros((g_rows.size, 5), dtype=np.uint16)
    info[:, 1] = gt.cls[g_rows]
    info[:, 2] = display_int(np.full(g_rows.size, np.nan))
    info[:, 4] = gt.crowd[g_rows]
    parts.append((pos_of[gt.frame[g_rows]], np.zeros(g_rows.size), np.arange(g_rows.size, dtype=np.float64),
                  gt.box[g_rows], info))  # fmt: skip
    for m, pr in enumerate(run.predictions):
        rows = np.flatnonzero(pos_of[pr.frame] >= 0)
        info = np.zeros((rows.size, 5), dtype=np.uint16)
        info[:, 0] = 1 + m
        info[:, 1] = pr.cls[rows]
        info[:, 2] = display_int(pr.score[rows])
        info[:, 3] = np.searchsorted(grid, pr.score[rows], side="right")  # presets t with grid[t] <= score
        parts.append((pos_of[pr.frame[rows]], np.full(rows.size, 1 + m), -pr.score[rows], pr.box[rows], info))
    pos = np.concatenate([x[0] for x in parts])
    src = np.concatenate([x[1] for x in parts])
    key = np.concatenate([x[2] for x in parts])
    order = np.lexsort((key, src, pos))
    boxes = np.concatenate([x[3] for x in parts])[order].astype(np.float32)
    infos = np.concatenate([x[4] for x in parts])[order]
    pos = pos[order]
    counts = np.bincount(pos, minlength=chosen.size)
    offsets = np.column_stack([np.cumsum(counts) - counts, counts]).astype(np.uint32)
    size = np.array(gt.image_size[chosen], dtype=np.float64) if chosen.size else np.zeros((0, 2))
    for k in np.flatnonzero(~np.isfinite(size).all(axis=1)):
        b = boxes[offsets[k, 0] : offsets[k, 0] + offsets[k, 1]].astype(np.float64)
        extent = np.max(b[:, :2] + b[:, 2:], axis=0) if b.size else np.zeros(2)
        size[k] = np.maximum(np.ceil(extent), 1.0)
    return FrameBoxes(chosen, size, offsets, boxes, infos, frame_cap_for(gt.num_classes), pictures)


def _priority(run: ProjectRun, picked: list[_Picked]) -> list[tuple[int, int, int]]:
    """``(m, pred, obj)`` of every picked example in the order thumbnails are given until the budget is spent:
    what a reader sees first comes first.

    First, at the default preset (IoU and confidence) over all frames, for every inference set: the first
    :data:`PAGE` examples the page lists for the FN filter, the FP filter, and each cell from the largest
    down, confusions before correct cells (the page's order: shown at this confidence, by descending score,
    undefined scores last). Then the
    rest of the default IoU, the first entries of every cell before later ones; then the other IoU presets,
    nearest first.
    """
    gt = run.gt
    c = gt.num_classes
    side = c + 1
    u_default = int(np.flatnonzero(run.config.iou_grid == run.project.iou)[0])
    conf = float(run.project.confidence)
    first: list[list[tuple[int, int, int]]] = []
    for p in picked:
        if p.u != u_default:
            continue
        score = np.append(run.predictions[p.m].score, np.nan)[p.pred]  # NaN: no prediction
        g, q = p.cell // side, p.cell % side
        # listed at the default confidence: counted predictions at or above it; missed objects below it
        shown = np.where(q < c, score >= conf, ~(score >= conf))
        key = np.where(np.isnan(score), -np.inf, score)

        def page_of(mask: BoolArray, p: _Picked = p, key: FloatArray = key) -> list[tuple[int, int, int]]:
            idx = np.flatnonzero(mask)
            idx = idx[np.argsort(-key[idx], kind="stable")][:PAGE]
            return [(p.m, int(p.pred[i]), int(p.obj[i])) for i in idx]

        lists = [page_of(shown & (q == c) & (g < c)), page_of(shown & (g == c) & (q < c))]  # FN, FP
        # confusions from the largest down, then the correct cells (a reader looks at the errors first)
        cells, counts = np.unique(p.cell[shown], return_counts=True)
        correct = (cells // side == cells % side) & (cells // side < c)
        for cell in cells[np.lexsort((-counts, correct))]:
            lists.append(page_of(shown & (p.cell == cell)))
        first.append(list(itertools.chain.from_iterable(lists)))
    # interleave the inference sets list by list, so each gets its first pages before any gets its later ones
    head = [x for group in itertools.zip_longest(*first) for x in group if x is not None]
    order_keys = []
    for p in picked:
        n = p.cell.size
        order_keys.append(np.column_stack([np.full(n, abs(p.u - u_default)), p.rank, np.full(n, p.m), p.pred, p.obj]))
    keys = np.concatenate(order_keys) if order_keys else np.zeros((0, 5), np.int64)
    keys = keys[np.lexsort((keys[:, 2], keys[:, 1], keys[:, 0]))]
    return head + [(int(m), int(j), int(i)) for m, j, i in keys[:, 2:5]]


def _image_paths(run: ProjectRun) -> list[Path | None]:
    table = run.frame_table
    column = run.project.image_column
    base = run.project.path.parent
    if table is not None and column is not None:
        values = table[column].tolist()
        return [base / str(v) if isinstance(v, str) and v else None for v in values]
    gt_base = run.project.ground_truth.parent
    if run.gt.image_paths and isinstance(gt_base, Path):  # images beside a URL ground truth are not fetched
        return [(gt_base / p) if p else None for p in run.gt.image_paths]
    return [None] * run.gt.num_frames


def _pictures(
    run: ProjectRun,
    priority: list[tuple[int, int, int]],
    frames: list[int],
    pred_ids: list[IntArray],
    obj_ids: IntArray,
    budget: int,
) -> tuple[dict[str, str], dict[int, str], dict[str, int]]:
    """Crops of the ``(m, pred, obj)`` examples in priority order and pictures of ``frames`` (in their order),
    within ``budget`` bytes together: crops first up to the budget less :data:`FRAME_SHARE` of it, then frame
    pictures up to the budget, then crops again with whatever is left. Returns (crops by key, frame pictures by
    frame index, stats)."""
    paths = _image_paths(run)
    gt = run.gt

    exists: dict[int, bool] = {}

    @lru_cache(maxsize=64)
    def load(frame: int) -> Image.Image | None:
        path = paths[frame]
        if path is None:
            return None
        if frame not in exists:
            exists[frame] = path.is_file()
        if not exists[frame]:
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own, stated bound below
                with Image.open(path) as im:
                    width, height = im.size
                    if width * height > MAX_IMAGE_PIXELS:
                        raise _too_large(path, width, height)
                    return im.convert("RGB")
        except Image.DecompressionBombError:
            raise InputError(
                path, f"expected an image of at most {MAX_IMAGE_PIXELS // 1_000_000} megapixels, found a larger one"
            ) from None
        except OSError:
            return None

    thumbs: dict[str, str] = {}
    used = 0

    def crop_uri(m: int, j: int, i: int) -> str | None:
        preds = run.predictions[m]
        image = load(int(preds.frame[j]) if j >= 0 else int(gt.frame[i]))
        if image is None:
            return None
        data = _crop(image, gt.box[i] if i >= 0 else None, preds.box[j] if j >= 0 else None,
                     whole=gt.task == "classification")  # fmt: skip
        return "data:image/webp;base64," + base64.b64encode(data).decode("ascii")

    def crops(items: list[tuple[int, int, int, str | None]], limit: int) -> list[tuple[int, int, int, str | None]]:
        """Crops of ``items`` (with their URI when already made) while they fit under ``limit``; returns the
        items with an image that did not fit, with their URI."""
        nonlocal used
        left: list[tuple[int, int, int, str | None]] = []
        for m, j, i, made in items:
            uri = made or crop_uri(m, j, i)
            if uri is None:
                continue
            if used + len(uri) > limit:
                left.append((m, j, i, uri))
                continue
            used += len(uri)
            pref = int(np.searchsorted(pred_ids[m], j)) if j >= 0 else -1
            oref = int(np.searchsorted(obj_ids, i)) if i >= 0 else -1
            thumbs[f"{m}:{pref}:{oref}"] = uri
        return left

    examples = list(dict.fromkeys(priority))  # each example once, first place kept
    have_frames = any(paths[f] is not None for f in frames)
    first_limit = budget - int(budget * FRAME_SHARE) if have_frames else budget
    left = crops([(m, j, i, None) for m, j, i in examples], first_limit)
    pictures: dict[int, str] = {}
    frame_bytes = 0
    for frame in frames:
        image = load(frame)
        if image is None:
            continue
        uri = "data:image/webp;base64," + base64.b64encode(_whole(image)).decode("ascii")
        if used + len(uri) > budget:
            continue
        used += len(uri)
        frame_bytes += len(uri)
        pictures[frame] = uri
    crops(left, budget)
    stats = {
        "budget_bytes": budget,
        "used_bytes": used,
        "with_picture": len(thumbs),
        "without_picture": len(examples) - len(thumbs),
        "frame_pictures": len(pictures),
        "frame_bytes": frame_bytes,
    }
    return thumbs, pictures, stats


def _whole(image: Image.Image) -> bytes:
    """A whole frame as WebP, its longer side at most :data:`FRAME_SIZE` pixels (boxes are drawn by the page)."""
    scale = min(FRAME_SIZE / max(image.size), 1.0)
    if scale < 1.0:
        image = image.resize((max(1, round(image.size[0] * scale)), max(1, round(image.size[1] * scale))),
                             Image.Resampling.BILINEAR)  # fmt: skip
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=FRAME_QUALITY, method=6)
    return buffer.getvalue()


def _too_large(path: Path, width: int, height: int) -> InputError:
    return InputError(
        path,
        f"expected an image of at most {MAX_IMAGE_PIXELS // 1_000_000} megapixels, found {width} x {height} pixels "
        f"({width * height / 1e6:.0f} megapixels)",
    )


def _crop(image: Image.Image, obj_box: np.ndarray | None, pred_box: np.ndarray | None, *, whole: bool) -> bytes:
    """A small WebP picture around the boxes, with the ground truth (blue, thick) and the prediction (orange)."""
    boxes = [b for b in (obj_box, pred_box) if b is not None]
    w_img, h_img = image.size
    if whole or not boxes:
        x0, y0, x1, y1 = 0.0, 0.0, float(w_img), float(h_img)
    else:
        x0 = min(float(b[0]) for b in boxes)
        y0 = min(float(b[1]) for b in boxes)
        x1 = max(float(b[0] + b[2]) for b in boxes)
        y1 = max(float(b[1] + b[3]) for b in boxes)
        pad = max(12.0, 0.35 * max(x1 - x0, y1 - y0))
        x0, y0 = max(0.0, x0 - pad), max(0.0, y0 - pad)
        x1, y1 = min(float(w_img), x1 + pad), min(float(h_img), y1 + pad)
        if x1 - x0 < 2 or y1 - y0 < 2:
            x0, y0, x1, y1 = 0.0, 0.0, float(w_img), float(h_img)
    crop = image.crop((int(x0), int(y0), int(np.ceil(x1)), int(np.ceil(y1))))
    scale = min(THUMB_SIZE / max(crop.size), THUMB_UPSCALE)
    size = (max(1, round(crop.size[0] * scale)), max(1, round(crop.size[1] * scale)))
    crop = crop.resize(size, Image.Resampling.BILINEAR)
    if not whole:
        draw = ImageDraw.Draw(crop)
        for box, colour in ((obj_box, GT_COLOUR), (pred_box, PRED_COLOUR)):
            if box is None:
                continue
            bx0 = (float(box[0]) - int(x0)) * scale
            by0 = (float(box[1]) - int(y0)) * scale
            bx1 = bx0 + float(box[2]) * scale
            by1 = by0 + float(box[3]) * scale
            draw.rectangle((bx0, by0, bx1, by1), outline=colour, width=2 if colour == GT_COLOUR else 1)
    buffer = io.BytesIO()
    crop.save(buffer, format="WEBP", quality=THUMB_QUALITY, method=6)
    return buffer.getvalue()
