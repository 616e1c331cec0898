#!/usr/bin/env python
"""Benchmark COCO bbox evaluation: pycocotools vs faster-coco-eval vs ``reportgen evaluate``.

Every run of every tool is its own child process, started with the same environment
(OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed, see README), and the tools alternate
(pycocotools, faster, reportgen, pycocotools, ...).  For each run the parent measures

* wall time from spawning the child to reaping it (interpreter start, imports, JSON
  loading, evaluation, summary: everything a user waits for), and
* the child's peak resident set size, ``ru_maxrss`` from ``os.wait4``.

It then checks that the tools agree on the 12 COCO summary numbers: the printed
3-decimal lines, and the full-precision values (pycocotools/faster children print
``stats.tolist()`` on a marked line; reportgen's come from its ``--json`` file, under
``coco_summary.stats`` or a similar key, when present).

Usage:
    python benchmarks/bench_evaluate.py [--data benchmarks/_data] [--repeat 3]
                                        [--only pycocotools,faster,reportgen]

If ``--data`` lacks gt.json / the predictions, ``benchmarks/generate.py`` is run first.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TOOLS = ("pycocotools", "faster", "reportgen")
LABELS = {"pycocotools": "pycocotools", "faster": "faster-coco-eval", "reportgen": "reportgen"}
SCRUBBED_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
STATS_MARK = "@@BENCH_STATS@@"
PHASES_MARK = "@@BENCH_PHASES@@"

# The 12 COCO bbox summary entries, in pycocotools' order: (AP or AR, IoU, area, maxDets).
STAT_KEYS = [
    ("AP", "0.50:0.95", "all", 100), ("AP", "0.50", "all", 100), ("AP", "0.75", "all", 100),
    ("AP", "0.50:0.95", "small", 100), ("AP", "0.50:0.95", "medium", 100),
    ("AP", "0.50:0.95", "large", 100), ("AR", "0.50:0.95", "all", 1), ("AR", "0.50:0.95", "all", 10),
    ("AR", "0.50:0.95", "all", 100), ("AR", "0.50:0.95", "small", 100),
    ("AR", "0.50:0.95", "medium", 100), ("AR", "0.50:0.95", "large", 100),
]  # fmt: skip
STAT_NAMES = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"]
SUMMARY_RE = re.compile(
    r"Average (?:Precision|Recall)\s+\((AP|AR)\)\s+@\[\s*IoU=([0-9.:]+)\s*\|\s*area=\s*(\w+)\s*\|"
    r"\s*maxDets=\s*(\d+)\s*[^\]]*\]\s*=\s*(-?[0-9.]+)"
)


# --------------------------------------------------------------------------------------
# child side: run one library in-process (invoked as `bench_evaluate.py _child TOOL GT DT`)
# --------------------------------------------------------------------------------------
def child_main(tool: str, gt_path: str, dt_path: str) -> int:
    phases: dict[str, float] = {}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        phases[name] = round(now - t, 4)
        t = now

    if tool == "pycocotools":
        from pycocotools.coco import COCO
        from pycocotools.cocoeval import COCOeval

        lap("import")
        gt = COCO(gt_path)
        lap("load_gt")
        dt = gt.loadRes(dt_path)
        lap("load_dt")
        ev = COCOeval(gt, dt, iouType="bbox")
    elif tool == "faster":
        from faster_coco_eval import COCO, COCOeval_faster

        lap("import")
        gt = COCO(gt_path)
        lap("load_gt")
        dt = gt.loadRes(dt_path)
        lap("load_dt")
        # print_function=print: make it print the summary lines like pycocotools does
        ev = COCOeval_faster(gt, dt, iouType="bbox", print_function=print)
    else:
        raise SystemExit(f"unknown child tool {tool!r}")
    ev.evaluate()
    lap("evaluate")
    ev.accumulate()
    lap("accumulate")
    ev.summarize()
    lap("summarize")
    stats = [float(v) for v in list(ev.stats)[:12]]
    print(STATS_MARK + " " + json.dumps(stats), flush=True)
    print(PHASES_MARK + " " + json.dumps(phases), flush=True)
    return 0


# --------------------------------------------------------------------------------------
# parent side
# --------------------------------------------------------------------------------------
@dataclass
class Run:
    tool: str
    index: int
    seconds: float
    cpu_seconds: float
    others_cores: float
    maxrss_mb: float
    tree_rss_mb: float  # sampled peak of the summed RSS of the child and its descendants
    returncode: int
    stdout: Path
    stderr: Path
    printed: list[float | None] = field(default_factory=list)
    full: list[float] | None = None
    phases: dict | None = None
    note: str = ""


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    for k in SCRUBBED_ENV:
        env.pop(k, None)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def proc_tree_rss_kb(root: int) -> int:
    """Summed VmRSS (kB) of `root` and all its descendants (best effort, Linux /proc)."""
    total, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return total


def cpu_busy_seconds() -> float:
    """Busy CPU seconds of the whole machine since boot (all cores), from /proc/stat; nan if unknown."""
    try:
        with open("/proc/stat") as f:
            parts = f.readline().split()
        ticks = [int(v) for v in parts[1:9]]  # user nice system idle iowait irq softirq steal
    except (OSError, ValueError):
        return float("nan")
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def wait_for_idle(max_wait: float, threshold: float = 0.25) -> float:
    """Wait (at most max_wait s) until the machine uses < threshold cores over 2 s; return seconds waited."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < max_wait:
        b0, w0 = cpu_busy_seconds(), time.perf_counter()
        time.sleep(2.0)
        busy = (cpu_busy_seconds() - b0) / (time.perf_counter() - w0)
        if not busy >= threshold:  # also stops waiting when /proc/stat is unreadable (nan)
            break
    return time.perf_counter() - t0


@dataclass
class Measured:
    seconds: float
    cpu_seconds: float  # child's user + system CPU time (rusage of os.wait4)
    returncode: int
    maxrss_kb: int
    tree_peak_kb: int
    others_cores: float  # mean number of cores busy with other processes during the run
    timed_out: bool


def run_measured(cmd: list[str], env: dict[str, str], out: Path, err: Path, timeout: float) -> Measured:
    """Spawn `cmd` with stdout/stderr to files and reap it with os.wait4 (rusage of that child)."""
    with open(out, "wb") as fo, open(err, "wb") as fe:
        busy0 = cpu_busy_seconds()
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL, env=env, cwd=REPO)
        peak = [0]
        done = threading.Event()
        timed_out = [False]

        def sampler() -> None:
            while not done.wait(0.2):
                peak[0] = max(peak[0], proc_tree_rss_kb(proc.pid))
                if time.perf_counter() - t0 > timeout and not timed_out[0]:
                    timed_out[0] = True
                    proc.kill()

        th = threading.Thread(target=sampler, daemon=True)
        th.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        busy = cpu_busy_seconds() - busy0
        done.set()
        th.join()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: tell Popen
    cpu = usage.ru_utime + usage.ru_stime
    others = max(0.0, (busy - cpu) / seconds) if seconds > 0 else float("nan")
    return Measured(seconds, cpu, proc.returncode, usage.ru_maxrss, peak[0], others, timed_out[0])


def parse_printed(text: str) -> list[float | None]:
    found: dict[tuple, float] = {}
    for m in SUMMARY_RE.finditer(text):
        key = (m.group(1), m.group(2), m.group(3), int(m.group(4)))
        found.setdefault(key, float(m.group(5)))
    return [found.get(k) for k in STAT_KEYS]


def parse_marked(text: str, mark: str):
    for line in text.splitlines():
        if line.startswith(mark):
            return json.loads(line[len(mark) :])
    return None


def _as_stats(v: object) -> list[float] | None:
    """12 stats from a list (pycocotools order) or a dict keyed AP, AP50, ..., ARl; else None."""
    if isinstance(v, dict) and all(k in v for k in STAT_NAMES):
        v = [v[k] for k in STAT_NAMES]
    if isinstance(v, list) and len(v) >= 12 and all(isinstance(x, (int, float)) or x is None for x in v[:12]):
        return [float("nan") if x is None else float(x) for x in v[:12]]
    return None


def stats_from_report_json(path: Path, pred_path: Path) -> tuple[list[float] | None, str]:
    """Full-precision stats from reportgen's --json output; (None, why) if not found.

    Looks for `coco_summary.stats`, `coco.stats`, `summary.stats` or `stats` at the top, else for
    any key named "stats" (a list of 12, or a dict AP..ARl) under a key mentioning "coco",
    preferring an entry whose "path" is the predictions file.
    """
    if not path.is_file():
        return None, "no --json output file"
    try:
        doc = json.loads(path.read_bytes())
    except ValueError as e:
        return None, f"--json output is not JSON ({e})"
    for keys in (("coco_summary", "stats"), ("coco", "stats"), ("summary", "stats"), ("stats",)):
        v = doc
        for k in keys:
            v = v.get(k) if isinstance(v, dict) else None
        stats = _as_stats(v)
        if stats:
            return stats, ".".join(keys)
    hits: list[tuple[int, str, list[float]]] = []

    def walk(node: object, where: str, mine: bool) -> None:
        if isinstance(node, dict):
            mine = mine or str(node.get("path", "")) in (str(pred_path), pred_path.name)
            for k, v in node.items():
                stats = _as_stats(v) if k == "stats" else None
                if stats:
                    here = f"{where}.{k}".lstrip(".")
                    hits.append(((not mine) + 2 * ("coco" not in here.lower()), here, stats))
                else:
                    walk(v, f"{where}.{k}", mine)
        elif isinstance(node, list) and len(node) < 1000:
            for i, v in enumerate(node):
                walk(v, f"{where}[{i}]", mine)

    walk(doc, "", False)
    if hits:
        _, where, stats = min(hits, key=lambda h: h[0])
        return stats, where
    return None, "no coco_summary.stats-like key in --json output"


def resolve_reportgen(override: str | None, env: dict[str, str]) -> tuple[list[str] | None, str]:
    """Find a working way to run the reportgen CLI; (None, reason) if there is none."""
    import importlib.util
    import shutil

    candidates: list[list[str]] = []
    if override:
        candidates.append(shlex.split(override))
    else:
        sys.path.insert(0, str(REPO))
        try:
            if importlib.util.find_spec("reportgen") is not None:
                if importlib.util.find_spec("reportgen.__main__") is not None:
                    candidates.append([sys.executable, "-m", "reportgen"])
                if importlib.util.find_spec("reportgen.cli") is not None:
                    candidates.append([
                        sys.executable, "-c",
                        "import sys; sys.argv[0] = 'reportgen'; from reportgen.cli import main; sys.exit(main())",
                    ])  # fmt: skip
        except (ImportError, ValueError):
            pass
        finally:
            sys.path.pop(0)
        script = shutil.which("reportgen")
        if script:
            candidates.append([script])
    reasons = []
    for cmd in candidates:
        try:
            r = subprocess.run(
                [*cmd, "evaluate", "--help"], capture_output=True, text=True, env=env, cwd=REPO, timeout=300
            )
        except (OSError, subprocess.TimeoutExpired) as e:
            reasons.append(f"{shlex.join(cmd)}: {e}")
            continue
        if r.returncode == 0:
            return cmd, ""
        tail = (r.stderr or r.stdout).strip().splitlines()[-1:] or ["(no output)"]
        reasons.append(f"`{shlex.join(cmd[:3])} evaluate --help` exit {r.returncode}: {tail[0]}")
    if not candidates:
        return None, "no reportgen package (reportgen/__main__.py or reportgen.cli:main) and no `reportgen` script"
    return None, "; ".join(reasons)


def ensure_data(data: Path, pred: str, images: int | None) -> None:
    gt = data / "gt.json"
    if gt.is_file() and (data / pred).is_file():
        return
    cmd = [sys.executable, str(HERE / "generate.py"), "--out", str(data)]
    if images:
        cmd += ["--images", str(images)]
    print(f"[bench] {data} lacks gt.json or {pred}: generating: {shlex.join(cmd)}", flush=True)
    subprocess.run(cmd, check=True, env=child_env())
    if not (data / pred).is_file():
        raise SystemExit(f"[bench] {data / pred} still missing after generation")


def fmt_ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0 or math.isnan(a) or math.isnan(b):
        return "n/a"
    return f"{a / b:.3f}x"


def max_abs_diff(a: list | None, b: list | None) -> float | None:
    if not a or not b:
        return None
    diffs = [abs(x - y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    if len(diffs) < 12:
        return None
    return max(diffs)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_child"]:
        return child_main(*argv[1:4])

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=HERE / "_data", help="folder with gt.json and predictions")
    ap.add_argument("--pred", default="preds.json", help="predictions file inside --data (default preds.json)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per tool (default 3)")
    ap.add_argument("--only", default=",".join(TOOLS), help="comma list of: " + ", ".join(TOOLS))
    ap.add_argument("--reportgen-cmd", help="command prefix for reportgen (default: python -m reportgen)")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds before a run is killed")
    ap.add_argument(
        "--idle-wait",
        type=float,
        default=0.0,
        help="before each run, wait up to this many seconds for other processes to use < 0.25 cores",
    )
    ap.add_argument("--images", type=int, help="--images for the generator if data must be generated")
    ap.add_argument("--results", type=Path, help="write all measurements as JSON here")
    args = ap.parse_args(argv)

    tools = [t.strip() for t in args.only.split(",") if t.strip()]
    bad = [t for t in tools if t not in TOOLS]
    if bad or not tools:
        ap.error(f"--only: unknown tool(s) {bad}; choose from {', '.join(TOOLS)}")
    if args.repeat < 1:
        ap.error("--repeat must be >= 1")

    data = args.data.resolve()
    ensure_data(data, args.pred, args.images)
    gt_path, dt_path = data / "gt.json", data / args.pred
    logs = data / "_bench_logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = child_env()

    commands: dict[str, list[str]] = {}
    skipped: dict[str, str] = {}
    for tool in tools:
        if tool == "reportgen":
            base, why = resolve_reportgen(args.reportgen_cmd, env)
            if base is None:
                skipped[tool] = why
                continue
            commands[tool] = [*base, "evaluate", "--gt", str(gt_path), "--pred", str(dt_path), "--json"]
        else:
            commands[tool] = [sys.executable, str(Path(__file__).resolve()), "_child", tool, str(gt_path),
                              str(dt_path)]  # fmt: skip

    # put the input files in the page cache so that no tool pays for the first disk read
    for p in (gt_path, dt_path):
        with open(p, "rb") as f:
            while f.read(1 << 24):
                pass

    meta = {}
    meta_path = data / "meta.json"
    if meta_path.is_file():
        meta = json.loads(meta_path.read_text())
    info = meta.get("models", {}).get(args.pred, {})
    print(
        f"[bench] data {data}: {meta.get('images', '?')} images, {meta.get('gt', '?')} GT, "
        f"{info.get('predictions', '?')} predictions in {args.pred}",
        flush=True,
    )
    print(
        f"[bench] python {platform.python_version()}, {os.cpu_count()} CPUs, unset in children: "
        + ", ".join(f"{k}(was {os.environ[k]!r})" if k in os.environ else f"{k}(not set)" for k in SCRUBBED_ENV),
        flush=True,
    )
    for tool, why in skipped.items():
        print(f"[bench] {LABELS[tool]}: not available, skipped ({why})", flush=True)
    for tool, cmd in commands.items():
        shown = [*cmd, "OUT.json"] if tool == "reportgen" else cmd
        print(f"[bench] {LABELS[tool]}: {shlex.join(shown)}", flush=True)

    runs: dict[str, list[Run]] = {t: [] for t in commands}
    for i in range(args.repeat):
        for tool, cmd in commands.items():
            out, err = logs / f"{tool}_{i}.out", logs / f"{tool}_{i}.err"
            json_out = logs / f"{tool}_{i}.json"
            if tool == "reportgen":
                json_out.unlink(missing_ok=True)
                cmd = [*cmd, str(json_out)]
            if args.idle_wait > 0:
                waited = wait_for_idle(args.idle_wait)
                if waited > 3:
                    print(f"[bench] waited {waited:.0f} s for other processes to go quiet", flush=True)
            m = run_measured(cmd, env, out, err, args.timeout)
            secs, rc = m.seconds, m.returncode
            run = Run(tool, i, secs, m.cpu_seconds, m.others_cores, m.maxrss_kb / 1024, m.tree_peak_kb / 1024,
                      rc, out, err)  # fmt: skip
            text = out.read_text(errors="replace")
            run.printed = parse_printed(text)
            if tool == "reportgen":
                run.full, run.note = stats_from_report_json(json_out, dt_path)
            else:
                run.full = parse_marked(text, STATS_MARK)
                run.phases = parse_marked(text, PHASES_MARK)
            status = "ok" if rc == 0 else ("TIMEOUT" if m.timed_out else f"FAILED exit {rc}")
            print(
                f"[bench] run {i + 1}/{args.repeat} {LABELS[tool]:<17} {secs:8.2f} s wall {m.cpu_seconds:8.2f} s CPU  "
                f"peak RSS {run.maxrss_mb:8.1f} MB  others {m.others_cores:.2f} cores  {status}"
                + (f"  phases {run.phases}" if run.phases else ""),
                flush=True,
            )
            if rc != 0:
                tail = err.read_text(errors="replace").strip().splitlines()[-5:]
                for line in tail:
                    print(f"[bench]     {line}", flush=True)
            runs[tool].append(run)

    # ---- timing / memory table ---------------------------------------------------------
    summary: dict[str, dict] = {}
    print()
    print(
        "| tool | median wall s | runs wall (s) | median CPU s | peak RSS MB (max) | "
        "other load (cores, per run) | failed runs |"
    )
    print("|---|---:|---|---:|---:|---|---:|")
    for tool, rs in runs.items():
        ok = [r for r in rs if r.returncode == 0]
        med = statistics.median(r.seconds for r in ok) if ok else None
        cpu = statistics.median(r.cpu_seconds for r in ok) if ok else None
        rss = max(r.maxrss_mb for r in ok) if ok else None
        tree = max(r.tree_rss_mb for r in ok) if ok else None
        summary[tool] = {
            "median_s": med,
            "runs_s": [round(r.seconds, 3) for r in rs],
            "median_cpu_s": cpu,
            "runs_cpu_s": [round(r.cpu_seconds, 3) for r in rs],
            "peak_rss_mb": rss,
            "sampled_tree_rss_mb": tree,
            "others_cores": [round(r.others_cores, 3) for r in rs],
            "failed": len(rs) - len(ok),
        }
        print(
            f"| {LABELS[tool]} | {'n/a' if med is None else f'{med:.2f}'} | "
            f"{', '.join(f'{r.seconds:.2f}' for r in rs)} | {'n/a' if cpu is None else f'{cpu:.2f}'} | "
            f"{'n/a' if rss is None else f'{rss:.0f}'} | {', '.join(f'{r.others_cores:.2f}' for r in rs)} | "
            f"{len(rs) - len(ok)} |"
        )
    print()
    busy_runs = [r for rs in runs.values() for r in rs if r.others_cores > 0.25]
    if busy_runs:
        print(
            f"warning: other processes kept >0.25 cores busy during {len(busy_runs)} run(s): wall times are "
            "inflated there; compare CPU seconds, or rerun on a quiet machine (see --idle-wait)"
        )
    for tool, s in summary.items():
        if s["peak_rss_mb"] and s["sampled_tree_rss_mb"] and s["sampled_tree_rss_mb"] > 1.05 * s["peak_rss_mb"]:
            print(
                f"note: {LABELS[tool]} ran several processes: sampled peak of their summed RSS "
                f"{s['sampled_tree_rss_mb']:.0f} MB > ru_maxrss {s['peak_rss_mb']:.0f} MB"
            )
    med = {t: summary.get(t, {}).get("median_s") for t in TOOLS}
    cpu = {t: summary.get(t, {}).get("median_cpu_s") for t in TOOLS}
    rss = {t: summary.get(t, {}).get("peak_rss_mb") for t in TOOLS}
    for a, b in (("reportgen", "faster"), ("reportgen", "pycocotools"), ("faster", "pycocotools")):
        print(
            f"ratio {LABELS[a] + '/' + LABELS[b]:<30} wall {fmt_ratio(med[a], med[b]):>9}  "
            f"CPU {fmt_ratio(cpu[a], cpu[b]):>9}  peak RSS {fmt_ratio(rss[a], rss[b]):>9}"
        )

    # ---- agreement ----------------------------------------------------------------------
    print()
    first: dict[str, Run] = {}
    for tool, rs in runs.items():
        ok = [r for r in rs if r.returncode == 0]
        if ok:
            first[tool] = ok[0]
        vals = [r.full for r in ok if r.full]
        if len(vals) > 1 and any(max_abs_diff(vals[0], v) != 0.0 for v in vals[1:]):
            print(f"warning: {LABELS[tool]} gave different full-precision stats across runs")
    for tool in first:
        r = first[tool]
        if all(v is None for v in r.printed):
            print(f"{LABELS[tool]}: no summary lines printed on stdout")
        if r.full is None:
            print(f"{LABELS[tool]}: no full-precision stats" + (f" ({r.note})" if r.note else ""))
        elif r.note:
            print(f"{LABELS[tool]}: full-precision stats from --json key `{r.note}`")
    if first:
        print("stat    " + "".join(f"{LABELS[t]:>20}" for t in first))
        for k, name in enumerate(STAT_NAMES):
            cells = []
            for t in first:
                r = first[t]
                v = r.full[k] if r.full else r.printed[k]
                cells.append(f"{'-' if v is None else repr(round(v, 12)):>20}")
            print(f"{name:<8}" + "".join(cells))
    agreement = {}
    names = list(first)
    for a_i, a in enumerate(names):
        for b in names[a_i + 1 :]:
            dp = max_abs_diff(first[a].printed, first[b].printed)
            df = max_abs_diff(first[a].full, first[b].full)
            agreement[f"{a}-{b}"] = {"printed": dp, "full": df}
            print(
                f"max |diff| {LABELS[a]} vs {LABELS[b]}: printed (3 decimals) "
                f"{'n/a' if dp is None else f'{dp:.3g}'}, full precision {'n/a' if df is None else f'{df:.3g}'}"
            )

    if args.results:
        payload = {
            "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
            "argv": argv,
            "data": str(data),
            "pred": args.pred,
            "meta": meta,
            "skipped": skipped,
            "summary": summary,
            "agreement": agreement,
            "runs": [
                {"tool": r.tool, "index": r.index, "seconds": r.seconds, "cpu_seconds": r.cpu_seconds,
                 "others_cores": r.others_cores, "maxrss_mb": r.maxrss_mb,
                 "tree_rss_mb": r.tree_rss_mb, "returncode": r.returncode, "printed": r.printed,
                 "full": r.full, "phases": r.phases}
                for rs in runs.values() for r in rs
            ],
        }  # fmt: skip
        args.results.write_text(json.dumps(payload, indent=1))
        print(f"\n[bench] results written to {args.results}")

    failed = sum(s["failed"] for s in summary.values())
    return 1 if failed or not runs else 0


if __name__ == "__main__":
    sys.exit(main())
