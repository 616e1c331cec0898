"""Seeded random detection / classification data for the oracle and invariant tests, and a pure-Python
reference of the report matching (semantics.md, written from the spec, not from the engine)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reportgen.io.containers import GroundTruth, Predictions
from tests.builders import make_gt, make_preds

#: COCO size-bucket bounds: objects whose ``area`` sits exactly on them belong to both neighbouring buckets
AREA_BOUNDS = (32.0**2, 96.0**2)


@dataclass
class Dataset:
    """COCO-style dicts for :func:`tests.builders.make_gt` / :func:`tests.builders.make_preds`."""

    images: list[int]
    categories: list[str]
    category_ids: list[int]
    annotations: list[dict[str, Any]] = field(default_factory=list)
    detections: list[dict[str, Any]] = field(default_factory=list)
    task: str = "detection"

    def gt(self, images: list[int] | None = None) -> GroundTruth:
        keep = set(self.images if images is None else images)
        return make_gt(
            [i for i in self.images if i in keep],
            self.categories,
            [a for a in self.annotations if a["image"] in keep],
            category_ids=self.category_ids,
            task=self.task,
        )

    def preds(self, gt: GroundTruth, *, min_score: float | None = None) -> Predictions:
        keep = set(gt.frame_ids)
        dets = [d for d in self.detections if str(d["image"]) in keep]
        if min_score is not None:
            dets = [d for d in dets if d["score"] >= min_score]
        return make_preds(gt, dets)


def _score(rng: np.random.Generator) -> float:
    """Two decimals (ties are frequent); now and then exactly a grid value or 0 / 1."""
    r = rng.random()
    if r < 0.1:
        return float(rng.choice([0.0, 0.05, 0.1, 0.5, 0.95, 1.0]))
    return round(float(rng.random()), 2)


def _box_size(rng: np.random.Generator) -> tuple[float, float]:
    # log-uniform 3..300 px: areas fall in every COCO size bucket
    w, h = np.exp(rng.uniform(np.log(3), np.log(300), size=2))
    return float(max(1, round(w))), float(max(1, round(h)))


def _derived_box(rng: np.random.Generator, box: list[float]) -> list[float]:
    """A prediction box near ``box``: exact copy, IoU exactly 0.5 / 0.75, jitter, or a shifted copy."""
    x, y, w, h = box
    kind = rng.integers(0, 6)
    if kind == 0:
        return [x, y, w, h]
    if kind == 1:  # IoU exactly 0.5 (and exactly COCO's first threshold)
        return [x, y, w, h / 2]
    if kind == 2:  # IoU exactly 0.75
        return [x, y, w * 0.75, h]
    if kind == 3:  # shifted: IoU (w - d) / (w + d) along one axis
        d = float(rng.integers(1, max(2, int(w // 2) + 1)))
        return [x + d, y, w, h]
    jx, jy = (float(v) for v in rng.integers(-max(1, int(w // 5)), max(1, int(w // 5)) + 1, size=2))
    jw, jh = (float(v) for v in rng.integers(-max(1, int(h // 5)), max(1, int(h // 5)) + 1, size=2))
    return [x + jx, y + jy, max(1.0, w + jw), max(1.0, h + jh)]


def random_detection(
    seed: int,
    *,
    n_images: int = 12,
    n_classes: int = 5,
    max_gt: int = 6,
    crowd_rate: float = 0.1,
    many_dets: int = 0,
    roles: bool = True,
) -> Dataset:
    """Random detection data with the awkward cases of COCO evaluation.

    - non-contiguous, unsorted image ids and category ids;
    - images that are empty, have only ground truth, only predictions, or both;
    - with ``roles`` (and at least 4 classes): one class only in the ground truth, one only in the predictions,
      one in neither (listed, unused);
    - crowd regions with an ``area`` field; ``area`` fields exactly on the size-bucket bounds or unrelated to
      the box (a mask's area); duplicated objects (identical IoUs); duplicated predictions (tied scores);
    - prediction boxes at IoU exactly 0.5 / 0.75, scores with two decimals;
    - ``many_dets`` > 0: one extra image with that many predictions of one class (maxDets matters).
    """
    rng = np.random.default_rng(seed)
    images = [int(v) for v in rng.choice(np.arange(1, 10 * n_images + 20), size=n_images + 1, replace=False)]
    categories = [f"c{k}" for k in range(n_classes)]
    category_ids = [int(v) for v in rng.choice(np.arange(1, 4 * n_classes + 10), size=n_classes, replace=False)]
    gt_classes = list(range(n_classes))
    pred_classes = list(range(n_classes))
    if roles and n_classes >= 4:
        gt_only, pred_only, unused = n_classes - 1, n_classes - 2, n_classes - 3
        gt_classes = [k for k in gt_classes if k not in (pred_only, unused)]
        pred_classes = [k for k in pred_classes if k not in (gt_only, unused)]
    data = Dataset(images[:n_images], categories, category_ids)
    anns, dets = data.annotations, data.detections

    def add_pred(image: int, box: list[float], cls: int) -> None:
        if cls not in pred_classes or rng.random() < 0.3:
            cls = int(rng.choice(pred_classes))
        dets.append({"image": image, "cls": categories[cls], "bbox": box, "score": _score(rng)})
        if rng.random() < 0.08:  # an identical prediction, sometimes with the same score
            twin = dict(dets[-1])
            if rng.random() < 0.5:
                twin["score"] = _score(rng)
            dets.append(twin)

    for image in data.images:
        kind = rng.choice(["empty", "gt_only", "pred_only", "both", "both", "both"])
        frame_gt: list[dict[str, Any]] = []
        if kind in ("gt_only", "both"):
            for _ in range(int(rng.integers(1, max_gt + 1))):
                if frame_gt and rng.random() < 0.1:  # duplicated object, maybe of another class
                    dup = dict(frame_gt[int(rng.integers(len(frame_gt)))])
                    dup["cls"] = categories[int(rng.choice(gt_classes))]
                    frame_gt.append(dup)
                    continue
                w, h = _box_size(rng)
                ann: dict[str, Any] = {
                    "image": image,
                    "cls": categories[int(rng.choice(gt_classes))],
                    "bbox": [float(rng.integers(0, 400)), float(rng.integers(0, 400)), w, h],
                }
                r = rng.random()
                if r < 0.1:
                    ann["area"] = float(rng.choice(AREA_BOUNDS))
                elif r < 0.2:
                    ann["area"] = float(round(w * h * rng.uniform(0.4, 1.1)))
                if rng.random() < crowd_rate:
                    ann["iscrowd"] = 1
                    ann["area"] = float(round(w * h * rng.uniform(0.3, 1.0)))
                frame_gt.append(ann)
            anns.extend(frame_gt)
        if kind in ("pred_only", "both"):
            for ann in frame_gt:
                for _ in range(int(rng.choice([0, 1, 1, 1, 2, 3]))):
                    add_pred(image, _derived_box(rng, ann["bbox"]), categories.index(ann["cls"]))
            for _ in range(int(rng.integers(0, 3 if kind == "both" else 5))):
                w, h = _box_size(rng)
                box = [float(rng.integers(0, 400)), float(rng.integers(0, 400)), w, h]
                add_pred(image, box, int(rng.choice(pred_classes)))
    if many_dets:
        image = images[n_images]
        data.images.append(image)
        cls = categories[gt_classes[0]]
        objs = []
        for _ in range(4):
            w, h = _box_size(rng)
            objs.append(
                {"image": image, "cls": cls, "bbox": [float(rng.integers(0, 400)), float(rng.integers(0, 400)), w, h]}
            )
        anns.extend(objs)
        for k in range(many_dets):
            box = (
                _derived_box(rng, objs[k % len(objs)]["bbox"]) if k % 3 else [float(v) for v in rng.integers(1, 300, 4)]
            )
            dets.append({"image": image, "cls": cls, "bbox": box, "score": round(float(rng.random()), 2)})
    if not dets:  # pycocotools' loadRes needs one result
        dets.append(
            {"image": data.images[0], "cls": categories[pred_classes[0]], "bbox": [1.0, 1.0, 20.0, 20.0], "score": 0.5}
        )
    return data


def separated_detection(seed: int, *, n_images: int = 10, n_classes: int = 4) -> Dataset:
    """Detection data where every prediction overlaps at most one ground-truth object at all.

    Objects sit in disjoint 200 px cells; each prediction stays inside the cell of the object it is derived
    from (or in an empty cell). Scores are distinct inside a frame.
    """
    rng = np.random.default_rng(seed)
    images = [int(v) for v in rng.choice(np.arange(1, 10 * n_images), size=n_images, replace=False)]
    categories = [f"c{k}" for k in range(n_classes)]
    data = Dataset(images, categories, list(range(1, n_classes + 1)))
    for image in images:
        cells = rng.permutation(16)[: int(rng.integers(0, 9))]
        scores = iter(rng.permutation(np.arange(1, 100))[: 4 * len(cells) + 1] / 100)
        for n, cell in enumerate(cells):
            ox, oy = 200.0 * (cell % 4), 200.0 * (cell // 4)
            w, h = (float(v) for v in rng.integers(20, 120, size=2))
            gx, gy = ox + float(rng.integers(30, 50)), oy + float(rng.integers(30, 50))
            cls = int(rng.integers(n_classes))
            background = n % 4 == 3  # a cell without an object: its predictions are false positives
            if not background:
                data.annotations.append({"image": image, "cls": categories[cls], "bbox": [gx, gy, w, h]})
            for _ in range(int(rng.choice([0, 1, 1, 2, 3]))):
                # shift by up to the box size: IoU from 1 down to 0, the box stays inside the cell
                dx, dy = (float(rng.integers(-25, 26)) for _ in range(2))
                dw, dh = (float(rng.integers(-15, 30)) for _ in range(2))
                pcls = cls if rng.random() < 0.6 else int(rng.integers(n_classes))
                data.detections.append(
                    {
                        "image": image,
                        "cls": categories[pcls],
                        "bbox": [gx + dx, gy + dy, w + dw, h + dh],
                        "score": float(next(scores)),
                    }
                )
    if not data.detections:
        data.detections.append({"image": images[0], "cls": categories[0], "bbox": [5.0, 5.0, 10.0, 10.0], "score": 0.5})
    return data


def random_classification(
    seed: int, *, n_frames: int = 60, n_classes: int = 5
) -> tuple[Dataset, np.ndarray, np.ndarray, np.ndarray]:
    """One whole-frame object and one whole-frame prediction per frame.

    Class ``n_classes - 1`` is never true (only predicted), ``n_classes - 2`` never predicted, and with 5 or
    more classes ``n_classes - 3`` is listed but unused. Returns the data and ``y_true``, ``y_pred``, ``score``.
    """
    rng = np.random.default_rng(seed)
    true_classes = [k for k in range(n_classes) if k != n_classes - 1 and not (n_classes >= 5 and k == n_classes - 3)]
    pred_classes = [k for k in range(n_classes) if k != n_classes - 2 and not (n_classes >= 5 and k == n_classes - 3)]
    y_true = rng.choice(true_classes, size=n_frames)
    y_pred = np.where(
        (rng.random(n_frames) < 0.6) & np.isin(y_true, pred_classes), y_true, rng.choice(pred_classes, size=n_frames)
    )
    score = np.round(rng.random(n_frames), 2)
    data = classification_data(y_true, y_pred, score, n_classes)
    return data, y_true, y_pred, score


def classification_data(y_true: Any, y_pred: Any, score: Any, n_classes: int) -> Dataset:
    frames = list(range(1, len(y_true) + 1))
    categories = [f"k{k}" for k in range(n_classes)]
    data = Dataset(frames, categories, list(range(n_classes)), task="classification")
    for f, t, p, s in zip(frames, y_true, y_pred, score, strict=True):
        data.annotations.append({"image": f, "cls": categories[int(t)], "bbox": [0.0, 0.0, 1.0, 1.0]})
        data.detections.append({"image": f, "cls": categories[int(p)], "bbox": [0.0, 0.0, 1.0, 1.0], "score": float(s)})
    return data


# ---- reference matching, straight from semantics.md ----------------------------------------------------


def box_iou(p: Any, g: Any, crowd: bool) -> float:
    """pycocotools' bbIou arithmetic; for a crowd region the union is the prediction's area."""
    w = min(p[0] + p[2], g[0] + g[2]) - max(p[0], g[0])
    if w <= 0:
        return 0.0
    h = min(p[1] + p[3], g[1] + g[3]) - max(p[1], g[1])
    if h <= 0:
        return 0.0
    inter = w * h
    pa = p[2] * p[3]
    return inter / pa if crowd else inter / (pa + g[2] * g[3] - inter)


def reference_matrix(
    gt: GroundTruth, preds: Predictions, iou: float, conf: float, frames: np.ndarray | None = None
) -> np.ndarray:
    """The ``(C + 1, C + 1)`` matrix at one (IoU, confidence), re-matching the kept predictions frame by frame."""
    c = gt.num_classes
    out = np.zeros((c + 1, c + 1), dtype=np.int64)
    frame_set = range(gt.num_frames) if frames is None else np.flatnonzero(frames)
    for f in frame_set:
        objs = [int(i) for i in np.flatnonzero(gt.frame == f)]
        kept = [int(j) for j in np.flatnonzero((preds.frame == f) & (preds.score >= conf))]
        kept.sort(key=lambda j: -preds.score[j])  # stable: ties keep input order
        taken: set[int] = set()
        for j in kept:
            pc = int(preds.cls[j])
            match = None
            for own in (True, False):
                best = -1.0
                for i in objs:
                    if gt.crowd[i] or i in taken or (int(gt.cls[i]) == pc) != own:
                        continue
                    v = box_iou(preds.box[j], gt.box[i], False)
                    if v >= iou and v > best:
                        match, best = i, v
                if match is not None:
                    break
            if match is not None:
                taken.add(match)
                out[int(gt.cls[match]), pc] += 1
            elif any(
                gt.crowd[i] and int(gt.cls[i]) == pc and box_iou(preds.box[j], gt.box[i], True) >= iou for i in objs
            ):
                continue  # ignored: neither TP nor FP
            else:
                out[c, pc] += 1
        for i in objs:
            if not gt.crowd[i] and i not in taken:
                out[int(gt.cls[i]), c] += 1
    return out
