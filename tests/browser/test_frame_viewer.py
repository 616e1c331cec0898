"""The frame viewer (issue 12, defect 8): a click on an example opens its whole frame in a dialog with every
ground-truth box and every prediction box of A and B, counted here from the run's inputs in Python."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from reportgen.report.payload import frame_id_map
from tests.browser.conftest import OpenPage
from tests.test_render import HOSTILE, Report

pytestmark = pytest.mark.browser


def expected_boxes(rep: Report, frame: int, a: int, b: int, *, every: bool = False) -> dict[str, int]:
    """Boxes on ``frame`` from the inputs: every ground-truth object (crowd regions too), and the predictions of
    A and B with a score at or above the default confidence (all of them with ``every``)."""
    run = rep.run
    conf = float(rep.payload["defaults"]["confidence"])
    out = {"gt": int(np.count_nonzero(run.gt.frame == frame))}
    for role, m in (("a", a), ("b", b)):
        if m < 0:
            continue
        pr = run.results[m].predictions
        mask = pr.frame == frame
        if not every:
            mask &= pr.score >= conf
        out[role] = int(np.count_nonzero(mask))
    return out


def drawn_boxes(page: Any) -> dict[str, int]:
    counts: dict[str, int] = page.evaluate(
        """() => { const out = {};
          for (const r of document.querySelectorAll('#viewer-svg rect.box')) {
            const kind = ['gt', 'a', 'b'].find((k) => r.classList.contains('box-' + k));
            out[kind] = (out[kind] || 0) + 1;
          }
          return out; }"""
    )
    return counts


def open_first_example(page: Any) -> tuple[str, int]:
    """Click the first example's picture; returns (its button's id, its frame index)."""
    page.evaluate("RG.idle()")
    button = page.locator("#ex-grid article.ex .ex-open").first
    button.wait_for()
    opener = button.get_attribute("id")
    fid = page.locator("#ex-grid article.ex").first.get_attribute("data-frame")
    button.click()
    page.locator("#frame-viewer[open] #viewer-svg").wait_for()
    # the page holds the ids of the frames it refers to by frame index (docs/report-payload.md)
    ids = "RG.app.data.P.frame_ids"
    index = page.evaluate(f"(fid) => Object.keys({ids}).find((f) => {ids}[f] === fid)", fid)
    return str(opener), int(index)


@pytest.mark.parametrize("fragment", ["tab=metrics&f=fn", "tab=metrics&b=model-v2&f=fp", "tab=metrics&b=model-v3&f=fn"])
def test_click_opens_the_frame_with_every_box_and_escape_returns_focus(
    demo: Report, open_page: OpenPage, fragment: str
) -> None:
    page = open_page(demo, fragment)
    names = [s["name"] for s in demo.payload["inference_sets"]]
    keys = dict(part.split("=") for part in fragment.split("&"))
    b = names.index(keys["b"]) if "b" in keys else -1
    opener, frame = open_first_example(page)
    dialog = page.locator("#frame-viewer")
    assert dialog.evaluate("(d) => d.open && d.matches(':modal')")
    assert page.get_by_role("dialog", name="Frame " + frame_id_map(demo.payload)[frame]).count() == 1
    want = expected_boxes(demo, frame, 0, b)
    assert drawn_boxes(page) == {k: v for k, v in want.items() if v}
    assert page.locator("#viewer-rows tbody tr").count() == sum(want.values())
    # every prediction, whatever its confidence
    page.check("#viewer-all")
    every = expected_boxes(demo, frame, 0, b, every=True)
    assert drawn_boxes(page) == {k: v for k, v in every.items() if v}
    # the picture of the frame, scaled to its size in pixels
    size = demo.payload["frames"]["size"][demo.payload["frames"]["frame"].index(frame)]
    box = page.locator("#viewer-svg").get_attribute("viewBox")
    assert box == f"0 0 {size[0]:g} {size[1]:g}"
    page.keyboard.press("Escape")
    assert not dialog.evaluate("(d) => d.open")
    assert page.evaluate("document.activeElement.id") == opener


def test_labels_name_class_and_score_and_the_focus_box_is_marked(demo: Report, open_page: OpenPage) -> None:
    page = open_page(demo, "tab=metrics&f=fp")
    _, frame = open_first_example(page)
    labels = page.locator("#viewer-svg text.box-label").all_text_contents()
    classes = demo.payload["display_names"]
    pr = demo.run.results[0].predictions
    conf = float(demo.payload["defaults"]["confidence"])
    on = (pr.frame == frame) & (pr.score >= conf)
    want = sorted(f"A {classes[c]} {s:.4f}" for c, s in zip(pr.cls[on], pr.score[on], strict=True))
    assert sorted(x for x in labels if x.startswith("A ")) == want
    gt = demo.run.gt
    assert sorted(x for x in labels if x.startswith("GT ")) == sorted(
        f"GT {'crowd ' if crowd else ''}{classes[c]}" for c, f, crowd in zip(gt.cls, gt.frame, gt.crowd, strict=True)
        if f == frame
    )  # fmt: skip
    # the example clicked (a false positive of A) is drawn thicker
    assert page.locator("#viewer-svg rect.box-a.focus").count() == 1


def test_a_frame_without_picture_is_drawn_blank_at_its_size(demo: Report, open_page: OpenPage) -> None:
    frames = demo.payload["frames"]
    without = [f for f in frames["frame"] if str(f) not in frames["pictures"]]
    assert without and frames["pictures"]
    page = open_page(demo, "tab=metrics&f=fn")
    page.evaluate("RG.idle()")
    page.locator("#ex-grid .ex-open").first.wait_for()
    f = without[0]
    page.evaluate("(f) => RG.openFrame(RG.app, f, {m: 0, pred: -1, obj: -1}, document.querySelector('.ex-open'))", f)
    page.locator("#frame-viewer[open] #viewer-svg").wait_for()
    w, h = frames["size"][frames["frame"].index(f)]
    blank = page.locator("#viewer-svg rect.viewer-blank")
    assert (float(blank.get_attribute("width")), float(blank.get_attribute("height"))) == (w, h)
    assert page.locator("#viewer-svg image").count() == 0
    assert "blank frame" in (page.locator("#viewer-note").text_content() or "")
    assert drawn_boxes(page) == {k: v for k, v in expected_boxes(demo, f, 0, -1).items() if v}


def test_hostile_names_are_text_in_the_viewer(hostile: Report, open_page: OpenPage) -> None:
    page = open_page(hostile, "tab=metrics&f=fp")
    _, frame = open_first_example(page)
    labels = " ".join(page.locator("#frame-viewer").all_text_contents())
    assert page.locator("#frame-viewer img, #frame-viewer script, #frame-viewer iframe").count() == 0
    names = hostile.payload["display_names"]
    assert any(name in labels for name in names if name in HOSTILE)
    assert page.locator("#viewer-title").text_content() == "Frame " + frame_id_map(hostile.payload)[frame]


def test_axe_finds_nothing_serious_with_the_viewer_open(demo: Report, open_page: OpenPage) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = open_page(demo, "tab=metrics&b=model-v2&f=fn")
    open_first_example(page)
    page.check("#viewer-all")
    page.locator("#frame-viewer details summary").click()
    results = Axe().run(page)
    found = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert found == []


def test_classification_frames_open_with_their_labels(classification: Report, open_page: OpenPage) -> None:
    """Classification: the boxes are whole frames (the ground-truth label and each set's predictions)."""
    names = [s["name"] for s in classification.payload["inference_sets"]]
    page = open_page(classification, "tab=metrics&b=" + names[1] + "&f=fn")
    _, frame = open_first_example(page)
    want = expected_boxes(classification, frame, 0, 1)
    assert drawn_boxes(page) == {k: v for k, v in want.items() if v}
    page.keyboard.press("Escape")
    assert not page.locator("#frame-viewer").evaluate("(d) => d.open")
