"""`make slides` gives a usable deck per notebook: derivations on their own slides, long code tucked away."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbconvert import SlidesExporter

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def slide_type(cell) -> str:
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_deck_structure(path):
    nb = nbformat.read(path, as_version=4)
    starts = [c for c in nb.cells if slide_type(c) in ("slide", "subslide")]
    assert len(starts) >= 5, "a deck needs slide metadata (slide=slide/subslide in the source)"
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "$$" in cell.source:
            assert slide_type(cell) in ("slide", "subslide"), \
                f"a derivation should open its own slide:\n{cell.source[:120]}"
        if cell.cell_type == "code" and len(cell.source.splitlines()) > 15:
            assert slide_type(cell) in ("fragment", "skip"), \
                f"a long code cell should be a fragment or skipped on slides:\n{cell.source[:120]}"


@pytest.mark.parametrize("path", NOTEBOOKS[:2], ids=[p.stem for p in NOTEBOOKS[:2]])
def test_nbconvert_renders_a_reveal_deck(path):
    html, _ = SlidesExporter().from_filename(str(path))
    nb = nbformat.read(path, as_version=4)
    slides = sum(slide_type(c) == "slide" for c in nb.cells)
    assert 'class="reveal"' in html
    assert html.count("<section") >= slides
