"""Examples behind the matrix cells are the right objects and predictions, capped as documented."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reportgen.demo import write_demo_project
from reportgen.engine.match import IGNORED
from reportgen.engine.project_run import run_project
from reportgen.engine.report_parts import GLOBAL_CAP, PER_SEGMENT_CAP
from reportgen.io.project import load_project
from reportgen.report.examples import build_examples


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    return run_project(load_project(write_demo_project(Path(root))), report=True)


def test_examples_are_consistent_with_the_matching(demo_run):
    run = demo_run
    ex = build_examples(run, thumbnail_budget=50_000)
    gt = run.gt
    c = gt.num_classes
    objects = ex["objects"]
    for m, result in enumerate(run.results):
        preds = ex["predictions"][m]
        for u, cells in enumerate(ex["cells"][m]):
            match = result.match
            matrices = run.counts[result.name, "All Frames"].matrix[u]
            for key, entries in cells.items():
                g, p = (int(v) for v in key.split(","))
                assert len(entries) <= GLOBAL_CAP + PER_SEGMENT_CAP * len(run.segments)
                # a cell's examples are objects / predictions it counts at some preset: at most its largest count
                # (predictions' cells at the lowest confidence preset; missed objects at the highest)
                assert 0 < len(entries) <= matrices[:, g, p].max()
                for pred_ref, obj_ref, iou in entries:
                    if p < c:  # counted by a prediction of class p
                        assert pred_ref >= 0 and preds["cls"][pred_ref] == p
                    if g < c:
                        assert obj_ref >= 0 and objects["cls"][obj_ref] == g
                    else:
                        assert obj_ref == -1
                    if pred_ref >= 0 and obj_ref >= 0:
                        assert iou is not None and 0 < iou <= 1
                if p < c:  # most confident first
                    scores = [preds["score"][e[0]] for e in entries]
                    assert scores == sorted(scores, reverse=True)
            # every prediction entry is a counted (not ignored) prediction
            real = result.predictions
            for entries in cells.values():
                for pred_ref, _, _ in entries:
                    if pred_ref >= 0:
                        frame, score = preds["frame"][pred_ref], preds["score"][pred_ref]
                        hits = np.flatnonzero((real.frame == frame) & (real.score == score))
                        assert any(match.pred_outcome[u, j] != IGNORED for j in hits)


def test_thumbnail_budget_is_respected(demo_run):
    ex = build_examples(demo_run, thumbnail_budget=30_000)
    stats = ex["thumbnail_stats"]
    assert stats["used_bytes"] <= 30_000
    frame_bytes = sum(len(v) for v in ex["frames"].pictures.values())
    assert sum(len(v) for v in ex["thumbnails"].values()) + frame_bytes == stats["used_bytes"]
    assert stats["with_picture"] == len(ex["thumbnails"]) > 0
    assert stats["without_picture"] > 0
    for key in ex["thumbnails"]:
        m, pred, obj = (int(v) for v in key.split(":"))
        assert 0 <= m < len(demo_run.results)
        assert pred >= 0 or obj >= 0


def test_frames_carry_every_box_of_their_frame(demo_run):
    """The frame viewer's data: for each listed frame, every ground-truth object and every prediction of every
    inference set on it, with the number of confidence presets at which the prediction counts."""
    from reportgen.report.examples import frame_cap_for

    run = demo_run
    fb = build_examples(run, thumbnail_budget=100_000)["frames"]
    gt = run.gt
    grid = run.config.confidence_grid
    assert 0 < fb.frame.size <= frame_cap_for(gt.num_classes)
    assert np.all(np.diff(fb.frame) > 0)
    assert fb.offsets[:, 1].sum() == fb.boxes.shape[0] == fb.info.shape[0]
    for k, f in enumerate(fb.frame):
        start, count = fb.offsets[k]
        rows = fb.info[start : start + count]
        boxes = fb.boxes[start : start + count]
        on = np.flatnonzero(gt.frame == f)
        assert np.array_equal(rows[rows[:, 0] == 0, 1], gt.cls[on])
        assert np.allclose(boxes[rows[:, 0] == 0], gt.box[on], atol=1e-3)
        assert np.array_equal(rows[rows[:, 0] == 0, 4], gt.crowd[on])
        for m, result in enumerate(run.results):
            pr = result.predictions
            mine = rows[:, 0] == 1 + m
            idx = np.flatnonzero(pr.frame == f)
            idx = idx[np.argsort(-pr.score[idx], kind="stable")]
            assert np.array_equal(rows[mine, 1], pr.cls[idx])
            assert np.allclose(boxes[mine], pr.box[idx], atol=1e-3)
            assert [int(x) for x in rows[mine, 2]] == [int(f"{s:.4f}".replace(".", "")) for s in pr.score[idx]]
            assert [int(x) for x in rows[mine, 3]] == [sum(g <= s for g in grid) for s in pr.score[idx]]
        assert np.array_equal(fb.size[k], gt.image_size[f])


def test_frames_follow_the_examples_priority_and_share_the_budget(demo_run):
    """Frame pictures are part of the thumbnail budget; the frames a reader meets first come first."""
    from reportgen.report import examples as ex_mod

    run = demo_run
    ex = build_examples(run, thumbnail_budget=60_000)
    stats, fb = ex["thumbnail_stats"], ex["frames"]
    crops = sum(len(v) for v in ex["thumbnails"].values())
    pictures = sum(len(v) for v in fb.pictures.values())
    assert crops + pictures == stats["used_bytes"] <= 60_000
    assert stats["frame_bytes"] == pictures > 0 and stats["frame_pictures"] == len(fb.pictures)
    assert pictures <= 60_000 * ex_mod.FRAME_SHARE + crops  # crops got their share first
    # the frames given a picture are the first of the frame order (each smaller than what was left)
    small = ex_mod.build_examples(run, thumbnail_budget=10_000)["frames"]
    assert set(small.pictures) <= set(fb.pictures)
    # a frame whose image is missing has no picture, and its boxes are still there
    gone = next(iter(fb.pictures))
    path = ex_mod._image_paths(run)[gone]
    assert path is not None
    moved = path.with_suffix(".moved")
    path.rename(moved)
    try:
        again = build_examples(run, thumbnail_budget=60_000)["frames"]
    finally:
        moved.rename(path)
    assert gone not in again.pictures and gone in again.frame.tolist()
