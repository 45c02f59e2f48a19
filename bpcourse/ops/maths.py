"""The few functions backward formulas call besides + - * / @, for arrays and for Tensors.

backward normally runs on numpy arrays (fast). Asked for ``create_graph=True``, the engine runs
the same formula on Tensors instead, so that computing the derivative records a graph of its
own, and second derivatives come out of one more backward. Each helper therefore takes either:
an array gives numpy's result, a Tensor the Tensor method of the same name (a recorded op).

``value(x)`` is the exception: the numbers of x as an array, for masks and counts that are
constants of the derivative (``relu' = (x > 0)`` has derivative 0 itself).
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

from bpcourse.function import Context


_PLAIN = (np.ndarray, np.generic, int, float, str, tuple, type(None))  # never a Tensor


_ARRAYS = (np.ndarray, np.generic)


def is_array(x: Any) -> bool:
    return isinstance(x, _ARRAYS)


def value(x: Any) -> np.ndarray:
    """x's numbers as a constant array (no gradient flows through what is computed from them)."""
    return x if is_array(x) else x.array


# numpy's float32 exp, log, sin, cos and tanh are off by one unit in the last place for a sixth to
# two fifths of inputs where torch's are not: torch.exp(torch.tensor(1.0)).item() is
# 2.7182817459106445, numpy's float32 exp gives 2.7182819843292236. Computed in float64 and rounded
# once, they agree with torch but for about 1 input in 100 (sin, cos: 1 in 20). Arrays up to this
# size only (16 x 16, what programs print): larger ones keep numpy's float32 versions, which are
# faster (float64 tanh on a 100 x 16 batch made a small MLP's step 45% slower).
ROUNDED_ONCE_MAX_SIZE = 256


def rounded_once(f: Any, x: np.ndarray) -> np.ndarray:
    """f(x) for a numpy ufunc f, computed in float64 for small float32 arrays (see above)."""
    if x.size <= ROUNDED_ONCE_MAX_SIZE and x.dtype == np.float32:  # (size first: the cheaper test, false for batches)
        with np.errstate(all="ignore"):  # exp(100.0) is inf, log(0.0) -inf: silently, as in torch (and Exp, Log)
            return f(x.astype(np.float64)).astype(np.float32)
    return f(x)


def exp(x: Any) -> Any:
    return rounded_once(np.exp, x) if is_array(x) else x.exp()


def log(x: Any) -> Any:
    return rounded_once(np.log, x) if is_array(x) else x.log()


def sin(x: Any) -> Any:
    return rounded_once(np.sin, x) if is_array(x) else x.sin()


def cos(x: Any) -> Any:
    return rounded_once(np.cos, x) if is_array(x) else x.cos()


def tanh(x: Any) -> Any:
    return rounded_once(np.tanh, x) if is_array(x) else x.tanh()


def quiet(f: Any) -> Any:
    """f (an op's forward or backward) with numpy's floating-point warnings off: x / 0, log(0),
    exp(1000), sqrt(-1) give inf and nan silently, as in torch. Only on the ops that can make
    them: an errstate costs about a microsecond, and under one every numpy call is a little slower."""
    @functools.wraps(f)
    def run_quietly(*args: Any) -> Any:
        with np.errstate(all="ignore"):
            return f(*args)
    return run_quietly


_ROW_STARTS: dict = {}  # (rows, columns) -> where each row starts in the flattened array


def flat_picks(shape: tuple, cols: np.ndarray) -> np.ndarray:
    """The positions of [i, cols[i]] in a C-ordered (rows, columns) array, flattened: one per row.
    Picking through them (``x.ravel()[picks]``) costs a quarter of numpy's two-index ``x[rows, cols]``."""
    starts = _ROW_STARTS.get(shape)
    if starts is None:
        starts = _ROW_STARTS[shape] = np.arange(0, shape[0] * shape[1], shape[1])
        starts.flags.writeable = False
    return starts + cols


def sum_along(x: Any, dim: int) -> Any:
    """x summed along ``dim``, keeping it (size 1): np.add.reduce is ``.sum()`` without its Python wrapper."""
    return np.add.reduce(x, axis=dim, keepdims=True) if is_array(x) else x.sum(dim, keepdim=True)


def swapaxes(x: Any, i: int, j: int) -> Any:
    return np.swapaxes(x, i, j) if is_array(x) else x.transpose(i, j)


def permute(x: Any, dims: Any) -> Any:
    return np.transpose(x, dims) if is_array(x) else x.permute(*dims)


def cast(x: Any, dtype: np.dtype) -> Any:
    return x.astype(dtype) if is_array(x) else x._cast(dtype)


def flip(x: Any, axis: int) -> Any:
    return np.flip(x, axis) if is_array(x) else x.flip(axis)


def cumsum(x: Any, axis: int) -> Any:
    return np.cumsum(x, axis=axis) if is_array(x) else x.cumsum(axis)


def exact_scaled_sum(p: np.ndarray, alpha: float, g: np.ndarray) -> np.ndarray:
    """p + float32(alpha) * g in float64, for float32 p and g: the product is exact there (two 24-bit
    significands fit in 53 bits), so storing the result back into float32 rounds once, as torch's
    fused multiply-add (``p.add_(g, alpha=alpha)``) does. Few numpy calls: every SGD step runs this."""
    exact = g.astype(np.float64)
    exact *= float(np.float32(alpha))
    exact += p
    return exact


def expand_dims(x: Any, axis: Any) -> Any:
    """Insert axes of size 1 at ``axis`` (an int or a tuple of them, counted in the result)."""
    if is_array(x):
        return np.expand_dims(x, axis)
    axes = sorted(a % (x.ndim + len(axis)) for a in axis) if isinstance(axis, tuple) else [axis]
    for a in axes:
        x = x.unsqueeze(a)
    return x


def broadcast_to(x: Any, shape: tuple) -> Any:
    return np.broadcast_to(x, shape) if is_array(x) else x.expand(*shape)


# torch writes +0 where a mask drops the gradient (relu, clamp, max: where(mask, g, 0)); g * mask
# gives -0 under a negative g, which prints as "-0.". Arrays up to this size get the +0 (one more
# pass; up to 16 x 16, what programs print); larger ones keep the single product, for speed: a
# zero's sign changes no sum.
PLUS_ZERO_MAX_SIZE = 256


def masked(g: Any, mask: Any) -> Any:
    """g * mask for a 0/1 (or 0/0.5/1) mask, with +0 where the mask is 0, as torch's."""
    out = g * mask
    if is_array(out) and out.size <= PLUS_ZERO_MAX_SIZE and out.dtype.kind == "f":
        out = out + out.dtype.type(0)  # -0 + 0 = +0
    return out


def run(op: type, *args: Any) -> Any:
    """``op`` on arrays (its forward), or recorded like any op when an argument is a Tensor."""
    for a in args:
        if not isinstance(a, _PLAIN) and hasattr(a, "grad_fn"):
            return a._apply(op, *args)
    return op.forward(Context(), *args)

