"""Check a source notebook against nbgrader's cell-metadata schema v3 and the course's own rules.

    >>> problems = validate_notebook(nbformat.read("solutions/03_matrix_calculus_backprop.ipynb", 4))  # doctest: +SKIP
    >>> problems                                                                                   # doctest: +SKIP
    []

Each problem names the cell (index and grade_id) and says what to change. Run as a script:
``python -m bpcourse.grader.validate solutions/*.ipynb`` (exit status 1 if anything is wrong).
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from bpcourse.grader.notebook import (BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION, GRADE_ID,
                                      nbgrader_meta, questions)

FLAGS = ("grade", "solution", "locked")


def _regions(source: str, begin: str, end: str) -> tuple[int, str | None]:
    """How many begin/end regions a source has, and a problem if they do not pair up."""
    depth = count = 0
    for line in source.splitlines():
        s = line.strip()
        if s.startswith(begin):
            if depth:
                return count, f"'{begin}' inside another region"
            depth, count = 1, count + 1
        elif s.startswith(end):
            if not depth:
                return count, f"'{end}' without '{begin}'"
            depth = 0
    return count, (f"'{begin}' without '{end}'" if depth else None)


def validate_notebook(nb: nbformat.NotebookNode, min_questions: int = 0) -> list[str]:
    """Every way ``nb`` breaks the v3 rules (empty list if none)."""
    problems: list[str] = []
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != "python3":
        problems.append(f"notebook kernelspec name is {kernel!r}, expected 'python3'")
    seen: dict[str, int] = {}
    for i, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        source = cell.get("source", "")
        where = f"cell {i}"
        if not meta:
            for marker in (BEGIN_SOLUTION, BEGIN_HIDDEN):
                if marker in source:
                    problems.append(f"{where}: has '{marker}' but no nbgrader metadata")
            continue
        gid = meta.get("grade_id")
        where = f"cell {i} ({gid})"
        if meta.get("schema_version") != 3:
            problems.append(f"{where}: nbgrader schema_version is {meta.get('schema_version')!r}, expected 3")
        for flag in FLAGS:
            if not isinstance(meta.get(flag), bool):
                problems.append(f"{where}: nbgrader '{flag}' must be true or false, got {meta.get(flag)!r}")
        if not isinstance(gid, str) or not GRADE_ID.match(gid):
            problems.append(f"{where}: grade_id must match [A-Za-z0-9_-]+")
        elif gid in seen:
            problems.append(f"{where}: grade_id {gid!r} already used by cell {seen[gid]}")
        else:
            seen[gid] = i
        grade, solution, locked = (bool(meta.get(f)) for f in FLAGS)
        if grade:
            points = meta.get("points")
            if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
                problems.append(f"{where}: a grade cell needs 'points' >= 0, got {points!r}")
            if cell.cell_type == "markdown" and not solution:
                problems.append(f"{where}: a markdown grade cell must also be a solution cell")
        if solution and locked:
            problems.append(f"{where}: a solution cell cannot be locked")
        if locked:
            for key in ("editable", "deletable"):
                if cell.metadata.get(key) is not False:
                    problems.append(f"{where}: a locked cell needs metadata {key}: false")
        n_sol, bad = _regions(source, BEGIN_SOLUTION, END_SOLUTION)
        if bad:
            problems.append(f"{where}: {bad}")
        if n_sol and not solution:
            problems.append(f"{where}: '{BEGIN_SOLUTION}' in a cell that is not a solution cell")
        if solution and cell.cell_type == "code" and not n_sol:
            problems.append(f"{where}: an answer cell needs '{BEGIN_SOLUTION}' / '{END_SOLUTION}' around the solution")
        n_hidden, bad = _regions(source, BEGIN_HIDDEN, END_HIDDEN)
        if bad:
            problems.append(f"{where}: {bad}")
        if n_hidden and not (grade and cell.cell_type == "code"):
            problems.append(f"{where}: hidden tests belong in a code grade cell")
    n = len(questions(nb))
    if n < min_questions:
        problems.append(f"notebook has {n} graded questions, expected at least {min_questions}")
    return problems


def unchecked_questions(questions_: list, checks: dict[str, list]) -> list[str]:
    """The grade_ids of graded questions (points > 0) that no grader-side check judges."""
    return [q.grade_id for q in questions_ if q.points > 0 and not checks.get(q.grade_id)]


def require_checks(source, questions_: list, checks: dict[str, list], folders: list) -> None:
    """Refuse an assignment with a graded question judged only by asserts in the learner's kernel.

    Those asserts run where the learner's code runs: a submission can monkeypatch ``np.allclose`` or
    ``AssertionError`` itself and pass them. Only a ``Check`` (its ``verify`` runs in the grader) counts.
    """
    missing = unchecked_questions(questions_, checks)
    if missing:
        stem = getattr(source, "stem", str(source))
        where = ", ".join(f"{Path(f)}/{stem}.py" for f in folders if f is not None) or "no checks folder"
        raise ValueError(
            f"{source}: graded question{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} "
            f"{'have' if len(missing) > 1 else 'has'} no grader-side check; in-kernel asserts alone can be "
            f"monkeypatched by a submission. Add a Check(grade_id=...) for each to CHECKS in {where} "
            f"(or give the question 0 points).")


def main(argv: list[str] | None = None) -> int:
    paths = argv if argv is not None else sys.argv[1:]
    bad = 0
    for path in paths:
        for problem in validate_notebook(nbformat.read(path, as_version=4)):
            print(f"{path}: {problem}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
