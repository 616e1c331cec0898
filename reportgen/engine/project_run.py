"""Run a project: load its data, evaluate every inference set, and count every segment at every preset."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from reportgen.engine.aggregate import PresetCounts
from reportgen.engine.evaluation import EvalConfig, ModelResult, ModelSummary, Progress, evaluate_model, segment_counts
from reportgen.engine.grids import parse_grid, with_value
from reportgen.engine.report_parts import ReportData, ReportSpec, caps_for
from reportgen.errors import InputError
from reportgen.io._files import check_regular, open_input, read_text
from reportgen.io._location import Location
from reportgen.io._where import short
from reportgen.io.containers import BoolArray, GroundTruth, Predictions
from reportgen.io.options import LoadOptions
from reportgen.io.project import ALL_FRAMES, ClassesSpec, Project, Segment, inside, outside_message
from reportgen.io.query import QueryError, evaluate_query

if TYPE_CHECKING:
    from distributed import Client

#: The segment names of a project without segments of its own (a report built from --gt / --pred or in Python).
ALL_FRAMES_ONLY = [ALL_FRAMES]


@dataclass(frozen=True, eq=False)
class SegmentFrames:
    """A segment and its frames: ``mask`` is ``(F,)`` over the ground truth's frames."""

    segment: Segment
    mask: BoolArray

    @property
    def frame_count(self) -> int:
        return int(np.count_nonzero(self.mask))


@dataclass(frozen=True, eq=False)
class ProjectRun:
    """Everything computed for a project."""

    project: Project
    gt: GroundTruth
    frame_table: pd.DataFrame | None
    config: EvalConfig
    results: tuple[ModelSummary, ...]
    segments: tuple[SegmentFrames, ...]
    counts: dict[tuple[str, str], PresetCounts]
    predictions: tuple[Predictions, ...]  # every inference set's predictions, as loaded (``results``' order)

    def result(self, name: str) -> ModelSummary:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(name)

    def report_data(self, m: int) -> ReportData:
        """Inference set ``m``'s examples and object outcomes (a run made with ``report=True``)."""
        data = self.results[m].report
        if data is None:
            raise ValueError("the run kept no report data: run the project with report=True")
        return data

    @property
    def matched(self) -> tuple[ModelResult, ...]:
        """The results with every prediction's matching: a run in one piece (what a report needs)."""
        full = tuple(r for r in self.results if isinstance(r, ModelResult))
        if len(full) != len(self.results):
            raise ValueError("a partitioned run keeps no per-prediction matching")
        return full


def _noop(_: str) -> None:
    return None


def run_project(
    project: Project,
    *,
    progress: Progress = _noop,
    extra_confidence: float | None = None,
    extra_iou: float | None = None,
    extra_presets: Sequence[tuple[float, float]] = (),
    image_paths: bool = False,
    partitioned: bool = False,
    dask: str | Client | None = None,
    report: bool = False,
    num_parts: int | None = None,
) -> ProjectRun:
    """Load, evaluate and count everything the project describes.

    ``partitioned``: match one partition of the frames at a time and keep counts (every segment's) and records,
    not every prediction's matching (what ``check`` needs; a report needs the matching); ``dask``: match the
    partitions on that Dask cluster (docs/scale.md). The numbers are the same.

    ``extra_confidence`` / ``extra_iou`` / ``extra_presets``: values added to the project's grids (an off-grid
    threshold is computed exactly).
    ``image_paths``: check, before any computation, that the images a report would embed lie where the project
    may lead (its folder and ``--allow-path`` folders).
    ``report``: also keep what a report needs (records, examples, object outcomes: :mod:`.report_parts`).
    ``num_parts``: partitions of the frames of a partitioned run (default: by the number of frames).
    """
    from reportgen.io import load_ground_truth, load_predictions

    progress(f"loading {project.ground_truth}")
    gt = load_ground_truth(project.ground_truth, project.load_options)
    preds: list[Predictions] = []
    for spec in project.inference_sets:
        progress(f"loading {spec.path}")
        options = project.options_for(spec)
        if gt.task == "detection":
            preds.append(_read_in_chunks(spec.path, gt, options, spec.name, progress))
        else:
            preds.append(load_predictions(spec.path, gt, options, name=spec.name))
    gt, preds = apply_classes(gt, preds, project.classes, project.path)
    _check_display_names(project, gt)
    frame_table = load_frame_table(project, gt)
    if image_paths:
        check_image_paths(project, gt, frame_table)
    iou_grid = with_value(parse_grid(project.iou_grid, what="defaults.iou_grid"), project.iou)
    conf_grid = with_value(parse_grid(project.confidence_grid, what="defaults.confidence_grid"), project.confidence)
    if extra_iou is not None:
        iou_grid = with_value(iou_grid, extra_iou)
    if gt.task == "classification":
        iou_grid = np.array([project.iou])  # one whole-frame object per frame: IoU plays no part
    if extra_confidence is not None:
        conf_grid = with_value(conf_grid, extra_confidence)
    for conf_value, iou_value in extra_presets:  # (confidence, IoU) presets the caller needs on the grids
        conf_grid = with_value(conf_grid, conf_value)
        if gt.task == "detection":
            iou_grid = with_value(iou_grid, iou_value)
    config = EvalConfig(iou_grid, conf_grid, project.iou, project.confidence, coco=gt.task == "detection")
    segments = segment_frames(project, gt, frame_table)
    keep = report_spec(gt, segments) if report else None
    if partitioned or dask is not None:
        return _run_in_parts(project, gt, frame_table, config, preds, segments, progress, dask, keep, num_parts)
    results = tuple(evaluate_model(gt, p, config, report=keep, progress=progress) for p in preds)
    counts: dict[tuple[str, str], PresetCounts] = {}
    for result in results:
        for seg in segments:
            progress(f"{result.name}: segment {seg.segment.name}")
            if seg.segment.name == ALL_FRAMES and seg.mask.all():
                counts[result.name, seg.segment.name] = result.counts
            else:
                counts[result.name, seg.segment.name] = segment_counts(gt, result, seg.mask)
    return ProjectRun(project, gt, frame_table, config, results, segments, counts, tuple(preds))


def _read_in_chunks(
    path: Location, gt: GroundTruth, options: LoadOptions, name: str, progress: Progress
) -> Predictions:
    """Detection predictions read a chunk at a time (tables stream; other formats are one chunk) and gathered into
    one :class:`Predictions`, equal to ``load_predictions``'s: the read holds the gathered arrays and one chunk,
    not a whole table's parsing."""
    from reportgen.engine.streaming import CHUNK_ROWS
    from reportgen.io import iter_prediction_chunks, load_predictions

    fields: dict[str, list[np.ndarray]] = {"box": [], "frame": [], "cls": [], "score": []}
    dropped = 0
    source = str(path)
    for i, (chunk, _) in enumerate(iter_prediction_chunks(path, gt, options, name=name, rows=CHUNK_ROWS), start=1):
        for key, parts in fields.items():
            parts.append(getattr(chunk, key))
        dropped += chunk.dropped_unknown_frames
        source = chunk.source
        if i > 1:
            progress(f"{name}: read chunk {i}")
    if not fields["frame"]:
        return load_predictions(path, gt, options, name=name)
    # one field at a time, its chunks freed as it is gathered: the peak is the gathered arrays plus one field

    def gather(key: str) -> np.ndarray:
        out = np.concatenate(fields[key])
        fields[key].clear()
        return out

    box = gather("box")
    frame, cls, score = gather("frame"), gather("cls"), gather("score")
    return Predictions(name, frame, cls, box, score, source=source, dropped_unknown_frames=dropped)


def report_spec(gt: GroundTruth, segments: Sequence[SegmentFrames]) -> ReportSpec:
    """What the map step keeps for a report of these segments: the examples' caps, and the segments that get
    examples of their own (all but those covering every frame)."""
    return ReportSpec(caps_for(gt.num_classes), tuple(sf.mask for sf in segments if not sf.mask.all()))


def _run_in_parts(
    project: Project, gt: GroundTruth, frame_table: pd.DataFrame | None, config: EvalConfig,
    preds: list[Predictions], segments: tuple[SegmentFrames, ...], progress: Progress, dask: str | Client | None,
    spec: ReportSpec | None, num_parts: int | None,
) -> ProjectRun:  # fmt: skip
    """The project's counts from the map step: each segment counted in every partition, then added."""
    from reportgen.engine.streaming import evaluate_in_parts

    masks = [sf.mask for sf in segments]
    results: list[ModelSummary] = []
    if dask is not None:
        from reportgen.engine.cluster import connect, evaluate_on_cluster

        with connect(dask) as client:
            for p in preds:
                results.append(evaluate_on_cluster(client, gt, p, config, name=p.name, source_name=p.source,
                                                   num_parts=num_parts, segment_masks=masks, report=spec,
                                                   progress=progress))  # fmt: skip
    else:
        results = [evaluate_in_parts(gt, p, config, num_parts=num_parts, segment_masks=masks, report=spec,
                                     progress=progress) for p in preds]  # fmt: skip
    counts = {(r.name, sf.segment.name): r.segments[i] for r in results for i, sf in enumerate(segments)}
    return ProjectRun(project, gt, frame_table, config, tuple(results), segments, counts, tuple(preds))


def apply_classes(
    gt: GroundTruth, preds: list[Predictions], spec: ClassesSpec, source: Path
) -> tuple[GroundTruth, list[Predictions]]:
    """Apply ``classes.rename`` (merging classes that end with one name) and ``classes.ignore``."""
    if not spec.rename and not spec.ignore:
        return gt, preds
    rename = dict(spec.rename)
    for key, names in (("classes.rename", list(rename)), ("classes.ignore", list(spec.ignore))):
        for old in names:
            if old not in gt.classes:
                raise InputError(source, f"unknown class {old!r} (known: {', '.join(gt.classes)})", field=key)
    names = [rename.get(c, c) for c in gt.classes]
    kept = [
        n for n in dict.fromkeys(names) if n not in spec.ignore and n not in {rename.get(i, i) for i in spec.ignore}
    ]
    new_index = {n: i for i, n in enumerate(kept)}
    mapping = np.array([new_index.get(n, -1) for n in names], dtype=np.int64)
    first_id: dict[str, int] = {}
    for n, cid in zip(names, gt.category_ids, strict=True):
        first_id.setdefault(n, cid)
    g_keep = mapping[gt.cls] >= 0
    new_gt = GroundTruth(
        task=gt.task,
        frame_ids=gt.frame_ids,
        classes=tuple(kept),
        category_ids=tuple(first_id[n] for n in kept),
        image_size=gt.image_size,
        frame=gt.frame[g_keep],
        cls=mapping[gt.cls[g_keep]],
        box=gt.box[g_keep],
        area=gt.area[g_keep],
        crowd=gt.crowd[g_keep],
        ann_id=gt.ann_id[g_keep],
        source=gt.source,
        image_paths=gt.image_paths,
    )
    new_preds = []
    for p in preds:
        keep = mapping[p.cls] >= 0
        scores = None
        if p.class_scores is not None:
            scores = np.zeros((p.num_predictions, len(kept)))
            for old_index, new_index_of_old in enumerate(mapping.tolist()):
                if new_index_of_old >= 0:
                    scores[:, new_index_of_old] += p.class_scores[:, old_index]
            scores = scores[keep]
        new_preds.append(
            replace(
                p,
                frame=p.frame[keep],
                cls=mapping[p.cls[keep]],
                box=p.box[keep],
                score=p.score[keep],
                class_scores=scores,
            )
        )
    return new_gt, new_preds


def _check_display_names(project: Project, gt: GroundTruth) -> None:
    for name, _ in project.classes.display_names:
        if name not in gt.classes:
            raise InputError(
                project.path, f"expected a class of the ground truth ({', '.join(gt.classes)}), found {short(name)}",
                field="classes.display_names",
            )  # fmt: skip


_COMPRESSION_SUFFIXES = (".gz", ".bz2", ".xz", ".zst")


def load_frame_table(project: Project, gt: GroundTruth) -> pd.DataFrame | None:
    """The frame table aligned to the ground truth's frames (missing frames get empty metadata).

    Its format is told by the suffix (``.parquet``, ``.jsonl`` / ``.ndjson``, else CSV), after a compression
    suffix (``frames.csv.gz``).
    """
    path = project.frames_table
    if path is None:
        return None
    if not path.exists():
        raise InputError(path, "frame table not found", field="dataset.frames")
    check_regular(path)
    if path.is_dir():
        raise InputError(path, "expected a frame table file, found a folder", field="dataset.frames")
    name = path.name.lower()
    for suffix in _COMPRESSION_SUFFIXES:
        name = name.removesuffix(suffix)
    try:
        with open_input(path) as handle:
            if name.endswith(".parquet"):
                table = pd.read_parquet(handle)
            elif name.endswith((".jsonl", ".ndjson")):
                table = pd.read_json(handle, lines=True, dtype=False)
            else:
                _check_unique_columns(path, _raw_header(handle))
                handle.seek(0)
                table = pd.read_csv(handle, dtype={project.frame_id_column: str}, keep_default_na=True)
    except InputError:
        raise
    except Exception as exc:
        reason = short(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 120)
        raise InputError(path, f"cannot read the frame table: {reason}") from None
    col = project.frame_id_column
    if col not in table.columns:
        raise InputError(path, f"missing frame id column (columns: {', '.join(map(str, table.columns))})", field=col)
    table[col] = table[col].astype(str)
    dup = table[col].duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(path, f"duplicate frame id {table[col].iloc[row]!r}", line=row + 2, field=col)
    unknown = ~table[col].isin(gt.frame_ids)
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        raise InputError(
            path,
            f"frame {table[col].iloc[row]!r} is not in the ground truth ({int(unknown.sum())} such rows)",
            line=row + 2,
            field=col,
        )
    if project.image_column is not None and project.image_column not in table.columns:
        raise InputError(path, "missing image column named by dataset.image_column", field=project.image_column)
    aligned = table.set_index(col).reindex(list(gt.frame_ids))
    aligned.index.name = col
    return aligned.reset_index()


def segment_frames(project: Project, gt: GroundTruth, table: pd.DataFrame | None) -> tuple[SegmentFrames, ...]:
    """Membership of every segment; "All Frames" first, then the file's order."""
    all_mask = np.ones(gt.num_frames, dtype=bool)
    out = [SegmentFrames(Segment(ALL_FRAMES, "Split"), all_mask)]
    for i, seg in enumerate(project.segments):
        where = f"segments[{i}]"
        if seg.name == ALL_FRAMES:
            out[0] = SegmentFrames(replace(seg, type="Split"), all_mask)
            continue
        if seg.query is not None:
            if table is None:
                raise InputError(project.path, "a query needs a frame table (dataset.frames)", field=f"{where}.query")
            try:
                mask = evaluate_query(seg.query, table)
            except QueryError as exc:
                raise InputError(project.path, f"query {short(seg.query)}: {exc}", field=f"{where}.query") from None
        else:
            ids, field, source = _listed_frames(project, seg, where)
            mask = np.zeros(gt.num_frames, dtype=bool)
            for line, fid in ids:
                idx = gt.frame_index(fid)
                if idx is None:
                    raise InputError(
                        source, f"segment {short(seg.name)} names frame {short(fid)}, which is not in the ground truth",
                        line=line, field=field,
                    )  # fmt: skip
                mask[idx] = True
        if seg.metric_class is not None and seg.metric_class not in gt.classes:
            raise InputError(
                project.path, f"unknown class {seg.metric_class!r} (known: {', '.join(gt.classes)})",
                field=f"{where}.metric_class",
            )  # fmt: skip
        out.append(SegmentFrames(seg, mask))
    return tuple(out)


def _listed_frames(project: Project, seg: Segment, where: str) -> tuple[list[tuple[int | None, str]], str, Path]:
    if seg.frames is not None:
        return [(None, f) for f in seg.frames], f"{where}.frames", project.path
    assert seg.frames_file is not None
    path = seg.frames_file
    if not path.exists():
        raise InputError(project.path, f"frames file {str(path)!r} not found", field=f"{where}.frames_file")
    check_regular(path)
    ids: list[tuple[int | None, str]] = []
    for n, line in enumerate(read_text(path, "frame ids, one a line", allow_empty=True).splitlines(), start=1):
        text = line.strip()
        if text and not text.startswith("#"):
            ids.append((n, text))
    return ids, "frame id", path


def _check_unique_columns(path: Path, names: list[str]) -> None:
    """pandas would rename a repeated column ``x`` to ``x.1`` and a query would read only the first."""
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in seen:
            raise InputError(
                path, f"expected unique column names, found {short(name)} twice (columns {seen[name] + 1} and "
                f"{index + 1})",
            )  # fmt: skip
        seen[name] = index


def _raw_header(handle: object) -> list[str]:
    import csv
    import io

    assert hasattr(handle, "seek")
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")  # type: ignore[type-var]
    try:
        return next((row for row in csv.reader(text) if row), [])
    finally:
        text.detach()


def check_image_paths(project: Project, gt: GroundTruth, table: pd.DataFrame | None) -> None:
    """Images a report embeds must lie in the project's folder or an ``--allow-path`` folder (links followed):
    a project from a pull request must not copy ``/home/me/secret.png`` into a CI artifact."""
    roots = project.path_roots
    if roots is None:
        return
    checked: dict[Path, bool] = {}

    def ok(target: Path) -> bool:
        # resolve each folder once; the file itself only when it is a link (or '..')
        if "\x00" in str(target):  # no such file can exist: nothing is read, nothing embedded
            return True
        folder = target.parent
        if folder not in checked:
            checked[folder] = inside(folder, roots)
        if not checked[folder]:
            return False
        if target.name in ("", ".", "..") or target.is_symlink():
            return inside(target, roots)
        return True

    column = project.image_column
    if table is not None and column is not None and project.frames_table is not None:
        base = project.path.parent
        for row, value in enumerate(table[column].tolist()):
            if isinstance(value, str) and value and not ok(base / value):
                raise InputError(
                    project.frames_table, outside_message(value, base / value),
                    record=f"frame {short(str(table[project.frame_id_column].iloc[row]))}", field=column,
                )  # fmt: skip
    gt_base = project.ground_truth.parent
    if not isinstance(gt_base, Path):  # images beside a URL ground truth are not read (report/examples.py)
        return
    for index, image in enumerate(gt.image_paths):
        if image and not ok(gt_base / image):
            raise InputError(
                gt.source, outside_message(image, gt_base / image), record=f"frame {short(gt.frame_ids[index])}",
                field="file_name",
            )  # fmt: skip
