"""Aircraft silhouettes seen from above, drawn with Pillow: one shape per wing class."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from reportgen.demo.common import _SUPERSAMPLE, Point, Polygon, Rgb


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
