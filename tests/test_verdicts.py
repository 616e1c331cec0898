"""Verdicts and the payload on constructed counts (the spec's example and the boundaries)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from types import SimpleNamespace

import numpy as np
import pytest

from reportgen.engine.aggregate import PresetCounts
from reportgen.engine.project_run import SegmentFrames
from reportgen.engine.verdicts import compute_verdicts, junit_xml, markdown, payload, segment_uuid, shown_against
from reportgen.io.project import Segment, Target

IOU = np.array([0.5])
CONF = np.array([0.1])


def counts(matrix):
    return PresetCounts(IOU, CONF, np.array(matrix, dtype=np.int64)[None, None], 12)


# two classes, delta and straight; TP 103, FP 0, FN 33, confusions 3 (the spec's example payload)
SPEC_MATRIX = [[60, 3, 20], [0, 43, 13], [0, 0, 0]]


def make_run(segments, matrices, names=("model-v2",), classes=("delta", "straight")):
    frames = [SegmentFrames(s, np.ones(12, dtype=bool)) for s in segments]
    return SimpleNamespace(
        project=SimpleNamespace(name="Aircraft"),
        segments=frames,
        counts={(n, s.name): counts(matrices[n, s.name]) for n in names for s in segments},
        results=[SimpleNamespace(name=n) for n in names],
        gt=SimpleNamespace(classes=classes),
    )


def seg(name="Far away planes", kind="Regression Test", metric_class=None, **targets):
    return Segment(name=name, type=kind, metric_class=metric_class, targets=tuple(targets.items()))


def test_spec_example_payload():
    s = seg(precision=Target(0.8), recall=Target(0.8), f1=Target(0.7))
    run = make_run([s], {("model-v2", s.name): SPEC_MATRIX})
    out = payload(compute_verdicts(run, iou=0.5, confidence=0.1))
    item = out["model-v2"][0]
    assert item["segment_name"] == "Far away planes"
    assert item["frame_count"] == 12
    assert item["precision"] == {"score": pytest.approx(0.9716981132075472, abs=1e-15), "threshold": 0.8,
                                 "succeeds": True}
    assert item["recall"]["score"] == pytest.approx(0.7410071942446043, abs=1e-15)
    assert item["recall"]["succeeds"] is False  # the hosted product's example says true: its bug
    assert item["f1_score"]["score"] == pytest.approx(0.8408163265306122, abs=1e-15)
    assert item["f1_score"]["succeeds"] is True
    assert item["false_positives"] == {"score": 0}
    assert item["false_negatives"] == {"score": 33}
    assert item["total_confusions"] == {"score": 3}
    assert item["segment_type"] == "Regression Test"
    assert item["uuid"] == segment_uuid("Aircraft", "Far away planes")
    assert list(item) == ["segment_name", "frame_count", "precision", "recall", "f1_score", "false_positives",
                          "false_negatives", "total_confusions", "segment_type", "uuid"]


def test_boundaries():
    # precision exactly 0.5, recall exactly 0.5
    matrix = [[1, 0, 1], [0, 0, 0], [1, 0, 0]]
    s_eq = seg("eq", precision=Target(0.5), recall=Target(0.0))
    s_none = seg("none")
    run = make_run([s_eq, s_none], {("model-v2", "eq"): matrix, ("model-v2", "none"): matrix})
    v = compute_verdicts(run, iou=0.5, confidence=0.1)
    assert v[0].metric("precision").succeeds is True  # score == threshold passes
    assert v[0].metric("recall").succeeds is True  # 0.0 is a real threshold
    assert v[0].metric("f1").succeeds is None  # no threshold: no verdict
    assert v[1].metric("precision").succeeds is None
    assert v[1].passes


def test_undefined_score_fails_and_empty_segment_is_null():
    empty = [[0, 0, 0], [0, 0, 0], [0, 0, 0]]
    s = seg("empty", precision=Target(0.0))
    run = make_run([s], {("model-v2", "empty"): empty})
    item = payload(compute_verdicts(run, iou=0.5, confidence=0.1))["model-v2"][0]
    assert item["precision"] == {"score": None, "threshold": 0.0, "succeeds": False}
    assert item["recall"] == {"score": None, "threshold": None, "succeeds": None}


def test_metric_class_verdicts_use_the_class_row_and_column():
    s = seg("delta only", metric_class="delta", precision=Target(0.99), recall=Target(0.7))
    run = make_run([s], {("model-v2", s.name): SPEC_MATRIX})
    item = payload(compute_verdicts(run, iou=0.5, confidence=0.1))["model-v2"][0]
    assert item["precision"]["score"] == 1.0  # column delta: 60 of 60
    assert item["recall"]["score"] == pytest.approx(60 / 83)
    assert item["false_negatives"] == {"score": 20}
    assert item["total_confusions"] == {"score": 3}  # row delta: 3 confused as straight
    assert item["metric_class"] == "delta"


def test_relative_target():
    s = seg("rel", recall=Target(baseline="model-v1", max_drop=0.01))
    better = [[10, 0, 0], [0, 0, 0], [0, 0, 0]]
    worse = [[9, 0, 1], [0, 0, 0], [0, 0, 0]]
    run = make_run([s], {("model-v1", "rel"): better, ("model-v2", "rel"): worse}, names=("model-v1", "model-v2"))
    out = payload(compute_verdicts(run, iou=0.5, confidence=0.1))
    rec = out["model-v2"][0]["recall"]
    assert rec["threshold"] == pytest.approx(0.99)
    assert rec["succeeds"] is False
    assert rec["baseline"] == {"inference_set": "model-v1", "score": 1.0, "max_drop": 0.01}
    assert out["model-v1"][0]["recall"]["succeeds"] is True


def test_junit_xml_parses_and_counts():
    s = seg(precision=Target(0.8), recall=Target(0.8))
    run = make_run([s], {("model-v2", s.name): SPEC_MATRIX})
    root = ET.fromstring(junit_xml(compute_verdicts(run, iou=0.5, confidence=0.1), iou=0.5, confidence=0.1))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "model-v2"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")
    failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["Far away planes · recall"]


def test_markdown_escapes_and_summarises():
    s = seg("<b>x|y</b>", precision=Target(0.8))
    run = make_run([s], {("model-v2", s.name): SPEC_MATRIX})
    md = markdown(compute_verdicts(run, iou=0.5, confidence=0.1), iou=0.5, confidence=0.1, project="P")
    assert "**1 of 1 regression tests pass**" in md
    assert "&lt;b&gt;x\\|y&lt;/b&gt;" in md


def test_failing_value_is_never_shown_as_meeting_its_target():
    assert shown_against(0.79996, 0.8) == "0.79996"
    assert shown_against(0.8, 0.8) == "0.8000"
    assert shown_against(0.81234, 0.8) == "0.8123"
