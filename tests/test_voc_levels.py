"""Pascal VOC 11-point AP where a recall lands exactly on a level, against a transcription of the Python VOC
devkit's ``voc_ap(use_07_metric=True)``; and the floating-point grids of the COCO summary, bit for bit against
pycocotools' and faster-coco-eval's own ``Params``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reportgen.engine.grids import COCO_IOU_THRESHOLDS, COCO_RECALL_THRESHOLDS
from tests.cli import evaluate

#: Detections in descending score: True = lands on its frame's object, False = on empty space. 10 objects, so
#: recall hits 0.3, 0.6 and 0.7 exactly (3, 6 and 7 of 10), each followed by false positives that lower the
#: precision: the floating-point levels 0.30000000000000004, ... then read a lower precision than the
#: decimal levels would.
PATTERN = [True, True, True, False, False, True, True, True, False, False, False, True,
           False, False, False, False, True, False, True, True, False]  # fmt: skip
SUPPORT = 10


def devkit_voc_ap_07(rec: np.ndarray, prec: np.ndarray) -> float:
    """``voc_eval.py``'s ``voc_ap(rec, prec, use_07_metric=True)``, transcribed."""
    ap = 0.0
    for t in np.arange(0.0, 1.1, 0.1):
        p = 0 if np.sum(rec >= t) == 0 else np.max(prec[rec >= t])
        ap = ap + p / 11.0
    return float(ap)


def devkit_curve(pattern: list[bool], npos: int) -> tuple[np.ndarray, np.ndarray]:
    """``voc_eval.py``'s precision and recall from the TP / FP flags in score order."""
    tp = np.cumsum(np.array(pattern, dtype=float))
    fp = np.cumsum(~np.array(pattern, dtype=bool)).astype(float)
    rec = tp / float(npos)
    prec = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    return rec, prec


def exact_decimal_ap_11(rec: np.ndarray, prec: np.ndarray) -> float:
    """The same AP with exact decimal levels (what reportgen used before): higher on this data."""
    return float(sum(np.max(prec[rec * 10 >= k], initial=0.0) for k in range(11)) / 11)


def write_case(folder: Path) -> tuple[Path, Path]:
    """One object per frame for the first ``SUPPORT`` frames; a true positive takes its frame's object, a false
    positive sits on an object-free frame."""
    images = [{"id": i + 1, "width": 100, "height": 100, "file_name": f"{i + 1}.jpg"} for i in range(40)]
    annotations = [
        {"id": i + 1, "image_id": i + 1, "category_id": 1, "bbox": [10, 10, 30, 30], "area": 900, "iscrowd": 0}
        for i in range(SUPPORT)
    ]
    dets: list[dict[str, Any]] = []
    next_tp, next_fp = 1, SUPPORT + 1
    for rank, hit in enumerate(PATTERN):
        image = next_tp if hit else next_fp
        if hit:
            next_tp += 1
        else:
            next_fp += 1
        dets.append({"image_id": image, "category_id": 1, "bbox": [10, 10, 30, 30], "score": 0.99 - rank * 0.01})
    gt = folder / "gt.json"
    gt.write_text(json.dumps({"images": images, "annotations": annotations,
                              "categories": [{"id": 1, "name": "car"}]}))  # fmt: skip
    preds = folder / "dets.json"
    preds.write_text(json.dumps(dets))
    return gt, preds


def test_the_case_is_sensitive_to_the_levels() -> None:
    rec, prec = devkit_curve(PATTERN, SUPPORT)
    assert {0.3, 0.6, 0.7} <= {float(r) for r in rec}
    assert devkit_voc_ap_07(rec, prec) < exact_decimal_ap_11(rec, prec)


@pytest.mark.parametrize("pixel_inclusive", [False, True])
def test_11_point_ap_equals_the_python_devkit(tmp_path: Path, pixel_inclusive: bool) -> None:
    gt, preds = write_case(tmp_path)
    out = tmp_path / "m.json"
    flags = ["--pixel-inclusive"] if pixel_inclusive else []
    run = evaluate("--gt", gt, "--pred", f"m={preds}", "--voc", *flags, "--json", out)
    assert run.code == 0, run.stderr
    rec, prec = devkit_curve(PATTERN, SUPPORT)
    expected = devkit_voc_ap_07(rec, prec)
    for entry in json.loads(out.read_text())["inference_sets"][0]["voc"]["by_iou"]:
        assert entry["ap_11_point"] == {"car": expected}, entry["iou"]
        assert entry["map_11_point"] == expected


def test_coco_summary_grids_are_pycocotools_own() -> None:
    from faster_coco_eval.core.cocoeval import Params as FasterParams
    from pycocotools.cocoeval import Params

    for params in (Params(iouType="bbox"), FasterParams(iouType="bbox")):
        assert COCO_IOU_THRESHOLDS.tolist() == params.iouThrs.tolist()
        assert COCO_RECALL_THRESHOLDS.tolist() == params.recThrs.tolist()
