"""Build engine inputs directly from COCO-style dicts, for unit and oracle tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from reportgen.io.containers import GroundTruth, Predictions


def make_gt(
    images: Sequence[Any],
    categories: Sequence[str],
    annotations: Sequence[dict[str, Any]],
    *,
    category_ids: Sequence[int] | None = None,
    task: str = "detection",
) -> GroundTruth:
    """``annotations``: dicts with ``image`` (an id from ``images``), ``cls`` (a name), ``bbox`` xywh and
    optional ``area``, ``iscrowd``, ``id``."""
    frame_ids = tuple(str(i) for i in images)
    fidx = {f: i for i, f in enumerate(frame_ids)}
    cidx = {c: i for i, c in enumerate(categories)}
    n = len(annotations)
    box = np.array([a["bbox"] for a in annotations], dtype=np.float64).reshape(n, 4)
    return GroundTruth(
        task=task,  # type: ignore[arg-type]
        frame_ids=frame_ids,
        classes=tuple(categories),
        category_ids=tuple(category_ids) if category_ids is not None else tuple(range(1, len(categories) + 1)),
        image_size=np.full((len(frame_ids), 2), np.nan),
        frame=np.array([fidx[str(a["image"])] for a in annotations], dtype=np.int64),
        cls=np.array([cidx[a["cls"]] for a in annotations], dtype=np.int64),
        box=box,
        area=np.array([a.get("area", a["bbox"][2] * a["bbox"][3]) for a in annotations], dtype=np.float64),
        crowd=np.array([bool(a.get("iscrowd", 0)) for a in annotations], dtype=bool),
        ann_id=np.array([a.get("id", i + 1) for i, a in enumerate(annotations)], dtype=np.int64),
    )


def make_preds(gt: GroundTruth, detections: Sequence[dict[str, Any]], name: str = "model") -> Predictions:
    """``detections``: dicts with ``image``, ``cls`` (a name), ``bbox`` xywh, ``score``."""
    cidx = {c: i for i, c in enumerate(gt.classes)}
    m = len(detections)
    return Predictions(
        name=name,
        frame=np.array([gt.frame_index(str(d["image"])) for d in detections], dtype=np.int64),
        cls=np.array([cidx[d["cls"]] for d in detections], dtype=np.int64),
        box=np.array([d["bbox"] for d in detections], dtype=np.float64).reshape(m, 4),
        score=np.array([d["score"] for d in detections], dtype=np.float64),
    )


def to_coco(gt: GroundTruth, preds: Predictions) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The same data as a pycocotools ground-truth dict and results list (annotation ids renumbered from 1)."""
    images = [
        {"id": int(f) if f.isdigit() else i + 1, "width": 1000, "height": 1000} for i, f in enumerate(gt.frame_ids)
    ]
    img_id = [im["id"] for im in images]
    cats = [{"id": int(cid), "name": name} for cid, name in zip(gt.category_ids, gt.classes, strict=True)]
    anns = [
        {
            "id": i + 1,
            "image_id": img_id[int(gt.frame[i])],
            "category_id": int(gt.category_ids[int(gt.cls[i])]),
            "bbox": [float(v) for v in gt.box[i]],
            "area": float(gt.area[i]),
            "iscrowd": int(gt.crowd[i]),
        }
        for i in range(gt.num_objects)
    ]
    results = [
        {
            "image_id": img_id[int(preds.frame[j])],
            "category_id": int(gt.category_ids[int(preds.cls[j])]),
            "bbox": [float(v) for v in preds.box[j]],
            "score": float(preds.score[j]),
        }
        for j in range(preds.num_predictions)
    ]
    return {"images": images, "annotations": anns, "categories": cats}, results
