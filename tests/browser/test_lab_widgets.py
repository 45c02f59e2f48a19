"""The widgets in a real browser: JupyterLab from this environment, Debian's chromium, Playwright.

For notebook 01 (the learning-rate explorer) and notebook 05 (the backward stepper): open the
notebook in a reset workspace, Run All Cells from the Run menu, wait for the server to report the
kernel idle, find the widget's slider, move it with the keyboard on its handle, and check that the
widget's text and figure changed, and that the figure is a real picture (enough non-white pixels)
before and after: a blank first redraw (ipykernel 7, see README) shows the right text and an empty
image, so only a pixel check catches it. Screenshots go to test-artifacts/.

In CI (the CI environment variable is set) a missing chromium is a failure; elsewhere a skip.
"""
from __future__ import annotations

import base64
import io
import os
import re
import time
from pathlib import Path

import numpy as np
import pytest

from .lab import ROOT, Lab, running_lab

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
               "--disable-default-apps", "--disable-sync", "--no-first-run",
               "--disable-dev-shm-usage", "--metrics-recording-only", "--mute-audio"]
MIN_INK = 0.02                     # share of clearly non-white pixels a real figure has


def ink_fraction(png: bytes) -> float:
    from PIL import Image
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    return float((rgb.min(axis=-1) < 217).mean())


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (install Debian's chromium: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"CI: {reason}")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Lab:
    with running_lab(tmp_path_factory.mktemp("lab")) as lab:
        yield lab


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True,
                                             args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_until(condition, timeout: float, what: str, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def figure_png(cell) -> bytes | None:
    """The PNG the widget's figure shows (decoded from the img's data: URL), or None."""
    images = cell.locator(".jp-OutputArea-output .widget-output img")
    if images.count() == 0:
        return None
    src = images.last.get_attribute("src") or ""
    if not src.startswith("data:image/png;base64,"):
        return None
    return base64.b64decode(src.split(",", 1)[1])


def widget_text(cell) -> str:
    return "\n".join(cell.locator(".widget-html-content").all_inner_texts())


def run_all_cells(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def check_slider_moves_widget(lab: Lab, browser, notebook: str, marker: str, slider: str,
                              keys: list[str], expect: str, name: str) -> dict:
    """Open ``notebook``, run it, and move the slider labelled ``slider`` in the cell whose source
    contains ``marker`` by pressing ``keys`` on its handle. Returns what was seen, for the report."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(lab.url(notebook))
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=180_000)
        lab.wait_for_idle_kernel(notebook, timeout=180)
        run_all_cells(page)
        cell = (page.locator(".jp-CodeCell")
                .filter(has=page.locator(".jp-InputArea-editor", has_text=marker))
                .filter(has=page.locator(".noUi-handle")).first)
        cell.wait_for(timeout=300_000)
        # every queued cell has run: no "[*]" prompt left, and the server says idle
        wait_until(lambda: page.locator(".jp-InputPrompt", has_text="[*]").count() == 0, 300,
                   "Run All Cells to finish")
        lab.wait_for_idle_kernel(notebook, timeout=120)
        before_png = wait_until(lambda: figure_png(cell), 60, "the widget's figure")
        before_text = wait_until(lambda: widget_text(cell), 30, "the widget's text")
        cell.scroll_into_view_if_needed()
        cell.screenshot(path=str(ARTIFACTS / f"{name}-before.png"))
        rendered_before = cell.locator(".widget-output img").last.screenshot()
        assert ink_fraction(before_png) > MIN_INK, "the figure is blank before the move"
        assert ink_fraction(rendered_before) > MIN_INK, "the figure renders blank before the move"

        row = cell.locator(".widget-slider").filter(
            has=page.locator(".widget-label", has_text=re.compile(rf"^{re.escape(slider)}$")))
        handle = row.locator(".noUi-handle").first
        readout_before = row.locator(".widget-readout").first.inner_text()
        handle.focus()
        for key in keys:
            handle.press(key)
            time.sleep(0.15)
        wait_until(lambda: expect in widget_text(cell) and figure_png(cell) != before_png, 60,
                   f"the widget to show {expect!r} and a new figure")
        lab.wait_for_idle_kernel(notebook, timeout=60)
        time.sleep(0.5)                                # let the last image land in the page
        after_png, after_text = figure_png(cell), widget_text(cell)
        readout_after = row.locator(".widget-readout").first.inner_text()
        cell.screenshot(path=str(ARTIFACTS / f"{name}-after.png"))
        rendered_after = cell.locator(".widget-output img").last.screenshot()
        assert after_text != before_text and expect in after_text
        assert readout_after != readout_before
        assert after_png != before_png
        assert ink_fraction(after_png) > MIN_INK, "the figure is blank after the move"
        assert ink_fraction(rendered_after) > MIN_INK, "the figure renders blank after the move"
        return {"before": before_text, "after": after_text, "readouts": (readout_before, readout_after)}
    finally:
        context.close()


def test_learning_rate_explorer_in_notebook_01(lab, browser):
    seen = check_slider_moves_widget(
        lab, browser, "notebooks/01_linear_model_gradient_descent.ipynb", marker="lr_explorer(",
        slider="learning rate", keys=["PageUp"] * 6, expect="diverged at epoch", name="01-lr-explorer")
    assert "converged" in seen["before"]          # the notebook starts at the seed's lr = 0.01


def test_backward_stepper_in_notebook_05(lab, browser):
    seen = check_slider_moves_widget(
        lab, browser, "notebooks/05_autograd_from_scratch_scalar.ipynb", marker="backward_stepper(",
        slider="step", keys=["ArrowRight", "ArrowRight"], expect="step 2 of", name="05-backward-stepper")
    assert "step 0 of" in seen["before"]
