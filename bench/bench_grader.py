"""Batch-grading speed: 40 mixed submissions of one real notebook, 2 workers.

Mix: 10 solutions, 10 fresh exercises, 10 with question 1 solved, 5 with a syntax error in an
answer, 5 whose answer kills its kernel (os._exit, so the grader restarts it once). Prints the
total, the per-submission seconds, and for scale the cost of one empty kernel start. Not a test.

    python bench/bench_grader.py [--notebook 03_matrix_calculus_backprop] [--jobs 2] [--n 40]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from bpcourse.grader.batch import grade_batch
from bpcourse.grader.generate import make_exercise
from bpcourse.grader.notebook import grade_id, is_answer, questions
from bpcourse.grader.runner import Assignment, Config, grade_submission

ROOT = Path(__file__).resolve().parents[1]
MIX = ["solution"] * 10 + ["exercise"] * 10 + ["first"] * 10 + ["syntax"] * 5 + ["crash"] * 5  # see variant()


def variant(sol, kind: str):
    qs = questions(sol)
    first = {grade_id(sol.cells[i]) for i in qs[0].answer_cells}
    nb = make_exercise(sol)
    for cell, orig in zip(nb.cells, sol.cells):
        if not is_answer(cell):
            continue
        if kind == "solution" or (kind != "exercise" and grade_id(cell) in first):
            cell.source = orig.source
        if kind == "syntax" and grade_id(cell) in first:
            cell.source = "def broken(:\n    pass"
        if kind == "crash" and grade_id(cell) in first:
            cell.source = "import os\nos._exit(1)"
    return nb


def write_mixed_submissions(sol, n: int, folder: Path) -> None:
    """n submissions made from sol in folder (s00_solution.ipynb, ...), cycling through MIX."""
    kinds = (MIX * (n // len(MIX) + 1))[:n]
    folder.mkdir()
    for i, kind in enumerate(kinds):
        nbformat.write(variant(sol, kind), str(folder / f"s{i:02d}_{kind}.ipynb"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--notebook", default="03_matrix_calculus_backprop")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--n", type=int, default=40)
    args = ap.parse_args()
    src = ROOT / "solutions" / f"{args.notebook}.ipynb"
    sol = nbformat.read(str(src), as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subs = tmp / "subs"
        write_mixed_submissions(sol, args.n, subs)
        # One near-empty notebook alone: the floor set by worker + kernel start-up.
        bare = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")],
                                        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                  "language": "python"}})
        nbformat.write(bare, str(tmp / "bare.ipynb"))
        started = time.perf_counter()
        grade_submission(tmp / "bare.ipynb", Assignment.load(tmp / "bare.ipynb"), Config())
        floor = time.perf_counter() - started
        started = time.perf_counter()
        results = grade_batch(subs, src, tmp / "grades.csv", jobs=args.jobs, config=Config())
        total = time.perf_counter() - started
    print(f"{args.notebook}: {len(results)} submissions, {args.jobs} workers")
    by_kind: dict[str, list[float]] = {}
    for r in results:
        kind = r.student.split("_", 1)[1]
        by_kind.setdefault(kind, []).append(r.seconds)
        print(f"  {r.student:<16} {r.seconds:6.2f} s  {r.total:g}/{r.max_points:g}  {r.status}")
    print(f"per kind (mean s): " + ", ".join(f"{k} {statistics.mean(v):.2f}" for k, v in by_kind.items()))
    secs = [r.seconds for r in results]
    print(f"per submission: mean {statistics.mean(secs):.2f} s, median {statistics.median(secs):.2f} s, "
          f"max {max(secs):.2f} s")
    print(f"empty notebook (worker + kernel start-up): {floor:.2f} s")
    print(f"total wall time: {total:.1f} s = {total / len(results):.2f} s per submission with {args.jobs} workers")


if __name__ == "__main__":
    main()
