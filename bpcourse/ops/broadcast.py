"""Undo broadcasting in backward: the one helper every binary op uses.

If forward broadcast ``x`` of shape (3, 1) against (3, 4), the output and its gradient have
shape (3, 4); each x[i, 0] was used 4 times, so its gradient is the sum over that axis.
Rule: sum over the leading axes that broadcasting added, then over every axis where ``x`` had
size 1 and the gradient has more.
"""
from __future__ import annotations

import numpy as np


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` down to ``shape`` (the shape of the input before broadcasting)."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad
