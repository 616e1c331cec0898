"""The report page as a reader meets it (issue 12): JavaScript off, long names, narrow screens, many classes,
the target try-out, the filters' flow, hover text, accessibility; and a malformed link (issue 9).

Each test here failed on the page before its fix. Layout tests measure boxes in the browser: they assert where
things are, never how long anything took.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from reportgen.report.render import score_text, threshold_text
from tests.browser.conftest import OpenPage
from tests.test_render import Report, build_project_report, write_synthetic_project

pytestmark = pytest.mark.browser

LONG_A = "baseline-model-with-a-very-long-name-v1.2.3"
LONG_B = "candidate-model-with-an-even-longer-name-v2.0.0-rc1"
LONG_CLASS = "Rotorcraft-with-a-remarkably-long-class-name-for-the-matrix"
LONG_SEGMENT = "Frames from the second provider at dusk with partial occlusion (long name)"

_BUILT: dict[str, Report] = {}


def _long_names_project(d: Path) -> Path:
    classes = ["delta", LONG_CLASS, "swept", "Variable-sweep-with-a-long-name"]
    frame_ids = [f"frame-{i:03d}" for i in range(60)]
    path = write_synthetic_project(d, classes=classes, frame_ids=frame_ids, models=[LONG_A, LONG_B, "m3"], seed=11,
                                   project_name="Long names")  # fmt: skip
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["segments"][-1]["name"] = LONG_SEGMENT
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _classes25_project(d: Path) -> Path:
    classes = [f"aircraft-class-{i:02d}" for i in range(25)]
    frame_ids = [f"{i:05d}" for i in range(160)]
    return write_synthetic_project(d, classes=classes, frame_ids=frame_ids, models=["alpha", "beta"], seed=5,
                                   project_name="Twenty-five classes")  # fmt: skip


def _report(name: str, factory: pytest.TempPathFactory) -> Report:
    if name not in _BUILT:
        d = factory.mktemp(name)
        writer = {"long": _long_names_project, "classes25": _classes25_project}[name]
        _BUILT[name] = build_project_report(writer(d), d / "report.html")
    return _BUILT[name]


@pytest.fixture(scope="session")
def long_names(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return _report("long", tmp_path_factory)


@pytest.fixture(scope="session")
def classes25(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return _report("classes25", tmp_path_factory)


def seg_index(rep: Report, name: str) -> int:
    return [s["name"] for s in rep.payload["segments"]].index(name)


def state(page: Any) -> dict[str, Any]:
    return page.evaluate("JSON.parse(JSON.stringify(RG.app.state))")  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------------------------ 1. no JavaScript
def test_no_javascript_chart_resolves_every_reference_and_draws_every_set(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo, js=False)
    refs = page.evaluate(
        """() => Array.from(document.querySelectorAll('#static-view svg use')).map((u) =>
             (u.getAttribute('href') || u.getAttribute('xlink:href') || '').replace(/^#/, ''))"""
    )
    assert refs, "the static chart draws its ticks and markers with <use>"
    missing = page.evaluate("(ids) => ids.filter((id) => !document.getElementById(id))", refs)
    assert missing == []
    names = [m["name"] for m in demo.payload["inference_sets"]]
    assert len(names) == 3
    # one curve and one current-point marker per inference set, and each named in the legend
    assert page.locator('#static-view svg g[id^="pr-series-"]').count() == len(names)
    assert page.locator('#static-view svg g[id^="pr-point-"]').count() == len(names)
    legend = page.locator("#static-view svg").text_content() or ""
    for name in names:
        assert name in legend


# ------------------------------------------------------------------------------------------------ 3. try a target
def test_try_a_target_refuses_bad_values_at_the_field(demo: Report, open_page: OpenPage) -> None:
    s = seg_index(demo, "test")  # precision target 0.75 in the project file
    page = open_page(demo, "tab=details&seg=test")
    field = page.locator("#try-precision")
    msg = page.locator("#try-precision-msg")
    label = page.locator('.strip-block[data-metric="precision"] .target-line + text')
    assert label.text_content() == "target 0.75"
    for bad, word in (
        ("-0.1", "Out of range"),
        ("1.5", "Out of range"),
        ("abc", "Not a number"),
        ("0.8.1", "Not a number"),
    ):
        field.fill(bad)
        assert word in (msg.text_content() or ""), bad
        assert field.get_attribute("aria-invalid") == "true"
        assert state(page)["tg"] == {}, bad  # nothing changed
        assert label.text_content() == "target 0.75", bad
        assert field.input_value() == bad  # the reader's text stays, with the message beside it
    # a good value clears the message and is shown with the digits typed
    field.fill("0.72223")
    assert msg.text_content() == ""
    assert field.get_attribute("aria-invalid") is None
    assert state(page)["tg"] == {str(s): {"precision": 0.72223}}
    assert label.text_content() == "target 0.72223"
    # a bad value after a good one in the same edit goes back to the target in force when the field got focus
    field.fill("7")
    assert state(page)["tg"] == {}
    # the refused text and its message stay while the reader works elsewhere on the page
    page.fill("#try-recall", "0.5")
    assert field.input_value() == "7" and "Out of range" in (msg.text_content() or "")
    page.locator("#details-back").click()
    card = page.locator(f'#app article.card[data-segment="{s}"]')
    assert card.locator('tr[data-metric="precision"] td.target').inner_text().startswith("≥ 0.75")
    # typed in the link, a negative zero is zero
    page.evaluate("location.hash = '#tab=details&seg=test&tg=test:precision:-0'")
    page.wait_for_function("RG.app.state.tab === 'details'")
    assert page.locator('.strip-block[data-metric="precision"] .target-line + text').text_content() == "target 0.00"


@pytest.mark.parametrize(
    ("score", "threshold", "exact", "text", "thr_text"),
    [
        (0.72225, 0.72223, True, "0.72225", "0.72223"),  # passing: not "0.7223 ≥ 0.72223"-style ambiguity
        (0.72223, 0.72223, True, "0.72223", "0.72223"),  # equal passes: never "0.7222" beside "0.72223"
        (0.72222, 0.72223, True, "0.7222", "0.72223"),  # failing reads failing
        (0.8, 0.8, True, "0.8000", "0.80"),
        (0.67741, 0.677405, False, "0.6774", "0.6774"),  # a computed (relative) threshold keeps 4 decimals
    ],
)
def test_score_and_target_texts_tell_pass_from_fail(
    score: float, threshold: float, exact: bool, text: str, thr_text: str
) -> None:
    assert score_text(score, threshold, exact=exact) == text
    assert threshold_text(threshold, score, exact=exact) == thr_text
    assert (float(text) >= float(thr_text)) == (score >= threshold)  # the texts read as the verdict


def test_score_and_target_texts_match_python(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo)
    rng = np.random.default_rng(4)
    thresholds = [
        float(np.round(x, int(d))) for x, d in zip(rng.uniform(0, 1, 60), rng.integers(2, 7, 60), strict=True)
    ]
    cases = []
    for thr in thresholds:
        for delta in (0.0, 1e-5, -1e-5, 2e-6, -2e-6, 3e-4, -0.01):
            cases.append([thr + delta, thr])
    got = page.evaluate(
        "(cs) => cs.map(([v, t]) => [RG.scoreText(v, t, undefined, true), RG.thresholdText(t, v, true),"
        " RG.scoreText(v, t), RG.thresholdText(t, v)])",
        cases,
    )
    for (v, t), row in zip(cases, got, strict=True):
        want = [score_text(v, t, exact=True), threshold_text(t, v, exact=True), score_text(v, t), threshold_text(t, v)]
        assert row == want, (v, t)
        # with the digits shown, the comparison reads as the verdict, in both directions
        assert (float(row[0]) >= float(row[1])) == (v >= t), (v, t, row)


# ------------------------------------------------------------------------------------------------ 9. targets, decimals
def test_pr_curve_draws_only_the_targets_that_apply(demo: Report, open_page: OpenPage) -> None:
    classes = demo.payload["display_names"]
    page = open_page(demo, "tab=metrics&seg=test")  # pooled targets: precision 0.75, recall 0.70
    assert page.locator("#pr-svg .target-p").count() == 1
    assert page.locator("#pr-svg .target-r").count() == 1
    page.select_option("#class-select", str(classes.index("swept")))
    assert page.locator("#pr-svg .target-p").count() == 0
    assert page.locator("#pr-svg .target-r").count() == 0
    # a segment whose targets are about one class: drawn over that class's curve only
    page.select_option("#seg-select", str(seg_index(demo, "Delta wings")))
    page.select_option("#class-select", str(classes.index("delta")))
    assert page.locator("#pr-svg .target-p").count() == 1
    page.select_option("#class-select", "-1")
    assert page.locator("#pr-svg .target-p").count() == 0


def test_best_f1_confidence_has_4_decimals_like_every_score(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo, "tab=metrics&b=model-v2")
    texts = page.locator("#pr-stats .best-t").all_text_contents()
    assert len(texts) == 2
    for text in texts:
        # a prediction's score (docs/json-schema.md), not a grid point: 4 decimals, never 0.42 beside 0.331
        assert re.fullmatch(r" at confidence \d\.\d{4}", text), text


# ------------------------------------------------------------------------------------------------ issue 9: the link
def test_a_malformed_fragment_is_ignored_entry_by_entry(demo: Report, open_page: OpenPage) -> None:
    s = seg_index(demo, "test")
    page = open_page(demo, "tab=metrics&tg=%25:precision:0.5,test:recall:0.9&b=model-v2")
    st = state(page)
    assert st["tab"] == "metrics" and st["b"] == 1
    assert st["tg"] == {str(s): {"recall": 0.9}}
    # on hashchange: no uncaught URIError (open_page fails the test on any page error), the rest applies
    page.evaluate("location.hash = '#tg=%E0%A4%A:precision:0.5&tab=scenarios&conf=0.5'")
    page.wait_for_function("RG.app.state.tab === 'scenarios'")
    st = state(page)
    assert st["tg"] == {}
    assert demo.payload["grids"]["confidence"][st["ta"]] == 0.5
    page.evaluate("location.hash = '#seg=%&tab=metrics&cls=%zz'")
    page.wait_for_function("RG.app.state.tab === 'metrics'")
    assert state(page)["cls"] == -1


# ------------------------------------------------------------------------------------------------ 2. long names
#: every cell of every card's table: [card name, cell text, whether the cell lies inside its card's box and
#: inside the card's scroll box (not scrolled out of sight)]
CARD_CELLS = """(root) => {
  const out = [];
  for (const card of document.querySelectorAll(root + ' article.card')) {
    if (!card.getClientRects().length) continue;
    const box = card.getBoundingClientRect();
    const scroll = card.querySelector('.card-scroll').getBoundingClientRect();
    for (const cell of card.querySelectorAll('.card-table td, .card-table th')) {
      const r = cell.getBoundingClientRect();
      const inside = r.left >= box.left - 0.5 && r.right <= box.right + 0.5
        && r.left >= scroll.left - 0.5 && r.right <= scroll.right + 0.5;
      out.push([card.querySelector('.card-title').textContent, cell.textContent.trim(), inside]);
    }
  }
  return out;
}"""


def _cells_outside(page: Any, root: str) -> list[tuple[str, str]]:
    cells = page.evaluate(CARD_CELLS, root)
    assert len(cells) > 20
    return [(card, text) for card, text, inside in cells if not inside]


@pytest.mark.parametrize("width", [1440, 400])
def test_long_names_keep_every_card_value_inside_its_card(long_names: Report, open_page: OpenPage, width: int) -> None:
    page = open_page(long_names, js=False, width=width)
    assert _cells_outside(page, "#static-view") == []
    page = open_page(long_names, width=width)
    assert _cells_outside(page, "#app") == []
    page = open_page(long_names, "b=" + LONG_B, width=width)
    cells = page.evaluate(CARD_CELLS, "#app")
    # B, B − A and Target are there and inside
    assert any(text.startswith("≥") for _, text, _ in cells)
    assert any(text.startswith(("+", "−", "±")) for _, text, _ in cells)
    assert _cells_outside(page, "#app") == []
    # the summary card of the Metrics tab too
    page = open_page(long_names, "tab=metrics&b=" + LONG_B, width=width)
    assert _cells_outside(page, "#app") == []


ROW_NAME_HEIGHTS = "() => Array.from(document.querySelectorAll('#report-body .row-btn')).map((b) => b.offsetHeight)"


@pytest.mark.parametrize("b", ["", "&b=model-v2"])
def test_class_report_names_keep_their_column(demo: Report, open_page: OpenPage, b: str) -> None:
    """A and B side by side: the Class column keeps its width (the first row of a fixed-layout table sets the
    widths, and there it is the groups' row), so "Rotorcraft (helicopter)" is not cut into "helicopte r"."""
    page = open_page(demo, "tab=metrics" + b, width=1440)
    heights = page.evaluate(ROW_NAME_HEIGHTS)
    assert len(heights) == len(demo.payload["classes"])
    assert max(heights) == min(heights)  # every name of the demo on one line
    width, rem = page.evaluate(
        "[document.getElementById('sort-name').closest('th').getBoundingClientRect().width,"
        " parseFloat(getComputedStyle(document.documentElement).fontSize)]"
    )
    assert width >= (11 if b else 7) * rem - 0.5  # report.css: 11rem with A and B; 22% (at least 7rem) for one set


def test_long_names_are_whole_on_hover(long_names: Report, open_page: OpenPage) -> None:
    page = open_page(long_names, "tab=metrics&b=" + LONG_B)
    assert page.locator("#model-a").get_attribute("title") == LONG_A
    assert page.locator("#model-b").get_attribute("title") == LONG_B
    page.select_option("#seg-select", str(seg_index(long_names, LONG_SEGMENT)))
    assert page.locator("#seg-select").get_attribute("title") == LONG_SEGMENT
    c = long_names.payload["display_names"].index(LONG_CLASS)
    page.select_option("#class-select", str(c))
    assert page.locator("#class-select").get_attribute("title") == LONG_CLASS
    assert page.locator("#toggle-mx button").nth(0).get_attribute("title") == "Matrix of A: " + LONG_A
    assert page.locator(f"#matrix th.col-head >> nth={c}").get_attribute("title") == LONG_CLASS


# ------------------------------------------------------------------------------------------------ 4. narrow screens
#: the page's width beyond the window, and the elements that stick out of it (not inside a scroll box)
OVERFLOW = """() => {
  const W = document.documentElement.clientWidth;
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (!r.width || r.right <= W + 0.5) continue;
    let p = e.parentElement;
    let clipped = false;
    for (; p; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible' && p.getBoundingClientRect().right <= W + 0.5) {
        clipped = true;
        break;
      }
    }
    if (!clipped) out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : ''));
  }
  return [document.documentElement.scrollWidth - W, out.slice(0, 10)];
}"""

NARROW_VIEWS = ["", "b=model-v2", "tab=metrics", "tab=metrics&b=model-v2", "tab=metrics&b=model-v2&mx=delta&f=fn",
                "tab=details&seg=test", "tab=metrics&f=cell&cell=0,1"]  # fmt: skip


#: table cells whose text is cut (wider than the cell)
CUT_CELLS = """() => Array.from(document.querySelectorAll('table.report td, table.report th, table.pairs td'))
  .filter((td) => td.getClientRects().length && td.scrollWidth > td.clientWidth + 0.5).map((td) => td.textContent)"""


@pytest.mark.parametrize("width", [360, 400])
def test_no_sideways_scroll_on_a_phone(demo: Report, long_names: Report, open_page: OpenPage, width: int) -> None:
    page = open_page(demo, js=False, width=width)
    assert page.evaluate(OVERFLOW) == [0, []]
    assert page.evaluate(CUT_CELLS) == []
    for fragment in NARROW_VIEWS:
        page = open_page(demo, fragment, width=width)
        assert page.evaluate(OVERFLOW) == [0, []], fragment
        assert page.evaluate(CUT_CELLS) == [], fragment
    for fragment in ("", "tab=metrics&b=" + LONG_B, "tab=metrics&mx=delta&b=" + LONG_B):
        page = open_page(long_names, fragment, width=width)
        assert page.evaluate(OVERFLOW) == [0, []], fragment
    page = open_page(long_names, js=False, width=width)
    assert page.evaluate(OVERFLOW) == [0, []]


def test_the_control_bar_does_not_hold_a_phone_screen(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo, "b=model-v2", width=400, height=800)
    page.evaluate("window.scrollTo(0, 1500)")
    bar = page.evaluate("document.querySelector('.controls-bar').getBoundingClientRect().bottom")
    assert bar <= 0  # scrolled away with the page
    page = open_page(demo, "b=model-v2", width=1440)
    page.evaluate("window.scrollTo(0, 800)")
    box = page.evaluate(
        "(() => { const r = document.querySelector('.controls-bar').getBoundingClientRect();"
        " return [r.top, r.bottom]; })()"
    )
    assert box[0] == 0 and box[1] > 0  # on a wide screen it stays at the top


# ------------------------------------------------------------------------------------------------ 5. 25 classes
#: [box needs a sideways scroll, cells whose text is cut]
MATRIX_FIT = """(sel) => {
  const table = document.querySelector(sel);
  const box = table.closest('.table-scroll');
  const cut = Array.from(table.querySelectorAll('td.cell'))
    .filter((td) => td.scrollWidth > td.clientWidth + 0.5).map((td) => td.id || td.textContent);
  return [box.scrollWidth > box.clientWidth + 0.5, cut.slice(0, 5)];
}"""


def test_matrix_of_25_classes_fits_at_1440(classes25: Report, open_page: OpenPage) -> None:
    assert len(classes25.payload["classes"]) == 25
    page = open_page(classes25, js=False, width=1440)
    assert page.evaluate(MATRIX_FIT, "#static-view table.matrix") == [False, []]
    for fragment in (
        "tab=metrics",
        "tab=metrics&show=pct",
        "tab=metrics&b=beta&mx=delta",
        "tab=metrics&b=beta&mx=delta&show=pct&den=col",
    ):
        page = open_page(classes25, fragment, width=1440)
        assert page.locator("#matrix td.cell").count() == 26 * 26
        assert page.evaluate(MATRIX_FIT, "#matrix") == [False, []], fragment


# ------------------------------------------------------------------------------------------------ 6. many classes
def _pairs(page: Any) -> list[tuple[int, int, int]]:
    return [tuple(x) for x in page.locator("#pairs tbody tr").evaluate_all(
        "(rs) => rs.map((r) => [Number(r.dataset.g), Number(r.dataset.p), Number(r.dataset.v)])")]  # fmt: skip


def test_many_class_table_starts_with_the_largest_error(many: Report, open_page: OpenPage) -> None:
    c = len(many.payload["classes"])
    u, t = many.payload["defaults"]["iou_index"], many.payload["defaults"]["confidence_index"]
    mat = many.matrix(0, 0, u, t)
    errors = mat.copy()
    np.fill_diagonal(errors[:c, :c], 0)
    g0, p0 = divmod(int(np.argmax(errors)), c + 1)
    page = open_page(many, "tab=metrics")
    rows = _pairs(page)
    assert rows[0] == (g0, p0, int(errors.max()))
    assert all(g != p for g, p, _ in rows)  # no correct cell by default
    assert [v for _, _, v in rows] == sorted((v for _, _, v in rows), reverse=True)
    # each kind on its own
    kinds = {
        "fp": lambda g, p: g == c,
        "fn": lambda g, p: p == c,
        "confusion": lambda g, p: g != p and g < c and p < c,
        "correct": lambda g, p: g == p,
    }
    for kind, ok in kinds.items():
        page = open_page(many, "tab=metrics&kinds=" + kind)
        rows = _pairs(page)
        assert rows and all(ok(g, p) for g, p, _ in rows), kind
        assert page.locator(f"#kind-{kind}").get_attribute("aria-pressed") == "true"
    # the buttons switch kinds on and off, and the link keeps them
    page = open_page(many, "tab=metrics")
    page.click("#kind-correct")
    assert any(g == p for g, p, _ in _pairs(page))
    page.click("#kind-confusion")
    page.click("#kind-fp")
    page.click("#kind-fn")
    assert all(g == p for g, p, _ in _pairs(page))
    assert state(page)["kinds"] == ["correct"]
    page.evaluate("RG.app.writeHash(false)")
    assert "kinds=correct" in page.evaluate("location.hash")


def test_many_class_static_table_lists_errors_first(many: Report, open_page: OpenPage) -> None:
    c = len(many.payload["classes"])
    page = open_page(many, js=False)
    rows = page.locator("#static-view table.pairs tbody tr").evaluate_all(
        "(rs) => rs.map((r) => [...r.children].map((td) => td.textContent))"
    )
    names = [*many.payload["display_names"], "background"]
    assert rows and all(g != p for g, p, _, _ in rows)
    u, t = many.payload["defaults"]["iou_index"], many.payload["defaults"]["confidence_index"]
    errors = many.matrix(0, 0, u, t).copy()
    np.fill_diagonal(errors[:c, :c], 0)
    g0, p0 = divmod(int(np.argmax(errors)), c + 1)
    assert rows[0][:3] == [names[g0], names[p0], f"{int(errors.max()):,}"]


# ------------------------------------------------------------------------------------------------ 7. Confused As / From
def test_confused_as_and_from_follow_the_specs_flow(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo, "tab=metrics")
    as_sel, from_sel = page.locator("#confused-as"), page.locator("#confused-from")
    assert as_sel.is_hidden() and from_sel.is_hidden()
    # the button reveals its class list and changes no filter
    page.click("#filter-as")
    assert as_sel.is_visible() and from_sel.is_hidden()
    assert page.locator("#filter-as").get_attribute("aria-expanded") == "true"
    assert state(page)["filt"] == ""
    # choosing a class applies the filter
    as_sel.select_option("2")
    st = state(page)
    assert (st["filt"], st["fc"]) == ("as", 2)
    assert page.locator("#matrix td.cell.hl").count() == len(demo.payload["classes"]) - 1
    # clicking the button afterwards does not undo it
    page.click("#filter-as")
    st = state(page)
    assert (st["filt"], st["fc"]) == ("as", 2)
    assert as_sel.is_visible() and as_sel.input_value() == "2"
    # the other list has its own class: opening it shows none chosen, choosing one moves the filter there
    page.click("#filter-from")
    assert from_sel.is_visible() and from_sel.input_value() == ""
    from_sel.select_option("5")
    st = state(page)
    assert (st["filt"], st["fc"]) == ("from", 5)
    assert from_sel.input_value() == "5" and as_sel.input_value() == ""
    # "choose a class" takes the filter off
    from_sel.select_option("")
    assert state(page)["filt"] == ""


# ------------------------------------------------------------------------------------------ 10. hover text, B − A tones
def test_matrix_hover_text_shows_on_hover_and_on_keyboard_focus(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo, "tab=metrics")
    tip = page.locator("#cell-tip")
    assert tip.is_hidden()
    assert page.locator("#matrix td.cell[title]").count() == 0  # not the browser's slow title tooltip
    page.hover("#cell-0-1")
    assert tip.is_visible()
    assert tip.text_content() == page.locator("#cell-0-1").get_attribute("aria-label")
    page.mouse.move(5, 5)
    assert tip.is_hidden()
    # keyboard: focus the grid, move with the arrows; the tip follows the focused cell
    page.locator("#cell-0-0").focus()
    assert tip.is_visible() and tip.text_content() == page.locator("#cell-0-0").get_attribute("aria-label")
    page.keyboard.press("ArrowRight")
    assert tip.text_content() == page.locator("#cell-0-1").get_attribute("aria-label")
    box, cell = tip.bounding_box(), page.locator("#cell-0-1").bounding_box()
    assert abs((box["x"] + box["width"] / 2) - (cell["x"] + cell["width"] / 2)) < 2  # beside its cell
    page.keyboard.press("Escape")
    assert tip.is_hidden()


def test_b_minus_a_is_toned_like_the_matrix(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo, "b=model-v2")
    cells = page.locator("#app article.card td.delta").evaluate_all(
        "(ts) => ts.map((t) => [t.querySelector('.dv') ? t.querySelector('.dv').textContent : t.textContent,"
        " t.closest('tr').dataset.count ? 'count' : 'score', t.classList.contains('d-better'),"
        " t.classList.contains('d-worse'), getComputedStyle(t).color])"
    )
    assert len(cells) == 6 * len(demo.payload["segments"])
    blue, red = "rgb(31, 95, 158)", "rgb(165, 29, 45)"
    for text, kind, better, worse, colour in cells:
        up, down = text.startswith("+"), text.startswith("−")
        higher_better = kind == "score"
        assert better == ((up and higher_better) or (down and not higher_better)), text
        assert worse == ((down and higher_better) or (up and not higher_better)), text
        if better:
            assert colour == blue, text
        if worse:
            assert colour == red, text
    assert any(b for _, _, b, _, _ in cells) and any(w for _, _, _, w, _ in cells)
    page = open_page(demo, "tab=metrics&b=model-v2")
    deltas = page.locator("#report-body td.delta").evaluate_all(
        "(ts) => ts.map((t) => [t.textContent, t.classList.contains('d-better'), t.classList.contains('d-worse')])"
    )
    assert deltas
    for text, better, worse in deltas:
        assert (better, worse) == (text.startswith("+"), text.startswith("−")), text


# ------------------------------------------------------------------------------------------------ accessibility
AXE_VIEWS = [
    ("demo", ""),  # Scenarios
    ("demo", "b=model-v2"),
    ("demo", "tab=metrics"),
    ("demo", "tab=metrics&b=model-v2"),  # Metrics with B chosen
    ("demo", "tab=metrics&b=model-v2&mx=delta"),  # the B − A matrix
    ("demo", "tab=metrics&b=model-v2&mx=delta&show=pct&f=cell&cell=0,1"),
    ("demo", "tab=metrics&f=fn"),  # examples
    ("demo", "tab=details&seg=test"),  # segment details
    ("classification", "tab=metrics"),  # the classification report
    ("classification", "tab=metrics&b=model-v2&mx=delta"),
    ("many", "tab=metrics"),
]


@pytest.mark.parametrize(("project", "fragment"), AXE_VIEWS)
def test_axe_finds_nothing_serious(
    request: pytest.FixtureRequest, open_page: OpenPage, project: str, fragment: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    rep = request.getfixturevalue(project)
    page = open_page(rep, fragment)
    results = Axe().run(page)  # axe-core bundled with the package: no network
    found = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert found == []
    assert results.response["testEngine"]["name"] == "axe-core"


# ------------------------------------------------------------------------------------------------ 8. examples
def _pictures(page: Any) -> tuple[int, int]:
    page.evaluate("RG.idle()")
    page.locator("#ex-grid article.ex").first.wait_for()
    return (page.locator("#ex-grid article.ex img").count(), page.locator("#ex-grid article.ex").count())


def test_the_examples_a_reader_sees_first_have_pictures(demo: Report, open_page: OpenPage) -> None:
    """Demo, default preset: the examples listed for the five largest off-diagonal cells and the FN and FP lists
    of each inference set: at least 80% with a picture; the report stays within 2 MB."""
    assert demo.path.stat().st_size <= 2_000_000
    c = len(demo.payload["classes"])
    u, t = demo.payload["defaults"]["iou_index"], demo.payload["defaults"]["confidence_index"]
    with_picture = listed = 0
    for m, info in enumerate(demo.payload["inference_sets"]):
        page = open_page(demo, "tab=metrics&a=" + info["name"])
        for button in ("#filter-fn", "#filter-fp"):
            page.click(button)
            got = _pictures(page)
            with_picture, listed = with_picture + got[0], listed + got[1]
            page.click("#filter-clear")
        off = demo.matrix(m, 0, u, t)[:c, :c].copy()
        np.fill_diagonal(off, 0)
        for cell in np.argsort(-off.ravel(), kind="stable")[:5]:
            g, p = divmod(int(cell), c)
            page.click(f"#cell-{g}-{p}")
            got = _pictures(page)
            with_picture, listed = with_picture + got[0], listed + got[1]
            page.click(f"#cell-{g}-{p}")
    assert listed > 200
    assert with_picture / listed >= 0.8, (with_picture, listed)


# ------------------------------------------------------------------------------------------------ 11. what flipped
def test_what_flipped_follows_the_metric_class(demo: Report, open_page: OpenPage) -> None:
    c = demo.payload["display_names"].index("swept")
    page = open_page(demo, "tab=metrics&b=model-v2")
    total = int(page.locator("#flips-status").get_attribute("data-total"))
    groups = page.evaluate(
        "() => { const st = RG.app.state, p = RG.presets(st).a;"
        " return RG.Compare.flips(RG.app.data, st.a, st.b, p.u, p.t, st.seg)"
        ".map((g) => [g.g, g.before, g.after, g.objects.length]); }"
    )
    assert sum(n for *_, n in groups) == total
    page.select_option("#class-select", str(c))
    page.evaluate("RG.idle()")
    status = page.locator("#flips-status")
    want = [x for x in groups if c in x[:3]]
    assert int(status.get_attribute("data-total")) == sum(n for *_, n in want) < total
    assert "of class swept" in (status.text_content() or "")
    shown = page.locator("#flip-groups details.flip-group").evaluate_all(
        "(ds) => ds.map((d) => [Number(d.dataset.g), Number(d.dataset.before), Number(d.dataset.after),"
        " Number(d.dataset.count)])"
    )
    assert shown == want[: len(shown)] and shown


def test_pr_curve_target_labels_stay_inside_the_chart(demo: Report, open_page: OpenPage) -> None:
    for width in (1440, 400):
        page = open_page(demo, "tab=metrics&seg=Far%20away%20planes", width=width)  # recall target 0.80
        label = page.locator("#pr-svg .target-r-label")
        assert label.text_content() == "recall target 0.80"
        chart, box = page.locator("#pr-svg").bounding_box(), label.bounding_box()
        assert chart["x"] <= box["x"] and box["x"] + box["width"] <= chart["x"] + chart["width"]
