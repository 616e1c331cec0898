"""Side files (class names, image sizes), column aliases, VOC difficult, and a property round trip."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.errors import InputError
from reportgen.io import LoadOptions, load_ground_truth, load_predictions
from tests.io import writers as w


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "text", ["names: [cat, dog, bird]\n", "path: x\nnames:\n  0: cat\n  1: dog\n  2: bird\n"], ids=["list", "mapping"]
)
def test_class_names_from_yolo_data_yaml(text: str, tmp_path: Path) -> None:
    data = write(tmp_path / "data.yaml", text)
    folder = w.yolo_folder(tmp_path / "labels", w.GT)
    gt = load_ground_truth(folder, LoadOptions(class_names=data, image_sizes=w.sizes_file(tmp_path)))
    assert gt.classes == w.CLASSES


def test_duplicate_class_names(tmp_path: Path) -> None:
    names = write(tmp_path / "names.txt", "cat\ndog\ncat\n")
    gt = write(tmp_path / "gt.csv", "frame_id,class,x,y,w,h\n1,cat,1,2,3,4\n")
    with pytest.raises(InputError) as info:
        load_ground_truth(gt, LoadOptions(class_names=names))
    assert str(info.value) == f"{names}: expected unique class names, found 'cat' again (first as class 0)"


@pytest.mark.parametrize("form", ["coco", "list"])
def test_image_sizes_from_json(form: str, tmp_path: Path) -> None:
    if form == "coco":
        sizes = json.loads(w.coco_gt(tmp_path).read_text())["images"]
        path = write(tmp_path / "sizes.json", json.dumps({"images": sizes}))
    else:
        records = [{"frame_id": f, "width": s[0], "height": s[1]} for f, s in w.SIZES.items()]
        path = write(tmp_path / "sizes.json", json.dumps(records))
    folder = w.yolo_folder(tmp_path / "labels", w.GT)
    gt = load_ground_truth(folder, LoadOptions(class_names=w.names_file(tmp_path), image_sizes=path))
    np.testing.assert_allclose(gt.box, w.expected_gt_arrays()["box"], atol=1e-9)


def test_bad_image_size(tmp_path: Path) -> None:
    sizes = write(tmp_path / "sizes.csv", "frame_id,width,height\n1,640,480\n2,0,240\n")
    folder = w.yolo_folder(tmp_path / "labels", w.GT)
    with pytest.raises(InputError) as info:
        load_ground_truth(folder, LoadOptions(class_names=w.names_file(tmp_path), image_sizes=sizes))
    assert str(info.value) == f"{sizes}: line 3: field 'width': expected a positive number, found 0.0"


def test_ground_truth_sizes_win_over_image_sizes_file(tmp_path: Path) -> None:
    gt = load_ground_truth(w.coco_gt(tmp_path), LoadOptions())
    sizes = write(tmp_path / "sizes.csv", "frame_id,width,height\n1,1,1\n2,1,1\n3,1,1\n")
    table = w.frame_table(w.PRED, "cxcywh_normalized")
    path = w.write_table(table, tmp_path / "p.csv")
    preds = load_predictions(path, gt, LoadOptions(box_format="cxcywh", normalized=True, image_sizes=sizes), name="m")
    np.testing.assert_allclose(preds.box, np.array(w.PRED.box, dtype=float), atol=1e-9)


def test_voc_difficult_objects_are_crowd(tmp_path: Path) -> None:
    gt = load_ground_truth(w.voc_folder(tmp_path / "voc", difficult=(1, 4)), LoadOptions())
    assert gt.crowd.tolist() == [False, True, False, False, True]


def test_column_aliases_and_case(tmp_path: Path) -> None:
    text = (
        "Image_ID,Label,XMin,YMin,XMax,YMax,IsCrowd,Area,ann_id\n007,cat,10,20,110,70,0,4000,5\n007,dog,1,1,3,3,1,,6\n"
    )
    gt = load_ground_truth(write(tmp_path / "gt.csv", text), LoadOptions(box_format="xyxy"))
    assert gt.frame_ids == ("007",)  # read as text: leading zeros kept
    assert gt.classes == ("cat", "dog")
    assert gt.box.tolist() == [[10, 20, 100, 50], [1, 1, 2, 2]]
    assert gt.crowd.tolist() == [False, True]
    assert gt.area.tolist() == [4000, 4]  # empty area cell: w * h
    assert gt.ann_id.tolist() == [5, 6]
    preds = write(tmp_path / "p.csv", "frame,category,left,top,width,height,confidence\n7,cat,1,2,3,4,1\n")
    with pytest.raises(InputError, match="found '7'"):
        load_predictions(preds, gt, LoadOptions(), name="m")  # "7" is not "007"


def test_table_class_indices_with_class_names(tmp_path: Path) -> None:
    names = w.names_file(tmp_path)
    gt = load_ground_truth(w.coco_gt(tmp_path), LoadOptions())
    path = write(tmp_path / "p.csv", "frame_id,class_id,x,y,w,h,score\n1,2,1,2,3,4,0.5\n1,cat,1,2,3,4,0.5\n")
    preds = load_predictions(path, gt, LoadOptions(class_names=names), name="m")
    assert preds.cls.tolist() == [2, 0]


def test_table_category_ids_match_coco_ground_truth(tmp_path: Path) -> None:
    gt = load_ground_truth(w.coco_gt(tmp_path), LoadOptions())
    path = write(tmp_path / "p.csv", "image_id,category_id,x,y,w,h,score\n1,11,1,2,3,4,0.5\n")
    preds = load_predictions(path, gt, LoadOptions(), name="m")
    assert preds.cls.tolist() == [1]


def test_parquet_null_is_an_empty_value(tmp_path: Path) -> None:
    gt = load_ground_truth(w.coco_gt(tmp_path), LoadOptions())
    table = w.frame_table(w.PRED, "xywh")
    table["w"] = pd.array([3.0, None, 5.0, 6.0], dtype="Float64")
    path = w.write_table(table, tmp_path / "p.parquet")
    with pytest.raises(InputError) as info:
        load_predictions(path, gt, LoadOptions(), name="m")
    assert str(info.value) == f"{path}: row 1: field 'w': expected a number, found an empty value"


def test_padilla_classes_without_names_keep_first_appearance(tmp_path: Path) -> None:
    folder = w.padilla_folder(tmp_path / "gt", w.GT, "xywh")
    gt = load_ground_truth(folder, LoadOptions())
    assert gt.classes == ("cat", "dog", "bird")
    assert gt.ann_id.tolist() == [1, 2, 3, 4, 5]


boxes = st.lists(
    st.tuples(
        st.sampled_from(w.FRAMES),
        st.sampled_from(w.CLASSES),
        st.integers(0, 500),
        st.integers(0, 400),
        st.integers(1, 300),
        st.integers(1, 200),
        st.integers(0, 1000).map(lambda s: s / 1000),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=boxes)
def test_any_predictions_survive_every_table_layout(
    rows: list[tuple[str, str, int, int, int, int, float]], tmp_path: Path
) -> None:
    gt = load_ground_truth(w.coco_gt(tmp_path), LoadOptions())
    data = w.Rows(
        frame=tuple(r[0] for r in rows),
        cls=tuple(r[1] for r in rows),
        box=tuple((r[2], r[3], r[4], r[5]) for r in rows),
        score=tuple(r[6] for r in rows),
    )
    layouts = {"xywh": "xywh", "xyxy": "xyxy", "xyxy_normalized": "xyxy", "cxcywh_normalized": "cxcywh"}
    for layout, box_format in layouts.items():
        path = w.write_table(w.frame_table(data, layout), tmp_path / f"{layout}.csv")
        options = LoadOptions(box_format=box_format, normalized=layout.endswith("normalized"))  # type: ignore[arg-type]
        preds = load_predictions(path, gt, options, name="m")
        np.testing.assert_allclose(preds.box, np.array(data.box, dtype=float), rtol=0, atol=1e-9)
        assert preds.frame.tolist() == [w.FRAMES.index(f) for f in data.frame]
        assert preds.score.tolist() == list(data.score)
