"""Properties of the report matching and of the counts at every preset, on random detection data."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.engine.aggregate import count_presets
from reportgen.engine.evaluation import EvalConfig, curve_set, evaluate_model
from reportgen.engine.match import UNMATCHED, match_report
from reportgen.engine.metrics import scores_from_matrix
from tests.builders import make_gt, make_preds
from tests.gen import Dataset, random_detection, reference_matrix
from tests.oracles import interpolated_ap, pr_curve

# Hypothesis may report a falsified example through libcst (when installed), whose import warns
# (mypy_extensions.TypedDict is deprecated): pyproject.toml's filterwarnings ignores that one warning, so a
# failure is reported as itself rather than as a pytest INTERNALERROR.
IOU_GRID = EvalConfig.default().iou_grid
CONF_GRID = EvalConfig.default().confidence_grid
# a finer grid hits many scores exactly (scores have two decimals)
FINE_GRID = np.arange(0, 101) / 100

SETTINGS = settings(max_examples=50, deadline=None, database=None)


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    data = random_detection(
        draw(st.integers(0, 2**32 - 1)),
        n_images=draw(st.integers(1, 8)),
        n_classes=draw(st.integers(1, 5)),
        max_gt=draw(st.integers(1, 7)),
        crowd_rate=draw(st.sampled_from([0.0, 0.15, 0.4])),
        roles=draw(st.booleans()),
    )
    if not data.annotations:
        # ground truth without a single object is test_no_objects_at_all's case
        data.annotations.append({"image": data.images[-1], "cls": data.categories[0], "bbox": [5.0, 5.0, 30.0, 30.0]})
    return data


def setup(data: Dataset, conf: np.ndarray = CONF_GRID):  # type: ignore[no-untyped-def]
    gt = data.gt()
    preds = data.preds(gt)
    match = match_report(gt, preds, IOU_GRID)
    return gt, preds, match, count_presets(gt, preds, match, conf)


@SETTINGS
@given(datasets())
def test_counts_are_consistent(data: Dataset) -> None:
    gt, preds, match, counts = setup(data, FINE_GRID)
    m = counts.matrix
    c = gt.num_classes
    assert m.shape == (IOU_GRID.size, FINE_GRID.size, c + 1, c + 1)
    assert m[..., c, c].sum() == 0
    support = np.bincount(gt.cls[~gt.crowd], minlength=c)
    # every non-crowd object is in its row exactly once, whatever the preset
    np.testing.assert_array_equal(m[..., :c, :].sum(axis=-1), np.broadcast_to(support, (*m.shape[:2], c)))
    for u in range(IOU_GRID.size):
        unmatched = match.pred_outcome[u] == UNMATCHED
        for t, conf in enumerate(FINE_GRID):
            fp = int(np.count_nonzero(unmatched & (preds.score >= conf)))
            assert m[u, t].sum() == support.sum() + fp
            assert m[u, t, c, :c].sum() == fp
    # raising the confidence never adds a true positive, a prediction or a confusion
    tp = np.trace(m[..., :c, :c], axis1=-2, axis2=-1)
    assert (np.diff(tp, axis=1) <= 0).all()
    assert (np.diff(m[..., :, :c], axis=1) <= 0).all()
    assert (np.diff(m[..., :c, c], axis=1) >= 0).all()


@SETTINGS
@given(datasets())
def test_pooled_scores_follow_the_spec(data: Dataset) -> None:
    _, _, _, counts = setup(data)
    m = counts.matrix
    c = m.shape[-1] - 1
    s = scores_from_matrix(m)
    tp = np.trace(m[..., :c, :c], axis1=-2, axis2=-1)
    fp = m[..., c, :c].sum(axis=-1)
    fn = m[..., :c, c].sum(axis=-1)
    confusions = m[..., :c, :c].sum(axis=(-2, -1)) - tp
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = tp / (tp + fp + confusions)
        recall = tp / (tp + fn + confusions)
    np.testing.assert_array_equal(s.total_tp, tp)
    np.testing.assert_array_equal(s.total_confusions, confusions)
    np.testing.assert_allclose(s.micro[..., 0], precision, rtol=0, atol=1e-15, equal_nan=True)
    np.testing.assert_allclose(s.micro[..., 1], recall, rtol=0, atol=1e-15, equal_nan=True)
    # one class: cell(c, c) over its column and its row
    with np.errstate(invalid="ignore", divide="ignore"):
        diag = np.diagonal(m[..., :c, :c], axis1=-2, axis2=-1)
        np.testing.assert_allclose(s.precision, diag / m[..., :, :c].sum(axis=-2), rtol=0, atol=1e-15, equal_nan=True)
        np.testing.assert_allclose(s.recall, diag / m[..., :c, :].sum(axis=-1), rtol=0, atol=1e-15, equal_nan=True)


@SETTINGS
@given(datasets(), st.integers(0, 2**32 - 1))
def test_frame_subsets_add_up_and_match_alone(data: Dataset, mask_seed: int) -> None:
    gt, preds, match, counts = setup(data)
    rng = np.random.default_rng(mask_seed)
    part = rng.integers(0, 3, size=gt.num_frames)  # 0: in A, 1: in B, 2: in neither
    a, b = part == 0, part == 1
    count_a = count_presets(gt, preds, match, CONF_GRID, a)
    count_b = count_presets(gt, preds, match, CONF_GRID, b)
    union = count_presets(gt, preds, match, CONF_GRID, a | b)
    total = count_a + count_b
    np.testing.assert_array_equal(total.matrix, union.matrix)
    assert total.frame_count == union.frame_count == int(np.count_nonzero(a | b))
    everything = count_presets(gt, preds, match, CONF_GRID, np.ones(gt.num_frames, dtype=bool))
    np.testing.assert_array_equal(everything.matrix, counts.matrix)
    # matching only the frames of A from scratch gives the counts of A
    alone = data.gt([int(f) for f, keep in zip(gt.frame_ids, a, strict=True) if keep])
    alone_preds = data.preds(alone)
    if alone.num_objects == 0 or alone_preds.num_predictions == 0:
        return  # test_no_objects_at_all, test_no_predictions_at_all
    alone_counts = count_presets(alone, alone_preds, match_report(alone, alone_preds, IOU_GRID), CONF_GRID)
    np.testing.assert_array_equal(alone_counts.matrix, count_a.matrix)
    assert alone_counts.frame_count == count_a.frame_count


@SETTINGS
@given(datasets())
def test_pr_curve_points_are_matrix_presets(data: Dataset) -> None:
    gt, preds, match, counts = setup(data, FINE_GRID)
    c = gt.num_classes
    for u in (0, 4, int(np.flatnonzero(IOU_GRID == 0.5)[0]), IOU_GRID.size - 1):
        s = scores_from_matrix(counts.matrix[u])
        for cls in [*range(c), None]:
            curve = pr_curve(gt, preds, match, u, cls)
            precision = s.micro[:, 0] if cls is None else s.precision[:, cls]
            recall = s.micro[:, 1] if cls is None else s.recall[:, cls]
            for t, conf in enumerate(FINE_GRID):
                i = curve.at(conf)
                if i is None:  # nothing predicted at or above this confidence
                    assert np.isnan(precision[t])
                    continue
                assert curve.precision[i] == precision[t]
                assert np.array_equal(curve.recall[i], recall[t], equal_nan=True)


@SETTINGS
@given(datasets())
def test_curve_set_matches_counts(data: Dataset) -> None:
    gt, preds, match, _ = setup(data)
    curves = curve_set(gt, preds, match)
    counts = count_presets(gt, preds, match, curves.confidence).matrix
    c = gt.num_classes
    diag = np.diagonal(counts[..., :c, :c], axis1=-2, axis2=-1)
    predicted = counts[..., :, :c].sum(axis=-2)
    np.testing.assert_array_equal(curves.tp[..., :c], diag)
    np.testing.assert_array_equal(curves.predicted[..., :c], predicted)
    np.testing.assert_array_equal(curves.tp[..., c], diag.sum(axis=-1))
    np.testing.assert_array_equal(curves.predicted[..., c], predicted.sum(axis=-1))
    np.testing.assert_array_equal(curves.support[:c], counts[0, 0, :c, :].sum(axis=-1))
    for u in range(IOU_GRID.size):
        for k in [*range(c), None]:
            curve = pr_curve(gt, preds, match, u, k)
            ap = interpolated_ap(curve.recall, curve.precision, curve.support)
            got = curves.ap101[u, c if k is None else k]
            if ap is None:  # no object of the class: undefined
                assert np.isnan(got)
            else:
                assert got == ap


@SETTINGS
@given(datasets(), st.data())
def test_each_confidence_equals_matching_only_the_kept_predictions(data: Dataset, draw: st.DataObject) -> None:
    """The property the engine relies on: matching once and cutting at t == matching the predictions >= t."""
    gt, _, _, counts = setup(data, FINE_GRID)
    picks = draw.draw(st.lists(st.integers(0, FINE_GRID.size - 1), min_size=1, max_size=4, unique=True))
    for t in picks:
        conf = float(FINE_GRID[t])
        kept = data.preds(gt, min_score=conf)
        if kept.num_predictions == 0:
            continue  # test_no_predictions_at_all
        rematch = match_report(gt, kept, IOU_GRID)
        again = count_presets(gt, kept, rematch, np.array([0.0, conf])).matrix
        np.testing.assert_array_equal(again[:, 0], counts.matrix[:, t])
        np.testing.assert_array_equal(again[:, 1], counts.matrix[:, t])


@SETTINGS
@given(datasets(), st.data())
def test_matrix_equals_reference_matching(data: Dataset, draw: st.DataObject) -> None:
    """Against a plain re-implementation of semantics.md (own class, other class, crowd, FP), per preset."""
    gt, preds, _, counts = setup(data, FINE_GRID)
    for _ in range(3):
        u = draw.draw(st.integers(0, IOU_GRID.size - 1))
        t = draw.draw(st.integers(0, FINE_GRID.size - 1))
        expected = reference_matrix(gt, preds, float(IOU_GRID[u]), float(FINE_GRID[t]))
        np.testing.assert_array_equal(counts.matrix[u, t], expected, err_msg=f"IoU {IOU_GRID[u]}, conf {FINE_GRID[t]}")


def test_no_objects_at_all() -> None:
    """Ground truth with frames but no object (a set of negatives, or a segment's frames taken alone):
    every prediction is a false positive, recall is undefined."""
    gt = make_gt([1, 2], ["a", "b"], [])
    preds = make_preds(
        gt,
        [
            {"image": 1, "cls": "a", "bbox": [0, 0, 10, 10], "score": 0.5},
            {"image": 2, "cls": "b", "bbox": [0, 0, 10, 10], "score": 0.2},
        ],
    )
    match = match_report(gt, preds, np.array([0.5]))
    counts = count_presets(gt, preds, match, np.array([0.0, 0.3]))
    np.testing.assert_array_equal(counts.matrix[0, 0], [[0, 0, 0], [0, 0, 0], [1, 1, 0]])
    np.testing.assert_array_equal(counts.matrix[0, 1], [[0, 0, 0], [0, 0, 0], [1, 0, 0]])
    curve = pr_curve(gt, preds, match, 0, None)
    np.testing.assert_array_equal(curve.precision, [0.0, 0.0])
    assert np.isnan(curve.recall).all()
    result = evaluate_model(gt, preds, EvalConfig.default())
    assert np.isnan(result.curves.ap101).all()


def test_no_predictions_at_all() -> None:
    """An inference set without predictions (or none left above a threshold): every object is missed."""
    gt = make_gt([1, 2], ["a", "b"], [{"image": 1, "cls": "a", "bbox": [0, 0, 10, 10]}])
    preds = make_preds(gt, [])
    match = match_report(gt, preds, np.array([0.5]))
    counts = count_presets(gt, preds, match, np.array([0.0, 0.3]))
    for t in range(2):
        np.testing.assert_array_equal(counts.matrix[0, t], [[0, 0, 1], [0, 0, 0], [0, 0, 0]])
    result = evaluate_model(gt, preds, EvalConfig.default())
    assert result.counts.matrix[..., 0, 2].min() == 1
