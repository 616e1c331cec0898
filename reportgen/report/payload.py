"""The report's embedded data (docs/report-payload.md), built from a :class:`ProjectRun`.

Every number the page shows is computed here; the page selects and formats. Large arrays are packed as
gzip + base64 typed-array blobs (deterministic: gzip mtime 0).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from reportgen import __version__
from reportgen.engine.compare import (
    BOOTSTRAP_CHUNK,
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    FLIP_SAMPLE,
    FLIP_SAMPLE_SEED,
    BootstrapSums,
    FrameCounts,
    bootstrap_sums,
    difference_interval,
    flip_counts,
    flip_sample,
    flip_spans,
    frame_counts,
    frame_keys,
    object_outcomes,
    object_priority,
)
from reportgen.engine.evaluation import Progress
from reportgen.engine.project_run import ProjectRun
from reportgen.engine.report_parts import MANY_CLASSES, NEVER
from reportgen.engine.verdicts import compute_verdicts, payload, segment_uuid
from reportgen.errors import InputError
from reportgen.io._location import Location
from reportgen.io.project import METRICS, SEGMENT_GROUPS, Project
from reportgen.outputs.metrics_json import sha256_of
from reportgen.report.examples import FrameBoxes
from reportgen.report.model import UNDEFINED_U16, ReportTables, display_int, report_tables

SCHEMA_VERSION = 2

#: frames listed per segment (the first ones, in ground-truth order); the segment's frame_count has them all
SEGMENT_FRAMES = 500

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


def frame_id_map(payload: dict[str, Any]) -> dict[int, str]:
    """The payload's frame ids by frame index (only the frames the payload refers to; see docs/report-payload.md)."""
    table = unjson_blob(payload["frame_ids"])
    return dict(zip(table["index"], table["ids"], strict=True))


def unblob(entry: dict[str, Any]) -> np.ndarray:
    """Inverse of :func:`blob` (used by the renderer and tests)."""
    raw = gzip.decompress(base64.b64decode(entry["data"]))
    return np.frombuffer(raw, dtype=np.dtype(entry["dtype"]).newbyteorder("<")).reshape(entry["shape"])


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


def _relpath(path: Location, base: Path) -> str:
    if not isinstance(path, Path):  # a URL, as given
        return str(path)
    try:
        return os.path.relpath(path, base)
    except ValueError:
        return str(path)


def _bootstrap(run: ProjectRun, presets: list[tuple[int, int]], keys: np.ndarray,
               progress: Progress) -> np.ndarray:  # fmt: skip
    """``(pairs, S, presets, 3, 3)`` paired-bootstrap intervals: one pass over the frames in chunks, every
    segment, preset and inference set at once (columns of one value table), so the weights of a chunk of frames
    are drawn once and memory is bounded by the chunk."""
    gt = run.gt
    m_count = len(run.results)
    pairs = [(a, b) for a in range(m_count) for b in range(a + 1, m_count)]
    class_index = {name: i for i, name in enumerate(gt.classes)}
    seg_cls = [None if sf.segment.metric_class is None else class_index[sf.segment.metric_class] for sf in run.segments]
    counts: dict[tuple[int, int, int | None], FrameCounts] = {}
    columns: list[tuple[int, int, int | None, int]] = []  # (m, preset, cls, segment) per 3 columns
    for si, cls in enumerate(seg_cls):
        for pi, (u, t) in enumerate(presets):
            for m, r in enumerate(run.results):
                if (m, pi, cls) not in counts:
                    counts[m, pi, cls] = frame_counts(gt, r, u, t, cls)
                columns.append((m, pi, cls, si))
    z = 3 * len(columns)
    total = BootstrapSums(np.zeros(z), np.zeros((BOOTSTRAP_RESAMPLES, z)))
    step = 4 * BOOTSTRAP_CHUNK  # frames per value table: (step x 3 x segments x presets x sets) floats
    for start in range(0, gt.num_frames, step):
        progress(f"bootstrap: frames {start:,} to {min(start + step, gt.num_frames):,} of {gt.num_frames:,}")
        sl = slice(start, start + step)
        values = np.empty((len(keys[sl]), z))
        for j, (m, pi, cls, si) in enumerate(columns):
            fc, inside = counts[m, pi, cls], run.segments[si].mask[sl]
            values[:, 3 * j] = np.where(inside, fc.tp[sl], 0)
            values[:, 3 * j + 1] = np.where(inside, fc.predicted[sl], 0)
            values[:, 3 * j + 2] = np.where(inside, fc.objects[sl], 0)
        total = total + bootstrap_sums(keys[sl], values)
    table = np.vstack([total.point[None, :], total.resampled])  # (R + 1, Z)
    out = np.full((len(pairs), len(run.segments), len(presets), 3, 3), np.nan)
    where = {(m, pi, si): j for j, (m, pi, _, si) in enumerate(columns)}
    for si, sf in enumerate(run.segments):
        if sf.frame_count == 0:
            continue
        for pi in range(len(presets)):
            for qi, (a, b) in enumerate(pairs):
                ja, jb = where[a, pi, si], where[b, pi, si]
                out[qi, si, pi] = difference_interval(table[:, 3 * ja : 3 * ja + 3], table[:, 3 * jb : 3 * jb + 3])
    return out


def _flips(run: ProjectRun, keys: np.ndarray, progress: Progress) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The flip counts of every pair, segment, IoU and confidence preset, and each pair's sample of flipped
    objects (docs/report-payload.md, "Comparing inference sets"). Returns (blobs as arrays, sampled frames)."""
    gt = run.gt
    m_count = len(run.results)
    pairs = [(a, b) for a in range(m_count) for b in range(a + 1, m_count)]
    u_count, t_count = run.config.iou_grid.size, run.config.confidence_grid.size
    outcomes = [object_outcomes(gt, r) for r in run.results]
    priority = object_priority(gt, keys, FLIP_SAMPLE_SEED)
    offsets = np.zeros((len(pairs), len(run.segments), u_count, 2), dtype=np.uint32)
    groups_parts: list[np.ndarray] = []
    counts_parts: list[np.ndarray] = []
    sample_offsets = np.zeros((len(pairs), 2), dtype=np.uint32)
    sample_parts: list[np.ndarray] = []
    outcome_parts: list[tuple[np.ndarray, np.ndarray]] = []
    n_groups = n_sample = 0
    class_dtype = np.uint8 if gt.num_classes < 255 else np.uint16
    for qi, (a, b) in enumerate(pairs):
        progress(f"flips: {run.results[a].name} / {run.results[b].name}")
        chosen: list[np.ndarray] = []
        for u in range(u_count):
            spans = flip_spans(gt, outcomes[a], outcomes[b], u, t_count)
            for si, sf in enumerate(run.segments):
                keep = sf.mask[gt.frame[spans.obj]]
                groups, counts = flip_counts(spans, keep, t_count)
                offsets[qi, si, u] = (n_groups, groups.size)
                groups_parts.append(groups.astype(np.uint32))
                counts_parts.append(counts.astype(np.uint32))
                n_groups += groups.size
                chosen.append(flip_sample(spans, keep, priority, t_count, FLIP_SAMPLE))
        sample = np.unique(np.concatenate(chosen)) if chosen else np.zeros(0, np.int64)
        sample_offsets[qi] = (n_sample, sample.size)
        n_sample += sample.size
        sample_parts.append(sample)
        # (N, 2, U): an object's outcomes side by side, so runs along the IoU presets compress well
        both = (outcomes[a], outcomes[b])
        outcome_parts.append((
            np.stack([o.matched_class[:, sample].T for o in both], axis=1).astype(class_dtype),
            np.stack([np.minimum(o.last_preset[:, sample], NEVER).T for o in both], axis=1).astype(np.uint8),
        ))  # fmt: skip
    objects = np.concatenate(sample_parts) if sample_parts else np.zeros(0, np.int64)
    counts_all = np.concatenate(counts_parts) if counts_parts else np.zeros((0, t_count), np.uint32)
    arrays = {
        "flip_offsets": offsets,
        "flip_groups": np.concatenate(groups_parts) if groups_parts else np.zeros(0, np.uint32),
        "flip_counts": counts_all.astype(np.uint16) if counts_all.size == 0 or counts_all.max() < 65536 else counts_all,
        "sample_offsets": sample_offsets,
        "sample_object": objects.astype(np.uint32),
        "sample_frame": gt.frame[objects].astype(np.uint32),
        "sample_class": gt.cls[objects].astype(np.uint16),
        "sample_outcome_class": np.concatenate([c for c, _ in outcome_parts]) if outcome_parts
        else np.zeros((0, 2, u_count), class_dtype),
        "sample_outcome_last": np.concatenate([last for _, last in outcome_parts]) if outcome_parts
        else np.zeros((0, 2, u_count), np.uint8),
    }  # fmt: skip
    return arrays, np.unique(gt.frame[objects])


def compare_data(
    run: ProjectRun, presets: list[tuple[int, int]], progress: Progress = _noop
) -> tuple[dict[str, Any], dict[str, dict[str, Any]], np.ndarray]:
    """Paired-bootstrap intervals for every pair of inference sets, segment and preset; what flipped between
    every pair (counts for all, objects for a bounded sample). Returns ``(compare section, extra blobs, the
    frames the sample references)``: the size depends on classes, presets, segments and pairs, not on frames."""
    gt = run.gt
    m_count = len(run.results)
    pairs = [(a, b) for a in range(m_count) for b in range(a + 1, m_count)]
    keys = frame_keys(gt.frame_ids)
    values = _bootstrap(run, presets, keys, progress)
    flip_arrays, sample_frames = _flips(run, keys, progress)
    section = {
        "pairs": [list(p) for p in pairs],
        "bootstrap": {
            "resamples": BOOTSTRAP_RESAMPLES,
            "seed": BOOTSTRAP_SEED,
            "interval": [2.5, 97.5],
            "presets": [list(p) for p in presets],
            "method": "poisson",
        },
        "flips": {"sample_cap": FLIP_SAMPLE, "seed": FLIP_SAMPLE_SEED},
    }
    blobs = {"bootstrap": blob(values), **{name: blob(arr) for name, arr in flip_arrays.items()}}
    return section, blobs, sample_frames


def _inputs_section(project: Project) -> list[dict[str, str]]:
    """Provenance: role, name, path (relative to the project file) and SHA-256 of every input."""
    base = project.path.parent
    files: list[tuple[str, str, Location]] = []
    if project.path.is_file():  # a report built from --gt / --pred has no project file
        files.append(("project file", project.name, project.path))
    files.append(("ground truth", project.dataset_name, project.ground_truth))
    if project.frames_table is not None:
        files.append(("frame table", "frames", project.frames_table))
    files.extend(("inference set", spec.name, spec.path) for spec in project.inference_sets)
    # data given in memory (the Python API) has no file: no path, no digest
    return [{"role": role, "name": name, "path": _relpath(path, base) if path.exists() else "(in memory)",
             "sha256": sha256_of(path) if path.exists() else ""}
            for role, name, path in files]  # fmt: skip


def _segments_section(run: ProjectRun) -> list[dict[str, Any]]:
    """Every segment with its targets (baselines as inference-set indices), what defines it (its query, or its
    frames file) and the indices of its first :data:`SEGMENT_FRAMES` frames (``frame_count`` has them all)."""
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
            "query": seg.query,
            "frames_file": seg.frames_file.name if seg.frames_file is not None else None,
            "frames": np.flatnonzero(sf.mask)[:SEGMENT_FRAMES].tolist(),
        })  # fmt: skip
    return segments


def _referenced_frames(
    examples: dict[str, Any], segments: list[dict[str, Any]], sample_frames: np.ndarray
) -> np.ndarray:
    """The frames the payload refers to (examples, listed segment frames, flip samples), ascending: the only
    frames whose ids and segment memberships the page carries."""
    parts = [np.asarray(examples.get("objects", {}).get("frame", []), dtype=np.int64),
             *(np.asarray(p.get("frame", []), dtype=np.int64) for p in examples.get("predictions", [])),
             *(np.asarray(seg["frames"], dtype=np.int64) for seg in segments),
             np.asarray(sample_frames, dtype=np.int64)]  # fmt: skip
    return np.unique(np.concatenate(parts))


#: the examples' cell tables of one inference set are packed, IoU preset after IoU preset, into parts of about
#: this many bytes of JSON (a part decodes in a few milliseconds; neighbouring presets compress together)
EXAMPLE_PART_BYTES = 200_000


def _examples_blobs(examples: dict[str, Any]) -> dict[str, Any]:
    """The examples in parts the page decodes one at a time, between other work (docs/report-payload.md,
    "Examples"): the objects, each inference set's predictions, and its cell tables in parts of consecutive IoU
    presets (about :data:`EXAMPLE_PART_BYTES` of JSON each) are separate JSON blobs, so no single decoding holds
    the page for long."""
    cells = []
    for per_iou in examples["cells"]:
        parts: list[dict[str, Any]] = []
        group: list[int] = []
        size = 0
        for u, table in enumerate(per_iou):
            n = len(json.dumps(table, separators=(",", ":")))
            if group and size + n > EXAMPLE_PART_BYTES:
                parts.append({"presets": group, **json_blob([per_iou[v] for v in group])})
                group, size = [], 0
            group.append(u)
            size += n
        if group:
            parts.append({"presets": group, **json_blob([per_iou[v] for v in group])})
        cells.append(parts)
    return {
        "caps": examples.get("caps", {}),
        "objects": json_blob(examples["objects"]),
        "predictions": [json_blob(p) for p in examples["predictions"]],
        "cells": cells,
    }


def _frames_part(frames: FrameBoxes | None) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The frame viewer's data (docs/report-payload.md, "Frames"): ``(frames section, blobs)``. The blobs are
    decoded by the page only when a frame is opened."""
    if frames is None:
        return {"cap": 0, "frame": [], "size": [], "pictures": {}}, {}
    section = {
        "cap": frames.cap,
        "frame": frames.frame.tolist(),
        "size": [[round(float(w), 2), round(float(h), 2)] for w, h in frames.size],
        "pictures": {str(f): uri for f, uri in sorted(frames.pictures.items())},
    }
    blobs = {
        "frame_box_offsets": blob(frames.offsets.astype(np.uint32)),
        "frame_boxes": blob(frames.boxes.astype(np.float32)),
        "frame_box_info": blob(frames.info.astype(np.uint16)),
    }
    return section, blobs


def _preset_blobs(tables: ReportTables) -> dict[str, dict[str, Any]]:
    """The report model's tables as the page's blobs: scores the page only shows as display integers, cards and
    thresholds (which the page compares with typed-in targets) at full precision."""
    return {
        "cards": blob(tables.cards),
        "thresholds": blob(tables.thresholds),
        "verdicts": blob(tables.verdicts),
        "card_counts": blob(tables.card_counts),
        "class_scores": blob(display_int(tables.class_scores)),
        "averages": blob(display_int(tables.averages)),
        "matrix_offsets": blob(tables.matrix_offsets),
        "matrix_cells": blob(tables.matrix_cells),
        "matrix_values": blob(tables.matrix_values),
        "curves": blob(display_int(tables.curves)),
        "curve_stats": blob(display_int(tables.curve_stats)),
    }


def build_payload(
    run: ProjectRun,
    *,
    progress: Progress = _noop,
    examples: dict[str, Any] | None = None,
    bootstrap_presets: Sequence[tuple[float, float]] = (),
    tables: ReportTables | None = None,
) -> dict[str, Any]:
    """Everything the page needs, as a JSON-ready dict (see docs/report-payload.md). ``tables``: the run's report
    model (computed here when not given)."""
    project, gt = run.project, run.gt
    iou_grid = run.config.iou_grid
    conf_grid = run.config.confidence_grid
    display = dict(project.classes.display_names)
    if tables is None:
        tables = report_tables(run, progress)
    preset_blobs, curve_grid = _preset_blobs(tables), tables.curve_grid
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
    compare_section, compare_blobs, sample_frames = compare_data(run, presets, progress)
    examples_part = dict(examples) if examples is not None else {
        "objects": {"frame": [], "cls": [], "box": []}, "predictions": [], "cells": [], "thumbnails": {},
    }  # fmt: skip
    thumbnails = examples_part.pop("thumbnails", {})
    frames = examples_part.pop("frames", None)
    frame_boxes = frames if isinstance(frames, FrameBoxes) else None
    frames_section, frame_blobs = _frames_part(frame_boxes)
    segments = _segments_section(run)
    viewer_frames = frame_boxes.frame if frame_boxes is not None else np.zeros(0, np.int64)
    frames_used = _referenced_frames(examples_part, segments, np.concatenate([sample_frames, viewer_frames]))
    membership = np.stack([sf.mask[frames_used] for sf in run.segments]) if run.segments else np.zeros((0, 0), bool)
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
        # constants the page shares with Python, so each exists once
        "constants": {
            "many_classes": MANY_CLASSES,
            "undefined": UNDEFINED_U16,
            "segment_groups": [list(group) for group in SEGMENT_GROUPS],
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
        "inference_sets": [{"name": r.name, "predictions": r.num_predictions} for r in run.results],
        "frame_ids": json_blob({"index": frames_used.tolist(), "ids": [gt.frame_ids[f] for f in frames_used.tolist()]}),
        "segments": segments,
        "verdicts": payload(verdicts),
        "blobs": {**preset_blobs, "frame_segments": blob(np.packbits(membership, axis=1)), **compare_blobs,
                  **frame_blobs},
        "compare": compare_section,
        "examples": _examples_blobs(examples_part),
        "thumbnails": thumbnails,
        "frames": frames_section,
    }  # fmt: skip
    return out
