"""One test per kind of bad input, each asserting the whole message: file, line or record, field, what was
expected and what was found."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reportgen.errors import InputError
from reportgen.io import LoadOptions, load_ground_truth, load_predictions, parse_pred_argument
from reportgen.io.containers import GroundTruth
from tests.io import writers as w

PLAIN = LoadOptions()
HEADER = "frame_id,class,x,y,w,h,score\n"


@pytest.fixture
def gt(tmp_path: Path) -> GroundTruth:
    return load_ground_truth(w.coco_gt(tmp_path), PLAIN)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def coco(path: Path, annotations: list[dict[str, Any]], images: list[dict[str, Any]] | None = None) -> Path:
    data = {
        "images": images if images is not None else [{"id": 1, "width": 100, "height": 100}],
        "categories": [{"id": 1, "name": "cat"}],
        "annotations": annotations,
    }
    return write(path, json.dumps(data))


def ann(id: int, **fields: Any) -> dict[str, Any]:
    return {"id": id, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4]} | fields


def message_of(call: Any) -> str:
    with pytest.raises(InputError) as info:
        call()
    return str(info.value)


def pred_message(path: Path, gt: GroundTruth, options: LoadOptions = PLAIN) -> str:
    return message_of(lambda: load_predictions(path, gt, options, name="m"))


def gt_message(path: Path, options: LoadOptions = PLAIN) -> str:
    return message_of(lambda: load_ground_truth(path, options))


# ------------------------------------------------------------------------------------ malformed files


def test_malformed_json(tmp_path: Path) -> None:
    path = write(tmp_path / "gt.json", '{"images": [\n  {"id": 1,}\n]}')
    assert gt_message(path) == (
        f"{path}: line 2: expected valid JSON, found a syntax error at column 11 (trailing comma is not allowed)"
    )


def test_malformed_csv_names_the_file_line(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "p.csv", HEADER + "1,cat,1,2,3,4,0.5\n\n1,cat,1,2,3,4,0.5,9\n")
    assert pred_message(path, gt) == f"{path}: line 4: expected 7 fields, found 8"


def test_unclosed_csv_quote(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "p.csv", HEADER + '1,"cat,1,2,3,4,0.5\n1,cat,1,2,3,4,0.5\n')
    assert pred_message(path, gt) == f"{path}: line 2: expected a closing quote, found the end of the file"


def test_malformed_json_lines(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "p.jsonl", '{"frame_id": "1"}\n\n{"frame_id": \n')
    assert (
        pred_message(path, gt) == f"{path}: line 3: expected a JSON object, found invalid JSON (unexpected end of data)"
    )


def test_unreadable_parquet(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "p.parquet", "PAR1 not really")
    assert pred_message(path, gt) == (
        f"{path}: expected a Parquet file, found a file pyarrow cannot read (Parquet magic bytes not found in "
        "footer. Either the file is corrupted or this is not a parquet file.)"
    )


def test_malformed_voc_xml(tmp_path: Path) -> None:
    path = write(tmp_path / "voc" / "a.xml", "<annotation><object><name>cat</name>\n<bndbox></object></annotation>")
    assert gt_message(path.parent) == f"{path}: line 2: expected well-formed XML, found mismatched tag at column 11"


def test_txt_line_with_wrong_number_of_values(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "dets" / "1.txt", "cat 0.5 1 2 3 4\ncat 1 2 3 4\n")
    assert pred_message(path.parent, gt) == (
        f"{path}: line 2: expected 6 values (class confidence left top width height), found 5"
    )


def test_yolo_predictions_without_confidence(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "labels" / "1.txt", "0 0.5 0.5 0.1 0.1\n")
    options = LoadOptions(class_names=w.names_file(tmp_path))
    assert pred_message(path.parent, gt, options) == (
        f"{path}: line 1: expected 6 values (class x_center y_center width height confidence), found 5 "
        "(predictions need the confidence last: Ultralytics save_conf=True)"
    )


def test_results_file_given_as_ground_truth(tmp_path: Path) -> None:
    path = w.coco_results(tmp_path)
    assert gt_message(path) == (
        f"{path}: expected a COCO dataset object with 'images', 'annotations' and 'categories', found a list "
        "of 4 values (a results file?)"
    )


# ---------------------------------------------------------------------------------------- empty input


def test_empty_csv(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "p.csv", "")
    assert pred_message(path, gt) == f"{path}: expected a file of predictions, found an empty file"


def test_blank_json_declared_coco(tmp_path: Path) -> None:
    path = write(tmp_path / "gt.json", " \n")
    assert (
        gt_message(path, LoadOptions(gt_format="coco"))
        == f"{path}: expected a file of ground truth, found an empty file"
    )


def test_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "gt").mkdir()
    assert (
        gt_message(tmp_path / "gt")
        == f"{tmp_path / 'gt'}: expected a folder of .txt, .xml or .parquet files of ground truth, found none"
    )


def test_header_only_ground_truth(tmp_path: Path) -> None:
    path = write(tmp_path / "gt.csv", "frame_id,class,x,y,w,h\n")
    assert gt_message(path) == f"{path}: expected at least one ground-truth row, found only a header"


def test_missing_path(tmp_path: Path) -> None:
    assert gt_message(tmp_path / "nope.json") == (
        f"{tmp_path / 'nope.json'}: expected a file or folder of ground truth, found nothing at this path"
    )


# ------------------------------------------------------------------------------------ missing fields


def test_missing_coco_bbox(tmp_path: Path) -> None:
    path = coco(tmp_path / "gt.json", [ann(1), {"id": 2, "image_id": 1, "category_id": 1}])
    assert gt_message(path) == (
        f"{path}: annotations[1]: field 'bbox': expected a list of 4 numbers [x, y, width, height], found no such key"
    )


def test_missing_score_column(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "p.csv", "frame_id,class,x,y,w,h\n1,cat,1,2,3,4\n")
    assert pred_message(path, gt) == (
        f"{path}: field 'score': expected a column for the confidence (named 'score' or 'confidence' or 'conf'), "
        "found columns frame_id, class, x, y, w, h"
    )


def test_missing_score_key_in_results(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "r.json", json.dumps([{"image_id": 1, "category_id": 10, "bbox": [1, 2, 3, 4]}]))
    assert pred_message(path, gt) == f"{path}: [0]: field 'score': expected a confidence in [0, 1], found no such key"


def test_missing_value_in_json_lines(tmp_path: Path, gt: GroundTruth) -> None:
    good = {"frame_id": "1", "class": "cat", "x": 1, "y": 2, "w": 3, "h": 4, "score": 0.5}
    bad = {k: v for k, v in good.items() if k != "h"}
    path = write(tmp_path / "p.jsonl", f"{json.dumps(good)}\n\n{json.dumps(bad)}\n")
    assert pred_message(path, gt) == f"{path}: line 3: field 'h': expected a number, found an empty value"


def test_empty_csv_cell(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "p.csv", HEADER + "1,cat,1,,3,4,0.5\n")
    assert pred_message(path, gt) == f"{path}: line 2: field 'y': expected a number, found an empty value"


def test_text_in_number_column(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "p.csv", HEADER + "1,cat,1,abc,3,4,0.5\n")
    assert pred_message(path, gt) == f"{path}: line 2: field 'y': expected a number, found 'abc'"


def test_text_in_txt_number(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "dets" / "1.txt", "cat 0.5 1 2 3 4\ncat 0.5 1 x 3 4\n")
    assert pred_message(path.parent, gt) == f"{path}: line 2: field 'top': expected a number, found 'x'"


def test_missing_frame_id(tmp_path: Path) -> None:
    path = write(tmp_path / "gt.csv", "frame_id,class,x,y,w,h\n1,cat,1,2,3,4\n ,cat,1,2,3,4\n")
    assert gt_message(path) == f"{path}: line 3: field 'frame_id': expected a frame id, found an empty value"


def test_box_columns_of_another_layout(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "p.csv", "frame_id,class,x1,y1,x2,y2,score\n1,cat,1,2,3,4,0.5\n")
    assert pred_message(path, gt) == (
        f"{path}: field 'x': expected box columns x, y, w, h for --box-format xywh, found columns frame_id, "
        "class, x1, y1, x2, y2, score (they fit --box-format xyxy)"
    )


def test_voc_object_without_coordinate(tmp_path: Path) -> None:
    path = write(
        tmp_path / "voc" / "a.xml",
        "<annotation><object><name>cat</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax></bndbox>"
        "</object></annotation>",
    )
    assert (
        gt_message(path.parent) == f"{path}: object[0]: field 'bndbox/ymax': expected a number, found no such element"
    )


# ------------------------------------------------------------------------------------------ bad boxes


def test_zero_width_coco_box(tmp_path: Path) -> None:
    path = coco(tmp_path / "gt.json", [ann(1), ann(2, bbox=[1, 2, 0, 4])])
    assert gt_message(path) == f"{path}: annotations[1]: field 'bbox[2]': expected a positive width, found 0.0"


def test_negative_height_csv_box(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "p.csv", HEADER + "1,cat,1,2,3,4,0.5\n1,cat,1,2,3,-4,0.5\n")
    assert pred_message(path, gt) == f"{path}: line 3: field 'h': expected a positive height, found -4.0"


def test_inverted_xyxy_box(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "p.csv", "frame_id,class,x1,y1,x2,y2,score\n1,cat,10,2,5,4,0.5\n")
    assert pred_message(path, gt, LoadOptions(box_format="xyxy")) == (
        f"{path}: line 2: field 'x2': expected a value greater than x1 (10.0), found 5.0"
    )


def test_nan_coordinate(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "p.csv", HEADER + "1,cat,1,nan,3,4,0.5\n")
    assert pred_message(path, gt) == f"{path}: line 2: field 'y': expected a finite number, found nan"


def test_infinite_coordinate(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "dets" / "1.txt", "cat 0.5 1 2 inf 4\n")
    assert pred_message(path.parent, gt) == f"{path}: line 1: field 'width': expected a finite number, found inf"


def test_csv_line_counts_blank_lines_and_quoted_newlines(tmp_path: Path, gt: GroundTruth) -> None:
    text = "note," + HEADER + '"two\nlines",1,cat,1,2,3,4,0.5\n\n\n,1,cat,1,2,3,0,0.5\n'
    path = write(tmp_path / "p.csv", text)
    assert pred_message(path, gt) == f"{path}: line 6: field 'h': expected a positive height, found 0.0"


# ---------------------------------------------------------------------------------------- bad scores


def test_nan_confidence(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "p.csv", HEADER + "1,cat,1,2,3,4,nan\n")
    assert pred_message(path, gt) == f"{path}: line 2: field 'score': expected a confidence in [0, 1], found nan"


def test_confidence_above_one(tmp_path: Path, gt: GroundTruth) -> None:
    record = {"image_id": 1, "category_id": 10, "bbox": [1, 2, 3, 4]}
    path = write(tmp_path / "r.json", json.dumps([record | {"score": 0.5}, record | {"score": 1.5}]))
    assert pred_message(path, gt) == f"{path}: [1]: field 'score': expected a confidence in [0, 1], found 1.5"


def test_negative_confidence_in_txt(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "dets" / "2.txt", "bird -0.1 1 2 3 4\n")
    assert (
        pred_message(path.parent, gt)
        == f"{path}: line 1: field 'confidence': expected a confidence in [0, 1], found -0.1"
    )


# ------------------------------------------------------------------------------- unknown class / frame


def test_unknown_category_id(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(
        tmp_path / "r.json", json.dumps([{"image_id": 1, "category_id": 99, "bbox": [1, 2, 3, 4], "score": 0.5}])
    )
    assert pred_message(path, gt) == (
        f"{path}: [0]: field 'category_id': expected a category id of the ground truth (10, 11, 12), found 99"
    )


def test_unknown_class_name(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "p.csv", HEADER + "1,cat,1,2,3,4,0.5\n1,cow,1,2,3,4,0.5\n")
    assert pred_message(path, gt) == (
        f"{path}: line 3: field 'class': expected a class of the ground truth (cat, dog, bird), found 'cow'"
    )


def test_class_index_without_class_names(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "p.csv", HEADER + "1,7,1,2,3,4,0.5\n")
    assert pred_message(path, gt) == (
        f"{path}: line 2: field 'class': expected a class of the ground truth (cat, dog, bird), found '7' "
        "(class indices need --class-names)"
    )


def test_ground_truth_class_not_in_class_names(tmp_path: Path) -> None:
    names = w.names_file(tmp_path)
    path = write(tmp_path / "gt.csv", "frame_id,class,x,y,w,h\n1,cat,1,2,3,4\n1,cow,1,2,3,4\n")
    assert gt_message(path, LoadOptions(class_names=names)) == (
        f"{path}: line 3: field 'class': expected a class name listed in {names} or an index below 3, found 'cow'"
    )


def test_unknown_frame(tmp_path: Path, gt: GroundTruth) -> None:
    record = {"category_id": 10, "bbox": [1, 2, 3, 4], "score": 0.5}
    path = write(tmp_path / "r.json", json.dumps([record | {"image_id": 1}, record | {"image_id": 77}]))
    assert pred_message(path, gt) == (
        f"{path}: [1]: field 'image_id': expected a frame of the ground truth ({gt.source}), found 77 "
        "(--ignore-unknown-frames drops such predictions)"
    )


def test_unknown_frames_dropped_and_counted_when_ignored(tmp_path: Path, gt: GroundTruth) -> None:
    path = write(tmp_path / "p.csv", HEADER + "x9,cat,1,2,3,4,0.5\n1,cat,1,2,3,4,0.5\nx9,cow,1,2,3,-4,0.5\n")
    preds = load_predictions(path, gt, LoadOptions(ignore_unknown_frames=True), name="m")
    assert (preds.num_predictions, preds.dropped_unknown_frames) == (1, 2)
    assert preds.frame.tolist() == [0] and preds.cls.tolist() == [0]


def test_annotation_on_unlisted_image(tmp_path: Path) -> None:
    path = coco(tmp_path / "gt.json", [ann(1, image_id=2)])
    assert (
        gt_message(path)
        == f"{path}: annotations[0]: field 'image_id': expected an image id listed in 'images', found 2"
    )


# --------------------------------------------------------------------------------------------- duplicates


def test_duplicate_annotation_ids(tmp_path: Path) -> None:
    path = coco(tmp_path / "gt.json", [ann(0), ann(5), ann(0)])
    assert gt_message(path) == (
        f"{path}: annotations[2]: field 'id': expected a unique annotation id, found 0 again (first at annotations[0])"
    )


def test_duplicate_image_ids_compared_as_strings(tmp_path: Path) -> None:
    path = coco(tmp_path / "gt.json", [], images=[{"id": 1}, {"id": 2}, {"id": "1"}])
    assert gt_message(path) == (
        f"{path}: images[2]: field 'id': expected a unique image id, found '1' again (first at images[0])"
    )


def test_bad_iscrowd(tmp_path: Path) -> None:
    path = coco(tmp_path / "gt.json", [ann(1, iscrowd=2)])
    assert gt_message(path) == f"{path}: annotations[0]: field 'iscrowd': expected 0 or 1, found 2"


# --------------------------------------------------------------------------- missing sizes or names


def test_yolo_without_class_names(tmp_path: Path) -> None:
    folder = w.yolo_folder(tmp_path / "labels", w.GT)
    assert gt_message(folder) == (
        f"{folder}: expected --class-names (a names file or data.yaml) to read YOLO class indices, found none"
    )


def test_yolo_without_image_sizes(tmp_path: Path) -> None:
    folder = w.yolo_folder(tmp_path / "labels", w.GT)
    assert gt_message(folder, LoadOptions(class_names=w.names_file(tmp_path))) == (
        f"{folder / '1.txt'}: line 1: expected an image size for frame '1' to scale normalized coordinates "
        "(give --image-sizes, or sizes in the ground truth), found none"
    )


def test_normalized_predictions_on_a_frame_without_size(tmp_path: Path) -> None:
    gt = load_ground_truth(write(tmp_path / "gt.csv", "frame_id,class,x,y,w,h\n1,cat,1,2,3,4\n"), PLAIN)
    path = write(tmp_path / "p.csv", HEADER + "1,cat,0.1,0.2,0.3,0.4,0.5\n")
    assert pred_message(path, gt, LoadOptions(normalized=True)) == (
        f"{path}: line 2: expected an image size for frame '1' to scale normalized coordinates "
        "(give --image-sizes, or sizes in the ground truth), found none"
    )


# ----------------------------------------------------------------------------------------- arguments


@pytest.mark.parametrize("value", ["=preds.json", "model="])
def test_pred_argument_without_name_or_path(value: str) -> None:
    assert message_of(lambda: parse_pred_argument(value)) == (
        f"field '--pred': expected NAME=PATH with a name and a path, found {value!r}"
    )


def test_voc_is_not_a_prediction_format(tmp_path: Path, gt: GroundTruth) -> None:
    folder = w.voc_folder(tmp_path / "voc")
    assert pred_message(folder, gt) == f"{folder}: expected predictions, found Pascal VOC xml (a ground-truth format)"


def test_duplicate_category_ids(tmp_path: Path) -> None:
    data = {"images": [], "annotations": [], "categories": [{"id": 1, "name": "a"}, {"id": 1, "name": "b"}]}
    path = write(tmp_path / "gt.json", json.dumps(data))
    assert gt_message(path) == (
        f"{path}: categories[1]: field 'id': expected a unique category id, found 1 again (first at categories[0])"
    )


def test_negative_area(tmp_path: Path) -> None:
    path = coco(tmp_path / "gt.json", [ann(1, area=-5)])
    assert gt_message(path) == f"{path}: annotations[0]: field 'area': expected a non-negative number, found -5.0"


def test_zero_image_size_column(tmp_path: Path) -> None:
    path = write(tmp_path / "gt.csv", "frame_id,class,x,y,w,h,image_width,image_height\n1,cat,1,2,3,4,0,480\n")
    assert gt_message(path) == f"{path}: line 2: field 'image_width': expected a positive image size, found 0.0"
