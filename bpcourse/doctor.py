"""``bpcourse doctor``: the first cell a learner runs. Prints versions and what to fix."""
from __future__ import annotations

import importlib.metadata as metadata
import json
import sys
from pathlib import Path

from bpcourse.i18n import CJK_FONT_PACKAGE, cjk_font, display_width, get_language, ljust, tr

# The versions the notebooks' stored outputs were produced with (requirements-lock.txt).
EXPECTED = {"numpy": "2.4.6", "torch": "2.13.0", "ipywidgets": "8.1.9", "jupyterlab": "4.6.6",
            "ipykernel": "6.31.0", "matplotlib": "3.11.2"}


def version_of(package: str) -> str | None:
    try:
        return metadata.version(package).split("+")[0]
    except metadata.PackageNotFoundError:
        return None


def widget_extension_enabled() -> bool:
    """True when JupyterLab will load the ipywidgets front-end (a prebuilt lab extension)."""
    installed = any((base / "share/jupyter/labextensions/@jupyter-widgets/jupyterlab-manager/package.json").exists()
                    for base in [Path(sys.prefix), Path.home() / ".local"])
    return installed and "@jupyter-widgets/jupyterlab-manager" not in _disabled_extensions()


def _disabled_extensions() -> set[str]:
    """Extensions switched off with `jupyter labextension disable`, read from the labconfig files
    (reading them directly takes milliseconds; `jupyter labextension list` takes seconds)."""
    disabled: set[str] = set()
    for base in [Path(sys.prefix) / "etc/jupyter", Path.home() / ".jupyter", Path("/etc/jupyter"),
                 Path("/usr/local/etc/jupyter")]:
        config = base / "labconfig/page_config.json"
        try:
            entries = json.loads(config.read_text()).get("disabledExtensions", {})
        except (OSError, ValueError):
            continue
        names = entries.items() if isinstance(entries, dict) else ((name, True) for name in entries)
        disabled |= {name for name, off in names if off}
    return disabled


def checks() -> list[tuple[str, str, str | None]]:
    """(name, found, advice-or-None) for each thing the course needs."""
    rows = []
    py = ".".join(map(str, sys.version_info[:3]))
    rows.append(("Python", py, None if sys.version_info >= (3, 10) else tr("install Python 3.10 or newer")))
    for package, want in EXPECTED.items():
        have = version_of(package)
        if have is None:
            advice = tr("{package} is missing: run `make lab` (or `pip install -r requirements-lock.txt`)",
                        package=package)
        elif have != want:
            advice = tr("expected {want} (requirements-lock.txt); stored notebook outputs may differ. "
                        "Run `make lab` from the course folder to use the locked environment", want=want)
        else:
            advice = None
        rows.append((package, have or tr("missing"), advice))
    enabled = widget_extension_enabled()
    rows.append((tr("widget extension"), tr("enabled") if enabled else tr("not found"),
                 None if enabled else tr("install jupyterlab_widgets into the environment that runs "
                                         "JupyterLab (`make lab` does), then reload the browser tab")))
    try:
        from bpcourse.grader.sandbox import doctor_rows

        rows += [(tr(name), tr(found), tr(advice) if advice else None) for name, found, advice in doctor_rows()]
    except Exception as exc:  # never let this check hide the others
        rows.append((tr("grader kernel"), tr("unknown"), tr("could not check the grader's sandbox: {exc}", exc=exc)))
    kernel_ok = Path(sys.executable).resolve().parts[-3:-2] != ()
    rows.append((tr("kernel python"), sys.executable, None if kernel_ok else tr("unexpected interpreter")))
    if get_language() == "zh":  # Chinese figure text needs a font that has the glyphs
        font = cjk_font()
        rows.append((tr("Chinese font"), font or tr("not found"),
                     None if font else tr("no font with Chinese glyphs: figures keep English text. Install one "
                                          "(Debian/Ubuntu: `sudo apt-get install {package}`), then restart "
                                          "the kernel", package=CJK_FONT_PACKAGE)))
    return rows


def run_doctor() -> int:
    rows = checks()
    width = max(display_width(name) for name, _, _ in rows)
    problems = 0
    for name, found, advice in rows:
        mark = "ok " if advice is None else "FIX"
        print(f"[{mark}] {ljust(name, width)}  {found}")
        if advice:
            problems += 1
            print(f"      -> {advice}")
    print(tr("All good: the course is ready.") if problems == 0 else tr("{count} thing(s) to fix, see above.",
                                                                         count=problems))
    return 0 if problems == 0 else 1


if __name__ == "__main__":
    sys.exit(run_doctor())
