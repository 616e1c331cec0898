#!/usr/bin/env python
"""Seeded generator of COCO-scale object-detection benchmark data.

Writes, into ``--out`` (default ``benchmarks/_data``):

* ``gt.json``       COCO ground truth: images (id/width/height/file_name), annotations
                    (ids from 1, bbox, area, iscrowd), 80 categories with COCO's
                    non-contiguous ids 1..90.
* ``preds.json``    COCO results list (image_id, category_id, bbox, score) of a
                    "medium" detector, about 100 detections per image.
* ``preds_b.json``  a stronger detector, ``preds_c.json`` a weaker one that drops
                    detections below 0.05 (with ``--models 3``, the default).
* ``meta.json``     the parameters and counts of this run.

The default size is the full one (5,000 images, ~36,000 GT boxes, ~500,000
predictions), modelled on COCO val2017: long-tailed class frequencies ("person"
~30% of objects), ~41% small / ~34% medium / ~24% large objects by ``area``,
~1% ``iscrowd`` regions, COCO-like image sizes.  Detections include localisation
noise proportional to box size, class swaps within groups of similar classes,
duplicates with lower scores, detections inside crowd regions, background false
positives, missed objects, and scores correlated with localisation quality,
rounded to 3 decimals so that ties exist.  Some images have more than 100
detections (and some image/category pairs too), some have no GT, some no
detections.

Usage:  python benchmarks/generate.py [--seed 0] [--images 5000] [--classes 80]
                                      [--models 3] [--out benchmarks/_data]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import orjson

DEFAULT_OUT = Path(__file__).resolve().parent / "_data"

# COCO's 80 categories: (id, name, supercategory); ids 1..90 with gaps.
COCO_CATEGORIES: list[tuple[int, str, str]] = [
    (1, "person", "person"), (2, "bicycle", "vehicle"), (3, "car", "vehicle"),
    (4, "motorcycle", "vehicle"), (5, "airplane", "vehicle"), (6, "bus", "vehicle"),
    (7, "train", "vehicle"), (8, "truck", "vehicle"), (9, "boat", "vehicle"),
    (10, "traffic light", "outdoor"), (11, "fire hydrant", "outdoor"), (13, "stop sign", "outdoor"),
    (14, "parking meter", "outdoor"), (15, "bench", "outdoor"), (16, "bird", "animal"),
    (17, "cat", "animal"), (18, "dog", "animal"), (19, "horse", "animal"), (20, "sheep", "animal"),
    (21, "cow", "animal"), (22, "elephant", "animal"), (23, "bear", "animal"), (24, "zebra", "animal"),
    (25, "giraffe", "animal"), (27, "backpack", "accessory"), (28, "umbrella", "accessory"),
    (31, "handbag", "accessory"), (32, "tie", "accessory"), (33, "suitcase", "accessory"),
    (34, "frisbee", "sports"), (35, "skis", "sports"), (36, "snowboard", "sports"),
    (37, "sports ball", "sports"), (38, "kite", "sports"), (39, "baseball bat", "sports"),
    (40, "baseball glove", "sports"), (41, "skateboard", "sports"), (42, "surfboard", "sports"),
    (43, "tennis racket", "sports"), (44, "bottle", "kitchen"), (46, "wine glass", "kitchen"),
    (47, "cup", "kitchen"), (48, "fork", "kitchen"), (49, "knife", "kitchen"), (50, "spoon", "kitchen"),
    (51, "bowl", "kitchen"), (52, "banana", "food"), (53, "apple", "food"), (54, "sandwich", "food"),
    (55, "orange", "food"), (56, "broccoli", "food"), (57, "carrot", "food"), (58, "hot dog", "food"),
    (59, "pizza", "food"), (60, "donut", "food"), (61, "cake", "food"), (62, "chair", "furniture"),
    (63, "couch", "furniture"), (64, "potted plant", "furniture"), (65, "bed", "furniture"),
    (67, "dining table", "furniture"), (70, "toilet", "furniture"), (72, "tv", "electronic"),
    (73, "laptop", "electronic"), (74, "mouse", "electronic"), (75, "remote", "electronic"),
    (76, "keyboard", "electronic"), (77, "cell phone", "electronic"), (78, "microwave", "appliance"),
    (79, "oven", "appliance"), (80, "toaster", "appliance"), (81, "sink", "appliance"),
    (82, "refrigerator", "appliance"), (84, "book", "indoor"), (85, "clock", "indoor"),
    (86, "vase", "indoor"), (87, "scissors", "indoor"), (88, "teddy bear", "indoor"),
    (89, "hair drier", "indoor"), (90, "toothbrush", "indoor"),
]  # fmt: skip

# (width, height) of COCO-like images with their relative frequency; the remainder
# (OTHER_SIZE_SHARE) gets a 640 long side and a random short side.
IMAGE_SIZES: list[tuple[int, int, float]] = [
    (640, 480, 0.30), (480, 640, 0.08), (640, 427, 0.16), (427, 640, 0.05), (640, 426, 0.06),
    (426, 640, 0.02), (640, 428, 0.03), (640, 425, 0.03), (640, 424, 0.02), (640, 360, 0.04),
    (500, 375, 0.03), (375, 500, 0.01), (640, 640, 0.02), (612, 612, 0.03), (640, 512, 0.02),
    (640, 383, 0.02), (640, 478, 0.01), (640, 429, 0.01),
]  # fmt: skip
OTHER_SIZE_SHARE = 0.06

SMALL, MEDIUM = 32.0**2, 96.0**2  # COCO area range boundaries
# log of sqrt(area): normal(mu, sigma) plus a per-class offset (sd 0.45); tuned so that the
# `area` split is ~41% small / ~34% medium / ~24% large as in COCO val2017.
LOG_S_MU, LOG_S_SIGMA = 3.72, 1.12


@dataclass(frozen=True)
class Model:
    """Behaviour of one simulated detector."""

    name: str
    file: str
    recall: tuple[float, float, float]  # P(object detected) for small / medium / large objects
    q_beta: tuple[float, float]  # Beta(a, b) of localisation quality q in [0, 1]
    loc: float  # localisation noise scale (relative to box size)
    swap: float  # P(class swapped to a similar class)
    dup_rate: float  # mean number of duplicates per detected object
    dets_per_image: float  # mean target number of detections per image
    score_bias: float  # logit offset of true-positive scores
    min_score: float  # detections below this score are dropped (a thresholded detector)


MODELS = [
    # typical two-stage detector (AP ~0.35), the main benchmark set
    Model("a", "preds.json", (0.66, 0.88, 0.95), (5.0, 1.6), 0.24, 0.04, 0.5, 100.0, 0.6, 0.0),
    # stronger detector
    Model("b", "preds_b.json", (0.75, 0.92, 0.97), (6.0, 1.4), 0.20, 0.03, 0.4, 100.0, 0.9, 0.0),
    # weaker detector whose output is thresholded at score 0.05 (fewer detections)
    Model("c", "preds_c.json", (0.45, 0.75, 0.88), (3.5, 2.0), 0.32, 0.08, 0.8, 70.0, 0.2, 0.05),
]


def categories(n: int) -> list[dict]:
    cats = []
    for i in range(n):
        if i < len(COCO_CATEGORIES):
            cid, name, sup = COCO_CATEGORIES[i]
        else:  # beyond COCO's 80: ids from 91 on, leaving a gap after every 9
            j = i - len(COCO_CATEGORIES)
            cid = 91 + j + j // 9
            name, sup = f"class_{cid}", "extra"
        cats.append({"supercategory": sup, "id": cid, "name": name})
    return cats


def class_frequencies(rng: np.random.Generator, n: int) -> np.ndarray:
    """Long tail: class 0 ("person") ~30%, the others decay exponentially (~4% down to ~0.03%)."""
    if n == 1:
        return np.ones(1)
    ranks = np.arange(1, n)
    beta = np.log(130.0) / max(n - 2, 1)
    tail = np.exp(-beta * ranks)
    tail = 0.70 * tail / tail.sum()
    p = np.empty(n)
    p[0] = 0.30
    p[1:] = tail[rng.permutation(n - 1)]  # which class gets which rank is random
    return p


def class_groups(rng: np.random.Generator, n: int) -> np.ndarray:
    """Group id per class: consecutive classes in groups of 4 or 5 ("similar" classes)."""
    group = np.empty(n, dtype=np.int64)
    start, g = 0, 0
    while start < n:
        size = int(rng.integers(4, 6))
        group[start : start + size] = g
        start += size
        g += 1
    return group


def swap_within_group(rng: np.random.Generator, cls: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Replace each class by a different random class of its group (unchanged if alone)."""
    out = cls.copy()
    n_cls = len(group)
    members = [np.flatnonzero(group == g) for g in range(group.max() + 1)]
    for g, mem in enumerate(members):
        if len(mem) < 2:
            continue
        sel = np.flatnonzero(group[cls] == g)
        if len(sel) == 0:
            continue
        # choose among the len(mem) - 1 other members
        pos = np.searchsorted(mem, cls[sel])
        k = rng.integers(0, len(mem) - 1, size=len(sel))
        k = np.where(k >= pos, k + 1, k)
        out[sel] = mem[k]
    assert out.max() < n_cls
    return out


def sample_sizes(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Image (width, height) pairs."""
    table = np.array([(w, h) for w, h, _ in IMAGE_SIZES], dtype=np.int64)
    probs = np.array([p for _, _, p in IMAGE_SIZES])
    probs = probs / probs.sum() * (1.0 - OTHER_SIZE_SHARE)
    k = rng.choice(len(table) + 1, size=n, p=[*probs, OTHER_SIZE_SHARE])
    w = np.empty(n, dtype=np.int64)
    h = np.empty(n, dtype=np.int64)
    fixed = k < len(table)
    w[fixed], h[fixed] = table[k[fixed], 0], table[k[fixed], 1]
    other = ~fixed
    short = rng.integers(240, 641, size=int(other.sum()))
    landscape = rng.random(int(other.sum())) < 0.75
    w[other] = np.where(landscape, 640, short)
    h[other] = np.where(landscape, short, 640)
    return w, h


def place_boxes(
    rng: np.random.Generator, bw: np.ndarray, bh: np.ndarray, iw: np.ndarray, ih: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Clip box sizes to the image and place them uniformly inside it."""
    bw = np.clip(bw, 1.0, iw)
    bh = np.clip(bh, 1.0, ih)
    x = rng.random(len(bw)) * (iw - bw)
    y = rng.random(len(bh)) * (ih - bh)
    return x, y, bw, bh


def clip_to_image(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, h: np.ndarray, iw: np.ndarray, ih: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Clip xywh boxes to the image; keep at least 1 px of width/height, rounded to 2 decimals."""
    x1 = np.clip(x, 0.0, iw - 1.0)
    y1 = np.clip(y, 0.0, ih - 1.0)
    x2 = np.clip(x + w, x1 + 1.0, iw)
    y2 = np.clip(y + h, y1 + 1.0, ih)
    x1, y1 = np.round(x1, 2), np.round(y1, 2)
    return x1, y1, np.round(x2 - x1, 2), np.round(y2 - y1, 2)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


@dataclass
class GroundTruth:
    img_ids: np.ndarray  # (I,) COCO-style non-contiguous image ids, ascending
    img_w: np.ndarray
    img_h: np.ndarray
    start: np.ndarray  # (I,) first annotation row of each image
    count: np.ndarray  # (I,) annotations per image
    img: np.ndarray  # (N,) image index of each annotation (sorted)
    cls: np.ndarray  # (N,) class index
    x: np.ndarray
    y: np.ndarray
    w: np.ndarray
    h: np.ndarray
    area: np.ndarray
    crowd: np.ndarray  # (N,) bool
    size_class: np.ndarray  # (N,) 0 small, 1 medium, 2 large (by area)
    class_p: np.ndarray
    class_log_scale: np.ndarray
    class_log_aspect: np.ndarray
    group: np.ndarray


def make_ground_truth(rng: np.random.Generator, n_images: int, n_classes: int) -> GroundTruth:
    # image ids: sorted random distinct ids in COCO's range, e.g. 139 ... 581781
    img_ids = np.sort(rng.choice(np.arange(1, 600_000), size=n_images, replace=False))
    iw, ih = sample_sizes(rng, n_images)

    # objects per image: ~1% images empty, else 1 + negative binomial (heavy tail), mean ~7.3
    count = 1 + rng.negative_binomial(1.3, 1.3 / (1.3 + 6.3), size=n_images)
    count = np.minimum(count, 90)
    count[rng.random(n_images) < 0.01] = 0
    n = int(count.sum())
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    img = np.repeat(np.arange(n_images), count)

    class_p = class_frequencies(rng, n_classes)
    group = class_groups(rng, n_classes)
    # each image has a dominant class (drawn from the same distribution, so marginals are kept)
    dominant = rng.choice(n_classes, size=n_images, p=class_p)
    cls = np.where(rng.random(n) < 0.4, dominant[img], rng.choice(n_classes, size=n, p=class_p))

    # sizes: sqrt(area) log-normal; per-class scale and aspect offsets (person is tall)
    class_log_scale = rng.normal(0.0, 0.45, n_classes)
    class_log_scale -= class_log_scale @ class_p
    class_log_aspect = rng.normal(0.0, 0.3, n_classes)
    class_log_aspect[0] = np.log(2.2)
    s = np.exp(rng.normal(LOG_S_MU, LOG_S_SIGMA, n) + class_log_scale[cls])
    s = np.maximum(s, 1.5)
    frac = rng.uniform(0.6, 0.9, n)  # polygon area / box area
    aspect = np.exp(rng.normal(class_log_aspect[cls], 0.45))  # h / w
    box_area = s * s / frac

    # ~1% crowd regions: mostly persons, larger, in images with several objects
    weight = np.where(count[img] >= 5, 1.0, 0.05)
    n_crowd = round(0.01 * n)
    crowd_rows = rng.choice(n, size=n_crowd, replace=False, p=weight / weight.sum()) if n_crowd else []
    crowd = np.zeros(n, dtype=bool)
    crowd[crowd_rows] = True
    cls[crowd & (rng.random(n) < 0.7)] = 0
    box_area[crowd] *= rng.uniform(4.0, 25.0, int(crowd.sum()))
    aspect[crowd] = np.exp(rng.normal(-0.3, 0.4, int(crowd.sum())))
    frac[crowd] = rng.uniform(0.4, 0.8, int(crowd.sum()))

    bw = np.sqrt(box_area / aspect)
    bh = np.sqrt(box_area * aspect)
    x, y, bw, bh = place_boxes(rng, bw, bh, iw[img].astype(float), ih[img].astype(float))
    x, y, bw, bh = clip_to_image(x, y, bw, bh, iw[img].astype(float), ih[img].astype(float))
    area = np.round(frac * bw * bh, 2)
    area = np.maximum(area, 1.0)
    size_class = np.where(area < SMALL, 0, np.where(area < MEDIUM, 1, 2))
    return GroundTruth(
        img_ids, iw, ih, start, count, img, cls, x, y, bw, bh, area, crowd, size_class,
        class_p, class_log_scale, class_log_aspect, group,
    )  # fmt: skip


def make_predictions(rng: np.random.Generator, gt: GroundTruth, m: Model) -> dict[str, np.ndarray]:
    n_images = len(gt.img_ids)
    n_classes = len(gt.class_p)
    giw, gih = gt.img_w[gt.img].astype(float), gt.img_h[gt.img].astype(float)
    parts: list[dict[str, np.ndarray]] = []

    # --- true positives (and mislocalised / swapped ones) --------------------------------
    recall = np.asarray(m.recall)[gt.size_class]
    det = ~gt.crowd & (rng.random(len(gt.cls)) < recall)
    rows = np.flatnonzero(det)
    q = rng.beta(*m.q_beta, size=len(rows))
    size_c = gt.size_class[rows]

    def jitter(rows: np.ndarray, q: np.ndarray, extra: float = 0.0):
        sig = m.loc * (1.05 - q) * np.where(gt.size_class[rows] == 0, 1.4, 1.0) + extra
        w, h = gt.w[rows], gt.h[rows]
        cx = gt.x[rows] + w / 2 + rng.normal(0, 1, len(rows)) * sig * w
        cy = gt.y[rows] + h / 2 + rng.normal(0, 1, len(rows)) * sig * h
        nw = w * np.exp(rng.normal(0, 1, len(rows)) * sig)
        nh = h * np.exp(rng.normal(0, 1, len(rows)) * sig)
        return clip_to_image(cx - nw / 2, cy - nh / 2, nw, nh, giw[rows], gih[rows])

    x, y, w, h = jitter(rows, q)
    cls = gt.cls[rows].copy()
    swapped = rng.random(len(rows)) < m.swap
    cls[swapped] = swap_within_group(rng, cls[swapped], gt.group)
    logit = (
        6.0 * (q - 0.55) + m.score_bias + rng.normal(0, 1.0, len(rows))
        + np.select([size_c == 0, size_c == 2], [-0.6, 0.5], 0.0) - 0.7 * swapped
    )  # fmt: skip
    score = sigmoid(logit)
    parts.append(dict(img=gt.img[rows], cls=cls, x=x, y=y, w=w, h=h, score=score))

    # --- duplicates near detected objects, lower scores, sometimes a similar class ---------
    n_dup = rng.poisson(m.dup_rate, size=len(rows))
    d_par = np.repeat(np.arange(len(rows)), n_dup)
    d_rows = rows[d_par]
    d_q = q[d_par] * rng.uniform(0.4, 0.9, len(d_rows))
    x, y, w, h = jitter(d_rows, d_q, extra=0.03)
    d_cls = cls[d_par].copy()
    other = rng.random(len(d_rows)) < 0.25
    d_cls[other] = swap_within_group(rng, d_cls[other], gt.group)
    d_score = score[d_par] * rng.uniform(0.15, 0.75, len(d_rows))
    parts.append(dict(img=gt.img[d_rows], cls=d_cls, x=x, y=y, w=w, h=h, score=d_score))

    # --- detections of individuals inside crowd regions (to be ignored) -------------------
    c_rows = np.flatnonzero(gt.crowd)
    n_in = rng.poisson(6.0, size=len(c_rows))
    c_par = np.repeat(c_rows, n_in)
    cw = gt.w[c_par] * rng.uniform(0.08, 0.35, len(c_par))
    ch = np.minimum(cw * np.exp(rng.normal(0.7, 0.3, len(c_par))), gt.h[c_par])
    cx = gt.x[c_par] + rng.random(len(c_par)) * (gt.w[c_par] - cw)
    cy = gt.y[c_par] + rng.random(len(c_par)) * (gt.h[c_par] - ch)
    x, y, w, h = clip_to_image(cx, cy, cw, ch, giw[c_par], gih[c_par])
    c_score = rng.beta(2.0, 3.0, len(c_par))
    parts.append(dict(img=gt.img[c_par], cls=gt.cls[c_par], x=x, y=y, w=w, h=h, score=c_score))

    # --- background false positives: fill each image up to its target count -------------
    obj = np.bincount(np.concatenate([p["img"] for p in parts]), minlength=n_images)
    sigma = 0.35
    target = np.exp(rng.normal(np.log(m.dets_per_image) - sigma**2 / 2, sigma, n_images))
    n_bg = np.maximum(np.round(target).astype(np.int64) - obj, rng.poisson(2.0, n_images))
    b_img = np.repeat(np.arange(n_images), n_bg)
    nb = len(b_img)
    flat = np.sqrt(gt.class_p) / np.sqrt(gt.class_p).sum()
    b_cls = rng.choice(n_classes, size=nb, p=flat)
    # 35% take the class of a random object of the same image (confusable context)
    has = gt.count[b_img] > 0
    ctx = has & (rng.random(nb) < 0.35)
    pick = gt.start[b_img[ctx]] + (rng.random(int(ctx.sum())) * gt.count[b_img[ctx]]).astype(np.int64)
    b_cls[ctx] = gt.cls[pick]
    s = np.exp(rng.normal(3.5, 1.2, nb))
    aspect = np.exp(rng.normal(0.0, 0.6, nb))
    biw, bih = gt.img_w[b_img].astype(float), gt.img_h[b_img].astype(float)
    x, y, w, h = place_boxes(rng, s / np.sqrt(aspect), s * np.sqrt(aspect), biw, bih)
    x, y, w, h = clip_to_image(x, y, w, h, biw, bih)
    hard = rng.random(nb) < 0.08
    b_score = np.where(hard, rng.beta(2.0, 4.0, nb), rng.beta(1.1, 14.0, nb))
    parts.append(dict(img=b_img, cls=b_cls, x=x, y=y, w=w, h=h, score=b_score))

    out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    out["score"] = np.clip(np.round(out["score"], 3), 0.001, 1.0)
    keep = out["score"] >= m.min_score
    keep &= ~(rng.random(n_images) < 0.005)[out["img"]]  # ~0.5% images without detections
    # group by image (ascending id); random order inside an image (ties resolve by file order)
    order = np.lexsort((rng.random(len(keep)), out["img"]))
    order = order[keep[order]]
    return {k: v[order] for k, v in out.items()}


def write_json(path: Path, obj: object) -> int:
    data = orjson.dumps(obj)
    path.write_bytes(data)
    return len(data)


def gt_json(gt: GroundTruth, cats: list[dict]) -> dict:
    ids = gt.img_ids.tolist()
    images = [
        {"id": i, "width": w, "height": h, "file_name": f"{i:012d}.jpg"}
        for i, w, h in zip(ids, gt.img_w.tolist(), gt.img_h.tolist(), strict=True)
    ]
    cat_ids = np.array([c["id"] for c in cats])
    img_id = gt.img_ids[gt.img].tolist()
    cat = cat_ids[gt.cls].tolist()
    anns = [
        {"id": k + 1, "image_id": i, "category_id": c, "bbox": [x, y, w, h], "area": a, "iscrowd": z}
        for k, (i, c, x, y, w, h, a, z) in enumerate(
            zip(img_id, cat, gt.x.tolist(), gt.y.tolist(), gt.w.tolist(), gt.h.tolist(),
                gt.area.tolist(), gt.crowd.astype(int).tolist(), strict=True)
        )
    ]  # fmt: skip
    info = {"description": "reportgen synthetic COCO-like benchmark ground truth", "version": "1.0"}
    return {"info": info, "images": images, "annotations": anns, "categories": cats}


def preds_json(gt: GroundTruth, cats: list[dict], p: dict[str, np.ndarray]) -> list[dict]:
    cat_ids = np.array([c["id"] for c in cats])
    return [
        {"image_id": i, "category_id": c, "bbox": [x, y, w, h], "score": s}
        for i, c, x, y, w, h, s in zip(
            gt.img_ids[p["img"]].tolist(), cat_ids[p["cls"]].tolist(), p["x"].tolist(), p["y"].tolist(),
            p["w"].tolist(), p["h"].tolist(), p["score"].tolist(), strict=True
        )
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--images", type=int, default=5000)
    ap.add_argument("--classes", type=int, default=80)
    ap.add_argument("--models", type=int, default=3, choices=[1, 2, 3], help="inference sets to write")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    if args.images < 1 or args.classes < 1:
        ap.error("--images and --classes must be positive")

    t0 = time.perf_counter()
    seeds = np.random.SeedSequence(args.seed).spawn(1 + len(MODELS))
    gt = make_ground_truth(np.random.default_rng(seeds[0]), args.images, args.classes)
    cats = categories(args.classes)
    args.out.mkdir(parents=True, exist_ok=True)
    write_json(args.out / "gt.json", gt_json(gt, cats))

    n_gt = len(gt.cls)
    split = np.bincount(gt.size_class, minlength=3) / max(n_gt, 1) * 100
    meta: dict = {
        "generator": "benchmarks/generate.py",
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "images": args.images,
        "images_without_gt": int((gt.count == 0).sum()),
        "gt": n_gt,
        "crowd": int(gt.crowd.sum()),
        "gt_small_medium_large_pct": [round(float(v), 1) for v in split],
        "person_share_pct": round(float((gt.cls == 0).mean() * 100), 1),
        "models": {},
    }
    pred_txt = []
    for m, seed in zip(MODELS[: args.models], seeds[1:], strict=False):
        p = make_predictions(np.random.default_rng(seed), gt, m)
        write_json(args.out / m.file, preds_json(gt, cats, p))
        per_img = np.bincount(p["img"], minlength=args.images)
        pair = np.unique(p["img"] * args.classes + p["cls"], return_counts=True)[1]
        meta["models"][m.file] = {
            "params": asdict(m),
            "predictions": len(p["img"]),
            "images_without_predictions": int((per_img == 0).sum()),
            "images_over_100": int((per_img > 100).sum()),
            "max_per_image": int(per_img.max()),
            "image_category_pairs_over_100": int((pair > 100).sum()),
            "distinct_scores": len(np.unique(p["score"])),
        }
        mm = meta["models"][m.file]
        pred_txt.append(
            f"{m.file}={mm['predictions']} (no-pred imgs {mm['images_without_predictions']}, "
            f">100/img {mm['images_over_100']}, max/img {mm['max_per_image']}, "
            f">100/img-cat {mm['image_category_pairs_over_100']})"
        )
    meta["seconds"] = round(time.perf_counter() - t0, 2)
    write_json(args.out / "meta.json", meta)
    print(
        f"images={args.images} (no-GT {meta['images_without_gt']}) gt={n_gt} crowd={meta['crowd']} "
        f"small/medium/large={split[0]:.1f}/{split[1]:.1f}/{split[2]:.1f}% person={meta['person_share_pct']}% "
        f"| {'; '.join(pred_txt)} | {meta['seconds']:.1f}s -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
