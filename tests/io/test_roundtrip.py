"""The same boxes, written in every format and layout, load to the same arrays."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from reportgen.io import LoadOptions, load_ground_truth, load_predictions
from reportgen.io.containers import GroundTruth, Predictions
from tests.io import writers as w
from tests.io.writers import CLASSES, FRAMES, GT, PRED, SIZES

GtCase = Callable[[Path], tuple[Path, LoadOptions]]


def _names(tmp: Path, **changes: object) -> LoadOptions:
    return replace(LoadOptions(class_names=w.names_file(tmp)), **changes)  # type: ignore[arg-type]


GT_CASES: dict[str, GtCase] = {
    "coco": lambda t: (w.coco_gt(t), LoadOptions()),
    "csv_xywh": lambda t: (w.write_table(w.frame_table(GT, "xywh"), t / "gt.csv"), _names(t)),
    "csv_xyxy": lambda t: (w.write_table(w.frame_table(GT, "xyxy"), t / "gt.csv"), _names(t, box_format="xyxy")),
    "csv_xyxy_normalized": lambda t: (
        w.write_table(w.frame_table(GT, "xyxy_normalized"), t / "gt.CSV"),
        _names(t, box_format="xyxy", normalized=True, image_sizes=w.sizes_file(t)),
    ),
    "parquet_cxcywh_normalized_size_columns": lambda t: (
        w.write_table(
            w.frame_table(GT, "cxcywh_normalized").assign(
                image_width=[SIZES[f][0] for f in GT.frame], image_height=[SIZES[f][1] for f in GT.frame]
            ),
            t / "gt.parquet",
        ),
        _names(t, box_format="cxcywh", normalized=True),
    ),
    "jsonl_xywh": lambda t: (w.write_table(w.frame_table(GT, "xywh"), t / "gt.jsonl"), _names(t)),
    "yolo": lambda t: (
        w.yolo_folder(t / "labels" / "val", GT),
        _names(t, image_sizes=w.sizes_file(t)),
    ),
    "padilla_abs_xywh": lambda t: (w.padilla_folder(t / "gt", GT, "xywh"), _names(t)),
    "padilla_abs_xyxy_class_ids": lambda t: (
        w.padilla_folder(t / "gt", GT, "xyxy", class_ids=True),
        _names(t, box_format="xyxy"),
    ),
    "padilla_rel_cxcywh": lambda t: (
        w.padilla_folder(t / "gt", GT, "cxcywh_normalized"),
        _names(t, box_format="cxcywh", normalized=True, image_sizes=w.sizes_file(t)),
    ),
    "voc": lambda t: (w.voc_folder(t / "voc"), _names(t)),
}
# Formats whose ground truth knows the image sizes.
_SIZED = {"coco", "csv_xyxy_normalized", "parquet_cxcywh_normalized_size_columns", "yolo", "padilla_rel_cxcywh", "voc"}


@pytest.mark.parametrize("case", sorted(GT_CASES))
def test_ground_truth_round_trip(case: str, tmp_path: Path) -> None:
    path, options = GT_CASES[case](tmp_path)
    gt = load_ground_truth(path, options)
    expected = w.expected_gt_arrays()
    assert gt.task == "detection"
    assert gt.frame_ids == FRAMES
    assert gt.classes == CLASSES
    np.testing.assert_array_equal(gt.frame, expected["frame"])
    np.testing.assert_array_equal(gt.cls, expected["cls"])
    np.testing.assert_allclose(gt.box, expected["box"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(gt.area, expected["box"][:, 2] * expected["box"][:, 3], rtol=1e-12)
    assert not gt.crowd.any()
    assert gt.box.dtype == np.float64 and gt.frame.dtype == np.int64
    if case in _SIZED:
        np.testing.assert_array_equal(gt.image_size, [SIZES[f] for f in FRAMES])
    else:
        assert np.isnan(gt.image_size).all()


PredCase = Callable[[Path], tuple[Path, LoadOptions]]
PRED_CASES: dict[str, PredCase] = {
    "coco_results": lambda t: (w.coco_results(t), LoadOptions()),
    "csv_xywh": lambda t: (w.write_table(w.frame_table(PRED, "xywh"), t / "p.csv"), LoadOptions()),
    "csv_xyxy_normalized": lambda t: (
        w.write_table(w.frame_table(PRED, "xyxy_normalized"), t / "p.csv"),
        LoadOptions(box_format="xyxy", normalized=True),
    ),
    "parquet_cxcywh_normalized": lambda t: (
        w.write_table(w.frame_table(PRED, "cxcywh_normalized"), t / "p.parquet"),
        LoadOptions(box_format="cxcywh", normalized=True),
    ),
    "jsonl_xywh": lambda t: (w.write_table(w.frame_table(PRED, "xywh"), t / "p.jsonl"), LoadOptions()),
    "yolo": lambda t: (w.yolo_folder(t / "pred", PRED), _names(t, pred_format="yolo")),
    "padilla_abs_xywh": lambda t: (w.padilla_folder(t / "pred", PRED, "xywh"), LoadOptions()),
    "padilla_abs_xyxy_class_ids": lambda t: (
        w.padilla_folder(t / "pred", PRED, "xyxy", class_ids=True),
        _names(t, box_format="xyxy"),
    ),
    "padilla_rel_cxcywh": lambda t: (
        w.padilla_folder(t / "pred", PRED, "cxcywh_normalized"),
        LoadOptions(box_format="cxcywh", normalized=True),
    ),
}


def _by_score(preds: Predictions) -> tuple[np.ndarray, ...]:
    order = np.argsort(-preds.score, kind="stable")
    return preds.frame[order], preds.cls[order], preds.box[order], preds.score[order]


@pytest.mark.parametrize("case", sorted(PRED_CASES))
def test_predictions_round_trip(case: str, tmp_path: Path) -> None:
    gt = load_ground_truth(w.coco_gt(tmp_path), LoadOptions())
    path, options = PRED_CASES[case](tmp_path)
    preds = load_predictions(path, gt, options, name="model")
    frame, cls, box, score = _by_score(preds)
    np.testing.assert_array_equal(frame, [FRAMES.index(f) for f in PRED.frame])
    np.testing.assert_array_equal(cls, [CLASSES.index(c) for c in PRED.cls])
    np.testing.assert_allclose(box, np.array(PRED.box, dtype=np.float64), rtol=0, atol=1e-9)
    np.testing.assert_array_equal(score, PRED.score)
    assert preds.name == "model"
    assert preds.class_scores is None
    assert preds.dropped_unknown_frames == 0


@pytest.mark.parametrize("gt_case", ["csv_xywh", "voc", "padilla_abs_xywh"])
def test_predictions_index_into_any_ground_truth(gt_case: str, tmp_path: Path) -> None:
    gt_path, options = GT_CASES[gt_case](tmp_path)
    gt: GroundTruth = load_ground_truth(gt_path, options)
    assert gt.category_ids == (0, 1, 2)
    preds = load_predictions(w.write_table(w.frame_table(PRED, "xywh"), tmp_path / "p.csv"), gt, options, name="m")
    np.testing.assert_array_equal(preds.frame, [FRAMES.index(f) for f in PRED.frame])
    np.testing.assert_array_equal(preds.cls, [CLASSES.index(c) for c in PRED.cls])
