"""Benchmark of ``reportgen build`` at COCO scale, and of the page it writes in headless Chromium.

Project: the generated COCO-scale data (benchmarks/generate.py: 5,000 frames, 80 classes, 3 inference sets),
a seeded frame table, and 6 segments (All Frames plus 5 more of every type), the full default preset grid
(14 IoU x 20 confidence presets).

Measured (medians of --repeat runs, each a separate process):
- build: wall time and peak RSS of ``reportgen build``, and the HTML size;
- open: time from navigation to ``<html data-ready="1">`` (blobs decoded, default view drawn) in Chromium;
- repaint: time of each control switch (confidence / IoU slider step, segment, class, matrix toggle, tab),
  measured in the page from the input event to the end of the next animation frame; the first steps come right
  after the page is ready (first uses: the examples are still being decoded, B was just chosen);
- background: the longest main-thread task in the 2.5 s after the page is ready and after B is chosen, without
  input (what a first slider step or click could wait on).

Budgets (issue 4): HTML <= 10 MB, build <= 60 s, open <= 1.5 s, every repaint <= 100 ms.

Usage: python benchmarks/bench_report.py [--data benchmarks/_data] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def write_project(data: Path, out: Path) -> Path:
    """A project over the generated data: frame metadata and 6 segments of every type."""
    import numpy as np

    out.mkdir(parents=True, exist_ok=True)
    gt = json.loads((data / "gt.json").read_text())
    rng = np.random.default_rng(7)
    with (out / "frames.csv").open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["frame_id", "split", "weather", "source"])
        for image in gt["images"]:
            writer.writerow([
                image["id"],
                rng.choice(["train", "val", "test"], p=[0.6, 0.2, 0.2]),
                rng.choice(["clear", "rain", "fog", "night"]),
                rng.choice(["X", "Y"]),
            ])  # fmt: skip
    project = out / "project.yaml"
    project.write_text(
        f"""name: COCO-scale benchmark
dataset:
  ground_truth: {data / "gt.json"}
  frames: frames.csv
inference_sets:
  - {{name: model-a, path: {data / "preds.json"}}}
  - {{name: model-b, path: {data / "preds_b.json"}}}
  - {{name: model-c, path: {data / "preds_c.json"}}}
segments:
  - {{name: test, type: split, query: 'split == "test"', targets: {{precision: 0.6, recall: 0.5}}}}
  - {{name: val, type: split, query: 'split == "val"'}}
  - {{name: Rain, type: regression_test, query: 'weather == "rain"', targets: {{recall: 0.5}}}}
  - {{name: Fog, type: regression_test, query: 'weather == "fog"', targets: {{f1: 0.5}}}}
  - {{name: Provider X, type: scenario, query: 'source == "X"'}}
""",
        encoding="utf-8",
    )
    return project


def timed_build(project: Path, html: Path, data: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one ``reportgen build`` process (``data``: the generated inputs' folder,
    outside the project's, allowed with --allow-path)."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "reportgen", "build", str(project), "-o", str(html), "-q", "--allow-path", str(data)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"reportgen build failed (exit {os.waitstatus_to_exitcode(status)})")
    return wall, usage.ru_maxrss / 1024


REPAINT_JS = """
async ([selector, kind, value]) => {
  const el = document.querySelector(selector);
  if (!el) return null;
  const t0 = performance.now();
  if (kind === "click") el.click();
  else { el.value = value; el.dispatchEvent(new Event(kind, {bubbles: true})); }
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0;
}
"""


LONG_TASKS_INIT = """window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });"""


def background_tasks(html: Path, repeat: int) -> dict[str, list[float]]:
    """The longest main-thread task (Long Tasks API, >= 50 ms; 0 when none) in the 2.5 s after the page is ready
    and in the 2.5 s after B is chosen, with no input meanwhile: what a first slider step or click could wait
    on behind the page's background work (decoding the examples and the comparison data, preparing a tab)."""
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {"after ready": [], "after choosing B": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for _ in range(repeat):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.add_init_script(LONG_TASKS_INIT)
            page.goto(html.as_uri())
            page.wait_for_function("document.documentElement.dataset.ready === '1'", timeout=60_000)
            start = page.evaluate("RG.readyAt")
            page.wait_for_timeout(2500)
            tasks = page.evaluate("window.__longTasks")
            out["after ready"].append(max([d for t, d in tasks if t >= start] or [0.0]))
            # the choice's own repaint is measured as a repaint; what starts after it is background work
            start = page.evaluate(REPAINT_JS.replace("return performance.now() - t0;", "return performance.now();"),
                                  ["#model-b", "change", "1"])  # fmt: skip
            page.wait_for_timeout(2500)
            tasks = page.evaluate("window.__longTasks")
            out["after choosing B"].append(max([d for t, d in tasks if t >= start] or [0.0]))
            page.close()
        browser.close()
    return out


def browser_timings(html: Path, repeat: int) -> tuple[list[float], dict[str, list[float]]]:
    from playwright.sync_api import sync_playwright

    opens: list[float] = []
    repaint: dict[str, list[float]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for _ in range(repeat):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            start = time.perf_counter()
            page.goto(html.as_uri())
            page.wait_for_function("document.documentElement.dataset.ready === '1'", timeout=60_000)
            opens.append(time.perf_counter() - start)
            steps = [
                ("confidence step", "#conf-a", "input", "5"),
                ("IoU step", "#iou-a", "input", "2"),
                ("B selection", "#model-b", "change", "1"),
                ("confidence step (A+B)", "#conf-a", "input", "9"),
                ("Metrics tab", "#tab-metrics", "click", None),
                ("confidence step (Metrics)", "#conf-a", "input", "3"),
                ("IoU step (Metrics)", "#iou-a", "input", "5"),
                ("segment", "#seg-select", "change", "2"),
                ("class", "#class-select", "change", "3"),
                ("class: all", "#class-select", "change", "-1"),
                ("Scenarios tab", "#tab-scenarios", "click", None),
            ]
            for name, selector, kind, value in steps:
                ms = page.evaluate(REPAINT_JS, [selector, kind, value])
                if ms is not None:
                    repaint.setdefault(name, []).append(float(ms))
            page.close()
        browser.close()
    return opens, repaint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=HERE / "_data")
    parser.add_argument("--out", type=Path, default=HERE / "_data" / "report_bench")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    # the project file written into --out names the data by absolute path, so relative arguments work from any cwd
    args.data, args.out = args.data.resolve(), args.out.resolve()
    if not (args.data / "preds_c.json").exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--out", str(args.data)], check=True)
    project = write_project(args.data, args.out)
    html = args.out / "report.html"
    builds = [timed_build(project, html, args.data) for _ in range(args.repeat)]
    size_mb = html.stat().st_size / 1e6
    opens, repaint = browser_timings(html, args.repeat)
    walls = [w for w, _ in builds]
    print(f"project: {project}")
    print(
        f"build:   median {statistics.median(walls):.1f} s (runs {', '.join(f'{w:.1f}' for w in walls)}), "
        f"peak RSS {max(r for _, r in builds):.0f} MB   [budget 60 s]"
    )
    print(f"size:    {size_mb:.2f} MB   [budget 10 MB]")
    print(
        f"open:    median {statistics.median(opens):.2f} s (runs {', '.join(f'{o:.2f}' for o in opens)})"
        "   [budget 1.5 s]"
    )
    for name, values in repaint.items():
        print(
            f"repaint: {name:<24} median {statistics.median(values):6.1f} ms (max {max(values):.1f})   [budget 100 ms]"
        )
    for name, values in background_tasks(html, args.repeat).items():
        print(
            f"longest background task {name:<17} median {statistics.median(values):6.1f} ms "
            f"(runs {', '.join(f'{v:.0f}' for v in values)})"
        )


if __name__ == "__main__":
    main()
