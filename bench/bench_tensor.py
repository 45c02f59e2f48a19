"""bpcourse tensors vs torch 2.13 (CPU) vs hand-written numpy.

Each engine runs in its own long-lived process (numpy's and torch's thread pools fight when
timed in one process). Rounds alternate the order of the engines; for every problem the
table reports the median time per block and the median of the per-round ratios
bpcourse/torch and bpcourse/numpy (paired: the same round, so machine noise cancels).

    .venv/bin/python bench/bench_tensor.py [--rounds 7]

Targets (issue 4): ratio < 1.0 vs torch for the seed problem and the small MLPs; <= 1.3 for
MLP 784-128-10; bpcourse/numpy <= 1.25 (autograd overhead).

Threads: one per engine by default (``--threads 0`` keeps the libraries' defaults). On a busy
machine, idle OpenMP/BLAS threads spin and steal the CPU from the other engines' processes,
which makes multi-threaded timings say more about the neighbours than about the engines.
The hand-written numpy is a floor, not a peer: it has no graph, no Python objects per op, and
its cross-entropy backward is one line (softmax - onehot) where autograd runs two nodes.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _tensor_problems import PROBLEMS  # noqa: E402

ENGINES = ["bpcourse", "torch", "numpy"]
TARGET_VS_TORCH = {"seed_100_epochs": 1.0, "mlp_2_16_16_1": 1.0, "mlp_64_32_10": 1.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--problems", nargs="*", default=PROBLEMS)
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS/OpenMP threads per engine (0 = the libraries' defaults); 1 by default "
                             "because spinning thread pools distort timings on a shared 2-core machine")
    args = parser.parse_args()

    workers = {}
    for engine in ENGINES:
        workers[engine] = subprocess.Popen([sys.executable, str(HERE / "_tensor_worker.py"), engine,
                                            str(args.threads)],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        info = json.loads(workers[engine].stdout.readline())
        print(f"{engine:9s} process: {info['pools']}")

    def run(engine: str, problem: str) -> float:
        w = workers[engine]
        w.stdin.write(problem + "\n")
        w.stdin.flush()
        return json.loads(w.stdout.readline())["seconds"]

    rows = []
    try:
        for problem in args.problems:
            times = {e: [] for e in ENGINES}
            for r in range(args.rounds):
                order = ENGINES[r % 3:] + ENGINES[:r % 3]
                for engine in order:
                    times[engine].append(run(engine, problem))
            vs_torch = statistics.median(b / t for b, t in zip(times["bpcourse"], times["torch"]))
            vs_numpy = statistics.median(b / n for b, n in zip(times["bpcourse"], times["numpy"]))
            best = {e: min(times[e]) for e in ENGINES}  # the least disturbed block of each engine
            rows.append((problem, *(statistics.median(times[e]) * 1e3 for e in ENGINES), vs_torch, vs_numpy,
                         best["bpcourse"] / best["torch"], best["bpcourse"] / best["numpy"]))
    finally:
        for w in workers.values():
            w.stdin.close()
            w.wait()

    print(f"\nmedian of {args.rounds} alternating rounds, threads per engine: {args.threads or 'default'}; "
          f"ms per timed block "
          f"(seed: 100 epochs; MLPs: a fixed number of SGD steps, see _tensor_problems.py)")
    print("bp/torch and bp/numpy: median of the per-round ratios; 'best': ratio of the fastest blocks")
    head = (f"{'problem':24s} {'bpcourse':>10s} {'torch':>10s} {'numpy':>10s} {'bp/torch':>9s} {'bp/numpy':>9s} "
            f"{'best':>6s} {'best':>6s}  target")
    print(head)
    print("-" * len(head))
    for problem, tb, tt, tn, rt, rn, bt, bn in rows:
        target = f"bp/torch < {TARGET_VS_TORCH[problem]}" if problem in TARGET_VS_TORCH else "bp/torch <= 1.3, bp/numpy <= 1.25"
        print(f"{problem:24s} {tb:10.2f} {tt:10.2f} {tn:10.2f} {rt:9.2f} {rn:9.2f} {bt:6.2f} {bn:6.2f}  {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
