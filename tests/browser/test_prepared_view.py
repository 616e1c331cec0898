"""The Metrics tab prepared in idle time (static/js/metrics.js ``prepare``) and the parts a repaint leaves alone.

While the reader is on the Scenarios tab, the page builds the Metrics tab in an element of the page that is out
of sight (``.app-prep``, content-visibility hidden): nothing in it may be seen, focused or clicked, and its first
visit must show exactly what a page opened on that view shows. A Metrics repaint rebuilds only the parts whose
state changed (a matrix toggle keeps the class report); what it shows must again equal a freshly opened page.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.test_report_page import SET_RANGE, defaults
from tests.test_render import Report

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Any]

HASH = "() => RG.stateHash(RG.app.state, RG.app.data)"
VIEW_TEXT = "() => document.getElementById('app').textContent"


def _prepared(page: Any, mode: str) -> None:
    """Wait until the Metrics tab is prepared for `mode` ("one" or "compare")."""
    deadline = time.monotonic() + 20
    while not page.evaluate("(m) => !!(RG.app.warmed && RG.app.warmed[m])", mode):
        assert time.monotonic() < deadline, "the Metrics tab was not prepared in idle time"
        page.wait_for_timeout(50)


def _text(page: Any) -> str:
    page.evaluate("RG.idle()")
    return re.sub(r"\s+", " ", page.evaluate(VIEW_TEXT)).strip()


def _fresh_text(open_page: OpenPage, report: Report, page: Any) -> str:
    """What a page opened at `page`'s current view shows."""
    other = open_page(report, page.evaluate(HASH))
    return _text(other)


def test_prepared_metrics_tab_is_out_of_sight_and_its_visit_shows_the_view(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo, "b=model-v2")
    _prepared(page, "compare")
    host = page.locator(".app-prep")
    assert host.count() == 1
    assert page.evaluate("document.querySelectorAll('#app').length") == 1
    assert page.evaluate("getComputedStyle(document.querySelector('.app-prep')).contentVisibility") == "hidden"
    # nothing of it can be seen, focused (by script or by the keyboard) or clicked
    assert page.evaluate("document.querySelector('.app-prep #seg-select').checkVisibility()") is False
    focused = """() => {
  const s = document.querySelector('.app-prep #seg-select');
  s.focus();
  return document.activeElement === s;
}"""
    assert page.evaluate(focused) is False
    page.focus("#app article.card:last-of-type .card-open")
    for _ in range(12):
        page.keyboard.press("Tab")
        assert page.evaluate("!!document.activeElement.closest('.app-prep')") is False
    assert page.evaluate("document.elementsFromPoint(300, 300).some((e) => !!e.closest('.app-prep'))") is False
    page.evaluate("document.querySelector('.app-prep').dataset.mark = 'prepared'")

    page.click("#tab-metrics")
    # the prepared element is now the view, in its place; no second #app, nothing left out of sight
    assert page.evaluate("document.getElementById('app').dataset.mark") == "prepared"
    assert page.locator(".app-prep").count() == 0
    assert page.evaluate("document.querySelectorAll('#app').length") == 1
    assert page.get_attribute("#app", "role") == "tabpanel"
    assert page.get_attribute("#app", "aria-labelledby") == "tab-metrics"
    assert page.evaluate("document.querySelector('main > #app') !== null")
    assert page.locator("#app #pr-curve").is_visible()
    assert _text(page) == _fresh_text(open_page, demo, page)


def test_visit_after_a_change_on_scenarios_shows_the_changed_view(demo: Report, open_page: OpenPage) -> None:
    """The tab was prepared at one preset; the reader then moves the slider on Scenarios: the visit shows the new
    preset, as a page opened there does."""
    page = open_page(demo, "b=model-v2")
    _prepared(page, "compare")
    _, t = defaults(demo)
    page.evaluate(SET_RANGE, ["conf-a", t + 1])
    page.click("#tab-metrics")
    assert _text(page) == _fresh_text(open_page, demo, page)
    # and back and forth
    page.click("#tab-scenarios")
    page.click("#tab-metrics")
    assert _text(page) == _fresh_text(open_page, demo, page)


def test_a_matrix_toggle_keeps_the_other_parts(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo, "tab=metrics&b=model-v2")
    page.evaluate("document.querySelector('#app table.report').dataset.mark = 'kept'")
    page.evaluate("document.querySelector('#flips').dataset.mark = 'kept'")
    toggles = ['#toggle-mx button[data-key="delta"]', '#toggle-show button[data-key="pct"]']
    toggles += ['#toggle-den button[data-key="col"]', "#filter-fn", '#toggle-mx button[data-key="b"]']
    for selector in toggles:
        page.click(selector)
        assert page.evaluate("document.querySelector('#app table.report').dataset.mark") == "kept", selector
        assert page.evaluate("document.querySelector('#flips').dataset.mark") == "kept", selector
        assert _text(page) == _fresh_text(open_page, demo, page), selector
    # a change of preset rebuilds them, with the numbers of the new preset
    _, t = defaults(demo)
    page.evaluate(SET_RANGE, ["conf-a", t + 1])
    assert _text(page) == _fresh_text(open_page, demo, page)


CHOOSE_B = """() => {
  const s = document.getElementById("model-b");
  s.value = "1";
  s.dispatchEvent(new Event("change", { bubbles: true }));
  // what the handler left for after the paint: the parts below the screen
  return { pending: Array.from(RG.Metrics.below || []), flips: !!document.querySelector("#flips-status"),
           report: !!document.querySelector("#class-report.compare"),
           summary: !!document.querySelector(".summary-card") };
}"""


def test_parts_below_the_screen_follow_the_paint_and_parts_in_sight_do_not(demo: Report, open_page: OpenPage) -> None:
    """An input repaints at once what the reader can see; the parts below the screen (here the class report,
    the matrix and What flipped) follow once the page is idle after the paint, and then show what a fresh page
    shows."""
    page = open_page(demo, "tab=metrics", height=600)
    got = page.evaluate(CHOOSE_B)
    assert got["summary"]  # the segment summary beside the chart: in sight, repainted by the handler
    assert not got["flips"] and not got["report"]
    assert got["pending"] == ["report", "matrix", "flips"]
    assert _text(page) == _fresh_text(open_page, demo, page)  # _text waits for RG.idle
    assert page.locator("#flips-status").count() == 1 and page.locator("#class-report.compare").count() == 1
    # the reader scrolled to the matrix: a preset change repaints it at once
    page.evaluate("document.getElementById('matrix').scrollIntoView()")
    _, t = defaults(demo)
    before = page.evaluate("document.getElementById('matrix').textContent")
    step = """([t]) => {
  const e = document.getElementById("conf-a");
  e.value = String(t);
  e.dispatchEvent(new Event("input", { bubbles: true }));
  return [document.getElementById("matrix").textContent, Array.from(RG.Metrics.below)];
}"""
    after = page.evaluate(step, [t + 3])
    assert after[0] != before and "matrix" not in after[1]
    assert _text(page) == _fresh_text(open_page, demo, page)


VISIT_PREPARED = """() => {
  document.querySelector(".app-prep").dataset.mark = "prepared";
  document.getElementById("tab-metrics").click();
  const adopted = document.getElementById("app").dataset.mark === "prepared";
  return { adopted: adopted, pending: Array.from(RG.Metrics.below || []) };
}"""


def test_a_visit_repaints_the_stale_parts_of_the_prepared_tab_as_any_repaint(demo: Report, open_page: OpenPage) -> None:
    """The tab was prepared at one preset and the reader moved the slider on Scenarios: the visit takes the prepared
    element and repaints its parts like any repaint, those in sight at once and those below the screen (the matrix,
    What flipped) once the page is idle (it used to repaint every part in the visit's handler)."""
    page = open_page(demo, height=600)
    _prepared(page, "one")
    _, t = defaults(demo)
    page.evaluate(SET_RANGE, ["conf-a", t + 1])
    got = page.evaluate(VISIT_PREPARED)
    assert got["adopted"]
    assert got["pending"] == ["matrix", "flips"]  # the chart and the class report beside it are in sight
    assert _text(page) == _fresh_text(open_page, demo, page)
