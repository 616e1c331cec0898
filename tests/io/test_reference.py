"""The public reference folders (``tests/reference``) load as they are, with their published counts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reportgen.io import LoadOptions, detect_format, load_ground_truth, load_predictions

PLAIN = LoadOptions()


def test_cocoapi_fake100(reference: Path) -> None:
    folder = reference / "cocoapi_fake100"
    gt = load_ground_truth(folder / "instances_val2014_100.json", PLAIN)
    assert (gt.num_frames, gt.num_objects, int(gt.crowd.sum()), gt.num_classes) == (100, 839, 9, 80)
    assert gt.frame_ids[:2] == ("1146", "400")  # file order of images
    assert gt.classes[:3] == ("person", "bicycle", "car") and gt.category_ids[-1] == 90
    assert gt.image_paths[0] == "COCO_val2014_000000001146.jpg"
    np.testing.assert_array_equal(gt.image_size[0], [427, 640])
    first = gt.ann_id.tolist().index(1774)
    assert gt.area[first] == pytest.approx(18234.62355)  # the file's area, not w * h
    assert gt.box[first].tolist() == [61.87, 276.25, 296.42, 103.18]
    preds = load_predictions(folder / "instances_val2014_fakebbox100_results.json", gt, PLAIN, name="fake")
    assert preds.num_predictions == 734
    assert gt.frame_ids[preds.frame[0]] == "42" and gt.category_ids[preds.cls[0]] == 18
    assert preds.score.min() >= 0 and preds.score.max() <= 1


def test_padilla_odm_7img_txt(reference: Path) -> None:
    folder = reference / "padilla_odm_7img"
    gt = load_ground_truth(folder / "groundtruths", PLAIN)
    preds = load_predictions(folder / "detections", gt, PLAIN, name="detections")
    assert (gt.num_frames, gt.num_objects, preds.num_predictions) == (7, 15, 24)
    assert gt.frame_ids == ("00001", "00002", "00003", "00004", "00005", "00006", "00007")
    assert gt.classes == ("person",)
    assert gt.box[0].tolist() == [25, 16, 38, 56]
    assert (preds.score[0], preds.box[0].tolist()) == (0.88, [5, 67, 31, 48])


def test_padilla_odm_7img_relative_and_coco_agree(reference: Path) -> None:
    folder = reference / "padilla_odm_7img"
    absolute = load_ground_truth(folder / "groundtruths", PLAIN)
    abs_preds = load_predictions(folder / "detections", absolute, PLAIN, name="d")
    # 200x200 images: the COCO file's images serve as --image-sizes (matched by file name stem).
    relative = LoadOptions(box_format="cxcywh", normalized=True, image_sizes=folder / "coco_gt.json")
    rel_gt = load_ground_truth(folder / "groundtruths_rel", relative)
    rel_preds = load_predictions(folder / "detections_rel", rel_gt, relative, name="d")
    np.testing.assert_allclose(rel_gt.box, absolute.box, atol=1e-9)
    np.testing.assert_allclose(rel_preds.box, abs_preds.box, atol=1e-9)
    coco = load_ground_truth(folder / "coco_gt.json", PLAIN)
    coco_preds = load_predictions(folder / "coco_dets.json", coco, PLAIN, name="d")
    np.testing.assert_array_equal(coco.box, absolute.box)
    np.testing.assert_array_equal(coco_preds.box, abs_preds.box)
    np.testing.assert_array_equal(coco_preds.score, abs_preds.score)
    # Padilla txt predictions on the COCO ground truth: 00001.txt is the image with file_name 00001.
    txt_on_coco = load_predictions(folder / "detections", coco, PLAIN, name="d")
    np.testing.assert_array_equal(txt_on_coco.frame, coco_preds.frame)


def test_padilla_review_toy_ground_truths(reference: Path) -> None:
    folder = reference / "padilla_review_toy"
    assert detect_format(folder / "gts_vocpascal_format", role="gt") == "voc"
    voc = load_ground_truth(folder / "gts_vocpascal_format", PLAIN)
    # SOURCE.md: 10 annotation files, 12 GT "cat" boxes.
    assert (voc.num_frames, voc.num_objects, voc.classes) == (10, 12, ("cat",))
    assert voc.frame_ids[0] == "2007_000549" and voc.image_paths[0] == "2007_000549.jpg"
    coco_path = folder / "gts_coco_format" / "toy_example_coco.JSON"
    assert detect_format(coco_path, role="gt") == "coco"
    coco = load_ground_truth(coco_path, PLAIN)
    assert (coco.num_frames, coco.num_objects) == (10, 12)
    assert 0 in coco.ann_id.tolist()  # annotation id 0 is legal
    np.testing.assert_array_equal(coco.box, voc.box)
    np.testing.assert_array_equal(coco.image_size, voc.image_size)


LAYOUTS = {
    "dets_classname_abs_xywh": LoadOptions(),
    "dets_classid_abs_xywh": LoadOptions(),
    "dets_classname_abs_xyx2y2": LoadOptions(box_format="xyxy"),
    "dets_classid_abs_xyx2y2": LoadOptions(box_format="xyxy"),
    "dets_classname_rel_xcycwh": LoadOptions(box_format="cxcywh", normalized=True),
    "dets_classid_rel_xcycwh": LoadOptions(box_format="cxcywh", normalized=True),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_padilla_review_toy_detection_layouts(layout: str, reference: Path) -> None:
    folder = reference / "padilla_review_toy"
    names = folder / "voc.names"
    gt = load_ground_truth(folder / "gts_vocpascal_format", PLAIN)
    coco_gt = load_ground_truth(folder / "gts_coco_format" / "toy_example_coco.JSON", PLAIN)
    reference_preds = load_predictions(folder / "dets_coco_format" / "coco_dets.json", coco_gt, PLAIN, name="c")
    options = LAYOUTS[layout]
    options = LoadOptions(box_format=options.box_format, normalized=options.normalized, class_names=names)
    assert detect_format(folder / layout, role="pred") == "padilla"
    preds = load_predictions(folder / layout, gt, options, name=layout)
    assert preds.num_predictions == 12 and (preds.cls == 0).all()
    np.testing.assert_array_equal(preds.frame, reference_preds.frame)
    np.testing.assert_array_equal(preds.score, reference_preds.score)
    # The relative files were written from rounded values: within a pixel of the absolute boxes.
    tolerance = 1.0 if "rel" in layout else 0
    np.testing.assert_allclose(preds.box, reference_preds.box, rtol=0, atol=tolerance)


def test_faster_coco_eval_small(reference: Path) -> None:
    folder = reference / "faster_coco_eval_small"
    gt = load_ground_truth(folder / "gt_dataset.json", PLAIN)
    assert (gt.num_frames, gt.num_objects, gt.classes) == (3, 9, ("cloud", "heart", "arrow", "star"))
    assert gt.image_paths == ("img_3.jpg", "img_1.jpg", "img_2.jpg")
    assert gt.area[0] == 8036  # the mask area from the file
    preds = load_predictions(folder / "dt_dataset.json", gt, PLAIN, name="dt")
    assert preds.num_predictions == 9


def test_faster_coco_eval_ignore_case_mixes_string_and_integer_image_ids(reference: Path) -> None:
    folder = reference / "faster_coco_eval_small"
    gt = load_ground_truth(folder / "gt_ignore_test.json", PLAIN)
    assert (gt.frame_ids, gt.num_objects, int(gt.crowd.sum())) == (("2299",), 14, 1)
    assert (gt.frame == 0).all()
    preds = load_predictions(folder / "dt_ignore_test.json", gt, PLAIN, name="dt")
    assert preds.num_predictions == 63 and (preds.frame == 0).all()
