"""The Dask path: the same map and reduce on workers give the single-process numbers, bit for bit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reportgen.engine.cluster import Piece, evaluate_on_cluster, map_rows, parse_address
from reportgen.engine.evaluation import EvalConfig, PartResult, evaluate_model
from reportgen.errors import InputError
from reportgen.io import LoadOptions, load_ground_truth, load_predictions
from reportgen.io.containers import GroundTruth, Predictions
from tests.builders import to_coco
from tests.cli import assert_error, evaluate
from tests.gen import random_detection
from tests.test_partitions import assert_same

distributed = pytest.importorskip("distributed")

CONFIG = EvalConfig.default(voc=True)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    # workers as threads of this process: fast to start; the CLI test below starts real worker processes
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cl, \
            distributed.Client(cl) as c:  # fmt: skip
        yield c


def write_case(folder: Path, seed: int, pieces: int) -> tuple[Path, list[Path]]:
    """COCO ground truth and the predictions as CSV pieces split by rows, shuffled so that frames span pieces."""
    data = random_detection(seed, n_images=16, crowd_rate=0.2, many_dets=105)
    gt = data.gt()
    preds = data.preds(gt)
    coco_gt, _ = to_coco(gt, preds)
    gt_path = folder / "gt.json"
    gt_path.write_text(json.dumps(coco_gt))
    order = np.random.default_rng(seed).permutation(preds.num_predictions)
    paths = []
    for i, rows in enumerate(np.array_split(order, pieces)):
        lines = ["frame_id,class,x,y,w,h,score"]
        for r in rows:
            x, y, w, h = (repr(float(v)) for v in preds.box[r])
            lines.append(f"{gt.frame_ids[preds.frame[r]]},{gt.classes[preds.cls[r]]},{x},{y},{w},{h},"
                         f"{float(preds.score[r])!r}")  # fmt: skip
        path = folder / f"part-{i}.csv"
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return gt_path, paths


def read_all(gt: GroundTruth, paths: list[Path]) -> Predictions:
    """The pieces as one inference set, in piece order (what one file with all rows would give)."""
    lines = [paths[0].read_text().splitlines()[0]]
    for p in paths:
        lines.extend(p.read_text().splitlines()[1:])
    whole = paths[0].parent / "all.csv"
    whole.write_text("\n".join(lines) + "\n")
    return load_predictions(whole, gt, LoadOptions(), name="m")


def pieces_of(paths: list[Path]) -> list[Piece]:
    offsets = np.cumsum([0] + [len(p.read_text().splitlines()) - 1 for p in paths])
    return [Piece(str(p), int(o)) for p, o in zip(paths, offsets, strict=False)]


def test_predictions_in_memory_on_the_cluster_equal_the_single_pass(client: Any) -> None:
    data = random_detection(1, n_images=16, crowd_rate=0.2, many_dets=105)
    gt = data.gt()
    preds = data.preds(gt)
    for k in (1, 3, 40):  # 40 partitions: most of them without frames
        assert_same(evaluate_model(gt, preds, CONFIG), evaluate_on_cluster(client, gt, preds, CONFIG, name="m",
                                                                          num_parts=k))  # fmt: skip


def test_pieces_read_by_the_workers_equal_the_single_pass(client: Any, tmp_path: Path) -> None:
    gt_path, paths = write_case(tmp_path, 2, pieces=3)
    gt = load_ground_truth(gt_path, LoadOptions())
    single = evaluate_model(gt, read_all(gt, paths), CONFIG)
    for k in (1, 4):
        got = evaluate_on_cluster(client, gt, pieces_of(paths), CONFIG, name="m", options=LoadOptions(), num_parts=k)
        assert_same(single, got)
        assert got.num_predictions == single.num_predictions


FAILED: set[int] = set()


def flaky_map(gt: GroundTruth, part: int, *args: Any) -> PartResult:
    """A map task whose first attempt at each partition dies, as a lost worker would make it."""
    if part not in FAILED:
        FAILED.add(part)
        raise RuntimeError(f"worker lost while matching partition {part}")
    return map_rows(gt, part, *args)


def test_a_task_that_fails_once_is_retried(client: Any) -> None:
    FAILED.clear()
    data = random_detection(3, n_images=16)
    gt = data.gt()
    preds = data.preds(gt)
    got = evaluate_on_cluster(client, gt, preds, CONFIG, name="m", num_parts=3, map_task=flaky_map)
    assert {0, 1, 2} == FAILED
    assert_same(evaluate_model(gt, preds, CONFIG), got)


def test_a_bad_row_read_on_a_worker_is_the_users_error(client: Any, tmp_path: Path) -> None:
    gt_path, paths = write_case(tmp_path, 4, pieces=2)
    lines = paths[1].read_text().splitlines()
    fields = lines[3].split(",")
    fields[-1] = "1.5"
    lines[3] = ",".join(fields)
    paths[1].write_text("\n".join(lines) + "\n")
    gt = load_ground_truth(gt_path, LoadOptions())
    with pytest.raises(InputError) as caught:
        evaluate_on_cluster(client, gt, pieces_of(paths), CONFIG, name="m", options=LoadOptions(), num_parts=2)
    assert str(caught.value) == f"{paths[1]}: line 4: field 'score': expected a confidence in [0, 1], found 1.5"


def test_cli_dask_local_2_equals_the_single_process_json(tmp_path: Path) -> None:
    gt_path, paths = write_case(tmp_path, 5, pieces=1)
    out_a, out_b = tmp_path / "single.json", tmp_path / "dask.json"
    a = evaluate("--gt", gt_path, "--pred", f"m={paths[0]}", "--voc", "--json", out_a)
    b = evaluate("--gt", gt_path, "--pred", f"m={paths[0]}", "--voc", "--json", out_b, "--dask", "local:2")
    assert a.code == b.code == 0, b.stderr
    assert a.stdout == b.stdout
    assert out_a.read_bytes() == out_b.read_bytes()


@pytest.mark.parametrize("address", ["local:0", "local:x", " "])
def test_bad_dask_address(address: str, tmp_path: Path) -> None:
    gt_path, paths = write_case(tmp_path, 6, pieces=1)
    run = evaluate("--gt", gt_path, "--pred", paths[0], "--dask", address)
    assert_error(run, "field '--dask': expected local")


def test_parse_address() -> None:
    assert parse_address("local") == ("local", None)
    assert parse_address("local:3") == ("local", 3)
    assert parse_address("tcp://10.0.0.1:8786") == ("tcp://10.0.0.1:8786", None)


def write_parquet_folder(folder: Path, csv_pieces: list[Path]) -> Path:
    """The CSV pieces as a folder of Parquet files (one per piece), rows kept in order."""
    import pandas as pd

    out = folder / "preds"
    out.mkdir()
    for i, piece in enumerate(csv_pieces):
        df = pd.read_csv(piece, dtype={"frame_id": str})
        df.to_parquet(out / f"part-{i:03d}.parquet", index=False)
    (out / "_SUCCESS").write_text("")
    return out


def test_cli_dask_on_a_parquet_folder_split_by_rows_equals_the_single_process_json(tmp_path: Path) -> None:
    # frames spread over the files (rows shuffled before the split); every file is read by a worker
    gt_path, pieces = write_case(tmp_path, 7, pieces=3)
    folder = write_parquet_folder(tmp_path, pieces)
    out_a, out_b, out_c = tmp_path / "single.json", tmp_path / "dask.json", tmp_path / "csv.json"
    a = evaluate("--gt", gt_path, "--pred", f"m={folder}", "--json", out_a)
    b = evaluate("--gt", gt_path, "--pred", f"m={folder}", "--json", out_b, "--dask", "local:2")
    assert a.code == b.code == 0, b.stderr
    assert a.stdout == b.stdout
    assert out_a.read_bytes() == out_b.read_bytes()
    # and the numbers are those of the same rows in one file
    whole = tmp_path / "all.csv"
    read_all(load_ground_truth(gt_path, LoadOptions()), pieces)  # writes all.csv
    c = evaluate("--gt", gt_path, "--pred", f"m={whole}", "--json", out_c)
    docs = [json.loads(p.read_bytes()) for p in (out_a, out_c)]
    for doc in docs:
        for entry in doc["inference_sets"]:
            entry.pop("path"), entry.pop("sha256")
    assert docs[0] == docs[1]
    assert c.stdout == a.stdout


def test_pieces_of_a_parquet_folder_on_the_cluster(client: Any, tmp_path: Path) -> None:
    from reportgen.io import prediction_parts

    gt_path, csv_pieces = write_case(tmp_path, 8, pieces=4)
    folder = write_parquet_folder(tmp_path, csv_pieces)
    gt = load_ground_truth(gt_path, LoadOptions())
    rows = prediction_parts(folder, LoadOptions())
    assert rows is not None and len(rows) == 4
    offsets = np.cumsum([0, *rows])
    pieces = [Piece(str(folder), int(offsets[i]), part=i) for i in range(4)]
    single = evaluate_model(gt, read_all(gt, csv_pieces), CONFIG)
    assert_same(single, evaluate_on_cluster(client, gt, pieces, CONFIG, name="m", options=LoadOptions(), num_parts=3))


def test_api_evaluate_with_a_client_equals_without(client: Any, tmp_path: Path) -> None:
    import reportgen

    gt_path, pieces = write_case(tmp_path, 9, pieces=2)
    folder = write_parquet_folder(tmp_path, pieces)
    plain = reportgen.evaluate(gt_path, {"m": folder}, voc=True)
    on_cluster = reportgen.evaluate(gt_path, {"m": folder}, voc=True, dask=client)
    assert json.dumps(plain.to_dict()) == json.dumps(on_cluster.to_dict())
    # a partitioned result keeps no matching: what needs it says so
    with pytest.raises(InputError, match="partitioned"):
        on_cluster["m"].at(confidence=0.123, iou=0.5)
    assert on_cluster["m"].at(confidence=0.5, iou=0.5).micro == plain["m"].at(confidence=0.5, iou=0.5).micro


def test_dask_missing_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    gt_path, pieces = write_case(tmp_path, 10, pieces=1)
    run = evaluate("--gt", gt_path, "--pred", pieces[0], "--dask", "local:2")
    assert_error(run, "field '--dask': expected Dask to be installed for --dask, found it missing "
                      "(install the Dask extra: pip install 'reportgen[dask]')")  # fmt: skip


def test_check_partitioned_and_on_a_cluster_equals_the_run_in_one_piece(tmp_path: Path) -> None:
    import reportgen
    from reportgen.demo import write_demo_project
    from tests.cli import check

    write_demo_project(tmp_path)
    project_file = tmp_path / "project.yaml"
    project = reportgen.Project.load(project_file)
    project.run()  # the run in one piece (every prediction's matching), which check then reuses
    whole = project.check()
    parted = reportgen.Project.load(project_file).check()  # matched one partition at a time
    assert json.dumps(whole.payload()) == json.dumps(parted.payload())
    out_a, out_b = tmp_path / "a.json", tmp_path / "b.json"
    a = check(project_file, "--json", out_a)
    b = check(project_file, "--json", out_b, "--dask", "local:2")
    assert a.code == b.code and a.code in (0, 1), b.stderr
    assert a.stdout == b.stdout
    assert out_a.read_bytes() == out_b.read_bytes() == json.dumps(whole.payload(), separators=(",", ":")).encode()


def test_project_file_dask_key(tmp_path: Path) -> None:
    from reportgen.demo import write_demo_project
    from tests.cli import check

    write_demo_project(tmp_path)
    project_file = tmp_path / "project.yaml"
    text = project_file.read_text()
    project_file.write_text("dask: local:0\n" + text)
    run = check(project_file)
    assert_error(run, "field 'dask': expected local, local:N with N >= 1")
