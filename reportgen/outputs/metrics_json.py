"""The versioned JSON form of an evaluation (``reportgen evaluate --json``).

Schema (``schema_version`` 1), documented in ``docs/json-schema.md``. Undefined numbers are ``null``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import orjson

from reportgen import __version__
from reportgen.engine.cocoeval import SUMMARY_ROWS
from reportgen.engine.evaluation import EvalConfig, ModelSummary
from reportgen.engine.metrics import scores_from_matrix
from reportgen.io._location import Location, Url, remote_fingerprint
from reportgen.io.containers import GroundTruth

SCHEMA_VERSION = 1


def nullable(values: Any) -> Any:
    """Numpy values to JSON-ready Python: NaN / inf become None, arrays become (nested) lists."""
    if isinstance(values, np.ndarray):
        if values.dtype.kind == "f":
            obj = values.astype(object)
            obj[~np.isfinite(values)] = None
            return obj.tolist()
        return values.tolist()
    if isinstance(values, (float, np.floating)):
        return None if not math.isfinite(float(values)) else float(values)
    if isinstance(values, np.integer):
        return int(values)
    return values


def sha256_of(path: Location) -> str:
    """Hex SHA-256 of a file, or of a folder's files (sorted relative paths and contents). A URL's content is read
    again, through fsspec, to hash it: the report (``build``) records it so; ``evaluate --json`` records
    :func:`provenance`'s cheaper fingerprint for URLs instead."""
    h = hashlib.sha256()
    if isinstance(path, Url):
        return _url_sha256(path, h)
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            h.update(child.relative_to(path).as_posix().encode())
            h.update(b"\0")
            h.update(child.read_bytes())
    else:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def _url_sha256(url: Url, h: hashlib._Hash) -> str:
    fs = url.fs
    if url.is_dir():
        root = url.path.rstrip("/")
        files = sorted(fs.find(root))
        for name in files:
            h.update(name[len(root) :].lstrip("/").encode())
            h.update(b"\0")
            h.update(fs.cat_file(name))
    else:
        with url.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def provenance(path: Location | None) -> dict[str, Any]:
    """What ``--json`` records of an input besides its path: ``sha256`` of a local file or folder (read again to
    hash it), and for an fsspec URL, which is not read twice, ``sha256`` null and ``remote``: the size and the
    checksum the filesystem keeps (S3's ETag, GCS's md5 / crc32c; null where it keeps none), from its metadata.
    In-memory data: both null."""
    if path is None or not path.exists():
        return {"sha256": None, "remote": None}
    if isinstance(path, Url):
        return {"sha256": None, "remote": remote_fingerprint(path)}
    return {"sha256": sha256_of(path), "remote": None}


def preset_entry(classes: Sequence[str], matrix: np.ndarray, iou: float, confidence: float) -> dict[str, Any]:
    """Counts and scores of one preset: per class, pooled (micro), macro, weighted, and the matrix."""
    s = scores_from_matrix(matrix)
    avg_names = ("precision", "recall", "f1")
    return {
        "iou": iou,
        "confidence": confidence,
        "per_class": {
            "class": list(classes),
            "tp": nullable(s.tp),
            "fp": nullable(s.fp),
            "fn": nullable(s.fn),
            "confused_as": nullable(s.confused_as),
            "confused_from": nullable(s.confused_from),
            "predicted": nullable(s.predicted),
            "support": nullable(s.support),
            "precision": nullable(s.precision),
            "recall": nullable(s.recall),
            "f1": nullable(s.f1),
        },
        "totals": {
            "tp": int(s.total_tp),
            "fp": int(s.total_fp),
            "fn": int(s.total_fn),
            "confusions": int(s.total_confusions),
        },
        "micro": dict(zip(avg_names, nullable(s.micro), strict=True)),
        "macro": dict(zip(avg_names, nullable(s.macro), strict=True)),
        "weighted": dict(zip(avg_names, nullable(s.weighted), strict=True)),
        "confusion_matrix": nullable(matrix),
    }


def model_entry(gt: GroundTruth, result: ModelSummary, source: Location | None) -> dict[str, Any]:
    counts = result.counts
    presets = [
        preset_entry(gt.classes, counts.matrix[u, t], float(iou), float(conf))
        for u, iou in enumerate(counts.iou_thresholds)
        for t, conf in enumerate(counts.conf_thresholds)
    ]
    cv = result.curves
    precision, recall = cv.precision, cv.recall  # computed once: properties derive them from the counts
    labels: list[str | None] = [*gt.classes, None]
    curves = []
    for u, iou in enumerate(counts.iou_thresholds):
        for k, label in enumerate(labels):
            curves.append(
                {
                    "iou": float(iou),
                    "class": label,
                    "support": int(cv.support[k]),
                    "precision": nullable(precision[u, :, k]),
                    "recall": nullable(recall[u, :, k]),
                    "tp": nullable(cv.tp[u, :, k]),
                    "predicted": nullable(cv.predicted[u, :, k]),
                    "ap101": nullable(cv.ap101[u, k]),
                    "best_f1": {
                        "confidence": nullable(cv.best_f1_confidence[u, k]),
                        "f1": nullable(cv.best_f1[u, k]),
                    },
                }
            )
    entry: dict[str, Any] = {
        "name": result.name,
        "path": str(source) if source else result.source,
        **provenance(source),
        "num_predictions": result.num_predictions,
        "dropped_unknown_frames": result.dropped_unknown_frames,
        "presets": presets,
        "curves": curves,
        "coco": None,
        "voc": None,
    }
    if result.coco is not None:
        coco = result.coco
        entry["coco"] = {
            "stats": {row[0]: coco.stat(row[0]) for row in SUMMARY_ROWS},
            "lines": coco.lines(),
            "ap_per_class": {gt.classes[k]: v for k, v in coco.ap_per_class().items()},
        }
    if result.voc is not None:
        voc = result.voc
        entry["voc"] = {
            "pixel_inclusive": voc.pixel_inclusive,
            "by_iou": [
                {
                    "iou": float(iou),
                    "ap_all_point": dict(zip(gt.classes, nullable(voc.ap_all_point[u]), strict=True)),
                    "ap_11_point": dict(zip(gt.classes, nullable(voc.ap_11_point[u]), strict=True)),
                    "map_all_point": nullable(voc.mean_all_point[u]),
                    "map_11_point": nullable(voc.mean_11_point[u]),
                }
                for u, iou in enumerate(voc.iou_thresholds)
            ],
        }
    return entry


def evaluation_document(
    gt: GroundTruth,
    results: Sequence[ModelSummary],
    config: EvalConfig,
    *,
    gt_path: Location | None = None,
    pred_paths: Sequence[Location | None] = (),
) -> dict[str, Any]:
    """The whole evaluation as a JSON-ready dict."""
    paths = list(pred_paths) + [None] * (len(results) - len(pred_paths))
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "reportgen", "version": __version__},
        "task": gt.task,
        "ground_truth": {
            "path": str(gt_path) if gt_path else gt.source,
            **provenance(gt_path),
            "frames": gt.num_frames,
            "objects": gt.num_objects,
            "crowd": int(np.count_nonzero(gt.crowd)),
        },
        "classes": list(gt.classes),
        "category_ids": list(gt.category_ids),
        "grids": {
            "iou": nullable(config.iou_grid),
            "confidence": nullable(config.confidence_grid),
            "curve_confidence": nullable(results[0].curves.confidence) if results else [],
        },
        "operating_point": {"iou": config.iou, "confidence": config.confidence},
        "inference_sets": [model_entry(gt, r, p) for r, p in zip(results, paths, strict=True)],
    }


def dumps(document: dict[str, Any]) -> bytes:
    """Serialize with orjson (compact; NaN and infinities are already None)."""
    return orjson.dumps(document)
