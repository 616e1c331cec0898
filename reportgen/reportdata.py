"""The report's embedded data (docs/report-payload.md), built from a :class:`ProjectRun`.

Every number the page shows is computed here; the page selects and formats. Large arrays are packed as
gzip + base64 typed-array blobs (deterministic: gzip mtime 0).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from reportgen import __version__
from reportgen.compare import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    NEVER,
    bootstrap_difference,
    frame_counts,
    object_outcomes,
)
from reportgen.data import FloatArray
from reportgen.errors import InputError
from reportgen.evaluate import CURVE_GRID, curve_set
from reportgen.examples import MANY_CLASSES
from reportgen.jsonout import sha256_of
from reportgen.metrics import scores_from_matrix
from reportgen.project import METRICS, Project
from reportgen.projectrun import ProjectRun
from reportgen.verdicts import compute_verdicts, payload, segment_uuid

SCHEMA_VERSION = 1
UNDEFINED_U16 = 65535
#: the PR curves in the report: confidences 0.00, 0.02, ..., 1.00 (every second point of CURVE_GRID), or by
#: 0.04 above 25 classes (the page's many-class mode), to keep COCO-scale reports small
REPORT_CURVE_STEP = 2
MANY_CLASSES_CURVE_STEP = 4

Progress = Callable[[str], None]


def _noop(_: str) -> None:
    return None


def blob(array: np.ndarray) -> dict[str, Any]:
    """A typed array as ``{"dtype", "shape", "data"}``: little-endian C order, gzip (mtime 0), base64."""
    arr = np.ascontiguousarray(array)
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    raw = gzip.compress(arr.tobytes(), compresslevel=9, mtime=0)
    return {"dtype": str(arr.dtype), "shape": list(arr.shape), "data": base64.b64encode(raw).decode("ascii")}


def json_blob(value: Any) -> dict[str, Any]:
    """A JSON value as ``{"dtype": "json", "data"}``: compact JSON text, gzip (mtime 0), base64."""
    text = json.dumps(value, allow_nan=False, separators=(",", ":")).encode("utf-8")
    raw = gzip.compress(text, compresslevel=9, mtime=0)
    return {"dtype": "json", "data": base64.b64encode(raw).decode("ascii")}


def unjson_blob(entry: dict[str, Any]) -> Any:
    """Inverse of :func:`json_blob`."""
    return json.loads(gzip.decompress(base64.b64decode(entry["data"])))


def unblob(entry: dict[str, Any]) -> np.ndarray:
    """Inverse of :func:`blob` (used by the renderer and tests)."""
    raw = gzip.decompress(base64.b64decode(entry["data"]))
    return np.frombuffer(raw, dtype=np.dtype(entry["dtype"]).newbyteorder("<")).reshape(entry["shape"])


def display_int(values: np.ndarray) -> np.ndarray:
    """Scores in [0, 1] as uint16 display integers: ``round(v, 4) * 10000`` exactly as ``f"{v:.4f}"`` rounds;
    NaN becomes 65535."""
    v = np.asarray(values, dtype=np.float64)
    out = np.full(v.shape, UNDEFINED_U16, dtype=np.uint16)
    ok = np.isfinite(v)
    scaled = v[ok] * 10000.0
    r = np.rint(scaled)
    # near a half-way point the binary value decides; let Python's formatting settle those few exactly
    close = np.abs(np.abs(scaled - np.floor(scaled)) - 0.5) < 1e-6
    if close.any():
        fixed = np.array([int(f"{x:.4f}".replace(".", "")) for x in v[ok][close]], dtype=np.float64)
        r[close] = fixed
    out[ok] = r.astype(np.uint16)
    return out


def source_date_epoch() -> datetime | None:
    """``SOURCE_DATE_EPOCH`` (reproducible-builds.org: a whole number of seconds since 1970-01-01 UTC) as a UTC
    time, or None when unset or empty; any other value raises :class:`InputError`."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    shown = epoch if len(epoch) <= 40 else epoch[:40] + "..."
    if not (epoch.isascii() and epoch.isdigit()):
        raise InputError(
            None,
            "environment variable SOURCE_DATE_EPOCH: expected a whole number of seconds since 1970-01-01 UTC "
            f"(such as 1767225600), found {shown!r}",
        )
    try:
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise InputError(
            None,
            "environment variable SOURCE_DATE_EPOCH: expected a time between 1970 and the year 9999, "
            f"found {shown!r} seconds",
        ) from None


def generated_at() -> str:
    """ISO time of generation: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now (UTC)."""
    moment = source_date_epoch() or datetime.now(tz=timezone.utc)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _relpath(path: Path, base: Path) -> str:
    try:
        return os.path.relpath(path, base)
    except ValueError:
        return str(path)


def compare_data(
    run: ProjectRun, presets: list[tuple[int, int]], progress: Progress = _noop
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Paired-bootstrap intervals for every pair of inference sets, segment and preset, and the per-object
    outcomes the page compares to list what flipped. Returns ``(compare section, extra blobs)``."""
    gt = run.gt
    m_count = len(run.results)
    pairs = [(a, b) for a in range(m_count) for b in range(a + 1, m_count)]
    values = np.full((len(pairs), len(run.segments), len(presets), 3, 3), np.nan)
    class_index = {name: i for i, name in enumerate(gt.classes)}
    for si, sf in enumerate(run.segments):
        frames = np.flatnonzero(sf.mask)
        cls = None if sf.segment.metric_class is None else class_index[sf.segment.metric_class]
        for pi, (u, t) in enumerate(presets):
            progress(f"bootstrap: {sf.segment.name}")
            counts = [frame_counts(gt, r, u, t, cls) for r in run.results]
            for qi, (a, b) in enumerate(pairs):
                values[qi, si, pi] = bootstrap_difference(counts[a], counts[b], frames)
    n_obj = gt.num_objects
    u_count = run.config.iou_grid.size
    outcome_class = np.zeros((m_count, u_count, n_obj), dtype=np.uint16)
    outcome_last = np.zeros((m_count, u_count, n_obj), dtype=np.uint8)
    for m, r in enumerate(run.results):
        o = object_outcomes(gt, r)
        outcome_class[m] = o.matched_class
        outcome_last[m] = np.minimum(o.last_preset, NEVER)
    section = {
        "pairs": [list(p) for p in pairs],
        "bootstrap": {
            "resamples": BOOTSTRAP_RESAMPLES,
            "seed": BOOTSTRAP_SEED,
            "interval": [2.5, 97.5],
            "presets": [list(p) for p in presets],
        },
    }
    blobs = {
        "bootstrap": blob(values),
        "outcome_class": blob(outcome_class),
        "outcome_last": blob(outcome_last),
        "object_frame": blob(gt.frame.astype(np.uint32)),
        "object_class": blob(gt.cls.astype(np.uint16)),
        "object_crowd": blob(gt.crowd.astype(np.uint8)),
    }
    return section, blobs


def _inputs_section(project: Project) -> list[dict[str, str]]:
    """Provenance: role, name, path (relative to the project file) and SHA-256 of every input."""
    base = project.path.parent
    files: list[tuple[str, str, Path]] = []
    if project.path.is_file():  # a report built from --gt / --pred has no project file
        files.append(("project file", project.name, project.path))
    files.append(("ground truth", project.dataset_name, project.ground_truth))
    if project.frames_table is not None:
        files.append(("frame table", "frames", project.frames_table))
    files.extend(("inference set", spec.name, spec.path) for spec in project.inference_sets)
    return [{"role": role, "name": name, "path": _relpath(path, base), "sha256": sha256_of(path)}
            for role, name, path in files]  # fmt: skip


def _segments_section(run: ProjectRun) -> list[dict[str, Any]]:
    """Every segment with its targets (baselines as inference-set indices) and frame indices."""
    names = [r.name for r in run.results]
    class_index = {name: i for i, name in enumerate(run.gt.classes)}
    segments = []
    for sf in run.segments:
        seg = sf.segment
        targets: dict[str, Any] = {}
        for metric in METRICS:
            t = seg.target(metric)
            if t is None:
                targets[metric] = None
            elif t.baseline is not None:
                targets[metric] = {"baseline": names.index(t.baseline), "max_drop": t.max_drop or 0.0}
            else:
                targets[metric] = {"threshold": t.threshold}
        segments.append({
            "name": seg.name,
            "type": seg.type,
            "uuid": segment_uuid(run.project.name, seg.name),
            "frame_count": sf.frame_count,
            "description": seg.description,
            "metadata": [list(kv) for kv in seg.metadata],
            "metric_class": class_index[seg.metric_class] if seg.metric_class is not None else None,
            "targets": targets,
            "frames": np.flatnonzero(sf.mask).tolist(),
        })  # fmt: skip
    return segments


def _preset_blobs(run: ProjectRun, progress: Progress) -> tuple[dict[str, dict[str, Any]], FloatArray]:
    """Cards, class scores, averages, sparse matrices and curves of every (model, segment, preset).

    Returns the blobs and the curve grid they use.
    """
    gt = run.gt
    class_index = {name: i for i, name in enumerate(gt.classes)}
    m_count, s_count = len(run.results), len(run.segments)
    u_count, t_count = run.config.iou_grid.size, run.config.confidence_grid.size
    c = gt.num_classes
    k = c + 1
    cards = np.full((m_count, s_count, u_count, t_count, 3), np.nan)
    card_counts = np.zeros((m_count, s_count, u_count, t_count, 3), dtype=np.uint32)
    class_scores = np.zeros((m_count, s_count, u_count, t_count, c, 3), dtype=np.uint16)
    averages = np.zeros((m_count, s_count, u_count, t_count, 3, 3), dtype=np.uint16)
    offsets = np.zeros((m_count, s_count, u_count, 2), dtype=np.uint32)
    cells_parts: list[np.ndarray] = []
    values_parts: list[np.ndarray] = []
    n_cells = 0
    point_idx = np.arange(0, CURVE_GRID.size, REPORT_CURVE_STEP if c <= MANY_CLASSES else MANY_CLASSES_CURVE_STEP)
    curves = np.zeros((m_count, s_count, u_count, k, point_idx.size, 2), dtype=np.uint16)
    curve_stats = np.zeros((m_count, s_count, u_count, k, 3), dtype=np.uint16)
    for mi, result in enumerate(run.results):
        for si, sf in enumerate(run.segments):
            progress(f"report data: {result.name} / {sf.segment.name}")
            counts = run.counts[result.name, sf.segment.name]
            matrix = counts.matrix  # (U, T, K, K)
            s = scores_from_matrix(matrix)
            mc = None if sf.segment.metric_class is None else class_index[sf.segment.metric_class]
            if mc is None:
                cards[mi, si] = s.micro
                card_counts[mi, si, ..., 0] = s.total_fp
                card_counts[mi, si, ..., 1] = s.total_fn
                card_counts[mi, si, ..., 2] = s.total_confusions
            else:
                cards[mi, si, ..., 0] = s.precision[..., mc]
                cards[mi, si, ..., 1] = s.recall[..., mc]
                cards[mi, si, ..., 2] = s.f1[..., mc]
                card_counts[mi, si, ..., 0] = s.fp[..., mc]
                card_counts[mi, si, ..., 1] = s.fn[..., mc]
                card_counts[mi, si, ..., 2] = s.confused_as[..., mc] + s.confused_from[..., mc]
            class_scores[mi, si] = display_int(np.stack([s.precision, s.recall, s.f1], axis=-1))
            averages[mi, si] = display_int(np.stack([s.micro, s.macro, s.weighted], axis=-2))
            flat = matrix.reshape(u_count, t_count, k * k)
            for ui in range(u_count):
                nz = np.flatnonzero(flat[ui].any(axis=0))
                offsets[mi, si, ui] = (n_cells, nz.size)
                cells_parts.append(nz.astype(np.uint32))
                values_parts.append(flat[ui][:, nz].T.astype(np.uint32))
                n_cells += nz.size
            full_mask = None if sf.mask.all() else sf.mask
            cs = result.curves if full_mask is None else curve_set(gt, result.predictions, result.match, full_mask)
            prec = cs.precision[:, point_idx, :]  # (U, P, K)
            rec = cs.recall[:, point_idx, :]
            curves[mi, si, ..., 0] = display_int(np.moveaxis(prec, 1, 2))
            curves[mi, si, ..., 1] = display_int(np.moveaxis(rec, 1, 2))
            curve_stats[mi, si] = display_int(np.stack([cs.ap101, cs.best_f1_confidence, cs.best_f1], axis=-1))

    blobs = {
        "cards": blob(cards),
        "card_counts": blob(card_counts),
        "class_scores": blob(class_scores),
        "averages": blob(averages),
        "matrix_offsets": blob(offsets),
        "matrix_cells": blob(np.concatenate(cells_parts) if cells_parts else np.zeros(0, np.uint32)),
        "matrix_values": blob(np.concatenate(values_parts) if values_parts else np.zeros((0, t_count), np.uint32)),
        "curves": blob(curves),
        "curve_stats": blob(curve_stats),
    }
    return blobs, CURVE_GRID[point_idx]


def build_payload(
    run: ProjectRun,
    *,
    progress: Progress = _noop,
    examples: dict[str, Any] | None = None,
    bootstrap_presets: Sequence[tuple[float, float]] = (),
) -> dict[str, Any]:
    """Everything the page needs, as a JSON-ready dict (see docs/report-payload.md)."""
    project, gt = run.project, run.gt
    iou_grid = run.config.iou_grid
    conf_grid = run.config.confidence_grid
    display = dict(project.classes.display_names)
    preset_blobs, curve_grid = _preset_blobs(run, progress)
    verdicts = compute_verdicts(run, iou=project.iou, confidence=project.confidence)
    u_default = int(np.flatnonzero(iou_grid == project.iou)[0])
    t_default = int(np.flatnonzero(conf_grid == project.confidence)[0])
    presets = [(u_default, t_default)]
    for conf_value, iou_value in bootstrap_presets:
        u_hits, t_hits = np.flatnonzero(iou_grid == iou_value), np.flatnonzero(conf_grid == conf_value)
        if u_hits.size == 0 or t_hits.size == 0:
            raise InputError(None, f"--bootstrap-at {conf_value:g}:{iou_value:g}: not a preset of the grids")
        if (int(u_hits[0]), int(t_hits[0])) not in presets:
            presets.append((int(u_hits[0]), int(t_hits[0])))
    compare_section, compare_blobs = compare_data(run, presets, progress)
    examples_part = dict(examples) if examples is not None else {
        "objects": {"frame": [], "cls": [], "box": []}, "predictions": [], "cells": [], "thumbnails": {},
    }  # fmt: skip
    thumbnails = examples_part.pop("thumbnails", {})
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "meta": {
            "project": project.name,
            "dataset": project.dataset_name,
            "task": gt.task,
            "frames": gt.num_frames,
            "objects": int(np.count_nonzero(~gt.crowd)),
            "crowd": int(np.count_nonzero(gt.crowd)),
            "generated_at": generated_at(),
            "reportgen_version": __version__,
            "inputs": _inputs_section(project),
            "thumbnails": None,
        },
        "classes": list(gt.classes),
        "display_names": [display.get(name, name) for name in gt.classes],
        "grids": {
            "iou": iou_grid.tolist(),
            "confidence": conf_grid.tolist(),
            "curve": curve_grid.tolist(),
        },
        "defaults": {"iou": project.iou, "confidence": project.confidence, "iou_index": u_default,
                     "confidence_index": t_default},
        "inference_sets": [{"name": r.name, "predictions": r.predictions.num_predictions} for r in run.results],
        "frame_ids": list(gt.frame_ids),
        "segments": _segments_section(run),
        "verdicts": payload(verdicts),
        "blobs": {**preset_blobs, **compare_blobs},
        "compare": compare_section,
        "examples": json_blob(examples_part),
        "thumbnails": thumbnails,
    }  # fmt: skip
    return out
