"""Classification tables: one whole-frame ground-truth object per frame, at most one prediction per frame."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reportgen.errors import InputError
from reportgen.io import LoadOptions, load_ground_truth, load_predictions

PLAIN = LoadOptions()


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.fixture
def gt_csv(tmp_path: Path) -> Path:
    return write(tmp_path / "labels.csv", "frame_id,label\na,dog\nb,cat\nc,dog\nd,bird\n")


def test_ground_truth_is_detected_as_classification(gt_csv: Path) -> None:
    gt = load_ground_truth(gt_csv, PLAIN)
    assert gt.task == "classification"
    assert gt.frame_ids == ("a", "b", "c", "d")
    assert gt.classes == ("dog", "cat", "bird")  # order of first appearance
    assert gt.frame.tolist() == [0, 1, 2, 3] and gt.cls.tolist() == [0, 1, 0, 2]
    np.testing.assert_array_equal(gt.box, np.tile([0.0, 0.0, 1.0, 1.0], (4, 1)))
    assert gt.area.tolist() == [1.0] * 4 and not gt.crowd.any()


def test_class_names_give_the_class_list(gt_csv: Path, tmp_path: Path) -> None:
    names = write(tmp_path / "names.txt", "bird\ncat\ndog\nfish\n")
    gt = load_ground_truth(gt_csv, LoadOptions(class_names=names))
    assert gt.classes == ("bird", "cat", "dog", "fish") and gt.cls.tolist() == [2, 1, 2, 0]


def test_whole_frame_box_uses_image_size_when_known(tmp_path: Path) -> None:
    path = write(tmp_path / "gt.csv", "image_id,class,width,height\n7,cat,640,480\n8,dog,320,240\n")
    gt = load_ground_truth(path, PLAIN)
    assert gt.task == "classification"  # width / height are the image size, not a box
    assert gt.box.tolist() == [[0, 0, 640, 480], [0, 0, 320, 240]]
    assert gt.image_size.tolist() == [[640, 480], [320, 240]]


def test_task_option_overrides_detection(tmp_path: Path) -> None:
    path = write(tmp_path / "gt.csv", "frame_id,class,x,y,w,h\n1,cat,1,2,3,4\n")
    assert load_ground_truth(path, LoadOptions(task="classification")).task == "classification"
    assert load_ground_truth(path, LoadOptions(gt_format="classification")).task == "classification"
    labels = write(tmp_path / "labels.csv", "frame_id,label\n1,cat\n")
    with pytest.raises(InputError, match="expected box columns x, y, w, h"):
        load_ground_truth(labels, LoadOptions(task="detection"))


def test_label_and_confidence_predictions(gt_csv: Path, tmp_path: Path) -> None:
    gt = load_ground_truth(gt_csv, PLAIN)
    path = write(tmp_path / "p.csv", "frame_id,label,confidence\nc,cat,0.6\na,dog,0.9\n")
    preds = load_predictions(path, gt, PLAIN, name="m")
    assert preds.frame.tolist() == [2, 0] and preds.cls.tolist() == [1, 0]
    assert preds.score.tolist() == [0.6, 0.9] and preds.class_scores is None
    np.testing.assert_array_equal(preds.box, np.tile([0.0, 0.0, 1.0, 1.0], (2, 1)))


def test_score_per_class_columns_take_the_arg_max(gt_csv: Path, tmp_path: Path) -> None:
    gt = load_ground_truth(gt_csv, PLAIN)
    table = pd.DataFrame(
        {"frame_id": ["a", "b", "d"], "bird": [0.1, 0.4, 0.3], "cat": [0.2, 0.4, 0.3], "dog": [0.7, 0.2, 0.3]}
    )
    table.to_parquet(tmp_path / "p.parquet")
    preds = load_predictions(tmp_path / "p.parquet", gt, PLAIN, name="m")
    # Columns are put in ground-truth class order (dog, cat, bird); ties go to the first of that order.
    assert preds.cls.tolist() == [0, 1, 0]
    assert preds.score.tolist() == [0.7, 0.4, 0.3]
    assert preds.class_scores is not None
    np.testing.assert_array_equal(preds.class_scores, [[0.7, 0.2, 0.1], [0.2, 0.4, 0.4], [0.3, 0.3, 0.3]])


def test_json_lines_predictions_with_integer_frame_ids(tmp_path: Path) -> None:
    gt = load_ground_truth(
        write(tmp_path / "gt.jsonl", '{"frame_id": 1, "label": "cat"}\n{"frame_id": 2, "label": "dog"}\n'), PLAIN
    )
    assert gt.frame_ids == ("1", "2")
    preds = load_predictions(
        write(tmp_path / "p.jsonl", '{"image_id": "2", "class": "cat", "score": 1}\n'), gt, PLAIN, name="m"
    )
    assert preds.frame.tolist() == [1] and preds.cls.tolist() == [0]


def test_duplicate_ground_truth_frame(tmp_path: Path) -> None:
    path = write(tmp_path / "gt.csv", "frame_id,label\na,dog\nb,cat\na,cat\n")
    with pytest.raises(InputError) as info:
        load_ground_truth(path, PLAIN)
    assert (
        str(info.value)
        == f"{path}: line 4: field 'frame_id': expected one row per frame, found frame 'a' again (first at line 2)"
    )


def test_duplicate_prediction_for_a_frame(gt_csv: Path, tmp_path: Path) -> None:
    gt = load_ground_truth(gt_csv, PLAIN)
    path = write(tmp_path / "p.csv", "frame_id,label,score\na,dog,0.9\nb,cat,0.5\na,cat,0.8\n")
    with pytest.raises(InputError) as info:
        load_predictions(path, gt, PLAIN, name="m")
    assert (
        str(info.value)
        == f"{path}: line 4: field 'frame_id': expected one row per frame, found frame 'a' again (first at line 2)"
    )


def test_predictions_without_label_or_class_columns(gt_csv: Path, tmp_path: Path) -> None:
    gt = load_ground_truth(gt_csv, PLAIN)
    path = write(tmp_path / "p.csv", "frame_id,dog,cat\na,0.9,0.1\n")
    with pytest.raises(InputError) as info:
        load_predictions(path, gt, PLAIN, name="m")
    assert str(info.value) == (
        f"{path}: field 'label': expected a label column (label or class) with a confidence, or one score column "
        "per class; found columns frame_id, dog, cat (no column for classes bird)"
    )


def test_class_score_outside_zero_one(gt_csv: Path, tmp_path: Path) -> None:
    gt = load_ground_truth(gt_csv, PLAIN)
    path = write(tmp_path / "p.csv", "frame_id,dog,cat,bird\na,0.9,0.1,0\nb,2,0,0\n")
    with pytest.raises(InputError) as info:
        load_predictions(path, gt, PLAIN, name="m")
    assert str(info.value) == f"{path}: line 3: field 'dog': expected a confidence in [0, 1], found 2.0"


def test_unknown_frames_are_dropped_when_asked(gt_csv: Path, tmp_path: Path) -> None:
    gt = load_ground_truth(gt_csv, PLAIN)
    path = write(tmp_path / "p.csv", "frame_id,label,score\nz,dog,0.9\nb,cat,0.5\nz,cat,0.8\n")
    preds = load_predictions(path, gt, LoadOptions(ignore_unknown_frames=True), name="m")
    assert (preds.frame.tolist(), preds.dropped_unknown_frames) == ([1], 2)


def test_classification_predictions_must_be_a_table(gt_csv: Path, tmp_path: Path) -> None:
    gt = load_ground_truth(gt_csv, PLAIN)
    path = write(tmp_path / "r.json", "[]")
    with pytest.raises(InputError) as info:
        load_predictions(path, gt, PLAIN, name="m")
    assert (
        str(info.value)
        == f"{path}: expected a table (CSV, Parquet or JSON Lines) of predicted labels, found a coco input"
    )


def test_hard_labels_from_the_sklearn_reference(reference: Path, tmp_path: Path) -> None:
    import json

    case = json.loads((reference / "sklearn_docstring_cls" / "cases.json").read_text())["cases"][0]
    frames = [f"f{i}" for i in range(len(case["y_true"]))]
    pd.DataFrame({"frame_id": frames, "label": case["y_true"]}).to_csv(tmp_path / "gt.csv", index=False)
    pd.DataFrame({"frame_id": frames, "label": case["y_pred"]}).to_csv(tmp_path / "p.csv", index=False)
    gt = load_ground_truth(tmp_path / "gt.csv", PLAIN)
    preds = load_predictions(tmp_path / "p.csv", gt, PLAIN, name="m")  # no confidence column: hard labels
    assert gt.classes == ("0", "1", "2")
    assert [gt.classes[c] for c in gt.cls] == [str(v) for v in case["y_true"]]
    assert [gt.classes[c] for c in preds.cls] == [str(v) for v in case["y_pred"]]
    assert preds.score.tolist() == [1.0] * 5


def test_label_column_beside_class_scores(gt_csv: Path, tmp_path: Path) -> None:
    gt = load_ground_truth(gt_csv, PLAIN)
    path = write(tmp_path / "p.csv", "frame_id,label,score,dog,cat,bird\na,cat,0.5,0.4,0.5,0.1\n")
    preds = load_predictions(path, gt, PLAIN, name="m")
    assert preds.cls.tolist() == [1] and preds.score.tolist() == [0.5]
    assert preds.class_scores is not None and preds.class_scores.tolist() == [[0.4, 0.5, 0.1]]
