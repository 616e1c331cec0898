"""Examples behind every confusion-matrix cell, and their thumbnails (docs/report-payload.md, "Examples").

Per inference set and IoU preset, each cell keeps the 20 most relevant examples over all frames plus the 3 most
relevant of each segment. Cells counted by predictions rank by descending confidence, so a list stays correct
as the confidence rises (the page drops entries below the threshold). The background column (missed objects)
ranks objects never matched first, then by ascending score of the prediction that matched them: those are the
ones missed at every threshold the page can select above that score.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from reportgen.data import BoolArray, IntArray
from reportgen.match import IGNORED
from reportgen.projectrun import ProjectRun

GLOBAL_CAP = 20
PER_SEGMENT_CAP = 3
THUMB_SIZE = 80
GT_COLOUR = (0, 114, 178)  # Okabe-Ito blue
PRED_COLOUR = (230, 159, 0)  # Okabe-Ito orange

Progress = Callable[[str], None]


def _noop(_: str) -> None:
    return None


def _cell_sorted(cell: IntArray, relevance_order: IntArray) -> tuple[IntArray, IntArray]:
    """Items grouped by cell, most relevant first inside a cell: ``(order, cell of each)``."""
    ordered = relevance_order[np.argsort(cell[relevance_order], kind="stable")]
    return ordered, cell[ordered]


def _first_per_cell(ordered: IntArray, cells: IntArray, keep: BoolArray | None, cap: int) -> IntArray:
    """The first ``cap`` items of each cell among ``ordered`` (optionally only where ``keep``)."""
    if keep is not None:
        ordered, cells = ordered[keep], cells[keep]
    if ordered.size == 0:
        return ordered
    start = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]])
    group_start = np.repeat(start, np.diff(np.r_[start, cells.size]))
    rank = np.arange(cells.size) - group_start
    return ordered[rank < cap]


@dataclass
class _Tables:
    """Objects and predictions referenced by examples, renumbered densely."""

    obj_index: dict[int, int]
    pred_index: list[dict[int, int]]

    def obj(self, i: int) -> int:
        if i < 0:
            return -1
        return self.obj_index.setdefault(i, len(self.obj_index))

    def pred(self, m: int, j: int) -> int:
        if j < 0:
            return -1
        table = self.pred_index[m]
        return table.setdefault(j, len(table))


def build_examples(
    run: ProjectRun,
    *,
    thumbnail_budget: int = 700_000,
    progress: Progress = _noop,
) -> dict[str, Any]:
    """The ``examples`` part of the report payload, with thumbnails within ``thumbnail_budget`` bytes."""
    gt = run.gt
    c = gt.num_classes
    side = c + 1
    tables = _Tables({}, [{} for _ in run.results])
    seg_masks = [sf.mask for sf in run.segments if not sf.mask.all()]
    all_cells: list[list[dict[str, list[list[Any]]]]] = []
    # thumbnails are given in this order until the budget is spent: the default IoU first, then the nearest IoU
    # presets; inside one preset, the first entries of every cell before the later ones, all models alike
    u_default = int(np.flatnonzero(run.config.iou_grid == run.project.iou)[0])
    priority: list[tuple[int, int, int, int, int, int]] = []  # (|u - default|, rank in cell, m, order, pred, obj)
    gt_cls_or_bg = np.append(gt.cls, c)
    real_obj = np.flatnonzero(~gt.crowd)
    for m, result in enumerate(run.results):
        progress(f"examples: {result.name}")
        preds = result.predictions
        per_u: list[dict[str, list[list[Any]]]] = []
        for u in range(result.match.iou_thresholds.size):
            outcome = result.match.pred_outcome[u]
            counted = np.flatnonzero(outcome != IGNORED)
            p_cell = gt_cls_or_bg[outcome[counted]] * side + preds.cls[counted]
            p_order = np.argsort(-preds.score[counted], kind="stable")
            by = result.match.gt_matched_by[u, real_obj]
            o_cell = gt.cls[real_obj] * side + c
            match_score = np.where(by >= 0, np.append(preds.score, 0.0)[by], -np.inf)
            o_order = np.argsort(match_score, kind="stable")
            p_sorted, p_cells = _cell_sorted(p_cell, p_order)
            o_sorted, o_cells = _cell_sorted(o_cell, o_order)
            p_frames = preds.frame[counted[p_sorted]]
            o_frames = gt.frame[real_obj[o_sorted]]
            picks_p = [_first_per_cell(p_sorted, p_cells, None, GLOBAL_CAP)]
            picks_o = [_first_per_cell(o_sorted, o_cells, None, GLOBAL_CAP)]
            for mask in seg_masks:
                picks_p.append(_first_per_cell(p_sorted, p_cells, mask[p_frames], PER_SEGMENT_CAP))
                picks_o.append(_first_per_cell(o_sorted, o_cells, mask[o_frames], PER_SEGMENT_CAP))
            cells: dict[str, list[list[Any]]] = {}
            # predictions: keep relevance order inside each cell
            chosen_p = np.unique(np.concatenate(picks_p))
            chosen_p = chosen_p[np.argsort(-preds.score[counted[chosen_p]], kind="stable")]
            for pos in chosen_p:
                j = int(counted[pos])
                oi = int(outcome[j])
                iou = result.match.pred_iou[u, j]
                key = f"{int(p_cell[pos]) // side},{int(p_cell[pos]) % side}"
                entry = [tables.pred(m, j), tables.obj(oi), None if np.isnan(iou) else round(float(iou), 4)]
                cells.setdefault(key, []).append(entry)
                priority.append((abs(u - u_default), len(cells[key]), m, len(priority), j, oi))
            chosen_o = np.unique(np.concatenate(picks_o))
            chosen_o = chosen_o[np.argsort(match_score[chosen_o], kind="stable")]
            for pos in chosen_o:
                i = int(real_obj[pos])
                j = int(by[pos])
                iou = result.match.pred_iou[u, j] if j >= 0 else np.nan
                key = f"{int(gt.cls[i])},{c}"
                entry = [tables.pred(m, j), tables.obj(i), None if np.isnan(iou) else round(float(iou), 4)]
                cells.setdefault(key, []).append(entry)
                priority.append((abs(u - u_default), len(cells[key]), m, len(priority), j, i))
            per_u.append(cells)
        all_cells.append(per_u)

    obj_ids = sorted(tables.obj_index, key=tables.obj_index.__getitem__)
    objects = {
        "frame": [int(gt.frame[i]) for i in obj_ids],
        "cls": [int(gt.cls[i]) for i in obj_ids],
        "box": [[round(float(v), 2) for v in gt.box[i]] for i in obj_ids],
    }
    predictions = []
    for m, result in enumerate(run.results):
        p = result.predictions
        ids = sorted(tables.pred_index[m], key=tables.pred_index[m].__getitem__)
        predictions.append({
            "frame": [int(p.frame[j]) for j in ids],
            "cls": [int(p.cls[j]) for j in ids],
            "box": [[round(float(v), 2) for v in p.box[j]] for j in ids],
            "score": [float(p.score[j]) for j in ids],
        })  # fmt: skip

    progress("thumbnails")
    priority.sort()
    thumbs, stats = _thumbnails(run, [(p[2], p[4], p[5]) for p in priority], tables, thumbnail_budget)
    return {
        "objects": objects,
        "predictions": predictions,
        "thumbnails": thumbs,
        "cells": all_cells,
        "caps": {"global": GLOBAL_CAP, "per_segment": PER_SEGMENT_CAP},
        "thumbnail_stats": stats,
    }


def _image_paths(run: ProjectRun) -> list[Path | None]:
    table = run.frame_table
    column = run.project.image_column
    base = run.project.path.parent
    if table is not None and column is not None:
        values = table[column].tolist()
        return [base / str(v) if isinstance(v, str) and v else None for v in values]
    if run.gt.image_paths:
        gt_base = run.project.ground_truth.parent
        return [(gt_base / p) if p else None for p in run.gt.image_paths]
    return [None] * run.gt.num_frames


def _thumbnails(
    run: ProjectRun, priority: list[tuple[int, int, int]], tables: _Tables, budget: int
) -> tuple[dict[str, str], dict[str, int]]:
    """Thumbnails for ``(m, pred, obj)`` examples in priority order until ``budget`` bytes are used."""
    paths = _image_paths(run)
    gt = run.gt

    @lru_cache(maxsize=64)
    def load(frame: int) -> Image.Image | None:
        path = paths[frame]
        if path is None or not path.is_file():
            return None
        try:
            with Image.open(path) as im:
                return im.convert("RGB")
        except OSError:
            return None

    thumbs: dict[str, str] = {}
    used = 0
    without = 0
    seen: set[tuple[int, int, int]] = set()
    for m, j, i in priority:
        key_t = (m, j, i)
        if key_t in seen:
            continue
        seen.add(key_t)
        preds = run.results[m].predictions
        frame = int(preds.frame[j]) if j >= 0 else int(gt.frame[i])
        image = load(frame)
        if image is None:
            without += 1
            continue
        pred_box = preds.box[j] if j >= 0 else None
        obj_box = gt.box[i] if i >= 0 else None
        data = _crop(image, obj_box, pred_box, whole=gt.task == "classification")
        uri = "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")
        if used + len(uri) > budget:
            without += 1
            continue
        used += len(uri)
        thumbs[f"{m}:{tables.pred(m, j)}:{tables.obj(i)}"] = uri
    return thumbs, {"budget_bytes": budget, "used_bytes": used, "with_picture": len(thumbs), "without_picture": without}


def _crop(image: Image.Image, obj_box: np.ndarray | None, pred_box: np.ndarray | None, *, whole: bool) -> bytes:
    """A small JPEG around the boxes, with the ground truth (blue) and the prediction (orange, dashed look)."""
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
    scale = THUMB_SIZE / max(crop.size)
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
    crop.save(buffer, format="JPEG", quality=55, optimize=True)
    return buffer.getvalue()
