"""The report page in Chromium: every control, against the embedded data decoded in Python and the engine.

Each test opens the generated file from disk (file://) through ``open_page`` (tests/browser/conftest.py),
which fails the test on any request other than the file itself and data: URLs, on console or page errors,
and on dialogs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from reportgen.engine.verdicts import succeeds
from reportgen.report.render import score_text, seq_colour, threshold_text
from tests.test_render import HOSTILE, Report, display_text

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Any]

METRICS = ("precision", "recall", "f1")
EX_PAGE = 24  # examples shown before "show all" (static/js/examples.js)
PAIR_ROWS = 50  # confusion-table rows before "show all" (static/js/matrix.js)
CLASS_ROWS = 30  # class-report rows before "show all" in many-class mode (static/js/classreport.js)
PAYLOAD_KEYS = {"precision": "precision", "recall": "recall", "f1": "f1_score"}


# ------------------------------------------------------------------------------------------------ expectations
def expected_card(rep: Report, m: int, s: int, u: int, t: int, tried: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a card shows for inference set m: [text, verdict] per metric and the three counts."""
    cards = rep.blob("cards")
    counts = rep.blob("card_counts")
    seg = rep.payload["segments"][s]
    metrics = []
    for k, metric in enumerate(METRICS):
        raw = float(cards[m, s, u, t, k])
        score = None if math.isnan(raw) else raw
        target = seg["targets"][metric]
        if tried is not None and metric in tried:
            target = None if tried[metric] is None else {"threshold": tried[metric]}
        if tried is not None and metric in tried:  # a typed-in target: the page judges it by the one rule
            thr = tried[metric]
            verdict = {None: "none", True: "pass", False: "fail"}[succeeds(score, thr, target is not None)]
        else:  # the report model's threshold and verdict (tested equal to the engine's in test_render.py)
            raw_thr = float(rep.blob("thresholds")[m, s, u, t, k])
            thr = None if math.isnan(raw_thr) else raw_thr
            verdict = {1: "pass", 0: "fail", -1: "none"}[int(rep.blob("verdicts")[m, s, u, t, k])]
        metrics.append([score_text(score, thr), verdict])
    return {"m": metrics, "c": [f"{int(x):,}" for x in counts[m, s, u, t]]}


def expected_report(rep: Report, m: int, s: int, u: int, t: int) -> dict[str, Any]:
    """Class report rows {class: {key: text}} and the averages of inference set m."""
    p = rep.payload
    c = len(p["classes"])
    mat = rep.matrix(m, s, u, t)
    scores = rep.blob("class_scores")[m, s, u, t]
    rows = {}
    for i in range(c):
        rows[str(i)] = {
            "pa": display_text(int(scores[i, 0])),
            "ra": display_text(int(scores[i, 1])),
            "fa": display_text(int(scores[i, 2])),
            "sup": f"{int(mat[i].sum()):,}",
            "tpa": f"{int(mat[i, i]):,}",
            "fpa": f"{int(mat[c, i]):,}",
            "fna": f"{int(mat[i, c]):,}",
        }
    avg = rep.blob("averages")[m, s, u, t]
    averages = [[display_text(int(v)) for v in avg[a]] for a in range(3)]
    return {"rows": rows, "avg": averages}


def expected_op(rep: Report, m: int, s: int, u: int, t: int, k: int) -> list[int] | None:
    """The operating point (precision, recall display integers) at confidence preset t, class k (C = all)."""
    p = rep.payload
    conf = p["grids"]["confidence"][t]
    grid = p["grids"]["curve"]
    hits = [i for i, v in enumerate(grid) if abs(v - conf) < 1e-9]
    c = len(p["classes"])
    if hits:
        pt = rep.blob("curves")[m, s, u, k, hits[0]]
        pr, rc = int(pt[0]), int(pt[1])
    else:
        sc = rep.blob("averages")[m, s, u, t, 0] if k == c else rep.blob("class_scores")[m, s, u, t, k]
        pr, rc = int(sc[0]), int(sc[1])
    if 65535 in (pr, rc):
        return None
    return [pr, rc]


def expected_examples(
    rep: Report, cells: list[tuple[int, int]], m: int, s: int, u: int, t: int, *, ascending: bool = False
) -> list[tuple[str, str]]:
    """(frame id, confidence text) of the listed examples, sorted by confidence (undefined last)."""
    p = rep.payload
    ex = rep.examples()
    c = len(p["classes"])
    lists = ex["cells"][m][u]
    preds = ex["predictions"][m]
    objs = ex["objects"]
    conf = p["grids"]["confidence"][t]
    inside = rep.segment_mask(s)
    items = []
    for g, q in cells:
        for pred, obj, _iou in lists.get(f"{g},{q}", []):
            score = preds["score"][pred] if pred >= 0 else None
            frame = preds["frame"][pred] if pred >= 0 else objs["frame"][obj]
            if not inside[frame]:
                continue
            if q < c:
                if score is None or score < conf:
                    continue
            elif score is not None and score >= conf:
                continue
            items.append((frame, score, q == c and score is not None))
    sign = 1.0 if ascending else -1.0
    order = sorted(range(len(items)), key=lambda i: (items[i][1] is None, sign * (items[i][1] or 0.0), i))
    out = []
    ids = rep.frame_ids
    for i in order:
        frame, score, below = items[i]
        text = "–" if score is None else f"{score:.4f}" + (" (below)" if below else "")
        out.append((ids[frame], text))
    return out


def seg_index(rep: Report, name: str) -> int:
    return [s["name"] for s in rep.payload["segments"]].index(name)


# ------------------------------------------------------------------------------------------------ page helpers
#: move a slider; resolves once the parts of the Metrics tab below the screen, repainted when idle after the paint,
#: are repainted too (RG.idle), with the time of the input's own repaint
SET_RANGE = """async ([id, v]) => {
  const el = document.getElementById(id);
  el.value = String(v);
  el.dispatchEvent(new Event("input", { bubbles: true }));
  const ms = RG.lastRenderMs;
  await RG.idle();
  return ms;
}"""

READ_CARDS = """(segs) => {
  const out = {};
  for (const s of segs) {
    const card = document.querySelector('#app article.card[data-segment="' + s + '"]');
    const read = (side) => ({
      m: [...card.querySelectorAll("tr[data-metric]")].map((tr) => {
        const td = tr.querySelector("td.m-" + side);
        return [td.dataset.value, td.dataset.verdict];
      }),
      c: [...card.querySelectorAll("tr[data-count]")].map((tr) => tr.querySelector("td.m-" + side).textContent),
    });
    out[s] = { a: read("a"), b: card.querySelector("td.m-b") ? read("b") : null };
  }
  return out;
}"""

SWEEP_CARDS = """([segs, U, T, iouId, confId]) => {
  const set = (id, v) => {
    const el = document.getElementById(id);
    el.value = String(v);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const read = READ;
  const out = [];
  const times = [];
  for (let u = 0; u < U; u++) {
    if (U > 1) { set(iouId, u); times.push(RG.lastRenderMs); }
    for (let t = 0; t < T; t++) {
      set(confId, t);
      times.push(RG.lastRenderMs);
      out.push({ u: u, t: t, cards: read(segs) });
    }
  }
  times.sort((a, b) => a - b);
  return { out: out, medianMs: times[Math.floor(times.length / 2)] };
}""".replace("READ", READ_CARDS)

READ_METRICS = """() => {
  const rows = {};
  for (const tr of document.querySelectorAll("#report-body tr")) {
    const r = {};
    for (const td of tr.querySelectorAll("td[data-k]")) r[td.dataset.k] = td.textContent;
    rows[tr.dataset.cls] = r;
  }
  const avg = [...document.querySelectorAll("#class-report tbody.averages tr")].map((tr) =>
    ["pa", "ra", "fa"].map((k) => tr.querySelector('td[data-k="' + k + '"]').textContent));
  const cells = {};
  for (const td of document.querySelectorAll("#matrix td.cell:not(.empty)")) {
    cells[td.dataset.g + "," + td.dataset.p] = Number(td.dataset.v);
  }
  const op = document.querySelector('#pr-svg g.series[data-role="a"] .op');
  return { rows: rows, avg: avg, cells: cells, op: op ? [Number(op.dataset.p), Number(op.dataset.r)] : null,
           ap: document.querySelector('#pr-stats [data-role="a"] .ap').textContent };
}"""

SWEEP_METRICS = """([U, T]) => {
  const set = (id, v) => {
    const el = document.getElementById(id);
    el.value = String(v);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const read = READ;
  const out = [];
  const times = [];
  for (let u = 0; u < U; u++) {
    if (U > 1) { set("iou-a", u); times.push(RG.lastRenderMs); }
    for (let t = 0; t < T; t++) {
      set("conf-a", t);
      times.push(RG.lastRenderMs);
      out.push(Object.assign({ u: u, t: t }, read()));
    }
  }
  times.sort((a, b) => a - b);
  return { out: out, medianMs: times[Math.floor(times.length / 2)] };
}""".replace("READ", READ_METRICS)


def check_cards_sweep(rep: Report, page: Any, segs: list[int], m: int = 0, side: str = "a") -> None:
    """Walk every grid point of the sliders and compare the cards of segments ``segs`` with the payload and
    with the engine's verdicts (``reportgen check --json``) at that preset."""
    from reportgen.engine.verdicts import compute_verdicts, payload

    p = rep.payload
    nu, nt = len(p["grids"]["iou"]), len(p["grids"]["confidence"])
    ids = ("iou-a", "conf-a") if side == "a" else ("iou-b", "conf-b")
    res = page.evaluate(SWEEP_CARDS, [segs, nu, nt, *ids])
    # functional only: the repaint budget is measured by the opt-in test_report_scale.py and bench_report.py
    assert len(res["out"]) == nu * nt
    name = p["inference_sets"][m]["name"]
    for row in res["out"]:
        u, t = row["u"], row["t"]
        engine = payload(compute_verdicts(rep.run, iou=p["grids"]["iou"][u], confidence=p["grids"]["confidence"][t],
                                          inference_sets=[name]))[name]  # fmt: skip
        for s in segs:
            got = row["cards"][str(s)][side]
            want = expected_card(rep, m, s, u, t)
            assert got == want, (u, t, s)
            v = engine[s]
            for k, metric in enumerate(METRICS):
                item = v[PAYLOAD_KEYS[metric]]
                assert got["m"][k][0] == score_text(item["score"], item["threshold"]), (u, t, s, metric)
                assert got["m"][k][1] == {None: "none", True: "pass", False: "fail"}[item["succeeds"]]
            counts = [v["false_positives"]["score"], v["false_negatives"]["score"], v["total_confusions"]["score"]]
            assert got["c"] == [f"{x:,}" for x in counts]


def check_metrics_sweep(rep: Report, page: Any, s: int, m: int = 0, k: int | None = None) -> None:
    p = rep.payload
    nu, nt = len(p["grids"]["iou"]), len(p["grids"]["confidence"])
    c = len(p["classes"])
    k = c if k is None else k
    res = page.evaluate(SWEEP_METRICS, [nu, nt])
    # functional only: the repaint budget is measured by the opt-in test_report_scale.py and bench_report.py
    for row in res["out"]:
        u, t = row["u"], row["t"]
        want = expected_report(rep, m, s, u, t)
        assert len(row["rows"]) == (min(c, CLASS_ROWS) if c > 25 else c)
        assert row["rows"] == {k: want["rows"][k] for k in row["rows"]}, (u, t)
        assert row["avg"] == want["avg"], (u, t)
        mat = rep.matrix(m, s, u, t)
        if row["cells"]:
            assert row["cells"] == {
                f"{g},{q}": int(mat[g, q]) for g in range(c + 1) for q in range(c + 1) if g < c or q < c
            }
        assert row["op"] == expected_op(rep, m, s, u, t, k), (u, t)
        assert row["ap"] == display_text(int(rep.blob("curve_stats")[m, s, u, k, 0]))


def cards_now(page: Any, segs: list[int]) -> dict[str, Any]:
    return page.evaluate(READ_CARDS, segs)  # type: ignore[no-any-return]


def defaults(rep: Report) -> tuple[int, int]:
    d = rep.payload["defaults"]
    return int(d["iou_index"]), int(d["confidence_index"])


def current_hash(page: Any) -> str:
    """location.hash once the page has written it (slider changes are written when they settle)."""
    page.wait_for_function("() => !RG.app.hashPending")
    return page.evaluate("location.hash")  # type: ignore[no-any-return]


def state(page: Any) -> dict[str, Any]:
    return page.evaluate("() => JSON.parse(JSON.stringify(RG.app.state))")  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------------------------ start-up
def test_opens_from_disk_with_no_request_and_quickly(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo)
    assert page.evaluate("RG.bootMs") < 1500
    assert page.locator("#static-view").is_hidden()
    assert page.locator("#app").is_visible()
    assert page.locator("#tab-scenarios").get_attribute("aria-selected") == "true"
    # the examples decode in the background, without a request either
    page.wait_for_function("document.documentElement.dataset.examples === '1'")
    assert page.watch.requests == [demo.path.resolve().as_uri()] or all(
        r.split("#")[0] == demo.path.resolve().as_uri() or r.startswith("data:") for r in page.watch.requests
    )


def test_default_cards_are_the_check_payload(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo)
    p = demo.payload
    s_all = list(range(len(p["segments"])))
    got = cards_now(page, s_all)
    verdicts = p["verdicts"][p["inference_sets"][0]["name"]]
    for s in s_all:
        v = verdicts[s]
        for k, metric in enumerate(METRICS):
            item = v[PAYLOAD_KEYS[metric]]
            assert got[str(s)]["a"]["m"][k] == [
                score_text(item["score"], item["threshold"]),
                {None: "none", True: "pass", False: "fail"}[item["succeeds"]],
            ]
        assert got[str(s)]["b"] is None
    # groups in order, All Frames first
    groups = page.locator("#app section.group").evaluate_all("(els) => els.map((e) => e.dataset.group)")
    assert groups == ["Split", "Regression Test", "Scenario"]
    assert page.locator("#app article.card").first.get_attribute("data-segment") == "0"


# ------------------------------------------------------------------------------------------------ sliders
def test_sliders_at_every_grid_point_scenarios(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo)
    segs = [0, seg_index(demo, "Delta wings"), seg_index(demo, "No regression in fog")]
    check_cards_sweep(demo, page, segs)


def test_sliders_at_every_grid_point_metrics(demo: Report, open_page: OpenPage) -> None:
    for name in ("All Frames", "Far away planes"):
        s = seg_index(demo, name)
        page = open_page(demo, f"tab=metrics&seg={name.replace(' ', '%20')}")
        check_metrics_sweep(demo, page, s)


def test_slider_keyboard_snaps_to_the_grid(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo)
    u0, t0 = defaults(demo)
    page.focus("#conf-a")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    st = state(page)
    assert (st["ta"], st["ua"]) == (t0 + 2, u0)
    conf = demo.payload["grids"]["confidence"][t0 + 2]
    assert page.locator("#conf-a").get_attribute("aria-valuetext") == threshold_text(conf)
    assert f"conf={conf}" in current_hash(page)
    assert cards_now(page, [0])["0"]["a"] == expected_card(demo, 0, 0, u0, t0 + 2)


# ------------------------------------------------------------------------------------------------ A and B
def test_compare_and_swap(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo)
    u, t = defaults(demo)
    page.select_option("#model-b", "1")
    assert state(page)["b"] == 1
    got = cards_now(page, [0, 4])
    for s in (0, 4):
        assert got[str(s)]["a"] == expected_card(demo, 0, s, u, t)
        assert got[str(s)]["b"] == expected_card(demo, 1, s, u, t)
    # the difference B - A
    card = demo.blob("cards")
    delta = page.locator('#app article.card[data-segment="0"] tr[data-metric="f1"] td.delta .dv').text_content()
    d = float(card[1, 0, u, t, 2] - card[0, 0, u, t, 2])
    assert delta == ("+" if d > 0 else "−") + f"{abs(d):.4f}"
    assert "b=model-v2" in current_hash(page)
    page.click("#swap")
    st = state(page)
    assert (st["a"], st["b"]) == (1, 0)
    got = cards_now(page, [0])
    assert got["0"]["a"] == expected_card(demo, 1, 0, u, t)
    assert got["0"]["b"] == expected_card(demo, 0, 0, u, t)
    # picking A's set as B swaps; "none" leaves compare mode
    page.select_option("#model-b", "-1")
    assert state(page)["b"] == -1
    assert page.locator("#same-presets").is_hidden()
    assert cards_now(page, [0])["0"]["b"] is None


def test_independent_presets(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo, "b=model-v3")
    u, t = defaults(demo)
    assert page.locator("#conf-b").is_hidden()
    page.uncheck("#same-presets")
    assert page.locator("#conf-b").is_visible()
    page.evaluate(SET_RANGE, ["conf-b", t + 4])
    page.evaluate(SET_RANGE, ["iou-b", u + 2])
    got = cards_now(page, [0, 3])
    for s in (0, 3):
        assert got[str(s)]["a"] == expected_card(demo, 0, s, u, t)
        assert got[str(s)]["b"] == expected_card(demo, 2, s, u + 2, t + 4)
    h = current_hash(page)
    assert "same=0" in h and "confb=" in h and "ioub=" in h
    # moving A's slider now leaves B alone
    page.evaluate(SET_RANGE, ["conf-a", t + 1])
    got = cards_now(page, [0])
    assert got["0"]["a"] == expected_card(demo, 0, 0, u, t + 1)
    assert got["0"]["b"] == expected_card(demo, 2, 0, u + 2, t + 4)
    # B's sliders walk the whole grid too
    check_cards_sweep(demo, page, [0, seg_index(demo, "Night")], m=2, side="b")
    # checking "same settings" again makes B follow A
    page.check("#same-presets")
    st = state(page)
    assert (st["ub"], st["tb"]) == (st["ua"], st["ta"])


# ------------------------------------------------------------------------------------------------ Metrics tab
def test_card_click_and_details_button(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo)
    s = seg_index(demo, "Delta wings")
    page.click(f'#app article.card[data-segment="{s}"] .card-meta')
    st = state(page)
    assert st["tab"] == "metrics" and st["seg"] == s
    assert st["cls"] == demo.payload["segments"][s]["metric_class"]  # the segment's metric class is preselected
    assert page.locator("#seg-select").input_value() == str(s)
    page.go_back()
    page.wait_for_function("RG.app.state.tab === 'scenarios'")
    page.click(f'#app article.card[data-segment="{s}"] [data-action="details"]')
    assert state(page)["tab"] == "details"
    assert page.locator("#details-title").text_content() == "Delta wings"


def test_two_navigations_in_a_row_keep_a_history_entry_each(demo: Report, open_page: OpenPage) -> None:
    """A navigation writes the URL after its handler; a second one before that write still gets its own entry."""
    page = open_page(demo)
    n = page.evaluate("history.length")
    page.evaluate("() => { for (const t of ['metrics', 'scenarios']) document.getElementById('tab-' + t).click(); }")
    page.evaluate("RG.idle()")
    assert page.evaluate("history.length") == n + 2
    page.go_back()
    page.wait_for_function("RG.app.state.tab === 'metrics'")
    assert "tab=metrics" in page.evaluate("location.hash")


def test_metric_class_and_pr_curve(demo: Report, open_page: OpenPage) -> None:
    s = seg_index(demo, "Far away planes")
    page = open_page(demo, "tab=metrics&seg=Far%20away%20planes&b=model-v2")
    u, t = defaults(demo)
    c = len(demo.payload["classes"])
    for k in (c, 0, 3):
        page.select_option("#class-select", str(-1 if k == c else k))
        for role, m in (("a", 0), ("b", 1)):
            op = page.locator(f'#pr-svg g.series[data-role="{role}"] .op')
            want = expected_op(demo, m, s, u, t, k)
            assert [int(op.get_attribute("data-p")), int(op.get_attribute("data-r"))] == want
            hits = page.locator(f'#pr-svg g.series[data-role="{role}"] .hit').count()
            curve = demo.blob("curves")[m, s, u, k]
            assert hits == int(np.sum((curve[:, 0] != 65535) & (curve[:, 1] != 65535)))
            ap = page.locator(f'#pr-stats [data-role="{role}"] .ap').text_content()
            assert ap == display_text(int(demo.blob("curve_stats")[m, s, u, k, 0]))
        caption = page.locator("#pr-curve figcaption").text_content()
        assert ("all classes" if k == c else f"class {demo.payload['display_names'][k]}") in caption
    # the segment's (pooled) targets as dotted lines: over all classes' curve, not over one class's (issue 12)
    assert page.locator("#pr-svg .target-p").count() == 0
    page.select_option("#class-select", "-1")
    assert page.locator("#pr-svg .target-p").count() == 1
    assert page.locator("#pr-svg .target-r").count() == 1
    # hover on a point shows its confidence
    page.evaluate("document.querySelector('#pr-svg').scrollIntoView({ block: 'center' })")
    page.locator('#pr-svg g.series[data-role="a"] .hit').nth(1).hover()
    assert re.search(
        r"confidence 0\.\d+ · precision \d\.\d{4} · recall \d\.\d{4}", page.locator(".tooltip").text_content()
    )
    # the text equivalent
    page.click("#pr-curve details summary")
    # the table is built on the details' "toggle" event, which fires after the click returns
    page.locator("#pr-curve details table tbody tr").nth(10).wait_for()
    assert page.locator("#pr-curve details table tbody tr").count() > 10


def test_class_report_sort_and_row_selection(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo, "tab=metrics")
    u, t = defaults(demo)
    names = demo.payload["display_names"]
    scores = demo.blob("class_scores")[0, 0, u, t]
    page.click("#sort-fa")
    order = page.locator("#report-body tr").evaluate_all("(rs) => rs.map((r) => Number(r.dataset.cls))")
    f1 = [int(scores[i, 2]) for i in order]
    assert f1 == sorted(f1, reverse=True)
    assert page.locator("#class-report th:has(#sort-fa)").get_attribute("aria-sort") == "descending"
    page.click("#sort-fa")
    order = page.locator("#report-body tr").evaluate_all("(rs) => rs.map((r) => Number(r.dataset.cls))")
    assert [int(scores[i, 2]) for i in order] == sorted(f1)
    page.click("#sort-name")
    order = page.locator("#report-body tr").evaluate_all("(rs) => rs.map((r) => Number(r.dataset.cls))")
    assert [names[i].lower() for i in order] == sorted(n.lower() for n in names)
    assert "sort=name.a" in current_hash(page)
    # selecting rows filters the matrix to their rows and columns (any number)
    c = len(names)
    page.click("#cr-1")
    page.click("#cr-4")
    assert state(page)["sel"] == [1, 4]
    dim = page.locator("#matrix td.cell.dim").evaluate_all(
        "(cs) => cs.map((c) => [Number(c.dataset.g), Number(c.dataset.p)])"
    )
    want = [
        [g, q]
        for g in range(c + 1)
        for q in range(c + 1)
        if not (g == c and q == c) and g not in (1, 4) and q not in (1, 4)
    ]
    assert sorted(dim) == sorted(want)
    page.click("#cr-1")
    assert state(page)["sel"] == [4]
    page.click("#clear-sel")
    assert page.locator("#matrix td.cell.dim").count() == 0


def test_matrix_toggles(demo: Report, open_page: OpenPage) -> None:
    s = seg_index(demo, "Night")
    page = open_page(demo, "tab=metrics&seg=Night")
    u, t = defaults(demo)
    mat = demo.matrix(0, s, u, t)
    c = len(demo.payload["classes"])
    names = [*demo.payload["display_names"], "background"]
    off = mat[:c, :c] - np.diag(np.diag(mat[:c, :c]))
    g, q = (int(x) for x in np.unravel_index(int(np.argmax(off)), off.shape))
    assert mat[g, q] > 0
    cell = page.locator(f"#cell-{g}-{q}")
    assert cell.text_content() == f"{int(mat[g, q]):,}"
    dens = {"row": mat[g].sum(), "col": mat[:, q].sum(), "all": mat.sum()}
    words = {"row": "row", "col": "column", "all": "total"}
    for den, label in (("row", "Row"), ("col", "Column"), ("all", "Value")):
        page.click(f'#toggle-den button:has-text("{label}")')
        want = f"{names[g]} → {names[q]}: {int(mat[g, q]):,} of {int(dens[den]):,} ({words[den]})"
        assert cell.get_attribute("aria-label").startswith(want)
        share = mat[g, q] / dens[den]
        assert cell.evaluate("(e) => e.style.backgroundColor") == _rgb(seq_colour(share))
        page.click('#toggle-show button:has-text("Percentage")')
        assert cell.text_content() == f"{100 * share:.1f}%"
        page.click('#toggle-show button:has-text("Absolute")')
        assert cell.text_content() == f"{int(mat[g, q]):,}"
    page.click('#toggle-show button:has-text("Percentage")')
    assert "show=pct" in current_hash(page) and "den=all" in current_hash(page)
    # compare mode: the matrix of B
    page.select_option("#model-b", "2")
    page.click('#toggle-mx button[data-key="b"]')
    mat_b = demo.matrix(2, s, u, t)
    page.click('#toggle-show button:has-text("Absolute")')
    assert page.locator(f"#cell-{g}-{q}").text_content() == f"{int(mat_b[g, q]):,}"
    assert "model-v3" in page.locator("#matrix-note").text_content()
    # an empty cell has no colour
    zg, zq = (int(x[0]) for x in np.nonzero(mat_b[:c, :c] == 0))
    assert page.locator(f"#cell-{zg}-{zq}").evaluate("(e) => e.style.backgroundColor") == ""


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _examples_on_page(page: Any) -> list[tuple[str, str]]:
    page.wait_for_function(
        "() => { const s = document.querySelector('#examples-status'); return !s || !/Reading/.test(s.textContent); }"
    )
    rows = page.locator("#ex-grid article.ex").evaluate_all(
        "(es) => es.map((e) => [e.querySelector('.ex-frame').textContent, e.querySelector('.ex-conf').textContent])"
    )
    return [tuple(r) for r in rows]


def test_filters_cells_and_examples(demo: Report, open_page: OpenPage) -> None:
    s = seg_index(demo, "Far away planes")
    page = open_page(demo, "tab=metrics&seg=Far%20away%20planes")
    u, t = defaults(demo)
    c = len(demo.payload["classes"])
    mat = demo.matrix(0, s, u, t)

    def check(cells: list[tuple[int, int]]) -> None:
        hl = page.locator("#matrix td.cell.hl").evaluate_all(
            "(cs) => cs.map((c) => [Number(c.dataset.g), Number(c.dataset.p)])"
        )
        assert sorted(map(tuple, hl)) == sorted(cells)
        want = expected_examples(demo, cells, 0, s, u, t)
        assert _examples_on_page(page) == want[:EX_PAGE]
        exist = sum(int(mat[g, q]) for g, q in cells)
        status = page.locator("#examples-status")
        assert status.get_attribute("data-exist") == str(exist)
        assert status.get_attribute("data-listed") == str(len(want))
        assert status.text_content().startswith(f"Showing {min(EX_PAGE, len(want)):,} of {exist:,}")

    page.click("#filter-fn")
    check([(g, c) for g in range(c)])
    page.click("#filter-fp")
    check([(c, q) for q in range(c)])
    page.click("#filter-as")  # reveals the class list (issue 12: the spec's flow)
    page.select_option("#confused-as", "1")
    check([(g, 1) for g in range(c) if g != 1])
    assert state(page)["filt"] == "as"
    page.click("#filter-from")
    page.select_option("#confused-from", "0")
    check([(0, q) for q in range(c) if q != 0])
    page.click("#filter-clear")
    assert page.locator("#matrix td.cell.hl").count() == 0
    # a cell click lists that cell; a second click clears it
    page.click("#cell-0-1")
    check([(0, 1)])
    assert "cell=0,1" in current_hash(page)
    # sort by IoU, then by confidence ascending
    page.click("#exsort-iou")
    ious = page.locator("#ex-grid article.ex").evaluate_all(
        "(es) => es.map((e) => e.dataset.iou === '' ? null : Number(e.dataset.iou))"
    )
    defined = [x for x in ious if x is not None]
    assert defined == sorted(defined, reverse=True) and ious[: len(defined)] == defined
    page.click("#exsort-conf")
    page.click("#exsort-conf")
    confs = page.locator("#ex-grid article.ex").evaluate_all("(es) => es.map((e) => Number(e.dataset.score))")
    assert confs == sorted(confs)
    assert "exsort=conf.a" in current_hash(page)
    # thumbnails are data: URIs or a "no picture" box
    srcs = page.locator("#ex-grid img").evaluate_all("(is) => is.map((i) => i.getAttribute('src'))")
    assert all(x.startswith("data:image/") for x in srcs)
    pics = page.locator("#ex-grid article.ex").count()
    assert page.locator("#ex-grid .nopic").count() + len(srcs) == pics
    page.click("#cell-0-1")
    assert page.locator("#matrix td.cell.hl").count() == 0
    # the FN examples at a higher confidence: objects matched below it are missed too
    page.click("#filter-fn")
    page.evaluate(SET_RANGE, ["conf-a", t + 8])
    want = expected_examples(demo, [(g, c) for g in range(c)], 0, s, u, t + 8, ascending=True)
    assert _examples_on_page(page) == want[:EX_PAGE]
    assert any("(below)" in x for _, x in want)


def test_keyboard_on_the_matrix(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo, "tab=metrics")
    page.focus("#cell-0-0")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == "cell-1-1"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    st = state(page)
    assert st["filt"] == "cell" and st["cell"] == [1, 0]
    assert page.evaluate("document.activeElement.id") == "cell-1-0"  # focus survives the repaint
    # class report rows and sort headers are buttons
    page.focus("#cr-2")
    page.keyboard.press("Enter")
    assert state(page)["sel"] == [2]
    page.focus("#tab-metrics")
    page.keyboard.press("ArrowLeft")
    assert state(page)["tab"] == "scenarios"


# ------------------------------------------------------------------------------------------------ targets
def test_target_tryout(demo: Report, open_page: OpenPage) -> None:
    s = seg_index(demo, "Far away planes")
    page = open_page(demo, "tab=details&seg=Far%20away%20planes&b=model-v2")
    u, t = defaults(demo)
    page.fill("#try-precision", "0.7")
    page.fill("#try-f1", "")
    tried = {"precision": 0.7, "f1": None}
    # the dots follow at once
    dots = page.locator('.strip-block[data-metric="precision"] .dot').evaluate_all(
        "(ds) => ds.map((d) => d.dataset.verdict)"
    )
    cards = demo.blob("cards")
    assert dots == ["pass" if cards[m, s, u, t, 0] >= 0.7 else "fail" for m in range(len(dots))]
    assert page.locator('.strip-block[data-metric="f1"] .target-line').count() == 0
    yaml_text = page.locator("#targets-yaml").text_content()
    assert "precision: 0.7" in yaml_text and "recall: 0.8" in yaml_text and "f1:" not in yaml_text
    assert "does not change the file" in yaml_text
    assert "does not change the project file" in page.locator("#tryout-note").text_content()
    h = current_hash(page)
    assert "tg=" in h and "precision%3A0.7" in h and "f1%3Anone" in h
    # the cards recolour
    page.click("#details-back")
    got = cards_now(page, [s])[str(s)]
    assert got["a"] == expected_card(demo, 0, s, u, t, tried)
    assert got["b"] == expected_card(demo, 1, s, u, t, tried)
    assert page.locator(f'#app article.card[data-segment="{s}"] .tried').count() == 2
    # and the PR curve's target line
    page.click(f'#app article.card[data-segment="{s}"] .card-meta')
    y = float(page.locator("#pr-svg .target-p").get_attribute("y1"))
    assert y == pytest.approx(360 - 42 - (360 - 42 - 14) * 0.7)
    # out-of-range values are refused, reset restores the project file's target
    page.click("#open-details")
    page.fill("#try-recall", "1.5")
    assert page.locator("#try-recall").get_attribute("aria-invalid") == "true"
    page.click("#reset-precision")
    assert page.locator("#try-precision").input_value() == "0.8"
    assert "precision%3A" not in current_hash(page)


# ------------------------------------------------------------------------------------------------ links
def test_deep_link_restores_the_view(demo: Report, open_page: OpenPage) -> None:
    fragment = ("tab=metrics&seg=Night&a=model-v2&b=model-v3&conf=0.3&iou=0.7&same=0&confb=0.5&ioub=0.4&cls=2"
                "&show=pct&den=col&mx=b&sel=1,2&f=as&fc=2&sort=ra.d&exsort=iou.a")  # fmt: skip
    page = open_page(demo, fragment)
    st = state(page)
    grids = demo.payload["grids"]
    assert st["tab"] == "metrics" and st["seg"] == seg_index(demo, "Night")
    assert (st["a"], st["b"], st["same"]) == (1, 2, False)
    assert grids["confidence"][st["ta"]] == 0.3 and grids["iou"][st["ua"]] == 0.7
    assert grids["confidence"][st["tb"]] == 0.5 and grids["iou"][st["ub"]] == 0.4
    assert (st["cls"], st["pct"], st["den"], st["mx"], st["sel"], st["filt"], st["fc"]) == (
        2,
        True,
        "col",
        "b",
        [1, 2],
        "as",
        2,
    )
    assert st["sort"] == {"key": "ra", "dir": "d"} and st["exsort"] == {"key": "iou", "dir": "a"}
    assert page.locator("#tab-metrics").get_attribute("aria-selected") == "true"
    assert page.locator("#class-select").input_value() == "2"
    assert page.locator('#toggle-den button[data-key="col"]').get_attribute("aria-pressed") == "true"
    assert page.locator("#filter-as").get_attribute("aria-expanded") == "true"
    assert page.locator("#confused-as").input_value() == "2"
    # the URL written back is the same view
    assert page.evaluate("RG.stateHash(RG.app.state, RG.app.data)") == fragment
    # hashchange: a new fragment switches the view
    page.evaluate("location.hash = 'tab=details&seg=Provider%20Y'")
    page.wait_for_function("RG.app.state.tab === 'details'")
    assert page.locator("#details-title").text_content() == "Provider Y"
    # rubbish in the fragment falls back to defaults
    page.evaluate("location.hash = 'tab=nope&seg=missing&a=zzz&conf=abc&cls=99&cell=1,x&f=cell&tg=a:b:c'")
    page.wait_for_function("RG.app.state.tab === 'scenarios'")
    st = state(page)
    assert (st["seg"], st["a"], st["cls"], st["filt"], st["tg"]) == (0, 0, -1, "", {})


# ------------------------------------------------------------------------------------------------ details
def test_segment_details(demo: Report, open_page: OpenPage) -> None:
    s = seg_index(demo, "Far away planes")
    seg = demo.payload["segments"][s]
    page = open_page(demo, "tab=details&seg=Far%20away%20planes")
    m_count = len(demo.payload["inference_sets"])
    for metric in METRICS:
        assert page.locator(f'.strip-block[data-metric="{metric}"] .dot').count() == m_count
        assert page.locator(f'.strip-block[data-metric="{metric}"] .target-line').count() == 1
    assert page.locator(".description").text_content() == seg["description"]
    meta = page.locator(".meta-table tr").evaluate_all(
        "(rs) => rs.map((r) => [r.cells[0].textContent, r.cells[1].textContent])"
    )
    assert meta[2:] == seg["metadata"] and meta[1] == ["uuid", seg["uuid"]]
    ids = [demo.frame_ids[f] for f in seg["frames"]]
    assert page.locator("#frame-list li").all_text_contents() == ids
    page.fill("#frame-search", ids[3][-2:])
    shown = [i for i in ids if ids[3][-2:] in i]
    assert page.locator("#frame-list li").all_text_contents() == shown
    assert page.locator("#frames-yaml").text_content() == "frames: [" + ", ".join(f'"{i}"' for i in shown) + "]"
    assert page.evaluate("document.activeElement.id") == "frame-search"
    # the copy button hands the YAML above to the clipboard; headless Chromium may never settle the clipboard
    # promise (the status line then stays empty), so only the click itself is exercised here (no page error)
    page.click("#copy-frames")


# ------------------------------------------------------------------------------------------------ no JavaScript
def test_without_javascript_the_default_view_is_there(
    demo: Report, classification: Report, open_page: OpenPage
) -> None:
    for rep in (demo, classification):
        page = open_page(rep, js=False)
        assert page.locator("#static-view").is_visible()
        assert page.locator("#app").is_hidden()
        p = rep.payload
        u, t = defaults(rep)
        text = page.locator("#static-view").inner_text()
        for m, info in enumerate(p["inference_sets"]):
            for s, _seg in enumerate(p["segments"]):
                want = expected_card(rep, m, s, u, t)
                cells = page.locator(f'#static-view article.card[data-segment="{s}"] tr[data-metric] td[data-verdict]')
                got = cells.evaluate_all(
                    "(ts) => ts.map((t) => [t.textContent.replace(/[✓✗]| \\((meets|misses) target\\)/g, ''),"
                    " t.dataset.verdict])"
                )
                n = len(p["inference_sets"])
                assert [got[k * n + m] for k in range(3)] == want["m"], (info["name"], s)
        rows = expected_report(rep, 0, 0, u, t)
        for r in rows["rows"].values():
            assert r["pa"] in text and r["fa"] in text
        assert page.locator("#static-view figure svg").count() == 1


# ------------------------------------------------------------------------------------------------ other projects
def test_classification_project(classification: Report, open_page: OpenPage) -> None:
    page = open_page(classification)
    assert page.locator("#iou-a").is_hidden()
    segs = [0, seg_index(classification, "Far away planes")]
    check_cards_sweep(classification, page, segs)
    page = open_page(classification, "tab=metrics&seg=Night")
    assert "IoU" not in page.locator("#pr-curve figcaption").text_content()
    check_metrics_sweep(classification, page, seg_index(classification, "Night"))
    page.click("#filter-fn")
    assert page.locator("#exsort-iou").count() == 0
    assert page.locator("#ex-grid .ex-iou").count() == 0
    assert page.locator("#ex-grid article.ex").count() > 0


def test_many_classes_use_tables(many: Report, open_page: OpenPage) -> None:
    p = many.payload
    c = len(p["classes"])
    assert c > 25
    page = open_page(many)
    check_cards_sweep(many, page, [0, seg_index(many, "Night")])
    page = open_page(many, "tab=metrics")
    assert page.locator("#matrix").count() == 0
    u, t = defaults(many)
    mat = many.matrix(0, 0, u, t)

    def pairs() -> list[tuple[int, int, int]]:
        return [tuple(x) for x in page.locator("#pairs tbody tr").evaluate_all(
            "(rs) => rs.map((r) => [Number(r.dataset.g), Number(r.dataset.p), Number(r.dataset.v)])")]  # fmt: skip

    got = pairs()
    # errors only by default (issue 12): confusions, FP, FN; the correct cells on demand
    nonzero = [(g, q, int(mat[g, q])) for g in range(c + 1) for q in range(c + 1) if mat[g, q] and g != q]
    want = sorted(nonzero, key=lambda x: (-x[2], x[0] * (c + 1) + x[1]))
    assert got == want[:PAIR_ROWS]
    # the class report filter box
    page.fill("#class-search", "class-1")
    names = page.locator("#report-body tr th").all_text_contents()
    assert names == [n for n in p["display_names"] if "class-1" in n]
    assert page.evaluate("document.activeElement.id") == "class-search"
    page.fill("#class-search", "")
    # selecting a class-report row keeps the pairs where GT or prediction is that class
    page.click("#cr-3")
    got = pairs()
    assert got and all(3 in (g, q) for g, q, _ in got)
    assert got == [x for x in want if 3 in (x[0], x[1])][:PAIR_ROWS]
    # the table's own search box
    page.fill("#matrix-search", "class-05")
    assert all(
        "class-05" in (p["display_names"] + ["background"])[g] or "class-05" in (p["display_names"] + ["background"])[q]
        for g, q, _ in pairs()
    )
    page.fill("#matrix-search", "")
    # selecting a pair lists its examples, FN narrows the table
    g, q, _ = pairs()[0]
    page.click(f"#pair-{g}-{q}")
    assert state(page)["cell"] == [g, q]
    assert _examples_on_page(page) == expected_examples(many, [(g, q)], 0, 0, u, t)[:EX_PAGE]
    page.click("#clear-sel")
    page.click("#filter-fn")
    assert all(qq == c for _, qq, _ in pairs())
    # the metrics at every grid point of a segment
    page = open_page(many, "tab=metrics&seg=Night")
    check_metrics_sweep(many, page, seg_index(many, "Night"))


def test_hostile_names_are_shown_as_text(hostile: Report, open_page: OpenPage) -> None:
    p = hostile.payload
    page = open_page(
        hostile, "b=" + p["inference_sets"][1]["name"].replace("%", "%25").replace("&", "%26").replace("#", "%23")
    )
    assert page.locator("h1").text_content() == HOSTILE[0]
    assert page.get_by_text(HOSTILE[0], exact=True).count() >= 2
    names = page.locator("#app article.card h4").all_text_contents()
    assert HOSTILE[0] in names and HOSTILE[2] in names
    assert page.locator("#model-b option:checked").text_content() == p["inference_sets"][1]["name"]
    s = seg_index(hostile, HOSTILE[0])
    page.click(f'#app article.card[data-segment="{s}"] [data-action="details"]')
    assert page.locator(".description").text_content() == HOSTILE[1]
    assert page.locator(".meta-table tr").nth(2).locator("th").text_content() == HOSTILE[0]
    assert any(HOSTILE[0] in x for x in page.locator("#frame-list li").all_text_contents())
    assert HOSTILE[0] in page.locator("#frames-yaml").text_content()
    page.fill("#try-precision", "0.5")
    assert "\\u003c" not in page.locator("#targets-yaml").text_content()
    page.click("#details-metrics")
    page.select_option("#class-select", "1")
    assert HOSTILE[1] in page.locator("#pr-curve figcaption").text_content()
    page.select_option("#seg-select", "0")
    page.click("#filter-fn")
    frames = [f for f, _ in _examples_on_page(page)]
    assert frames and all(f in hostile.frame_ids.values() for f in frames)
    assert any(HOSTILE[1] in f or HOSTILE[0] in f for f in frames)
    # no element or handler came from the data
    assert page.evaluate("document.querySelectorAll('script').length") == 2
    assert (
        page.evaluate(
            "[...document.querySelectorAll('*')]"
            ".filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length"
        )
        == 0
    )
    assert page.evaluate("document.querySelectorAll('img:not([src^=\"data:image/\"])').length") == 0
    # a link with the hostile names restores them
    h = current_hash(page)
    page2 = open_page(hostile, h.lstrip("#"))
    assert state(page2)["seg"] == state(page)["seg"] and state(page2)["b"] == 1


# ------------------------------------------------------------------------------------------------ formatting parity
def test_number_formatting_matches_python(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo)
    rng = np.random.default_rng(1)
    values = [0.03125, 0.09375, 0.5, 0.015625, 1 / 3, 2 / 3, 0.79996, 0.99995, 0.00005, 0.12345, 0.0, 1.0]
    values += [float(x) for x in rng.uniform(0, 1, 300)]
    values += [k / 64 for k in range(65)] + [k / 32 for k in range(33)]
    thresholds = [None, 0.8, 0.5, 0.7, 0.125, 1 / 3]
    got = page.evaluate(
        """([vs, ts]) => vs.map((v) => [
          RG.fixed(v, 4), RG.fixed(v, 5), RG.fixed(v, 1), ts.map((t) => RG.scoreText(v, t)), RG.thresholdText(v, null),
          ts.map((t) => (t === null ? null : RG.thresholdText(t, v))), RG.seqColour(v),
        ])""",
        [values, thresholds],
    )
    for v, row in zip(values, got, strict=True):
        assert row[0] == f"{v:.4f}" and row[1] == f"{v:.5f}" and row[2] == f"{v:.1f}", v
        assert row[3] == [score_text(v, t) for t in thresholds], v
        assert row[4] == threshold_text(v)
        assert row[5] == [None if t is None else threshold_text(t, v) for t in thresholds], v
        assert row[6] == seq_colour(v), v


def test_classification_controls(classification: Report, open_page: OpenPage) -> None:
    """The other controls on a classification project: compare and swap, Metric Class, toggles, cell clicks,
    independent presets, target try-out, details and a deep link."""
    p = classification.payload
    u, t = defaults(classification)
    c = len(p["classes"])
    page = open_page(classification, "tab=metrics")
    page.select_option("#model-b", "1")
    page.click("#swap")
    assert (state(page)["a"], state(page)["b"]) == (1, 0)
    page.select_option("#class-select", "2")
    op = page.locator('#pr-svg g.series[data-role="a"] .op')
    assert [int(op.get_attribute("data-p")), int(op.get_attribute("data-r"))] == expected_op(
        classification, 1, 0, u, t, 2
    )
    page.click('#toggle-show button[data-key="pct"]')
    page.click('#toggle-den button[data-key="col"]')
    mat = classification.matrix(1, 0, u, t)
    assert page.locator("#cell-0-0").text_content() == f"{100 * mat[0, 0] / mat[:, 0].sum():.1f}%"
    page.click("#cell-0-0")
    assert _examples_on_page(page) == expected_examples(classification, [(0, 0)], 1, 0, u, t)[:EX_PAGE]
    page.uncheck("#same-presets")
    page.evaluate(SET_RANGE, ["conf-b", t - 4])
    got = page.locator("#report-body tr").first.locator('td[data-k="pb"]').text_content()
    assert got == display_text(int(classification.blob("class_scores")[0, 0, u, t - 4, 0, 0]))
    assert c == len(p["display_names"])
    link = current_hash(page)
    page2 = open_page(classification, link.lstrip("#"))
    assert state(page2) == state(page)
    page.click("#open-details")
    page.fill("#try-f1", "0.99")
    page.click("#details-back")
    s = 0
    got_card = cards_now(page, [s])[str(s)]
    assert got_card["a"] == expected_card(classification, 1, s, u, t, {"f1": 0.99})
    assert got_card["b"] == expected_card(classification, 0, s, u, t - 4, {"f1": 0.99})
