"""Notebook 00 maps every claim of the seed lecture's note to a section of the course that shows it.

The note (tests/data/lecture-notes.zh.txt) is read line by line: every line of prose and every comment of its
program is a claim. Each must be quoted (「...」, word for word) in a row of the map, and each row must point at a
heading that exists in the notebook it names, with the anchor JupyterLab gives that heading.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTE = (ROOT / "tests/data/lecture-notes.zh.txt").read_text(encoding="utf-8")
HEADINGS_OF_THE_NOTE = {"数学推导", "源码解读与实现", "整体代码"}
LINK = re.compile(r"\[([^\]]*)\]\(([0-9]{2}_[a-z_]+\.ipynb)#((?:[^()\s]|\([^()\s]*\))*)\)")  # anchors may hold "()"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def note_claims() -> list[str]:
    """Every prose line before the program, and every comment in the program."""
    lines = [line.strip() for line in NOTE.splitlines() if line.strip()]
    program_starts = lines.index("整体代码")
    prose = [line for line in lines[1:program_starts] if line not in HEADINGS_OF_THE_NOTE]  # line 0 is the title
    comments = [line.split("#", 1)[1].strip() for line in lines[program_starts + 1:] if "#" in line]
    return prose + comments


def map_rows() -> list[list[str]]:
    nb = nbformat.read(ROOT / "notebooks/00_start_here.ipynb", as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "markdown"]
    start = next(i for i, text in enumerate(cells) if text.startswith("## The seed lecture, claim by claim"))
    rows = []
    for text in cells[start + 1:]:
        if text.startswith("## "):
            break
        for line in text.splitlines():
            if line.startswith("| ") and "「" in line:
                rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
    return rows


def jupyterlab_anchor(heading: str) -> str:
    """JupyterLab's id for a rendered heading: its text content with spaces replaced by '-'."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    text = re.sub(r"\*\*?([^*]+)\*\*?", r"\1", text)
    return text.replace(" ", "-")


def headings(notebook: str) -> dict[str, str]:
    nb = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
    found = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                match = re.match(r"#{1,6} (.+)$", line)
                if match:
                    found[jupyterlab_anchor(match.group(1).strip())] = match.group(1)
    return found


def test_the_note_has_the_claims_this_test_expects():
    claims = note_claims()
    assert len(claims) >= 25, claims          # 18 lines of prose (some with several claims) and 11 comments
    assert any("pytorch是将导数存储在输入单元x中" in c for c in claims)
    assert "梯度清零" in claims


def test_every_row_quotes_the_note_word_for_word_and_has_four_columns():
    rows = map_rows()
    assert len(rows) >= 30
    note = squeeze(NOTE)
    for row in rows:
        assert len(row) == 4, row
        quotes = re.findall(r"「([^」]+)」", row[0])
        assert quotes, row
        for quote in quotes:
            assert squeeze(quote) in note, f"not a quote of the note: {quote}"
        assert re.search(r"[A-Za-z]{3}", row[1]), f"no English rendering: {row}"


def test_every_claim_of_the_note_is_in_the_map():
    quotes = [squeeze(q) for row in map_rows() for q in re.findall(r"「([^」]+)」", row[0])]
    missing = [claim for claim in note_claims() if not any(q in squeeze(claim) for q in quotes)]
    assert not missing, f"claims of the note with no row in notebook 00's map: {missing}"


def test_every_row_points_at_an_existing_section():
    for row in map_rows():
        links = LINK.findall(row[2])
        assert len(links) == 1, f"the 'shown in' column needs exactly one link: {row[2]}"
        for column in row[2:]:
            for text, notebook, anchor in LINK.findall(column):
                assert (ROOT / "notebooks" / notebook).exists(), notebook
                found = headings(notebook)
                assert anchor in found, f"{notebook} has no heading with anchor {anchor!r}; it has {sorted(found)}"
                assert text.startswith(notebook[:2] + " · ") or column is not row[2], text
                assert "$" not in found[anchor], "link only to headings without maths (their anchors are stable)"


@pytest.mark.parametrize("quote, must_say", [
    ("pytorch是将导数存储在输入单元x中", ["leaf tensors with `requires_grad=True`", "Python float"]),
    ("sigmoid: x -> 1/1+e^(-x1)", ["1/(1 + e^(−x))"]),
    ("通过.data运算", ["version counter", "torch.no_grad()"]),
    ("预测模型的参数w应当作为tensor量进行定义", ["legacy", "torch.tensor([1.0], requires_grad=True)"]),
    ("梯度清零", ["`None`"]),
    ("无法直接对权重w进行解析式求导", ["two forward passes"]),
])
def test_loose_claims_carry_their_correction(quote, must_say):
    row = next(r for r in map_rows() if quote in r[0])
    for phrase in must_say:
        assert phrase in row[3], f"correction for {quote!r} should say {phrase!r}: {row[3]}"
