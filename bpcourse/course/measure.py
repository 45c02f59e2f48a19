"""Measuring for the notebooks: wall-clock time, the machine it ran on, and the memory a graph keeps.

Times change from run to run and machine to machine, so a notebook prints them with
``format_seconds`` (digits, a space, a unit: ``"1.23 ms"``), which is the one form the nbval
sanitize file masks; everything else a timing cell prints is checked. Memory held by a graph is
counted, not sampled: ``saved_activation_bytes`` adds up the arrays autograd keeps for backward,
so its numbers are exact and the same on every run.

    >>> seconds = median_seconds(lambda: sum(range(1000)), repeat=5)
    >>> format_seconds(0.00123)
    '1.23 ms'
"""
from __future__ import annotations

import os
import platform
import sys
import time
from typing import Any, Callable

import numpy as np

__all__ = ["median_seconds", "format_seconds", "machine_summary", "saved_activation_bytes"]


def median_seconds(fn: Callable[[], Any], *, repeat: int = 15, warmup: int = 1) -> float:
    """Median wall-clock seconds of ``fn()`` over ``repeat`` calls, after ``warmup`` untimed calls.

    The median, not the mean or the minimum: on a shared machine a few calls are slowed down by
    other processes, and the median ignores them without rewarding a lucky outlier.
    """
    if repeat < 1:
        raise ValueError(f"median_seconds: repeat must be at least 1, got {repeat}")
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def format_seconds(seconds: float) -> str:
    """A duration with three significant digits and a unit (us, ms or s): ``"1.23 ms"``."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale or unit == "us":
            value = seconds / scale
            return f"{value:.{max(0, 2 - int(np.floor(np.log10(value))))}f} {unit}" if value > 0 else f"0 {unit}"
    raise AssertionError("unreachable")


def machine_summary() -> str:
    """One line naming what a measurement ran on: CPU, cores, BLAS, Python, numpy, torch, load."""
    import torch
    from threadpoolctl import threadpool_info

    blas = sorted(f"{i.get('internal_api', '?')} {i.get('version', '?')} ({i.get('architecture', '?')} kernel, "
            f"{i.get('num_threads', '?')} thread{'s' if i.get('num_threads') != 1 else ''})"
            for i in threadpool_info() if i.get("user_api") == "blas")  # sorted: load order varies
    load = " / ".join(f"{v:.1f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return (f"{os.cpu_count()} {platform.machine()} cores, {', '.join(blas) or 'no BLAS found'}, "
            f"Python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__} "
            f"({torch.get_num_threads()} thread{'s' if torch.get_num_threads() != 1 else ''}); "
            f"load average {load} (1/5/15 min) on {sys.platform}")


def _array_root(array: np.ndarray) -> np.ndarray:
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _bpcourse_saved_bytes(output: Any) -> int:
    from bpcourse.tensor import Tensor
    from bpcourse.tensor_graph import topological_order

    nodes = topological_order(output)
    leaves = {id(_array_root(n.array)) for n in nodes if n.grad_fn is None}
    seen: dict[int, int] = {}
    for node in nodes:
        ctx = node.grad_fn
        for value in (ctx.saved or ()) if ctx is not None else ():
            array = value.array if isinstance(value, Tensor) else value
            if isinstance(array, np.ndarray):
                root = _array_root(array)
                if id(root) not in leaves:
                    seen[id(root)] = root.nbytes
    return sum(seen.values())


def saved_activation_bytes(lib: Any, forward: Callable[[], Any]) -> tuple[Any, int]:
    """Run ``forward()`` and return ``(its output, bytes autograd saved for backward)``.

    Counts each saved buffer once (a ReLU's output saved by the ReLU and by the next layer is one
    buffer) and leaves out leaves (parameters and inputs are in memory anyway): what is left is
    the activation memory that reverse mode pays for. ``lib`` is ``torch`` or ``bpcourse``.
    """
    if lib.__name__ == "torch":
        buffers: dict[int, int] = {}

        def pack(t):
            owner = t if t._base is None else t._base  # a weight's transpose is a view of the weight
            if not owner.is_leaf:
                storage = t.untyped_storage()
                buffers[storage.data_ptr()] = storage.nbytes()
            return t

        with lib.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            output = forward()
        return output, sum(buffers.values())
    if lib.__name__ == "bpcourse":
        output = forward()
        return output, _bpcourse_saved_bytes(output)
    raise ValueError(f"saved_activation_bytes: lib must be torch or bpcourse, got {lib.__name__!r}")
