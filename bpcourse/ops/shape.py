"""Ops that move numbers around without changing them; backward moves the gradient back:

    view/reshape  y = x.reshape(s)      dx = g.reshape(x.shape)
    transpose     y = x.swapaxes(i, j)  dx = g.swapaxes(i, j)
    permute       y = x.transpose(p)    dx = g.transpose(inverse of p)
    expand        y = broadcast(x)      dx = unbroadcast(g)
    index         y = x[i]              dx = zeros, with g added at [i] (repeats add up)
    cat / stack   y = join(x1, x2..)    dxk = the slice of g that came from xk
    flip          y = x reversed on dim dx = g reversed on dim
"""
from __future__ import annotations

from typing import Any

import numpy as np

from bpcourse.function import ArrayFunction, Context, ShapeError
from bpcourse.ops.broadcast import unbroadcast
from bpcourse.ops.maths import flip, permute, run, swapaxes


class View(ArrayFunction):
    """y = x with another shape (same numbers, same order)"""

    torch_name = "ViewBackward0"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, shape: tuple) -> np.ndarray:
        ctx.shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise ShapeError(f"view: shape {list(shape)} is invalid for input of size {x.size} "
                             f"(x.shape={x.shape})") from None

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        return g.reshape(ctx.shape), None


class Unsqueeze(View):
    """y = x with a new axis of size 1 (a view; torch names it apart)"""

    torch_name = "UnsqueezeBackward0"


class Squeeze(View):
    """y = x without its axes of size 1"""

    torch_name = "SqueezeBackward0"


class SqueezeDim(View):
    """y = x without one axis of size 1"""

    torch_name = "SqueezeBackward1"


class Transpose(ArrayFunction):
    """y = x with axes dim0 and dim1 swapped"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dim0: int, dim1: int) -> np.ndarray:
        ctx.dims = (dim0, dim1)
        return np.swapaxes(x, dim0, dim1)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        return swapaxes(g, *ctx.dims), None, None


class T(ArrayFunction):
    """y = x.t(): transpose of a matrix (a vector stays as it is)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        if x.ndim > 2:
            raise ShapeError(f"t() expects a tensor with <= 2 dimensions, but x.shape={x.shape}")
        return x.T

    @staticmethod
    def backward(ctx: Context, g: Any) -> np.ndarray:
        return g.T


class Permute(ArrayFunction):
    """y = x with its axes reordered (x.T reverses them)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dims: tuple) -> np.ndarray:
        ctx.dims = dims
        return np.transpose(x, dims)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        return permute(g, tuple(int(i) for i in np.argsort(ctx.dims))), None


class Expand(ArrayFunction):
    """y = x broadcast to a larger shape"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, shape: tuple) -> np.ndarray:
        ctx.shape = x.shape
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        return unbroadcast(g, ctx.shape), None


def _is_basic(index: Any) -> bool:
    """True for ints, slices, None and ... (numpy then returns a view, no repeats)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, slice, type(None), type(Ellipsis))) and not isinstance(i, bool)
               for i in items)


class Index(ArrayFunction):
    """y = x[index] (slices, ints, integer arrays, boolean masks)"""

    @classmethod
    def node_name(cls, x: np.ndarray, index: Any) -> str:
        if not _is_basic(index):
            return "IndexBackward0"
        items = index if isinstance(index, tuple) else (index,)
        return "SelectBackward0" if all(isinstance(i, int) for i in items) else "SliceBackward0"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, index: Any) -> np.ndarray:
        ctx.args = (x.shape, index, _is_basic(index))
        items = index if isinstance(index, tuple) else (index,)
        if x.ndim == 0 and any(isinstance(i, (int, slice)) for i in items):
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python to convert "
                             "a 0-dim tensor to a number")
        try:
            y = x[index]
        except IndexError as exc:
            raise IndexError(f"index: {exc} (x.shape={x.shape})") from None
        return y if isinstance(y, np.ndarray) else x[(*items, ...)]  # x[0] of a vector: a 0-d view, as in torch

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        return run(IndexBackward, g, *ctx.args), None


class IndexBackward(ArrayFunction):
    """y = zeros of x's shape, with g put back at [index] (Index's backward, as an op of its own)"""

    @staticmethod
    def forward(ctx: Context, g: np.ndarray, shape: tuple, index: Any, basic: bool) -> np.ndarray:
        ctx.index = index
        gx = np.zeros(shape, dtype=g.dtype)
        if basic:
            gx[index] = g
        else:
            np.add.at(gx, index, g)  # an element picked twice gets both gradients
        return gx

    @staticmethod
    def backward(ctx: Context, gg: Any) -> tuple:
        return gg[ctx.index], None, None, None


class Cat(ArrayFunction):
    """y = the inputs joined along dim"""

    @staticmethod
    def forward(ctx: Context, dim: int, *xs: np.ndarray) -> np.ndarray:
        ctx.dim = dim % max(xs[0].ndim, 1) if xs else dim
        ctx.sizes = [x.shape[dim] for x in xs]
        try:
            return np.concatenate(xs, axis=dim)
        except ValueError:
            raise ShapeError(f"cat: shapes do not fit along dim {dim}: {[x.shape for x in xs]}") from None

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        ends = np.cumsum(ctx.sizes).tolist()
        before = (slice(None),) * ctx.dim
        return (None, *(g[before + (slice(end - n, end),)] for n, end in zip(ctx.sizes, ends)))


class Stack(ArrayFunction):
    """y = the inputs stacked along a new axis dim"""

    @staticmethod
    def forward(ctx: Context, dim: int, *xs: np.ndarray) -> np.ndarray:
        ctx.dim = dim % (xs[0].ndim + 1) if xs else dim
        try:
            return np.stack(xs, axis=dim)
        except ValueError:
            raise ShapeError(f"stack: expects each tensor to be equal size, got {[x.shape for x in xs]}") from None

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        before = (slice(None),) * ctx.dim
        return (None, *(g[before + (i,)] for i in range(g.shape[ctx.dim])))


class Flip(ArrayFunction):
    """y = x in reverse order along dims"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dims: tuple) -> np.ndarray:
        ctx.dims = dims
        return np.flip(x, dims)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        return flip(g, ctx.dims), None


def _gather_index(shape: tuple, index: np.ndarray, dim: int) -> tuple:
    """The full index of x.gather(dim, index): index along dim, the position itself along the others."""
    axes = [np.arange(n).reshape([-1 if d == k else 1 for d in range(index.ndim)]) for k, n in enumerate(index.shape)]
    axes[dim] = index
    return tuple(axes)


class Gather(ArrayFunction):
    """y[i][j] = x[index[i][j]][j] for dim 0 (x[i][index[i][j]] for dim 1, ...): picking one entry
    along dim for each position of index. The gradient goes back to the picked places (summed
    where one is picked twice)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
        if index.dtype != np.int64:
            raise RuntimeError(f"gather(): Expected dtype int64 for index, got {index.dtype} (use index.long())")
        if index.ndim != x.ndim or any(i > n for k, (i, n) in enumerate(zip(index.shape, x.shape)) if k != dim):
            raise ShapeError(f"gather: index must have the input's number of dimensions and be no larger in the "
                             f"other dimensions than dim={dim}: x.shape={x.shape}, index.shape={index.shape}")
        dim = dim % max(x.ndim, 1)
        if index.size and (index.min() < -x.shape[dim] or index.max() >= x.shape[dim]):
            bad = index[(index < -x.shape[dim]) | (index >= x.shape[dim])].flat[0]
            raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {x.shape[dim]}")
        ctx.args = (x.shape, dim, index)
        return x[_gather_index(x.shape, index, dim)]

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        shape, dim, index = ctx.args
        return run(ScatterAdd, g, shape, dim, index), None, None


class ScatterAdd(ArrayFunction):
    """y = zeros of x's shape with g added at the places gather picked (Gather's backward)"""

    @staticmethod
    def forward(ctx: Context, g: np.ndarray, shape: tuple, dim: int, index: np.ndarray) -> np.ndarray:
        ctx.args = (dim, index)
        out = np.zeros(shape, dtype=g.dtype)
        np.add.at(out, _gather_index(shape, index, dim), g)
        return out

    @staticmethod
    def backward(ctx: Context, gg: Any) -> tuple:
        dim, index = ctx.args
        return run(Gather, gg, dim, index), None, None, None

