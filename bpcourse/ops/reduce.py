"""Reductions (g has the reduced shape; it is spread back over the reduced axes):

    sum   y = sum_i x_i        dx_i = g
    mean  y = sum_i x_i / n    dx_i = g / n
    max   y = max_i x_i        dx_i = g at the maximum, 0 elsewhere (saves x and y; along a dim, the index)
    min   y = min_i x_i        dx_i = g at the minimum, 0 elsewhere
    norm  y = sqrt(sum_i x_i^2)  dx_i = g * x_i / y
    cumsum y_i = sum_{j<=i} x_j  dx_j = sum_{i>=j} g_i  (a cumsum of g from the other end)
"""
from __future__ import annotations

from typing import Any

import numpy as np

from bpcourse.function import ArrayFunction, Context
from bpcourse.ops.elementwise import Where
from bpcourse.ops.maths import broadcast_to, cumsum, expand_dims, flip, masked, run, value


def _axes(dim: Any, ndim: int) -> Any:
    """torch's ``dim`` (None, an int or a tuple) -> numpy's ``axis``."""
    if dim is None or ndim == 0:  # torch accepts dim=0 / -1 on a 0-d tensor
        return None
    if isinstance(dim, tuple):
        return dim
    if isinstance(dim, list):
        return tuple(dim)
    return int(dim)


def _spread(g: Any, shape: tuple, axis: Any, keepdim: bool) -> np.ndarray:
    """Put back the reduced axes of g (size 1) and broadcast to the input's shape."""
    if axis is not None and not keepdim:
        g = expand_dims(g, axis)
    return broadcast_to(g, shape)


class Sum(ArrayFunction):
    """y = sum of x over dim (all elements if dim is None)"""

    @classmethod
    def node_name(cls, x: np.ndarray, dim: Any, keepdim: bool) -> str:
        return "SumBackward0" if _axes(dim, x.ndim) is None else "SumBackward1"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dim: Any, keepdim: bool) -> np.ndarray:
        axis = _axes(dim, x.ndim)
        ctx.args = (x.shape, axis, keepdim)
        if x.dtype.kind in "bi" and x.dtype != np.int64:
            return x.sum(axis=axis, keepdims=keepdim, dtype=np.int64)
        return x.sum(axis=axis, keepdims=keepdim)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        shape, axis, keepdim = ctx.args
        return _spread(g, shape, axis, keepdim), None, None


class Mean(ArrayFunction):
    """y = mean of x over dim (all elements if dim is None)"""

    @classmethod
    def node_name(cls, x: np.ndarray, dim: Any, keepdim: bool) -> str:
        return "MeanBackward0" if _axes(dim, x.ndim) is None else "MeanBackward1"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dim: Any, keepdim: bool) -> np.ndarray:
        if x.dtype.kind != "f":
            raise RuntimeError(
                f"mean(): could not infer output dtype. Input dtype must be floating point, got {x.dtype}"
            )
        axis = _axes(dim, x.ndim)
        total = x.sum(axis=axis, keepdims=keepdim)
        n = x.size // max(np.size(total), 1) if x.size else 1
        y = total / n  # the sum, then one division: as torch and numpy compute a mean
        ctx.args = (x.shape, axis, keepdim, n)
        return y

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        shape, axis, keepdim, n = ctx.args
        return _spread(g / n, shape, axis, keepdim), None, None


class Max(ArrayFunction):
    """y = max of x over dim; the gradient goes to the (first) maximum"""

    pick, arg_pick, torch_stem = np.max, np.argmax, "Max"

    @classmethod
    def node_name(cls, x: np.ndarray, dim: Any, keepdim: bool) -> str:
        return f"{cls.torch_stem}Backward{1 if _axes(dim, x.ndim) is None else 0}"

    @classmethod
    def forward(cls, ctx: Context, x: np.ndarray, dim: Any, keepdim: bool) -> np.ndarray:
        axis = _axes(dim, x.ndim)
        if x.size == 0:
            raise RuntimeError(f"{cls.torch_stem.lower()}(): Expected reduction dim to be specified for "
                               f"input.numel() == 0")
        y = cls.pick(x, axis=axis, keepdims=keepdim)
        if axis is None:  # the gradient is shared between tied maxima: backward needs x and y
            ctx.save_for_backward(x, y)
        else:  # only the (first) maximum gets it: like torch, keep its index, not x
            ctx.save_for_backward(np.expand_dims(cls.arg_pick(x, axis=axis), axis))
        ctx.args = (x.shape, axis, keepdim)
        return y

    @classmethod
    def backward(cls, ctx: Context, g: Any) -> tuple:
        shape, axis, keepdim = ctx.args
        if axis is None:  # torch shares the gradient evenly between tied maxima
            x, y = (value(v) for v in ctx.saved_tensors)
            mask = x == y
            with np.errstate(invalid="ignore", divide="ignore"):  # x changed through .data: nan, as torch
                return masked(g, mask) / mask.sum(), None, None
        picked = np.zeros(shape, dtype=bool)
        np.put_along_axis(picked, value(ctx.saved_tensors[0]), True, axis=axis)
        return run(Where, picked, _spread(g, shape, axis, keepdim), 0), None, None


class Amax(ArrayFunction):
    """y = max of x over dim (all if dim is empty); the gradient is shared evenly between tied
    maxima, where max(dim) gives it all to the first one"""

    pick, torch_name = np.max, "AmaxBackward0"

    @classmethod
    def forward(cls, ctx: Context, x: np.ndarray, dim: Any, keepdim: bool) -> np.ndarray:
        axis = None if dim == () else _axes(dim, x.ndim)
        y = cls.pick(x, axis=axis, keepdims=True)
        ctx.save_for_backward(x, y)
        ctx.args = (x.shape, axis, keepdim)
        return y if keepdim else (y.reshape(()) if axis is None else np.squeeze(y, axis))

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        shape, axis, keepdim = ctx.args
        x, y = (value(v) for v in ctx.saved_tensors)
        ties = x == y
        with np.errstate(invalid="ignore", divide="ignore"):
            return masked(_spread(g, shape, axis, keepdim), ties) / ties.sum(axis=axis, keepdims=True), None, None


class Amin(Amax):
    """y = min of x over dim; the gradient is shared evenly between tied minima"""

    pick, torch_name = np.min, "AminBackward0"


class Min(Max):
    """y = min of x over dim; the gradient goes to the (first) minimum"""

    pick, arg_pick, torch_stem = np.min, np.argmin, "Min"


class Norm(ArrayFunction):
    """y = sqrt(sum of x^2) over dim (the 2-norm; all elements if dim is None)"""

    torch_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dim: Any, keepdim: bool) -> np.ndarray:
        if x.dtype.kind != "f":
            raise RuntimeError(f"norm(): input dtype should be floating point, got {x.dtype}; use x.float().norm()")
        axis = _axes(dim, x.ndim)
        y = np.sqrt((x * x).sum(axis=axis, keepdims=keepdim))
        ctx.save_for_backward(x, y)
        ctx.args = (axis, keepdim)
        return y

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        x, y = ctx.saved_tensors
        axis, keepdim = ctx.args
        zero = value(y) == 0  # torch: gradient 0 at x = 0
        g_over_y = run(Where, zero, 0, g / run(Where, zero, 1, y))
        return x * _spread(g_over_y, x.shape, axis, keepdim), None, None


class CumSum(ArrayFunction):
    """y_i = x_0 + ... + x_i along dim"""

    torch_name = "CumsumBackward0"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dim: int) -> np.ndarray:
        ctx.dim = dim
        if x.dtype.kind in "bi":
            return np.cumsum(x, axis=dim, dtype=np.int64)  # torch sums integers in int64
        return np.cumsum(x, axis=dim)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        # x_j appears in every y_i with i >= j
        return flip(cumsum(flip(g, ctx.dim), ctx.dim), ctx.dim), None
