"""Benchmark: bpcourse.scalar vs micrograd 0.1.0 (and torch for a very deep chain).

    .venv/bin/python bench/bench_scalar.py            # the whole table (about a minute)
    .venv/bin/python bench/bench_scalar.py --quick    # fewer repetitions

1. micrograd's demo step: MLP(2, [16, 16, 1]) on 100 two-moons points, full batch, SVM max-margin
   loss + 1e-4 L2, forward + backward + SGD update; seconds per step (median of several steps),
   the same set-up for both libraries in the same process, and microseconds per graph node.
2. The same step written as plain learner code: the MLP as lists of Values and hand-written loops
   of `+` and `*` (nothing from the libraries' nn modules), for both libraries.
3. A 1,000,000-deep chain (y = tanh(y), one million times): forward + backward time and the peak
   memory the graph adds, vs torch (0-d float64 tensors), each run in a fresh subprocess.

Targets (issue 3): demo >= 10x faster than micrograd, learner code >= 3x, <= 2 us per node.
"""
from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from typing import Callable

import numpy as np

from bpcourse.data import make_moons

CHAIN_DEPTH = 1_000_000


# ----------------------------------------------------------------------------------------------
# 1. micrograd's demo step, through each library's own nn.MLP
# ----------------------------------------------------------------------------------------------
def demo_step(Value: type, model, X: np.ndarray, y: np.ndarray, lr: float, times: dict) -> int:
    """One step of micrograd's demo.ipynb, verbatim apart from the timers. Returns the node count."""
    t0 = time.perf_counter()
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum((p * p for p in model.parameters()))
    total_loss = data_loss + reg_loss
    t1 = time.perf_counter()
    model.zero_grad()
    total_loss.backward()
    t2 = time.perf_counter()
    for p in model.parameters():
        p.data -= lr * p.grad
    t3 = time.perf_counter()
    times["forward"].append(t1 - t0)
    times["backward"].append(t2 - t1)
    times["update"].append(t3 - t2)
    times["step"].append(t3 - t0)
    return count_nodes(total_loss)


def count_nodes(root) -> int:
    """Nodes in a graph, via the micrograd-compatible `._prev` (iterative, works for both libraries)."""
    seen, stack = {id(root)}, [root]
    while stack:
        for p in stack.pop()._prev:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return len(seen)


# ----------------------------------------------------------------------------------------------
# 2. the same step as plain learner code: no nn module, just Value arithmetic in loops
# ----------------------------------------------------------------------------------------------
def learner_init(Value: type, sizes: list[int], seed: int) -> list[list[tuple[list, object]]]:
    rng = random.Random(seed)
    return [[([Value(rng.uniform(-1, 1)) for _ in range(nin)], Value(0.0)) for _ in range(nout)]
            for nin, nout in zip(sizes[:-1], sizes[1:])]


def learner_step(Value: type, layers, X: np.ndarray, y: np.ndarray, lr: float, times: dict) -> int:
    params = [p for layer in layers for w, b in layer for p in [*w, b]]
    t0 = time.perf_counter()
    total = Value(0.0)
    for xrow, yi in zip(X.tolist(), y.tolist()):
        h = [Value(v) for v in xrow]
        for i, layer in enumerate(layers):
            out = []
            for w, b in layer:
                act = b
                for wj, hj in zip(w, h):  # a hand-written dot product
                    act = act + wj * hj
                out.append(act.relu() if i < len(layers) - 1 else act)
            h = out
        total = total + (1 - yi * h[0]).relu()
    reg = Value(0.0)
    for p in params:
        reg = reg + p * p
    loss = total * (1.0 / len(X)) + 1e-4 * reg
    t1 = time.perf_counter()
    for p in params:
        p.grad = 0.0
    loss.backward()
    t2 = time.perf_counter()
    for p in params:
        p.data -= lr * p.grad
    t3 = time.perf_counter()
    times["forward"].append(t1 - t0)
    times["backward"].append(t2 - t1)
    times["update"].append(t3 - t2)
    times["step"].append(t3 - t0)
    return count_nodes(loss)


def run_steps(step: Callable[[dict], int], n: int) -> tuple[dict, int]:
    times: dict = {"forward": [], "backward": [], "update": [], "step": []}
    nodes = step({"forward": [], "backward": [], "update": [], "step": []})  # warm-up, not timed
    for _ in range(n):
        nodes = step(times)
    return {k: statistics.median(v) for k, v in times.items()}, nodes


class _NotPaused:
    """Ablation: the library's collector pause replaced by a no-op."""

    def __enter__(self) -> None: ...

    def __exit__(self, *exc_info: object) -> None: ...


def step_benchmarks(n_steps: int) -> list[tuple[str, dict, int]]:
    import micrograd.engine as mg_engine
    import micrograd.nn as mg_nn

    import bpcourse.scalar.engine as bp_engine
    import bpcourse.scalar.nn as bp_nn

    X, y01 = make_moons(100, noise=0.1, seed=1)
    y = (y01 * 2 - 1).astype(float)  # labels -1 / +1 for the max-margin loss
    rows = []
    for name, V, nn in [("bpcourse.scalar", bp_engine.Value, bp_nn), ("micrograd 0.1.0", mg_engine.Value, mg_nn)]:
        random.seed(1337)
        model = nn.MLP(2, [16, 16, 1])
        rows.append((f"demo step, {name}", *run_steps(lambda t: demo_step(V, model, X, y, 0.5, t), n_steps)))
    # ablation: what the scoped collector pause buys
    saved = bp_engine.collector_paused, bp_nn.collector_paused
    bp_engine.collector_paused = bp_nn.collector_paused = _NotPaused()
    try:
        random.seed(1337)
        model = bp_nn.MLP(2, [16, 16, 1])
        rows.append(("demo step, bpcourse.scalar, collector NOT paused (ablation)",
                     *run_steps(lambda t: demo_step(bp_engine.Value, model, X, y, 0.5, t), n_steps)))
    finally:
        bp_engine.collector_paused, bp_nn.collector_paused = saved
    for name, V in [("bpcourse.scalar", bp_engine.Value), ("micrograd 0.1.0", mg_engine.Value)]:
        layers = learner_init(V, [2, 16, 16, 1], seed=0)
        rows.append((f"learner code, {name}", *run_steps(lambda t: learner_step(V, layers, X, y, 0.5, t), n_steps)))
    return rows


# ----------------------------------------------------------------------------------------------
# 3. a 1,000,000-deep chain, each engine in a fresh process (peak RSS is per process)
# ----------------------------------------------------------------------------------------------
def chain_child(engine: str, depth: int) -> dict:
    """Runs inside the subprocess: build y = tanh(...tanh(x)), backward, report time and memory."""
    import psutil

    if engine == "torch":
        import torch

        x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
        step = torch.tanh
    else:
        from bpcourse.scalar import Value

        x = Value(0.5)
        step = Value.tanh
    gc.collect()
    base = psutil.Process().memory_info().rss
    t0 = time.perf_counter()
    y = x
    for _ in range(depth):
        y = step(y)
    t1 = time.perf_counter()
    y.backward()
    t2 = time.perf_counter()
    grad = float(x.grad)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes
    t3 = time.perf_counter()
    del y
    t4 = time.perf_counter()
    return {"forward": t1 - t0, "backward": t2 - t1, "free": t4 - t3, "peak_mb": (peak - base) / 2**20,
            "grad": grad, "recursion_limit": sys.getrecursionlimit()}


def chain_benchmarks(depth: int) -> dict[str, dict]:
    out = {}
    for engine in ("bpcourse", "torch"):
        proc = subprocess.run([sys.executable, __file__, "--chain-child", engine, str(depth)],
                              capture_output=True, text=True, check=True)
        out[engine] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


# ----------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 steps each instead of 7")
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--depth", type=int, default=CHAIN_DEPTH)
    ap.add_argument("--chain-child", nargs=2, metavar=("ENGINE", "DEPTH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.chain_child:
        print(json.dumps(chain_child(args.chain_child[0], int(args.chain_child[1]))))
        return

    n_steps = args.steps or (3 if args.quick else 7)
    import micrograd
    import torch

    print(f"Python {sys.version.split()[0]}, torch {torch.__version__}, micrograd "
          f"{getattr(micrograd, '__version__', '0.1.0')}; median of {n_steps} steps after 1 warm-up\n")
    rows = step_benchmarks(n_steps)
    ref = {r[0].split(", ")[0]: r[1]["step"] for r in rows if "micrograd" in r[0]}
    head = f"{'':62} {'step s':>8} {'fwd s':>7} {'bwd s':>7} {'upd s':>7} {'nodes':>7} {'us/node':>8} {'speed-up':>9}"
    print(head)
    print("-" * len(head))
    for name, t, nodes in rows:
        speedup = ref[name.split(", ")[0]] / t["step"]
        print(f"{name:62} {t['step']:8.4f} {t['forward']:7.4f} {t['backward']:7.4f} {t['update']:7.4f} "
              f"{nodes:7d} {1e6 * t['step'] / nodes:8.2f} {speedup:8.1f}x")

    print(f"\n{args.depth:,}-deep chain y = tanh(y), forward + backward, default recursion limit, fresh process each:")
    chains = chain_benchmarks(args.depth)
    head = f"{'':16} {'forward s':>10} {'backward s':>11} {'total s':>8} {'free s':>7} {'peak +MB':>9} {'bytes/node':>11} {'dy/dx':>10}"
    print(head)
    print("-" * len(head))
    for engine, c in chains.items():
        print(f"{engine:16} {c['forward']:10.3f} {c['backward']:11.3f} {c['forward'] + c['backward']:8.3f} "
              f"{c['free']:7.3f} {c['peak_mb']:9.1f} {c['peak_mb'] * 2**20 / args.depth:11.0f} {c['grad']:10.3e}")
    print(f"(recursion limit in the child: {chains['bpcourse']['recursion_limit']})")


if __name__ == "__main__":
    main()
