"""Run the same computation in bpcourse and in torch, and compare values and gradients.

``fn`` is written once against a module namespace passed as its first argument, so the very
same code runs on both engines:

    >>> def layer(t, x, W, b):              # t is bpcourse, then torch
    ...     return t.sigmoid(x @ W.T + b).sum()
    >>> r = compare_with_torch(layer, [x_np, W_np, b_np])
    >>> r.passed, r.value_diff, r.grad_diffs
    (True, 0.0, [...])

``inputs`` are numpy arrays, nested lists or bpcourse tensors; floating-point ones become
leaf tensors with ``requires_grad=True`` in both engines (same dtype; python floats become
float32 as in torch). A non-scalar output is reduced with the same random weights in both
(``sum(out * v)``) before backward.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np


@dataclass
class CompareResult:
    """Largest absolute differences between bpcourse and torch, for the value and per input."""

    value_bp: np.ndarray
    value_torch: np.ndarray
    grads_bp: list = field(default_factory=list)
    grads_torch: list = field(default_factory=list)
    rtol: float = 1e-5
    atol: float = 1e-6

    @property
    def value_diff(self) -> float:
        return float(np.max(np.abs(self.value_bp - self.value_torch))) if self.value_bp.size else 0.0

    @property
    def grad_diffs(self) -> list:
        return [None if a is None or b is None else float(np.max(np.abs(a - b))) if a.size else 0.0
                for a, b in zip(self.grads_bp, self.grads_torch)]

    def _close(self, a: Any, b: Any) -> bool:
        if a is None or b is None:
            return a is None and b is None
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=self.rtol, atol=self.atol))

    @property
    def passed(self) -> bool:
        return self._close(self.value_bp, self.value_torch) and all(
            self._close(a, b) for a, b in zip(self.grads_bp, self.grads_torch))

    def __bool__(self) -> bool:
        return self.passed

    def _rows(self) -> list:
        rows = [("value", str(self.value_bp.shape), f"{self.value_diff:.2e}",
                 "ok" if self._close(self.value_bp, self.value_torch) else "DIFFERS")]
        for i, (a, b, d) in enumerate(zip(self.grads_bp, self.grads_torch, self.grad_diffs)):
            rows.append((f"grad of input {i}", str(None if a is None else a.shape),
                         "-" if d is None else f"{d:.2e}", "ok" if self._close(a, b) else "DIFFERS"))
        return rows

    def __repr__(self) -> str:
        head = ("", "shape", "max |bpcourse - torch|", "")
        rows = [head] + self._rows()
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
        return f"compare_with_torch: {'same' if self.passed else 'DIFFERENT'} (rtol {self.rtol:g}, atol {self.atol:g})\n" + "\n".join(lines)

    def _repr_html_(self) -> str:
        cells = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>" for r in self._rows())
        return ("<table><caption>bpcourse vs torch: " + ("same" if self.passed else "DIFFERENT") + "</caption>"
                "<tr><th></th><th>shape</th><th>max |bpcourse - torch|</th><th></th></tr>" + cells + "</table>")


def _as_numpy(x: Any) -> Any:
    import bpcourse

    if isinstance(x, bpcourse.Tensor):
        return x.array.copy()
    if isinstance(x, (np.ndarray, np.generic)):
        return np.array(x)
    if isinstance(x, (list, tuple, float)):
        a = np.array(x)
        return a.astype(np.float32) if a.dtype == np.float64 else a
    return x


def compare_with_torch(fn: Callable[..., Any], inputs: Sequence[Any], rtol: float | None = None,
                       atol: float | None = None, seed: int = 0) -> CompareResult:
    """Call ``fn(bpcourse, *inputs)`` and ``fn(torch, *inputs)`` and compare (see module doc)."""
    import torch

    import bpcourse

    arrays = [_as_numpy(x) for x in inputs]
    results = []
    for lib in (bpcourse, torch):
        xs = []
        for a in arrays:
            if isinstance(a, np.ndarray):
                t = lib.tensor(a)
                if a.dtype.kind == "f":
                    t.requires_grad_(True)
                xs.append(t)
            else:
                xs.append(a)
        out = fn(lib, *xs)
        value = out.detach().numpy().copy()
        v = np.random.default_rng(seed).standard_normal(value.shape).astype(value.dtype)
        if out.requires_grad:
            (out * lib.tensor(v)).sum().backward()
        grads = [None if not (hasattr(x, "grad") and x.grad is not None) else x.grad.detach().numpy().copy()
                 for x in xs]
        results.append((value, grads))
    single = all(a.dtype != np.float64 for a in arrays if isinstance(a, np.ndarray) and a.dtype.kind == "f")
    return CompareResult(results[0][0], results[1][0], results[0][1], results[1][1],
                         rtol=rtol if rtol is not None else (1e-4 if single else 1e-10),
                         atol=atol if atol is not None else (1e-5 if single else 1e-12))
