"""Grade a folder of submissions into one CSV (and optional feedback files), written atomically.

    >>> results = grade_batch("submitted/", "solutions/03_matrix_calculus_backprop.ipynb",
    ...                       csv_path="grades.csv", jobs=2)                       # doctest: +SKIP

A submission is ``DIR/<student>.ipynb`` or ``DIR/<student>/<stem>.ipynb`` (nbgrader's layout;
any single ``.ipynb`` in the student's folder if the stem differs). Each one is graded in its own
worker; scores do not depend on order or on ``jobs``.
"""
from __future__ import annotations

import copy
import csv
import hashlib
import io
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bpcourse.grader.runner import Assignment, Config, QuestionResult, SubmissionResult, grade_submission
from bpcourse.i18n import tr


def find_submissions(folder: Path, stem: str) -> list[tuple[str, Path | None]]:
    """(student, notebook path or None if the student's folder has none), sorted by student."""
    found: list[tuple[str, Path | None]] = []
    for entry in sorted(Path(folder).iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file() and entry.suffix == ".ipynb":
            found.append((entry.stem, entry))
        elif entry.is_dir():
            exact = entry / f"{stem}.ipynb"
            if exact.is_file():
                found.append((entry.name, exact))
                continue
            nested = sorted(entry.rglob(f"{stem}.ipynb"))
            anything = sorted(p for p in entry.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            found.append((entry.name, (nested or anything or [None])[0]))
    return found


def fmt(points: float) -> str:
    return str(int(points)) if float(points).is_integer() else f"{points:g}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename over ``path``: never half a file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def cell(text: str) -> str:
    """A CSV field a spreadsheet will not run as a formula (file names and messages come from learners)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_bytes(assignment: Assignment, results: list[SubmissionResult]) -> bytes:
    ids = [q.grade_id for q in assignment.questions]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "status", *ids, "total", "max", "seconds", "feedback"])
    for r in results:
        points = {q.grade_id: q.points for q in r.questions}
        writer.writerow([cell(r.student), cell(r.status), *(fmt(points.get(g, 0.0)) for g in ids), fmt(r.total),
                         fmt(assignment.max_points), f"{r.seconds:.2f}", cell(r.summary())])
    return out.getvalue().encode("utf-8")


def feedback_text(r: SubmissionResult) -> str:
    width = max([len(q.grade_id) for q in r.questions] + [8])
    lines = [tr("{student}: {total} / {max} points ({status})", student=r.student, total=fmt(r.total),
                max=fmt(r.max_points), status=r.status), ""]
    for q in r.questions:
        lines.append(f"{q.grade_id:<{width}}  {fmt(q.points):>4} / {fmt(q.max_points):<4}  {tr(q.status)}")
        if q.message:
            lines.append(f"{'':<{width}}  {q.message}")
    if r.notes:
        lines += ["", tr("Notes on the grading:")] + [f"  {n}" for n in r.notes]
    if r.warnings:
        lines += ["", tr("Warnings printed on stderr (reported, never penalised):")] + [f"  {w}" for w in r.warnings]
    return "\n".join(lines) + "\n"


def grade_batch(folder: str | Path, source: str | Path, csv_path: str | Path, feedback: str | Path | None = None,
                jobs: int = 2, config: Config | None = None, progress=None) -> list[SubmissionResult]:
    config = copy.copy(config or Config())
    # Kept out of the kernels' sight (when they run in their own namespaces, see docs/grading.md).
    config.protect = [*config.protect, Path(folder), Path(csv_path), *([Path(feedback)] if feedback else [])]
    assignment = Assignment.load(source, config)
    subs = find_submissions(Path(folder), assignment.stem)
    # Read every submission before any of them runs: a submission that manages to write to another
    # one's file (possible only when kernels run as the grader's own user) cannot change its grade.
    raw = {p: _read(p) for _, p in subs if p is not None}
    before = {p: _digest(p) for p in raw}

    def one(item: tuple[str, Path | None]) -> SubmissionResult:
        student, path = item
        if path is None:
            qs = [QuestionResult(q.grade_id, 0.0, q.points, "missing", "no notebook submitted")
                  for q in assignment.questions]
            result = SubmissionResult(student, Path(folder) / student, "missing", qs)
        else:
            result = grade_submission(path, assignment, config, student=student, raw=raw[path])
        if progress:
            progress(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(one, subs))
    for p, digest in before.items():
        if _digest(p) != digest:  # only possible when kernels run as the grader's own user
            print(f"warning: {p} changed on disk while grading; it was graded as first read", file=sys.stderr)
    write_atomic(Path(csv_path), csv_bytes(assignment, results))
    if feedback:
        Path(feedback).mkdir(parents=True, exist_ok=True)
        for r in results:
            write_atomic(Path(feedback) / f"{r.student}.txt", feedback_text(r).encode("utf-8"))
    return results


def _read(path: Path) -> bytes | None:
    try:
        if path.stat().st_size > 50 * 2**20:
            return None  # read_submission reports the size
        return path.read_bytes()
    except OSError:
        return None


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
