"""Build, execute and slide the course notebooks from their plain-text sources.

Each notebook has one source, ``<dir>/src/NN_topic.py``, in the "percent" format
(the literate-program style of JAX's Autodidax): a line starting ``# %%`` opens a
cell. Options on that line:

    # %% [markdown] slide=subslide          a markdown cell on a new vertical slide
    # %% tags=nbval-ignore-output slide=skip a code cell with tags and slide type
    # %% meta={"nbgrader": {...}}           any extra cell metadata as JSON (must be last)

Markdown lines carry a leading ``# `` that is stripped. The ``.ipynb`` beside the
``src/`` folder is generated, then executed in place with nbclient on the standard
``python3`` kernel, so nbval re-runs exactly what a learner sees.

    python tools/notebooks.py build [--execute] [--jobs 2] [--dir notebooks] [--lang en|zh|all] [NAMES...]
    python tools/notebooks.py check  # fail if an .ipynb's sources drifted from src/
    python tools/notebooks.py slides # reveal.js decks into slides/ (and slides/zh/)
    python tools/notebooks.py zh-status [--dir ...]   # Chinese cells stale or missing, with the English
    python tools/notebooks.py zh-stamp [--dir ...]    # record the English hash of new translations

The Chinese notebooks (``<dir>/zh/NN_topic.ipynb``) take their prose from the sidecar
``<dir>/src/NN_topic.zh.md`` and their code from the English source (tools/translation.py).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
import translation  # noqa: E402  (tools/translation.py, also when this file is imported by a test)

ROOT = Path(__file__).resolve().parents[1]
HEADER = re.compile(r"^# %%(?P<rest>.*)$")
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}


def parse_header(rest: str) -> tuple[str, dict]:
    """Turn the text after '# %%' into (cell_type, metadata)."""
    meta: dict = {}
    if "meta=" in rest:
        rest, raw = rest.split("meta=", 1)
        meta = json.loads(raw)
    cell_type = "code"
    for token in rest.split():
        if token == "[markdown]":
            cell_type = "markdown"
        elif token.startswith("slide="):
            kind = token.split("=", 1)[1]
            if kind not in SLIDE_TYPES:
                raise ValueError(f"unknown slide type {kind!r}; use one of {sorted(SLIDE_TYPES)}")
            meta.setdefault("slideshow", {})["slide_type"] = kind
        elif token.startswith("tags="):
            meta.setdefault("tags", []).extend(t for t in token.split("=", 1)[1].split(",") if t)
        else:
            raise ValueError(f"cannot read cell option {token!r}")
    return cell_type, meta


def read_source(path: Path) -> nbformat.NotebookNode:
    """Parse a percent-format source into an (unexecuted) notebook."""
    cells = []
    current: tuple[str, dict, list[str]] | None = None

    def flush():
        if current is None:
            return
        cell_type, meta, lines = current
        while lines and not lines[-1].strip():
            lines.pop()
        if cell_type == "markdown":
            text = "\n".join(re.sub(r"^# ?", "", line) for line in lines)
            cells.append(nbformat.v4.new_markdown_cell(text, metadata=meta))
        else:
            cells.append(nbformat.v4.new_code_cell("\n".join(lines), metadata=meta))

    for line in path.read_text(encoding="utf-8").splitlines():
        match = HEADER.match(line)
        if match:
            flush()
            cell_type, meta = parse_header(match.group("rest"))
            current = (cell_type, meta, [])
        elif current is not None:
            current[2].append(line)
    flush()
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    # Stable cell ids keep diffs of regenerated notebooks small.
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{path.stem[:20]}-{i:03d}".replace("_", "-")
    return nb


def execute(nb: nbformat.NotebookNode, cwd: Path, env: dict | None = None) -> None:
    """Run every cell in a fresh python3 kernel started in ``cwd`` (with ``env`` as its environment, if given)."""
    cwd.mkdir(parents=True, exist_ok=True)
    client = NotebookClient(nb, kernel_name="python3", timeout=600,
                            resources={"metadata": {"path": str(cwd)}}, record_timing=False)
    client.execute(**({"env": env} if env is not None else {}))
    # Widget views and state hold random model ids: keep only their text form, so a rebuild of an
    # unchanged notebook gives the same bytes (nbval ignores these cells' outputs anyway).
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            out.get("data", {}).pop("application/vnd.jupyter.widget-view+json", None)
    nb.metadata["language_info"] = {"name": "python"}


def sources(directory: Path, names: list[str]) -> list[Path]:
    found = sorted((directory / "src").glob("*.py"))
    if names:
        found = [p for p in found if any(n in p.stem for n in names)]
    return found


def notebook_for(src: Path, language: str) -> tuple[nbformat.NotebookNode, Path, list]:
    """The notebook a source gives in ``language``, where it is written, and translation problems."""
    nb = read_source(src)
    if language == "en":
        return nb, src.parent.parent / f"{src.stem}.ipynb", []
    zh, problems = translation.translate(nb, src)
    return zh, src.parent.parent / translation.LANGUAGE / f"{src.stem}.ipynb", problems


def build(directory: Path, names: list[str], run: bool, languages: list[str] = ("en",), jobs: int = 1) -> None:
    """Write (and with ``run``, execute) each source's notebook, ``jobs`` kernels at a time."""
    def one(task: tuple[str, Path]) -> tuple[str, list]:
        language, src = task
        nb, out, problems = notebook_for(src, language)
        started = time.perf_counter()
        out.parent.mkdir(exist_ok=True)
        if run:
            execute_checked(nb, out.parent, language)
        nbformat.write(nb, out)
        return (f"{out.relative_to(ROOT)}: {len(nb.cells)} cells"
                + (f", executed in {time.perf_counter() - started:.1f} s" if run else "")), problems

    tasks = [(language, src) for language in languages for src in sources(directory, names)]
    untranslated = []
    # Each notebook runs in its own kernel process, so two at a time use both cores of a 2-core machine.
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for line, problems in pool.map(one, tasks):   # reported in order, as each finishes
            print(line, flush=True)
            untranslated += problems
    if untranslated:
        print(f"warning: {len(untranslated)} Chinese cell(s) stale or missing (they show English); "
              f"`python tools/notebooks.py zh-status --dir {directory.name}` lists them")


def execute_checked(nb: nbformat.NotebookNode, cwd: Path, language: str) -> None:
    """Execute; for Chinese, a glyph missing from every figure font is an error (not a box)."""
    if language == "en":
        execute(nb, cwd)
        return
    # matplotlib: "Glyph 23398 (...) missing from font(s) ..." becomes an error, in this kernel only
    # (its own environment, so notebooks built at the same time are not affected).
    execute(nb, cwd, env={**os.environ, "PYTHONWARNINGS": "error:Glyph"})
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))
            if "missing from font" in text:
                raise SystemExit(f"{cell.get('id')}: a figure lacks glyphs: {text[:200]}")


def check(directory: Path, languages: list[str] = ("en",)) -> int:
    bad = 0
    for language in languages:
        for src in sources(directory, []):
            nb, out, _ = notebook_for(src, language)
            want = [(c.cell_type, c.source) for c in nb.cells]
            have = [(c.cell_type, c.source) for c in nbformat.read(out, as_version=4).cells] if out.exists() else None
            if want != have:
                print(f"{out}: differs from {src}" + ("" if language == "en" else " and its translation")
                      + "; run `make notebooks`")
                bad += 1
    return bad


def zh_status(directory: Path, names: list[str]) -> int:
    problems = [p for src in sources(directory, names) for p in translation.check_source(src, read_source)]
    for p in problems:
        print(p)
        if p.kind in ("stale", "missing"):
            print("    " + p.english.replace("\n", "\n    "))
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


# reveal.js and the scripts nbconvert's slides link to, fetched once from the npm registry into
# slides/vendor so the decks also work offline in a lecture hall.
VENDOR = {"reveal.js": "reveal.js@4.0.2", "mathjax": "mathjax@2.7.7", "requirejs": "requirejs@2.1.10",
          "jquery": "jquery@2.1.0"}


def vendor(target: Path) -> bool:
    """Unpack the slide dependencies into target/vendor; False (decks use the CDN) if npm fails."""
    vendor_dir = target / "vendor"
    for folder, spec in VENDOR.items():
        if (vendor_dir / folder).exists():
            continue
        vendor_dir.mkdir(parents=True, exist_ok=True)
        try:
            packed = subprocess.run(["npm", "pack", "--silent", spec], cwd=vendor_dir, check=True,
                                    capture_output=True, text=True, timeout=300).stdout.split()[-1]
            (vendor_dir / folder).mkdir()
            subprocess.run(["tar", "xzf", packed, "--strip-components=1", "-C", folder], cwd=vendor_dir,
                           check=True)
            (vendor_dir / packed).unlink()
        except (OSError, subprocess.SubprocessError) as err:
            print(f"could not fetch {spec} with npm ({err}); the decks will load it from a CDN")
            return False
    return True


def slides(directory: Path) -> None:
    """English decks into slides/, Chinese ones into slides/zh/ (sharing slides/vendor)."""
    target = ROOT / "slides"
    target.mkdir(exist_ok=True)
    offline = vendor(target)
    for folder, out, up in [(directory, target, ""), (directory / translation.LANGUAGE,
                                                       target / translation.LANGUAGE, "../")]:
        options = [f"--SlidesExporter.reveal_url_prefix={up}vendor/reveal.js",
                   f"--SlidesExporter.mathjax_url={up}vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
                   f"--SlidesExporter.require_js_url={up}vendor/requirejs/require.js",
                   f"--SlidesExporter.jquery_url={up}vendor/jquery/dist/jquery.min.js"] if offline else []
        out.mkdir(exist_ok=True)
        for nb in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
            subprocess.run([sys.executable, "-m", "nbconvert", "--to", "slides", "--output-dir", str(out),
                            *options, str(nb)], check=True)
    print(f"decks in {target.relative_to(ROOT)}/ and {target.relative_to(ROOT)}/zh/: "
          "open NN_topic.slides.html in a browser")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["build", "check", "slides", "zh-status", "zh-stamp"])
    parser.add_argument("names", nargs="*", help="only notebooks whose name contains one of these")
    parser.add_argument("--dir", default="notebooks", help="folder holding src/ (notebooks or solutions)")
    parser.add_argument("--execute", action="store_true")
    parser.add_argument("--jobs", type=int, default=1, help="build: notebooks executed at the same time (kernels)")
    parser.add_argument("--lang", choices=["en", "zh", "all"], default="en",
                        help="build/check the English notebooks, the Chinese ones (<dir>/zh/), or both")
    parser.add_argument("--revised", action="store_true",
                        help="zh-stamp: also re-stamp the stale entries you brought up to date")
    args = parser.parse_intermixed_args()
    directory = ROOT / args.dir
    languages = ["en", "zh"] if args.lang == "all" else [args.lang]
    if args.command == "build":
        build(directory, args.names, args.execute, languages, args.jobs)
    elif args.command == "check":
        return 1 if check(directory, languages) else 0
    elif args.command == "zh-status":
        return zh_status(directory, args.names)
    elif args.command == "zh-stamp":
        for src in sources(directory, args.names):
            done = translation.stamp(src, read_source, revised=args.revised)
            if done:
                print(f"{translation.sidecar_of(src).relative_to(ROOT)}: stamped {', '.join(done)}")
    else:
        slides(directory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
