"""Scenes: frames and their conditions, ground textures, weather, runway lights, JPEG encoding."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from reportgen.demo.common import (
    _JPEG_QUALITY,
    _LABELER_MISSING,
    _LABELER_WEIGHTS,
    _SOURCE_WEIGHTS,
    _SPLIT_WEIGHTS,
    _SUPERSAMPLE,
    _TIME_WEIGHTS,
    _WEATHER_WEIGHTS,
    DISTANCE_RANGE,
    LABELERS,
    SOURCES,
    SPLITS,
    TIMES,
    WEATHERS,
    FloatArray,
    Point,
    Rgb,
)


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
