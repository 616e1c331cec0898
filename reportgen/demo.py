"""Demo data: "Aircraft wings", aerial views of aircraft classed by wing shape.

:func:`write_demo_project` writes a small, complete project (images, ground truth, a frame table with
metadata, inference sets, segments with targets and a ``project.yaml``) that reads like the spec's examples:
a "Far away planes" regression test where the baseline confuses delta with straight wings on small, distant
aircraft, and a candidate that fixes that but sees runway lights as aircraft at night and in fog.

Everything is drawn from one seeded numpy generator (separate streams for the scene and for each model, so
that tuning one model does not move the others): the same seed gives the same bytes.

Detection layout (``task="detection"``)::

    project.yaml
    images/000000.jpg ...                 160 x 120 JPEG, one per frame
    data/gt.json                          COCO ground truth (string image ids "000123", iscrowd clusters)
    data/frames.csv                       frame_id, image, weather, time_of_day, distance_m, source, ...
    data/model-v1.json ... model-v3.json  COCO results lists
    data/segments/delta-wings.txt         frame ids, one a line

Classification layout (``task="classification"``)::

    project.yaml
    images/000000.jpg ...                 64 x 64 JPEG crops, one aircraft each
    data/labels.csv                       frame_id,label
    data/frames.csv                       frame metadata and image paths
    data/model-v1.csv                     frame_id,label,score (top-1)
    data/model-v2.csv                     frame_id,<one score column per class> (softmax, sums to 1)
    data/segments/delta-wings.txt
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFilter

__all__ = ["CLASSES", "DEMO_OUTPUTS", "MANIFEST", "demo_files", "foreign_files", "manifest_entry", "write_demo_project"]

FloatArray = npt.NDArray[np.float64]
Point = tuple[float, float]
Polygon = tuple[Point, ...]
Rgb = tuple[int, int, int]

PROJECT_NAME = "Aircraft wings"
CLASSES = (
    "delta",
    "straight",
    "swept",
    "forward_swept",
    "variable_sweep",
    "tandem",
    "biplane",
    "rotorcraft",
)
# How often each class occurs.
_CLASS_WEIGHTS = (0.17, 0.21, 0.20, 0.05, 0.08, 0.07, 0.09, 0.13)
# Which classes a model mistakes a class for, and how often relative to each other.
_SIMILAR: dict[str, tuple[tuple[str, float], ...]] = {
    "delta": (("swept", 0.45), ("variable_sweep", 0.4), ("straight", 0.15)),
    "straight": (("tandem", 0.4), ("biplane", 0.4), ("swept", 0.2)),
    "swept": (("delta", 0.35), ("variable_sweep", 0.4), ("forward_swept", 0.25)),
    "forward_swept": (("swept", 0.75), ("straight", 0.25)),
    "variable_sweep": (("swept", 0.55), ("delta", 0.45)),
    "tandem": (("straight", 0.7), ("biplane", 0.3)),
    "biplane": (("straight", 0.75), ("tandem", 0.25)),
    "rotorcraft": (("straight", 0.6), ("tandem", 0.4)),
}
# The classes a background false positive is most often given (lights and buildings look like these).
_FP_WEIGHTS = (0.1, 0.3, 0.15, 0.03, 0.05, 0.07, 0.1, 0.2)

WEATHERS = ("clear", "cloudy", "rain", "fog")
_WEATHER_WEIGHTS = (0.5, 0.25, 0.15, 0.1)
TIMES = ("day", "dusk", "night")
_TIME_WEIGHTS = (0.6, 0.2, 0.2)
SPLITS = ("train", "validation", "test")
_SPLIT_WEIGHTS = (0.6, 0.2, 0.2)
SOURCES = ("Provider X", "Provider Y")
_SOURCE_WEIGHTS = (0.55, 0.45)
LABELERS = ("Acme Labeling", "Skyline Annotations", "in-house")
_LABELER_WEIGHTS = (0.45, 0.35, 0.2)
_LABELER_MISSING = 0.03  # share of frames whose labeling provider is unknown (an empty cell)

DISTANCE_RANGE = (20.0, 400.0)
FAR_DISTANCE = 250.0  # the "Far away planes" regression test: distance_m > 250

DET_SIZE = (160, 120)
DET_FRAMES = 400
CLS_SIZE = 64
CLS_FRAMES = 600
_JPEG_QUALITY = 70
_SUPERSAMPLE = 2


# --------------------------------------------------------------------------------------------- silhouettes
def _pair(*right: Point) -> list[Polygon]:
    """A right wing (x > 0) and its mirror image."""
    return [tuple(right), tuple((-x, y) for x, y in right)]


def _rect(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def _disk(cx: float, cy: float, r: float, n: int = 20) -> Polygon:
    return tuple((cx + r * math.cos(2 * math.pi * k / n), cy + r * math.sin(2 * math.pi * k / n)) for k in range(n))


@dataclass(frozen=True)
class _Layer:
    polygon: Polygon
    shade: float = 1.0  # multiplies the aircraft's colour
    alpha: int = 255


_FUSELAGE = ((0.0, -0.5), (0.055, -0.4), (0.055, 0.45), (-0.055, 0.45), (-0.055, -0.4))
_TAIL = _rect(-0.17, 0.36, 0.17, 0.45)


def _shape(*groups: Iterable[Polygon], shade: float = 1.0) -> list[_Layer]:
    return [_Layer(p, shade) for group in groups for p in group]


# Unit silhouettes seen from above, nose up (towards -y), span and length about 1.
_SHAPES: dict[str, tuple[_Layer, ...]] = {
    "delta": tuple(_shape([((0.0, -0.32), (0.44, 0.4), (-0.44, 0.4))], [_FUSELAGE])),
    "straight": tuple(_shape([_rect(-0.5, -0.1, 0.5, 0.04), _TAIL, _FUSELAGE])),
    "swept": tuple(
        _shape(
            _pair((0.04, -0.18), (0.5, 0.18), (0.5, 0.27), (0.04, 0.08)),
            _pair((0.04, 0.3), (0.2, 0.45), (0.04, 0.45)),
            [_FUSELAGE],
        )
    ),
    "forward_swept": tuple(
        _shape(
            _pair((0.04, 0.08), (0.47, -0.2), (0.47, -0.1), (0.04, 0.22)),
            _pair((0.04, -0.3), (0.14, -0.24), (0.04, -0.2)),
            [_TAIL, _FUSELAGE],
        )
    ),
    "variable_sweep": tuple(
        _shape(
            _pair((0.04, -0.34), (0.16, -0.06), (0.04, -0.02)),
            _pair((0.13, -0.1), (0.42, 0.08), (0.42, 0.16), (0.13, 0.03)),
            _pair((0.04, 0.26), (0.27, 0.45), (0.04, 0.45)),
            [_FUSELAGE],
        )
    ),
    "tandem": tuple(_shape([_rect(-0.36, -0.3, 0.36, -0.2), _rect(-0.44, 0.14, 0.44, 0.26), _FUSELAGE])),
    "biplane": (
        *_shape([_rect(-0.44, -0.06, 0.44, 0.06)], shade=0.7),
        *_shape([_rect(-0.48, -0.22, 0.48, -0.06), _rect(-0.15, 0.34, 0.15, 0.42)]),
        *_shape([((0.0, -0.42), (0.06, -0.34), (0.05, 0.42), (-0.05, 0.42), (-0.06, -0.34))]),
    ),
    "rotorcraft": (
        _Layer(_disk(0.0, -0.08, 0.5), shade=1.15, alpha=95),
        *_shape([_disk(0.0, -0.05, 0.13, 12)]),
        *_shape([_rect(-0.025, 0.0, 0.025, 0.5), _rect(-0.09, 0.42, 0.0, 0.47)]),
    ),
}
_SIZE_FACTOR = {
    "delta": 0.9,
    "straight": 1.0,
    "swept": 1.05,
    "forward_swept": 0.9,
    "variable_sweep": 1.1,
    "tandem": 0.85,
    "biplane": 0.7,
    "rotorcraft": 0.8,
}


def _transform(polygon: Polygon, cx: float, cy: float, span: float, heading: float, scale: float) -> list[Point]:
    c, s = math.cos(heading), math.sin(heading)
    return [((cx + span * (x * c - y * s)) * scale, (cy + span * (x * s + y * c)) * scale) for x, y in polygon]


def _extent(cls: str, span: float, heading: float) -> tuple[float, float, float, float]:
    """Offsets ``(x0, y0, x1, y1)`` of the silhouette's extent from its centre."""
    points = [p for layer in _SHAPES[cls] for p in _transform(layer.polygon, 0.0, 0.0, span, heading, 1.0)]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _draw_aircraft(
    draw: ImageDraw.ImageDraw, cls: str, cx: float, cy: float, span: float, heading: float, colour: Rgb
) -> None:
    """Shadow, then the silhouette's layers, blended (``draw`` must be an RGBA-mode draw on an RGB image)."""
    k = _SUPERSAMPLE
    off = 0.07 * span
    for layer in _SHAPES[cls]:
        if layer.alpha == 255:
            draw.polygon(_transform(layer.polygon, cx + off, cy + off, span, heading, k), fill=(0, 0, 0, 70))
    for layer in _SHAPES[cls]:
        fill = tuple(min(255, round(v * layer.shade)) for v in colour)
        draw.polygon(_transform(layer.polygon, cx, cy, span, heading, k), fill=(*fill, layer.alpha))


def _silhouette_area(cls: str, cx: float, cy: float, span: float, heading: float, size: tuple[int, int]) -> float:
    """Pixels covered by the silhouette (COCO's ``area``, smaller than the box's)."""
    k = _SUPERSAMPLE
    mask = Image.new("L", (size[0] * k, size[1] * k), 0)
    draw = ImageDraw.Draw(mask)
    for layer in _SHAPES[cls]:
        draw.polygon(_transform(layer.polygon, cx, cy, span, heading, k), fill=255)
    return float(np.count_nonzero(np.asarray(mask))) / (k * k)


# ------------------------------------------------------------------------------------------------ scenes
@dataclass(frozen=True)
class _Conditions:
    weather: str
    time_of_day: str
    distance_m: float

    @property
    def far(self) -> float:
        """0 up to 120 m, 1 from 370 m: how small and blurred aircraft look."""
        return float(np.clip((self.distance_m - 120.0) / 250.0, 0.0, 1.0))

    @property
    def dark(self) -> float:
        return {"day": 0.0, "dusk": 0.3, "night": 1.0}[self.time_of_day]

    @property
    def murk(self) -> float:
        return {"clear": 0.0, "cloudy": 0.1, "rain": 0.5, "fog": 1.0}[self.weather]


@dataclass(frozen=True)
class _Frame:
    frame_id: str
    conditions: _Conditions
    source: str
    labeler: str
    split: str


def _choice(rng: np.random.Generator, options: Sequence[str], weights: Sequence[float]) -> str:
    """One of ``options``, drawn with the given relative weights."""
    total = math.fsum(weights)
    u = float(rng.random()) * total
    acc = 0.0
    for option, weight in zip(options, weights, strict=True):
        acc += weight
        if u < acc:
            return option
    return options[-1]


def _frames(rng: np.random.Generator, count: int) -> list[_Frame]:
    frames = []
    for i in range(count):
        conditions = _Conditions(
            weather=_choice(rng, WEATHERS, _WEATHER_WEIGHTS),
            time_of_day=_choice(rng, TIMES, _TIME_WEIGHTS),
            distance_m=round(float(rng.uniform(*DISTANCE_RANGE)), 1),
        )
        source = _choice(rng, SOURCES, _SOURCE_WEIGHTS)
        labeler = _choice(rng, LABELERS, _LABELER_WEIGHTS) if rng.random() >= _LABELER_MISSING else ""
        split = _choice(rng, SPLITS, _SPLIT_WEIGHTS)
        frames.append(_Frame(f"{i:06d}", conditions, source, labeler, split))
    return frames


def _smooth_noise(rng: np.random.Generator, grid: tuple[int, int], size: tuple[int, int]) -> FloatArray:
    """``(H, W)`` smooth noise of about unit depth: few JPEG bytes, yet not flat."""
    coarse = rng.normal(0.0, 1.0, (grid[1], grid[0]))
    img = Image.fromarray(np.clip(128 + 40 * coarse, 0, 255).astype(np.uint8), "L")
    up = np.asarray(img.resize(size, Image.Resampling.BICUBIC), dtype=np.float64)
    return (up - 128.0) / 40.0


# Grass and soil: the ground mixes one of each with a smooth mask.
_GRASS: tuple[Rgb, ...] = ((84, 112, 60), (104, 122, 70), (122, 128, 84))
_SOIL: tuple[Rgb, ...] = ((128, 108, 78), (146, 134, 104), (112, 96, 74))
_ASPHALT: Rgb = (78, 80, 84)
_CONCRETE: Rgb = (150, 150, 146)


@dataclass(frozen=True)
class _Strip:
    """A runway or taxiway: a long band through the image (in output pixels)."""

    cx: float
    cy: float
    angle: float
    width: float

    def polygon(self, length: float, scale: float) -> list[Point]:
        c, s = math.cos(self.angle), math.sin(self.angle)
        h = self.width / 2
        corners = ((-length, -h), (length, -h), (length, h), (-length, h))
        return [((self.cx + x * c - y * s) * scale, (self.cy + x * s + y * c) * scale) for x, y in corners]

    def points_along(self, step: float, length: float, side: float) -> list[Point]:
        c, s = math.cos(self.angle), math.sin(self.angle)
        n = int(length / step)
        off = side * self.width / 2
        return [(self.cx + t * step * c - off * s, self.cy + t * step * s + off * c) for t in range(-n, n + 1)]


def _ground(rng: np.random.Generator, size: tuple[int, int], span: float) -> tuple[Image.Image, list[_Strip]]:
    """Grass / soil texture with runways and taxiways, at the supersampled size."""
    k = _SUPERSAMPLE
    grass = np.asarray(_GRASS[int(rng.integers(len(_GRASS)))], dtype=np.float64)
    soil = np.asarray(_SOIL[int(rng.integers(len(_SOIL)))], dtype=np.float64)
    mix = 1.0 / (1.0 + np.exp(-1.8 * (_smooth_noise(rng, (6, 5), size) + float(rng.normal(0, 0.8)))))
    shade = 7.0 * _smooth_noise(rng, (18, 14), size)
    arr = grass * (1 - mix[..., None]) + soil * mix[..., None] + shade[..., None]
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    img = img.resize((size[0] * k, size[1] * k), Image.Resampling.NEAREST)  # smooth already
    draw = ImageDraw.Draw(img)
    strips: list[_Strip] = []
    length = float(size[0] + size[1])
    if rng.random() < 0.3:  # an apron: concrete where aircraft park
        x0, y0 = rng.uniform(0, size[0] * 0.6), rng.uniform(0, size[1] * 0.6)
        w, h = rng.uniform(0.3, 0.6) * size[0], rng.uniform(0.3, 0.6) * size[1]
        draw.rectangle([x0 * k, y0 * k, (x0 + w) * k, (y0 + h) * k], fill=_CONCRETE)
    for _ in range(int(rng.choice(3, p=[0.35, 0.45, 0.2]))):
        runway = rng.random() < 0.6
        width = float(np.clip(span * (1.1 if runway else 0.45), 2.0, 44.0))
        strip = _Strip(
            float(rng.uniform(0.2, 0.8) * size[0]),
            float(rng.uniform(0.2, 0.8) * size[1]),
            float(rng.uniform(0, math.pi)),
            width,
        )
        draw.polygon(strip.polygon(length, k), fill=_ASPHALT if runway else (96, 98, 96))
        if runway and width >= 8:
            centre = _Strip(strip.cx, strip.cy, strip.angle, 0.8)
            for x, y in centre.points_along(6.0, length, 0.0)[::2]:
                draw.ellipse([(x - 1.2) * k, (y - 1.2) * k, (x + 1.2) * k, (y + 1.2) * k], fill=(215, 215, 210))
        strips.append(strip)
    return img, strips


def _weather(img: Image.Image, conditions: _Conditions, rng: np.random.Generator) -> Image.Image:
    """Clouds, rain, fog, dusk and night on the final-size image."""
    arr = np.asarray(img, dtype=np.float64)
    if conditions.weather == "cloudy":
        grey = arr.mean(axis=2, keepdims=True)
        arr = 0.92 * (0.75 * arr + 0.25 * grey)
    elif conditions.weather == "rain":
        arr = arr * np.array([0.78, 0.8, 0.86])
    elif conditions.weather == "fog":
        density = 0.35 + 0.35 * conditions.far + float(rng.uniform(0, 0.1))
        arr = (1 - density) * arr + density * np.array([206.0, 208.0, 212.0])
    if conditions.time_of_day == "dusk":
        arr = arr * np.array([0.92, 0.74, 0.6])
    elif conditions.time_of_day == "night":
        arr = arr * np.array([0.24, 0.27, 0.38])
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    if conditions.weather in ("rain", "fog"):
        out = out.filter(ImageFilter.GaussianBlur(0.6 if conditions.weather == "rain" else 0.9))
    return out


def _lights(img: Image.Image, strips: Sequence[_Strip], rng: np.random.Generator) -> None:
    """Runway edge lights at night: bright dots that a detector may take for small aircraft."""
    draw = ImageDraw.Draw(img)
    w, h = img.size
    for strip in strips:
        for side in (-1.0, 1.0):
            for x, y in strip.points_along(float(rng.uniform(9, 16)), float(w + h), side):
                if 0 <= x < w and 0 <= y < h:
                    draw.point((round(x), round(y)), fill=(255, 236, 170))


def _jpeg(img: Image.Image, quality: int = _JPEG_QUALITY) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, optimize=True)
    return buf.getvalue()


def _aircraft_colour(rng: np.random.Generator) -> Rgb:
    v = float(rng.uniform(168, 236))
    tint = rng.normal(0, 5, 3)
    return (int(np.clip(v + tint[0], 0, 255)), int(np.clip(v + tint[1], 0, 255)), int(np.clip(v + tint[2] + 4, 0, 255)))


def _span_px(distance_m: float) -> float:
    """Wing span in pixels of a typical aircraft at this camera range (about 48 px at 20 m, 9 px at 400 m)."""
    return 48.0 * math.pow(20.0 / distance_m, 0.56)


# ------------------------------------------------------------------------------------- detection ground truth
@dataclass(frozen=True)
class _Object:
    frame: int
    cls: str
    box: tuple[float, float, float, float]  # xywh
    area: float
    crowd: bool = False


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


# --------------------------------------------------------------------------------------------- writing
def _json_records(records: Sequence[Any]) -> str:
    """A JSON list with one compact record a line."""
    return "[\n" + ",\n".join(json.dumps(r, separators=(",", ":")) for r in records) + "\n]"


def _coco_text(frames: Sequence[_Frame], objects: Sequence[_Object], size: tuple[int, int]) -> str:
    info = {"description": "reportgen demo: Aircraft wings (synthetic aerial views)", "version": "1.0"}
    images = [{"id": f.frame_id, "width": size[0], "height": size[1], "file_name": f"{f.frame_id}.jpg"} for f in frames]
    annotations = [
        {
            "id": i,
            "image_id": frames[o.frame].frame_id,
            "category_id": CLASSES.index(o.cls) + 1,
            "bbox": list(o.box),
            "area": o.area,
            "iscrowd": int(o.crowd),
        }
        for i, o in enumerate(objects, start=1)
    ]
    categories = [{"id": i, "name": c, "supercategory": "aircraft"} for i, c in enumerate(CLASSES, start=1)]
    return (
        "{\n"
        f'"info":{json.dumps(info, separators=(",", ":"))},\n'
        f'"images":{_json_records(images)},\n'
        f'"annotations":{_json_records(annotations)},\n'
        f'"categories":{_json_records(categories)}\n'
        "}\n"
    )


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _write_frames_table(path: Path, frames: Sequence[_Frame]) -> None:
    header = ("frame_id", "image", "weather", "time_of_day", "distance_m", "source", "labeling_provider", "split")
    rows = [
        (
            f.frame_id,
            f"images/{f.frame_id}.jpg",
            f.conditions.weather,
            f.conditions.time_of_day,
            f"{f.conditions.distance_m:.1f}",
            f.source,
            f.labeler,
            f.split,
        )
        for f in frames
    ]
    _write_csv(path, header, rows)


@dataclass(frozen=True)
class _Commented:
    """A scalar written with a trailing ``# comment``."""

    value: str | float
    comment: str


class _Flow(dict[str, Any]):
    """A mapping written in flow style: ``{owner: perception-team, ticket: AIR-42}``."""


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_ ./()<>=!-]*")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def _scalar(value: object) -> str:
    """A YAML scalar that every YAML 1.1 / 1.2 reader reads back as the same value (ids stay strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS and not text.endswith(" "):
        return text
    if '"' in text and "\\" not in text and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text, ensure_ascii=False)


def _yaml_lines(value: object, indent: int) -> list[str]:
    """Block-style YAML for mappings and lists of mappings; flow style for lists of scalars."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, _Commented):
                lines.append(f"{pad}{_scalar(key)}: {_scalar(item.value)}  # {item.comment}")
            elif isinstance(item, dict | list) and item and not isinstance(item, _Flow) and not _is_flat_list(item):
                lines.append(f"{pad}{_scalar(key)}:")
                lines.extend(_yaml_lines(item, indent + 2))
            else:
                lines.extend(_wrapped(f"{pad}{_scalar(key)}: ", _flow(item), indent + 2))
        return lines
    assert isinstance(value, list)
    for item in value:
        sub = _yaml_lines(item, indent + 2)
        lines.append(f"{pad}- {sub[0].lstrip()}")
        lines.extend(sub[1:])
    return lines


def _is_flat_list(value: object) -> bool:
    return isinstance(value, list) and not any(isinstance(v, dict | list) for v in value)


def _wrapped(head: str, flow: str, indent: int, width: int = 110) -> list[str]:
    """``head + flow`` broken after commas to keep lines within ``width`` (a flow list of frame ids)."""
    lines = [head]
    for i, part in enumerate(flow.split(", ")):
        piece = part if i == 0 else " " + part
        if i and len(lines[-1]) + len(piece) + 1 > width:
            lines[-1] += ","
            lines.append(" " * indent + part)
        else:
            lines[-1] += ("," if i else "") + piece
    return lines


def _flow(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_scalar(v)}" for k, v in value.items()) + "}"
    return _scalar(value)


def _write_yaml(path: Path, header: str, document: dict[str, Any]) -> None:
    """``header`` comments, then the top-level keys, a blank line before each block."""
    blocks: list[str] = []
    for key, item in document.items():
        text = "\n".join(_yaml_lines({key: item}, 0))
        if blocks and not isinstance(item, dict | list):  # name and task stay together
            blocks[-1] += "\n" + text
        else:
            blocks.append(text)
    path.write_text(header + "\n" + "\n\n".join(blocks) + "\n", encoding="utf-8")


_DISPLAY_NAMES = {
    "forward_swept": "Forward-swept",
    "variable_sweep": "Variable-sweep",
    "rotorcraft": "Rotorcraft (helicopter)",
}
Targets = dict[str, Any]


def _segments(targets: dict[str, Targets], spot_check: tuple[str, str, Sequence[str]]) -> list[dict[str, Any]]:
    """The segments of both demos: every type, every way of listing frames; ``targets`` by segment name."""

    def seg(name: str, kind: str, **fields: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"name": name, "type": kind, **fields}
        if name in targets:
            out["targets"] = targets[name]
        return out

    listed_name, listed_description, listed = spot_check
    return [
        seg("train", "split", query='split == "train"'),
        seg("validation", "split", query='split == "validation"'),
        seg("test", "split", query='split == "test"'),
        seg(
            "Far away planes",
            "regression_test",
            query=f"distance_m > {FAR_DISTANCE:g}",
            description=f"Aircraft more than {FAR_DISTANCE:g} m away, seen as a few pixels.",
            metadata=_Flow(owner="perception-team", ticket="AIR-42"),
        ),
        seg(
            "Night",
            "regression_test",
            query='time_of_day == "night"',
            description="Night frames: dark airframes, bright runway lights.",
            metadata=_Flow(owner="perception-team", ticket="AIR-57"),
        ),
        seg(
            "Delta wings",
            "regression_test",
            frames_file="data/segments/delta-wings.txt",
            description="Every frame with a delta wing; the verdicts use the delta class's numbers.",
            metadata=_Flow(owner="fast-jets", ticket="AIR-61"),
            metric_class="delta",
        ),
        seg(
            "No regression in fog",
            "regression_test",
            query='weather == "fog"',
            description="A release must not lose recall in fog against the deployed model-v1.",
            metadata=_Flow(owner="release", ticket="AIR-73"),
        ),
        seg("Provider X", "scenario", query='source == "Provider X"'),
        seg("Provider Y", "scenario", query='source == "Provider Y"'),
        seg("Rain or fog", "scenario", query='weather in ["rain", "fog"]'),
        seg(listed_name, "scenario", description=listed_description, frames=list(listed)),
    ]


def _project(
    task: str, ground_truth: str, inference_sets: Sequence[tuple[str, str, str]], segments: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "name": PROJECT_NAME,
        "task": task,
        "dataset": {
            "name": "aircraft-demo" if task == "detection" else "aircraft-crops-demo",
            "ground_truth": ground_truth,
            "frames": "data/frames.csv",
            "frame_id_column": "frame_id",
            "image_column": "image",
        },
        "inference_sets": [{"name": _Commented(name, comment), "path": path} for name, path, comment in inference_sets],
        "classes": {"display_names": dict(_DISPLAY_NAMES)},
        "defaults": {
            "confidence": 0.1,
            "iou": 0.5,
            "iou_grid": _Commented("0.1:0.9:0.1", "the report's IoU presets; COCO's 0.50:0.95 is printed by evaluate"),
        }
        if task == "detection"
        else {"confidence": _Commented(0.5, "below it the classifier abstains: recall drops, precision rises")},
        "segments": segments,
    }


_DETECTION_TARGETS: dict[str, Targets] = {
    "test": {"precision": 0.75, "recall": 0.7, "f1": 0.72},
    "Far away planes": {"precision": 0.8, "recall": 0.8, "f1": 0.7},
    "Night": {"precision": 0.75, "recall": 0.65, "f1": 0.7},
    "Delta wings": {"precision": 0.85, "recall": 0.8},
    "No regression in fog": {"recall": _Flow(baseline="model-v1", max_drop=0.02), "precision": 0.5},
    "Provider Y": {"f1": 0.82},
}
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


# ---------------------------------------------------------------------------------------- classification
def _crop(rng: np.random.Generator, cls: str, frame: _Frame) -> bytes:
    """A 64 x 64 crop around one aircraft; far ones are drawn small and blown up, so they look blurred."""
    cond = frame.conditions
    res = max(16, round(CLS_SIZE * (1.0 - 0.75 * cond.far)))
    size = (res, res)
    span = res * 0.72 * _SIZE_FACTOR[cls] / 1.1 * float(rng.uniform(0.9, 1.1))
    img, strips = _ground(rng, size, span)
    draw = ImageDraw.Draw(img, "RGBA")
    heading = float(rng.uniform(0, 2 * math.pi))
    x0, y0, x1, y1 = _extent(cls, span, heading)
    cx = res / 2 - (x0 + x1) / 2 + float(rng.normal(0, res * 0.04))
    cy = res / 2 - (y0 + y1) / 2 + float(rng.normal(0, res * 0.04))
    _draw_aircraft(draw, cls, cx, cy, span, heading, _aircraft_colour(rng))
    del draw
    small = img.reduce(_SUPERSAMPLE)
    if res != CLS_SIZE:
        small = small.resize((CLS_SIZE, CLS_SIZE), Image.Resampling.BILINEAR)
    out = _weather(small, cond, rng)
    if cond.time_of_day == "night":
        scale = CLS_SIZE / res
        _lights(out, [_Strip(s.cx * scale, s.cy * scale, s.angle, s.width * scale) for s in strips], rng)
    return _jpeg(out)


@dataclass(frozen=True)
class _ClassifierProfile:
    name: str
    stream: int
    error: float  # base rate of a wrong label
    error_far: float
    error_murk: float
    error_dark: float
    delta_straight: float  # delta called straight, at the farthest range
    confidence: float  # logit of the top score


_C1 = _ClassifierProfile("model-v1", 21, 0.06, 0.14, 0.1, 0.08, 0.75, 1.8)
_C2 = _ClassifierProfile("model-v2", 22, 0.02, 0.02, 0.19, 0.24, 0.06, 2.7)


def _classifier_label(profile: _ClassifierProfile, rng: np.random.Generator, cls: str, cond: _Conditions) -> str:
    if cls == "delta" and rng.random() < profile.delta_straight * cond.far:
        return "straight"
    p = profile.error + profile.error_far * cond.far + profile.error_murk * cond.murk + profile.error_dark * cond.dark
    return _confused(rng, cls) if rng.random() < p else cls


def _top_logit(profile: _ClassifierProfile, rng: np.random.Generator, correct: bool, cond: _Conditions) -> float:
    hardness = 0.6 * cond.far + 0.4 * cond.dark + 0.4 * cond.murk
    return profile.confidence - 1.4 * hardness + (0.6 if correct else -1.4) + float(rng.normal(0, 0.9))


def _softmax_row(rng: np.random.Generator, top: str, truth: str, logit: float) -> list[float]:
    """Scores per class (3 decimals, summing to exactly 1) whose strict maximum is ``top``."""
    similar = {c for c, _ in _SIMILAR[truth]}
    z = {c: float(rng.normal(0, 0.5)) + (0.7 if c in similar else 0.0) for c in CLASSES}
    if truth != top:
        z[truth] += 0.5 * max(logit, 0.0) + 1.0
    z[top] = max(z.values()) + max(0.05, math.exp(logit * 0.6))
    m = max(z.values())
    e = {c: math.exp(v - m) for c, v in z.items()}
    total = math.fsum(e.values())
    milli = {c: round(1000 * v / total) for c, v in e.items() if c != top}
    milli[top] = 1000 - sum(milli.values())
    assert milli[top] > max(v for c, v in milli.items() if c != top)
    return [milli[c] / 1000 for c in CLASSES]


def _write_classification(directory: Path, seed: int) -> Path:
    scene = np.random.default_rng([seed, 2])
    frames = _frames(scene, CLS_FRAMES)
    labels = [_choice(scene, CLASSES, _CLASS_WEIGHTS) for _ in frames]
    (directory / "images").mkdir(parents=True, exist_ok=True)
    data = directory / "data"
    (data / "segments").mkdir(parents=True, exist_ok=True)
    for frame, label in zip(frames, labels, strict=True):
        (directory / "images" / f"{frame.frame_id}.jpg").write_bytes(_crop(scene, label, frame))
    _write_csv(
        data / "labels.csv", ("frame_id", "label"), [(f.frame_id, c) for f, c in zip(frames, labels, strict=True)]
    )
    _write_frames_table(data / "frames.csv", frames)

    rng = np.random.default_rng([seed, _C1.stream])
    rows_v1: list[tuple[str, str, str]] = []
    for frame, truth in zip(frames, labels, strict=True):
        top = _classifier_label(_C1, rng, truth, frame.conditions)
        p = _sigmoid(_top_logit(_C1, rng, top == truth, frame.conditions))
        rows_v1.append((frame.frame_id, top, f"{_score(0.125 + 0.875 * p):.3f}"))
    _write_csv(data / "model-v1.csv", ("frame_id", "label", "score"), rows_v1)

    rng = np.random.default_rng([seed, _C2.stream])
    rows_v2: list[list[str]] = []
    for frame, truth in zip(frames, labels, strict=True):
        top = _classifier_label(_C2, rng, truth, frame.conditions)
        logit = _top_logit(_C2, rng, top == truth, frame.conditions)
        rows_v2.append([frame.frame_id, *(f"{v:.3f}" for v in _softmax_row(rng, top, truth, logit))])
    _write_csv(data / "model-v2.csv", ("frame_id", *CLASSES), rows_v2)

    delta = [f.frame_id for f, c in zip(frames, labels, strict=True) if c == "delta"]
    (data / "segments" / "delta-wings.txt").write_text("".join(f"{f}\n" for f in delta), encoding="utf-8")
    spot = sorted(frames[int(i)].frame_id for i in scene.choice(len(frames), 16, replace=False))
    listed = ("QA spot check", "Frames a reviewer re-labelled by hand in the last audit.", spot)
    sets = (
        ("model-v1", "data/model-v1.csv", "baseline, top label and score: calls blurred delta wings straight"),
        ("model-v2", "data/model-v2.csv", "candidate, a score per class: better overall, worse at night and in fog"),
    )
    document = _project("classification", "data/labels.csv", sets, _segments(_CLASSIFICATION_TARGETS, listed))
    project = directory / "project.yaml"
    _write_yaml(project, _YAML_HEADER.format(task="classification", seed=seed), document)
    return project


_CLASSIFICATION_TARGETS: dict[str, Targets] = {
    "test": {"precision": 0.85, "recall": 0.8, "f1": 0.8},
    "Far away planes": {"precision": 0.85, "recall": 0.8, "f1": 0.8},
    "Night": {"precision": 0.85, "recall": 0.7, "f1": 0.78},
    "Delta wings": {"recall": 0.8},
    "No regression in fog": {"recall": _Flow(baseline="model-v1", max_drop=0.02)},
    "Provider Y": {"f1": 0.85},
}


# ----------------------------------------------------------------------------------------------- public
def write_demo_project(
    directory: Path, *, task: Literal["detection", "classification"] = "detection", seed: int = 0
) -> Path:
    """Write the demo project into ``directory`` (created if needed) and return its ``project.yaml``.

    Args:
        directory: where to write; existing files of the same names are replaced.
        task: ``"detection"`` (COCO boxes, three inference sets) or ``"classification"`` (one aircraft per
            image, labels and scores as CSV, two inference sets).
        seed: the same seed gives the same bytes.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if task == "detection":
        return _write_detection(directory, seed)
    if task == "classification":
        return _write_classification(directory, seed)
    raise ValueError(f"task must be 'detection' or 'classification', found {task!r}")


# ----------------------------------------------------------------------------------------------- manifest
MANIFEST = ".reportgen-demo.json"
"""The file in which ``reportgen demo`` lists what it wrote into its folder (with each file's SHA-256), so that
a later ``reportgen demo`` replaces those files, and only those, without ``--force``."""

DEMO_OUTPUTS = ("check.txt", "payload.json", "junit.xml", "summary.md", "report.html")
"""What ``reportgen demo`` writes beside the project, after checking it."""


def demo_files(*, task: Literal["detection", "classification"], seed: int) -> dict[str, bytes]:
    """The demo project's files, as ``{relative POSIX path: bytes}``, generated in a temporary folder (removed
    afterwards, also on an interrupt) so that nothing is written where the caller has not yet decided to."""
    with tempfile.TemporaryDirectory(prefix="reportgen-demo-") as tmp:
        root = Path(tmp)
        write_demo_project(root, task=task, seed=seed)
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(directory: Path) -> dict[str, str] | None:
    """``{relative path: SHA-256}`` of what an earlier ``reportgen demo`` wrote into ``directory``: ``{}`` when it
    has no manifest, None when the file of that name is not one (then it is someone else's file)."""
    path = directory / MANIFEST
    if not os.path.lexists(path):
        return {}
    try:
        files = json.loads(path.read_bytes())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        return None
    return files


def foreign_files(directory: Path, names: Iterable[str], new: Mapping[str, bytes]) -> list[str]:
    """Which of ``names`` (paths relative to ``directory`` that the demo is about to write) would replace
    something an earlier ``reportgen demo`` did not write: a file that is neither listed with its current
    content in the manifest nor identical to what the demo writes now (``new``), a folder, or a file where the
    demo needs a folder. The manifest itself counts as foreign when it is not a valid manifest."""
    manifest = read_manifest(directory)
    known = manifest or {}
    foreign: list[str] = []
    for rel in names:
        parts = rel.split("/")
        blocked = next(
            (
                "/".join(parts[:i])
                for i in range(1, len(parts))
                if os.path.lexists(directory.joinpath(*parts[:i])) and not directory.joinpath(*parts[:i]).is_dir()
            ),
            None,
        )
        if blocked is not None:
            if blocked not in foreign:
                foreign.append(blocked)
            continue
        dest = directory.joinpath(*parts)
        if not os.path.lexists(dest):
            continue
        if rel == MANIFEST:
            if manifest is None:
                foreign.append(rel)
            continue
        if not dest.is_file():
            foreign.append(rel + ("/" if dest.is_dir() else ""))
            continue
        digest = _sha256(dest.read_bytes())
        if known.get(rel) == digest or (rel in new and _sha256(new[rel]) == digest):
            continue
        foreign.append(rel)
    return foreign


def manifest_entry(directory: Path, written: Mapping[str, bytes]) -> tuple[Path, bytes]:
    """The manifest to write beside ``written`` (relative paths and the bytes written there): the earlier
    manifest's entries plus these."""
    files = dict(read_manifest(directory) or {})
    files.update({rel: _sha256(data) for rel, data in written.items()})
    document = {
        "written_by": "reportgen demo",
        "about": "Files reportgen demo wrote into this folder, with their SHA-256. A later reportgen demo replaces "
        "these files (when unchanged) and refuses to replace any other file without --force.",
        "files": dict(sorted(files.items())),
    }
    return directory / MANIFEST, (json.dumps(document, indent=1) + "\n").encode("utf-8")
