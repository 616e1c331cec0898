"""The Python API as docs/api.md shows it, on any detection data: ``python tests/api_example.py GT PRED1 PRED2
PROJECT.yaml OUT.html``. tests/test_api.py runs it, and ``mypy --strict`` checks it (scripts/test.sh)."""

from __future__ import annotations

import sys

import reportgen


def main(gt_path: str, v1_path: str, v2_path: str, project_file: str, out: str) -> int:
    gt = reportgen.load_ground_truth(gt_path)
    preds = reportgen.load_predictions(v1_path, gt)
    ev = reportgen.evaluate(gt, {"v1": preds, "v2": v2_path})
    names: list[str] = ev.names
    coco = ev["v1"].coco
    assert coco is not None
    ap: float | None = coco["AP"]
    r = ev["v1"].at(confidence=0.3, iou=0.5)
    report = r.report  # one row per class
    matrix = r.confusion_matrix  # ground truth x predicted, with background
    micro_f1: float | None = r.micro.f1
    print(names, ap, micro_f1, len(report), matrix.shape, r.macro.precision, r.weighted.recall)
    document = ev.to_dict()
    assert document["schema_version"] == 1

    project = reportgen.Project.load(project_file)
    result = project.check(inference=None, confidence=None, iou=None)
    payload = result.payload()
    print(result.passed, len(payload), len(result.junit()) > 0, result.markdown().splitlines()[0])
    built = reportgen.build_report(project, out)
    html: str = built._repr_html_()
    print(built.path, built.size, html[:7])
    try:
        ev["v1"].at(confidence=0.3, iou=0.42)
    except reportgen.InputError as exc:
        print(exc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:6]))
