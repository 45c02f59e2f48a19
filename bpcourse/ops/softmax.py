"""Softmax along one axis (subtracting the max first keeps exp from overflowing):

    softmax      y = exp(x) / sum exp(x)        dx = y * (g - sum(g * y))
    log_softmax  y = x - log(sum exp(x))        dx = g - exp(y) * sum(g)
"""
from __future__ import annotations

from typing import Any

import numpy as np

from bpcourse.function import ArrayFunction, Context
from bpcourse.ops.maths import exp, flat_picks, sum_along


def _max_along(x: np.ndarray, dim: int) -> np.ndarray:
    """x.max(axis=dim, keepdims=True). numpy reduces a short last axis slowly (4 us for 64 rows of
    10 scores, most of a small net's softmax); the position of each row's largest score (argmax,
    the first one, as max keeps it; a nan wins in both) and a pick take half of that."""
    if x.ndim == 2 and (dim == 1 or dim == -1) and x.shape[1] <= 32:
        return x.ravel()[flat_picks(x.shape, x.argmax(axis=1))][:, None]
    return x.max(axis=dim, keepdims=True)


class Softmax(ArrayFunction):
    """y_i = exp(x_i) / sum_j exp(x_j) along dim"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dim: int) -> np.ndarray:
        e = np.exp(x - _max_along(x, dim))
        y = e / np.add.reduce(e, axis=dim, keepdims=True)  # e.sum(dim), without its Python wrapper
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        (y,) = ctx.saved_tensors
        return y * (g - sum_along(g * y, ctx.dim)), None


class LogSoftmax(ArrayFunction):
    """y_i = x_i - log sum_j exp(x_j) along dim"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dim: int) -> np.ndarray:
        z = x - _max_along(x, dim)
        y = z - np.log(np.add.reduce(np.exp(z), axis=dim, keepdims=True))
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        (y,) = ctx.saved_tensors
        return g - exp(y) * sum_along(g, ctx.dim), None
