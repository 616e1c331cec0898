"""``reportgen build``: project -> run -> report data -> charts -> HTML -> atomic write."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from reportgen.atomic import write_atomic
from reportgen.charts import pr_curve_svg
from reportgen.examples import build_examples
from reportgen.grids import DEFAULT_CONFIDENCE, DEFAULT_CONFIDENCE_GRID, DEFAULT_IOU, DEFAULT_IOU_GRID
from reportgen.io.options import LoadOptions
from reportgen.project import ClassesSpec, InferenceSetSpec, Project
from reportgen.projectrun import ProjectRun, run_project
from reportgen.reportdata import build_payload, unblob

Progress = Callable[[str], None]

DEFAULT_THUMBNAIL_BUDGET = 600_000


def _noop(_: str) -> None:
    return None


def project_from_inputs(gt: Path, preds: Sequence[tuple[str, Path]], options: LoadOptions) -> Project:
    """A project with only "All Frames", for ``reportgen build --gt ... --pred ...``."""
    return Project(
        path=gt.resolve().parent / "(command line)",
        name=gt.stem,
        task=options.task,
        dataset_name=gt.name,
        ground_truth=gt,
        load_options=options,
        frames_table=None,
        frame_id_column="frame_id",
        image_column=None,
        inference_sets=tuple(InferenceSetSpec(name, path, options.pred_format) for name, path in preds),
        classes=ClassesSpec(),
        confidence=DEFAULT_CONFIDENCE,
        iou=DEFAULT_IOU,
        confidence_grid=DEFAULT_CONFIDENCE_GRID,
        iou_grid=DEFAULT_IOU_GRID,
        segments=(),
    )


def default_charts(payload: dict[str, Any]) -> dict[str, str]:
    """The no-JavaScript view's PR curve: All Frames, all classes, default preset, every inference set."""
    curves = unblob(payload["blobs"]["curves"])  # (M, S, U, K, P, 2)
    cards = unblob(payload["blobs"]["cards"])  # (M, S, U, T, 3)
    u = payload["defaults"]["iou_index"]
    t = payload["defaults"]["confidence_index"]
    series = []
    for m, info in enumerate(payload["inference_sets"]):
        pts = curves[m, 0, u, -1].astype(np.float64)
        pts[pts == 65535] = np.nan
        pts /= 10000.0
        point = (float(cards[m, 0, u, t, 1]), float(cards[m, 0, u, t, 0]))
        series.append((str(info["name"]), pts[:, 1], pts[:, 0], point))
    targets = payload["segments"][0]["targets"]
    p_t = (targets.get("precision") or {}).get("threshold")
    r_t = (targets.get("recall") or {}).get("threshold")
    task = payload["meta"]["task"]
    where = "" if task == "classification" else f" · IoU {payload['defaults']['iou']:g}"
    title = f"All Frames · all classes{where}"
    return {"pr_curve": pr_curve_svg(series, precision_target=p_t, recall_target=r_t, title=title)}


def build_report(
    project: Project,
    output: Path,
    *,
    thumbnail_budget: int = DEFAULT_THUMBNAIL_BUDGET,
    progress: Progress = _noop,
    run: ProjectRun | None = None,
    bootstrap_presets: Sequence[tuple[float, float]] = (),
) -> dict[str, Any]:
    """Compute everything and write the self-contained HTML report to ``output`` (atomically).

    ``run``: an already computed run of ``project`` (skips the computation).
    ``bootstrap_presets``: ``(confidence, IoU)`` presets, besides the default, at which to compute the
    paired-bootstrap intervals of every pair of inference sets.
    Returns the embedded payload (for tests and callers that want the numbers).
    """
    from reportgen.render import render_report

    if run is None:
        run = run_project(project, progress=progress, extra_presets=bootstrap_presets)
    examples = build_examples(run, thumbnail_budget=thumbnail_budget, progress=progress)
    stats = examples.pop("thumbnail_stats")
    payload = build_payload(run, progress=progress, examples=examples, bootstrap_presets=bootstrap_presets)
    payload["meta"]["thumbnails"] = stats
    progress("rendering")
    html = render_report(payload, charts=default_charts(payload))
    write_atomic(output, html)
    return payload
