"""Verdicts of every inference set on every segment, and the payload, JUnit and Markdown forms of them.

Rules (semantics.md): ``succeeds = score >= threshold``; ``None`` without a threshold; ``False`` when the score
is undefined. A relative target's threshold is the baseline's score minus ``max_drop``.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import numpy.typing as npt

from reportgen.display import score_text
from reportgen.engine.grids import index_of
from reportgen.engine.metrics import scores_from_matrix
from reportgen.engine.project_run import ProjectRun
from reportgen.io.containers import BoolArray, FloatArray
from reportgen.io.project import GATING_TYPE, METRICS, Segment, Target

PAYLOAD_KEYS = {"precision": "precision", "recall": "recall", "f1": "f1_score"}


@dataclass(frozen=True)
class MetricVerdict:
    score: float | None
    threshold: float | None
    succeeds: bool | None
    baseline: tuple[str, float | None, float] | None = None  # (inference set, its score, max_drop)


@dataclass(frozen=True)
class SegmentVerdict:
    inference_set: str
    segment: Segment
    frame_count: int
    metrics: tuple[tuple[str, MetricVerdict], ...]
    false_positives: int
    false_negatives: int
    total_confusions: int
    uuid: str

    def metric(self, name: str) -> MetricVerdict:
        return dict(self.metrics)[name]

    @property
    def passes(self) -> bool:
        """Every metric with a threshold succeeds."""
        return all(v.succeeds is not False for _, v in self.metrics)


def segment_uuid(project_name: str, segment_name: str) -> str:
    """uuid5 of the project and segment names (namespace URL, name ``json.dumps([project, segment])``)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, json.dumps([project_name, segment_name])))


def _clean(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


# ------------------------------------------------------------------------------------------ the one rule
def effective_threshold(target: Target | None, baseline_score: float | None) -> float | None:
    """The threshold a target sets: absolute, or the baseline's score minus ``max_drop`` (``None`` when there is
    no target, or the baseline's score is undefined)."""
    if target is None:
        return None
    if target.baseline is not None:
        return None if baseline_score is None else baseline_score - (target.max_drop or 0.0)
    return target.threshold


def succeeds(score: float | None, threshold: float | None, has_target: bool) -> bool | None:
    """THE verdict rule (semantics.md): ``None`` without a target; ``False`` when the score or the threshold is
    undefined; else ``score >= threshold``. :func:`judge` is the same rule over arrays."""
    if not has_target:
        return None
    return score is not None and threshold is not None and score >= threshold


def judge(scores: FloatArray, thresholds: FloatArray, has_target: BoolArray) -> npt.NDArray[np.int8]:
    """:func:`succeeds` over arrays (NaN = undefined): 1 pass, 0 fail, -1 no target."""
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(scores) & np.isfinite(thresholds) & (scores >= thresholds)
    return np.where(has_target, ok.astype(np.int8), np.int8(-1)).astype(np.int8)


def resolve_thresholds(
    cards: FloatArray, segments: Sequence[Segment], names: Sequence[str]
) -> tuple[FloatArray, BoolArray]:
    """Thresholds of every (inference set, segment, ..., metric) cell of ``cards`` (``(M, S, ..., 3)`` scores in
    ``METRICS`` order), relative targets resolved against their baseline's cell; NaN where there is no target or
    the baseline's score is undefined. Returns ``(thresholds, has_target)``, ``has_target`` ``(S, 3)``."""
    thresholds = np.full(cards.shape, np.nan)
    has_target = np.zeros((len(segments), len(METRICS)), dtype=bool)
    for si, seg in enumerate(segments):
        for k, metric in enumerate(METRICS):
            target = seg.target(metric)
            if target is None:
                continue
            has_target[si, k] = True
            if target.baseline is not None:
                base = cards[names.index(target.baseline), si, ..., k]
                thresholds[:, si, ..., k] = base - (target.max_drop or 0.0)  # NaN stays NaN
            else:
                thresholds[:, si, ..., k] = target.threshold
    return thresholds, has_target


def segment_scores(run: ProjectRun, model: str, seg: Segment, iou: float, confidence: float) -> dict[str, Any]:
    """Precision / recall / F1 and FP / FN / confusions of one model on one segment at one preset."""
    counts = run.counts[model, seg.name]
    u = index_of(counts.iou_thresholds, iou)
    t = index_of(counts.conf_thresholds, confidence)
    s = scores_from_matrix(counts.matrix[u, t])
    if seg.metric_class is None:
        p, r, f = (float(x) for x in s.micro)
        fp, fn, conf = int(s.total_fp), int(s.total_fn), int(s.total_confusions)
    else:
        k = run.gt.classes.index(seg.metric_class)
        p, r, f = float(s.precision[k]), float(s.recall[k]), float(s.f1[k])
        fp, fn = int(s.fp[k]), int(s.fn[k])
        conf = int(s.confused_as[k] + s.confused_from[k])
    return {"precision": _clean(p), "recall": _clean(r), "f1": _clean(f), "fp": fp, "fn": fn, "confusions": conf}


def compute_verdicts(
    run: ProjectRun, *, iou: float, confidence: float, inference_sets: Sequence[str] | None = None
) -> list[SegmentVerdict]:
    """One verdict per (inference set, segment): "All Frames" first, then the project file's order."""
    names = list(inference_sets) if inference_sets else [r.name for r in run.results]
    cache: dict[tuple[str, str], dict[str, Any]] = {}

    def scores(model: str, seg: Segment) -> dict[str, Any]:
        if (model, seg.name) not in cache:
            cache[model, seg.name] = segment_scores(run, model, seg, iou, confidence)
        return cache[model, seg.name]

    out = []
    for model in names:
        for sf in run.segments:
            seg = sf.segment
            sc = scores(model, seg)
            metrics = []
            for metric in METRICS:
                score = sc[metric]
                target = seg.target(metric)
                baseline = None
                base_score = None
                if target is not None and target.baseline is not None:
                    base_score = scores(target.baseline, seg)[metric]
                    baseline = (target.baseline, base_score, target.max_drop or 0.0)
                threshold = effective_threshold(target, base_score)
                verdict = succeeds(score, threshold, target is not None)
                metrics.append((metric, MetricVerdict(score, threshold, verdict, baseline)))
            out.append(
                SegmentVerdict(
                    model,
                    seg,
                    sf.frame_count,
                    tuple(metrics),
                    sc["fp"],
                    sc["fn"],
                    sc["confusions"],
                    segment_uuid(run.project.name, seg.name),
                )
            )
    return out


def payload(verdicts: Sequence[SegmentVerdict]) -> dict[str, list[dict[str, Any]]]:
    """The spec's regression-test payload, keyed by inference set."""
    out: dict[str, list[dict[str, Any]]] = {}
    for v in verdicts:
        item: dict[str, Any] = {"segment_name": v.segment.name, "frame_count": v.frame_count}
        for metric in METRICS:
            m = v.metric(metric)
            entry: dict[str, Any] = {"score": m.score, "threshold": m.threshold, "succeeds": m.succeeds}
            if m.baseline is not None:
                entry["baseline"] = {"inference_set": m.baseline[0], "score": m.baseline[1], "max_drop": m.baseline[2]}
            item[PAYLOAD_KEYS[metric]] = entry
        item["false_positives"] = {"score": v.false_positives}
        item["false_negatives"] = {"score": v.false_negatives}
        item["total_confusions"] = {"score": v.total_confusions}
        item["segment_type"] = v.segment.type
        item["uuid"] = v.uuid
        if v.segment.metric_class is not None:
            item["metric_class"] = v.segment.metric_class
        out.setdefault(v.inference_set, []).append(item)
    return out


def _num(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def shown_against(score: float | None, threshold: float | None) -> str:
    """A score as the text outputs show it against its threshold: the one display rule
    (:func:`reportgen.display.score_text`), with "-" for undefined."""
    return score_text(score, threshold, dash="-")




def _verdict_word(m: MetricVerdict, *, gating: bool) -> str:
    if m.succeeds is None:
        return shown_against(m.score, None)
    mark = ("PASS" if m.succeeds else "FAIL") if gating else ("met" if m.succeeds else "missed")
    return f"{shown_against(m.score, m.threshold)} {'>=' if m.succeeds else '<'} {_num(m.threshold)} {mark}"


def _status(v: SegmentVerdict) -> str:
    if not any(m.succeeds is not None for _, m in v.metrics):
        return "-"
    if v.segment.type == GATING_TYPE:
        return "PASS" if v.passes else "FAIL"
    return "met" if v.passes else "missed"


def text_table(verdicts: Sequence[SegmentVerdict], *, iou: float, confidence: float) -> list[str]:
    """Readable verdicts, failures first, then the summary (``summary_lines``).

    Regression tests say PASS / FAIL; targets on Splits and Scenarios say met / missed (they do not gate).
    """
    ordered = sorted(verdicts, key=lambda v: (v.passes, v.segment.type != GATING_TYPE, v.inference_set))
    lines = [f"Verdicts at confidence {confidence:g}, IoU {iou:g} (failures first)"]
    header = ["", "inference set", "segment", "type", "frames", "precision", "recall", "f1", "FP", "FN", "confusions"]
    rows = [header]
    for v in ordered:
        gating = v.segment.type == GATING_TYPE
        rows.append(
            [_status(v), v.inference_set, v.segment.name, v.segment.type, str(v.frame_count)]
            + [_verdict_word(v.metric(m), gating=gating) for m in METRICS]
            + [str(v.false_positives), str(v.false_negatives), str(v.total_confusions)]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for r in rows:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    lines.append("FP: false positives; FN: false negatives; confusions: objects detected as another class.")
    return lines + summary_lines(verdicts)


def regression_failures(verdicts: Sequence[SegmentVerdict]) -> list[SegmentVerdict]:
    """The regression tests that fail: ``check`` exits 1 when there is any."""
    return [v for v in verdicts if v.segment.type == GATING_TYPE and not v.passes]


def summary_lines(verdicts: Sequence[SegmentVerdict]) -> list[str]:
    """The closing lines of ``check``: how many regression tests pass, and what the other targets mean."""
    regress = [v for v in verdicts if v.segment.type == GATING_TYPE]
    failed = regression_failures(verdicts)
    lines = [""]
    missed = [v for v in verdicts if v.segment.type != GATING_TYPE and not v.passes]
    if missed:
        lines.append(
            f"Splits and Scenarios: {len(missed)} result{'s' if len(missed) != 1 else ''} below target "
            "(informational: only regression tests set the exit code)"
        )
    lines.append(f"{len(regress) - len(failed)} of {len(regress)} regression tests pass")
    if not regress:
        lines[-1] += " (the project has no regression test, so nothing gates the exit code)"
    return lines


def junit_xml(verdicts: Sequence[SegmentVerdict], *, iou: float, confidence: float) -> str:
    """JUnit XML: a suite per inference set, a test case per regression test x metric."""
    suites = []
    by_set: dict[str, list[SegmentVerdict]] = {}
    for v in verdicts:
        if v.segment.type == GATING_TYPE:
            by_set.setdefault(v.inference_set, []).append(v)
    total = failures = skipped = 0
    for name, items in by_set.items():
        cases = []
        s_fail = s_skip = 0
        for v in items:
            for metric in METRICS:
                m = v.metric(metric)
                case_name = f"{v.segment.name} · {metric}"
                attrs = f'classname={quoteattr(f"reportgen.{name}")} name={quoteattr(case_name)} time="0"'
                detail = (
                    f"{metric} {shown_against(m.score, m.threshold)} against threshold {_num(m.threshold)} "
                    f"at confidence {confidence:g}, IoU {iou:g} on {v.frame_count} frames"
                )
                if m.baseline is not None:
                    detail += f" (baseline {m.baseline[0]} {_num(m.baseline[1])} minus {m.baseline[2]:g})"
                if m.succeeds is None:
                    s_skip += 1
                    cases.append(f'    <testcase {attrs}><skipped message="no target"/></testcase>')
                elif m.succeeds:
                    cases.append(f"    <testcase {attrs}><system-out>{escape(detail)}</system-out></testcase>")
                else:
                    s_fail += 1
                    cases.append(
                        f'    <testcase {attrs}><failure message={quoteattr(detail)} type="ThresholdNotMet">'
                        f"{escape(detail)}</failure></testcase>"
                    )
        total += len(cases)
        failures += s_fail
        skipped += s_skip
        suites.append(
            f'  <testsuite name={quoteattr(name)} tests="{len(cases)}" failures="{s_fail}" errors="0" '
            f'skipped="{s_skip}">\n' + "\n".join(cases) + "\n  </testsuite>"
        )
    head = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="reportgen regression tests" tests="{total}" '
        f'failures="{failures}" errors="0" skipped="{skipped}">'
    )
    return head + "\n" + "\n".join(suites) + ("\n" if suites else "") + "</testsuites>\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def markdown(verdicts: Sequence[SegmentVerdict], *, iou: float, confidence: float, project: str) -> str:
    """A summary for a CI step summary or a pull-request comment."""
    regress = [v for v in verdicts if v.segment.type == GATING_TYPE]
    failed = [v for v in regress if not v.passes]
    lines = [f"## reportgen: {_md_cell(project)}", ""]
    lines.append(
        f"**{len(regress) - len(failed)} of {len(regress)} regression tests pass** "
        f"(confidence {confidence:g}, IoU {iou:g})."
    )
    lines += [
        "",
        "| | inference set | segment | type | frames | precision | recall | F1 | FP | FN | confusions |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for v in sorted(verdicts, key=lambda v: (v.passes, v.segment.type != GATING_TYPE)):
        has_target = any(m.succeeds is not None for _, m in v.metrics)
        icon = ("✅" if v.passes else "❌") if has_target else ""
        cells = [icon, v.inference_set, v.segment.name, v.segment.type, str(v.frame_count)]
        for metric in METRICS:
            m = v.metric(metric)
            text = shown_against(m.score, m.threshold)
            if m.threshold is not None:
                text += f" {'≥' if m.succeeds else '<'} {_num(m.threshold)}"
            cells.append(text)
        cells += [str(v.false_positives), str(v.false_negatives), str(v.total_confusions)]
        lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"
