"""Examples behind the matrix cells are the right objects and predictions, capped as documented."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reportgen.demo import write_demo_project
from reportgen.engine.match import IGNORED
from reportgen.engine.project_run import run_project
from reportgen.io.project import load_project
from reportgen.report.examples import GLOBAL_CAP, PER_SEGMENT_CAP, build_examples


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    return run_project(load_project(write_demo_project(Path(root))))


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
    assert sum(len(v) for v in ex["thumbnails"].values()) == stats["used_bytes"]
    assert stats["with_picture"] == len(ex["thumbnails"]) > 0
    assert stats["without_picture"] > 0
    for key in ex["thumbnails"]:
        m, pred, obj = (int(v) for v in key.split(":"))
        assert 0 <= m < len(demo_run.results)
        assert pred >= 0 or obj >= 0
