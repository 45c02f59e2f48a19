"""Elementwise ops. One line of maths per op (g is the incoming gradient dL/dy):

    add   y = a + b        da = g              db = g
    sub   y = a - b        da = g              db = -g
    mul   y = a * b        da = g * b          db = g * a
    div   y = a / b        da = g / b          db = -g * a / b**2
    neg   y = -x           dx = -g
    recip y = 1 / x        dx = -g * y**2
    pow   y = x**p         dx = g * p * x**(p-1)      (p a number)
    pow   y = a**b         da = g * b * a**(b-1)      db = g * y * log(a)
    exp   y = e**x         dx = g * y                 (save y: exp' = exp)
    log   y = ln x         dx = g / x
    sqrt  y = sqrt x       dx = g / (2 y)
    abs   y = |x|          dx = g * sign(x)
    sin   y = sin x        dx = g * cos x
    cos   y = cos x        dx = -g * sin x
    sigmoid y = 1/(1+e**-x)  dx = g * (1 - y) * y     (save y, not x)
    tanh  y = tanh x       dx = g * (1 - y**2)        (save y, not x)
    relu  y = max(x, 0)    dx = g * (x > 0)
    leaky_relu y = x if x > 0 else s x   dx = g * (1 if x > 0 else s)
    sign, floor, ceil, round   piecewise constant: dx = 0
    clamp y = min(max(x, lo), hi)  dx = g where lo <= x <= hi

Binary ops broadcast their operands; ``unbroadcast`` sums the gradients back to each
operand's shape. ``torch_dtype`` gives a result torch's dtype where numpy's differs (an int64
tensor times a float32 one is float32 in torch, float64 in numpy); Tensor's operators apply it.
Gradients are only computed for inputs that need them
(``ctx.needs_input_grad``).
"""
from __future__ import annotations

import numpy as np

from bpcourse.function import ArrayFunction, Context
from bpcourse.ops.broadcast import unbroadcast

# ----- Binary ops -----------------------------------------------------------------------

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def _promote(d1: np.dtype, d2: np.dtype) -> np.dtype:
    """torch.promote_types: a float type beats any integer type (int64 + float32 is float32)."""
    c1, c2 = _CATEGORY[d1.kind], _CATEGORY[d2.kind]
    return d1 if c1 > c2 else d2 if c2 > c1 else np.promote_types(d1, d2)


def torch_dtype(y: np.ndarray, a: np.ndarray, b: np.ndarray, true_division: bool = False) -> np.ndarray:
    """y in the dtype torch gives ``a op b``: 0-d operands (numbers, ``tensor(2.0)``) only
    decide the dtype if they are of a higher kind (bool < int < float) than the others;
    a true division of integers gives the default float32."""
    if a.dtype == b.dtype:
        return y
    if (a.ndim == 0) == (b.ndim == 0):
        dt = _promote(a.dtype, b.dtype)
    else:
        dims, zero = (a.dtype, b.dtype) if b.ndim == 0 else (b.dtype, a.dtype)
        dt = zero if _CATEGORY[zero.kind] > _CATEGORY[dims.kind] else dims
    if true_division and dt.kind != "f":
        dt = np.dtype(np.float32)
    return y if y.dtype == dt else y.astype(dt)



class Add(ArrayFunction):
    """y = a + b"""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.shapes = (a.shape, b.shape)
        return a + b

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> tuple:
        sa, sb = ctx.shapes
        return unbroadcast(g, sa), unbroadcast(g, sb)


class Sub(ArrayFunction):
    """y = a - b"""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.shapes = (a.shape, b.shape)
        return a - b

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> tuple:
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        return (unbroadcast(g, sa) if need_a else None,
                unbroadcast(-g, sb) if need_b else None)


class RSub(Sub):
    """y = a - b where a is a number and b the tensor (``2 - x``; torch calls it rsub)"""

    torch_name = "RsubBackward1"


class Mul(ArrayFunction):
    """y = a * b"""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> tuple:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (unbroadcast(g * b, a.shape) if need_a else None,
                unbroadcast(g * a, b.shape) if need_b else None)


class Div(ArrayFunction):
    """y = a / b"""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        y = a / b
        if y.dtype == np.float64 and a.dtype.kind in "iub" and b.dtype.kind in "iub":
            y = y.astype(np.float32)  # int / int gives the default float dtype, as in torch
        return y

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> tuple:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (unbroadcast(g / b, a.shape) if need_a else None,
                unbroadcast(-g * a / (b * b), b.shape) if need_b else None)


class PowTensor(ArrayFunction):
    """y = a ** b, both tensors"""

    torch_name = "PowBackward1"

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        y = a ** b
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> tuple:
        a, b, y = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = unbroadcast(g * b * a ** (b - 1), a.shape) if need_a else None
        gb = None
        if need_b:
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = unbroadcast(np.where(a > 0, g * y * np.log(np.where(a > 0, a, 1)), 0), b.shape)
        return ga, gb


class RPow(PowTensor):
    """y = a ** b where a is a number and b the tensor (``2 ** x``)"""

    torch_name = "PowBackward2"


# ----- Unary ops ------------------------------------------------------------------------


class Neg(ArrayFunction):
    """y = -x"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return -x

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> np.ndarray:
        return -g


class Reciprocal(ArrayFunction):
    """y = 1 / x  (``2 / x`` is computed as torch does: reciprocal, then multiply)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = 1 / x
        if y.dtype == np.float64 and x.dtype.kind in "iub":
            y = y.astype(np.float32)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> np.ndarray:
        (y,) = ctx.saved_tensors
        return -g * (y * y)


class Pow(ArrayFunction):
    """y = x ** p for a number p"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, p: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.p = p
        return x ** p

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return np.zeros_like(x), None
        return g * (p * x ** (p - 1)), None  # torch's order: grad * (p * x^(p-1))


class Exp(ArrayFunction):
    """y = exp(x)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = np.exp(x)
        ctx.save_for_backward(y)  # save the output: exp' = exp
        return y

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> np.ndarray:
        (y,) = ctx.saved_tensors
        return g * y


class Log(ArrayFunction):
    """y = ln(x)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> np.ndarray:
        (x,) = ctx.saved_tensors
        return g / x


class Sqrt(ArrayFunction):
    """y = sqrt(x)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> np.ndarray:
        (y,) = ctx.saved_tensors
        return g / (2 * y)


class Abs(ArrayFunction):
    """y = |x|"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> np.ndarray:
        (x,) = ctx.saved_tensors
        return g * np.sign(x)


class Sin(ArrayFunction):
    """y = sin(x)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> np.ndarray:
        (x,) = ctx.saved_tensors
        return g * np.cos(x)


class Cos(ArrayFunction):
    """y = cos(x)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> np.ndarray:
        (x,) = ctx.saved_tensors
        return -g * np.sin(x)


class Sigmoid(ArrayFunction):
    """y = 1 / (1 + exp(-x))"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = 1 / (1 + np.exp(-x))
        ctx.save_for_backward(y)  # save y, not x: sigmoid' = (1 - y) y needs only the output
        return y

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> np.ndarray:
        (y,) = ctx.saved_tensors
        return g * (1 - y) * y


class Tanh(ArrayFunction):
    """y = tanh(x)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = np.tanh(x)
        ctx.save_for_backward(y)  # save y, not x: tanh' = 1 - y^2 needs only the output
        return y

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> np.ndarray:
        (y,) = ctx.saved_tensors
        return g * (1 - y * y)


class Relu(ArrayFunction):
    """y = max(x, 0)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = np.maximum(x, 0)
        ctx.save_for_backward(y)  # y > 0 exactly where x > 0
        return y

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> np.ndarray:
        (y,) = ctx.saved_tensors
        return g * (y > 0)


class LeakyRelu(ArrayFunction):
    """y = x for x > 0, s * x otherwise"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, s: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.s = s
        return np.where(x > 0, x, x * np.asarray(s, dtype=x.dtype))

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        return np.where(x > 0, g, g * np.asarray(ctx.s, dtype=g.dtype)), None


class PiecewiseConstant(ArrayFunction):
    """y = f(x) for a step function f (sign, floor, ceil, round): its derivative is 0"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, f: object, torch_name: str) -> np.ndarray:
        ctx.torch_name = torch_name
        ctx.shape = x.shape
        return np.asarray(f(x))

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> tuple:
        return np.zeros(ctx.shape, dtype=g.dtype), None, None


class Clamp(ArrayFunction):
    """y = min(max(x, lo), hi); the gradient passes where x was not clipped"""

    torch_name = "ClampBackward1"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, lo: float | None, hi: float | None) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.bounds = (lo, hi)
        return np.clip(x, lo, hi).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> tuple:
        (x,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        keep = np.ones(x.shape, dtype=bool)
        if lo is not None:
            keep &= x >= lo
        if hi is not None:
            keep &= x <= hi
        return g * keep, None, None


# ----- Copies -----------------------------------------------------------------------------


class Cast(ArrayFunction):
    """y = x as another dtype; the gradient goes back in x's dtype"""

    torch_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dtype: np.dtype) -> np.ndarray:
        ctx.dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> tuple:
        return g.astype(ctx.dtype), None


class Clone(ArrayFunction):
    """y = a copy of x"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return x.copy()

    @staticmethod
    def backward(ctx: Context, g: np.ndarray) -> np.ndarray:
        return g
