"""The Chinese course in a real browser, through the JupyterLab that `make lab-zh` starts.

JupyterLab from this environment with the zh-CN language pack chosen by tools/lab-zh/overrides.json
(what `make lab-zh` passes), Debian's chromium, Playwright. Open notebooks/zh/01: the menu bar reads
文件/编辑/查看/运行/内核; Run All Cells (运行 → 运行所有单元格) leaves no error and no stderr
output; the learning-rate explorer's 学习率 slider, moved with the keyboard, retrains and redraws (its
Chinese verdict changes and the figure's pixels change, and are a real picture before and after);
and the figure's Chinese text is rendered with a font that has every glyph: the live figures are
redrawn in the notebook's own kernel with matplotlib's missing-glyph warning turned into an error.
Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import json
import re
import time

import pytest

from .lab import ROOT, Lab, running_lab
from .test_lab_widgets import (ARTIFACTS, MIN_INK, browser, chromium, figure_png, ink_fraction,  # noqa: F401
                               wait_until, widget_text)

pytestmark = pytest.mark.browser

NOTEBOOK = "notebooks/zh/01_linear_model_gradient_descent.ipynb"
MENUS = ["文件", "编辑", "查看", "运行", "内核"]

# Run in the notebook's kernel after the slider moved: redraw every live explorer's figure with a
# missing glyph as an error, and report the font and the texts drawn.
GLYPH_CHECK = """
import gc, json, warnings
from bpcourse import i18n
from bpcourse.widgets.lr_explorer import LRExplorer
from bpcourse.widgets._figures import figure_png
explorers = [o for o in gc.get_objects() if isinstance(o, LRExplorer)]
texts = []
with warnings.catch_warnings():
    warnings.simplefilter("error")
    for e in explorers:
        figure_png(e.figure)
        texts += [t.get_text() for ax in e.figure.axes for t in (ax.title, ax.xaxis.label, ax.yaxis.label)]
print(json.dumps({"explorers": len(explorers), "font": i18n._state["figure_font"], "texts": texts}))
"""


@pytest.fixture(scope="module")
def lab_zh(tmp_path_factory) -> Lab:
    with running_lab(tmp_path_factory.mktemp("lab-zh"),
                     extra=(f"--LabApp.app_settings_dir={ROOT / 'tools' / 'lab-zh'}",)) as lab:
        yield lab


def test_chinese_notebook_in_the_chinese_jupyterlab(lab_zh, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(lab_zh.url(NOTEBOOK))
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=180_000)
        menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
        assert [m for m in MENUS if m in menus] == MENUS, f"menu bar: {menus}"
        kernel = lab_zh.wait_for_idle_kernel(NOTEBOOK, timeout=180)

        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^运行$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^运行所有单元格$")).click()
        cell = (page.locator(".jp-CodeCell")
                .filter(has=page.locator(".jp-InputArea-editor", has_text="lr_explorer("))
                .filter(has=page.locator(".noUi-handle")).first)
        cell.wait_for(timeout=300_000)
        wait_until(lambda: page.locator(".jp-InputPrompt", has_text="[*]").count() == 0, 300,
                   "Run All Cells to finish")
        lab_zh.wait_for_idle_kernel(NOTEBOOK, timeout=120)
        page.screenshot(path=str(ARTIFACTS / "zh-01-run-all.png"))
        stderr = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        assert stderr.count() == 0, f"error or stderr after Run All: {stderr.all_inner_texts()[:3]}"
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        assert prompts and all(re.fullmatch(r"\[\d+\]:", p.strip()) for p in prompts if p.strip()), prompts

        before_png = wait_until(lambda: figure_png(cell), 60, "the explorer's figure")
        before_text = wait_until(lambda: widget_text(cell), 30, "the explorer's verdict")
        assert "已收敛" in before_text                   # the seed's lr = 0.01 converges
        row = cell.locator(".widget-slider").filter(
            has=page.locator(".widget-label", has_text=re.compile(r"^学习率$")))
        handle = row.locator(".noUi-handle").first
        handle.focus()
        for _ in range(6):
            handle.press("PageUp")
            time.sleep(0.15)
        wait_until(lambda: "发散" in widget_text(cell) and figure_png(cell) != before_png, 60,
                   "the explorer to retrain and say 发散 (diverged)")
        lab_zh.wait_for_idle_kernel(NOTEBOOK, timeout=60)
        time.sleep(0.5)
        after_png = figure_png(cell)
        cell.scroll_into_view_if_needed()
        cell.screenshot(path=str(ARTIFACTS / "zh-01-lr-explorer-after.png"))
        rendered = cell.locator(".widget-output img").last.screenshot()
        assert after_png != before_png
        assert ink_fraction(before_png) > MIN_INK and ink_fraction(after_png) > MIN_INK
        assert ink_fraction(rendered) > MIN_INK, "the figure renders blank in the page"

        report = json.loads(lab_zh.run_in_kernel(kernel["id"], GLYPH_CHECK).strip().splitlines()[-1])
        assert report["explorers"] >= 1 and report["font"], report
        assert any(re.search(r"[\u4e00-\u9fff]", t) for t in report["texts"]), report
        assert any("发散" in t for t in report["texts"]), report     # the figure shows the new state
    finally:
        context.close()
