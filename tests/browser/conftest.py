"""Browser tests of the report page: Playwright (sync API) driving Debian's Chromium.

One browser per session; each test opens pages in a fresh context through ``open_page``, which records every
request, console message, page error and dialog, and fails the test when the page asked for anything but its
own file and data: URLs, logged an error, or opened a dialog (an injected ``alert``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.test_render import Report, session_report

CHROMIUM = os.environ.get("REPORTGEN_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@dataclass
class Watch:
    """What a page did: requests, console errors, page errors, dialogs."""

    allowed: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        out = []
        for url in self.requests:
            if url.split("#")[0] != self.allowed and not url.startswith("data:"):
                out.append(f"request: {url[:120]}")
        out.extend(f"error: {e}" for e in self.errors)
        out.extend(f"dialog: {d}" for d in self.dialogs)
        return out


OpenPage = Callable[..., Any]


#: the page's input methods after which a test reads what the input changed
INPUTS = ("click", "dblclick", "fill", "press", "select_option", "check", "uncheck", "set_checked", "type")


def _settle_after_inputs(page: Any) -> None:
    """After each input through `page` (and its keyboard), wait until the page is idle (``RG.idle()``): the parts
    of the Metrics tab below the screen are repainted once the page is idle after the paint, and a test reads
    them as a reader who scrolls there would see them. The test of that deferral reads the page in the same
    script as its input, so it still sees what the input's own repaint left for later."""

    def settling(act: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            out = act(*args, **kwargs)
            if not page.is_closed():
                page.evaluate("() => (window.RG && RG.idle ? RG.idle() : null)")
            return out

        return run

    for name in INPUTS:
        setattr(page, name, settling(getattr(page, name)))
    page.keyboard.press = settling(page.keyboard.press)
    page.keyboard.type = settling(page.keyboard.type)


@pytest.fixture
def open_page(browser: Any) -> Iterator[OpenPage]:
    contexts = []
    watches: list[Watch] = []

    def _open(report: Report, fragment: str = "", *, js: bool = True, width: int = 1400, height: int = 1000) -> Any:
        ctx = browser.new_context(java_script_enabled=js, viewport={"width": width, "height": height})
        contexts.append(ctx)
        page = ctx.new_page()
        url = report.path.resolve().as_uri()
        w = Watch(url)
        watches.append(w)
        page.on("request", lambda r: w.requests.append(r.url))
        page.on("console", lambda m: w.errors.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: w.errors.append(str(e)))
        page.on("dialog", lambda d: (w.dialogs.append(d.message), d.dismiss()))
        page.goto(url + ("#" + fragment if fragment else ""))
        if js:
            # a selector, not wait_for_function: its polling evaluates a string, which the page's CSP forbids, so
            # it fails whenever the page is not ready at the first check (a loaded machine)
            page.wait_for_selector("html[data-ready]", state="attached")
            assert page.evaluate("document.documentElement.dataset.ready") == "1"
            page.evaluate("RG.idle()")  # blobs the first view asked for (e.g. the comparison data) are decoded
            _settle_after_inputs(page)
        page.watch = w
        return page

    yield _open
    problems = [p for w in watches for p in w.problems()]
    for ctx in contexts:
        ctx.close()
    assert not problems, problems


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return session_report("demo", tmp_path_factory)


@pytest.fixture(scope="session")
def classification(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return session_report("classification", tmp_path_factory)


@pytest.fixture(scope="session")
def many(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return session_report("many", tmp_path_factory)


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return session_report("hostile", tmp_path_factory)
