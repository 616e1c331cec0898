"""First uses of the report page's controls at COCO scale, each on a freshly opened page.

For every case: open a fresh page (its own browser context) at a URL fragment, wait until it is interactive
(``<html data-ready="1">``), wait 0 ms ("immediately": the page is still decoding and preparing in the
background) or ~1 s, optionally make a set-up step (choosing B, then 0.5 s for the reader to reach the next
control), then make ONE real input (Playwright's mouse click or key
press, sent to the browser like a user's) and time it from the input event's ``timeStamp`` (when the browser
received the input: time spent waiting behind a running task counts) to the second animation frame after the
handler ran (script, style, layout and paint of the repaint). A select is changed with the keyboard (ArrowDown on
the focused, closed select) where that reaches the wanted value, else by ``select_option`` (a synthetic change
event: its wait behind a running task is not counted).

Also recorded per case: the longest main-thread task (Long Tasks API, >= 50 ms) that overlaps the measured span.

Usage (the report of ``bench_report.py``'s project, see benchmarks/README.md):

    python benchmarks/bench_first_use.py benchmarks/_data/report_bench/report.html --repeat 5 [--only TEXT]
        [--json OUT] [--trace CASE_SUBSTRING --trace-out trace.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling benchmark, also when loaded by a test
from bench_report import CHROMIUM_ARGS as ARGS

CHROMIUM = os.environ.get("REPORTGEN_CHROMIUM", "/usr/bin/chromium")

# armed by the driver just before the one input: the first keydown / click / change starts the clock, the second
# animation frame after that event's handlers stops it
INIT = """(() => {
  window.__fu = { armed: false, t0: null, t1: null, tp: null, kind: null, longTasks: [], events: [] };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__fu.longTasks.push([e.startTime, e.duration]);
  }).observe({ type: "longtask", buffered: true });
  // the browser's own timing of each input (Event Timing API, what INP is made of): from the event's timeStamp to
  // the presentation of the next frame after its handlers ran, in steps of 8 ms
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__fu.events.push([e.name, e.startTime, e.duration]);
  }).observe({ type: "event", durationThreshold: 16, buffered: true });
  const start = (e) => {
    const fu = window.__fu;
    if (!fu.armed || fu.t0 !== null) return;
    fu.t0 = e.timeStamp;
    fu.kind = e.type;
    requestAnimationFrame(() => {
      // a task posted in the frame's animation callbacks runs once that frame's style, layout and paint are done
      const channel = new MessageChannel();
      channel.port1.onmessage = () => { fu.tp = performance.now(); };
      channel.port2.postMessage(null);
      requestAnimationFrame(() => { fu.t1 = performance.now(); });
    });
  };
  for (const type of ["keydown", "click", "change"]) window.addEventListener(type, start, true);
})();"""


#: after a set-up step (choosing B), the reader moves to the next control: the timed input comes this much later
SETUP_PAUSE = 500
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
#: more trace categories, comma-separated (e.g. "blink,disabled-by-default-blink.debug" names what a style or layout
#: update was spent on)
TRACE_CATEGORIES = [c for c in os.environ.get("BENCH_TRACE_CATS", "").split(",") if c]
# wraps the page's main rendering functions to add up their time (a diagnosis aid: BENCH_PROFILE=1)
WRAP = """() => {
  window.__prof = {};
  const wrap = (obj, name, label) => {
    const f = obj[name];
    obj[name] = function (...args) {
      const t = performance.now();
      try {
        return f.apply(this, args);
      } finally {
        window.__prof[label] = (window.__prof[label] || 0) + performance.now() - t;
      }
    };
  };
  wrap(RG.app, "render", "app.render");
  wrap(RG.Metrics, "renderTop", "top");
  wrap(RG.Metrics, "renderMatrix", "matrix+examples");
  wrap(RG.Matrix, "render", "matrix");
  wrap(RG.Compare, "panel", "flips panel");
  wrap(RG.Compare, "flips", "flips()");
  wrap(RG.Compare, "examples", "compare examples");
  wrap(RG.Examples, "render", "examples");
  wrap(RG.ClassReport, "render", "class report");
  wrap(RG.Metrics, "build", "metrics frame");
  wrap(RG.app.controls, "sync", "controls");
  wrap(Element.prototype, "getBoundingClientRect", "forced layout");
  wrap(RG.PRCurve, "render", "pr curve");
  wrap(RG.Scenarios, "render", "scenarios");
  wrap(RG.Metrics, "prepare", "prepare");
  wrap(RG.app.data, "matrix", "data.matrix");
  wrap(RG.app.data, "sampleOutcomes", "sampleOutcomes");
}"""


@dataclass(frozen=True)
class Case:
    """One first use: open at `fragment`, wait `wait` ms, run `setup` (an action, or "") and wait SETUP_PAUSE ms,
    then time `action`.

    Actions: "click:SELECTOR", "key:SELECTOR:KEY" (focus, then press), "select:SELECTOR:VALUE".
    """

    name: str
    fragment: str
    action: str
    wait: int = 0
    setup: str = ""


def cases() -> list[Case]:
    base = [
        ("Metrics visit", "", "click:#tab-metrics", ""),
        ("Metrics visit, B in the link", "b=model-b", "click:#tab-metrics", ""),
        ("Metrics visit after choosing B", "", "click:#tab-metrics", "select:#model-b:1"),
        ("confidence step (Scenarios)", "", "key:#conf-a:ArrowRight", ""),
        ("IoU step (Scenarios)", "", "key:#iou-a:ArrowRight", ""),
        ("confidence step (Scenarios, B)", "b=model-c", "key:#conf-a:ArrowRight", ""),
        ("confidence step (Metrics)", "tab=metrics", "key:#conf-a:ArrowRight", ""),
        ("IoU step (Metrics)", "tab=metrics", "key:#iou-a:ArrowRight", ""),
        ("confidence step (Metrics, B)", "tab=metrics&b=model-b", "key:#conf-a:ArrowRight", ""),
        ("confidence step (Metrics, B − A)", "tab=metrics&b=model-b&mx=delta", "key:#conf-a:ArrowRight", ""),
        ("confidence step (Metrics, FN examples)", "tab=metrics&f=fn", "key:#conf-a:ArrowRight", ""),
        ("IoU step (Metrics, B − A, FN examples)", "tab=metrics&b=model-b&mx=delta&f=fn", "key:#iou-a:ArrowRight", ""),
        ("segment switch", "tab=metrics", "key:#seg-select:ArrowDown", ""),
        ("class switch", "tab=metrics", "key:#class-select:ArrowDown", ""),
        ("swap (Metrics, B − A)", "tab=metrics&b=model-b&mx=delta", "click:#swap", ""),
        ("swap (Scenarios)", "b=model-b", "click:#swap", ""),
        ("matrix A -> B − A", "tab=metrics&b=model-b", "click:#toggle-mx button[data-key=delta]", ""),
        ("matrix B − A -> A", "tab=metrics&b=model-b&mx=delta", "click:#toggle-mx button[data-key=a]", ""),
        ("choose B (Scenarios)", "", "select:#model-b:1", ""),
        ("choose B (Metrics)", "tab=metrics", "select:#model-b:1", ""),
    ]
    out = []
    for wait in (0, 1000):
        for name, fragment, action, setup in base:
            out.append(Case(f"{name} [{'immediately' if wait == 0 else 'after 1 s'}]", fragment, action, wait, setup))
    return out


def busy_cores(seconds: float) -> float:
    """Mean number of busy cores over `seconds` (from /proc/stat): the machine's load before a run."""

    def read() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields) - idle, sum(fields)

    b0, t0 = read()
    time.sleep(seconds)
    b1, t1 = read()
    return (b1 - b0) / max(1, t1 - t0) * (os.cpu_count() or 1)


def do(page: Any, action: str) -> None:
    kind, _, rest = action.partition(":")
    if kind == "click":
        page.click(rest)
    elif kind == "key":
        selector, _, key = rest.rpartition(":")
        page.focus(selector)
        page.evaluate("() => { window.__fu.armed = true; }")
        page.keyboard.press(key)
    elif kind == "select":
        selector, _, value = rest.rpartition(":")
        page.select_option(selector, value)
    else:
        raise ValueError(action)


def one(browser: Any, url: str, case: Case, trace: Path | None = None) -> dict[str, Any]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    page.add_init_script(INIT)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + ("#" + case.fragment if case.fragment else ""))
    page.wait_for_selector("html[data-ready='1']", state="attached", timeout=60_000)
    if case.wait:
        page.wait_for_timeout(case.wait)
    if case.setup:
        do(page, case.setup)
        page.wait_for_timeout(SETUP_PAUSE)
    if trace:
        categories = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "blink.user_timing"]
        categories += ["disabled-by-default-v8.cpu_profiler", *TRACE_CATEGORIES]
        browser.start_tracing(page=page, path=str(trace), screenshots=False, categories=categories)
    if PROFILE:
        page.evaluate(WRAP)
    kind = case.action.partition(":")[0]
    if kind != "key":
        page.evaluate("() => { window.__fu.armed = true; }")
    do(page, case.action)
    page.wait_for_function("() => window.__fu.t1 !== null", polling=10, timeout=30_000)
    if trace:
        page.wait_for_timeout(300)
        browser.stop_tracing()
    fu = page.evaluate(
        "() => ({t0: window.__fu.t0, t1: window.__fu.t1, tp: window.__fu.tp, kind: window.__fu.kind,"
        " lt: window.__fu.longTasks, ev: window.__fu.events, render: window.RG.lastRenderMs,"
        " prof: window.__prof || null})"
    )
    ctx.close()
    t0, t1 = fu["t0"], fu["t1"]
    overlapping = [d for s, d in fu["lt"] if s < t1 and s + d > t0 - 1]
    if errors:
        raise SystemExit(f"{case.name}: page error {errors}")
    if PROFILE:
        print(case.name, round(t1 - t0), {k: round(v, 1) for k, v in (fu["prof"] or {}).items()})
    # the Event Timing entry of the timed input (its start is the event's timeStamp); 0 when under 16 ms
    timing = [d for name, start, d in fu["ev"] if name == fu["kind"] and abs(start - t0) < 1]
    return {
        "ms": t1 - t0, "paint_ms": fu["tp"] - t0, "event_ms": max(timing or [0.0]), "event": fu["kind"],
        "longest_task": max(overlapping or [0.0]), "render": fu["render"],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="", help="the cases whose name contains this ('|' separates several)")
    parser.add_argument("--json", type=Path, help="write every measurement here")
    parser.add_argument("--trace", default="", help="record a Chrome trace of the first case whose name contains this")
    parser.add_argument("--trace-out", type=Path, default=Path("trace.json"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    url = args.report.resolve().as_uri()
    wanted = [c for c in cases() if not args.only or any(w in c.name for w in args.only.split("|"))]
    loadavg = Path("/proc/loadavg").read_text().split()[:3]
    print(f"load before: {busy_cores(2.0):.2f} busy cores of {os.cpu_count()}; loadavg {loadavg}")
    results: dict[str, list[dict[str, Any]]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        if args.trace:
            case = next(c for c in wanted if args.trace in c.name)
            r = one(browser, url, case, args.trace_out)
            print(f"trace of {case.name}: {r['ms']:.0f} ms -> {args.trace_out}")
            browser.close()
            return
        # the repetitions of a case are spread over the run (case 1..n, then again), so slow drifts hit all alike
        for _ in range(args.repeat):
            for case in wanted:
                results.setdefault(case.name, []).append(one(browser, url, case))
        browser.close()
    worst = worst_paint = 0.0
    print(f"{'first use':<58} {'2nd frame':>9} {'painted':>8} {'Event Timing':>12}  runs (2nd frame)")
    for name, runs in results.items():
        ms = [r["ms"] for r in runs]
        med = statistics.median(ms)
        paint = statistics.median(r["paint_ms"] for r in runs)
        worst = max(worst, med)
        worst_paint = max(worst_paint, paint)
        timing = statistics.median(r["event_ms"] for r in runs)
        task = statistics.median(r["longest_task"] for r in runs)
        print(
            f"{name:<58} {med:9.1f} {paint:8.1f} {timing if timing else '-':>12}  "
            f"{' '.join(f'{x:.0f}' for x in ms):<24} longest task {task:3.0f}"
        )
    print(
        f"worst median: {worst:.1f} ms to the second frame, {worst_paint:.1f} ms to the paint; "
        f"loadavg after {Path('/proc/loadavg').read_text().split()[:3]}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    sys.exit(0)


if __name__ == "__main__":
    main()
