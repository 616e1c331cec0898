"""Format detection from content, and the ``[NAME=]PATH`` argument."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from reportgen.io import LoadOptions, detect_format, load_ground_truth, load_predictions, parse_pred_argument
from tests.io import writers as w


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("gt.json", '{\n  "images": []\n}', "coco"),
        ("gt.JSON", '{"images": [], "annotations": [], "categories": []}\n', "coco"),
        ("res.json", '  [{"image_id": 1}]', "coco"),
        ("p.jsonl", '{"frame_id": "a", "class": "cat"}\n{"frame_id": "b", "class": "dog"}\n', "jsonl"),
        ("p.json", '{"frame_id": "a", "class": "cat"}', "jsonl"),  # one record: JSON Lines all the same
        ("p.csv", "frame_id,class\n1,cat\n", "csv"),
        ("p.TXT", "frame_id,class\n1,cat\n", "csv"),  # content decides, not the extension
        ("p.csv", "\ufeffframe_id,class\n1,cat\n", "csv"),
    ],
)
def test_files(name: str, text: str, expected: str, tmp_path: Path) -> None:
    assert detect_format(write(tmp_path / name, text), role="gt") == expected


def test_parquet_by_magic_bytes(tmp_path: Path) -> None:
    pd.DataFrame({"frame_id": ["a"], "label": ["cat"]}).to_parquet(tmp_path / "labels.data")
    assert detect_format(tmp_path / "labels.data", role="gt") == "parquet"


def test_folders(tmp_path: Path) -> None:
    write(tmp_path / "voc" / "a.XML", "<annotation/>")
    write(tmp_path / "padilla" / "a.txt", "cat 1 2 3 4\n")
    write(tmp_path / "labels" / "a.TXT", "0 0.5 0.5 0.1 0.1\n")
    write(tmp_path / "data" / "labels" / "val2017" / "a.txt", "0 0.5 0.5 0.1 0.1\n")
    write(tmp_path / "root" / "labels" / "a.txt", "0 0.5 0.5 0.1 0.1\n")
    assert detect_format(tmp_path / "voc", role="gt") == "voc"
    assert detect_format(tmp_path / "padilla", role="pred") == "padilla"
    assert detect_format(tmp_path / "labels", role="gt") == "yolo"
    assert detect_format(tmp_path / "data" / "labels" / "val2017", role="gt") == "yolo"
    assert detect_format(tmp_path / "root", role="gt") == "yolo"  # a dataset root with labels/


def test_yolo_dataset_root_reads_its_labels_folder(tmp_path: Path) -> None:
    w.yolo_folder(tmp_path / "dataset" / "labels", w.GT)
    options = LoadOptions(class_names=w.names_file(tmp_path), image_sizes=w.sizes_file(tmp_path))
    gt = load_ground_truth(tmp_path / "dataset", options)
    assert gt.frame_ids == w.FRAMES and gt.num_objects == len(w.GT.frame)


def test_txt_predictions_follow_a_declared_yolo_ground_truth(tmp_path: Path) -> None:
    names, sizes = w.names_file(tmp_path), w.sizes_file(tmp_path)
    w.yolo_folder(tmp_path / "gt", w.GT)
    w.yolo_folder(tmp_path / "pred", w.PRED)
    options = LoadOptions(gt_format="yolo", class_names=names, image_sizes=sizes)
    gt = load_ground_truth(tmp_path / "gt", options)
    preds = load_predictions(tmp_path / "pred", gt, options, name="m")  # pred_format auto: YOLO, not Padilla
    assert sorted(preds.score.tolist()) == sorted(w.PRED.score)


def test_frames_of_a_txt_folder_include_empty_files(tmp_path: Path) -> None:
    folder = w.padilla_folder(tmp_path / "gt", w.GT, "xywh")
    write(folder / "0.txt", "")
    gt = load_ground_truth(folder, LoadOptions())
    assert gt.frame_ids == ("0", *w.FRAMES)


def test_coco_dataset_style_results(tmp_path: Path) -> None:
    gt = load_ground_truth(w.coco_gt(tmp_path), LoadOptions())
    results = json.loads(w.coco_results(tmp_path).read_text())
    path = write(tmp_path / "dets.json", json.dumps({"images": [], "categories": [], "annotations": results}))
    assert detect_format(path, role="pred") == "coco"
    preds = load_predictions(path, gt, LoadOptions(), name="m")
    assert preds.score.tolist() == list(w.PRED.score)


def test_pred_argument() -> None:
    assert parse_pred_argument("baseline=runs/a/preds.json") == ("baseline", Path("runs/a/preds.json"))
    assert parse_pred_argument("runs/a/preds.json") == ("preds", Path("runs/a/preds.json"))
    assert parse_pred_argument("v2 = x.csv") == ("v2", Path("x.csv"))


def test_pred_argument_folder_and_existing_path_with_equals(tmp_path: Path) -> None:
    folder = tmp_path / "detections.v2"
    folder.mkdir()
    assert parse_pred_argument(str(folder)) == ("detections.v2", folder)
    odd = write(tmp_path / "lr=0.1.json", "[]")
    assert parse_pred_argument(str(odd)) == ("lr=0.1", odd)
