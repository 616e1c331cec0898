"""Chunked reading: chunks of a table, converted one at a time, give exactly what the whole read gives (arrays bit
for bit, error messages character for character); Parquet folders are one table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from reportgen.errors import InputError
from reportgen.io import (
    LoadOptions,
    detect_format,
    iter_raw_prediction_chunks,
    iter_table_chunks,
    load_ground_truth,
    load_predictions,
)
from reportgen.io._records import build_predictions
from reportgen.io._table_file import read_table
from reportgen.io.containers import GroundTruth, Predictions

PLAIN = LoadOptions()


def coco_like_gt(tmp_path: Path, frames: int = 40) -> GroundTruth:
    rng = np.random.default_rng(1)
    n = frames * 3
    table = pd.DataFrame({
        "frame_id": rng.integers(1, frames + 1, n).astype(str),
        "class": rng.choice(["car", "person", "bike"], n),
        "x": rng.uniform(0, 50, n), "y": rng.uniform(0, 50, n),
        "w": rng.uniform(1, 30, n), "h": rng.uniform(1, 30, n),
    })  # fmt: skip
    path = tmp_path / "gt.parquet"
    table.to_parquet(path, index=False)
    return load_ground_truth(path, PLAIN)


def random_predictions(n: int, frames: int = 40, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "frame_id": rng.integers(1, frames + 1, n).astype(str),
        "class": rng.choice(["car", "person", "bike"], n),
        "x": rng.uniform(0, 50, n), "y": rng.uniform(0, 50, n),
        "w": rng.uniform(1, 30, n), "h": rng.uniform(1, 30, n),
        "score": np.round(rng.uniform(0, 1, n), 2),  # ties
    })  # fmt: skip


def write_folder(table: pd.DataFrame, folder: Path, sizes: list[int], *, hive: bool = False) -> Path:
    """``table`` split into files of ``sizes`` rows, named so that name order is row order."""
    start = 0
    for i, size in enumerate(sizes):
        sub = folder / (f"day={i // 2}" if hive else "") / f"part-{i:04d}.parquet"
        sub.parent.mkdir(parents=True, exist_ok=True)
        table.iloc[start : start + size].to_parquet(sub, index=False)
        start += size
    assert start == len(table)
    return folder


WRITERS: dict[str, Callable[[pd.DataFrame, Path], Path]] = {
    "csv": lambda t, d: (t.to_csv(d / "p.csv", index=False), d / "p.csv")[1],
    "jsonl": lambda t, d: (t.to_json(d / "p.jsonl", orient="records", lines=True), d / "p.jsonl")[1],
    "parquet": lambda t, d: (t.to_parquet(d / "p.parquet", index=False), d / "p.parquet")[1],
    "parquet-folder": lambda t, d: write_folder(t, d / "p", [5, 0, 17, 1, 30, 47]),
    "parquet-hive": lambda t, d: write_folder(t, d / "p", [20, 20, 20, 40], hive=True),
}


def chunked(path: Path, gt: GroundTruth, rows: int, options: LoadOptions = PLAIN) -> list[Predictions]:
    return [
        build_predictions(
            raw, gt, name="m", names=None, sizes=None, ignore_unknown_frames=options.ignore_unknown_frames
        )
        for raw in iter_raw_prediction_chunks(path, options, rows=rows)
    ]


def assert_same(parts: list[Predictions], whole: Predictions) -> None:
    for field in ("frame", "cls", "box", "score"):
        joined = np.concatenate([getattr(p, field) for p in parts])
        expected = getattr(whole, field)
        assert joined.dtype == expected.dtype and joined.shape == expected.shape, field
        assert joined.tobytes() == expected.tobytes(), field  # bit for bit


@pytest.mark.parametrize("kind", sorted(WRITERS))
@pytest.mark.parametrize("rows", [1, 7, 64, 1000])
def test_chunks_convert_to_the_whole_predictions(tmp_path: Path, kind: str, rows: int) -> None:
    gt = coco_like_gt(tmp_path)
    path = WRITERS[kind](random_predictions(100), tmp_path)
    whole = load_predictions(path, gt, PLAIN, name="m")
    parts = chunked(path, gt, rows)
    assert len(parts) == -(-100 // rows)
    assert_same(parts, whole)


def test_chunks_know_their_position(tmp_path: Path) -> None:
    path = WRITERS["parquet-folder"](random_predictions(100), tmp_path)
    chunks = list(iter_table_chunks(path, "parquet", rows=30))
    assert [c.start for c in chunks] == [0, 30, 60, 90]
    assert [c.num_rows for c in chunks] == [30, 30, 30, 10]
    whole = read_table(path, "parquet").frame
    pd.testing.assert_frame_equal(pd.concat([c.frame for c in chunks], ignore_index=True), whole)


def test_dropped_unknown_frames_add_up(tmp_path: Path) -> None:
    gt = coco_like_gt(tmp_path, frames=20)
    path = WRITERS["csv"](random_predictions(100, frames=40), tmp_path)
    options = LoadOptions(ignore_unknown_frames=True)
    whole = load_predictions(path, gt, options, name="m")
    parts = chunked(path, gt, 13, options)
    assert_same(parts, whole)
    assert sum(p.dropped_unknown_frames for p in parts) == whole.dropped_unknown_frames > 0


def test_coco_results_and_txt_folders_are_one_chunk(tmp_path: Path) -> None:
    from tests.io import writers as w

    gt = load_ground_truth(w.coco_gt(tmp_path), PLAIN)
    for path in (w.coco_results(tmp_path), w.padilla_folder(tmp_path / "txt", w.PRED, "xywh")):
        parts = chunked(path, gt, 1)
        assert len(parts) == 1
        assert_same(parts, load_predictions(path, gt, PLAIN, name="m"))


# ------------------------------------------------------------------------------ same errors as the whole read


def error_of(call: Callable[[], object]) -> str:
    with pytest.raises(InputError) as info:
        call()
    return str(info.value)


def consume(path: Path, gt: GroundTruth, rows: int) -> None:
    chunked(path, gt, rows)


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_an_error_in_a_later_chunk_reads_as_in_the_whole_file(tmp_path: Path, kind: str) -> None:
    gt = coco_like_gt(tmp_path)
    table = random_predictions(100)
    table.loc[83, "score"] = 1.7
    path = WRITERS[kind](table, tmp_path)
    whole = error_of(lambda: load_predictions(path, gt, PLAIN, name="m"))
    assert error_of(lambda: consume(path, gt, 10)) == whole
    expected = {
        "csv": f"{path}: line 85: field 'score'",
        "jsonl": f"{path}: line 84: field 'score'",
        "parquet": f"{path}: row 83: field 'score'",
        "parquet-folder": f"{path / 'part-0005.parquet'}: row 30: field 'score'",  # files of 5, 0, 17, 1, 30, 47
        "parquet-hive": f"{path / 'day=1' / 'part-0003.parquet'}: row 23: field 'score'",  # 20, 20, 20, 40
    }[kind]
    assert whole == f"{expected}: expected a confidence in [0, 1], found 1.7"


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_an_unknown_class_in_a_later_chunk(tmp_path: Path, kind: str) -> None:
    gt = coco_like_gt(tmp_path)
    table = random_predictions(50)
    table.loc[41, "class"] = "boat"
    path = WRITERS[kind](table, tmp_path)
    whole = error_of(lambda: load_predictions(path, gt, PLAIN, name="m"))
    assert error_of(lambda: consume(path, gt, 8)) == whole
    assert "expected a class of the ground truth (person, car, bike), found 'boat'" in whole


def test_row_2_500_001_of_a_big_parquet_file(tmp_path: Path) -> None:
    n = 2_600_000
    gt = coco_like_gt(tmp_path)
    rng = np.random.default_rng(5)
    score = rng.uniform(0, 1, n)
    score[2_500_000] = 1.7  # the 2,500,001st row
    table = pa.table({
        "frame_id": pa.array(rng.integers(1, 41, n)).cast(pa.string()),
        "class": pa.array(np.array(["car", "person", "bike"])[rng.integers(0, 3, n)]),
        "x": np.ones(n), "y": np.ones(n), "w": np.full(n, 2.0), "h": np.full(n, 2.0), "score": score,
    })  # fmt: skip
    path = tmp_path / "big.parquet"
    pq.write_table(table, path, row_group_size=300_000)
    del table
    expected = f"{path}: row 2500000: field 'score': expected a confidence in [0, 1], found 1.7"
    assert error_of(lambda: consume(path, gt, 1_000_000)) == expected
    assert error_of(lambda: load_predictions(path, gt, PLAIN, name="m")) == expected


def test_csv_line_of_a_row_in_a_later_chunk_with_blank_and_quoted_lines(tmp_path: Path) -> None:
    gt = coco_like_gt(tmp_path)
    lines = ["frame_id,class,x,y,w,h,score"]
    for i in range(30):
        lines.append(f'{i % 40 + 1},"car",1,1,2,2,0.5')
        if i % 7 == 0:
            lines.append("")  # blank lines are skipped: a row's line is not its number + 2
    lines.append('3,"car",1,1,-2,2,0.5')
    path = tmp_path / "p.csv"
    path.write_text("\n".join(lines) + "\n")
    whole = error_of(lambda: load_predictions(path, gt, PLAIN, name="m"))
    assert whole == f"{path}: line {len(lines)}: field 'w': expected a positive width, found -2.0"
    assert error_of(lambda: consume(path, gt, 4)) == whole


# --------------------------------------------------------------------------------------- Parquet folders


def test_parquet_folder_is_detected_and_read_in_name_order(tmp_path: Path) -> None:
    folder = tmp_path / "preds"
    folder.mkdir()
    table = random_predictions(12)
    table.iloc[:4].to_parquet(folder / "part-b.parquet", index=False)
    table.iloc[4:8].to_parquet(folder / "part-a.parquet", index=False)
    (folder / "sub").mkdir()
    table.iloc[8:].to_parquet(folder / "sub" / "part-0.parquet", index=False)
    for ignored in ("_SUCCESS", "_metadata", "_common_metadata", ".part-a.parquet.crc", "_tmp.parquet"):
        (folder / ignored).write_bytes(b"not parquet")
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "x.parquet").write_bytes(b"not parquet")
    assert detect_format(folder, role="pred") == "parquet"
    read = read_table(folder, "parquet").frame
    expected = pd.concat([table.iloc[4:8], table.iloc[:4], table.iloc[8:]], ignore_index=True)
    pd.testing.assert_frame_equal(read, expected)


def test_hive_folders_are_string_columns(tmp_path: Path) -> None:
    folder = tmp_path / "gt"
    table = random_predictions(6).drop(columns="score")
    for i, (camera, day) in enumerate([("front", "1"), ("rear%20left", "__HIVE_DEFAULT_PARTITION__")]):
        sub = folder / f"camera={camera}" / f"day={day}"
        sub.mkdir(parents=True)
        table.iloc[3 * i : 3 * i + 3].to_parquet(sub / "part-0.parquet", index=False)
    read = read_table(folder, "parquet")
    assert read.frame["camera"].tolist() == ["front"] * 3 + ["rear left"] * 3
    assert read.frame["day"].tolist()[:3] == ["1"] * 3
    assert read.missing["day"].tolist() == [False] * 3 + [True] * 3
    gt = load_ground_truth(folder, PLAIN)  # ground truth from a folder too
    assert gt.num_objects == 6


def test_ground_truth_and_predictions_from_folders_equal_single_files(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    gt_table = random_predictions(60, seed=7).drop(columns="score")
    gt_table["iscrowd"] = rng.integers(0, 2, 60)
    gt_file = tmp_path / "gt.parquet"
    gt_table.to_parquet(gt_file, index=False)
    gt_folder = write_folder(gt_table, tmp_path / "gtf", [10, 25, 25])
    a, b = load_ground_truth(gt_file, PLAIN), load_ground_truth(gt_folder, PLAIN)
    assert a.frame_ids == b.frame_ids and a.classes == b.classes
    for field in ("frame", "cls", "box", "area", "crowd"):
        assert getattr(a, field).tobytes() == getattr(b, field).tobytes()
    preds = random_predictions(100)
    options = LoadOptions(ignore_unknown_frames=True)
    whole = load_predictions(WRITERS["parquet"](preds, tmp_path), a, options, name="m")
    assert_same([load_predictions(WRITERS["parquet-folder"](preds, tmp_path), b, options, name="m")], whole)


# ------------------------------------------------------------------------------------------- bad folders


def pred_error(path: Path, tmp_path: Path) -> str:
    gt = coco_like_gt(tmp_path)
    return error_of(lambda: load_predictions(path, gt, PLAIN, name="m"))


def test_empty_folder(tmp_path: Path) -> None:
    folder = tmp_path / "preds"
    folder.mkdir()
    assert pred_error(folder, tmp_path) == (
        f"{folder}: expected a folder of .txt, .xml or .parquet files of predictions, found none"
    )
    assert (
        error_of(lambda: load_predictions(folder, coco_like_gt(tmp_path), LoadOptions(pred_format="parquet"), name="m"))
        == f"{folder}: expected .parquet files in the folder, found none"
    )


def test_folder_with_only_success(tmp_path: Path) -> None:
    folder = tmp_path / "preds"
    folder.mkdir()
    (folder / "_SUCCESS").write_text("")
    assert pred_error(folder, tmp_path) == (
        f"{folder}: expected a folder of .txt, .xml or .parquet files of predictions, found none (skipped: _SUCCESS)"
    )
    options = LoadOptions(pred_format="parquet")
    assert error_of(lambda: load_predictions(folder, coco_like_gt(tmp_path), options, name="m")) == (
        f"{folder}: expected .parquet files in the folder, found none (skipped: _SUCCESS)"
    )


def test_folder_of_parquet_and_txt(tmp_path: Path) -> None:
    folder = write_folder(random_predictions(4), tmp_path / "preds", [4])
    (folder / "0001.txt").write_text("car 0.5 1 1 2 2\n")
    assert pred_error(folder, tmp_path) == (
        f"{folder}: expected a folder of .parquet files (one table) or of .txt / .xml files (one per image), found "
        ".parquet files and .txt (predictions)"
    )


def test_mixed_schemas_name_both_files_and_the_column(tmp_path: Path) -> None:
    folder = write_folder(random_predictions(10), tmp_path / "preds", [5, 5])
    random_predictions(3).drop(columns="score").to_parquet(folder / "part-0002.parquet", index=False)
    first, third = folder / "part-0000.parquet", folder / "part-0002.parquet"
    assert pred_error(folder, tmp_path) == f"{third}: expected the columns of {first}, found no column 'score'"
    table = random_predictions(3)
    table["score"] = table["score"].astype(str)
    pq.write_table(
        pa.Table.from_pandas(table, preserve_index=False).cast(
            pa.schema(
                [
                    pa.field(c, pa.string() if c in ("frame_id", "class", "score") else pa.float64())
                    for c in table.columns
                ]
            )
        ),
        third,
    )
    assert pred_error(folder, tmp_path) == (
        f"{third}: expected column 'score' of type double as in {first}, found string"
    )
    table = random_predictions(3)
    table["extra"] = 1
    table.to_parquet(third, index=False)
    assert pred_error(folder, tmp_path) == (
        f"{third}: expected the columns of {first}, found a column 'extra' that it lacks"
    )


def test_partition_folders_must_agree(tmp_path: Path) -> None:
    folder = write_folder(random_predictions(10), tmp_path / "preds", [5, 5], hive=True)  # both in day=0
    (folder / "day=0" / "part-0001.parquet").rename(folder / "part-0001.parquet")
    assert pred_error(folder, tmp_path) == (
        f"{folder / 'part-0001.parquet'}: expected the partition folders of {folder / 'day=0' / 'part-0000.parquet'} "
        "(day=), found none"
    )


def test_a_bad_row_in_a_folder_names_its_file_and_row(tmp_path: Path) -> None:
    table = random_predictions(40)
    table.loc[27, "x"] = np.inf
    folder = write_folder(table, tmp_path / "preds", [10, 10, 10, 10])
    assert pred_error(folder, tmp_path) == (
        f"{folder / 'part-0002.parquet'}: row 7: field 'x': expected a finite number, found inf"
    )


def test_an_unreadable_file_in_a_folder(tmp_path: Path) -> None:
    folder = write_folder(random_predictions(10), tmp_path / "preds", [5, 5])
    (folder / "part-0001.parquet").write_bytes(b"PAR1 broken")
    message = pred_error(folder, tmp_path)
    assert message.startswith(f"{folder / 'part-0001.parquet'}: expected a Parquet file, found a file pyarrow cannot")


def test_a_column_named_as_a_partition(tmp_path: Path) -> None:
    folder = tmp_path / "preds" / "class=car"
    folder.mkdir(parents=True)
    random_predictions(3).to_parquet(folder / "p.parquet", index=False)
    assert pred_error(tmp_path / "preds", tmp_path) == (
        f"{folder / 'p.parquet'}: field 'class': expected a column or a partition folder named 'class', found both"
    )
