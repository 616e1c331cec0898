"""``reportgen build``: project -> run -> report data -> charts -> HTML -> atomic write."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from reportgen.engine.evaluation import EvalConfig, ModelResult, Progress
from reportgen.engine.grids import (
    DEFAULT_CONFIDENCE,
    DEFAULT_CONFIDENCE_GRID,
    DEFAULT_IOU,
    DEFAULT_IOU_GRID,
    with_value,
)
from reportgen.engine.project_run import ProjectRun, run_project
from reportgen.io._location import Location, location
from reportgen.io.containers import GroundTruth
from reportgen.io.options import LoadOptions
from reportgen.io.project import ClassesSpec, InferenceSetSpec, Project
from reportgen.outputs.atomic import write_atomic
from reportgen.outputs.destinations import refuse_input_images
from reportgen.report.charts import pr_curve_svg
from reportgen.report.examples import _image_paths, build_examples
from reportgen.report.model import ReportTables, as_shown, report_tables
from reportgen.report.payload import build_payload

if TYPE_CHECKING:
    from distributed import Client

DEFAULT_THUMBNAIL_BUDGET = 600_000


def _noop(_: str) -> None:
    return None


def project_from_inputs(
    gt: Location, preds: Sequence[tuple[str, Location]], options: LoadOptions, *, title: str | None = None
) -> Project:
    """A project with only "All Frames", for ``reportgen build --gt ... --pred ...``; named ``title`` (default:
    the ground truth file's stem)."""
    return Project(
        path=(gt.resolve().parent if isinstance(gt, Path) else Path.cwd()) / "(command line)",
        name=gt.stem if title is None else title,
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


def project_from_evaluation(
    gt: GroundTruth,
    results: Sequence[ModelResult],
    config: EvalConfig,
    *,
    title: str | None = None,
    bootstrap_presets: Sequence[tuple[float, float]] = (),
) -> tuple[Project, ProjectRun]:
    """An "All Frames" project and its run from an evaluation done in Python (``reportgen.evaluate``), for
    :func:`build_report`: the same report as ``reportgen build --gt ... --pred ...`` on the same data.

    The evaluation is reused where its grids are the ones the report needs; otherwise (classification, whose
    report has one IoU; a bootstrap preset off the grids) the inference sets are evaluated again on them.
    """
    from reportgen.engine.evaluation import evaluate_model, with_report
    from reportgen.engine.project_run import ALL_FRAMES_ONLY, report_spec, segment_frames

    source = location(gt.source) if gt.source else Path("(in memory)")
    iou_grid, conf_grid = config.iou_grid, config.confidence_grid
    for conf_value, iou_value in bootstrap_presets:
        conf_grid = with_value(conf_grid, conf_value)
        iou_grid = with_value(iou_grid, iou_value)
    if gt.task == "classification":
        iou_grid = np.array([config.iou])
    spec = Project(
        path=(source.resolve().parent if isinstance(source, Path) else Path.cwd()) / "(python)",
        name=title if title is not None else (source.stem if gt.source else "evaluation"),
        task=gt.task,
        dataset_name=source.name,
        ground_truth=source,
        load_options=LoadOptions(),
        frames_table=None,
        frame_id_column="frame_id",
        image_column=None,
        inference_sets=tuple(
            InferenceSetSpec(r.name, location(r.predictions.source or "(in memory)"), "auto") for r in results
        ),
        classes=ClassesSpec(),
        confidence=config.confidence,
        iou=config.iou,
        confidence_grid=",".join(repr(float(v)) for v in conf_grid),
        iou_grid=",".join(repr(float(v)) for v in iou_grid),
        segments=(),
    )
    same = np.array_equal(iou_grid, config.iou_grid) and np.array_equal(conf_grid, config.confidence_grid)
    run_config = EvalConfig(iou_grid, conf_grid, config.iou, config.confidence, coco=gt.task == "detection")
    segments = segment_frames(spec, gt, None)
    assert [s.segment.name for s in segments] == ALL_FRAMES_ONLY
    keep = report_spec(gt, segments)
    if not (same and config.coco == run_config.coco):
        results = [evaluate_model(gt, r.predictions, run_config, report=keep) for r in results]
    else:
        run_config = config
        results = [with_report(gt, r, config, keep) for r in results]
    counts = {(r.name, ALL_FRAMES_ONLY[0]): r.counts for r in results}
    preds = tuple(r.predictions for r in results)
    return spec, ProjectRun(spec, gt, None, run_config, tuple(results), segments, counts, preds)


def default_charts(payload: dict[str, Any], tables: ReportTables) -> dict[str, str]:
    """The no-JavaScript view's PR curve: All Frames, all classes, default preset, every inference set (the curve
    points at the page's 4 decimals, as the page draws them)."""
    u = payload["defaults"]["iou_index"]
    t = payload["defaults"]["confidence_index"]
    series = []
    for m, info in enumerate(payload["inference_sets"]):
        pts = as_shown(tables.curves[m, 0, u, -1])
        point = (float(tables.cards[m, 0, u, t, 1]), float(tables.cards[m, 0, u, t, 0]))
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
    dask: str | Client | None = None,
) -> dict[str, Any]:
    """Compute everything and write the self-contained HTML report to ``output`` (atomically).

    The inference sets are matched one partition of the frames at a time (only counts, records, the first
    examples of each cell and the objects' outcomes are kept: docs/scale.md), on the Dask cluster ``dask`` when
    given. ``run``: an already computed run of ``project`` made with ``report=True`` (skips the computation).
    ``bootstrap_presets``: ``(confidence, IoU)`` presets, besides the default, at which to compute the
    paired-bootstrap intervals of every pair of inference sets.
    Returns the embedded payload (for tests and callers that want the numbers).
    """
    from reportgen.report.render import render_report

    if run is None:
        run = run_project(project, progress=progress, extra_presets=bootstrap_presets, partitioned=True, dask=dask,
                          report=True)  # fmt: skip
    examples = build_examples(run, thumbnail_budget=thumbnail_budget, progress=progress)
    stats = examples.pop("thumbnail_stats")
    tables = report_tables(run, progress)
    payload = build_payload(run, progress=progress, examples=examples, bootstrap_presets=bootstrap_presets,
                            tables=tables)  # fmt: skip
    payload["meta"]["thumbnails"] = stats
    progress("rendering")
    html = render_report(payload, tables, charts=default_charts(payload, tables))
    refuse_input_images(output, _image_paths(run))  # known only now: the frame table or COCO file names them
    write_atomic(output, html)
    return payload
