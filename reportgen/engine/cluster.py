"""The same map and reduce on a Dask cluster.

``--dask ADDRESS`` (CLI), ``dask: ADDRESS`` (project file) or ``evaluate(..., dask=...)`` (API):

- ``local`` starts a ``distributed.LocalCluster`` with one worker process per core, ``local:N`` with N;
- any other address is an existing scheduler (``tcp://host:8786``), e.g. one started by dask-kubernetes or
  dask-jobqueue; from Python, a ``distributed.Client`` (a notebook's own) is used as it is.

The work is the single-process run's (:mod:`reportgen.engine.streaming`), task by task:

1. one **read** task per piece of the input (a file of a Parquet folder, or the whole input): the worker reads
   it itself (a local path on a shared file system, or an fsspec URL such as ``s3://...`` that the worker opens
   through fsspec: nothing is downloaded by the caller first), indexes it into the ground truth's frames and
   classes, and splits its rows by partition
   (:func:`~reportgen.engine.streaming.split_rows`). The rows stay on that worker.
2. one **map** task per partition: its rows from every piece (Dask moves them between workers), its objects
   from the ground truth (scattered to every worker once), then
   :func:`~reportgen.engine.evaluation.map_part`. Only its counts and compact records travel back.
3. the **reduce** runs in the calling process (:func:`~reportgen.engine.evaluation.reduce_parts`).

So the numbers are bit for bit those of the single-process run. Tasks are retried once (``retries=1``) when a
worker fails; a user error (:class:`~reportgen.errors.InputError`) raised on a worker reaches the caller whole.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from reportgen.engine.evaluation import EvalConfig, ModelSummary, PartResult, Progress, map_part, reduce_parts
from reportgen.engine.partition import frames_of
from reportgen.engine.records import Records
from reportgen.engine.report_parts import ReportSpec
from reportgen.engine.streaming import CHUNK_ROWS, ROW, Rows, default_parts, part_from_rows, split_rows
from reportgen.errors import InputError
from reportgen.io.containers import BoolArray, GroundTruth, Predictions

if TYPE_CHECKING:
    from distributed import Client

    from reportgen.io.options import LoadOptions

INSTALL_HINT = "install the Dask extra: pip install 'reportgen[dask]'"
RETRIES = 1


def require_dask() -> None:
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise InputError(None, f"expected Dask to be installed for --dask, found it missing ({INSTALL_HINT})",
                         field="--dask") from None  # fmt: skip


def parse_address(address: str) -> tuple[str, int | None]:
    """``local`` / ``local:N`` -> ("local", workers or None); anything else -> (address, None)."""
    text = address.strip()
    if text == "local":
        return "local", None
    if text.startswith("local:"):
        count = text.partition(":")[2]
        if not count.isdigit() or int(count) < 1:
            raise InputError(None, f"expected local, local:N with N >= 1, or a scheduler address, found {address!r}",
                             field="--dask")  # fmt: skip
        return "local", int(count)
    if not text:
        raise InputError(None, "expected local, local:N or a scheduler address, found an empty value", field="--dask")
    return text, None


@contextmanager
def connect(target: str | Client) -> Iterator[Client]:
    """A client for ``target`` (an address, or a client used as it is); a local cluster is closed on exit."""
    require_dask()
    from distributed import Client, LocalCluster

    if isinstance(target, Client):
        yield target
        return
    address, workers = parse_address(target)
    if address == "local":
        n = workers if workers is not None else (os.cpu_count() or 1)
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
                Client(cluster) as client:  # fmt: skip
            yield client
        return
    try:
        client = Client(address, timeout="20s")
    except OSError as exc:
        raise InputError(None, f"expected a reachable Dask scheduler at {address}, found none ({exc})",
                         field="--dask") from None  # fmt: skip
    with client:
        yield client


@dataclass(frozen=True)
class Piece:
    """Part of an inference set that one worker reads: an input (a local path or an fsspec URL; ``part``: one file
    of a Parquet folder, the only file the worker opens), and the input position of its first row."""

    path: str
    offset: int
    part: int | None = None


def read_piece(
    piece: Piece, gt: GroundTruth, options: LoadOptions, name: str, num_parts: int
) -> tuple[list[Rows], int]:
    """Read task: the piece's predictions as rows per partition, and how many were dropped (unknown frames).
    Detection inputs are read a chunk at a time (:func:`reportgen.io.iter_prediction_chunks`)."""
    from reportgen.io import iter_prediction_chunks, load_predictions, location

    path = location(piece.path)
    if gt.task == "classification":
        preds = load_predictions(path, gt, options, name=name)
        positions = np.arange(piece.offset, piece.offset + preds.num_predictions, dtype=np.int64)
        return split_rows(preds, positions, gt.num_frames, num_parts), preds.dropped_unknown_frames
    per_part: list[list[Rows]] = [[] for _ in range(num_parts)]
    dropped = 0
    for preds, start in iter_prediction_chunks(path, gt, options, name=name, part=piece.part, rows=CHUNK_ROWS):
        # rows dropped from a chunk leave gaps in the positions, never a change of order
        first = piece.offset + start
        positions = np.arange(first, first + preds.num_predictions, dtype=np.int64)
        for p, rows in enumerate(split_rows(preds, positions, gt.num_frames, num_parts)):
            per_part[p].append(rows)
        dropped += preds.dropped_unknown_frames
    return [np.concatenate(rows) if rows else np.empty(0, dtype=ROW) for rows in per_part], dropped


def map_rows(
    gt: GroundTruth, part: int, num_parts: int, name: str, config: EvalConfig, masks: Sequence[BoolArray],
    report: ReportSpec | None, *pieces: Rows,
) -> PartResult:  # fmt: skip
    """Map task: partition ``part`` from its rows of every piece (and the counts of the segments ``masks``; and
    what a report needs, with ``report``)."""
    rows = np.concatenate(pieces) if pieces else np.empty(0, dtype=ROW)
    frames = frames_of(part, gt.num_frames, num_parts)
    return map_part(part_from_rows(gt, frames, rows, name), config, segment_masks=masks, report=report)[0]


def _take(pair: tuple[list[Rows], int], part: int) -> Rows:
    return pair[0][part]


def _dropped(pair: tuple[list[Rows], int]) -> int:
    return pair[1]


def evaluate_on_cluster(
    client: Client,
    gt: GroundTruth,
    source: Sequence[Piece] | Predictions,
    config: EvalConfig,
    *,
    name: str,
    options: LoadOptions | None = None,
    source_name: str = "",
    num_parts: int | None = None,
    segment_masks: Sequence[BoolArray] = (),
    keep_records: bool = False,
    report: ReportSpec | None = None,
    progress: Progress | None = None,
    map_task: Callable[..., PartResult] = map_rows,
) -> ModelSummary:
    """One inference set on the cluster: ``source`` is the pieces workers read (with ``options``), or predictions
    already in memory (sent to the workers by partition). ``report``: the map tasks also return what a report
    needs (bounded: the first examples of each cell, the outcomes of the partition's objects)."""
    from distributed import as_completed

    say = progress if progress is not None else (lambda _: None)
    if num_parts is None:  # at least two partitions a worker, so that every worker has work
        workers = len(client.scheduler_info().get("workers", {})) or 1
        num_parts = min(max(default_parts(gt.num_frames), 2 * workers), max(gt.num_frames, 1))
    k = num_parts
    gt_future = client.scatter(gt, broadcast=True, hash=False)
    per_part: list[list[Any]] = [[] for _ in range(k)]
    reads, dropped_futures = [], []
    if isinstance(source, Predictions):
        positions = np.arange(source.num_predictions, dtype=np.int64)
        rows = split_rows(source, positions, gt.num_frames, k)
        for p, future in enumerate(client.scatter(rows, hash=False)):
            per_part[p].append(future)
        dropped = source.dropped_unknown_frames
    else:
        assert options is not None
        for piece in source:
            read = client.submit(read_piece, piece, gt_future, options, name, k, retries=RETRIES, pure=False)
            reads.append(read)  # held until the end: its rows feed every map task
            dropped_futures.append(client.submit(_dropped, read, pure=False))
            for p in range(k):
                per_part[p].append(client.submit(_take, read, p, pure=False))
        dropped = 0
    # one object (a scattered list would become a future per element)
    masks_future = client.scatter([tuple(segment_masks)], broadcast=True, hash=False)[0] if segment_masks else ()
    report_future = client.scatter([report], broadcast=True, hash=False)[0] if report is not None else None
    futures = []
    for p in range(k):
        args = (gt_future, p, k, name, config, masks_future, report_future, *per_part[p])
        futures.append(client.submit(map_task, *args, retries=RETRIES, pure=False))
    index = {f.key: p for p, f in enumerate(futures)}
    results: list[PartResult | None] = [None] * k
    with tempfile.TemporaryDirectory(prefix="reportgen-records-") as tmp:
        for done, (future, result) in enumerate(as_completed(futures, with_results=True), start=1):
            # the records wait on disk: merging then holds one copy of them, not two
            assert isinstance(result.records, Records)
            p = index[future.key]
            results[p] = replace(result, records=result.records.save(Path(tmp) / f"records-{p:05d}"))
            future.release()
            say(f"{name}: partition {done} of {k} done on the cluster")
        dropped += sum(client.gather(dropped_futures))
        del reads
        parts = [r for r in results if r is not None]
        return reduce_parts(gt, parts, config, name=name, source=source_name, dropped_unknown_frames=dropped,
                            keep_records=keep_records, report=report,
                            progress=say)  # fmt: skip
