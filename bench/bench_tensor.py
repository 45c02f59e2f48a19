"""bpcourse tensors vs torch 2.13 (CPU) vs hand-written numpy, and vs bpcourse's own engine before
issue 15 (commit 4df42d1).

Each engine runs in its own long-lived process (numpy's and torch's thread pools fight when
timed in one process). Rounds alternate the order of the engines; for every problem the
table reports the median time per block and the median of the per-round ratios
bpcourse/torch, bpcourse/numpy and bpcourse/old (paired: the same round, so machine noise cancels).

    .venv/bin/python bench/bench_tensor.py [--rounds 7] [--old-ref 4df42d1] [--clock wall|cpu]

Targets (issue 4): ratio < 1.0 vs torch for the seed problem and the small MLPs; <= 1.3 for
MLP 784-128-10; bpcourse/numpy <= 1.25 (autograd overhead). Issue 15: no ratio worse than the
old engine's in the same run (bp/torch <= old/torch, bp/numpy <= old/numpy; bp/old <= 1).

The old engine is ``git archive <ref> bpcourse`` unpacked into a temporary folder and imported
from there (its worker puts that folder first on sys.path and checks where bpcourse came from).
Without git or the ref (a wheel install, a shallow clone) the table says so and has no old columns.

Threads: one per engine by default (``--threads 0`` keeps the libraries' defaults). On a busy
machine, idle OpenMP/BLAS threads spin and steal the CPU from the other engines' processes,
which makes multi-threaded timings say more about the neighbours than about the engines.
``--clock cpu`` times each block in the worker's CPU time (time.process_time) instead of wall
time: less disturbed by other jobs on a shared machine (with one thread per engine).
The hand-written numpy is a floor, not a peer: it has no graph, no Python objects per op, and
its cross-entropy backward is one line (softmax - onehot) where autograd runs two nodes.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from _tensor_problems import PROBLEMS  # noqa: E402

OLD_REF = "4df42d1"  # the engine before issue 15 (second derivatives, hooks, torch's node classes)
TARGET_VS_TORCH = {"seed_100_epochs": 1.0, "mlp_2_16_16_1": 1.0, "mlp_64_32_10": 1.0}


def unpack_old_engine(ref: str, dest: Path) -> str | None:
    """Unpack ``bpcourse/`` as it was at ``ref`` into ``dest``; the reason if that is impossible."""
    try:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", ref, "bpcourse"],
                                 capture_output=True, check=False)
    except OSError as exc:  # no git at all
        return f"git is not available ({exc.strerror})"
    if archive.returncode != 0:
        return f"git archive {ref} failed: {archive.stderr.decode(errors='replace').strip()[:200]}"
    tar_path = dest / "old.tar"
    tar_path.write_bytes(archive.stdout)
    with tarfile.open(tar_path) as tar:
        tar.extractall(dest, filter="data")
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--problems", nargs="*", default=PROBLEMS)
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS/OpenMP threads per engine (0 = the libraries' defaults); 1 by default "
                             "because spinning thread pools distort timings on a shared 2-core machine")
    parser.add_argument("--old-ref", default=OLD_REF,
                        help=f"git ref of the old engine to compare with ({OLD_REF}, before issue 15); "
                             "'' to leave it out")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="time each block in wall time (default) or in the worker's CPU time")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bpcourse-old-") as old_dir:
        engines = ["bpcourse", "torch", "numpy"]
        if not args.old_ref:
            print("old engine: left out (--old-ref '')")
        else:
            reason = unpack_old_engine(args.old_ref, Path(old_dir))
            if reason is None:
                engines.append("old")
            else:
                print(f"old engine ({args.old_ref}): NOT MEASURED, {reason}; the table has no old columns")
        return run_bench(args, engines, old_dir)


def run_bench(args: argparse.Namespace, engines: list, old_dir: str) -> int:
    workers = {}
    for engine in engines:
        workers[engine] = subprocess.Popen([sys.executable, str(HERE / "_tensor_worker.py"), engine,
                                            str(args.threads), args.clock, old_dir],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        info = json.loads(workers[engine].stdout.readline())
        label = f"old ({args.old_ref})" if engine == "old" else engine
        print(f"{label:9s} process: {info['pools']}; bpcourse from {info['bpcourse']}" if info.get("bpcourse")
              else f"{label:9s} process: {info['pools']}")

    def run(engine: str, problem: str) -> float:
        w = workers[engine]
        w.stdin.write(problem + "\n")
        w.stdin.flush()
        return json.loads(w.stdout.readline())["seconds"]

    def ratio(times: dict, a: str, b: str) -> float:
        return statistics.median(x / y for x, y in zip(times[a], times[b]))

    has_old = "old" in engines
    rows = []
    try:
        for problem in args.problems:
            times = {e: [] for e in engines}
            for r in range(args.rounds):
                k = r % len(engines)
                for engine in engines[k:] + engines[:k]:
                    times[engine].append(run(engine, problem))
            med = {e: statistics.median(times[e]) * 1e3 for e in engines}
            best = {e: min(times[e]) for e in engines}  # the least disturbed block of each engine
            row = {"problem": problem, "ms": med, "bp/torch": ratio(times, "bpcourse", "torch"),
                   "bp/numpy": ratio(times, "bpcourse", "numpy"),
                   "best/torch": best["bpcourse"] / best["torch"], "best/numpy": best["bpcourse"] / best["numpy"]}
            if has_old:
                row.update({"old/torch": ratio(times, "old", "torch"), "old/numpy": ratio(times, "old", "numpy"),
                            "bp/old": ratio(times, "bpcourse", "old")})
            rows.append(row)
    finally:
        for w in workers.values():
            w.stdin.close()
            w.wait()

    print(f"\nmedian of {args.rounds} alternating rounds, threads per engine: {args.threads or 'default'}; "
          f"{args.clock} ms per timed block "
          f"(seed: 100 epochs; MLPs: a fixed number of SGD steps, see _tensor_problems.py)")
    print("bp/torch, bp/numpy: median of the per-round ratios; 'best': ratio of the fastest blocks"
          + (f"; old: bpcourse at {args.old_ref} (before issue 15), in the same rounds" if has_old else ""))
    columns = ["bpcourse", *(["old"] if has_old else []), "torch", "numpy"]
    ratios = ["bp/torch", *(["old/torch"] if has_old else []), "bp/numpy", *(["old/numpy", "bp/old"] if has_old else []),
              "best/torch", "best/numpy"]
    head = (f"{'problem':22s}" + "".join(f"{c:>9s}" for c in columns) + "".join(f"{c:>11s}" for c in ratios)
            + "  target")
    print(head)
    print("-" * len(head))
    for row in rows:
        problem = row["problem"]
        target = (f"bp/torch < {TARGET_VS_TORCH[problem]}" if problem in TARGET_VS_TORCH
                  else "bp/torch <= 1.3, bp/numpy <= 1.25")
        if has_old:
            target += ", not worse than old"
        print(f"{problem:22s}" + "".join(f"{row['ms'][c]:9.2f}" for c in columns)
              + "".join(f"{row[c]:11.2f}" for c in ratios) + f"  {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
