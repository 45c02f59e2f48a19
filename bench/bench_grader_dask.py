"""The Dask batch engine against today's thread pool: the same 40 mixed submissions (the mix of
bench_grader.py), graded by the pool with 2 workers, and by Dask with 1 and 2 local workers.

Prints for each run the wall time and throughput, the local cluster's start-up apart, the
per-submission overhead of a Dask task over the pool, and the bare round trip of a no-op Dask
task. Scaling to N machines is the arithmetic in docs/grading.md. Not a test.

    python bench/bench_grader_dask.py [--notebook 03_matrix_calculus_backprop] [--n 40]
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from bench_grader import ROOT, write_mixed_submissions
from bpcourse.grader.batch import grade_batch
from bpcourse.grader.cluster import DaskEngine
from bpcourse.grader.runner import Config


def timed_batch(subs: Path, src: Path, csv_path: Path, **kw) -> tuple[float, list]:
    started = time.perf_counter()
    results = grade_batch(subs, src, csv_path, config=Config(), **kw)
    return time.perf_counter() - started, results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--notebook", default="03_matrix_calculus_backprop")
    ap.add_argument("--n", type=int, default=40)
    args = ap.parse_args()
    src = ROOT / "solutions" / f"{args.notebook}.ipynb"
    sol = nbformat.read(str(src), as_version=4)
    print(f"{args.notebook}: {args.n} submissions; {os.cpu_count()} cores; load average "
          f"{os.getloadavg()[0]:.1f} at start")

    # The bare cost of a task: submit a no-op and wait for it, one at a time, on a warm cluster.
    t = time.perf_counter()
    engine = DaskEngine(2)
    startup = time.perf_counter() - t
    trips = []
    for _ in range(100):
        t = time.perf_counter()
        engine.client.submit(len, [], pure=False).result()
        trips.append(time.perf_counter() - t)
    t = time.perf_counter()
    engine.close()
    shutdown = time.perf_counter() - t
    print(f"local cluster of 2 workers: start {startup:.2f} s, stop {shutdown:.2f} s; "
          f"no-op task round trip median {1000 * statistics.median(trips):.1f} ms")

    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subs = tmp / "subs"
        write_mixed_submissions(sol, args.n, subs)
        for name, jobs in (("pool, 2 workers", 2), ("dask, 2 workers", 2), ("dask, 1 worker", 1)):
            engine = DaskEngine(jobs) if name.startswith("dask") else "threads"  # started outside the timing
            try:
                total, results = timed_batch(subs, src, tmp / "grades.csv", jobs=jobs, engine=engine)
            finally:
                if not isinstance(engine, str):
                    engine.close()
            runs[name] = (total, results, jobs)
            line = f"{name}: {total:6.1f} s wall, {len(results) / total:.2f} submissions/s"
            if not isinstance(engine, str):  # worker-seconds not spent in the hardened worker
                idle = (total * jobs - engine.busy_seconds) / len(results)
                line += (f"; in the hardened worker {engine.busy_seconds / len(results):.2f} s per submission, "
                         f"{1000 * idle:.0f} ms worker-time per submission outside it (Dask, grader side, idle)")
            print(line, f"(load average {os.getloadavg()[0]:.1f})", flush=True)
    pool, dask2, dask1 = (runs[k][0] for k in ("pool, 2 workers", "dask, 2 workers", "dask, 1 worker"))
    per = lambda total, jobs: total * jobs / args.n  # noqa: E731  worker-seconds per submission
    print(f"per submission (worker-seconds): pool {per(pool, 2):.2f} s, dask {per(dask2, 2):.2f} s; "
          f"difference {1000 * per(dask2 - pool, 2):+.0f} ms per submission; the cluster's start "
          f"({startup:.1f} s, once per batch) adds {1000 * per(startup, 2):.0f} ms per submission at n={args.n}")
    print(f"ratio dask/pool wall time: {dask2 / pool:.2f}; scaling 1 -> 2 workers: {dask1 / dask2:.2f}x "
          f"(ideal 2.00x; 2 cores shared)")


if __name__ == "__main__":
    main()
