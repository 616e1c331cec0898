#!/usr/bin/env python
"""Scale benchmark: time and peak memory of ``reportgen evaluate`` on fleet-size data, by engine.

Generates seeded fleet-like detection data (``generate``): a ground-truth Parquet file and the predictions as a
folder of Parquet files split by rows, the rows shuffled so that every frame's predictions are spread over the
files (no sortedness). Then (``run``) evaluates each size with each engine in a child process and prints wall
time, CPU time and peak RSS (``ru_maxrss`` of ``os.wait4``: the largest single process of the tree, which for a
Dask run includes the worker processes), and whether the JSON outputs of the engines are identical.

Engines:

* ``single``: ``reportgen evaluate`` (chunked reading, spill by partition, one partition matched at a time);
* ``dask2``: the same with ``--dask local:2`` (two worker processes);
* ``memory``: the one-pass engine that keeps every prediction's matching (``reportgen.evaluate`` in Python,
  i.e. the engine before this design), for comparison where it fits;
* ``build``: ``reportgen build --gt --pred`` (the report: one partition matched at a time, examples and object
  outcomes from the map step); ``build-dask2`` the same with ``--dask local:2``. Their HTML files (built with
  ``SOURCE_DATE_EPOCH`` set) are compared byte for byte.

Usage:
    python benchmarks/bench_scale.py generate --predictions 1M [--out benchmarks/_data/scale-1M]
    python benchmarks/bench_scale.py run --sizes 1M,5M [--engines single,dask2,memory] [--repeat 1]

Sizes are numbers of predictions (``1M``, ``500k``, ``20M``); frames = predictions / 50, ground-truth boxes
= predictions / 5, 20 classes (fleet data: 10 objects and 50 detections a frame).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "_data"
CLASSES = [
    "car", "pedestrian", "truck", "bus", "cyclist", "motorcycle", "traffic_light", "traffic_sign", "trailer",
    "van", "animal", "stroller", "wheelchair", "scooter", "cone", "barrier", "debris", "emergency_vehicle",
    "train", "construction_vehicle",
]  # fmt: skip
PREDS_PER_FRAME = 50
GT_PER_FRAME = 10
ROWS_PER_FILE = 2_000_000


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def size_name(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1_000}k"


def generate(n_preds: int, out: Path, seed: int = 0) -> None:
    """Fleet-like data: frames of 1920x1080, Zipf-like class frequencies, detections near objects (class swaps,
    jitter) and background false positives; scores with 4 decimals (ties across frames)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    n_frames = max(1, n_preds // PREDS_PER_FRAME)
    out.mkdir(parents=True, exist_ok=True)
    names = pa.array([f"drive-{i // 1000:05d}/frame-{i % 1000:04d}" for i in range(n_frames)])
    weights = 1.0 / np.arange(1, len(CLASSES) + 1) ** 1.1
    weights /= weights.sum()
    per_frame = rng.poisson(GT_PER_FRAME, n_frames)
    n_gt = int(per_frame.sum())
    g_frame = np.repeat(np.arange(n_frames), per_frame)
    g_cls = rng.choice(len(CLASSES), size=n_gt, p=weights)
    g_w = np.round(rng.lognormal(4.0, 0.8, n_gt).clip(4, 1900), 1)
    g_h = np.round((g_w * rng.uniform(0.5, 1.5, n_gt)).clip(4, 1070), 1)
    g_x = np.round(rng.uniform(0, 1920 - g_w), 1)
    g_y = np.round(rng.uniform(0, 1080 - g_h), 1)
    # a frame without objects is a row with its frame id only (so that its predictions have a frame)
    empty = np.flatnonzero(per_frame == 0)
    gt = pa.concat_tables([
        pa.table({
            "frame_id": names.take(pa.array(g_frame)), "class": pa.array(CLASSES).take(pa.array(g_cls)),
            "x": g_x, "y": g_y, "w": g_w, "h": g_h,
        }),
        pa.table({
            "frame_id": names.take(pa.array(empty)), "class": pa.nulls(empty.size, pa.string()),
            "x": pa.nulls(empty.size, pa.float64()), "y": pa.nulls(empty.size, pa.float64()),
            "w": pa.nulls(empty.size, pa.float64()), "h": pa.nulls(empty.size, pa.float64()),
        }),
    ])  # fmt: skip
    pq.write_table(gt, out / "gt.parquet", row_group_size=1_000_000)
    del gt
    preds_dir = out / "preds"
    preds_dir.mkdir(exist_ok=True)
    for old in preds_dir.glob("*.parquet"):
        old.unlink()
    n_files = max(1, -(-n_preds // ROWS_PER_FILE))
    written = 0
    for j in range(n_files):
        rows = min(ROWS_PER_FILE, n_preds - written)
        written += rows
        near = rng.random(rows) < 0.55  # a detection near an object, else a background false positive
        obj = rng.integers(0, max(n_gt, 1), rows)
        frame = np.where(near, g_frame[obj], rng.integers(0, n_frames, rows))
        swap = rng.random(rows) < 0.08
        cls = np.where(near & ~swap, g_cls[obj], rng.choice(len(CLASSES), size=rows, p=weights))
        jitter = rng.normal(0, 0.08, (rows, 4))
        w = np.where(near, g_w[obj] * np.exp(jitter[:, 2]), rng.lognormal(3.5, 0.9, rows).clip(4, 1900))
        h = np.where(near, g_h[obj] * np.exp(jitter[:, 3]), rng.lognormal(3.5, 0.9, rows).clip(4, 1070))
        x = np.where(near, g_x[obj] + jitter[:, 0] * g_w[obj], rng.uniform(0, 1800, rows))
        y = np.where(near, g_y[obj] + jitter[:, 1] * g_h[obj], rng.uniform(0, 1000, rows))
        quality = np.exp(-np.abs(jitter).sum(axis=1) * 4)
        score = np.where(near, rng.beta(4, 2, rows) * 0.6 + 0.4 * quality, rng.beta(1.2, 5, rows))
        table = pa.table({
            "frame_id": names.take(pa.array(frame)), "class": pa.array(CLASSES).take(pa.array(cls)),
            "x": np.round(x, 2), "y": np.round(y, 2), "w": np.round(w, 2), "h": np.round(h, 2),
            "score": np.round(score.clip(0, 1), 4),
        })  # fmt: skip
        pq.write_table(table, preds_dir / f"part-{j:05d}.parquet", row_group_size=500_000)
    meta = {"predictions": n_preds, "frames": n_frames, "objects": n_gt, "classes": len(CLASSES), "files": n_files,
            "seed": seed}  # fmt: skip
    (out / "meta.json").write_text(json.dumps(meta, indent=1))
    print(f"generated {meta} -> {out}")


MEMORY_ENGINE = """
import sys
from pathlib import Path
import reportgen
ev = reportgen.evaluate(sys.argv[1], {"preds": sys.argv[2]})
Path(sys.argv[3]).write_bytes(__import__("orjson").dumps(ev.to_dict()))
"""


def command(engine: str, data: Path, out: Path) -> list[str]:
    gt, preds = data / "gt.parquet", data / "preds"
    if engine.startswith("build"):
        cmd = [sys.executable, "-m", "reportgen", "build", "--gt", str(gt), "--pred", f"preds={preds}", "-q", "-o",
               str(out)]  # fmt: skip
        return cmd + (["--dask", "local:2"] if engine == "build-dask2" else [])
    if engine == "memory":
        return [sys.executable, "-c", MEMORY_ENGINE, str(gt), str(preds), str(out)]
    cmd = [sys.executable, "-m", "reportgen", "evaluate", "--gt", str(gt), "--pred", f"preds={preds}", "-q",
           "--json", str(out)]  # fmt: skip
    if engine == "dask2":
        cmd += ["--dask", "local:2"]
    return cmd


def measure(cmd: list[str]) -> tuple[float, float, float, int]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env["SOURCE_DATE_EPOCH"] = "1767225600"  # reports of the same data are the same bytes
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} exited {code}:\n{err[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code


def run(sizes: list[int], engines: list[str], repeat: int, data_root: Path) -> None:
    print(f"{'size':>6} {'engine':>7} {'wall s':>8} {'cpu s':>8} {'peak MiB':>9} {'B/pred':>7}  runs")
    for n in sizes:
        data = data_root / f"scale-{size_name(n)}"
        if not (data / "meta.json").exists():
            generate(n, data)
        outputs, reports = {}, {}
        for engine in engines:
            walls, cpus, peaks = [], [], []
            out = data / (f"out-{engine}.html" if engine.startswith("build") else f"out-{engine}.json")
            for _ in range(repeat):
                wall, cpu, peak, _ = measure(command(engine, data, out))
                walls.append(wall)
                cpus.append(cpu)
                peaks.append(peak)
            if engine.startswith("build"):
                reports[engine] = out.read_bytes()
            else:
                outputs[engine] = json.loads(out.read_text())
            per_pred = max(peaks) * 2**20 / n
            print(f"{size_name(n):>6} {engine:>7} {statistics.median(walls):8.1f} {statistics.median(cpus):8.1f} "
                  f"{max(peaks):9.0f} {per_pred:7.0f}  {', '.join(f'{w:.1f}' for w in walls)}", flush=True)
        for doc in outputs.values():
            doc.pop("ground_truth", None)
            for entry in doc["inference_sets"]:
                entry.pop("path", None), entry.pop("sha256", None)
        for kind, found in (("outputs", list(outputs.values())), ("reports", list(reports.values()))):
            if len(found) > 1:
                same = all(d == found[0] for d in found[1:])
                names = outputs if kind == "outputs" else reports
                print(f"{size_name(n):>6} {kind} of {', '.join(names)}: {'identical' if same else 'DIFFERENT'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    g = sub.add_parser("generate", help="write the data of one size")
    g.add_argument("--predictions", default="1M")
    g.add_argument("--out", type=Path, default=None)
    g.add_argument("--seed", type=int, default=0)
    r = sub.add_parser("run", help="measure each size with each engine")
    r.add_argument("--sizes", default="1M")
    r.add_argument("--engines", default="single,dask2,memory")
    r.add_argument("--repeat", type=int, default=1)
    r.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    if args.what == "generate":
        n = parse_size(args.predictions)
        generate(n, (args.out or DATA / f"scale-{size_name(n)}").resolve(), args.seed)
    else:
        run([parse_size(s) for s in args.sizes.split(",")], args.engines.split(","), args.repeat, args.data.resolve())


if __name__ == "__main__":
    main()
