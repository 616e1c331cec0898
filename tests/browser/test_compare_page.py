"""The report page comparing inference set B (candidate) with A (baseline), in Chromium (docs/compare.md).

The B − A matrix against the difference of the two matrices decoded in Python (and its text, hover text and
colours against ``reportgen.report.render.delta_grid``), the examples of a change and the flip list against the
engine (``reportgen.engine.compare`` on the same project run), the bootstrap intervals against the payload. Each page
is opened through ``open_page`` (tests/browser/conftest.py), which fails a test on any request, console error
or dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reportgen.engine.compare import FLIP_SAMPLE, object_outcomes, outcome_at
from reportgen.report.render import div_colour
from tests.browser.test_report_page import (
    SET_RANGE,
    _examples_on_page,
    _rgb,
    defaults,
    expected_examples,
    seg_index,
    state,
)
from tests.oracles import delta_grid, flips
from tests.test_render import HOSTILE, Report

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Any]

COMPARE_BLOBS = ["bootstrap", "flip_offsets", "flip_groups", "flip_counts", "sample_offsets", "sample_object",
                 "sample_frame", "sample_class", "sample_outcome_class", "sample_outcome_last"]  # fmt: skip
FLIP_GROUPS = 30  # flip groups listed before "show all" (static/js/compare.js)
FLIP_OBJECTS = 24  # objects listed per flip group before "show all"
COLUMN = 12  # objects / examples per side-by-side column at first
MORE = 120  # each "show more" lists this many more

READ_GRID = """() => {
  const out = {};
  for (const td of document.querySelectorAll("#matrix td.cell:not(.empty)")) {
    out[td.dataset.g + "," + td.dataset.p] = [Number(td.dataset.v), td.textContent, td.getAttribute("aria-label"),
      td.style.backgroundColor, td.classList.contains("dark")];
  }
  return out;
}"""

SWEEP_GRID = """([steps]) => {
  const set = (id, v) => {
    const el = document.getElementById(id);
    el.value = String(v);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const read = READ;
  // the reader who sweeps the presets watches the matrix: it is in sight, and so repainted with each step
  document.getElementById("matrix").scrollIntoView();
  const out = [];
  const times = [];
  for (const [u, t] of steps) {
    set("iou-a", u);
    set("conf-a", t);
    times.push(RG.lastRenderMs);
    out.push({ u: u, t: t, cells: read() });
  }
  times.sort((a, b) => a - b);
  return { out: out, medianMs: times[Math.floor(times.length / 2)] };
}""".replace("READ", READ_GRID)


def names(rep: Report) -> list[str]:
    return [*rep.payload["display_names"], "background"]


def check_grid(
    rep: Report,
    got: dict[str, list[Any]],
    a: int,
    b: int,
    s: int,
    ua: int,
    ta: int,
    ub: int | None = None,
    tb: int | None = None,
    *,
    pct: bool = False,
    den: str = "row",
) -> None:
    """The page's B − A grid equals the difference of the two matrices, and its texts, hover texts and colours
    are reportgen.report.render.delta_grid's."""
    mat_a = rep.matrix(a, s, ua, ta)
    mat_b = rep.matrix(b, s, ua if ub is None else ub, ta if tb is None else tb)
    want = delta_grid(rep.payload["display_names"], mat_a, mat_b, pct=pct, den=den)
    k = mat_a.shape[0]
    assert len(got) == k * k - 1
    for g in range(k):
        for q in range(k):
            cell = want[g][q]
            if cell is None:
                continue
            v, text, aria, bg, dark = got[f"{g},{q}"]
            where = (g, q, ua, ta, pct, den)
            assert v == int(mat_b[g, q]) - int(mat_a[g, q]) == cell.value, where
            assert text == cell.text, where
            assert aria == cell.label, where
            assert bg == ("" if cell.colour is None else _rgb(cell.colour)), where
            assert dark == cell.dark, where


def idle(page: Any) -> None:
    page.evaluate("RG.idle()")


# ------------------------------------------------------------------------------------------------ selection
def test_compare_data_is_decoded_only_once_b_is_chosen(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo, "tab=metrics")
    blobs = "() => Object.keys(RG.app.data.b)"
    assert not set(COMPARE_BLOBS) & set(page.evaluate(blobs))
    assert page.locator("#flips").count() == 0
    page.select_option("#model-b", "1")
    idle(page)
    assert set(COMPARE_BLOBS) <= set(page.evaluate(blobs))
    assert page.locator("#flips-status").get_attribute("data-state") == "ok"


def test_swap_and_the_order_next_to_the_matrix(demo: Report, open_page: OpenPage) -> None:
    s = seg_index(demo, "Far away planes")
    page = open_page(demo, "tab=metrics&seg=Far%20away%20planes&b=model-v2&mx=delta")
    u, t = defaults(demo)
    order = page.locator("#matrix-order").text_content()
    assert "A (baseline): model-v1" in order and "B (candidate): model-v2" in order
    assert page.locator('#toggle-mx button[data-key="delta"]').get_attribute("aria-pressed") == "true"
    assert "model-v2 (candidate" in page.locator("#matrix-note").text_content()
    check_grid(demo, page.evaluate(READ_GRID), 0, 1, s, u, t)
    assert "mx=delta" in page.evaluate("location.hash")
    page.click("#swap")
    st = state(page)
    assert (st["a"], st["b"], st["mx"]) == (1, 0, "delta")
    order = page.locator("#matrix-order").text_content()
    assert "A (baseline): model-v2" in order and "B (candidate): model-v1" in order
    check_grid(demo, page.evaluate(READ_GRID), 1, 0, s, u, t)
    # back to one inference set: the delta mode goes with B
    page.select_option("#model-b", "-1")
    assert state(page)["mx"] == "a"
    assert page.locator("#toggle-mx").is_hidden()
    assert page.locator("#matrix-order").count() == 0


# ------------------------------------------------------------------------------------------------ B − A matrix
def test_delta_matrix_is_the_difference_at_every_preset(demo: Report, open_page: OpenPage) -> None:
    s = seg_index(demo, "Night")
    page = open_page(demo, "tab=metrics&seg=Night&b=model-v3&mx=delta")
    u0, t0 = defaults(demo)
    nu, nt = len(demo.payload["grids"]["iou"]), len(demo.payload["grids"]["confidence"])
    steps = [(u0, t) for t in range(nt)] + [(u, t0) for u in range(nu) if u != u0] + [(u0 + 2, nt - 3), (1, 5)]
    res = page.evaluate(SWEEP_GRID, [steps])
    # functional only: the repaint budget is measured by the opt-in test_report_scale.py and bench_report.py
    assert [(r["u"], r["t"]) for r in res["out"]] == steps
    for row in res["out"]:
        check_grid(demo, row["cells"], 0, 2, s, row["u"], row["t"])


def test_delta_matrix_toggles_and_independent_presets(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo, "tab=metrics&b=model-v2&mx=delta")
    u, t = defaults(demo)
    for pct, label in ((False, "Absolute"), (True, "Percentage")):
        page.click(f'#toggle-show button:has-text("{label}")')
        for den, den_label in (("row", "Row"), ("col", "Column"), ("all", "Value")):
            page.click(f'#toggle-den button:has-text("{den_label}")')
            check_grid(demo, page.evaluate(READ_GRID), 0, 1, 0, u, t, pct=pct, den=den)
            legend = page.locator("#matrix-note").text_content()
            assert ("percentage points" in legend) == pct
    # the help text explains the modes
    page.click("#delta-help summary")
    help_text = page.locator("#delta-help").text_content()
    assert "delta - straight + 10 (2 -> 12)" in help_text and "+ 0" in help_text
    assert "B's share minus A's share" in help_text
    # B at its own preset: the difference of the two matrices at their presets
    page.click('#toggle-show button:has-text("Absolute")')
    page.click('#toggle-den button:has-text("Row")')
    page.uncheck("#same-presets")
    page.evaluate(SET_RANGE, ["conf-b", t + 5])
    check_grid(demo, page.evaluate(READ_GRID), 0, 1, 0, u, t, u, t + 5)


def test_delta_hover_text_and_colours(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo, "tab=metrics&b=model-v2&mx=delta")
    u, t = defaults(demo)
    mat_a, mat_b = demo.matrix(0, 0, u, t), demo.matrix(1, 0, u, t)
    d = mat_b - mat_a
    c = len(demo.payload["classes"])
    nm = names(demo)

    def cell(g: int, q: int) -> tuple[str | None, str | None, str]:
        loc = page.locator(f"#cell-{g}-{q}")
        loc.hover()  # the hover text (issue 12: a tooltip on hover and on focus, not the title attribute)
        return (
            page.locator("#cell-tip").text_content(),
            loc.get_attribute("aria-label"),
            loc.evaluate("(e) => e.style.backgroundColor"),
        )

    def blue(rgb: str) -> bool:
        r, _, b = (int(x) for x in rgb[4:-1].split(","))
        return b > r

    diag_up = next((g, g) for g in range(c) if d[g, g] > 0)
    off_up = next((g, q) for g in range(c + 1) for q in range(c + 1) if g != q and d[g, q] > 0)
    off_down = next((g, q) for g in range(c + 1) for q in range(c + 1) if g != q and d[g, q] < 0)
    zero = next((g, q) for g in range(c) for q in range(c) if d[g, q] == 0)
    for g, q in (diag_up, off_up, off_down, zero):
        a, b = int(mat_a[g, q]), int(mat_b[g, q])
        sign = "-" if b < a else "+"
        want = f"{nm[q]} - {nm[g]} {sign} {abs(b - a):,} ({a:,} -> {b:,})"  # the spec's form
        title, aria, bg = cell(g, q)
        assert title == aria == want
        if (g, q) == zero:
            assert bg == "" and page.locator(f"#cell-{g}-{q}").text_content() == "0" and " + 0 (" in want
        else:
            assert blue(bg) == ((g, q) != off_up), (g, q, bg)  # increase on the diagonal / decrease off it: blue
    # darkest: the largest change of its row (Absolute, Row)
    g = diag_up[0]
    q_max = int(np.argmax(np.abs(d[g])))
    assert cell(g, q_max)[2] == _rgb(div_colour(1.0 if (q_max == g) == (d[g, q_max] > 0) else -1.0))
    # the hover shows the label as the cell's tooltip
    page.hover(f"#cell-{off_up[0]}-{off_up[1]}")
    assert page.locator("#cell-tip").is_visible()
    assert page.locator("#cell-tip").text_content() == cell(*off_up)[1]


# ------------------------------------------------------------------------------------------------ examples of a change
def engine_outcomes(rep: Report, m: int, u: int, t: int) -> np.ndarray:
    gt = rep.run.gt
    return outcome_at(object_outcomes(gt, rep.run.results[m]), u, t, gt.num_classes)


def pair_sample(rep: Report, a: int, b: int) -> set[int]:
    """The objects of the pair's sample (docs/report-payload.md): the only ones the page can list."""
    q = [tuple(x) for x in rep.payload["compare"]["pairs"]].index((min(a, b), max(a, b)))
    start, n = (int(x) for x in rep.blob("sample_offsets")[q])
    return {int(i) for i in rep.blob("sample_object")[start : start + n]}


def listed_objects(page: Any, grid: str) -> list[int]:
    return [
        int(x) for x in page.locator(f"#{grid} article[data-obj]").evaluate_all("(es) => es.map((e) => e.dataset.obj)")
    ]


def test_examples_of_a_delta_cell(demo: Report, open_page: OpenPage) -> None:
    s = seg_index(demo, "Far away planes")
    page = open_page(demo, "tab=metrics&seg=Far%20away%20planes&b=model-v2&mx=delta")
    u, t = defaults(demo)
    gt = demo.run.gt
    c = gt.num_classes
    mask = demo.segment_mask(s)
    sample = pair_sample(demo, 0, 1)
    oa, ob = engine_outcomes(demo, 0, u, t), engine_outcomes(demo, 1, u, t)
    inside = mask[gt.frame] & ~gt.crowd
    d = demo.matrix(1, s, u, t) - demo.matrix(0, s, u, t)

    def expected(cells: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
        in_a = np.array([(int(g), int(x)) in cells for g, x in zip(gt.cls, oa, strict=True)])
        in_b = np.array([(int(g), int(x)) in cells for g, x in zip(gt.cls, ob, strict=True)])
        return np.flatnonzero(inside & in_a & ~in_b).tolist(), np.flatnonzero(inside & in_b & ~in_a).tolist()

    def check(cells: list[tuple[int, int]]) -> None:
        idle(page)
        only_a, only_b = expected(cells)
        status = page.locator("#examples-status")
        assert status.get_attribute("data-only-a") == str(len(only_a))
        assert status.get_attribute("data-only-b") == str(len(only_b))
        assert (
            len(only_b) - len(only_a) == sum(int(d[g, q]) for g, q in cells) == int(status.get_attribute("data-change"))
        )
        # the objects listed: those of the pair's sample (all of them when there are few)
        assert listed_objects(page, "delta-only-a") == [i for i in only_a if i in sample][:COLUMN]
        assert listed_objects(page, "delta-only-b") == [i for i in only_b if i in sample][:COLUMN]

    # a confusion cell that changed, by a click
    g, q = next((g, q) for g in range(c) for q in range(c + 1) if g != q and d[g, q] != 0)
    page.click(f"#cell-{g}-{q}")
    check([(g, q)])
    ex = page.locator("#delta-only-a article, #delta-only-b article").first
    assert ex.locator(".ex-a").text_content() != ex.locator(".ex-b").text_content()
    # the FN filter: objects missed by one set and not the other
    page.click("#filter-fn")
    check([(x, c) for x in range(c)])
    # "show more" lists the next ones
    only_a = [i for i in expected([(x, c) for x in range(c)])[0] if i in sample]
    assert len(only_a) > COLUMN
    page.locator("#delta-only-a ~ button.more-btn").click()
    assert listed_objects(page, "delta-only-a") == only_a[: COLUMN + MORE]
    assert page.locator("#delta-only-a ~ button.more-btn").count() == (len(only_a) > COLUMN + MORE)
    # B at its own preset: the objects of the sample in the cells for one set and not the other, said to be so
    page.uncheck("#same-presets")
    page.evaluate(SET_RANGE, ["conf-b", t + 3])
    idle(page)
    ob = engine_outcomes(demo, 1, u, t + 3)
    only_a, only_b = ([i for i in x if i in sample] for x in expected([(x, c) for x in range(c)]))
    status = page.locator("#examples-status")
    assert status.get_attribute("data-exact") == "0" and "different presets" in status.text_content()
    assert status.get_attribute("data-only-a") == str(len(only_a))
    assert status.get_attribute("data-only-b") == str(len(only_b))
    assert listed_objects(page, "delta-only-b") == only_b[:COLUMN]
    page.check("#same-presets")
    # the FP filter: false positives cannot be paired, each set's own examples side by side
    page.click("#filter-fp")
    idle(page)
    cells = [(c, x) for x in range(c)]
    for grid, m in (("fp-a", 0), ("fp-b", 1)):
        want = expected_examples(demo, cells, m, s, u, t)
        rows = page.locator(f"#{grid} article.ex").evaluate_all(
            "(es) => es.map((e) => [e.querySelector('.ex-frame').textContent, e.querySelector('.ex-conf').textContent])"
        )
        assert [tuple(r) for r in rows] == want[:COLUMN]
        assert page.locator(f"#{grid}").get_attribute("data-exist") == str(int(demo.matrix(m, s, u, t)[c].sum()))
    # the counts matrix's examples are back when leaving the delta mode
    page.click('#toggle-mx button[data-key="b"]')
    assert state(page)["filt"] == "fp"
    assert _examples_on_page(page) == expected_examples(demo, cells, 1, s, u, t)[:24]


# ------------------------------------------------------------------------------------------------ what flipped
READ_FLIPS = """() => [...document.querySelectorAll("#flip-groups details.flip-group")].map((d) =>
  [Number(d.dataset.g), Number(d.dataset.before), Number(d.dataset.after), Number(d.dataset.count)])"""


READ_PICTURES = """(es) => es.map((e) => {
  const img = e.querySelector("img");
  return [Number(e.dataset.obj), img ? img.getAttribute("src") : null];
})"""


def test_flip_list_is_the_engines(demo: Report, open_page: OpenPage) -> None:
    u0, t0 = defaults(demo)
    gt = demo.run.gt
    out = object_outcomes(gt, demo.run.results[0]), object_outcomes(gt, demo.run.results[2])
    ex = demo.examples()
    thumbs = demo.payload["thumbnails"]
    sample = pair_sample(demo, 0, 2)
    pictures = 0
    for seg, (u, t) in (("All Frames", (u0, t0)), ("Far away planes", (u0, t0 + 6)), ("Night", (u0 - 2, t0 + 2))):
        s = seg_index(demo, seg)
        page = open_page(demo, f"tab=metrics&seg={seg}&b=model-v3")
        page.evaluate(SET_RANGE, ["iou-a", u])
        page.evaluate(SET_RANGE, ["conf-a", t])
        mask = demo.segment_mask(s)
        want = flips(gt, out[0], out[1], u, t, mask)
        assert want
        if len(want) > FLIP_GROUPS:
            page.click("#flips-all")
        got = page.evaluate(READ_FLIPS)
        assert got == [[f.gt_class, f.before, f.after, len(f.objects)] for f in want], (seg, u, t)
        assert page.locator("#flips-status").get_attribute("data-total") == str(sum(len(f.objects) for f in want))
        # by kind
        kinds = page.locator("#flip-kinds li").evaluate_all(
            "(ls) => ls.map((l) => [l.dataset.kind, l.querySelector('b').textContent])"
        )
        c = gt.num_classes
        word = {True: "found"}
        total: dict[str, int] = {}
        for f in want:
            kind = " → ".join(
                word.get(x == f.gt_class, "missed" if x == c else "confused") for x in (f.before, f.after)
            )
            total[kind] = total.get(kind, 0) + len(f.objects)
        assert dict(kinds) == {k: f"{v:,}" for k, v in total.items()}
        # a group's objects, with what A and B said
        for n in (0, len(want) - 1):
            f = want[n]
            group = page.locator("#flip-groups details.flip-group").nth(n)
            group.locator("summary").click()
            idle(page)
            objects = [
                int(x) for x in group.locator("article[data-obj]").evaluate_all("(es) => es.map((e) => e.dataset.obj)")
            ]
            in_sample = [i for i in f.objects if i in sample]
            assert objects == in_sample[:FLIP_OBJECTS]
            # a group of at most FLIP_SAMPLE objects is sampled whole; a larger one keeps FLIP_SAMPLE and says so
            assert len(in_sample) == len(f.objects) if len(f.objects) <= FLIP_SAMPLE else len(in_sample) >= FLIP_SAMPLE
            note = group.locator(".flip-sample")
            if len(in_sample) < len(f.objects):
                assert note.get_attribute("data-total") == str(len(f.objects))
                assert f"Showing {len(in_sample):,} of {len(f.objects):,} objects" in note.text_content()
            else:
                assert note.count() == 0
            names_ = demo.payload["display_names"]
            first = group.locator("article[data-obj]").first
            assert first.locator(".ex-frame").text_content() == demo.frame_ids[int(gt.frame[in_sample[0]])]
            before = (
                "found" if f.before == f.gt_class else "missed" if f.before == c else f"confused as {names_[f.before]}"
            )
            assert first.locator(".ex-a").text_content() == before
            # pictures: the examples' thumbnail of the same object (same frame, class and box)
            for i, src in group.locator("article[data-obj]").evaluate_all(READ_PICTURES):
                if src is None:
                    continue
                pictures += 1
                keys = [k for k, v in thumbs.items() if v == src]
                assert keys
                j = int(keys[0].split(":")[2])
                assert ex["objects"]["frame"][j] == int(gt.frame[i]) and ex["objects"]["cls"][j] == int(gt.cls[i])
                assert ex["objects"]["box"][j] == np.round(gt.box[i], 2).tolist()
        # false positives of each set
        fp = page.locator("#flip-fp")
        assert fp.get_attribute("data-a") == str(int(demo.matrix(0, s, u, t)[c].sum()))
        assert fp.get_attribute("data-b") == str(int(demo.matrix(2, s, u, t)[c].sum()))
    assert pictures > 0
    # "List them side by side" opens the false positives of both sets
    page.click("#flip-fp-list")
    st = state(page)
    assert (st["mx"], st["filt"]) == ("delta", "fp")
    idle(page)
    assert page.locator("#fp-a article.ex").count() > 0 and page.locator("#fp-b article.ex").count() > 0


def test_flips_need_equal_presets(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo, "tab=metrics&b=model-v2")
    _, t = defaults(demo)
    assert page.locator("#flips-status").get_attribute("data-state") == "ok"
    page.uncheck("#same-presets")
    assert page.locator("#flips-status").get_attribute("data-state") == "ok"  # still equal
    page.evaluate(SET_RANGE, ["conf-b", t + 1])
    status = page.locator("#flips-status")
    assert status.get_attribute("data-state") == "presets"
    assert "needs A and B at the same preset" in status.text_content()
    assert page.locator("#flip-groups").count() == 0
    # the intervals too
    assert page.locator(".summary-card .ci").count() == 0
    assert page.locator("#summary-ci-note").get_attribute("data-state") == "presets"
    page.evaluate(SET_RANGE, ["conf-b", t])
    assert page.locator("#flips-status").get_attribute("data-state") == "ok"
    assert page.locator(".summary-card .ci").count() == 3


# ------------------------------------------------------------------------------------------------ is it noise
def signed(v: float) -> str:
    """An interval bound as the page shows it (RG.signedFixed); NaN (undefined) is not shown."""
    if np.isnan(v):
        return ""
    text = f"{abs(v):.4f}"
    return text if float(text) == 0 else ("+" if v > 0 else "−") + text


def score_delta(a: float, b: float) -> str:
    """A difference of two scores as the cards show it (RG.scoreDelta)."""
    if np.isnan(a) or np.isnan(b):
        return "–"
    text = f"{abs(b - a):.4f}"
    return "±" + text if float(text) == 0 else ("+" if b > a else "−") + text


READ_CI = """() => [...document.querySelectorAll("#app article.card")].map((card) => [Number(card.dataset.segment),
  [...card.querySelectorAll("tr[data-metric]")].map((tr) => {
    const ci = tr.querySelector("td.delta .ci");
    return ci ? [tr.querySelector("td.delta .dv").textContent, ci.dataset.lo, ci.dataset.hi, ci.dataset.ns,
      !!tr.querySelector("td.delta .ns-mark")] : null;
  })])"""


def test_bootstrap_intervals_are_the_payloads(demo: Report, open_page: OpenPage) -> None:
    p = demo.payload
    boot = demo.blob("bootstrap")
    cards = demo.blob("cards")
    u, t = defaults(demo)
    assert p["compare"]["bootstrap"]["presets"][0] == [u, t]
    pairs = [tuple(x) for x in p["compare"]["pairs"]]
    checked_ns = set()
    for a, b in ((0, 1), (2, 0)):  # stored pair, and a pair shown the other way round (negated, bounds swapped)
        page = open_page(demo, f"a={p['inference_sets'][a]['name']}&b={p['inference_sets'][b]['name']}")
        got = page.evaluate(READ_CI)
        assert len(got) == len(p["segments"])
        for s, rows in got:
            for k, row in enumerate(rows):
                if (a, b) in pairs:
                    d, lo, hi = boot[pairs.index((a, b)), s, 0, k]
                else:
                    d, lo, hi = boot[pairs.index((b, a)), s, 0, k]
                    d, lo, hi = -d, -hi, -lo
                assert row is not None
                dv, lo_text, hi_text, ns, mark = row
                assert dv == score_delta(float(cards[a, s, u, t, k]), float(cards[b, s, u, t, k]))
                if not np.isnan(d):  # the interval's difference is the cards' difference
                    assert abs(float(cards[b, s, u, t, k] - cards[a, s, u, t, k]) - d) < 1e-12
                assert (lo_text, hi_text) == (signed(lo), signed(hi)), (a, b, s, k)
                if np.isnan(lo) or np.isnan(hi):
                    assert ns == "" and not mark
                    continue
                includes_zero = bool(lo <= 0 <= hi)
                assert ns == ("1" if includes_zero else "0") and mark == includes_zero
                checked_ns.add(includes_zero)
        note = page.locator("#scenarios-ci-note").text_content()
        assert (
            "paired bootstrap over frames, 1,000 resamples, 95% percentile interval, seed 20260501, "
            "at confidence 0.10, IoU 0.50" in note
        )
    assert checked_ns == {True, False}  # both marks were seen
    # the segment summary in the Metrics tab
    s = seg_index(demo, "Night")
    page = open_page(demo, "tab=metrics&seg=Night&b=model-v2")
    rows = page.locator(".summary-card tr[data-metric]").evaluate_all(
        "(rs) => rs.map((r) => { const ci = r.querySelector('.ci'); return [ci.dataset.lo, ci.dataset.hi]; })"
    )
    assert rows == [[signed(boot[0, s, 0, k, 1]), signed(boot[0, s, 0, k, 2])] for k in range(3)]
    assert "seed 20260501" in page.locator("#summary-ci-note").text_content()
    # elsewhere: no interval, and the note says where there are some
    page.evaluate(SET_RANGE, ["conf-a", t + 3])
    assert page.locator(".summary-card .ci").count() == 0
    note = page.locator("#summary-ci-note")
    assert note.get_attribute("data-state") == "elsewhere"
    assert "confidence 0.10 · IoU 0.50" in note.text_content()


# ------------------------------------------------------------------------------------------------ other projects
def test_many_classes_delta_table(many: Report, open_page: OpenPage) -> None:
    page = open_page(many, "tab=metrics&b=beta&mx=delta")
    u, t = defaults(many)
    c = len(many.payload["classes"])
    mat_a, mat_b = many.matrix(0, 0, u, t), many.matrix(1, 0, u, t)
    rows = page.locator("#pairs tbody tr").evaluate_all(
        "(rs) => rs.map((r) => [Number(r.dataset.g), Number(r.dataset.p), Number(r.dataset.v),"
        " [...r.querySelectorAll('td.num')].map((td) => td.textContent), r.getAttribute('title')])"
    )
    k = c + 1
    # the errors by default (confusions, FP, FN); correct cells are listed on demand (issue 12)
    cells = [(g, q) for g in range(k) for q in range(k)
             if (g < c or q < c) and g != q and (mat_a[g, q] or mat_b[g, q])]  # fmt: skip
    want = sorted(cells, key=lambda x: (-abs(int(mat_b[x]) - int(mat_a[x])), x[0] * k + x[1]))[:50]
    assert [(r[0], r[1]) for r in rows] == want
    grid = delta_grid(many.payload["display_names"], mat_a, mat_b)
    for g, q, v, nums, title in rows:
        assert v == int(mat_b[g, q]) - int(mat_a[g, q])
        assert nums == [f"{int(mat_a[g, q]):,}", f"{int(mat_b[g, q]):,}", grid[g][q].text]
        assert title == grid[g][q].label
    assert "by absolute change" in page.locator("#pairs-count").text_content()


def test_classification_compare(classification: Report, open_page: OpenPage) -> None:
    s = seg_index(classification, "Night")
    page = open_page(classification, "tab=metrics&seg=Night&b=model-v2&mx=delta")
    u, t = defaults(classification)
    check_grid(classification, page.evaluate(READ_GRID), 0, 1, s, u, t)
    gt = classification.run.gt
    mask = classification.segment_mask(s)
    want = flips(
        gt,
        object_outcomes(gt, classification.run.results[0]),
        object_outcomes(gt, classification.run.results[1]),
        u,
        t,
        mask,
    )
    if len(want) > FLIP_GROUPS:
        page.click("#flips-all")
    assert page.evaluate(READ_FLIPS) == [[f.gt_class, f.before, f.after, len(f.objects)] for f in want]
    assert "IoU" not in page.locator("#summary-ci-note").text_content()


def test_hostile_names_in_the_compare_views(hostile: Report, open_page: OpenPage) -> None:
    p = hostile.payload
    b_name = p["inference_sets"][1]["name"].replace("%", "%25").replace("&", "%26").replace("#", "%23")
    page = open_page(hostile, "tab=metrics&mx=delta&b=" + b_name)
    labels = page.locator("#matrix td.cell:not(.empty)").evaluate_all(
        "(cs) => cs.map((c) => c.getAttribute('aria-label'))"
    )
    assert any(HOSTILE[0] in x for x in labels) and any(HOSTILE[1] in x for x in labels)
    page.click("#filter-fn")
    idle(page)
    page.locator("#flip-groups details.flip-group summary").first.click()
    idle(page)
    assert page.locator("#flip-groups article[data-obj]").count() > 0
    assert page.locator("#matrix-order").text_content().count("model ") == 2
    # nothing from the data became an element or a handler
    assert page.evaluate("document.querySelectorAll('script').length") == 2
    handlers = "[...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name)))"
    assert page.evaluate(handlers + ".length") == 0
    assert page.evaluate("document.querySelectorAll('img:not([src^=\"data:image/\"])').length") == 0


def test_intervals_at_a_preset_given_with_bootstrap_at(demo: Report, open_page: OpenPage, tmp_path: Path) -> None:
    """A report built with --bootstrap-at 0.3:0.5: the page finds the second preset's intervals."""
    from reportgen.io.project import load_project
    from reportgen.report.build import build_report

    out = tmp_path / "report.html"
    payload = build_report(load_project(demo.project_file), out, run=demo.run, bootstrap_presets=[(0.3, 0.5)])
    rep = Report(demo.project_file, payload, out.read_text(encoding="utf-8"), out, demo.run)
    presets = payload["compare"]["bootstrap"]["presets"]
    u, t = defaults(rep)
    t3 = payload["grids"]["confidence"].index(0.3)
    assert presets == [[u, t], [u, t3]]
    boot = rep.blob("bootstrap")
    page = open_page(rep, "conf=0.3&a=model-v2&b=model-v1")  # the stored pair (0, 1), shown as A = 1, B = 0
    got = page.evaluate(READ_CI)
    for s, rows in got:
        for k, row in enumerate(rows):
            _, lo, hi = boot[0, s, 1, k]
            assert row is not None and (row[1], row[2]) == (signed(-hi), signed(-lo)), (s, k)
    note = page.locator("#scenarios-ci-note").text_content()
    assert "at confidence 0.30, IoU 0.50" in note
    # at a third preset: where they exist
    page.evaluate(SET_RANGE, ["conf-a", t3 + 1])
    note = page.locator("#scenarios-ci-note")
    assert note.get_attribute("data-state") == "elsewhere"
    assert "confidence 0.10 · IoU 0.50; confidence 0.30 · IoU 0.50" in note.text_content()
    assert page.locator("#app td.delta .ci").count() == 0


def test_a_report_without_comparison_data(demo: Report, open_page: OpenPage, tmp_path: Path) -> None:
    """A payload from before the comparison data: B still works (cards, B − A matrix), the rest says why not."""
    import json

    from reportgen.report.build import default_charts
    from reportgen.report.render import render_report

    payload = json.loads(json.dumps(demo.payload))
    del payload["compare"]
    for name in COMPARE_BLOBS:
        del payload["blobs"][name]
    out = tmp_path / "old.html"
    tables = demo.tables()
    out.write_text(render_report(payload, tables, charts=default_charts(payload, tables)), encoding="utf-8")
    rep = Report(demo.project_file, payload, out.read_text(encoding="utf-8"), out, demo.run)
    page = open_page(rep, "tab=metrics&b=model-v2&mx=delta")
    u, t = defaults(rep)
    check_grid(demo, page.evaluate(READ_GRID), 0, 1, 0, u, t)
    assert page.locator("#flips-status").get_attribute("data-state") == "none"
    assert page.locator(".summary-card .ci").count() == 0
    assert page.locator("#summary-ci-note").count() == 0
    page.click("#filter-fn")
    assert "no per-object outcomes" in page.locator("#examples-status").text_content()
    page.click("#filter-fp")
    idle(page)
    assert page.locator("#fp-a article.ex").count() > 0


def test_a_capped_sample_says_how_many_there_are_in_all(
    demo: Report, open_page: OpenPage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With 2 sampled objects per group and 6 listed frames per segment, the page lists those and says how many
    there are in all (the counts are never sampled)."""
    from reportgen.io.project import load_project
    from reportgen.report import payload as payload_module
    from reportgen.report.build import build_report

    monkeypatch.setattr(payload_module, "FLIP_SAMPLE", 2)
    monkeypatch.setattr(payload_module, "SEGMENT_FRAMES", 6)
    out = tmp_path / "capped.html"
    payload = build_report(load_project(demo.project_file), out, run=demo.run)
    rep = Report(demo.project_file, payload, out.read_text(encoding="utf-8"), out, demo.run)
    gt = demo.run.gt
    u, t = defaults(rep)
    want = flips(gt, object_outcomes(gt, demo.run.results[0]), object_outcomes(gt, demo.run.results[1]), u, t)
    sample = pair_sample(rep, 0, 1)
    page = open_page(rep, "tab=metrics&b=model-v2")
    # every group's count is the oracle's, whatever the sample
    got = page.evaluate(READ_FLIPS)
    assert got[:FLIP_GROUPS] == [[f.gt_class, f.before, f.after, len(f.objects)] for f in want][:FLIP_GROUPS]
    status = page.locator("#flips-status")
    total = sum(len(f.objects) for f in want)
    assert status.get_attribute("data-total") == str(total)
    listed = int(status.get_attribute("data-listed"))
    assert listed < total and f"({listed:,} of {total:,} in all)" in status.text_content()
    # the largest group lists its sampled objects and says how many it has
    f = want[0]
    assert len(f.objects) > 2
    group = page.locator("#flip-groups details.flip-group").first
    group.locator("summary").click()
    idle(page)
    objects = listed_objects(page, "flip-groups")
    in_sample = [i for i in f.objects if i in sample]
    assert objects == in_sample[:FLIP_OBJECTS] and 2 <= len(objects) < len(f.objects)
    note = group.locator(".flip-sample")
    assert note.get_attribute("data-listed") == str(len(in_sample))
    assert note.get_attribute("data-total") == str(len(f.objects))
    assert f"Showing {len(in_sample):,} of {len(f.objects):,} objects" in note.text_content()
    assert "at most 2 per group, segment and preset" in note.text_content()
    # the examples of a change: totals from the counts, the objects from the sample, and the columns say so
    page.click('#toggle-mx button[data-key="delta"]')
    page.click("#filter-fn")
    idle(page)
    st = page.locator("#examples-status")
    oa, ob = engine_outcomes(rep, 0, u, t), engine_outcomes(rep, 1, u, t)
    c = gt.num_classes
    only_a = [i for i in range(gt.num_objects) if not gt.crowd[i] and oa[i] == c and ob[i] != c]
    assert st.get_attribute("data-exact") == "1" and st.get_attribute("data-only-a") == str(len(only_a))
    listed_a = [i for i in only_a if i in sample]
    assert st.get_attribute("data-listed-a") == str(len(listed_a)) and len(listed_a) < len(only_a)
    col_note = page.locator("#delta-only-a-sample")
    assert col_note.get_attribute("data-total") == str(len(only_a))
    assert f"Showing {len(listed_a):,} of {len(only_a):,} objects" in col_note.text_content()
    # a segment's details: its query, its frame count and the listed share
    s = next(i for i, seg in enumerate(payload["segments"]) if seg["query"] and seg["frame_count"] > 6)
    seg = payload["segments"][s]
    page = open_page(rep, f"tab=details&seg={seg['name']}")
    definition = page.locator("#segment-definition")
    assert definition.locator("code").text_content() == seg["query"]
    assert definition.get_attribute("data-frames") == str(seg["frame_count"]) == str(demo.run.segments[s].frame_count)
    assert f"{seg['frame_count']:,} frames; the report lists the first 6" in definition.text_content()
    assert page.locator("#frame-list li").all_text_contents() == [rep.frame_ids[f] for f in seg["frames"]]
