"""nbgrader-style cells: which cell is a question, an answer or fixed text, and the marked regions.

A *question* is a grade cell (``grade: true``) holding tests; an *answer* is a solution cell
(``solution: true``) with ``### BEGIN SOLUTION`` / ``### END SOLUTION`` around the model answer.
Everything here is plain functions over nbformat notebooks; nothing executes code.
"""
from __future__ import annotations

import copy
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import nbformat

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
MARKDOWN_STUB = "YOUR ANSWER HERE"
GRADE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
MAX_NOTEBOOK_BYTES = 50 * 2**20
MAX_ANSWER_CHARS = 2 * 2**20
# JSON objects and lists outside strings: a real notebook has a handful per cell; 45 MB of "{}," are
# 16 million, which json.loads turns into 1.2 GB and seconds of the grader's own CPU.
MAX_JSON_CONTAINERS = 2_000_000
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')


class NotebookError(ValueError):
    """A file that is not a notebook we can read (corrupt JSON, not a notebook, too large)."""


def nbgrader_meta(cell) -> dict:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nb = meta.get("nbgrader") if isinstance(meta, dict) else None
    return nb if isinstance(nb, dict) else {}


def is_question(cell) -> bool:
    return bool(nbgrader_meta(cell).get("grade")) and not nbgrader_meta(cell).get("solution")


def is_answer(cell) -> bool:
    return bool(nbgrader_meta(cell).get("solution"))


def grade_id(cell) -> str | None:
    gid = nbgrader_meta(cell).get("grade_id")
    return gid if isinstance(gid, str) else None


def cell_text(cell) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def _marker(line: str, marker: str) -> bool:
    return line.strip().startswith(marker)


def replace_solution(source: str, cell_type: str = "code") -> str:
    """Each ``BEGIN/END SOLUTION`` region becomes the stub; a cell without markers becomes the stub."""
    stub = CODE_STUB if cell_type == "code" else MARKDOWN_STUB
    lines = source.splitlines()
    if not any(_marker(line, BEGIN_SOLUTION) for line in lines):
        return stub
    out: list[str] = []
    inside = False
    for line in lines:
        if not inside and _marker(line, BEGIN_SOLUTION):
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + s for s in stub.splitlines())
        elif inside and _marker(line, END_SOLUTION):
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def remove_hidden_tests(source: str) -> str:
    """Drop every ``BEGIN/END HIDDEN TESTS`` region, markers included."""
    out: list[str] = []
    inside = False
    for line in source.splitlines():
        if not inside and _marker(line, BEGIN_HIDDEN):
            inside = True
        elif inside and _marker(line, END_HIDDEN):
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out).rstrip("\n")


def read_source(path: str | Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def read_regular_file(path: str | Path, cap: int = MAX_NOTEBOOK_BYTES) -> bytes:
    """The bytes of ``path`` if it is a regular file (not a link, FIFO or device) of at most ``cap``
    bytes; else NotebookError. A submission folder may come from an archive or a shared drop box:
    a link to the source notebook or to a classmate's file would be graded as the learner's, a FIFO
    would block the grader for ever, and /dev/zero would fill its memory."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        if os.path.islink(path):
            raise NotebookError(f"{Path(path).name} is a symbolic link; the grader reads only regular files "
                                "(copy the notebook itself into the batch folder)") from None
        raise NotebookError(f"cannot open the file: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotebookError(f"{Path(path).name} is not a regular file (a FIFO, device or folder)")
        if info.st_size > cap:
            raise NotebookError(f"file is {info.st_size / 2**20:.0f} MB, larger than {cap // 2**20} MB")
        data = f.read(cap + 1)
    if len(data) > cap:
        raise NotebookError(f"file is larger than {cap // 2**20} MB")
    return data


def read_submission(path: str | Path, raw: bytes | None = None) -> dict:
    """The learner's file (or its bytes, read earlier) as plain JSON. Raises NotebookError if unusable.

    The file is opened read-only, once; only the answer cells are used later, so this checks just
    enough structure to find them.
    """
    path = Path(path)
    try:
        if raw is None:
            raw = read_regular_file(path)
        if len(raw) > MAX_NOTEBOOK_BYTES:
            raise NotebookError(f"file is {len(raw) / 2**20:.0f} MB, larger than {MAX_NOTEBOOK_BYTES // 2**20} MB")
        outside_strings = _JSON_STRING.sub(b"", raw)
        containers = outside_strings.count(b"{") + outside_strings.count(b"[")
        del outside_strings
        if containers > MAX_JSON_CONTAINERS:
            raise NotebookError(f"the file holds {containers:,} JSON objects and lists, more than "
                                f"{MAX_JSON_CONTAINERS:,} (a notebook has a few per cell)")
        data = json.loads(raw.decode("utf-8"))
    except NotebookError:
        raise
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise NotebookError(f"not a readable notebook: {type(exc).__name__}: {str(exc)[:200]}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError("not a notebook: no list of cells")
    return data


@dataclass
class Rebuilt:
    """The notebook to execute: the source with the learner's answers put in."""

    notebook: nbformat.NotebookNode
    answered: dict[str, bool]  # answer grade_id -> the learner's text was used (else the stub)


def learner_answers(submission: dict) -> tuple[dict[str, str], dict[str, str]]:
    """The learner's answer cells by grade_id (first occurrence wins) and by cell id (a fallback)."""
    by_gid: dict[str, str] = {}
    by_id: dict[str, str] = {}
    for cell in submission.get("cells", []):
        if not isinstance(cell, dict):
            continue
        text = cell_text(cell)[:MAX_ANSWER_CHARS]
        gid = grade_id(cell)
        if is_answer(cell) and gid and gid not in by_gid:
            by_gid[gid] = text
        cid = cell.get("id")
        if isinstance(cid, str) and cid not in by_id:
            by_id[cid] = text
    return by_gid, by_id


def rebuild(source: nbformat.NotebookNode, submission: dict | None) -> Rebuilt:
    """Every cell from ``source`` except answer cells, which come from ``submission``.

    An answer cell is matched by its grade_id (the first one if the learner duplicated it); if no
    cell of the submission carries that grade_id, a cell with the source cell's id is used
    (metadata lost by some editors); if neither exists, the exercise stub. So edited, deleted,
    split or rewritten test cells cannot change a score.
    """
    nb = copy.deepcopy(source)
    by_gid, by_id = learner_answers(submission or {})
    answered: dict[str, bool] = {}
    for cell in nb.cells:
        if not is_answer(cell):
            continue
        gid = grade_id(cell) or ""
        text = by_gid.get(gid)
        if text is None and cell.get("id") in by_id:
            text = by_id[cell.get("id")]
        answered[gid] = text is not None
        cell.source = text if text is not None else replace_solution(cell.source, cell.cell_type)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return Rebuilt(nb, answered)


@dataclass
class Question:
    grade_id: str
    points: float
    cell_index: int
    answer_cells: list[int]  # indices of the answer cells in this question's segment


def questions(nb: nbformat.NotebookNode) -> list[Question]:
    """The grade cells in order; each owns the answer cells since the previous grade cell."""
    found: list[Question] = []
    pending: list[int] = []
    for i, cell in enumerate(nb.cells):
        if is_answer(cell):
            pending.append(i)
        elif is_question(cell):
            points = nbgrader_meta(cell).get("points", 0)
            found.append(Question(grade_id(cell) or f"cell{i}", float(points or 0), i, pending))
            pending = []
    return found
