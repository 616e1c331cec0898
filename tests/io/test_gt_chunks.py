"""Ground truth read a chunk at a time (``load_ground_truth(..., chunk_rows=N)``, what the bounded-memory engine
does) equals the whole read: frames and their order, sizes, classes, boxes, areas, crowd flags, ids; and an error
in a later chunk reads as in the whole file."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reportgen.errors import InputError
from reportgen.io import LoadOptions, load_ground_truth
from reportgen.io.containers import GroundTruth


def gt_table(seed: int, n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = rng.integers(1, 25, n).astype(str)
    table = pd.DataFrame({
        "frame_id": frames,
        "class": rng.choice(["car", "person", "bike", "bus"], n),
        "x": np.round(rng.uniform(0, 50, n), 2), "y": np.round(rng.uniform(0, 50, n), 2),
        "w": np.round(rng.uniform(1, 30, n), 2), "h": np.round(rng.uniform(1, 30, n), 2),
        "iscrowd": (rng.random(n) < 0.1).astype(int),
        "area": np.round(rng.uniform(10, 900, n), 1),
        "ann_id": np.arange(100, 100 + n),
    })  # fmt: skip
    return table


def with_frame_rows_and_sizes(table: pd.DataFrame) -> pd.DataFrame:
    """Frames without objects (rows with a frame id only) in the middle and at the end, and image sizes on some
    rows (a frame takes the size of its first row that has one)."""
    table = table.copy()
    table["image_width"] = np.where(np.arange(len(table)) % 3 == 0, 640.0, np.nan)
    table["image_height"] = np.where(np.arange(len(table)) % 3 == 0, 480.0, np.nan)
    empty = pd.DataFrame({"frame_id": ["empty-a", "empty-b"], "image_width": [320.0, np.nan],
                          "image_height": [240.0, np.nan]})  # fmt: skip
    middle = len(table) // 2
    return pd.concat([table.iloc[:middle], empty.iloc[:1], table.iloc[middle:], empty.iloc[1:]], ignore_index=True)


WRITERS: dict[str, Callable[[pd.DataFrame, Path], Path]] = {
    "csv": lambda t, d: _write(d / "gt.csv", lambda p: t.to_csv(p, index=False)),
    "jsonl": lambda t, d: _write(d / "gt.jsonl", lambda p: t.to_json(p, orient="records", lines=True)),
    "parquet": lambda t, d: _write(d / "gt.parquet", lambda p: t.to_parquet(p, index=False)),
    "folder": lambda t, d: _folder(t, d / "gt"),
}


def _write(path: Path, write: Callable[[Path], None]) -> Path:
    write(path)
    return path


def _folder(table: pd.DataFrame, folder: Path) -> Path:
    folder.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(table)), 3)):
        table.iloc[rows].to_parquet(folder / f"part-{i}.parquet", index=False)
    return folder


def assert_same_gt(a: GroundTruth, b: GroundTruth) -> None:
    for f in dataclasses.fields(GroundTruth):
        if f.name.startswith("_"):
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f.name
        else:
            assert x == y, f.name


@pytest.mark.parametrize("kind", list(WRITERS))
@pytest.mark.parametrize("rows", [1, 7, 1000])
@pytest.mark.parametrize("frame_rows", [False, True])
def test_chunked_ground_truth_equals_the_whole_read(kind: str, rows: int, frame_rows: bool, tmp_path: Path) -> None:
    table = gt_table(3)
    if frame_rows:
        table = with_frame_rows_and_sizes(table)
    path = WRITERS[kind](table, tmp_path)
    whole = load_ground_truth(path, LoadOptions())
    assert_same_gt(whole, load_ground_truth(path, LoadOptions(), chunk_rows=rows))
    if frame_rows:
        assert "empty-a" in whole.frame_ids and "empty-b" in whole.frame_ids


def test_normalized_boxes_with_sizes_on_rows(tmp_path: Path) -> None:
    table = gt_table(4)
    for c in ("x", "y", "w", "h"):
        table[c] = table[c] / 100
    table["image_width"], table["image_height"] = 1280.0, 720.0
    path = WRITERS["parquet"](table, tmp_path)
    options = LoadOptions(normalized=True)
    assert_same_gt(load_ground_truth(path, options), load_ground_truth(path, options, chunk_rows=5))


def test_an_error_in_a_later_chunk_reads_as_in_the_whole_file(tmp_path: Path) -> None:
    table = gt_table(5)
    table.loc[47, "w"] = -3.0
    path = WRITERS["csv"](table, tmp_path)
    with pytest.raises(InputError) as whole:
        load_ground_truth(path, LoadOptions())
    with pytest.raises(InputError) as chunked:
        load_ground_truth(path, LoadOptions(), chunk_rows=10)
    assert str(chunked.value) == str(whole.value)
    assert "line 49" in str(whole.value)
