"""``reportgen convert``: evaluating converted files gives the numbers of the originals; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reportgen.io import LoadOptions, load_ground_truth
from tests.cli import assert_error, evaluate, reportgen
from tests.io import writers as w

REPO = Path(__file__).resolve().parents[1]
FAKE100 = REPO / "tests" / "reference" / "cocoapi_fake100"
COCO_GT = FAKE100 / "instances_val2014_100.json"
COCO_DT = FAKE100 / "instances_val2014_fakebbox100_results.json"


def metrics(path: Path) -> dict[str, Any]:
    """``evaluate --json`` without what names the input files."""
    data = json.loads(path.read_text())
    for entry in (data["ground_truth"], *data["inference_sets"]):
        del entry["path"], entry["sha256"]
    return data  # type: ignore[no-any-return]


def same_evaluation(tmp_path: Path, original: tuple[list[str | Path], list[str | Path]],
                    converted: tuple[list[str | Path], list[str | Path]]) -> None:  # fmt: skip
    runs = []
    for i, (gt_args, pred_args) in enumerate((original, converted)):
        out = tmp_path / f"m{i}.json"
        run = evaluate("--gt", *gt_args, "--pred", *pred_args, "--json", out)
        assert run.code == 0, run.stderr
        runs.append((run.stdout, metrics(out)))
    assert runs[0][0] == runs[1][0]  # the printed report, COCO summary included
    assert runs[0][1] == runs[1][1]


@pytest.mark.parametrize("rows_per_file", [None, 97])
def test_coco_converted_evaluates_the_same(tmp_path: Path, rows_per_file: int | None) -> None:
    gt, preds = tmp_path / "gt.parquet", tmp_path / ("preds" if rows_per_file else "preds.parquet")
    extra = ["--rows-per-file", str(rows_per_file)] if rows_per_file else []
    run = reportgen("convert", COCO_GT, gt, "-q")
    assert run.code == 0, run.stderr
    assert run.stdout == f"wrote {gt}: 939 rows, 839 objects\n"  # 100 frame rows, then the objects
    run = reportgen("convert", COCO_DT, preds, "--role", "pred", "--gt", COCO_GT, *extra, "-q")
    assert run.code == 0, run.stderr
    if rows_per_file:
        assert sorted(p.name for p in preds.iterdir()) == [f"part-{i:05d}.parquet" for i in range(8)]
    same_evaluation(tmp_path, ([COCO_GT], [f"m={COCO_DT}"]), ([gt], [f"m={preds}"]))
    # converted predictions also evaluate against the original COCO ground truth
    same_evaluation(tmp_path, ([COCO_GT], [f"m={COCO_DT}"]), ([COCO_GT], [f"m={preds}"]))


def coco_with_gaps(tmp_path: Path) -> Path:
    """Images out of id order, one without objects, annotations not grouped by image, a class without objects."""
    data = {
        "images": [{"id": i, "width": 640, "height": 480, "file_name": f"{i}.jpg"} for i in (3, 10, 2, 7)],
        "categories": [{"id": 5, "name": "car"}, {"id": 2, "name": "bus"}, {"id": 9, "name": "unseen"}],
        "annotations": [
            {"id": 11, "image_id": 10, "category_id": 2, "bbox": [1, 2, 30, 40], "area": 900.5, "iscrowd": 0},
            {"id": 4, "image_id": 3, "category_id": 5, "bbox": [5, 5, 10, 10], "area": 100, "iscrowd": 1},
            {"id": 7, "image_id": 10, "category_id": 5, "bbox": [0.25, 0.5, 12.125, 7], "area": 80, "iscrowd": 0},
            {"id": 8, "image_id": 2, "category_id": 5, "bbox": [50, 60, 20, 20], "area": 400, "iscrowd": 0},
        ],
    }
    path = tmp_path / "gaps.json"
    path.write_text(json.dumps(data))
    return path


def test_ground_truth_arrays_survive_conversion(tmp_path: Path) -> None:
    source = coco_with_gaps(tmp_path)
    out = tmp_path / "gt.parquet"
    assert reportgen("convert", source, out, "-q").code == 0
    a, b = load_ground_truth(source, LoadOptions()), load_ground_truth(out, LoadOptions())
    assert b.frame_ids == a.frame_ids == ("3", "10", "2", "7")  # "7" has no objects
    assert b.classes == a.classes == ("car", "bus", "unseen")
    assert b.category_ids == a.category_ids == (5, 2, 9)
    for field in ("image_size", "frame", "cls", "box", "area", "crowd", "ann_id"):
        assert getattr(a, field).tobytes() == getattr(b, field).tobytes(), field
    preds = tmp_path / "p.json"
    preds.write_text(json.dumps([
        {"image_id": 7, "category_id": 5, "bbox": [1, 1, 5, 5], "score": 0.9},
        {"image_id": 10, "category_id": 2, "bbox": [1, 2, 30, 40], "score": 0.9},
        {"image_id": 2, "category_id": 5, "bbox": [50, 60, 20, 20], "score": 0.3},
    ]))  # fmt: skip
    same_evaluation(tmp_path, ([source], [f"m={preds}"]), ([out], [f"m={preds}"]))


def test_yolo_folders_converted_evaluate_the_same(tmp_path: Path) -> None:
    names, sizes = w.names_file(tmp_path), w.sizes_file(tmp_path)
    gt = w.yolo_folder(tmp_path / "gt" / "labels", w.GT)
    preds = w.yolo_folder(tmp_path / "pred" / "labels", w.PRED)
    options = ["--class-names", names, "--image-sizes", sizes]
    assert reportgen("convert", gt, tmp_path / "gt.parquet", *options, "-q").code == 0
    run = reportgen("convert", preds, tmp_path / "p.parquet", "--role", "pred", "--gt", gt, *options, "-q")
    assert run.code == 0, run.stderr
    same_evaluation(
        tmp_path, ([gt, *options], [f"m={preds}"]), ([tmp_path / "gt.parquet"], [f"m={tmp_path / 'p.parquet'}"])
    )


def test_csv_predictions_with_another_box_layout(tmp_path: Path) -> None:
    gt = w.coco_gt(tmp_path)
    csv = w.write_table(w.frame_table(w.PRED, "xyxy"), tmp_path / "p.csv")
    out = tmp_path / "p.parquet"
    run = reportgen("convert", csv, out, "--role", "pred", "--gt", gt, "--box-format", "xyxy", "-q")
    assert run.code == 0, run.stderr
    same_evaluation(tmp_path, ([gt, "--box-format", "xyxy"], [f"m={csv}"]), ([gt], [f"m={out}"]))


# --------------------------------------------------------------------------------------------- bad input


def test_output_is_the_input(tmp_path: Path) -> None:
    gt = tmp_path / "gt.parquet"
    assert reportgen("convert", COCO_GT, gt, "-q").code == 0
    before = gt.read_bytes()
    assert_error(
        reportgen("convert", gt, gt, "-q"),
        f"Error: OUTPUT {str(gt)!r} is the input {str(gt)!r}, an input of this run: refusing to overwrite it",
    )
    assert gt.read_bytes() == before


def test_folder_output_inside_the_input_folder(tmp_path: Path) -> None:
    folder = tmp_path / "preds"
    assert reportgen("convert", COCO_DT, folder, "--role", "pred", "--gt", COCO_GT, "--rows-per-file", "300").code == 0
    assert_error(
        reportgen("convert", folder, folder / "again", "--role", "pred", "--gt", COCO_GT, "--rows-per-file", "9"),
        "is inside the input", "an input folder of this run",
    )
    assert not (folder / "again").exists()  # the folder made for the check is gone


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "pred"], "Error: --gt: --role pred needs the ground truth the predictions are for"),
        (["--role", "both"], "Error: --role: expected gt or pred, found 'both'"),
        (["--rows-per-file", "0"], "Error: --rows-per-file: expected a number of rows >= 1, found 0"),
        (["--gt", str(COCO_GT)],
         "Error: --gt: give it with --role pred only (with --role gt, INPUT is the ground truth)"),
        (["--format", "classification"],
         "Error: --format: convert reads detection inputs; a classification table is a table already"),
        (["--format", "excel"], "Error: --format: expected one of auto, coco, csv, parquet, jsonl, yolo, padilla, voc, "
                                "classification, found 'excel'"),
    ],
)  # fmt: skip
def test_bad_options(tmp_path: Path, args: list[str], message: str) -> None:
    assert assert_error(reportgen("convert", COCO_GT, tmp_path / "o.parquet", *args, "-q")) == message
    assert list(tmp_path.iterdir()) == []


def test_bad_input_leaves_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "gt.csv"
    bad.write_text("frame_id,class,x,y,w,h\n1,car,1,1,2,2\n2,car,1,1,-3,2\n")
    out = tmp_path / "out"
    line = assert_error(reportgen("convert", bad, out, "--rows-per-file", "1", "-q"))
    assert line == f"Error: {bad}: line 3: field 'w': expected a positive width, found -3.0"
    assert not out.exists()


def test_folder_output_must_be_empty(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.parquet").write_bytes(b"x")
    assert assert_error(reportgen("convert", COCO_GT, out, "--rows-per-file", "10", "-q")) == (
        f"Error: {out}: cannot write a folder of Parquet files (--rows-per-file): the folder is not empty"
    )


def test_classification_ground_truth_is_refused(tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text("frame_id,label\n1,cat\n2,dog\n")
    assert assert_error(reportgen("convert", labels, tmp_path / "o.parquet", "-q")) == (
        f"Error: {labels}: field 'x': expected box columns x, y, w, h for --box-format xywh, found columns "
        "frame_id, label"
    )


def test_converted_frame_rows_are_plain_rows(tmp_path: Path) -> None:
    """The layout is readable by any Parquet reader: frame rows have null class and box."""
    import pyarrow.parquet as pq

    out = tmp_path / "gt.parquet"
    assert reportgen("convert", coco_with_gaps(tmp_path), out, "-q").code == 0
    table = pq.read_table(out)
    assert table.column("frame_id").to_pylist()[:4] == ["3", "10", "2", "7"]
    assert table.column("class").to_pylist() == [None] * 4 + ["bus", "car", "car", "car"]
    assert np.isnan(table.column("x").to_numpy(zero_copy_only=False)[:4]).all()
    assert json.loads(table.schema.metadata[b"reportgen"]) == {
        "classes": ["car", "bus", "unseen"], "category_ids": [5, 2, 9]
    }
