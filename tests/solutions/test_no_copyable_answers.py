"""No exercise answer can be copied from the course notebooks.

Every answer cell of ``solutions/`` is cut into windows of three consecutive substantive lines
(whitespace collapsed; blank lines, comments, lone brackets, ``return``/``pass``/``else:`` and
imports skipped, trailing comments dropped). No window may appear, as three consecutive
substantive lines, in any notebook under ``notebooks/`` (translations included): in a code cell,
in a markdown cell (fenced code in prose too), or in an output (printed source, reprs, HTML).
The notebooks are read as they are in the checkout at test time, so a copy added to a notebook
later fails here too.
"""
from __future__ import annotations

import copy
import html
import re
from pathlib import Path

import nbformat
import pytest

from _solutions_support import ROOT

# Lines that give nothing away on their own.
_TRIVIAL = re.compile(
    r"""^(
        [\s()\[\]{}:,;]*                               # blank, or lone brackets
      | return | pass | else: | try: | finally: | continue | break
      | (import|from)\s.*                               # imports
      | @\w+(\.\w+)*                                    # a bare decorator
      | \#\#\#\s(BEGIN|END)\s(SOLUTION|HIDDEN\sTESTS)
    )$""", re.VERBOSE)


def _drop_comment(line: str) -> str:
    """The line without a trailing ``# comment`` (a ``#`` inside a string literal stays)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            return line[:i]
    return line


def substantive_lines(text: str) -> list[str]:
    out = []
    for raw in text.splitlines():
        line = " ".join(_drop_comment(raw).split())
        if line and not _TRIVIAL.match(line):
            out.append(line)
    return out


def windows(lines: list[str], size: int = 3) -> set[tuple[str, ...]]:
    return {tuple(lines[i:i + size]) for i in range(len(lines) - size + 1)}


def _output_texts(output) -> list[str]:
    if output.get("output_type") == "stream":
        return [output.get("text", "")]
    texts = []
    for mime, value in output.get("data", {}).items():
        value = "".join(value) if isinstance(value, list) else value
        if not isinstance(value, str) or mime.startswith("image/"):
            continue
        if mime == "text/html":
            value = re.sub(r"(?i)<br\s*/?>|</(div|p|tr|li|pre)>", "\n", value)  # block ends are line ends
            value = html.unescape(re.sub(r"<[^>]+>", "", value))
        texts.append(value)
    if output.get("output_type") == "error":
        texts.append("\n".join(output.get("traceback", [])))
    return texts


def course_windows(nb: nbformat.NotebookNode) -> dict[tuple[str, ...], str]:
    """Every 3-line window of the notebook's code, prose and outputs, with where it was seen."""
    seen: dict[tuple[str, ...], str] = {}
    for index, cell in enumerate(nb.cells):
        texts = [(cell.source, f"cell {index} ({cell.cell_type})")]
        for output in cell.get("outputs", []):
            texts += [(t, f"cell {index} output") for t in _output_texts(output)]
        for text, where in texts:
            for window in windows(substantive_lines(text)):
                seen.setdefault(window, where)
    return seen


def answer_cells(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(c.metadata["nbgrader"]["grade_id"], c.source) for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]


def copies(solution: nbformat.NotebookNode, notebooks: dict[str, nbformat.NotebookNode]) -> list[str]:
    found = []
    course = {name: course_windows(nb) for name, nb in notebooks.items()}
    for grade_id, source in answer_cells(solution):
        for window in sorted(windows(substantive_lines(source))):
            for name, seen in course.items():
                if window in seen:
                    found.append(f"{grade_id}: {' / '.join(window)!r} is in {name}, {seen[window]}")
    return found


SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


@pytest.fixture(scope="module")
def course():
    assert len(NOTEBOOKS) >= 8, f"expected the course notebooks under notebooks/, found {len(NOTEBOOKS)}"
    return {str(p.relative_to(ROOT)): _read(p) for p in NOTEBOOKS}


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_no_answer_is_printed_in_the_course(path, course):
    found = copies(_read(path), course)
    assert found == [], "answers that can be copied from the course:\n" + "\n".join(found)


def test_every_answer_cell_has_a_window_to_compare():
    """An answer of fewer than three substantive lines cannot be copied in this sense; most are longer,
    so the test above is not vacuous."""
    sizes = [len(substantive_lines(src)) for p in SOLUTIONS for _, src in answer_cells(_read(p))]
    assert len(sizes) >= 45 and sum(n >= 3 for n in sizes) >= len(sizes) // 2, sizes


# ------------------------------------------------- the detector on mutated copies of the course
def _a_long_answer() -> tuple[str, list[str]]:
    for p in SOLUTIONS:
        for grade_id, source in answer_cells(_read(p)):
            lines = substantive_lines(source)
            if len(lines) >= 4:
                return grade_id, source.splitlines()
    raise AssertionError("no answer with four substantive lines")


def _raw_lines_of_window(source_lines: list[str]) -> list[str]:
    """Three raw lines whose substantive forms are consecutive, re-indented and re-spaced."""
    picked = [line for line in source_lines if substantive_lines(line)][1:4]
    return ["        " + "  ".join(line.split()) + "   # pasted" for line in picked]


@pytest.mark.parametrize("where", ["code", "markdown", "stream", "html", "text/plain"])
def test_detector_catches_an_answer_pasted_into_a_notebook(course, where):
    name, nb = next(iter(course.items()))
    mutated = copy.deepcopy(nb)
    grade_id, source_lines = _a_long_answer()
    pasted = "\n".join(_raw_lines_of_window(source_lines))
    if where == "code":
        mutated.cells.append(nbformat.v4.new_code_cell("x = 1\n" + pasted + "\nprint(x)"))
    elif where == "markdown":
        mutated.cells.append(nbformat.v4.new_markdown_cell("Some prose.\n\n```python\n" + pasted + "\n```\n"))
    else:
        cell = nbformat.v4.new_code_cell("show()")
        if where == "stream":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=pasted + "\n")]
        elif where == "html":
            body = "".join(f"<div><span>{html.escape(line)}</span></div>" for line in pasted.splitlines())
            cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": f"<pre>{body}</pre>"})]
        else:
            cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": pasted}, execution_count=1)]
        mutated.cells.append(cell)
    solution = next(_read(p) for p in SOLUTIONS if grade_id in dict(answer_cells(_read(p))))
    before = [f for f in copies(solution, {name: nb}) if f.startswith(grade_id + ":")]
    found = [f for f in copies(solution, {name: mutated}) if f.startswith(grade_id + ":")]
    assert len(found) > len(before), f"the pasted lines of {grade_id} were not found"


def test_detector_ignores_trivial_and_two_line_matches(course):
    name, nb = next(iter(course.items()))
    grade_id, source_lines = _a_long_answer()
    solution = next(_read(p) for p in SOLUTIONS if grade_id in dict(answer_cells(_read(p))))
    before = copies(solution, {name: nb})
    mutated = copy.deepcopy(nb)
    two = [line for line in source_lines if substantive_lines(line)][1:3]
    # two substantive lines of the answer, then an unrelated one: not a copy of three
    mutated.cells.append(nbformat.v4.new_code_cell("\n".join(two) + "\nunrelated = 42\n"))
    # trivial lines only
    mutated.cells.append(nbformat.v4.new_code_cell("return\n)\n# a comment\n\nelse:\n"))
    assert copies(solution, {name: mutated}) == before


def test_substantive_lines_normalise():
    assert substantive_lines("  a  =  b +  c   # why\n\n    )\n# only a comment\nreturn\ns = '#x'\n") == \
        ["a = b + c", "s = '#x'"]
