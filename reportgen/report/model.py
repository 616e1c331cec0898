"""The report model: every number the report shows, computed once from a :class:`ProjectRun`.

Indices: ``m`` inference set (``run.results`` order), ``s`` segment (``run.segments`` order, "All Frames" first),
``u`` IoU preset, ``t`` confidence preset (the run's grids), ``k`` class (``C`` = all classes pooled, for curves),
metric axis ``(precision, recall, F1)``. NaN means undefined.

Readers: the payload encoder (:mod:`reportgen.report.payload`, which packs these arrays into the page's
typed-array blobs), the static no-JavaScript view (:mod:`reportgen.report.render`) and its chart
(:func:`reportgen.report.build.default_charts`).
Nobody decodes the blobs in Python: they read this model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from reportgen.engine.evaluation import CURVE_GRID, Progress, segment_curves
from reportgen.engine.metrics import scores_from_matrix
from reportgen.engine.project_run import ProjectRun
from reportgen.engine.report_parts import MANY_CLASSES
from reportgen.engine.verdicts import judge, resolve_thresholds
from reportgen.io.containers import FloatArray, IntArray

#: the PR curves in the report: confidences 0.00, 0.02, ..., 1.00 (every second point of CURVE_GRID), or by
#: 0.04 above MANY_CLASSES classes (the page's many-class mode), to keep COCO-scale reports small
REPORT_CURVE_STEP = 2
MANY_CLASSES_CURVE_STEP = 4

#: The undefined marker of display integers (scores x 10000 as uint16), in the payload and the page (RG.UNDEFINED).
UNDEFINED_U16 = 65535



def _noop(_: str) -> None:
    return None


def display_int(values: np.ndarray) -> np.ndarray:
    """Scores in [0, 1] as uint16 display integers: ``round(v, 4) * 10000`` exactly as ``f"{v:.4f}"`` rounds;
    NaN becomes 65535."""
    v = np.asarray(values, dtype=np.float64)
    out = np.full(v.shape, UNDEFINED_U16, dtype=np.uint16)
    ok = np.isfinite(v)
    scaled = v[ok] * 10000.0
    r = np.rint(scaled)
    # near a half-way point the binary value decides; let Python's formatting settle those few exactly
    close = np.abs(np.abs(scaled - np.floor(scaled)) - 0.5) < 1e-6
    if close.any():
        fixed = np.array([int(f"{x:.4f}".replace(".", "")) for x in v[ok][close]], dtype=np.float64)
        r[close] = fixed
    out[ok] = r.astype(np.uint16)
    return out


def as_shown(values: FloatArray) -> FloatArray:
    """Scores at the 4 decimals the page shows them (rounded as ``f"{v:.4f}"``); NaN stays NaN."""
    ints = display_int(values)
    out = ints.astype(np.float64) / 10000.0
    out[ints == UNDEFINED_U16] = np.nan
    return out


@dataclass(frozen=True, eq=False)
class ReportTables:
    """Every preset's numbers of every inference set on every segment.

    Attributes:
        cards: ``(M, S, U, T, 3)`` the segment card's precision, recall, F1: pooled over classes (micro), or of the
            segment's ``metric_class``.
        thresholds: ``(M, S, U, T, 3)`` the threshold each card is judged against (relative targets resolved
            against the baseline's card); NaN without a target or with an undefined baseline score.
        verdicts: ``(M, S, U, T, 3)`` int8, by :func:`reportgen.engine.verdicts.judge`: 1 pass, 0 fail, -1 no target.
        card_counts: ``(M, S, U, T, 3)`` false positives, false negatives, confusions of the card.
        class_scores: ``(M, S, U, T, C, 3)`` per-class precision, recall, F1.
        averages: ``(M, S, U, T, 3, 3)`` micro / macro / weighted x precision / recall / F1.
        matrix_offsets: ``(M, S, U, 2)`` ``[start, count]`` of (m, s, u)'s cells in ``matrix_cells`` /
            ``matrix_values``.
        matrix_cells: ``(N,)`` flat cell index ``g * (C + 1) + p`` of every cell that is non-zero at some preset.
        matrix_values: ``(N, T)`` the cell's count at each confidence preset.
        curve_grid: ``(P,)`` the confidences of the curve points.
        curves: ``(M, S, U, C + 1, P, 2)`` PR curve points (precision, recall); class ``C`` pooled.
        curve_stats: ``(M, S, U, C + 1, 3)`` AP (101-point), F1-optimal confidence, its F1.
    """

    cards: FloatArray
    thresholds: FloatArray
    verdicts: npt.NDArray[np.int8]
    card_counts: npt.NDArray[np.uint32]
    class_scores: FloatArray
    averages: FloatArray
    matrix_offsets: npt.NDArray[np.uint32]
    matrix_cells: npt.NDArray[np.uint32]
    matrix_values: npt.NDArray[np.uint32]
    curve_grid: FloatArray
    curves: FloatArray
    curve_stats: FloatArray

    @property
    def num_classes(self) -> int:
        return int(self.class_scores.shape[-2])

    def matrix(self, m: int, s: int, u: int, t: int) -> IntArray:
        """The ``(C + 1, C + 1)`` confusion matrix of inference set m on segment s at preset (u, t)."""
        k = self.num_classes + 1
        start, count = (int(x) for x in self.matrix_offsets[m, s, u])
        out = np.zeros(k * k, dtype=np.int64)
        out[self.matrix_cells[start : start + count].astype(np.int64)] = self.matrix_values[start : start + count, t]
        return out.reshape(k, k)


def report_tables(run: ProjectRun, progress: Progress = _noop) -> ReportTables:
    """Compute the report model's tables from a run (matching and counts are the run's; nothing is re-matched)."""
    gt = run.gt
    class_index = {name: i for i, name in enumerate(gt.classes)}
    m_count, s_count = len(run.results), len(run.segments)
    u_count, t_count = run.config.iou_grid.size, run.config.confidence_grid.size
    c = gt.num_classes
    k = c + 1
    cards = np.full((m_count, s_count, u_count, t_count, 3), np.nan)
    card_counts = np.zeros((m_count, s_count, u_count, t_count, 3), dtype=np.uint32)
    class_scores = np.full((m_count, s_count, u_count, t_count, c, 3), np.nan)
    averages = np.full((m_count, s_count, u_count, t_count, 3, 3), np.nan)
    offsets = np.zeros((m_count, s_count, u_count, 2), dtype=np.uint32)
    cells_parts: list[npt.NDArray[np.uint32]] = []
    values_parts: list[npt.NDArray[np.uint32]] = []
    n_cells = 0
    point_idx = np.arange(0, CURVE_GRID.size, REPORT_CURVE_STEP if c <= MANY_CLASSES else MANY_CLASSES_CURVE_STEP)
    curves = np.full((m_count, s_count, u_count, k, point_idx.size, 2), np.nan)
    curve_stats = np.full((m_count, s_count, u_count, k, 3), np.nan)
    for mi, result in enumerate(run.results):
        for si, sf in enumerate(run.segments):
            progress(f"report data: {result.name} / {sf.segment.name}")
            counts = run.counts[result.name, sf.segment.name]
            matrix = counts.matrix  # (U, T, K, K)
            s = scores_from_matrix(matrix)
            mc = None if sf.segment.metric_class is None else class_index[sf.segment.metric_class]
            if mc is None:
                cards[mi, si] = s.micro
                card_counts[mi, si, ..., 0] = s.total_fp
                card_counts[mi, si, ..., 1] = s.total_fn
                card_counts[mi, si, ..., 2] = s.total_confusions
            else:
                cards[mi, si, ..., 0] = s.precision[..., mc]
                cards[mi, si, ..., 1] = s.recall[..., mc]
                cards[mi, si, ..., 2] = s.f1[..., mc]
                card_counts[mi, si, ..., 0] = s.fp[..., mc]
                card_counts[mi, si, ..., 1] = s.fn[..., mc]
                card_counts[mi, si, ..., 2] = s.confused_as[..., mc] + s.confused_from[..., mc]
            class_scores[mi, si] = np.stack([s.precision, s.recall, s.f1], axis=-1)
            averages[mi, si] = np.stack([s.micro, s.macro, s.weighted], axis=-2)
            flat = matrix.reshape(u_count, t_count, k * k)
            for ui in range(u_count):
                nz = np.flatnonzero(flat[ui].any(axis=0))
                offsets[mi, si, ui] = (n_cells, nz.size)
                cells_parts.append(nz.astype(np.uint32))
                values_parts.append(flat[ui][:, nz].T.astype(np.uint32))
                n_cells += nz.size
            full_mask = None if sf.mask.all() else sf.mask
            cs = result.curves if full_mask is None else segment_curves(gt, result, full_mask)
            curves[mi, si, ..., 0] = np.moveaxis(cs.precision[:, point_idx, :], 1, 2)
            curves[mi, si, ..., 1] = np.moveaxis(cs.recall[:, point_idx, :], 1, 2)
            curve_stats[mi, si] = np.stack([cs.ap101, cs.best_f1_confidence, cs.best_f1], axis=-1)
    thresholds, has_target = resolve_thresholds(cards, [sf.segment for sf in run.segments],
                                                [r.name for r in run.results])  # fmt: skip
    return ReportTables(
        cards=cards,
        thresholds=thresholds,
        verdicts=judge(cards, thresholds, has_target[None, :, None, None, :]),
        card_counts=card_counts,
        class_scores=class_scores,
        averages=averages,
        matrix_offsets=offsets,
        matrix_cells=np.concatenate(cells_parts) if cells_parts else np.zeros(0, np.uint32),
        matrix_values=np.concatenate(values_parts) if values_parts else np.zeros((0, t_count), np.uint32),
        curve_grid=CURVE_GRID[point_idx],
        curves=curves,
        curve_stats=curve_stats,
    )
