"""Oracles the tests hold the engine and the page to: straightforward re-computations, slow on purpose, that no
product code uses. A PR curve point by point from the report matching (``pr_curve``, ``curve_from_outcomes``;
COCO's 101-point ``interpolated_ap``), the objects whose outcome flipped between two inference sets, grouped as
the page groups them (``flips``), and the B − A matrix cell by cell as the page draws it (``delta_grid``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from reportgen.engine.compare import ObjectOutcomes, outcome_at
from reportgen.engine.grids import COCO_RECALL_THRESHOLDS
from reportgen.engine.match import IGNORED, MatchResult
from reportgen.engine.metrics import f1_score, safe_div
from reportgen.io.containers import BoolArray, FloatArray, GroundTruth, IntArray, Predictions
from reportgen.report.render import div_colour, int_text, wants_white


@dataclass(frozen=True, eq=False)
class Curve:
    """A precision-recall curve: one point per distinct confidence, in descending confidence.

    Attributes:
        confidence: ``(P,)`` the threshold of each point (predictions with ``score >= confidence`` count).
        precision, recall, f1: ``(P,)``.
        tp, predicted: ``(P,)`` counts at each point; ``support`` the number of objects.
    """

    confidence: FloatArray
    precision: FloatArray
    recall: FloatArray
    f1: FloatArray
    tp: IntArray
    predicted: IntArray
    support: int

    def ap101(self) -> float | None:
        """101-point interpolated AP, as COCO interpolates (None without objects)."""
        return interpolated_ap(self.recall, self.precision, self.support)

    def best_f1(self) -> tuple[float, float] | None:
        """``(confidence, f1)`` maximising F1, ties at the lowest confidence; None if F1 is never defined."""
        if self.f1.size == 0 or np.all(np.isnan(self.f1)):
            return None
        f1 = np.where(np.isnan(self.f1), -1.0, self.f1)
        best = f1.max()
        # points are in descending confidence: the last maximum has the lowest confidence
        i = int(np.flatnonzero(f1 == best)[-1])
        return float(self.confidence[i]), float(best)

    def at(self, confidence: float) -> int | None:
        """Index of the point that holds at ``confidence`` (the lowest point score >= confidence), or None."""
        hits = np.flatnonzero(self.confidence >= confidence)
        return int(hits[-1]) if hits.size else None


def curve_from_outcomes(score: FloatArray, correct: BoolArray, support: int, *, presorted: bool = False) -> Curve:
    """PR curve from the counted predictions' scores and whether each was correct.

    ``presorted``: the inputs are already in descending score (skips the sort).
    """
    if presorted:
        s, hits = score, correct
    else:
        order = np.argsort(-score, kind="stable")
        s, hits = score[order], correct[order]
    tp_cum = np.cumsum(hits, dtype=np.int64)
    last = np.flatnonzero(np.append(s[1:] != s[:-1], True)) if s.size else np.zeros(0, dtype=np.int64)
    tp = tp_cum[last]
    predicted = (last + 1).astype(np.int64)
    precision = safe_div(tp, predicted)
    recall = safe_div(tp, np.full(tp.shape, support))
    return Curve(s[last], precision, recall, f1_score(precision, recall), tp, predicted, support)


def pr_curve(
    gt: GroundTruth,
    preds: Predictions,
    match: MatchResult,
    iou_index: int,
    cls: int | None,
    frame_mask: BoolArray | None = None,
) -> Curve:
    """PR curve of class ``cls`` (None: pooled over all classes) at one IoU threshold of ``match``.

    Uses the report matching: a point's precision and recall equal those of the confusion matrix at that
    confidence (pooled: ``TP / (TP + FP + confusions)`` and ``TP / all objects``).
    """
    outcome = match.pred_outcome[iou_index]
    sel = outcome != IGNORED
    g_sel = ~gt.crowd
    if frame_mask is not None:
        sel &= frame_mask[preds.frame]
        g_sel &= frame_mask[gt.frame]
    if cls is not None:
        sel &= preds.cls == cls
        g_sel &= gt.cls == cls
    oc = outcome[sel]
    correct = np.append(gt.cls, -1)[oc] == preds.cls[sel]  # -1 (unmatched) reads the sentinel
    return curve_from_outcomes(preds.score[sel], correct, int(np.count_nonzero(g_sel)))


def interpolated_ap(recall: FloatArray, precision: FloatArray, support: int) -> float | None:
    """COCO's 101-point interpolated AP of a curve whose points are in descending confidence."""
    if support == 0:
        return None
    if recall.size == 0:
        return 0.0
    pr = np.where(np.isnan(precision), 0.0, precision)
    pr = np.maximum.accumulate(pr[::-1])[::-1]
    inds = np.searchsorted(recall, COCO_RECALL_THRESHOLDS, side="left")
    q = np.zeros(COCO_RECALL_THRESHOLDS.shape[0])
    valid = inds < recall.size
    q[valid] = pr[inds[valid]]
    return float(np.mean(q))


@dataclass(frozen=True)
class Flip:
    """Objects of class ``gt_class`` whose outcome went from ``before`` to ``after`` (C = missed)."""

    gt_class: int
    before: int
    after: int
    objects: tuple[int, ...]


def flips(
    gt: GroundTruth,
    baseline: ObjectOutcomes,
    candidate: ObjectOutcomes,
    u: int,
    t: int,
    frame_mask: BoolArray | None = None,
) -> list[Flip]:
    """Every object whose outcome differs, grouped by (class, before, after), largest groups first."""
    c = gt.num_classes
    a = outcome_at(baseline, u, t, c)
    b = outcome_at(candidate, u, t, c)
    sel = (a != b) & ~gt.crowd
    if frame_mask is not None:
        sel &= frame_mask[gt.frame]
    idx = np.flatnonzero(sel)
    groups: dict[tuple[int, int, int], list[int]] = {}
    for i in idx.tolist():
        groups.setdefault((int(gt.cls[i]), int(a[i]), int(b[i])), []).append(i)
    out = [Flip(g, x, y, tuple(v)) for (g, x, y), v in groups.items()]
    out.sort(key=lambda f: (-len(f.objects), f.gt_class, f.before, f.after))
    return out


def delta_label(predicted: str, truth: str, a: int, b: int) -> str:
    """The spec's hover text of a delta cell: ``"delta - straight + 10 (2 -> 12)"``, i.e. ``<predicted> -
    <ground truth> <sign> <absolute change> (<A's count> -> <B's count>)``; no change is ``+ 0``."""
    d = b - a
    return f"{predicted} - {truth} {'-' if d < 0 else '+'} {int_text(abs(d))} ({int_text(a)} -> {int_text(b)})"


def delta_count_text(d: int) -> str:
    """A delta cell's text in Absolute mode: ``+10``, ``−3``, ``0``."""
    return "0" if d == 0 else ("+" if d > 0 else "−") + int_text(abs(d))


def delta_share_text(q: float) -> str:
    """A delta cell's text in Percentage mode: the change of a share (a fraction) in percentage points."""
    text = f"{abs(q * 100):.1f}"
    return text if q == 0 else ("+" if q > 0 else "−") + text


@dataclass(frozen=True)
class DeltaCell:
    value: int  # B's count minus A's
    text: str
    label: str  # hover text and aria-label
    colour: str | None  # None: no change, neutral
    dark: bool
    better: bool | None  # None: no change


def _share(matrix: npt.NDArray[np.int64], den: str, g: int, p: int) -> float:
    d = int(matrix[g].sum() if den == "row" else matrix[:, p].sum() if den == "col" else matrix.sum())
    return int(matrix[g, p]) / d if d else 0.0


def delta_grid(names: Sequence[str], mat_a: npt.NDArray[np.int64], mat_b: npt.NDArray[np.int64], *,
               pct: bool = False, den: str = "row") -> list[list[DeltaCell | None]]:  # fmt: skip
    """The B − A matrix as the page shows it (``RG.Matrix.modes.delta``; docs/compare.md): rows of cells, None
    for the background/background corner.

    Absolute (``pct`` False): the change of each count. Percentage: the change of the cell's share of its row /
    column / total (``den`` "row" / "col" / "all"), B's share minus A's. Colour: better (an increase on the
    diagonal, a decrease elsewhere) blue, worse red, darkness ``sqrt(|change| / largest change)`` where the
    largest change is taken over the cell's row / column / the whole matrix in Absolute mode (per ``den``), and
    over the whole matrix in Percentage mode.
    """
    k = mat_a.shape[0]
    c = k - 1
    labels = [*names, "background"]
    q = np.zeros((k, k))
    for g in range(k):
        for p in range(k):
            if g == c and p == c:
                continue
            if pct:
                q[g, p] = _share(mat_b, den, g, p) - _share(mat_a, den, g, p)
            else:
                q[g, p] = int(mat_b[g, p]) - int(mat_a[g, p])
    mag = np.abs(q)
    rows: list[list[DeltaCell | None]] = []
    for g in range(k):
        row: list[DeltaCell | None] = []
        for p in range(k):
            if g == c and p == c:
                row.append(None)
                continue
            a, b = int(mat_a[g, p]), int(mat_b[g, p])
            v = float(q[g, p])
            text = delta_share_text(v) if pct else delta_count_text(b - a)
            colour, dark, better = None, False, None
            if v != 0:
                if pct or den == "all":
                    scale = float(mag.max())
                else:
                    scale = float(mag[g].max() if den == "row" else mag[:, p].max())
                x = math.sqrt(abs(v) / scale)
                better = (g == p and g < c) == (v > 0)
                colour = div_colour(x if better else -x)
                dark = wants_white(colour)
            row.append(DeltaCell(b - a, text, delta_label(labels[p], labels[g], a, b), colour, dark, better))
        rows.append(row)
    return rows
