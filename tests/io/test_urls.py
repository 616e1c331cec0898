"""Inputs given as fsspec URLs (``memory://`` in this process, ``file://`` across processes) give the local
paths' numbers, for every format; missing packages and files are user errors (exit 2, one line)."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zstandard

import reportgen
from reportgen.io import location, parse_pred_argument
from reportgen.io._location import Url
from tests.builders import to_coco
from tests.cli import assert_error, check, evaluate
from tests.gen import random_detection

fsspec = pytest.importorskip("fsspec")


@pytest.fixture
def memory() -> Iterator[Any]:
    fs = fsspec.filesystem("memory")
    root = "/rg-test"
    yield fs, root
    if fs.exists(root):
        fs.rm(root, recursive=True)


def write_inputs(folder: Path) -> dict[str, Path]:
    """One small case in every input format: COCO ground truth; predictions as COCO results, CSV (plain and
    compressed four ways), JSON Lines, a Parquet file, a hive-partitioned Parquet folder with files to skip, and a
    Padilla txt folder."""
    import pandas as pd

    data = random_detection(3, n_images=6, crowd_rate=0.2, many_dets=20)
    gt = data.gt()
    preds = data.preds(gt)
    coco_gt, coco_dt = to_coco(gt, preds)
    paths = {"gt": folder / "gt.json", "coco": folder / "dt.json"}
    paths["gt"].write_text(json.dumps(coco_gt))
    paths["coco"].write_text(json.dumps(coco_dt))
    frame = pd.DataFrame({
        "frame_id": [gt.frame_ids[f] for f in preds.frame], "class": [gt.classes[c] for c in preds.cls],
        "x": preds.box[:, 0], "y": preds.box[:, 1], "w": preds.box[:, 2], "h": preds.box[:, 3], "score": preds.score,
    })  # fmt: skip
    csv = frame.to_csv(index=False).encode()
    paths["csv"] = folder / "dt.csv"
    paths["csv"].write_bytes(csv)
    for suffix, pack in (("gz", gzip.compress), ("bz2", bz2.compress), ("xz", lzma.compress),
                         ("zst", zstandard.ZstdCompressor().compress)):  # fmt: skip
        paths[suffix] = folder / f"dt.csv.{suffix}"
        paths[suffix].write_bytes(pack(csv))
    paths["jsonl"] = folder / "dt.jsonl"
    paths["jsonl"].write_text("".join(json.dumps(r) + "\n" for r in frame.to_dict(orient="records")))
    paths["parquet"] = folder / "dt.parquet"
    frame.to_parquet(paths["parquet"], index=False)
    hive = folder / "dt_parts"
    halves = np.array_split(np.arange(len(frame)), 3)
    for i, rows in enumerate(halves):
        sub = hive / f"split={'ab'[i % 2]}"
        sub.mkdir(parents=True, exist_ok=True)
        frame.iloc[rows].to_parquet(sub / f"part-{i}.parquet", index=False)
    (hive / "_SUCCESS").write_text("")
    (hive / "_metadata").write_bytes(b"not parquet")
    (hive / ".part-0.parquet.crc").write_bytes(b"crc")
    paths["folder"] = hive
    txt = folder / "dt_txt"
    txt.mkdir()
    for f, frame_id in enumerate(gt.frame_ids):
        rows = np.flatnonzero(preds.frame == f)
        boxes = [" ".join(repr(float(v)) for v in preds.box[r]) for r in rows]
        lines = [f"{gt.classes[preds.cls[r]]} {float(preds.score[r])!r} {box}"
                 for r, box in zip(rows, boxes, strict=True)]
        (txt / f"{frame_id}.txt").write_text("\n".join(lines) + "\n")
    paths["txt"] = txt
    return paths


def to_memory(fs: Any, root: str, local: Path) -> str:
    """Copy a file or folder into fsspec's memory filesystem; its memory:// URL."""
    target = f"{root}/{local.name}"
    if local.is_dir():
        for p in sorted(local.rglob("*")):
            if p.is_file():
                fs.pipe_file(f"{target}/{p.relative_to(local).as_posix()}", p.read_bytes())
    else:
        fs.pipe_file(target, local.read_bytes())
    return f"memory://{target}"


def numbers(path: Path) -> dict[str, Any]:
    """An ``evaluate --json`` document without its provenance (paths, digests, what a filesystem says)."""
    doc = json.loads(path.read_bytes())
    for entry in [doc["ground_truth"], *doc["inference_sets"]]:
        del entry["path"], entry["sha256"], entry["remote"]
    return doc


KINDS = ["coco", "csv", "gz", "bz2", "xz", "zst", "jsonl", "parquet", "folder", "txt"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_format_read_from_a_memory_url_equals_the_local_path(kind: str, tmp_path: Path, memory: Any) -> None:
    fs, root = memory
    paths = write_inputs(tmp_path)
    gt_url, pred_url = to_memory(fs, root, paths["gt"]), to_memory(fs, root, paths[kind])
    local, remote = tmp_path / "local.json", tmp_path / "remote.json"
    a = evaluate("--gt", paths["gt"], "--pred", f"m={paths[kind]}", "--json", local)
    b = evaluate("--gt", gt_url, "--pred", f"m={pred_url}", "--json", remote)
    assert a.code == b.code == 0, b.stderr
    assert a.stdout == b.stdout
    assert numbers(local) == numbers(remote)
    doc = json.loads(remote.read_bytes())
    assert doc["inference_sets"][0]["path"] == pred_url
    assert doc["inference_sets"][0]["sha256"] is None
    assert doc["ground_truth"]["remote"]["size"] == paths["gt"].stat().st_size
    assert json.loads(local.read_bytes())["ground_truth"]["remote"] is None


def test_file_urls_equal_local_paths_and_name_the_set_by_its_stem(tmp_path: Path) -> None:
    paths = write_inputs(tmp_path)
    local, remote = tmp_path / "local.json", tmp_path / "remote.json"
    a = evaluate("--gt", paths["gt"], "--pred", paths["folder"], "--json", local)
    b = evaluate("--gt", paths["gt"].as_uri(), "--pred", paths["folder"].as_uri() + "/", "--json", remote)
    assert a.code == b.code == 0, b.stderr
    assert a.stdout == b.stdout and "== dt_parts ==" in a.stdout
    assert numbers(local) == numbers(remote)


def test_a_url_is_never_a_mangled_path() -> None:
    assert isinstance(location("s3://bucket/key.parquet"), Url)
    assert str(location("s3://bucket/preds/")) == "s3://bucket/preds"
    assert parse_pred_argument("s3://b/date=2024-01-01/") == ("date=2024-01-01", Url("s3://b/date=2024-01-01"))
    assert parse_pred_argument("m=s3://b/p.csv") == ("m", Url("s3://b/p.csv"))
    with pytest.raises(ValueError, match="not a local path"):
        Path(Url("s3://b/k"))  # type: ignore[arg-type]


def test_api_reads_urls(tmp_path: Path, memory: Any) -> None:
    fs, root = memory
    paths = write_inputs(tmp_path)
    gt_url, pred_url = to_memory(fs, root, paths["gt"]), to_memory(fs, root, paths["parquet"])
    ev = reportgen.evaluate(gt_url, {"m": pred_url})
    local = reportgen.evaluate(paths["gt"], {"m": paths["parquet"]})
    assert ev["m"].result.num_predictions == local["m"].result.num_predictions
    assert ev.to_dict()["inference_sets"][0]["path"] == pred_url
    gt = reportgen.load_ground_truth(gt_url)
    assert reportgen.load_predictions(pred_url, gt).name == "dt"
    report = reportgen.build_report(ev, tmp_path / "r.html")  # provenance names the URLs as given
    html = report.path.read_text(encoding="utf-8")
    assert pred_url in html and gt_url in html


def test_convert_reads_a_url(tmp_path: Path, memory: Any) -> None:
    from tests.cli import reportgen as run

    fs, root = memory
    paths = write_inputs(tmp_path)
    out = tmp_path / "gt.parquet"
    result = run("convert", to_memory(fs, root, paths["gt"]), out, "-q")
    assert result.code == 0, result.stderr
    assert out.read_bytes()[:4] == b"PAR1"


def test_a_missing_url_is_exit_2_like_a_missing_file(tmp_path: Path, memory: Any) -> None:
    paths = write_inputs(tmp_path)
    local = evaluate("--gt", paths["gt"], "--pred", tmp_path / "none.csv")
    remote = evaluate("--gt", paths["gt"], "--pred", "memory:///rg-test/none.csv")
    assert_error(local, "none.csv: expected a file or folder of predictions, found nothing at this path")
    assert_error(remote, "Error: memory:///rg-test/none.csv: expected a file or folder of predictions, found nothing "
                 "at this path")  # fmt: skip


def test_a_protocol_without_its_package_names_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fsspec.registry import known_implementations

    monkeypatch.setitem(known_implementations, "rgtest", {"class": "rg_missing_fs.RgFileSystem", "err": "Install it"})
    paths = write_inputs(tmp_path)
    run = evaluate("--gt", paths["gt"], "--pred", "rgtest://bucket/preds.parquet")
    assert_error(run, "rgtest://bucket/preds.parquet: expected the filesystem package for rgtest:// URLs, found it "
                 "missing (pip install rg_missing_fs)")  # fmt: skip


def test_urls_without_fsspec_say_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    for name in [m for m in sys.modules if m == "fsspec" or m.startswith("fsspec.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "fsspec", None)  # import fsspec raises ImportError
    monkeypatch.setitem(sys.modules, "fsspec.core", None)
    run = evaluate("--gt", "s3://bucket/gt.json", "--pred", "s3://bucket/dt.json")
    assert_error(run, "s3://bucket/gt.json: expected fsspec to read s3:// URLs, found it missing (pip install fsspec)")


def test_project_file_url_needs_allow_path(tmp_path: Path) -> None:
    paths = write_inputs(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(paths["csv"], data / "dt.csv")
    project = tmp_path / "proj" / "project.yaml"
    project.parent.mkdir()
    shutil.copy(paths["gt"], project.parent / "gt.json")
    url = (data / "dt.csv").as_uri()
    project.write_text(
        "name: p\ndataset:\n  ground_truth: gt.json\n"
        f"inference_sets:\n  - name: m\n    path: {url}\n"
    )
    refused = check(project)
    assert_error(refused, "field 'inference_sets[0].path': expected a path inside the project's folder, found the "
                 "URL 'file://", "--allow-path URL")  # fmt: skip
    assert check(project, "--allow-path", data.as_uri()).code == 0
    other = tmp_path / "other"
    other.mkdir()
    assert_error(check(project, "--allow-path", other.as_uri()), "found the URL")


def test_project_file_remote_url_prefix() -> None:
    from reportgen.io.project import inside

    roots = (Url("s3://bucket/eval"),)
    assert inside(Url("s3://bucket/eval/gt.parquet"), roots)
    assert not inside(Url("s3://bucket/evaluation/gt.parquet"), roots)
    assert not inside(Url("s3://bucket/eval/../secret/gt.parquet"), roots)
    assert not inside(Url("gs://bucket/eval/gt.parquet"), roots)


@pytest.mark.slow
def test_dask_workers_read_a_parquet_folder_url_themselves(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    paths = write_inputs(tmp_path)
    single, cluster = tmp_path / "single.json", tmp_path / "dask.json"
    a = evaluate("--gt", paths["gt"], "--pred", f"m={paths['folder']}", "--json", single)
    b = evaluate("--gt", paths["gt"].as_uri(), "--pred", f"m={paths['folder'].as_uri()}", "--json", cluster,
                 "--dask", "local:2")  # fmt: skip
    assert a.code == b.code == 0, b.stderr
    assert a.stdout == b.stdout
    assert numbers(single) == numbers(cluster)


def test_build_reads_urls_and_records_them(tmp_path: Path, memory: Any) -> None:
    from tests.cli import build

    fs, root = memory
    paths = write_inputs(tmp_path)
    gt_url, pred_url = to_memory(fs, root, paths["gt"]), to_memory(fs, root, paths["folder"])
    out = tmp_path / "report.html"
    run = build("--gt", gt_url, "--pred", f"m={pred_url}", "-o", out)
    assert run.code == 0, run.stderr
    html = out.read_text()
    assert pred_url in html and "(in memory)" not in html
