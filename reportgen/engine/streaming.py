"""Evaluation in bounded memory: predictions arrive in chunks, are spilled by partition, matched one partition at
a time, and reduced.

1. **Spill.** Each chunk of predictions (indexed into the ground truth's frames and classes) is split by
   partition (:func:`reportgen.engine.partition.partition_of`, a function of the frame alone) and appended to one
   spill file per partition: 60 bytes per prediction on disk. Rows may arrive in any order.
2. **Map.** One partition at a time: its rows are read back (in input order), its objects taken from the ground
   truth, and :func:`reportgen.engine.evaluation.map_part` reduces them to counts and compact records.
3. **Reduce.** :func:`reportgen.engine.evaluation.reduce_parts` adds the counts and merges the records.

The Dask path (:mod:`reportgen.engine.cluster`) runs the same three functions (:func:`split_rows`,
:func:`part_from_rows`, ``map_part``) on workers. Memory: the ground truth, one chunk, one partition's matching,
and the records (39 bytes per prediction with the default grid); see docs/scale.md.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from reportgen.engine.evaluation import EvalConfig, ModelSummary, PartResult, Progress, map_part, reduce_parts
from reportgen.engine.partition import Part, ground_truth_part, group_rows
from reportgen.engine.records import Records
from reportgen.engine.report_parts import ReportSpec
from reportgen.io.containers import BoolArray, GroundTruth, IntArray, Predictions

#: one spilled prediction: global frame, global input position, score, xywh box, class
ROW = np.dtype([("frame", "<i8"), ("position", "<i8"), ("score", "<f8"), ("box", "<f8", (4,)), ("cls", "<i4")])
Rows = npt.NDArray[np.void]

#: rows of a table read at a time (single process and Dask workers alike): ~150 MB while a chunk is indexed
CHUNK_ROWS = 250_000
#: frames per partition when the caller does not choose (a Dask map task: ~250,000 predictions at 50 a frame)
FRAMES_PER_PART = 5_000
#: frames per spill file of the single-process engine; consecutive files are matched together up to
#: :data:`PREDICTIONS_PER_MAP` predictions, so that the matching held at once does not depend on the data
SPILL_FRAMES = 500
PREDICTIONS_PER_MAP = 250_000


def default_parts(num_frames: int, frames_per_part: int = FRAMES_PER_PART) -> int:
    return max(1, min(4096, math.ceil(num_frames / frames_per_part)))


def groups(sizes: Sequence[int], target: int) -> list[tuple[int, int]]:
    """Consecutive runs ``[a, b)`` of partitions holding about ``target`` rows each (a partition larger than
    ``target`` is a run of its own)."""
    runs: list[tuple[int, int]] = []
    start, held = 0, 0
    for p, size in enumerate(sizes):
        if held and held + size > target:
            runs.append((start, p))
            start, held = p, 0
        held += size
    runs.append((start, len(sizes)))
    return runs


def to_rows(preds: Predictions, positions: IntArray) -> Rows:
    rows = np.empty(preds.num_predictions, dtype=ROW)
    rows["frame"] = preds.frame
    rows["position"] = positions
    rows["score"] = preds.score
    rows["box"] = preds.box
    rows["cls"] = preds.cls
    return rows


def split_rows(preds: Predictions, positions: IntArray, num_frames: int, num_parts: int) -> list[Rows]:
    """A chunk of predictions (global frame indices) as rows per partition, each in input order."""
    order, bounds = group_rows(preds.frame, num_frames, num_parts)
    rows = to_rows(preds, positions)
    return [rows[order[bounds[p] : bounds[p + 1]]] for p in range(num_parts)]


def part_from_rows(gt: GroundTruth, frames: IntArray, rows: Rows, name: str) -> Part:
    """The part of ``frames`` (ascending global indices) from its spilled rows (any order of arrival: sorted back
    into input order)."""
    rows = rows[np.argsort(rows["position"], kind="stable")]
    gt_part, local, objects = ground_truth_part(gt, frames)
    preds = Predictions(
        name=name,
        frame=local[rows["frame"]],
        cls=rows["cls"].astype(np.int64),
        box=np.ascontiguousarray(rows["box"]),
        score=np.ascontiguousarray(rows["score"]),
    )
    if preds.num_predictions and (preds.frame < 0).any():
        raise ValueError("rows of frames outside the part")
    return Part(gt_part, preds, frames, np.ascontiguousarray(rows["position"]), objects)


class Spill:
    """Spill files of one inference set: one per partition, appended to as chunks arrive."""

    def __init__(self, directory: Path, num_frames: int, num_parts: int) -> None:
        self.directory = directory
        self.num_frames = num_frames
        self.num_parts = num_parts
        self.count = 0
        self.dropped = 0
        self.sizes = [0] * num_parts
        self.paths = [directory / f"part-{p:05d}.rows" for p in range(num_parts)]
        for path in self.paths:
            path.write_bytes(b"")

    def add(self, chunk: Predictions) -> None:
        positions = np.arange(self.count, self.count + chunk.num_predictions, dtype=np.int64)
        self.count += chunk.num_predictions
        self.dropped += chunk.dropped_unknown_frames
        parts = split_rows(chunk, positions, self.num_frames, self.num_parts)
        for p, (path, rows) in enumerate(zip(self.paths, parts, strict=True)):
            self.sizes[p] += rows.size
            if rows.size:
                with path.open("ab") as handle:
                    rows.tofile(handle)

    def rows(self, first: int, stop: int) -> Rows:
        """The rows of partitions ``first`` .. ``stop - 1``."""
        pieces = [np.fromfile(self.paths[p], dtype=ROW) for p in range(first, stop)]
        return np.concatenate(pieces) if pieces else np.empty(0, dtype=ROW)

    def frames(self, first: int, stop: int) -> IntArray:
        """The global frames of partitions ``first`` .. ``stop - 1`` (a contiguous range, as in
        :func:`reportgen.engine.partition.frames_of`)."""
        lo = -((-first * self.num_frames) // self.num_parts)
        hi = -((-stop * self.num_frames) // self.num_parts)
        return np.arange(lo, hi, dtype=np.int64)


def evaluate_chunks(
    gt: GroundTruth,
    chunks: Iterable[Predictions],
    config: EvalConfig,
    *,
    name: str,
    source: str = "",
    num_parts: int | None = None,
    workdir: Path | None = None,
    segment_masks: Sequence[BoolArray] = (),
    keep_records: bool = False,
    report: ReportSpec | None = None,
    per_map: int = PREDICTIONS_PER_MAP,
    progress: Progress | None = None,
) -> ModelSummary:
    """Every metric of one inference set whose predictions come in ``chunks``, in bounded memory.

    ``num_parts``: spill files (partitions of the frames; default one per :data:`SPILL_FRAMES` frames), matched
    in runs of consecutive ones holding about ``per_map`` predictions. ``workdir``: where the spill files go
    (default: the system's temporary folder); they are removed when done.
    """
    say = progress if progress is not None else (lambda _: None)
    k = num_parts if num_parts is not None else default_parts(gt.num_frames, SPILL_FRAMES)
    with tempfile.TemporaryDirectory(prefix="reportgen-spill-", dir=workdir) as tmp:
        spill = Spill(Path(tmp), gt.num_frames, k)
        for i, chunk in enumerate(chunks, start=1):
            spill.add(chunk)
            say(f"{name}: read chunk {i} ({spill.count:,} predictions)")
        results: list[PartResult] = []
        runs = groups(spill.sizes, per_map)
        for i, (a, b) in enumerate(runs, start=1):
            part = part_from_rows(gt, spill.frames(a, b), spill.rows(a, b), name)
            result = map_part(part, config, segment_masks=segment_masks, report=report)[0]
            results.append(_saved(result, Path(tmp) / f"records-{i:05d}"))
            say(f"{name}: matched partition {i} of {len(runs)}")
        return reduce_parts(gt, results, config, name=name, source=source, dropped_unknown_frames=spill.dropped,
                            keep_records=keep_records, report=report, progress=say)  # fmt: skip


def evaluate_in_parts(
    gt: GroundTruth, preds: Predictions, config: EvalConfig, *, num_parts: int | None = None,
    segment_masks: Sequence[BoolArray] = (), keep_records: bool = False, report: ReportSpec | None = None,
    progress: Progress | None = None,
) -> ModelSummary:  # fmt: skip
    """Predictions already in memory, matched one partition at a time (the matching of only one partition is
    held at once). ``report``: also keep what a report needs (and the records)."""
    from reportgen.engine.partition import split

    say = progress if progress is not None else (lambda _: None)
    k = num_parts if num_parts is not None else default_parts(gt.num_frames)
    results = []
    with tempfile.TemporaryDirectory(prefix="reportgen-records-") as tmp:
        for p, part in enumerate(split(gt, preds, k), start=1):
            result = map_part(part, config, segment_masks=segment_masks, report=report)[0]
            results.append(_saved(result, Path(tmp) / f"records-{p:05d}"))
            say(f"{preds.name}: matched partition {p} of {k}")
        return reduce_parts(
            gt, results, config, name=preds.name, source=preds.source,
            dropped_unknown_frames=preds.dropped_unknown_frames, keep_records=keep_records,
            report=report, progress=say,
        )  # fmt: skip


def _saved(result: PartResult, folder: Path) -> PartResult:
    """The partition's records wait on disk: merging them then holds one copy, not two."""
    if not isinstance(result.records, Records):
        return result
    return replace(result, records=result.records.save(folder))


def chunks_of(preds: Predictions, size: int) -> Iterator[Predictions]:
    """``preds`` in consecutive chunks of ``size`` rows (for tests and for in-memory sources)."""
    for start in range(0, max(preds.num_predictions, 1), size):
        stop = start + size
        yield replace(
            preds,
            frame=preds.frame[start:stop],
            cls=preds.cls[start:stop],
            box=preds.box[start:stop],
            score=preds.score[start:stop],
            class_scores=None if preds.class_scores is None else preds.class_scores[start:stop],
            dropped_unknown_frames=preds.dropped_unknown_frames if start == 0 else 0,
        )
