"""The detection demo: objects placed in scenes, three simulated detectors with profiles of their own, and the
project written as COCO files, a frame table and a project file."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import ImageDraw

from reportgen.demo.common import _CLASS_WEIGHTS, _FP_WEIGHTS, _SIMILAR, _SUPERSAMPLE, CLASSES, DET_FRAMES, DET_SIZE
from reportgen.demo.drawing import _SIZE_FACTOR, _draw_aircraft, _extent, _silhouette_area
from reportgen.demo.scenes import (
    _aircraft_colour,
    _choice,
    _Frame,
    _frames,
    _ground,
    _jpeg,
    _lights,
    _Object,
    _span_px,
    _weather,
)
from reportgen.demo.writing import (
    _DETECTION_TARGETS,
    _coco_text,
    _json_records,
    _project,
    _segments,
    _write_frames_table,
    _write_yaml,
)


def _iou(a: Sequence[float], b: Sequence[float]) -> float:
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def _round_box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
    return (round(x0, 1), round(y0, 1), round(x1 - x0, 1), round(y1 - y0, 1))


_OBJECTS_PER_FRAME = (0.07, 0.2, 0.25, 0.21, 0.14, 0.08, 0.05)  # 0..6 aircraft


def _place(
    rng: np.random.Generator,
    size: tuple[int, int],
    ext: tuple[float, float, float, float],
    taken: list[Sequence[float]],
) -> tuple[float, float] | None:
    """A centre keeping the silhouette inside the image and apart from earlier boxes, or None."""
    x0, y0, x1, y1 = ext
    if x1 - x0 >= size[0] - 2 or y1 - y0 >= size[1] - 2:
        return None
    for _ in range(25):
        cx = float(rng.uniform(1 - x0, size[0] - 1 - x1))
        cy = float(rng.uniform(1 - y0, size[1] - 1 - y1))
        box = (cx + x0, cy + y0, x1 - x0, y1 - y0)
        if all(_iou(box, other) < 0.02 for other in taken):
            return cx, cy
    return None


def _detection_scene(
    rng: np.random.Generator, index: int, frame: _Frame, size: tuple[int, int]
) -> tuple[bytes, list[_Object]]:
    """One frame's image and objects."""
    cond = frame.conditions
    span0 = _span_px(cond.distance_m)
    img, strips = _ground(rng, size, span0)
    draw = ImageDraw.Draw(img, "RGBA")
    objects: list[_Object] = []
    taken: list[Sequence[float]] = []
    if cond.distance_m < 220 and rng.random() < 0.07:  # a parked cluster, labelled as one crowd region
        cls = "straight" if rng.random() < 0.6 else "swept"
        span = span0 * 0.55
        cols, rows = int(rng.integers(2, 4)), 2
        pitch = span * 1.15
        w, h = cols * pitch, rows * pitch
        if w < size[0] - 4 and h < size[1] - 4:
            x0 = float(rng.uniform(2, size[0] - 2 - w))
            y0 = float(rng.uniform(2, size[1] - 2 - h))
            heading = float(rng.uniform(0, 2 * math.pi))
            bounds = [math.inf, math.inf, -math.inf, -math.inf]
            for r in range(rows):
                for c in range(cols):
                    cx, cy = x0 + (c + 0.5) * pitch, y0 + (r + 0.5) * pitch
                    hd = heading + float(rng.normal(0, 0.08))
                    _draw_aircraft(draw, cls, cx, cy, span, hd, _aircraft_colour(rng))
                    e = _extent(cls, span, hd)
                    bounds = [
                        min(bounds[0], cx + e[0]),
                        min(bounds[1], cy + e[1]),
                        max(bounds[2], cx + e[2]),
                        max(bounds[3], cy + e[3]),
                    ]
            box = _round_box(max(0.0, bounds[0]), max(0.0, bounds[1]), min(size[0], bounds[2]), min(size[1], bounds[3]))
            objects.append(_Object(index, cls, box, round(box[2] * box[3] * 0.55, 1), crowd=True))
            taken.append(box)
    n = int(rng.choice(len(_OBJECTS_PER_FRAME), p=_OBJECTS_PER_FRAME))
    for _ in range(n):
        cls = _choice(rng, CLASSES, _CLASS_WEIGHTS)
        span = span0 * _SIZE_FACTOR[cls] * float(rng.uniform(0.85, 1.18))
        heading = float(rng.uniform(0, 2 * math.pi))
        ext = _extent(cls, span, heading)
        centre = _place(rng, size, ext, taken)
        if centre is None:
            continue
        cx, cy = centre
        _draw_aircraft(draw, cls, cx, cy, span, heading, _aircraft_colour(rng))
        box = _round_box(cx + ext[0], cy + ext[1], cx + ext[2], cy + ext[3])
        area = round(_silhouette_area(cls, cx, cy, span, heading, size), 1)
        objects.append(_Object(index, cls, box, area))
        taken.append(box)
    del draw
    small = img.reduce(_SUPERSAMPLE)
    out = _weather(small, cond, rng)
    if cond.time_of_day == "night":
        _lights(out, strips, rng)
    return _jpeg(out), objects


# ---------------------------------------------------------------------------------------- detection models
@dataclass(frozen=True)
class _DetectorProfile:
    """How a simulated detector behaves (probabilities per ground-truth object unless stated)."""

    name: str
    stream: int
    miss: float  # base miss rate
    miss_far: float  # added at the farthest range
    miss_murk: float  # added in fog (half in rain)
    miss_dark: float  # added at night
    confuse: float  # base rate of a class swap along _SIMILAR
    confuse_far: float  # added at the farthest range
    confuse_pairs: tuple[tuple[str, str, float], ...]  # (gt, predicted, extra rate at the farthest range)
    loc: float  # relative localisation noise
    loc_far: float  # added at the farthest range
    duplicate: float
    fp_rate: float  # background false positives per frame
    fp_dark: float  # added at night
    fp_murk: float  # added in fog (half in rain)
    fp_bias: float  # logit of a background false positive's score
    fp_dark_bias: float  # added to it at night and in fog
    score_bias: float
    low_rate: float  # low-score junk boxes per frame (the long tail of any detector)


_V1 = _DetectorProfile(
    name="model-v1",
    stream=11,
    miss=0.04,
    miss_far=0.13,
    miss_murk=0.08,
    miss_dark=0.06,
    confuse=0.03,
    confuse_far=0.05,
    confuse_pairs=(("delta", "straight", 0.85), ("tandem", "straight", 0.2)),
    loc=0.05,
    loc_far=0.07,
    duplicate=0.04,
    fp_rate=0.12,
    fp_dark=0.15,
    fp_murk=0.1,
    fp_bias=-1.6,
    fp_dark_bias=0.0,
    score_bias=0.0,
    low_rate=0.7,
)


_V2 = _DetectorProfile(
    name="model-v2",
    stream=12,
    miss=0.025,
    miss_far=0.04,
    miss_murk=0.05,
    miss_dark=0.04,
    confuse=0.02,
    confuse_far=0.03,
    confuse_pairs=(("delta", "straight", 0.05),),
    loc=0.045,
    loc_far=0.035,
    duplicate=0.03,
    fp_rate=0.08,
    fp_dark=1.1,
    fp_murk=0.8,
    fp_bias=-1.4,
    fp_dark_bias=1.6,
    score_bias=0.3,
    low_rate=0.7,
)


_V3 = _DetectorProfile(
    name="model-v3",
    stream=13,
    miss=0.015,
    miss_far=0.03,
    miss_murk=0.12,
    miss_dark=0.12,
    confuse=0.04,
    confuse_far=0.04,
    confuse_pairs=(("swept", "variable_sweep", 0.3), ("variable_sweep", "swept", 0.3), ("delta", "straight", 0.2)),
    loc=0.07,
    loc_far=0.09,
    duplicate=0.09,
    fp_rate=0.18,
    fp_dark=0.3,
    fp_murk=0.2,
    fp_bias=-1.0,
    fp_dark_bias=0.0,
    score_bias=-0.2,
    low_rate=0.9,
)


DETECTORS = (_V1, _V2, _V3)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _score(x: float) -> float:
    return round(min(0.999, max(0.001, x)), 3)


def _jitter(
    rng: np.random.Generator, box: Sequence[float], sigma: float, size: tuple[int, int]
) -> tuple[float, float, float, float]:
    x, y, w, h = box
    cx = x + w / 2 + float(rng.normal(0, sigma)) * w
    cy = y + h / 2 + float(rng.normal(0, sigma)) * h
    w2 = w * math.exp(float(rng.normal(0, sigma)))
    h2 = h * math.exp(float(rng.normal(0, sigma)))
    x0, y0 = max(0.0, cx - w2 / 2), max(0.0, cy - h2 / 2)
    x1, y1 = min(float(size[0]), cx + w2 / 2), min(float(size[1]), cy + h2 / 2)
    if x1 - x0 < 1 or y1 - y0 < 1:
        return _round_box(x, y, x + w, y + h)
    return _round_box(x0, y0, x1, y1)


def _confused(rng: np.random.Generator, cls: str) -> str:
    names = [c for c, _ in _SIMILAR[cls]]
    return _choice(rng, names, [w for _, w in _SIMILAR[cls]])


def _detector_predictions(
    profile: _DetectorProfile,
    seed: int,
    frames: Sequence[_Frame],
    objects: Sequence[_Object],
    size: tuple[int, int],
) -> list[dict[str, Any]]:
    rng = np.random.default_rng([seed, profile.stream])
    by_frame: list[list[_Object]] = [[] for _ in frames]
    for obj in objects:
        by_frame[obj.frame].append(obj)
    out: list[dict[str, Any]] = []

    def emit(frame: _Frame, cls: str, box: Sequence[float], score: float) -> None:
        out.append(
            {
                "image_id": frame.frame_id,
                "category_id": CLASSES.index(cls) + 1,
                "bbox": list(box),
                "score": _score(score),
            }
        )

    for frame, objs in zip(frames, by_frame, strict=True):
        cond = frame.conditions
        far, dark, murk = cond.far, cond.dark, cond.murk
        hardness = 0.5 * far + 0.3 * dark + 0.3 * murk
        for obj in objs:
            if obj.crowd:  # a few boxes on single aircraft of the cluster: ignored by the crowd rule
                for _ in range(int(rng.integers(0, 3))):
                    x, y, w, h = obj.box
                    bw, bh = w * float(rng.uniform(0.25, 0.45)), h * float(rng.uniform(0.35, 0.55))
                    bx, by = x + float(rng.uniform(0, w - bw)), y + float(rng.uniform(0, h - bh))
                    emit(frame, obj.cls, _round_box(bx, by, bx + bw, by + bh), _sigmoid(float(rng.normal(0.3, 1.2))))
                continue
            p_miss = profile.miss + profile.miss_far * far + profile.miss_murk * murk + profile.miss_dark * dark
            if rng.random() < p_miss:
                if rng.random() < 0.5:  # seen, but barely
                    box = _jitter(rng, obj.box, 0.15, size)
                    emit(frame, obj.cls, box, float(rng.uniform(0.005, 0.09)))
                continue
            cls = obj.cls
            p_swap = profile.confuse + profile.confuse_far * far
            for gt_cls, pred_cls, rate in profile.confuse_pairs:
                if gt_cls == obj.cls and rng.random() < rate * far:
                    cls = pred_cls
                    break
            else:
                if rng.random() < p_swap:
                    cls = _confused(rng, obj.cls)
            box = _jitter(rng, obj.box, profile.loc + profile.loc_far * far, size)
            correct = cls == obj.cls
            logit = profile.score_bias + 2.6 - 2.2 * hardness + (0.0 if correct else -2.0) + float(rng.normal(0, 1.0))
            score = _sigmoid(logit)
            emit(frame, cls, box, score)
            if rng.random() < profile.duplicate:
                dup = _jitter(rng, obj.box, 0.12 + profile.loc, size)
                dup_cls = cls if rng.random() < 0.7 else _confused(rng, obj.cls)
                emit(frame, dup_cls, dup, score * float(rng.uniform(0.15, 0.7)))
        murky = 1.0 if cond.weather == "fog" else 0.5 if cond.weather == "rain" else 0.0
        night = 1.0 if cond.time_of_day == "night" else 0.0
        # Lights and wet tarmac fool a detector most at mid range, where they look the size of an aircraft.
        lure = (profile.fp_dark * night + profile.fp_murk * murky) * (1.0 - 0.6 * far)
        n_fp = int(rng.poisson(profile.fp_rate + lure))
        span = _span_px(cond.distance_m)
        for _ in range(n_fp):
            w = span * float(rng.uniform(0.5, 1.1))
            h = w * float(rng.uniform(0.7, 1.3))
            x, y = float(rng.uniform(0, size[0] - w)), float(rng.uniform(0, size[1] - h))
            bias = profile.fp_bias + profile.fp_dark_bias * max(night, murky)
            emit(
                frame,
                _choice(rng, CLASSES, _FP_WEIGHTS),
                _round_box(x, y, x + w, y + h),
                _sigmoid(bias + float(rng.normal(0, 1.3))),
            )
        for _ in range(int(rng.poisson(profile.low_rate))):
            w = span * float(rng.uniform(0.4, 1.4))
            h = w * float(rng.uniform(0.6, 1.4))
            x, y = float(rng.uniform(0, max(1.0, size[0] - w))), float(rng.uniform(0, max(1.0, size[1] - h)))
            emit(
                frame,
                _choice(rng, CLASSES, _CLASS_WEIGHTS),
                _round_box(x, y, x + w, y + h),
                float(rng.uniform(0.001, 0.06)),
            )
    return out


_DETECTION_SETS = (
    ("model-v1", "data/model-v1.json", "baseline: calls small, distant delta wings straight"),
    ("model-v2", "data/model-v2.json", "candidate: better overall, but takes runway lights for aircraft at night"),
    ("model-v3", "data/model-v3.json", "experiment: finds more far aircraft, loose boxes (try IoU 0.3)"),
)


_YAML_HEADER = (
    "# reportgen demo project ({task}): synthetic aerial views of aircraft, classed by wing shape.\n"
    "# Written by reportgen.demo.write_demo_project(seed={seed}). The format: docs/project-file.md.\n"
)


def _write_detection(directory: Path, seed: int) -> Path:
    size = DET_SIZE
    scene = np.random.default_rng([seed, 1])
    frames = _frames(scene, DET_FRAMES)
    (directory / "images").mkdir(parents=True, exist_ok=True)
    (directory / "data" / "segments").mkdir(parents=True, exist_ok=True)
    objects: list[_Object] = []
    for index, frame in enumerate(frames):
        jpeg, objs = _detection_scene(scene, index, frame, size)
        (directory / "images" / f"{frame.frame_id}.jpg").write_bytes(jpeg)
        objects.extend(objs)
    data = directory / "data"
    (data / "gt.json").write_text(_coco_text(frames, objects, size), encoding="utf-8")
    _write_frames_table(data / "frames.csv", frames)
    for profile in DETECTORS:
        preds = _detector_predictions(profile, seed, frames, objects, size)
        (data / f"{profile.name}.json").write_text(_json_records(preds) + "\n", encoding="utf-8")
    delta = sorted({frames[o.frame].frame_id for o in objects if o.cls == "delta" and not o.crowd})
    (data / "segments" / "delta-wings.txt").write_text("".join(f"{f}\n" for f in delta), encoding="utf-8")
    clusters = sorted({frames[o.frame].frame_id for o in objects if o.crowd})
    spot = ("Parked clusters", "Frames with a crowd region of parked aircraft (iscrowd).", clusters)
    document = _project("detection", "data/gt.json", _DETECTION_SETS, _segments(_DETECTION_TARGETS, spot))
    project = directory / "project.yaml"
    _write_yaml(project, _YAML_HEADER.format(task="detection", seed=seed), document)
    return project
