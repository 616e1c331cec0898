"""The classification demo: aircraft crops, two simulated classifiers (top-1 labels, softmax columns)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from reportgen.demo.common import _CLASS_WEIGHTS, _SIMILAR, _SUPERSAMPLE, CLASSES, CLS_FRAMES, CLS_SIZE
from reportgen.demo.detection import _YAML_HEADER, _confused, _score, _sigmoid
from reportgen.demo.drawing import _SIZE_FACTOR, _draw_aircraft, _extent
from reportgen.demo.scenes import (
    _aircraft_colour,
    _choice,
    _Conditions,
    _Frame,
    _frames,
    _ground,
    _jpeg,
    _lights,
    _Strip,
    _weather,
)
from reportgen.demo.writing import Targets, _Flow, _project, _segments, _write_csv, _write_frames_table, _write_yaml


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
