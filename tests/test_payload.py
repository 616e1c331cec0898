"""The report data does not grow with the frames (docs/report-payload.md, schema_version 2): the flip counts
against the test oracle at every pair, segment and preset, the flip sample's outcomes against the engine, the
frame ids and segment memberships of the frames the payload refers to, and the caps."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from reportgen.engine.compare import flip_group, object_outcomes
from reportgen.report import payload as payload_module
from reportgen.report.payload import SCHEMA_VERSION, build_payload, frame_id_map, unblob
from tests.oracles import flips
from tests.test_render import Report, classification_report, demo_report  # noqa: F401 (fixtures)


def blobs(payload: dict[str, Any], *names: str) -> list[np.ndarray]:
    return [unblob(payload["blobs"][n]) for n in names]


def pair_groups(payload: dict[str, Any], q: int, s: int, u: int, t: int) -> dict[int, int]:
    offsets, groups, counts = blobs(payload, "flip_offsets", "flip_groups", "flip_counts")
    start, n = (int(x) for x in offsets[q, s, u])
    return {int(g): int(c) for g, c in zip(groups[start : start + n], counts[start : start + n, t], strict=True) if c}


@pytest.mark.parametrize("name", ["demo_report", "classification_report"])
def test_flip_counts_are_the_oracles_everywhere(name: str, request: pytest.FixtureRequest) -> None:
    rep: Report = request.getfixturevalue(name)
    p, run = rep.payload, rep.run
    assert p["schema_version"] == SCHEMA_VERSION == 2
    gt = run.gt
    k = gt.num_classes + 1
    outcomes = [object_outcomes(gt, r) for r in run.results]
    u_count, t_count = run.config.iou_grid.size, run.config.confidence_grid.size
    checked = 0
    for q, (a, b) in enumerate(p["compare"]["pairs"]):
        for s, sf in enumerate(run.segments):
            for u in range(u_count):
                for t in range(0, t_count, 4 if u_count > 1 else 1):
                    want = {int(flip_group(f.gt_class, f.before, f.after, k)): len(f.objects)
                            for f in flips(gt, outcomes[a], outcomes[b], u, t, sf.mask)}  # fmt: skip
                    assert pair_groups(p, q, s, u, t) == want, (q, s, u, t)
                    checked += sum(want.values())
    assert checked > 500


def test_the_flip_sample_is_the_engines_outcomes(demo_report: Report) -> None:  # noqa: F811
    p, run = demo_report.payload, demo_report.run
    gt = run.gt
    offsets, objects, frame, cls, oc, ol = blobs(p, "sample_offsets", "sample_object", "sample_frame", "sample_class",
                                                 "sample_outcome_class", "sample_outcome_last")  # fmt: skip
    outcomes = [object_outcomes(gt, r) for r in run.results]
    assert p["compare"]["flips"]["sample_cap"] == payload_module.FLIP_SAMPLE
    for q, (a, b) in enumerate(p["compare"]["pairs"]):
        start, n = (int(x) for x in offsets[q])
        sl = slice(start, start + n)
        obj = objects[sl].astype(np.int64)
        assert n > 0 and np.all(np.diff(obj) > 0)
        assert np.array_equal(frame[sl], gt.frame[obj]) and np.array_equal(cls[sl], gt.cls[obj])
        assert not gt.crowd[obj].any()
        for side, m in enumerate((a, b)):
            assert np.array_equal(oc[sl, side, :].T, outcomes[m].matched_class[:, obj])
            assert np.array_equal(ol[sl, side, :].T, np.minimum(outcomes[m].last_preset[:, obj], 255))
        # every sampled object flips at some preset
        differs = (outcomes[a].matched_class[:, obj] != outcomes[b].matched_class[:, obj]) | (
            outcomes[a].last_preset[:, obj] != outcomes[b].last_preset[:, obj]
        )
        assert differs.any(axis=0).all()


def test_frame_ids_and_memberships_of_the_frames_referred_to(demo_report: Report) -> None:  # noqa: F811
    p, run = demo_report.payload, demo_report.run
    gt = run.gt
    ids = frame_id_map(p)
    assert all(ids[f] == gt.frame_ids[f] for f in ids)
    ex = demo_report.examples()
    referred = set(ex["objects"]["frame"]) | {f for pr in ex["predictions"] for f in pr["frame"]}
    referred |= {int(f) for f in unblob(p["blobs"]["sample_frame"])}
    referred |= {f for seg in p["segments"] for f in seg["frames"]}
    referred |= set(p["frames"]["frame"])  # the frame viewer's frames
    assert set(ids) == referred
    index = sorted(ids)
    bits = np.unpackbits(unblob(p["blobs"]["frame_segments"]), axis=1)[:, : len(index)]
    for s, sf in enumerate(run.segments):
        assert np.array_equal(bits[s].astype(bool), sf.mask[index])


def test_segment_frames_and_flip_samples_are_capped(demo_report: Report, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    run = demo_report.run
    monkeypatch.setattr(payload_module, "SEGMENT_FRAMES", 7)
    monkeypatch.setattr(payload_module, "FLIP_SAMPLE", 2)
    small = build_payload(run)
    assert small["compare"]["flips"]["sample_cap"] == 2
    for seg, sf, full in zip(small["segments"], run.segments, demo_report.payload["segments"], strict=True):
        assert seg["frames"] == np.flatnonzero(sf.mask)[:7].tolist()
        assert seg["frame_count"] == sf.frame_count == full["frame_count"]
        assert seg["query"] == sf.segment.query
    assert small["segments"][0]["query"] is None and any(seg["query"] for seg in small["segments"])
    # fewer sampled objects, the same counts
    n_small = unblob(small["blobs"]["sample_offsets"])[:, 1]
    n_full = unblob(demo_report.payload["blobs"]["sample_offsets"])[:, 1]
    assert np.all(n_small < n_full)
    for name in ("flip_offsets", "flip_groups", "flip_counts", "bootstrap"):
        assert np.array_equal(unblob(small["blobs"][name]), demo_report.blob(name), equal_nan=True)
    # at most 2 objects of a group at a preset, on every segment
    gt = run.gt
    k = gt.num_classes + 1
    outcomes = [object_outcomes(gt, r) for r in run.results]
    offsets, objects = unblob(small["blobs"]["sample_offsets"]), unblob(small["blobs"]["sample_object"])
    for q, (a, b) in enumerate(small["compare"]["pairs"]):
        start, n = (int(x) for x in offsets[q])
        chosen = set(objects[start : start + n].tolist())
        for s, sf in enumerate(run.segments):
            for f in flips(gt, outcomes[a], outcomes[b], 0, 2, sf.mask):
                assert len(chosen & set(f.objects)) >= min(2, len(f.objects)), (q, s, f.gt_class, f.before, f.after)
                assert flip_group(f.gt_class, f.before, f.after, k) >= 0
