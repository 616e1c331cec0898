"""A report built one partition of the frames at a time (and on Dask workers) is the report built in one piece,
byte for byte; the example selection merges exactly (reportgen/engine/report_parts.py)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reportgen.demo import write_demo_project
from reportgen.engine.project_run import run_project
from reportgen.engine.report_parts import Candidates, select
from reportgen.io.project import load_project
from reportgen.report.build import build_report


def random_candidates(rng: np.random.Generator, n: int, cells: int, frames: int) -> Candidates:
    key = rng.choice([-0.9, -0.5, -0.5, -0.1, 0.0, -np.inf], size=n)  # many ties: the tie-break decides
    return Candidates(
        cell=rng.integers(0, cells, n),
        key=key,
        tie=rng.permutation(n).astype(np.int64),
        pred=rng.integers(-1, 50, n),
        obj=rng.integers(-1, 50, n),
        iou=rng.random(n),
        frame=rng.integers(0, frames, n),
    )


def select_by_hand(items: Candidates, masks: list[np.ndarray], caps: tuple[int, int]) -> list[int]:
    """The listing rule written out: per cell, in (key, tie) order, an item is listed when fewer than caps[0]
    items of its cell come before it, or fewer than caps[1] of its cell on a segment's frames when it is on
    that segment's frames. Returns the listed items' ``tie`` values in listing order."""
    listed = []
    for cell in sorted(set(items.cell.tolist())):
        rows = sorted(np.flatnonzero(items.cell == cell).tolist(), key=lambda r: (items.key[r], items.tie[r]))
        for i, r in enumerate(rows):
            keep = i < caps[0]
            for mask in masks:
                if mask[items.frame[r]]:
                    before = sum(1 for q in rows[:i] if mask[items.frame[q]])
                    keep |= before < caps[1]
            if keep:
                listed.append(int(items.tie[r]))
    return listed


@pytest.mark.parametrize("seed", range(6))
def test_selection_of_the_partitions_selections_is_the_selection_of_all(seed: int) -> None:
    rng = np.random.default_rng(seed)
    frames = 30
    items = random_candidates(rng, 400, cells=7, frames=frames)
    masks = [rng.random(frames) < 0.3, rng.random(frames) < 0.6]
    caps = (5, 2)
    whole = select(items, masks, caps)
    assert whole.tie.tolist() == select_by_hand(items, masks, caps)
    # split by frames into 4 partitions, selected each, merged one at a time in a shuffled order
    part_of = rng.integers(0, 4, frames)
    parts = [select(items.take(np.flatnonzero(part_of[items.frame] == p)), masks, caps) for p in range(4)]
    merged = parts[3]
    for p in (1, 0, 2):
        merged = select(Candidates.concat([merged, parts[p]]), masks, caps)
    for field in ("cell", "key", "tie", "pred", "obj", "frame"):
        assert np.array_equal(getattr(merged, field), getattr(whole, field)), field
    assert np.array_equal(merged.iou, whole.iou, equal_nan=True)


def test_a_partition_with_objects_and_no_predictions() -> None:
    """Frames whose objects no prediction is near: their partitions list the objects as missed (no IoU), and the
    merged report data is the one-piece run's."""
    from dataclasses import replace

    from reportgen.engine.evaluation import EvalConfig, evaluate_model
    from reportgen.engine.report_parts import ReportSpec
    from reportgen.engine.streaming import evaluate_in_parts
    from tests.gen import random_detection

    data = random_detection(3, n_images=16)
    gt = data.gt()
    preds = data.preds(gt)
    keep = preds.frame >= 8  # frames 0-7 keep their objects and lose every prediction
    preds = replace(preds, frame=preds.frame[keep], cls=preds.cls[keep], box=preds.box[keep], score=preds.score[keep])
    spec = ReportSpec((20, 3))
    one = evaluate_model(gt, preds, EvalConfig.default(), report=spec).report
    parted = evaluate_in_parts(gt, preds, EvalConfig.default(), num_parts=4, report=spec).report
    assert one is not None and parted is not None
    for a, b in zip(one.predictions + one.missed, parted.predictions + parted.missed, strict=True):
        assert a.tie.tolist() == b.tie.tolist()
        assert np.array_equal(a.iou, b.iou, equal_nan=True)
    assert np.array_equal(one.outcomes.matched_class, parted.outcomes.matched_class)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: Any) -> Path:
    return write_demo_project(tmp_path_factory.mktemp("demo"))


def html_of(project_file: Path, out: Path, **run_options: Any) -> bytes:
    project = load_project(project_file)
    run = run_project(project, report=True, **run_options)
    build_report(project, out, run=run, bootstrap_presets=[(0.3, 0.5)])
    return out.read_bytes()


def test_a_report_in_parts_is_the_report_in_one_piece(demo: Path, tmp_path: Path, monkeypatch: Any) -> None:
    """Every number, example, flip sample, bootstrap interval and picture: the same bytes with 1, 2, 5 and 13
    partitions (partitions cut frames of every segment, some are nearly empty)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    one = html_of(demo, tmp_path / "one.html", extra_presets=[(0.3, 0.5)])
    for k in (1, 2, 5, 13):
        parted = html_of(demo, tmp_path / f"p{k}.html", extra_presets=[(0.3, 0.5)], partitioned=True, num_parts=k)
        assert parted == one, k


def test_a_classification_report_in_parts_is_the_report_in_one_piece(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    project_file = write_demo_project(tmp_path / "demo", task="classification")
    one = html_of(project_file, tmp_path / "one.html", extra_presets=[(0.3, 0.5)])
    for k in (3, 8):
        parted = html_of(project_file, tmp_path / f"p{k}.html", extra_presets=[(0.3, 0.5)], partitioned=True,
                         num_parts=k)  # fmt: skip
        assert parted == one, k


def test_build_on_a_cluster_equals_the_build_in_one_process(demo: Path, tmp_path: Path, monkeypatch: Any) -> None:
    """``reportgen build --dask local:2`` (worker processes) writes the single process's report, byte for byte."""
    pytest.importorskip("distributed")
    from tests.cli import build

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    single = build(demo, "-o", a, "-q")
    assert single.code == 0, single.stderr
    on_cluster = build(demo, "-o", b, "-q", "--dask", "local:2")
    assert on_cluster.code == 0, on_cluster.stderr
    assert a.read_bytes() == b.read_bytes()


def test_examples_partitions_cover_each_segment(demo: Path) -> None:
    """The partitioned run above really cuts segments: every segment with frames in two or more partitions."""
    project = load_project(demo)
    run = run_project(project, report=True, partitioned=True, num_parts=5)
    f = run.gt.num_frames
    bounds = [-((-p * f) // 5) for p in range(6)]
    for sf in run.segments:
        frames = np.flatnonzero(sf.mask)
        spans = {p for fr, p in itertools.product(frames.tolist(), range(5)) if bounds[p] <= fr < bounds[p + 1]}
        assert len(spans) >= 2 or frames.size <= 1, sf.segment.name
