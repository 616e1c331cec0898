"""The map / reduce engine: any partition of the frames gives the single pass's numbers, bit for bit.

The single pass (``evaluate_model``) is itself the map step on one partition and the reduce step, so these tests
pin what partitioning could change: ties in score across partitions (the PR curves' and the COCO summary's
order), pycocotools' image order across partitions, frames whose partition is empty, the order the partitions
reach the reduce step in.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from reportgen.engine.evaluation import EvalConfig, ModelSummary, PartResult, evaluate_model, map_part, reduce_parts
from reportgen.engine.partition import frames_of, partition_of, split
from reportgen.engine.records import Records
from reportgen.engine.streaming import chunks_of, evaluate_chunks, evaluate_in_parts
from reportgen.io.containers import GroundTruth, Predictions
from reportgen.outputs.metrics_json import dumps, evaluation_document
from tests.gen import random_classification, random_detection


def _partitioned(
    gt: GroundTruth, preds: Predictions, config: EvalConfig, k: int, *, shuffle: int | None = None
) -> ModelSummary:
    parts = [map_part(p, config)[0] for p in split(gt, preds, k)]
    if shuffle is not None:
        order = np.random.default_rng(shuffle).permutation(len(parts))
        parts = [parts[i] for i in order]
    return reduce_parts(gt, parts, config, name=preds.name, source=preds.source)


def assert_same(a: ModelSummary, b: ModelSummary) -> None:
    """Every array of two summaries equal, bit for bit (NaN where NaN)."""
    for section in ("counts", "curves", "coco", "voc"):
        x, y = getattr(a, section), getattr(b, section)
        assert (x is None) == (y is None), section
        if x is None:
            continue
        for f in dataclasses.fields(x):
            u, v = getattr(x, f.name), getattr(y, f.name)
            if isinstance(u, np.ndarray):
                assert u.dtype == v.dtype and u.shape == v.shape, (section, f.name)
                assert np.array_equal(u, v, equal_nan=u.dtype.kind == "f"), (section, f.name)
            else:
                assert u == v, (section, f.name)


CONFIG = EvalConfig.default(voc=True)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [2, 3, 7, 40])
def test_detection_partitions_equal_the_single_pass(seed: int, k: int) -> None:
    # two-decimal scores tie across frames and partitions; an image with 105 detections of one class exercises
    # pycocotools' maxDets; k = 40 leaves partitions without frames
    data = random_detection(seed, n_images=14, crowd_rate=0.2, many_dets=105 if seed % 2 else 0)
    gt = data.gt()
    preds = data.preds(gt)
    single = evaluate_model(gt, preds, CONFIG)
    parted = _partitioned(gt, preds, CONFIG, k, shuffle=seed)
    assert_same(single, parted)
    assert parted.num_predictions == preds.num_predictions
    doc_a = dumps(evaluation_document(gt, [single], CONFIG))
    doc_b = dumps(evaluation_document(gt, [parted], CONFIG))
    assert doc_a == doc_b


@pytest.mark.parametrize("k", [2, 5])
def test_classification_partitions_equal_the_single_pass(k: int) -> None:
    data, *_ = random_classification(4, n_frames=80)
    gt = data.gt()
    preds = data.preds(gt)
    config = EvalConfig.default()
    assert_same(evaluate_model(gt, preds, config), _partitioned(gt, preds, config, k, shuffle=1))


def test_score_ties_across_partitions_keep_input_order() -> None:
    # every prediction has the same score; objects in different frames: the PR curve's single point and the
    # COCO precision depend only on counts, but the F1-optimal point and pycocotools' order depend on the tie
    # order, which must be input order whatever the partition
    data = random_detection(11, n_images=10, crowd_rate=0.0)
    for d in data.detections:
        d["score"] = 0.5
    gt = data.gt()
    preds = data.preds(gt)
    single = evaluate_model(gt, preds, CONFIG)
    for k in (2, 4, 10):
        assert_same(single, _partitioned(gt, preds, CONFIG, k))


def test_partitions_cover_every_frame_once() -> None:
    for num_frames in (0, 1, 7, 100):
        for k in (1, 3, 8):
            frames = np.concatenate([frames_of(p, num_frames, k) for p in range(k)])
            assert frames.tolist() == list(range(num_frames))
            assert np.array_equal(partition_of(frames, num_frames, k),
                                  np.concatenate([[p] * frames_of(p, num_frames, k).size for p in range(k)]))


def test_reduce_refuses_parts_that_miss_frames() -> None:
    data = random_detection(2, n_images=8)
    gt = data.gt()
    preds = data.preds(gt)
    parts: list[PartResult] = [map_part(p, CONFIG)[0] for p in split(gt, preds, 3)]
    with pytest.raises(ValueError, match="partitions cover"):
        reduce_parts(gt, parts[:2], CONFIG, name="m")


def test_records_are_compact() -> None:
    data = random_detection(5, n_images=12)
    gt = data.gt()
    preds = data.preds(gt)
    records: Records = map_part(next(split(gt, preds, 1)), EvalConfig.default())[0].records
    # score 8, class 4, frame 4, position 8, the default grid's 14 IoUs x 2 flags packed in 4 bytes, COCO rank 1
    # and 80 flags in 10 bytes
    assert records.num_iou == 14
    assert records.nbytes == len(records) * 39


@pytest.mark.parametrize("chunk", [1, 7, 1000])
@pytest.mark.parametrize(("k", "per_map"), [(1, 10**6), (3, 10**6), (6, 25), (20, 1)])
def test_spilled_chunks_equal_the_single_pass(chunk: int, k: int, per_map: int, tmp_path: Path) -> None:
    # per_map: spill files matched together up to that many predictions (1: each file alone)
    data = random_detection(8, n_images=14, crowd_rate=0.2, many_dets=105)
    gt = data.gt()
    preds = data.preds(gt)
    single = evaluate_model(gt, preds, CONFIG)
    streamed = evaluate_chunks(gt, chunks_of(preds, chunk), CONFIG, name=preds.name, num_parts=k, workdir=tmp_path,
                               per_map=per_map)  # fmt: skip
    assert_same(single, streamed)
    assert streamed.num_predictions == preds.num_predictions
    assert list(tmp_path.iterdir()) == []  # spill files removed


def test_rows_in_any_order_equal_the_single_pass(tmp_path: Path) -> None:
    # a frame's predictions scattered over chunks that arrive in an order unrelated to frames
    data = random_detection(9, n_images=14, crowd_rate=0.2)
    gt = data.gt()
    preds = data.preds(gt)
    shuffled = np.random.default_rng(0).permutation(preds.num_predictions)
    mixed = dataclasses.replace(preds, frame=preds.frame[shuffled], cls=preds.cls[shuffled],
                                box=preds.box[shuffled], score=preds.score[shuffled])
    single = evaluate_model(gt, mixed, CONFIG)
    assert_same(single, evaluate_chunks(gt, chunks_of(mixed, 5), CONFIG, name="m", num_parts=4, workdir=tmp_path))
    assert_same(single, evaluate_in_parts(gt, mixed, CONFIG, num_parts=4))


def test_segment_counts_from_partitions_equal_the_masked_counts() -> None:
    from reportgen.engine.evaluation import segment_counts

    data = random_detection(12, n_images=16, crowd_rate=0.2)
    gt = data.gt()
    preds = data.preds(gt)
    rng = np.random.default_rng(3)
    masks = [rng.random(gt.num_frames) < 0.5, np.zeros(gt.num_frames, dtype=bool), np.ones(gt.num_frames, bool)]
    single = evaluate_model(gt, preds, CONFIG)
    parted = evaluate_in_parts(gt, preds, CONFIG, num_parts=5, segment_masks=masks, keep_records=True)
    assert len(parted.segments) == 3
    for mask, got in zip(masks, parted.segments, strict=True):
        want = segment_counts(gt, single, mask)
        assert np.array_equal(got.matrix, want.matrix) and got.frame_count == want.frame_count
    # the curves of a segment, from the kept records, equal those of the single pass's matching
    from reportgen.engine.evaluation import curve_set, curves_from_records

    assert parted.records is not None
    a = curve_set(gt, preds, single.match, masks[0])
    b = curves_from_records(gt, parted.records, masks[0])
    for f in dataclasses.fields(a):
        assert np.array_equal(getattr(a, f.name), getattr(b, f.name), equal_nan=True), f.name


def test_runs_of_spill_files() -> None:
    from reportgen.engine.streaming import groups

    assert groups([5, 5, 5, 5], 10) == [(0, 2), (2, 4)]
    assert groups([20, 1, 1, 30, 0], 10) == [(0, 1), (1, 3), (3, 4), (4, 5)]
    assert groups([0, 0, 0], 10) == [(0, 3)]
    assert groups([], 10) == [(0, 0)]
