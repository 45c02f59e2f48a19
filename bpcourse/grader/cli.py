"""``bpcourse grade``: a learner's self-check, or an instructor's batch.

    bpcourse grade exercises/03_matrix_calculus_backprop.ipynb
    bpcourse grade --batch submitted/ --source solutions/03_matrix_calculus_backprop.ipynb \\
        --csv grades.csv --feedback feedback/ --jobs 2 --hidden ~/private-checks
    bpcourse grade --batch submitted/ ... --cluster tcp://scheduler:8786 --resume

Exit status: 0 when grading ran (whatever the scores), 2 for a usage or configuration error.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path

from bpcourse.grader.batch import Progress, fmt, grade_batch
from bpcourse.grader.cluster import ClusterError
from bpcourse.grader.runner import Assignment, Config, Limits, SandboxUnavailable, grade_submission
from bpcourse.i18n import display_width, get_language, ljust, set_language, tr

REPO = Path(__file__).resolve().parents[2]


def default_source(notebook: Path) -> Path | None:
    """solutions/<same stem>.ipynb next to the notebook's folder, in the course repo, or under cwd.

    A renamed copy (``03_..._mine.ipynb``) is matched by its two-digit number if that is unique.
    """
    folders = [notebook.resolve().parent.parent / "solutions", REPO / "solutions", Path.cwd() / "solutions"]
    if notebook.resolve().parent.name == "zh":  # exercises/zh/NN_topic.ipynb: the Chinese solution first
        folders = [notebook.resolve().parent.parent.parent / "solutions" / "zh", REPO / "solutions" / "zh",
                   *folders]
    for folder in folders:
        exact = folder / f"{notebook.stem}.ipynb"
        if exact.is_file():
            return exact
    number = notebook.stem[:2]
    if number.isdigit():
        for folder in folders:
            same = sorted(folder.glob(f"{number}_*.ipynb"))
            if len(same) == 1:
                return same[0]
    return None


def notebook_language(notebook: Path | None) -> str | None:
    """The course language a notebook was built in (``metadata.bpcourse.language``), if readable."""
    try:
        return json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["bpcourse"]["language"]
    except (AttributeError, OSError, ValueError, KeyError, TypeError):
        return None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bpcourse grade", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("notebook", nargs="?", type=Path, help="a notebook to self-check (never modified)")
    p.add_argument("--source", type=Path, help="the solution notebook (default: solutions/<same name>.ipynb)")
    p.add_argument("--batch", type=Path, metavar="DIR", help="grade every submission in DIR")
    p.add_argument("--csv", type=Path, help="with --batch: where to write the grades (atomically)")
    p.add_argument("--feedback", type=Path, metavar="DIR", help="with --batch: one <student>.txt per submission")
    p.add_argument("--resume", action="store_true",
                   help="with --batch: keep the rows already in --csv and grade only the students missing there")
    p.add_argument("--jobs", type=int, default=2,
                   help="with --batch: local Dask worker processes, one submission each at a time (default 2)")
    p.add_argument("--cluster", metavar="ADDRESS",
                   help="with --batch: send the submissions to the Dask scheduler at ADDRESS (tcp://host:8786) "
                        "instead of local workers; see docs/grading.md, 'grading on a cluster'")
    p.add_argument("--hidden", type=Path, action="append", default=[], metavar="DIR",
                   help="a folder of extra checks, DIR/NN_topic.py defining CHECKS (repeatable)")
    p.add_argument("--checks", type=Path, metavar="DIR", help="replace the course's own checks folder")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per cell (default 60)")
    p.add_argument("--wall", type=float, default=300.0, help="seconds per submission (default 300)")
    p.add_argument("--memory-mb", type=int, default=2048, help="address-space limit of the kernel (default 2048)")
    p.add_argument("--kernel-user", default="auto",
                   help="as root, the user the kernel runs as: 'auto' (a uid of its own per kernel) or a user name; never root")
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="with --batch: grade even where kernels cannot be sandboxed (see docs/grading.md)")
    p.add_argument("--lang", choices=["en", "zh"], default=None,
                   help="language of the table and messages (default: $BPCOURSE_LANG, else the "
                        "notebook's own, as built in exercises/zh, else en)")
    p.add_argument("--worker-cmd", default="", metavar="PREFIX",
                   help="command put before the worker, e.g. a container or no-network runner (see docs/grading.md)")
    return p


def print_table(result) -> None:
    rows = [(q.grade_id, f"{fmt(q.points)}/{fmt(q.max_points)}", tr(q.status), tr(q.message.splitlines()[0]) if q.message else "")
            for q in result.questions]
    head = (tr("question"), tr("points"), tr("status"), tr("first line of the failure"))
    widths = [max(display_width(r[i]) for r in rows + [head]) for i in range(3)]
    line = lambda r: "  ".join(ljust(str(c), w) for c, w in zip(r, widths + [0])).rstrip()  # noqa: E731
    print(line(head))
    print(line(tuple("-" * w for w in widths) + ("-" * 25,)))
    for r in rows:
        print(line(r[:3] + (r[3][:100],)))
    print(tr("total: {total} / {max}", total=fmt(result.total), max=fmt(result.max_points))
          + ("" if result.status == "ok" else f"   ({result.status})"))
    for note in result.notes:
        print(tr("note: {note}", note=note))
    if result.warnings:
        print("\n" + tr("warnings on stderr (reported, never penalised):"))
        for w in result.warnings:
            print(f"  {w[:160]}")


class BatchProgress(Progress):
    """A line per graded submission on stdout; on stderr a bar (rows done, rate, time left)."""

    def __init__(self, stream=None, every: float = 10.0):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.every = every  # seconds between bar lines when stderr is a file or a pipe

    def start(self, todo: int, already: int) -> None:
        self.todo, self.already, self.count = todo, already, 0
        self.started = self.shown = time.monotonic()
        if already:
            print(f"{already} students already in the CSV: not graded again", file=self.stream, flush=True)

    def note(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def done(self, result) -> None:
        print(f"{result.student}: {fmt(result.total)}/{fmt(result.max_points)} {result.status} "
              f"({result.seconds:.1f} s)", flush=True)
        for note in result.notes:  # e.g. isolation fell back: the instructor must see it, not only the CSV
            print(f"  note: {note}", file=sys.stderr, flush=True)
        self.count += 1
        now = time.monotonic()
        if self.tty or now - self.shown >= self.every or self.count == self.todo:
            self.shown = now
            end = "\n" if self.count == self.todo or not self.tty else ""
            print(("\r" if self.tty else "") + self.bar(now), end=end, file=self.stream, flush=True)

    def bar(self, now: float) -> str:
        total = self.todo + self.already
        done = self.count + self.already
        width = 24
        filled = int(width * done / total) if total else width
        rate = self.count / max(now - self.started, 1e-9)
        left = (self.todo - self.count) / rate if rate else 0.0
        return (f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows  {rate:.2f}/s  "
                f"{int(left) // 3600}:{int(left) % 3600 // 60:02d}:{int(left) % 60:02d} left")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:  # `bpcourse grade -- --batch ...` reaches us with the separator
        argv = argv[1:]
    args = parser().parse_args(argv)
    set_language(args.lang or ("zh" if "BPCOURSE_LANG" not in os.environ and notebook_language(args.notebook) == "zh"
                               else get_language()))
    limits = Limits(cell_timeout=args.timeout, wall_limit=args.wall, memory_mb=args.memory_mb)
    config = Config(limits=limits, kernel_user=args.kernel_user, worker_cmd=shlex.split(args.worker_cmd),
                    hidden=list(args.hidden))
    if args.checks:
        config.checks_dir = args.checks
    if args.batch:
        if not (args.source and args.csv):
            print("bpcourse grade --batch needs --source SOLUTION.ipynb and --csv GRADES.csv", file=sys.stderr)
            return 2
        config.require_sandbox = not args.unsafe_no_sandbox
        try:
            results = grade_batch(args.batch, args.source, args.csv, args.feedback, args.jobs, config,
                                  progress=BatchProgress(), resume=args.resume, cluster=args.cluster)
        except (OSError, ValueError, TypeError, ImportError, SandboxUnavailable, ClusterError) as exc:
            print(f"bpcourse grade: {exc}", file=sys.stderr)
            return 2
        print(f"{len(results)} submissions graded" + (" (the others were already in the CSV)" if args.resume else "")
              + f"; grades in {args.csv}")
        return 0
    if args.notebook is None:
        parser().print_usage(sys.stderr)
        return 2
    source = args.source or default_source(args.notebook)
    if source is None:
        print(f"bpcourse grade: no solutions/{args.notebook.stem}.ipynb found; pass --source", file=sys.stderr)
        return 2
    try:
        assignment = Assignment.load(source, config)
    except (OSError, ValueError, TypeError, ImportError) as exc:
        print(f"bpcourse grade: {exc}", file=sys.stderr)
        return 2
    config.require_sandbox = False  # a learner's self-check works without a sandbox (and says so)
    print(tr("grading {notebook} against {source} in a fresh kernel ...", notebook=args.notebook, source=source),
          flush=True)
    result = grade_submission(args.notebook, assignment, config)
    print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
