"""Numerical gradient check: does backward agree with central differences?

For each input x and each element x_j:

    dL/dx_j  ~  (L(x_j + eps) - L(x_j - eps)) / (2 eps)         (error O(eps^2))

computed in float64 on L = sum(out * v) for a fixed random v (so one backward checks every
output). The relative error max|analytic - numeric| / max(|analytic|, |numeric|) (maxima over
the input's elements) is judged with the CS231n rule of thumb:

    > 1e-2            the gradient is probably wrong
    1e-4 .. 1e-2      uncomfortable
    1e-7 .. 1e-4      OK for functions with kinks (relu), else suspicious
    < 1e-7            correct

    >>> x = bpcourse.randn(3, dtype=bpcourse.float64, requires_grad=True)
    >>> bpcourse.gradcheck(lambda x: (x * x).tanh(), [x]).passed
    True
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from bpcourse.grad_mode import no_grad
from bpcourse.tensor import Tensor, _wrap


def verdict(rel_error: float) -> str:
    """CS231n's reading of a relative error."""
    if rel_error > 1e-2:
        return "wrong"
    if rel_error > 1e-4:
        return "uncomfortable"
    if rel_error > 1e-7:
        return "ok with kinks"
    return "correct"


@dataclass
class InputCheck:
    """The comparison for one input: gradients from backward and from finite differences."""

    index: int
    shape: tuple
    analytic: np.ndarray
    numeric: np.ndarray
    rel_error: float
    abs_error: float

    atol: float = 1e-8

    @property
    def verdict(self) -> str:
        # gradients that are all ~0 agree when their difference is at round-off level
        return "correct" if self.abs_error <= self.atol else verdict(self.rel_error)


@dataclass
class GradcheckResult:
    """Per-input errors; ``passed`` when every relative error is at most ``tol`` (or the
    absolute error is at round-off level, 1e-8, for gradients that are ~0 anyway)."""

    checks: list = field(default_factory=list)
    tol: float = 1e-6
    eps: float = 1e-6

    @property
    def passed(self) -> bool:
        return all(c.rel_error <= self.tol or c.abs_error <= c.atol for c in self.checks)

    @property
    def rel_errors(self) -> list:
        return [c.rel_error for c in self.checks]

    def __bool__(self) -> bool:
        return self.passed

    def _rows(self) -> list:
        return [(str(c.index), str(c.shape), f"{c.rel_error:.2e}", f"{c.abs_error:.2e}", c.verdict)
                for c in self.checks]

    def __repr__(self) -> str:
        head = ("input", "shape", "rel. error", "abs. error", "verdict")
        rows = [head] + self._rows()
        widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
        lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
        status = "PASSED" if self.passed else "FAILED"
        return f"gradcheck {status} (tol {self.tol:g}, eps {self.eps:g})\n" + "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = {"correct": "#d4edda", "ok with kinks": "#fff3cd", "uncomfortable": "#ffe5b4", "wrong": "#f8d7da"}
        cells = "".join(
            f"<tr style='background:{colour[r[4]]}'>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>"
            for r in self._rows())
        status = "passed" if self.passed else "FAILED"
        return (f"<table><caption>gradcheck {status} (tol {self.tol:g})</caption>"
                "<tr><th>input</th><th>shape</th><th>rel. error</th><th>abs. error</th><th>verdict</th></tr>"
                f"{cells}</table>")


def _relative_error(a: np.ndarray, n: np.ndarray) -> float:
    """max |a - n| / max(|a|, |n|), the maxima taken over the whole input: an element whose
    gradient is almost 0 is judged against the input's largest gradient, not against itself."""
    if a.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(n))), 1e-8)
    return float(np.max(np.abs(a - n))) / scale


def gradcheck(fn: Callable[..., Tensor], inputs: Sequence[Any] | Tensor, eps: float = 1e-6,
              tol: float = 1e-6, seed: int = 0) -> GradcheckResult:
    """Compare ``fn``'s backward with central differences for every input that requires grad
    (every floating-point tensor input if none does). Inputs are copied to float64."""
    if isinstance(inputs, Tensor):
        inputs = [inputs]
    tensors = [x for x in inputs if isinstance(x, Tensor) and x.array.dtype.kind == "f"]
    checked = [x for x in tensors if x.requires_grad] or tensors
    checked_ids = {id(x) for x in checked}
    # float64 leaf copies, so that the check measures the maths and not float32 rounding
    args = []
    for x in inputs:
        if isinstance(x, Tensor) and id(x) in checked_ids:
            c = _wrap(x.array.astype(np.float64))
            c.requires_grad = True
            args.append(c)
        elif isinstance(x, Tensor) and x.array.dtype.kind == "f":
            args.append(_wrap(x.array.astype(np.float64)))
        else:
            args.append(x)
    out = fn(*args)
    v = np.random.default_rng(seed).standard_normal(out.array.shape)
    (out * _wrap(v)).sum().backward()

    result = GradcheckResult(tol=tol, eps=eps)
    for i, (x, c) in enumerate(zip(inputs, args)):
        if not (isinstance(x, Tensor) and id(x) in checked_ids):
            continue
        analytic = c.grad.array if c.grad is not None else np.zeros_like(c.array)
        numeric = np.zeros_like(c.array)
        flat = c.array.reshape(-1)  # a view: nudging it nudges the input
        with no_grad():
            for j in range(flat.size):
                old = flat[j]
                flat[j] = old + eps
                up = float((fn(*args).array * v).sum())
                flat[j] = old - eps
                down = float((fn(*args).array * v).sum())
                flat[j] = old
                numeric.reshape(-1)[j] = (up - down) / (2 * eps)
        result.checks.append(InputCheck(i, tuple(c.array.shape), analytic, numeric,
                                        _relative_error(analytic, numeric),
                                        float(np.max(np.abs(analytic - numeric))) if analytic.size else 0.0))
    return result
