#!/usr/bin/env python
"""Start-up and small-run speed: ``reportgen --help`` and ``reportgen evaluate`` (no ``--json``) on ~100k predictions
(1,000 images, 80 classes) against faster-coco-eval's whole run (import, load, evaluate, accumulate, summarize) on the
same files, each a fresh process, alternating, in one run of this script. Prints each run, the medians and the
ratio reportgen / faster-coco-eval (the target is <= 0.5).

Usage: python benchmarks/bench_startup.py [--data benchmarks/_data/startup] [--repeat 5] [--reportgen PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=HERE / "_data" / "startup")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--reportgen", default=shutil.which("reportgen") or str(Path(sys.executable).parent / "reportgen"))
    args = ap.parse_args()
    data = args.data.resolve()
    gt, preds = data / "gt.json", data / "preds.json"
    if not preds.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--images", "1000", "--models", "1", "--out",
                        str(data)], check=True)  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    commands = {
        "reportgen --help": [args.reportgen, "--help"],
        "reportgen evaluate": [args.reportgen, "evaluate", "--gt", str(gt), "--pred", str(preds), "-q"],
        "faster-coco-eval": [sys.executable, str(HERE / "bench_evaluate.py"), "_child", "faster", str(gt), str(preds)],
    }
    for cmd in commands.values():  # warm the page cache and numba's on-disk cache once
        timed(cmd, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, cmd in commands.items():
            times[name].append(timed(cmd, env))
    n_preds = preds.read_bytes().count(b'"score"')
    print(f"data: {data} ({n_preds:,} predictions); {args.repeat} runs each, alternating; {os.cpu_count()} CPUs")
    for name, values in times.items():
        runs = ", ".join(f"{v:.2f}" for v in values)
        print(f"{name:>20}: median {statistics.median(values):.3f} s  (runs {runs})")
    ratio = statistics.median(times["reportgen evaluate"]) / statistics.median(times["faster-coco-eval"])
    print(f"reportgen evaluate / faster-coco-eval whole run: {ratio:.3f} (target <= 0.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
