"""Does the report grow with the data? HTML size and build peak memory of ``reportgen build`` at two sizes.

Project (issue 11, "The report does not grow with the data"): classification, 10 classes, 2 inference sets,
a frame table and 4 segments (All Frames, two query segments and a frame-list segment), at 20,000 and 200,000
rows (one ground-truth label and one prediction per frame and inference set). The data is seeded; model-b is
model-a with some frames corrected and some broken, so the two sets flip on a share of the frames.

Each build runs in its own process; peak RSS is that process's ``ru_maxrss`` (``os.wait4``), as in
bench_report.py. Printed: per size the HTML size, wall time and peak RSS, the ratios 200k / 20k, and the
payload's largest entries (``--keys``) so that whatever still grows with the data shows up.

Targets: HTML at 200k within 1.3x of 20k; peak RSS within 2x.

Usage: python benchmarks/bench_report_size.py [--sizes 20000,200000] [--out benchmarks/_data/report_size]
                                              [--repeat 1] [--keys]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CLASSES = 10
TARGETS = {"html": 1.3, "rss": 2.0}


def generate(out: Path, n_frames: int, *, seed: int = 0) -> Path:
    """Seeded classification data and a project file over it; returns the project file.

    Class frequencies are uneven (a long tail); model-a is right on ~70% of the frames, with a confidence that
    is higher when it is right; model-b takes model-a's answers and corrects 10% of its errors and breaks 3% of
    its right answers (new confidences for those)."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    freq = 1.0 / np.arange(1, CLASSES + 1)
    y_true = rng.choice(CLASSES, size=n_frames, p=freq / freq.sum())
    right_a = rng.random(n_frames) < 0.7
    wrong = (y_true + rng.integers(1, CLASSES, size=n_frames)) % CLASSES
    y_a = np.where(right_a, y_true, wrong)
    score_a = np.round(np.clip(rng.beta(np.where(right_a, 5, 2), 2), 0, 1), 3)
    fix = ~right_a & (rng.random(n_frames) < 0.10)
    brk = right_a & (rng.random(n_frames) < 0.03)
    y_b = np.where(fix, y_true, np.where(brk, wrong, y_a))
    score_b = np.where(fix | brk, np.round(rng.random(n_frames), 3), score_a)
    ids = [f"frame-{i:07d}" for i in range(n_frames)]
    names = [f"class-{k}" for k in range(CLASSES)]
    weather = rng.choice(["clear", "rain", "fog", "night"], size=n_frames, p=[0.55, 0.2, 0.1, 0.15])
    split = rng.choice(["train", "val", "test"], size=n_frames, p=[0.6, 0.2, 0.2])

    def table(path: Path, header: list[str], columns: list[object]) -> None:
        with path.open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(zip(*columns, strict=True))

    table(out / "gt.csv", ["frame_id", "label"], [ids, [names[k] for k in y_true]])
    table(out / "model-a.csv", ["frame_id", "label", "score"], [ids, [names[k] for k in y_a], score_a.tolist()])
    table(out / "model-b.csv", ["frame_id", "label", "score"], [ids, [names[k] for k in y_b], score_b.tolist()])
    table(out / "frames.csv", ["frame_id", "weather", "split"], [ids, weather.tolist(), split.tolist()])
    picked = ", ".join(json.dumps(ids[i]) for i in range(0, n_frames, max(1, n_frames // 50)))
    project = out / "project.yaml"
    project.write_text(
        f"""name: Report size benchmark ({n_frames:,} rows)
task: classification
dataset:
  ground_truth: gt.csv
  frames: frames.csv
inference_sets:
  - {{name: model-a, path: model-a.csv}}
  - {{name: model-b, path: model-b.csv}}
segments:
  - {{name: test, type: split, query: 'split == "test"', targets: {{precision: 0.6, recall: 0.5}}}}
  - {{name: Rain, type: regression_test, query: 'weather == "rain"', metric_class: class-1, targets: {{recall: 0.5}}}}
  - {{name: Picked, type: scenario, frames: [{picked}]}}
""",
        encoding="utf-8",
    )
    return project


def timed_build(project: Path, html: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one ``reportgen build`` process."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "reportgen", "build", str(project), "-o", str(html), "-q"], env=env,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"reportgen build failed (exit {os.waitstatus_to_exitcode(status)})")
    return wall, usage.ru_maxrss / 1024


def payload_sizes(html: Path) -> dict[str, int]:
    """Bytes of each top-level payload entry (and of each blob, as ``blobs.<name>``) as embedded in the HTML."""
    text = html.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', text, re.S)
    if not found:
        return {}
    payload = json.loads(found.group(1))
    sizes: dict[str, int] = {}
    for key, value in payload.items():
        if key == "blobs":
            for name, entry in value.items():
                sizes[f"blobs.{name}"] = len(entry["data"])
        else:
            sizes[key] = len(json.dumps(value, separators=(",", ":")))
    sizes["(html outside the data)"] = len(text.encode("utf-8")) - len(found.group(1).encode("utf-8"))
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="20000,200000", help="comma list of row counts (frames)")
    parser.add_argument("--out", type=Path, default=HERE / "_data" / "report_size")
    parser.add_argument("--repeat", type=int, default=1, help="builds per size (peak RSS: the largest)")
    parser.add_argument("--keys", action="store_true", help="print the payload's entries by size")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: list[tuple[int, float, float, float]] = []
    per_key: dict[int, dict[str, int]] = {}
    for n in sizes:
        folder = args.out.resolve() / f"rows_{n}"
        project = folder / "project.yaml"
        if not project.exists():
            generate(folder, n)
        html = folder / "report.html"
        runs = [timed_build(project, html) for _ in range(args.repeat)]
        size_mb = html.stat().st_size / 1e6
        wall = statistics.median(w for w, _ in runs)
        rss = max(r for _, r in runs)
        rows.append((n, size_mb, wall, rss))
        per_key[n] = payload_sizes(html)
        print(f"{n:>9,} rows: HTML {size_mb:6.2f} MB   build {wall:6.1f} s   peak RSS {rss:7.0f} MB", flush=True)
    if len(rows) >= 2:
        (n0, s0, w0, r0), (n1, s1, w1, r1) = rows[0], rows[-1]
        print(f"ratio {n1:,} / {n0:,}: HTML {s1 / s0:.2f}x [target <= {TARGETS['html']}x]   "
              f"peak RSS {r1 / r0:.2f}x [target <= {TARGETS['rss']}x]   build time {w1 / w0:.2f}x")  # fmt: skip
    if args.keys:
        names = sorted({k for v in per_key.values() for k in v}, key=lambda k: -per_key[sizes[-1]].get(k, 0))
        print("payload entry".ljust(34) + "".join(f"{n:>14,}" for n in sizes))
        for name in names:
            print(name.ljust(34) + "".join(f"{per_key[n].get(name, 0):>14,}" for n in sizes))


if __name__ == "__main__":
    main()
