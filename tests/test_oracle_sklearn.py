"""Classification as the engine models it, against scikit-learn.

Each frame holds one object with a whole-frame box and one prediction with the same box, matched at IoU 0.5:
the prediction always finds the frame's object (its own class first, else the other class), so at confidence 0
our matrix is sklearn's confusion matrix with empty background row and column. Below a confidence ``t`` a
frame has no prediction: its object lands in the background column, which is sklearn's matrix with the
prediction replaced by an extra "none" label.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.metrics import classification_report, confusion_matrix, precision_recall_curve

from reportgen.engine.aggregate import count_presets
from reportgen.engine.match import match_report
from reportgen.engine.metrics import Scores, scores_from_matrix
from tests.gen import Dataset, classification_data, random_classification
from tests.oracles import pr_curve

IOU = np.array([0.5])


def engine(data: Dataset, conf: np.ndarray | None = None) -> tuple[Any, Any, Any, np.ndarray]:
    gt = data.gt()
    preds = data.preds(gt)
    match = match_report(gt, preds, IOU)
    grid = np.array([0.0]) if conf is None else conf
    return gt, preds, match, count_presets(gt, preds, match, grid).matrix[0]


def assert_report_equal(scores: Scores, report: dict[str, Any], labels: list[int]) -> None:
    """Per class: equal, or NaN on our side where sklearn's ``zero_division=0`` puts 0."""
    for k in labels:
        row = report[str(k)]
        for ours, key in ((scores.precision[k], "precision"), (scores.recall[k], "recall"), (scores.f1[k], "f1-score")):
            if np.isnan(ours):
                assert row[key] == 0, (k, key)
            else:
                assert ours == pytest.approx(row[key], abs=1e-9), (k, key)
        assert scores.support[k] == row["support"]


@pytest.mark.parametrize("seed", range(5))
def test_classification_report_and_matrix(seed: int) -> None:
    data, y_true, y_pred, _ = random_classification(seed, n_frames=40 + 20 * seed, n_classes=3 + seed % 3)
    k = len(data.categories)
    _, _, _, matrix = engine(data)
    m = matrix[0]
    np.testing.assert_array_equal(m[:k, :k], confusion_matrix(y_true, y_pred, labels=list(range(k))))
    assert m[k].sum() == 0 and m[:, k].sum() == 0  # every frame predicted, every prediction on an object

    s = scores_from_matrix(m)
    report = classification_report(y_true, y_pred, output_dict=True, zero_division=0)
    present = sorted(set(y_true.tolist()) | set(y_pred.tolist()))
    assert sorted(int(key) for key in report if key.isdigit()) == present
    assert_report_equal(s, report, present)
    # undefined per-class values exist in these cases (a class never predicted, a class never true)
    assert np.isnan(s.precision).any() and np.isnan(s.recall).any()
    for name, ours in (("macro avg", s.macro), ("weighted avg", s.weighted)):
        np.testing.assert_allclose(
            ours, [report[name]["precision"], report[name]["recall"], report[name]["f1-score"]], rtol=0, atol=1e-9
        )
    # micro precision and recall equal accuracy when every frame has a prediction
    np.testing.assert_allclose(s.micro[:2], [report["accuracy"]] * 2, rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_matrix_below_confidence_is_a_none_label(seed: int) -> None:
    data, y_true, y_pred, score = random_classification(10 + seed, n_frames=80, n_classes=4)
    k = len(data.categories)
    grid = np.arange(0, 101, 5) / 100
    _, _, _, matrix = engine(data, grid)
    for t, m in zip(grid, matrix, strict=True):
        shown = np.where(score >= t, y_pred, k)  # k: no prediction
        expected = confusion_matrix(y_true, shown, labels=list(range(k + 1)))
        np.testing.assert_array_equal(m, expected, err_msg=f"confidence {t}")


def sklearn_points(y_true: np.ndarray, y_score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """sklearn's curve as (threshold, precision, recall) in descending threshold, thresholds >= 0 only.

    sklearn lists thresholds ascending, with one extra last point (precision 1, recall 0) that has no
    threshold; it keeps every distinct score (no intermediate point dropped by default).
    """
    precision, recall, thresholds = precision_recall_curve(y_true, y_score)
    keep = thresholds >= 0
    return thresholds[keep][::-1], precision[:-1][keep][::-1], recall[:-1][keep][::-1]


@pytest.mark.parametrize("seed", range(5))
def test_pr_curve_one_vs_rest(seed: int) -> None:
    data, y_true, y_pred, score = random_classification(20 + seed, n_frames=70, n_classes=4)
    gt, preds, match, _ = engine(data)
    checked = 0
    for c in range(len(data.categories)):
        curve = pr_curve(gt, preds, match, 0, c)
        if not (y_true == c).any():  # sklearn has no recall without positives; ours is undefined
            assert np.isnan(curve.recall).all()
            continue
        # a frame predicted as another class never counts for class c at a threshold >= 0
        thr, precision, recall = sklearn_points(y_true == c, np.where(y_pred == c, score, -1.0))
        np.testing.assert_array_equal(curve.confidence, thr)
        np.testing.assert_allclose(curve.precision, precision, rtol=0, atol=1e-12)
        np.testing.assert_allclose(curve.recall, recall, rtol=0, atol=1e-12)
        checked += curve.confidence.size
    assert checked > 20


# ---- scikit-learn's documented examples (reference/sklearn_docstring_cls) ----------------------------------


def load_cases(reference: Path) -> dict[str, dict[str, Any]]:
    cases = json.loads((reference / "sklearn_docstring_cls" / "cases.json").read_text())["cases"]
    return {case["fn"]: case for case in cases}


def test_docstring_classification_report(reference: Path) -> None:
    case = load_cases(reference)["classification_report"]
    y_true, y_pred = np.array(case["y_true"]), np.array(case["y_pred"])
    _, _, _, matrix = engine(classification_data(y_true, y_pred, np.ones(y_true.size), 3))
    s = scores_from_matrix(matrix[0])
    exact = case["sklearn_exact"]
    assert_report_equal(s, exact, [0, 1, 2])
    for name, ours in (("macro avg", s.macro), ("weighted avg", s.weighted)):
        np.testing.assert_allclose(
            ours, [exact[name]["precision"], exact[name]["recall"], exact[name]["f1-score"]], rtol=0, atol=1e-9
        )
    np.testing.assert_allclose(s.micro[:2], [exact["accuracy"]] * 2, rtol=0, atol=1e-12)
    # the published two-decimal table
    for key in ("0", "1", "2", "macro avg", "weighted avg"):
        p, r, f, n = case["published_2dp"][key]
        assert round(exact[key]["precision"], 2) == p and round(exact[key]["recall"], 2) == r
        assert round(exact[key]["f1-score"], 2) == f and exact[key]["support"] == n


def test_docstring_classification_report_with_labels(reference: Path) -> None:
    """``labels=[1, 2, 3]`` while class 0 is predicted once.

    Comparable: the per-class rows of 1, 2, 3 (2 and 3 have no support and no predictions: undefined here,
    0 there) and the weighted average (weights are supports, and class 0 has none). Not comparable: the
    macro average (sklearn averages over the requested labels, 2 and 3 counting 0; ours over the classes that
    occur: 0 and 1) and the micro average (sklearn leaves out the prediction of class 0, which is a confusion
    here). The label-restricted micro precision is still the diagonal over the columns of those labels.
    """
    case = load_cases(reference)["classification_report(labels=[1,2,3])"]
    y_true, y_pred = np.array(case["y_true"]), np.array(case["y_pred"])
    _, _, _, matrix = engine(classification_data(y_true, y_pred, np.ones(y_true.size), 4))
    m = matrix[0]
    s = scores_from_matrix(m)
    exact = case["sklearn_exact"]
    assert_report_equal(s, exact, [1, 2, 3])
    assert np.isnan(s.precision[[2, 3]]).all() and np.isnan(s.recall[[2, 3]]).all()
    w = exact["weighted avg"]
    np.testing.assert_allclose(s.weighted, [w["precision"], w["recall"], w["f1-score"]], rtol=0, atol=1e-9)
    labels = [1, 2, 3]
    micro_p = np.trace(m[np.ix_(labels, labels)]) / m[:, labels].sum()
    micro_r = np.trace(m[np.ix_(labels, labels)]) / m[labels, :].sum()
    assert micro_p == pytest.approx(exact["micro avg"]["precision"], abs=1e-9)
    assert micro_r == pytest.approx(exact["micro avg"]["recall"], abs=1e-9)


def test_docstring_confusion_matrix(reference: Path) -> None:
    case = load_cases(reference)["confusion_matrix"]
    y_true, y_pred = np.array(case["y_true"]), np.array(case["y_pred"])
    _, _, _, matrix = engine(classification_data(y_true, y_pred, np.ones(y_true.size), 3))
    np.testing.assert_array_equal(matrix[0][:3, :3], case["published"])
    np.testing.assert_array_equal(matrix[0][:3, :3], case["sklearn_exact"])


def test_docstring_precision_recall_curve(reference: Path) -> None:
    """Binary: objects of class 1 where ``y_true`` is 1, else class 0; every frame predicted as class 1 with
    the score. Our points, in descending confidence, are sklearn's without its last (1, 0) point.

    (``average_precision_score`` is not comparable: it is a step sum without interpolation, neither COCO's
    101-point nor VOC's AP.)
    """
    case = load_cases(reference)["precision_recall_curve"]
    y_true, y_score = np.array(case["y_true"]), np.array(case["y_score"])
    gt, preds, match, _ = engine(classification_data(y_true, np.ones_like(y_true), y_score, 2))
    curve = pr_curve(gt, preds, match, 0, 1)
    for key in ("published", "sklearn_exact"):
        expected = case[key]
        np.testing.assert_allclose(curve.confidence, expected["thresholds"][::-1], rtol=0, atol=1e-12)
        tol = 1e-8 if key == "published" else 1e-12  # published: 8 decimals
        np.testing.assert_allclose(curve.precision, expected["precision"][:-1][::-1], rtol=0, atol=tol)
        np.testing.assert_allclose(curve.recall, expected["recall"][:-1][::-1], rtol=0, atol=tol)
    assert (expected["precision"][-1], expected["recall"][-1]) == (1.0, 0.0)
