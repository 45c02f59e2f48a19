"""Grade a folder of submissions into one CSV (and optional feedback files), written atomically.

    >>> results = grade_batch("submitted/", "solutions/03_matrix_calculus_backprop.ipynb",
    ...                       csv_path="grades.csv", jobs=2)                       # doctest: +SKIP

A submission is ``DIR/<student>.ipynb`` or ``DIR/<student>/<stem>.ipynb`` (nbgrader's layout;
any single ``.ipynb`` in the student's folder if the stem differs). Each one is graded in its own
worker; scores do not depend on order or on ``jobs``. The CSV is complete at every instant (a row
per finished submission), so a grader that dies mid-batch keeps every grade it had; ``resume``
grades only the students not yet in it.
"""
from __future__ import annotations

import copy
import csv
import dataclasses
import hashlib
import io
import os
import re
import sys
import tempfile
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

from bpcourse.grader.notebook import NotebookError, read_regular_file
from bpcourse.grader.cluster import ClusterError
from bpcourse.grader.runner import (Assignment, Config, QuestionResult, SandboxUnavailable, SubmissionResult,
                                    first_line, grade_submission, resolve_sandbox)
from bpcourse.i18n import tr


def find_submissions(folder: Path, stem: str) -> list[tuple[str, Path | None]]:
    """(student, notebook path or None if the student's folder has none), sorted by student.

    Links are never followed: a student's entry that is a symbolic link (to the source, to a
    classmate's file or folder, to ``/``) is returned as is and refused when read. Student names
    are printable (see ``printable``) and unique: ``alice/`` and ``alice.ipynb`` side by side are
    graded as ``alice`` and ``alice.ipynb``, never as one student whose row the other overwrites.
    """
    found: list[tuple[str, Path | None]] = []
    names: set[str] = set()

    def add(name: str, path: Path | None) -> None:
        unique = name = printable(name, newlines=False)
        if cell(unique) in names and path is not None:
            unique = name = printable(path.name if path.parent == Path(folder) else f"{name} ({path.name})", False)
        n = 1
        while cell(unique) in names:
            n += 1
            unique = f"{name} #{n}"
        names.add(cell(unique))
        found.append((unique, path))

    for entry in sorted(Path(folder).iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            if entry.suffix == ".ipynb" or entry.is_dir():
                add(entry.stem if entry.suffix == ".ipynb" else entry.name, entry)
        elif entry.is_file() and entry.suffix == ".ipynb":
            add(entry.stem, entry)
        elif entry.is_dir():
            exact = entry / f"{stem}.ipynb"
            if exact.is_file() or exact.is_symlink():
                add(entry.name, exact)
                continue
            notebooks = notebooks_below(entry)
            nested = [p for p in notebooks if p.name == f"{stem}.ipynb"]
            add(entry.name, (nested or notebooks or [None])[0])
        elif entry.suffix == ".ipynb":  # a FIFO, a device: refused when read, but the student gets a row
            add(entry.stem, entry)
    return found


def notebooks_below(top: Path, max_depth: int = 8, max_entries: int = 100_000) -> list[Path]:
    """The ``.ipynb`` files below a student's folder, sorted; links are not followed, checkpoints
    skipped. Iterative and bounded: an archive of 1,500 nested folders made os.walk (recursive)
    raise RecursionError and stopped the batch before anyone was graded."""
    found: list[Path] = []
    stack, seen = [(Path(top), 0)], 0
    while stack and seen < max_entries:
        folder, depth = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    seen += 1
                    if entry.is_dir(follow_symlinks=False):
                        if depth < max_depth and entry.name != ".ipynb_checkpoints":
                            stack.append((Path(entry.path), depth + 1))
                    elif entry.name.endswith(".ipynb"):
                        found.append(Path(entry.path))
        except OSError:
            continue
    return sorted(found)


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
    """A CSV field a spreadsheet will not run as a formula (file names and messages come from learners).
    One-to-one: a text starting with a quote gets one more, so ``'=x`` and ``=x`` stay two rows."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r", "'") else text


# Characters that would act rather than show: C0/C1 controls (ANSI escapes that recolour or rewrite a
# terminal, a carriage return that overprints a line or starts a new CSV row in a spreadsheet, NUL),
# line and paragraph separators, the bidirectional overrides that reorder what is displayed, and
# lone surrogates (the bytes of a file name that is not UTF-8), which no UTF-8 file can hold.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069"
                          "\ud800-\udfff]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        code -= 0xDC00
    return "\\x%02x" % code if code < 0x100 else "\\u%04x" % code


def printable(text: str, newlines: bool = True) -> str:
    """``text`` with every character that would act on a terminal or spreadsheet written as an escape
    (``\\x1b``); tabs are kept, and newlines unless ``newlines`` is False."""
    text = _UNPRINTABLE.sub(_escape, str(text))
    return text if newlines else text.replace("\n", "\\n")


def printable_result(r: SubmissionResult) -> SubmissionResult:
    """The result with every text a learner could have written (messages, statuses, warnings) printable,
    before it reaches the CSV, the feedback files or the instructor's terminal."""
    return dataclasses.replace(
        r, student=printable(r.student, newlines=False), status=printable(r.status),
        questions=[dataclasses.replace(q, status=printable(q.status), message=printable(q.message))
                   for q in r.questions],
        warnings=[printable(w) for w in r.warnings], notes=[printable(n) for n in r.notes])


def csv_header(assignment: Assignment) -> list[str]:
    return ["student", "status", *(q.grade_id for q in assignment.questions), "total", "max", "seconds", "feedback"]


def csv_row(assignment: Assignment, r: SubmissionResult) -> list[str]:
    points = {q.grade_id: q.points for q in r.questions}
    return [cell(r.student), cell(r.status), *(fmt(points.get(q.grade_id, 0.0)) for q in assignment.questions),
            fmt(r.total), fmt(assignment.max_points), f"{r.seconds:.2f}", cell(r.summary())]


def csv_bytes(assignment: Assignment, results: list[SubmissionResult]) -> bytes:
    return _csv_text([csv_header(assignment), *(csv_row(assignment, r) for r in results)])


def _csv_text(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


class GradesCsv:
    """The batch's grades file: rewritten whole (temp file + rename) each time rows are added.

    So at every instant it is a complete CSV of every submission graded so far, in the order of
    ``students``; a grader killed mid-batch loses no finished grade. With ``resume`` the rows of an
    existing file of the same assignment are kept, and ``graded`` names their students.
    """

    def __init__(self, path: Path, assignment: Assignment, students: list[str], resume: bool = False):
        self.path = Path(path)
        self.assignment = assignment
        self.header = csv_header(assignment)
        self.order = {cell(s): i for i, s in enumerate(students)}
        self.rows: dict[str, list[str]] = {}
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):  # left by a grader killed mid-write
            stale.unlink(missing_ok=True)
        if resume and self.path.exists():
            self.rows = self._read()

    def _read(self) -> dict[str, list[str]]:
        text = self.path.read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text)))
        if not rows:
            return {}
        if rows[0] != self.header:
            raise ValueError(f"--resume: {self.path} is not a grades file of {self.assignment.path.name} "
                             f"(its columns are {rows[0]}, expected {self.header}); "
                             "pass another --csv, or drop --resume to grade everything again")
        kept = {}
        for n, row in enumerate(rows[1:], start=2):
            if len(row) != len(self.header):
                raise ValueError(f"--resume: {self.path} line {n} has {len(row)} fields, expected {len(self.header)}")
            kept[row[0]] = row
        return kept

    def graded(self, student: str) -> bool:
        return cell(student) in self.rows

    def add(self, results: list[SubmissionResult]) -> None:
        for r in results:
            self.rows[cell(r.student)] = csv_row(self.assignment, r)
        self.write()

    def write(self) -> None:
        last = len(self.order)  # rows of students no longer in the folder (resumed) go last, by name
        keys = sorted(self.rows, key=lambda k: (self.order.get(k, last), k))
        write_atomic(self.path, _csv_text([self.header, *(self.rows[k] for k in keys)]))


def grader_error(student: str, path: Path, assignment: Assignment, exc: Exception) -> SubmissionResult:
    """A submission whose grading raised in the grader (a result Dask could not send back, say, when a
    kernel nested it 490 deep): scored 0 as a grader error, named on stderr, and the batch goes on."""
    message = printable(f"{type(exc).__name__}: {first_line(str(exc))}"[:500], newlines=False)
    print(f"bpcourse grade: grader error for {printable(student, False)}: {message}", file=sys.stderr, flush=True)
    qs = [QuestionResult(q.grade_id, 0.0, q.points, "grader error", message) for q in assignment.questions]
    return SubmissionResult(student, path, f"grader error: {message}", qs)


def feedback_path(folder: Path, student: str) -> Path:
    """``folder/<student>.txt``; a name too long for a file (with the temporary name write_atomic
    makes of it) is cut, and a digest of the whole name keeps it apart from its neighbours."""
    name = f"{student}.txt"
    if len(os.fsencode(name)) > 200:
        short = student
        while len(os.fsencode(short)) > 180:
            short = short[:-1]
        name = f"{short}~{hashlib.sha256(os.fsencode(student)).hexdigest()[:12]}.txt"
    return folder / name


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


class Progress:
    """What ``grade_batch`` reports as it goes; the CLI's subclass prints a bar on stderr."""

    def start(self, todo: int, already: int) -> None:
        """``todo`` submissions to grade now, ``already`` in the CSV from an earlier run (--resume)."""

    def note(self, text: str) -> None:
        """A line for the instructor (the dashboard's address, ...)."""

    def done(self, result: SubmissionResult) -> None:
        """One submission graded; its row is already in the CSV."""

    def finish(self) -> None:
        pass


class _Callback(Progress):
    def __init__(self, fn):
        self.fn = fn

    def done(self, result: SubmissionResult) -> None:
        self.fn(result)


class InOrder:
    """Lets threads pass one point in a given order of positions: a thread waits until every lower
    position has passed or given up (``done``), so an early position never waits for a later one."""

    def __init__(self, positions) -> None:
        self.waiting = set(positions)
        self.changed = threading.Condition()

    def wait_turn(self, position: int) -> None:
        with self.changed:
            self.changed.wait_for(lambda: min(self.waiting, default=position) >= position)

    def done(self, position: int) -> None:
        with self.changed:
            self.waiting.discard(position)
            self.changed.notify_all()


def grade_batch(folder: str | Path, source: str | Path, csv_path: str | Path, feedback: str | Path | None = None,
                jobs: int = 2, config: Config | None = None, progress=None, resume: bool = False,
                cluster: str | None = None, engine="dask") -> list[SubmissionResult]:
    """Grade every submission in ``folder``; returns the results of those graded in this run.

    The CSV gains each row as its submission finishes (see ``GradesCsv``); with ``resume``,
    students already in the CSV are not graded again. ``engine="dask"`` (the default) runs one
    Dask task per submission, on ``jobs`` local worker processes or on the workers of the
    scheduler at ``cluster`` (``tcp://host:8786``); ``engine="threads"`` runs ``jobs`` workers
    straight from this process (no Dask; the peer the benchmark measures against); or pass a
    ``cluster.DaskEngine`` to keep one cluster for several batches (it is not closed). The answers
    are judged, and the CSV and feedback written, in this process only. ``progress`` is a
    ``Progress`` or a function called with each result.
    """
    if jobs < 1:
        raise ValueError(f"--jobs must be at least 1, got {jobs}")
    given = None if isinstance(engine, str) else engine  # a DaskEngine kept for several batches
    if given is None and engine not in ("dask", "threads"):
        raise ValueError(f"engine must be 'dask', 'threads' or a DaskEngine, got {engine!r}")
    if cluster and engine != "dask":
        raise ValueError("a --cluster address needs the Dask engine")
    report = progress if isinstance(progress, Progress) else _Callback(progress) if progress else Progress()
    config = copy.copy(config or Config())
    # Kept out of the kernels' sight (when they run in their own namespaces, see docs/grading.md).
    config.protect = [*config.protect, Path(folder), Path(csv_path), *([Path(feedback)] if feedback else [])]
    assignment = Assignment.load(source, config)
    subs = find_submissions(Path(folder), assignment.stem)
    grades = GradesCsv(Path(csv_path), assignment, [student for student, _ in subs], resume)
    todo = [(student, path) for student, path in subs if not grades.graded(student)]
    grades.write()  # from now on the file is this batch's: the resumed rows, or only the header
    # Read every submission before any of them runs: a submission that manages to write to another
    # one's file (possible only when kernels run as the grader's own user) cannot change its grade.
    raw = {p: _read(p) for _, p in todo if p is not None}
    before = {p: _digest(p) for p in raw}
    if feedback:
        Path(feedback).mkdir(parents=True, exist_ok=True)

    remote = cluster is not None or (given is not None and given.decides_sandbox)
    if not remote and config.chosen is None and any(path is not None for _, path in todo):
        # Decided here, once, before any submission: a refused sandbox or a --kernel-user that is root
        # stops the batch now, not as each submission's grader error.
        resolve_sandbox(config)
    threads, dask_engine = jobs, None
    if given is not None:
        dask_engine = given
    elif engine == "dask" and any(path is not None for _, path in todo):
        from bpcourse.grader.cluster import DaskEngine

        dask_engine = DaskEngine(jobs, cluster)
    if dask_engine is not None:
        if dask_engine.decides_sandbox:  # each worker machine probes its own (cluster.run_task)
            config.chosen = {"level": "decided on each worker", "user": None, "notes": []}
        # Each grader thread waits for one task: keep every worker busy, and some queued for newcomers.
        threads = max(2 * dask_engine.slots, 8)
        if dask_engine.dashboard:
            report.note(f"Dask dashboard: {dask_engine.dashboard}")

    def one(item: tuple[str, Path | None]) -> SubmissionResult:
        try:
            return graded(item)
        finally:
            handover.done(order[item[0]])  # (also when it never reached the cluster)

    def graded(item: tuple[str, Path | None]) -> SubmissionResult:
        student, path = item
        if path is None:
            qs = [QuestionResult(q.grade_id, 0.0, q.points, "missing", "no notebook submitted")
                  for q in assignment.questions]
            return SubmissionResult(student, Path(folder) / student, "missing", qs)
        run = None  # the thread pool: runner.run_worker, here
        if dask_engine is not None:  # in the folder's order, as the pool would (Dask's own is by arrival)
            position = order[student]

            def run(job, cfg):
                handover.wait_turn(position)
                return dask_engine.run(job, cfg, position, submitted=lambda: handover.done(position))
        try:
            return printable_result(grade_submission(path, assignment, config, student=student, raw=raw[path],
                                                     run=run))
        except (ClusterError, SandboxUnavailable):
            raise  # the instructor's setup, not this submission: the batch stops and says why
        except Exception as exc:  # noqa: BLE001  one submission never stops the batch (see grader_error)
            return grader_error(student, path, assignment, exc)

    order = {student: i for i, (student, _) in enumerate(subs)}
    # Dask orders queued tasks by priority, but a free worker takes whatever arrives first, and the
    # grader threads read and rebuild notebooks in parallel: so they hand tasks over in the folder's order.
    handover = InOrder(order[student] for student, _ in todo)
    results: list[SubmissionResult] = []
    report.start(len(todo), len(subs) - len(todo))
    pool = ThreadPoolExecutor(max_workers=max(1, min(threads, len(todo) or 1)))
    failed = False
    try:
        pending = {pool.submit(one, item) for item in todo}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            finished = [f.result() for f in done]
            grades.add(finished)  # one rewrite for everything that finished meanwhile
            for r in finished:
                if feedback:
                    write_atomic(feedback_path(Path(feedback), r.student), feedback_text(r).encode("utf-8"))
                report.done(r)
            results += finished
    except BaseException:
        failed = True
        raise
    finally:
        pool.shutdown(wait=dask_engine is None, cancel_futures=True)
        if dask_engine is not None:
            if given is None or failed:
                dask_engine.close()  # cancels what still runs there; the waiting threads then return
            pool.shutdown(wait=True)
        report.finish()
    for p, digest in before.items():
        if _digest(p) != digest:  # only possible when kernels run as the grader's own user
            print(f"warning: {p} changed on disk while grading; it was graded as first read", file=sys.stderr)
    return sorted(results, key=lambda r: order[r.student])


def _read(path: Path) -> bytes | None:
    try:
        return read_regular_file(path)
    except NotebookError:
        return None  # read_submission reports why (a link, a FIFO, too large, ...)


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(read_regular_file(path)).hexdigest()
    except (OSError, NotebookError):
        return None
