"""Plain-text output of ``reportgen evaluate``: the COCO lines and a classification report."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from reportgen.engine.evaluation import ModelSummary, VocResult
from reportgen.engine.grids import index_of
from reportgen.engine.metrics import scores_from_matrix
from reportgen.io.containers import GroundTruth


def fmt(value: float, digits: int = 4) -> str:
    """A score with fixed decimals; a dash when undefined."""
    return "-" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def classification_report(gt: GroundTruth, result: ModelSummary, iou: float, confidence: float) -> list[str]:
    """scikit-learn-style table at one preset, with the counts behind each row."""
    counts = result.counts
    u = index_of(counts.iou_thresholds, iou)
    t = index_of(counts.conf_thresholds, confidence)
    s = scores_from_matrix(counts.matrix[u, t])
    width = max([len(c) for c in gt.classes] + [len("weighted avg")])
    where = f"confidence {confidence:g}" if gt.task == "classification" else f"IoU {iou:g}, confidence {confidence:g}"
    head = (
        f"{'':>{width}}  {'precision':>9}  {'recall':>9}  {'f1-score':>9}  {'support':>8}"
        f"  {'TP':>7}  {'FP':>7}  {'FN':>7}  {'confused':>8}"
    )
    lines = [f"Classification report: {result.name} at {where}", head]
    for k, name in enumerate(gt.classes):
        lines.append(
            f"{name:>{width}}  {fmt(s.precision[k]):>9}  {fmt(s.recall[k]):>9}  {fmt(s.f1[k]):>9}"
            f"  {int(s.support[k]):>8}  {int(s.tp[k]):>7}  {int(s.fp[k]):>7}  {int(s.fn[k]):>7}"
            f"  {int(s.confused_as[k]):>8}"
        )
    lines.append("")
    total_support = int(s.support.sum())
    for label, row in (("micro avg", s.micro), ("macro avg", s.macro), ("weighted avg", s.weighted)):
        lines.append(f"{label:>{width}}  {fmt(row[0]):>9}  {fmt(row[1]):>9}  {fmt(row[2]):>9}  {total_support:>8}")
    lines.append(
        f"{'':>{width}}  TP {int(s.total_tp)} · FP {int(s.total_fp)} · FN {int(s.total_fn)}"
        f" · confusions {int(s.total_confusions)}"
    )
    return lines


def voc_lines(gt: GroundTruth, voc: VocResult, ious: Sequence[float]) -> list[str]:
    """VOC AP per class at the given IoU thresholds."""
    conv = "pixel-inclusive (+1)" if voc.pixel_inclusive else "continuous"
    lines = [f"Pascal VOC AP ({conv} IoU): all-point / 11-point"]
    width = max([len(c) for c in gt.classes] + [len("mAP")])
    for iou in ious:
        u = index_of(voc.iou_thresholds, iou)
        lines.append(f"  IoU {iou:g}")
        for k, name in enumerate(gt.classes):
            lines.append(f"  {name:>{width}}  {fmt(voc.ap_all_point[u, k])}  {fmt(voc.ap_11_point[u, k])}")
        lines.append(f"  {'mAP':>{width}}  {fmt(voc.mean_all_point[u])}  {fmt(voc.mean_11_point[u])}")
    return lines


def curve_lines(gt: GroundTruth, result: ModelSummary, iou: float) -> list[str]:
    """AP (101-point, report matching) and the F1-optimal confidence per class at one IoU."""
    cv = result.curves
    u = index_of(result.counts.iou_thresholds, iou)
    width = max([len(c) for c in gt.classes] + [len("all classes")])
    lines = [f"PR curves at IoU {iou:g}: AP (101-point) · F1-optimal confidence (F1)"]
    for k, name in enumerate([*gt.classes, "all classes"]):
        conf = cv.best_f1_confidence[u, k]
        best = "-" if np.isnan(conf) else f"{conf:g} ({fmt(cv.best_f1[u, k])})"
        lines.append(f"{name:>{width}}  {fmt(cv.ap101[u, k]):>7}  {best}")
    return lines
