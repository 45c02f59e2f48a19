"""`make lab-zh`: the Chinese course, with JupyterLab's zh-CN language pack chosen (issue 14).

The browser test (tests/browser/test_lab_zh.py) checks the menus a learner sees; these check the
pieces without a browser: the command make runs, the settings override it points to, the language
pack from the lock, and the server offering zh_CN.
"""
from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from lab import running_lab  # noqa: E402  (the browser tests' JupyterLab launcher)

ROOT = Path(__file__).resolve().parents[2]


def test_make_lab_zh_opens_the_chinese_course_with_the_chinese_settings():
    out = subprocess.run(["make", "-n", "-C", str(ROOT), "lab-zh"], capture_output=True, text=True, check=True).stdout
    command = next(line for line in out.replace("\\\n", " ").splitlines() if "jupyter lab" in line)
    assert command.startswith("BPCOURSE_LANG=zh ")
    assert f"--LabApp.app_settings_dir={ROOT}/tools/lab-zh" in command
    assert "notebooks/zh/00_start_here.ipynb" in command


def test_the_override_selects_the_language_pack_the_lock_installs():
    override = json.loads((ROOT / "tools" / "lab-zh" / "overrides.json").read_text())
    assert override["@jupyterlab/translation-extension:plugin"]["locale"] == "zh_CN"
    lock = (ROOT / "requirements-lock.txt").read_text()
    version = importlib.metadata.version("jupyterlab-language-pack-zh-CN")
    assert f"jupyterlab-language-pack-zh-CN=={version}" in lock
    packs = {e.name for e in importlib.metadata.entry_points(group="jupyterlab.languagepack")}
    assert "zh_CN" in packs


def test_the_server_offers_chinese_and_defaults_to_it(tmp_path):
    with running_lab(tmp_path, extra=(f"--LabApp.app_settings_dir={ROOT / 'tools' / 'lab-zh'}",)) as lab:
        languages = lab.api("/lab/api/translations")["data"]
        assert "zh_CN" in languages
        setting = lab.api("/lab/api/settings/@jupyterlab/translation-extension:plugin")
        assert setting["schema"]["properties"]["locale"]["default"] == "zh_CN"   # the override
        assert "locale" not in setting["settings"]           # the learner's own choice still wins
        menus = lab.api("/lab/api/translations/zh_CN")["data"]["jupyterlab"]
        assert menus["Run All Cells"] == ["运行所有单元格"]
