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
clock = time.process_time  # CPU seconds of this process: load from other programs does not count


# ----------------------------------------------------------------------------------------------
# 1. micrograd's demo step, through each library's own nn.MLP
# ----------------------------------------------------------------------------------------------
def demo_step(Value: type, model, X: np.ndarray, y: np.ndarray, lr: float, times) -> int:
    """One step of micrograd's demo.ipynb, verbatim apart from the timers. Returns the node count."""
    t0 = clock()
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum((p * p for p in model.parameters()))
    total_loss = data_loss + reg_loss
    t1 = clock()
    model.zero_grad()
    total_loss.backward()
    t2 = clock()
    for p in model.parameters():
        p.data -= lr * p.grad
    t3 = clock()
    record_phases(times, t0, t1, t2, t3)
    return count_nodes(total_loss)


def record_phases(times, t0: float, t1: float, t2: float, t3: float) -> None:
    """One step's four clock readings as phases: forward t0..t1, backward t1..t2, update t2..t3."""
    times["forward"].append(t1 - t0)
    times["backward"].append(t2 - t1)
    times["update"].append(t3 - t2)
    times["step"].append(t3 - t0)


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


def learner_step(Value: type, layers, X: np.ndarray, y: np.ndarray, lr: float, times) -> int:
    params = [p for layer in layers for w, b in layer for p in [*w, b]]
    t0 = clock()
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
    t1 = clock()
    for p in params:
        p.grad = 0.0
    loss.backward()
    t2 = clock()
    for p in params:
        p.data -= lr * p.grad
    t3 = clock()
    record_phases(times, t0, t1, t2, t3)
    return count_nodes(loss)


class StepTimer:
    """Per-phase timers for one configuration: CPU time of this process (so that other programs
    on a shared machine do not count), wall time of the whole step, and time spent inside Python's
    cyclic garbage collector (measured with gc.callbacks)."""

    def __init__(self) -> None:
        self.phases: dict[str, list[float]] = {"forward": [], "backward": [], "update": [], "step": []}
        self.wall: list[float] = []
        self.gc_time: list[float] = []
        self.gc_runs: list[int] = []

    def __getitem__(self, phase: str) -> list[float]:
        return self.phases[phase]

    def medians(self) -> dict[str, float]:
        out = {k: statistics.median(v) for k, v in self.phases.items()}
        out.update(wall=statistics.median(self.wall), gc=statistics.median(self.gc_time),
                   gc_runs=statistics.median(self.gc_runs))
        return out


class GCMeter:
    def __init__(self) -> None:
        self.total, self.runs, self._start = 0.0, 0, 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = clock()
        else:
            self.total += clock() - self._start
            self.runs += 1


def run_steps(step: Callable[[StepTimer], int], n: int) -> tuple[dict, int]:
    """One warm-up step, then n timed steps; medians."""
    timer = StepTimer()
    nodes = step(StepTimer())
    meter = GCMeter()
    gc.callbacks.append(meter)
    try:
        for _ in range(n):
            meter.total, meter.runs = 0.0, 0
            t0 = time.perf_counter()
            step(timer)
            timer.wall.append(time.perf_counter() - t0)
            timer.gc_time.append(meter.total)
            timer.gc_runs.append(meter.runs)
    finally:
        gc.callbacks.remove(meter)
    return timer.medians(), nodes


class _NotPaused:
    """Ablation: the library's collector pause replaced by a no-op."""

    def __enter__(self) -> None: ...

    def __exit__(self, *exc_info: object) -> None: ...


CONFIGS = [
    "demo step, bpcourse.scalar",
    "demo step, micrograd 0.1.0",
    "demo step, bpcourse.scalar, collector not paused (ablation)",
    "learner code, bpcourse.scalar",
    "learner code, micrograd 0.1.0",
]


def step_child(config: str, n_steps: int) -> dict:
    """Runs inside a fresh subprocess: one configuration, so that no other configuration's garbage
    (micrograd leaves its graphs to the cycle collector) is collected on this one's clock."""
    import micrograd.engine as mg_engine
    import micrograd.nn as mg_nn

    import bpcourse.scalar.engine as bp_engine
    import bpcourse.scalar.nn as bp_nn

    X, y01 = make_moons(100, noise=0.1, seed=1)
    y = (y01 * 2 - 1).astype(float)  # labels -1 / +1 for the max-margin loss
    V, nn = (mg_engine.Value, mg_nn) if "micrograd" in config else (bp_engine.Value, bp_nn)
    if "ablation" in config:  # what the scoped collector pause buys
        bp_engine.collector_paused = bp_nn.collector_paused = _NotPaused()
    if config.startswith("demo"):
        random.seed(1337)
        model = nn.MLP(2, [16, 16, 1])
        step = lambda t: demo_step(V, model, X, y, 0.5, t)  # noqa: E731
    else:
        layers = learner_init(V, [2, 16, 16, 1], seed=0)
        step = lambda t: learner_step(V, layers, X, y, 0.5, t)  # noqa: E731
    medians, nodes = run_steps(step, n_steps)
    return {"medians": medians, "nodes": nodes}


def step_benchmarks(n_steps: int) -> list[tuple[str, dict, int]]:
    rows = []
    for config in CONFIGS:
        proc = subprocess.run([sys.executable, __file__, "--step-child", config, str(n_steps)],
                              capture_output=True, text=True, check=True)
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append((config, out["medians"], out["nodes"]))
    return rows


# ----------------------------------------------------------------------------------------------
# 3. a 1,000,000-deep chain, each engine in a fresh process (peak RSS is per process)
# ----------------------------------------------------------------------------------------------
def reset_peak_rss() -> None:
    """Linux: writing 5 to /proc/self/clear_refs resets the peak RSS (VmHWM) to the current RSS."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass  # elsewhere the peak includes start-up (ru_maxrss)


def peak_rss() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes


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
    reset_peak_rss()
    base = psutil.Process().memory_info().rss
    meter = GCMeter()
    gc.callbacks.append(meter)
    t0 = clock()
    y = x
    for _ in range(depth):  # learner code: the collector runs as usual here
        y = step(y)
    t1 = clock()
    gc_forward = meter.total
    y.backward()
    t2 = clock()
    gc.callbacks.remove(meter)
    grad = float(x.grad)
    peak = peak_rss()
    t3 = clock()
    del y
    t4 = clock()
    return {"forward": t1 - t0, "backward": t2 - t1, "free": t4 - t3, "peak_mb": (peak - base) / 2**20,
            "grad": grad, "recursion_limit": sys.getrecursionlimit(), "gc_forward": gc_forward}


def micrograd_depth_limit() -> str:
    """micrograd's recursive topological sort, for comparison: the first depth that fails."""
    from micrograd.engine import Value

    for depth in (500, 1000, 2000, 5000):
        x = Value(0.5)
        y = x
        for _ in range(depth):
            y = y * 1.0
        try:
            y.backward()
        except RecursionError:
            return f"micrograd 0.1.0: backward() of a {depth:,}-deep chain raises RecursionError"
    return "micrograd 0.1.0: backward() worked up to depth 5,000"


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
    ap.add_argument("--step-child", nargs=2, metavar=("CONFIG", "STEPS"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.step_child:
        print(json.dumps(step_child(args.step_child[0], int(args.step_child[1]))))
        return
    if args.chain_child:
        print(json.dumps(chain_child(args.chain_child[0], int(args.chain_child[1]))))
        return

    n_steps = args.steps or (3 if args.quick else 7)
    import micrograd
    import torch

    print(f"Python {sys.version.split()[0]}, torch {torch.__version__}, micrograd "
          f"{getattr(micrograd, '__version__', '0.1.0')}; median of {n_steps} steps after 1 warm-up;\n"
          "each configuration in a fresh process\n")
    rows = step_benchmarks(n_steps)
    ref = {name.split(", ")[0]: t for name, t, _ in rows if "micrograd" in name}
    head = (f"{'(medians; ms = CPU milliseconds of this process)':60} {'step ms':>8} {'fwd ms':>7} {'bwd ms':>7} "
            f"{'in gc ms':>8} {'gc runs':>7} {'nodes':>6} {'us/node':>7} {'speed-up':>8} {'wall ms':>8} {'wall x':>6}")
    print(head)
    print("-" * len(head))
    summary = {}
    for name, t, nodes in rows:
        r = ref[name.split(", ")[0]]
        summary[name] = (r["step"] / t["step"], r["wall"] / t["wall"], 1e6 * t["step"] / nodes)
        print(f"{name:60} {1e3 * t['step']:8.1f} {1e3 * t['forward']:7.1f} {1e3 * t['backward']:7.1f} "
              f"{1e3 * t['gc']:8.1f} {t['gc_runs']:7.0f} {nodes:6d} {1e6 * t['step'] / nodes:7.2f} "
              f"{summary[name][0]:7.1f}x {1e3 * t['wall']:8.1f} {summary[name][1]:5.1f}x")
    demo_x, _, demo_us = summary["demo step, bpcourse.scalar"]
    learner_x = summary["learner code, bpcourse.scalar"][0]
    bp = next(t for name, t, _ in rows if name == "demo step, bpcourse.scalar")
    bwd_us = 1e6 * bp["backward"] / next(n for name, _, n in rows if name == "demo step, bpcourse.scalar")
    print("\nTargets (issue 3), CPU time:")
    for what, ok, got in [("demo step >= 10x faster than micrograd", demo_x >= 10, f"{demo_x:.1f}x"),
                          ("learner code >= 3x faster than micrograd", learner_x >= 3, f"{learner_x:.1f}x"),
                          ("<= 2 us per node in library code paths (whole demo step)", demo_us <= 2, f"{demo_us:.2f} us"),
                          ("  of which backward()", bwd_us <= 2, f"{bwd_us:.2f} us")]:
        print(f"  {what:60} {got:>9}  {'met' if ok else 'MISSED'}")

    print(f"\n{args.depth:,}-deep chain y = tanh(y), CPU seconds; default recursion limit; each engine in a "
          "fresh process;\npeak = peak RSS minus RSS before the chain; 'in gc' = collector time during the forward loop")
    chains = chain_benchmarks(args.depth)
    head = (f"{'':10} {'forward s':>10} {'(in gc s)':>10} {'backward s':>11} {'total s':>8} {'free s':>7} "
            f"{'peak +MB':>9} {'bytes/node':>11} {'dy/dx':>10}")
    print(head)
    print("-" * len(head))
    for engine, c in chains.items():
        print(f"{engine:10} {c['forward']:10.3f} {c['gc_forward']:10.3f} {c['backward']:11.3f} "
              f"{c['forward'] + c['backward']:8.3f} {c['free']:7.3f} {c['peak_mb']:9.1f} "
              f"{c['peak_mb'] * 2**20 / args.depth:11.0f} {c['grad']:10.3e}")
    print(f"(recursion limit in the children: {chains['bpcourse']['recursion_limit']}; "
          f"{micrograd_depth_limit()})")


if __name__ == "__main__":
    main()
