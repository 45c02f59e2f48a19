"""bpcourse doctor tells the learner what to fix."""
from __future__ import annotations

import json
from pathlib import Path

from bpcourse import doctor


def test_disabled_widget_extension_is_reported(tmp_path, monkeypatch, capsys):
    config = tmp_path / ".jupyter/labconfig/page_config.json"
    config.parent.mkdir(parents=True)
    config.write_text(json.dumps({"disabledExtensions": {"@jupyter-widgets/jupyterlab-manager": True}}))
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    assert doctor.widget_extension_enabled() is False
    assert doctor.run_doctor() == 1
    out = capsys.readouterr().out
    assert "[FIX] widget extension" in out and "reload the browser tab" in out


def test_wrong_version_gets_advice(monkeypatch, capsys):
    monkeypatch.setitem(doctor.EXPECTED, "numpy", "0.0.1")
    assert doctor.run_doctor() == 1
    out = capsys.readouterr().out
    assert "[FIX] numpy" in out and "make lab" in out


def test_healthy_environment_says_all_good(capsys):
    assert doctor.run_doctor() == 0
    assert "All good" in capsys.readouterr().out
