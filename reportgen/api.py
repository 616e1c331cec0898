"""The public Python API: evaluate, check and build reports from a notebook or a training script.

Everything here is re-exported by :mod:`reportgen` (lazily, so ``import reportgen`` stays light)::

    import reportgen

    gt = reportgen.load_ground_truth("instances_val.json")
    ev = reportgen.evaluate(gt, {"v1": "dets_v1.json", "v2": dets_v2_dataframe})
    ev["v1"].coco["AP"]
    r = ev["v1"].at(confidence=0.3, iou=0.5)
    r.report                 # DataFrame: precision recall f1 support tp fp fn per class
    r.confusion_matrix       # DataFrame: ground-truth rows x predicted columns, with background

    project = reportgen.Project.load("project.yaml")
    result = project.check()
    result.passed
    reportgen.build_report(project, "report.html")

The command line is a layer over the same functions; the numbers are the same (``docs/api.md``). Bad input
raises :class:`reportgen.InputError` with the message the command line prints.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen.errors import InputError
from reportgen.io.containers import GroundTruth, Predictions
from reportgen.io.options import LoadOptions, load_options_from

if TYPE_CHECKING:
    import pandas as pd
    from distributed import Client

    from reportgen.engine.evaluation import EvalConfig, ModelResult, ModelSummary
    from reportgen.engine.project_run import ProjectRun
    from reportgen.engine.verdicts import SegmentVerdict
    from reportgen.io._location import Location
    from reportgen.io.project import Project as _ProjectSpec

__all__ = [
    "Averages",
    "CheckResult",
    "Evaluation",
    "GroundTruth",
    "InferenceSetResult",
    "InputError",
    "Predictions",
    "PresetReport",
    "Project",
    "Report",
    "build_report",
    "evaluate",
    "load_ground_truth",
    "load_predictions",
]

#: What a loader accepts: a path (file or folder), a pandas DataFrame with the table columns the CLI reads, or a
#: COCO dict (a dataset for ground truth; a dataset-style dict or a results list for predictions).
Source = Any


# ------------------------------------------------------------------------------------------------- loading
def _location(source: str | os.PathLike[str]) -> Location:
    """A path or an fsspec URL (``s3://...``), never ``Path("s3://b/k")`` (pathlib reads it as ``s3:/b/k``)."""
    from reportgen.io._location import location

    return location(source)


def _existing(source: str) -> Location | None:
    """The input a container was read from, when it names one that exists (not ``<DataFrame>``)."""
    if not source:
        return None
    path = _location(source)
    return path if path.exists() else None


def _load_options(format_options: Mapping[str, Any]) -> LoadOptions:
    """``format_options`` (the CLI's format options in snake case) as :class:`LoadOptions`."""
    return load_options_from(format_options, label=lambda option: option.key)


def load_ground_truth(source: Source, **format_options: Any) -> GroundTruth:
    """Read a dataset's ground truth.

    ``source``: a path (COCO JSON, CSV / Parquet / JSON Lines table, YOLO or Padilla txt folder, VOC xml folder),
    a pandas DataFrame (columns ``frame_id``, ``class``, box columns, optional ``iscrowd`` / ``area``; for
    classification ``frame_id``, ``label``) or a COCO dataset dict. ``format_options``: the CLI's format options
    in snake case (``format``, ``box_format``, ``normalized``, ``image_sizes``, ``class_names``, ``round_pixels``,
    ``task``, ...).
    """
    from reportgen.io import load_ground_truth as load

    return load(source, _load_options(format_options))


def load_predictions(
    source: Source, gt: GroundTruth, *, name: str | None = None, **format_options: Any
) -> Predictions:
    """Read one inference set against ``gt`` (its frames and classes). Same sources as
    :func:`load_ground_truth` (plus a COCO results list); ``name`` defaults to the file stem, or ``"predictions"``
    for in-memory data."""
    from reportgen.io import load_predictions as load

    options = _load_options(format_options)
    if name is None:
        name = _location(source).stem if isinstance(source, (str, os.PathLike)) else "predictions"
    return load(source, gt, options, name=name)


# ------------------------------------------------------------------------------------------------ evaluation
@dataclass(frozen=True)
class Averages:
    """Precision, recall and F1 of one averaging (micro, macro or weighted); ``None`` where undefined."""

    precision: float | None
    recall: float | None
    f1: float | None


def _quiet(_: str) -> None:
    return None


def _num(value: Any) -> float | None:
    import math

    v = float(value)
    return None if math.isnan(v) else v


@dataclass(frozen=True, eq=False)
class PresetReport:
    """The classification report of one inference set at one (confidence, IoU) preset.

    Attributes:
        confidence, iou: the preset.
        classes: the class names, in the ground truth's order.
        matrix: ``(C + 1, C + 1)`` counts, ground-truth rows x predicted columns; index ``C`` is background
            (a false positive sits in row ``C``, a missed object in column ``C``).
        micro, macro, weighted: the averages (micro pools every count, confusions included).
    """

    confidence: float
    iou: float
    classes: tuple[str, ...]
    matrix: Any
    micro: Averages
    macro: Averages
    weighted: Averages
    _scores: Any = field(repr=False)

    @property
    def report(self) -> pd.DataFrame:
        """One row per class: ``precision recall f1 support tp fp fn confused_as confused_from`` (NaN where
        undefined)."""
        import pandas as pd

        s = self._scores
        return pd.DataFrame(
            {
                "precision": s.precision,
                "recall": s.recall,
                "f1": s.f1,
                "support": s.support,
                "tp": s.tp,
                "fp": s.fp,
                "fn": s.fn,
                "confused_as": s.confused_as,
                "confused_from": s.confused_from,
            },
            index=pd.Index(list(self.classes), name="class"),
        )

    @property
    def confusion_matrix(self) -> pd.DataFrame:
        """Ground-truth rows x predicted columns, each with a last ``background`` entry."""
        import pandas as pd

        labels = [*self.classes, "background"]
        return pd.DataFrame(
            self.matrix,
            index=pd.Index(labels, name="ground truth"),
            columns=pd.Index(labels, name="predicted"),
        )

    def to_dict(self) -> dict[str, Any]:
        """The preset's entry of ``evaluate --json`` (docs/json-schema.md)."""
        from reportgen.outputs.metrics_json import preset_entry

        return preset_entry(self.classes, self.matrix, self.iou, self.confidence)


@dataclass(frozen=True, eq=False)
class InferenceSetResult:
    """Everything computed for one inference set on all frames."""

    gt: GroundTruth
    result: ModelSummary = field(repr=False)

    @property
    def name(self) -> str:
        return self.result.name

    @property
    def predictions(self) -> Predictions:
        """The predictions, as read (not kept by a partitioned or Dask run)."""
        return self._full("predictions").predictions

    def _full(self, what: str) -> ModelResult:
        from reportgen.engine.evaluation import ModelResult

        if not isinstance(self.result, ModelResult):
            raise InputError(None, f"{what} of {self.name!r}: a partitioned (dask=...) evaluation keeps counts and "
                             "records, not every prediction's matching; evaluate without dask=, or put the value on "
                             "the grid (confidence_grid=...)")  # fmt: skip
        return self.result

    @property
    def coco(self) -> dict[str, float | None] | None:
        """The COCO summary (``AP``, ``AP50``, ``AP75``, ``APs``, ``APm``, ``APl``, ``AR1``, ``AR10``, ``AR100``,
        ``ARs``, ``ARm``, ``ARl``; pycocotools' numbers, ``None`` where it prints -1), or ``None`` for
        classification."""
        from reportgen.engine.cocoeval import SUMMARY_ROWS

        coco = self.result.coco
        return None if coco is None else {row[0]: coco.stat(row[0]) for row in SUMMARY_ROWS}

    @property
    def iou_thresholds(self) -> tuple[float, ...]:
        return tuple(float(v) for v in self.result.counts.iou_thresholds)

    @property
    def confidence_thresholds(self) -> tuple[float, ...]:
        return tuple(float(v) for v in self.result.counts.conf_thresholds)

    def at(self, *, confidence: float, iou: float) -> PresetReport:
        """The report at any confidence (exact, on or off the grid) and an IoU of the evaluation's IoU grid."""
        import numpy as np

        from reportgen.engine.aggregate import count_presets
        from reportgen.engine.grids import parse_threshold
        from reportgen.engine.metrics import scores_from_matrix

        conf = parse_threshold(confidence, what="confidence")
        iou_v = parse_threshold(iou, what="iou")
        grid = self.result.counts.iou_thresholds
        hits = np.flatnonzero(np.isclose(grid, iou_v, rtol=0, atol=1e-12))
        if hits.size == 0:
            shown = ", ".join(f"{v:g}" for v in grid)
            raise InputError(
                None,
                f"iou: expected an IoU of the evaluation's grid ({shown}), found {iou_v:g}; "
                "add it with evaluate(..., iou_grid=...)",
            )
        u = int(hits[0])
        conf_grid = self.result.counts.conf_thresholds
        on_grid = np.flatnonzero(conf_grid == conf)
        if on_grid.size:
            matrix = self.result.counts.matrix[u, int(on_grid[0])]
        else:
            full = self._full(f"confidence {conf:g} (off the grid)")
            counts = count_presets(self.gt, full.predictions, full.match, np.array([conf]))
            matrix = counts.matrix[u, 0]
        s = scores_from_matrix(matrix)
        micro, macro, weighted = (Averages(_num(row[0]), _num(row[1]), _num(row[2])) for row in (s.micro, s.macro,
                                                                                                    s.weighted))
        return PresetReport(conf, float(grid[u]), self.gt.classes, np.array(matrix), micro, macro, weighted, s)


class Evaluation(Mapping[str, InferenceSetResult]):
    """Every metric of every inference set at every preset; a mapping from inference-set name to its results."""

    def __init__(self, gt: GroundTruth, results: Sequence[ModelSummary], config: EvalConfig,
                 sources: Sequence[Location | None]) -> None:  # fmt: skip
        self.gt = gt
        self.config = config
        self._results = {r.name: InferenceSetResult(gt, r) for r in results}
        self._sources = list(sources)

    @property
    def names(self) -> list[str]:
        return list(self._results)

    def __getitem__(self, name: str) -> InferenceSetResult:
        try:
            return self._results[name]
        except KeyError:
            raise KeyError(f"no inference set {name!r} (known: {', '.join(self._results)})") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._results)

    def __len__(self) -> int:
        return len(self._results)

    def __repr__(self) -> str:
        return f"<reportgen.Evaluation of {', '.join(self.names)} on {self.gt.num_frames} frames>"

    def to_dict(self) -> dict[str, Any]:
        """The document ``reportgen evaluate --json`` writes (docs/json-schema.md), as a dict."""
        from reportgen.outputs.metrics_json import evaluation_document

        gt_path = _existing(self.gt.source)
        return evaluation_document(
            self.gt,
            [r.result for r in self._results.values()],
            self.config,
            gt_path=gt_path,
            pred_paths=self._sources,
        )


def evaluate(
    gt: GroundTruth | Source,
    predictions: Mapping[str, Predictions | Source],
    *,
    iou: float = 0.5,
    confidence: float = 0.1,
    iou_grid: str | Sequence[float] | None = None,
    confidence_grid: str | Sequence[float] | None = None,
    voc: bool = False,
    pixel_inclusive: bool = False,
    dask: str | Client | None = None,
    **format_options: Any,
) -> Evaluation:
    """Evaluate inference sets against the ground truth, as ``reportgen evaluate`` does.

    ``gt``: a :class:`GroundTruth` or any source of :func:`load_ground_truth`. ``predictions``: name ->
    :class:`Predictions` or any source of :func:`load_predictions` (read with ``format_options``).
    ``iou_grid`` / ``confidence_grid``: the presets (the CLI's syntax, e.g. ``"0.5:0.95:0.05"``, or a list of
    values; defaults as the CLI's); ``iou`` / ``confidence`` are placed on them. ``dask``: run the map step on a
    Dask cluster (``"local"``, ``"local:N"``, a scheduler address, or a ``distributed.Client``); the numbers are the
    same, but the result keeps no per-prediction matching (``predictions`` and off-grid ``at()`` need a run
    without it).
    """
    import numpy as np

    from reportgen.engine.evaluation import EvalConfig
    from reportgen.engine.grids import DEFAULT_CONFIDENCE_GRID, DEFAULT_IOU_GRID, parse_grid, parse_threshold

    def grid(value: str | Sequence[float] | None, default: str, what: str) -> Any:
        if value is None:
            return parse_grid(default, what=what)
        if isinstance(value, str):
            return parse_grid(value, what=what)
        return np.unique(np.array([parse_threshold(v, what=what) for v in value], dtype=np.float64))

    config = EvalConfig(
        iou_grid=grid(iou_grid, DEFAULT_IOU_GRID, "iou_grid"),
        confidence_grid=grid(confidence_grid, DEFAULT_CONFIDENCE_GRID, "confidence_grid"),
        iou=parse_threshold(iou, what="iou"),
        confidence=parse_threshold(confidence, what="confidence"),
        voc=voc,
        pixel_inclusive=pixel_inclusive,
    ).normalized()
    return evaluate_with(gt, predictions, options=_load_options(format_options), config=config, dask=dask)


def evaluate_with(
    gt: GroundTruth | Source,
    predictions: Mapping[str, Predictions | Source],
    *,
    options: LoadOptions,
    config: EvalConfig,
    progress: Callable[[str], None] | None = None,
    warn: Callable[[str], None] | None = None,
    dask: str | Client | None = None,
    keep_matching: bool = True,
) -> Evaluation:
    """:func:`evaluate` with the reading options and the presets already built: what ``reportgen evaluate`` runs
    (the command line only parses its options into these). ``progress`` hears each stage; ``warn`` each
    inference set's dropped predictions (``ignore_unknown_frames``).

    Engines (the same map and reduce functions, the same numbers): with ``keep_matching`` (the API's default)
    one pass over all frames that keeps every prediction's matching; without it (the command line) predictions
    are read in chunks where the format allows and matched one partition of the frames at a time, in bounded
    memory; with ``dask`` the partitions are read and matched on a Dask cluster.
    """
    if dask is not None:
        from reportgen.engine.cluster import connect

        with connect(dask) as client:
            return _evaluate_with(gt, predictions, options, config, progress, warn, client, keep_matching=False)
    return _evaluate_with(gt, predictions, options, config, progress, warn, None, keep_matching=keep_matching)


def _evaluate_with(
    gt: GroundTruth | Source,
    predictions: Mapping[str, Predictions | Source],
    options: LoadOptions,
    config: EvalConfig,
    progress: Callable[[str], None] | None,
    warn: Callable[[str], None] | None,
    client: Client | None,
    *,
    keep_matching: bool,
) -> Evaluation:
    from reportgen.engine.evaluation import evaluate_model
    from reportgen.io import load_ground_truth as load_gt

    def say(message: str) -> None:
        if progress is not None:
            progress(message)

    if isinstance(gt, GroundTruth):
        truth = gt
    else:
        say(f"loading {gt if isinstance(gt, (str, os.PathLike)) else 'the ground truth'}")
        truth = load_gt(gt, options, chunk_rows=None if keep_matching else _chunk_rows())
    if not predictions:
        raise InputError(None, "predictions: at least one inference set is required")
    results: list[ModelSummary] = []
    sources: list[Location | None] = []
    for name, value in predictions.items():
        if not isinstance(name, str) or not name.strip():
            raise InputError(None, f"predictions: expected a non-empty inference-set name, found {name!r}")
        is_path = not isinstance(value, Predictions) and isinstance(value, (str, os.PathLike))
        if isinstance(value, Predictions):
            sources.append(_existing(value.source))
        else:
            sources.append(_location(value) if is_path else None)
        if keep_matching:
            preds = _predictions(value, name, truth, options, say)
            results.append(evaluate_model(truth, preds, config, progress=say))
        elif client is not None:
            results.append(_on_cluster(client, truth, value, name, options, config, say))
        else:
            results.append(_in_parts(truth, value, name, options, config, say))
        if results[-1].dropped_unknown_frames and warn is not None:
            where = value if is_path else f"predictions {name!r}"
            warn(f"{where}: ignored {results[-1].dropped_unknown_frames} predictions on frames the ground truth "
                 "does not have (--ignore-unknown-frames)")  # fmt: skip
    return Evaluation(truth, results, config, sources)


def _predictions(
    value: Predictions | Source, name: str, truth: GroundTruth, options: LoadOptions, say: Callable[[str], None]
) -> Predictions:
    from reportgen.io import load_predictions as load_preds

    if isinstance(value, Predictions):
        return value if value.name == name else _renamed(value, name)
    say(f"loading {value if isinstance(value, (str, os.PathLike)) else name}")
    return load_preds(value, truth, options, name=name)


def _chunk_rows() -> int:
    from reportgen.engine.streaming import CHUNK_ROWS

    return CHUNK_ROWS


def _in_parts(
    truth: GroundTruth, value: Predictions | Source, name: str, options: LoadOptions, config: EvalConfig,
    say: Callable[[str], None],
) -> ModelSummary:  # fmt: skip
    """One inference set in bounded memory: read a chunk at a time where the format allows (detection tables),
    spilled by partition and matched one partition of the frames at a time."""
    from reportgen.engine.streaming import CHUNK_ROWS, evaluate_chunks, evaluate_in_parts

    if isinstance(value, (str, os.PathLike)) and truth.task == "detection":
        from reportgen.io import iter_prediction_chunks

        say(f"reading {value}")
        reader = iter_prediction_chunks(_location(value), truth, options, name=name, rows=CHUNK_ROWS)
        chunks = (preds for preds, _ in reader)
        return evaluate_chunks(truth, chunks, config, name=name, source=str(value), progress=say)
    preds = _predictions(value, name, truth, options, say)
    return evaluate_in_parts(truth, preds, config, progress=say)


def _on_cluster(
    client: Client, truth: GroundTruth, value: Predictions | Source, name: str, options: LoadOptions,
    config: EvalConfig, say: Callable[[str], None],
) -> ModelSummary:  # fmt: skip
    """One inference set on a Dask cluster: files are read by the workers, data in memory is sent to them."""
    from reportgen.engine.cluster import Piece, evaluate_on_cluster

    if isinstance(value, (str, os.PathLike)):
        from reportgen.io import prediction_parts

        rows = prediction_parts(_location(value), options) if truth.task == "detection" else None
        if rows is None:
            pieces = [Piece(str(value), 0)]
        else:  # a Parquet folder: every file is read by a worker
            offsets = [0, *itertools.accumulate(rows)]
            pieces = [Piece(str(value), offsets[i], part=i) for i in range(len(rows))]
        return evaluate_on_cluster(client, truth, pieces, config, name=name, options=options,
                                   source_name=str(value), progress=say)  # fmt: skip
    preds = _predictions(value, name, truth, options, say)
    return evaluate_on_cluster(client, truth, preds, config, name=name, source_name=preds.source, progress=say)


def _renamed(preds: Predictions, name: str) -> Predictions:
    from dataclasses import replace

    return replace(preds, name=name)


# ------------------------------------------------------------------------------------------------- projects
@dataclass(frozen=True, eq=False)
class CheckResult:
    """The verdicts of ``reportgen check``: every inference set on every segment at one preset."""

    verdicts: tuple[SegmentVerdict, ...]
    confidence: float
    iou: float
    project_name: str

    @property
    def passed(self) -> bool:
        """True when every regression test passes (the CLI's exit code 0)."""
        from reportgen.engine.verdicts import regression_failures

        return not regression_failures(self.verdicts)

    def payload(self) -> dict[str, Any]:
        """The dict ``check --json`` writes (docs/payload.md)."""
        from reportgen.engine.verdicts import payload

        return payload(self.verdicts)

    def junit(self) -> str:
        """The JUnit XML ``check --junit`` writes."""
        from reportgen.engine.verdicts import junit_xml

        return junit_xml(self.verdicts, iou=self.iou, confidence=self.confidence)

    def markdown(self) -> str:
        """The Markdown summary ``check --markdown`` writes."""
        from reportgen.engine.verdicts import markdown

        return markdown(self.verdicts, iou=self.iou, confidence=self.confidence, project=self.project_name)

    def text(self) -> str:
        """The table ``reportgen check`` prints."""
        from reportgen.engine.verdicts import text_table

        return "\n".join(text_table(self.verdicts, iou=self.iou, confidence=self.confidence))


class Project:
    """A project file (docs/project-file.md): dataset, inference sets, segments and targets."""

    def __init__(self, spec: _ProjectSpec) -> None:
        self.spec = spec
        self._run: ProjectRun | None = None

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, allow_paths: Sequence[str | os.PathLike[str]] = ()) -> Project:
        """Read and validate a project file; errors raise :class:`InputError`. ``allow_paths``: folders outside the
        project file's own that its paths may lead into (the CLI's ``--allow-path``; docs/limits.md)."""
        from reportgen.io.project import load_project

        return cls(load_project(Path(path), allow_paths=list(allow_paths)))

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def inference_sets(self) -> list[str]:
        return [s.name for s in self.spec.inference_sets]

    def __repr__(self) -> str:
        return f"<reportgen.Project {self.name!r}: {', '.join(self.inference_sets)}>"

    def run(
        self,
        *,
        extra_presets: Sequence[tuple[float, float]] = (),
        progress: Callable[[str], None] | None = None,
        image_paths: bool = False,
    ) -> ProjectRun:
        """Load the data and evaluate every inference set on every segment (cached for the default presets).
        ``image_paths``: first check that the images a report would embed lie where the project may read."""
        from reportgen.engine.project_run import check_image_paths, run_project

        say = progress if progress is not None else _quiet
        if extra_presets:
            return run_project(self.spec, extra_presets=extra_presets, progress=say, image_paths=image_paths,
                               report=True)  # fmt: skip
        if self._run is None:
            self._run = run_project(self.spec, progress=say, image_paths=image_paths, report=True)
        elif image_paths:
            check_image_paths(self.spec, self._run.gt, self._run.frame_table)
        return self._run

    def _report_run(
        self, extra_presets: Sequence[tuple[float, float]], say: Callable[[str], None], dask: str | Client | None
    ) -> ProjectRun:
        """The run a report needs: the cached one when it fits, else a partitioned run keeping the report data."""
        from reportgen.engine.project_run import check_image_paths, run_project

        if not extra_presets and dask is None and self._run is not None:
            check_image_paths(self.spec, self._run.gt, self._run.frame_table)
            return self._run
        return run_project(self.spec, extra_presets=extra_presets, progress=say, image_paths=True, partitioned=True,
                           dask=dask, report=True)  # fmt: skip

    def check(
        self,
        inference: Sequence[str] | str | None = None,
        confidence: float | None = None,
        iou: float | None = None,
        *,
        progress: Callable[[str], None] | None = None,
        dask: str | Client | None = None,
    ) -> CheckResult:
        """The verdicts at ``confidence`` / ``iou`` (default: the project's), for the named inference sets
        (default: all), as ``reportgen check`` computes them (the command line is a layer over this).

        Unless :meth:`run` already ran, the inference sets are matched one partition of the frames at a time
        (bounded memory), on the Dask cluster ``dask`` (or the project file's ``dask:``) when given."""
        from reportgen.engine.grids import parse_threshold
        from reportgen.engine.project_run import run_project
        from reportgen.engine.verdicts import compute_verdicts

        chosen = [inference] if isinstance(inference, str) else list(dict.fromkeys(inference or []))
        for name in chosen:
            if name not in self.inference_sets:
                raise InputError(
                    None, f"inference: unknown inference set {name!r} (known: {', '.join(self.inference_sets)})"
                )
        conf = self.spec.confidence if confidence is None else parse_threshold(confidence, what="confidence")
        iou_v = self.spec.iou if iou is None else parse_threshold(iou, what="iou")
        target = dask if dask is not None else self.spec.dask
        if (conf, iou_v) == (self.spec.confidence, self.spec.iou) and self._run is not None and target is None:
            run = self._run
        else:
            run = run_project(self.spec, extra_confidence=conf, extra_iou=iou_v, progress=progress or _quiet,
                              partitioned=True, dask=target)  # fmt: skip
        verdicts = compute_verdicts(run, iou=iou_v, confidence=conf, inference_sets=chosen or None)
        return CheckResult(tuple(verdicts), conf, iou_v, self.spec.name)


# -------------------------------------------------------------------------------------------------- reports
@dataclass(frozen=True)
class Report:
    """A written report file."""

    path: Path

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def _repr_html_(self) -> str:
        """The report inline in Jupyter: an ``<iframe srcdoc=...>`` sandboxed to scripts only (no same-origin
        access, no forms, no top navigation)."""
        from html import escape

        text = self.path.read_text(encoding="utf-8")
        return (
            f'<iframe srcdoc="{escape(text, quote=True)}" sandbox="allow-scripts" '
            'style="width: 100%; height: 900px; border: 1px solid #ccc;" title="reportgen report"></iframe>'
        )


def build_report(
    source: Project | Evaluation,
    path: str | os.PathLike[str],
    *,
    thumbnail_budget: int = 600_000,
    bootstrap_at: Sequence[tuple[float, float]] = (),
    title: str | None = None,
    progress: Callable[[str], None] | None = None,
    dask: str | Client | None = None,
) -> Report:
    """Write the self-contained HTML report of a project, or of an evaluation (All Frames only, as
    ``reportgen build --gt ... --pred ...``); returns the written :class:`Report`. ``bootstrap_at``:
    ``(confidence, IoU)`` presets, besides the default, with paired-bootstrap intervals.

    A project's inference sets are matched one partition of the frames at a time (bounded memory; the same
    numbers), on the Dask cluster ``dask`` (or the project file's ``dask:``) when given, unless :meth:`Project.run`
    already ran."""
    from reportgen.outputs.atomic import check_writable
    from reportgen.report.build import build_report as build
    from reportgen.report.build import project_from_evaluation

    say = progress if progress is not None else _quiet
    out = Path(path)
    check_writable(out)
    if thumbnail_budget < 0:
        raise InputError(None, f"thumbnail_budget: expected a number of bytes >= 0, found {thumbnail_budget}")
    if isinstance(source, Project):
        if title is not None:
            raise InputError(None, "title: a project file's report takes the project's name (its 'name:' key)")
        run = source._report_run(bootstrap_at, say, dask if dask is not None else source.spec.dask)
        spec = source.spec
    else:
        spec, run = project_from_evaluation(source.gt, [r._full("a report") for r in source.values()], source.config,
                                            title=title, bootstrap_presets=bootstrap_at)  # fmt: skip
    build(spec, out, thumbnail_budget=thumbnail_budget, bootstrap_presets=bootstrap_at, run=run, progress=say)
    return Report(out)
