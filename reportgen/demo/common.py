"""The demo's vocabulary: classes, conditions, sizes, and the weights it draws them with."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

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
