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
    where y = x if c else y        dx = g where c, dy = g where not c
    maximum y = max(a, b)  da = g where a > b, db = g where b > a (ties: half each)

Binary ops broadcast their operands; ``unbroadcast`` sums the gradients back to each
operand's shape. Each op saves only what its derivative reads (torch's choices): mul saves b
only if a needs a gradient, and a only if b does; exp, sqrt, sigmoid, tanh, relu and reciprocal
save their output; log, pow, abs, sin, cos and clamp their input; add, sub and neg nothing. A
saved value changed in place before backward makes backward raise (``check_versions``). Masks (``x > 0``) are constants of the derivative, so they are computed from
``value(x)``; everything else in a backward formula also works on Tensors (``ops/maths.py``).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from bpcourse.function import ArrayFunction, Context
from bpcourse.ops.broadcast import unbroadcast
from bpcourse.ops.maths import cast, cos, exp, log, masked, quiet, rounded_once, run, sin, tanh, value

# ----- Binary ops -----------------------------------------------------------------------


class Add(ArrayFunction):
    """y = a + b"""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.shapes = (a.shape, b.shape)
        return a + b

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        sa, sb = ctx.shapes
        return unbroadcast(g, sa), unbroadcast(g, sb)


class Sub(ArrayFunction):
    """y = a - b"""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.shapes = (a.shape, b.shape)
        return a - b

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
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
        need_a, need_b = ctx.needs_input_grad
        # save only what the derivative reads, as torch does: da needs b, db needs a (so w * 2
        # saves just the 2, and w may change in place afterwards)
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        ctx.shapes = (a.shape, b.shape)
        return a * b

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        return (unbroadcast(g * b, sa) if need_a else None,
                unbroadcast(g * a, sb) if need_b else None)


class Div(ArrayFunction):
    """y = a / b"""

    @staticmethod
    @quiet
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        # da = g / b needs b; db = -g a / b^2 needs both: a is saved only if b needs a gradient
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        ctx.shapes = (a.shape, b.shape)
        y = a / b
        if y.dtype == np.float64 and a.dtype.kind in "iub" and b.dtype.kind in "iub":
            y = y.astype(np.float32)  # int / int gives the default float dtype, as in torch
        return y

    @staticmethod
    @quiet
    def backward(ctx: Context, g: Any) -> tuple:
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        return (unbroadcast(g / b, sa) if need_a else None,
                unbroadcast(-g * a / (b * b), sb) if need_b else None)


class PowTensor(ArrayFunction):
    """y = a ** b, both tensors"""

    torch_name = "PowBackward1"

    @staticmethod
    @quiet
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        y = a ** b
        ctx.save_for_backward(a, b, y if ctx.needs_input_grad[1] else None)  # only db reads y
        ctx.shapes = (a.shape, b.shape)
        return y

    @staticmethod
    @quiet
    def backward(ctx: Context, g: Any) -> tuple:
        a, b, y = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        # torch's formula: 0 where b == 0 (so a ** 0 has derivative 0 even at a = 0)
        ga = unbroadcast(run(Where, value(b) == 0, 0, g * b * a ** (b - 1)), ctx.shapes[0]) if need_a else None
        gb = None
        if need_b:  # torch's formula: g y log(a), but 0 where a == 0 and b >= 0 (nan for a < 0, as in torch)
            zero = (value(a) == 0) & (value(b) >= 0)
            gb = unbroadcast(run(Where, zero, 0, g * (y * log(run(Where, zero, 1, a)))), ctx.shapes[1])
        return ga, gb


class RPow(PowTensor):
    """y = a ** b where a is a number and b the tensor (``2 ** x``)"""

    torch_name = "PowBackward2"


class Where(ArrayFunction):
    """y = x where condition holds, else y (condition: a bool array, no gradient)"""

    torch_name = "WhereBackward0"

    @staticmethod
    def forward(ctx: Context, condition: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        ctx.args = (condition, np.shape(x), np.shape(y))
        return np.where(condition, x, y)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        condition, sx, sy = ctx.args
        _, need_x, need_y = ctx.needs_input_grad
        return (None,
                unbroadcast(run(Where, condition, g, 0), sx) if need_x else None,
                unbroadcast(run(Where, condition, 0, g), sy) if need_y else None)


class Maximum(ArrayFunction):
    """y = max(a, b) elementwise; the gradient goes to the larger one (half each on a tie)"""

    pick = staticmethod(np.maximum)

    @classmethod
    def forward(cls, ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return cls.pick(a, b)

    @classmethod
    def backward(cls, ctx: Context, g: Any) -> tuple:
        a, b = (value(v) for v in ctx.saved_tensors)
        need_a, need_b = ctx.needs_input_grad
        dtype = value(g).dtype
        a_won = (cls.pick(a, b) == a).astype(dtype) - (a == b).astype(dtype) / 2
        b_won = (cls.pick(a, b) == b).astype(dtype) - (a == b).astype(dtype) / 2
        return (unbroadcast(masked(g, a_won), a.shape) if need_a else None,
                unbroadcast(masked(g, b_won), b.shape) if need_b else None)


class Minimum(Maximum):
    """y = min(a, b) elementwise; the gradient goes to the smaller one (half each on a tie)"""

    pick = staticmethod(np.minimum)


# ----- Unary ops ------------------------------------------------------------------------


class Neg(ArrayFunction):
    """y = -x"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return -x

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return -g


class Reciprocal(ArrayFunction):
    """y = 1 / x  (``2 / x`` is computed as torch does: reciprocal, then multiply)"""

    @staticmethod
    @quiet
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = 1 / x
        if y.dtype == np.float64 and x.dtype.kind in "iub":
            y = y.astype(np.float32)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    @quiet
    def backward(ctx: Context, g: Any) -> Any:
        (y,) = ctx.saved_tensors
        return -g * (y * y)


class Pow(ArrayFunction):
    """y = x ** p for a number p"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, p: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.p = p
        if _whole(p):  # x ** 2 makes inf only where x * x does (overflow): no errstate, which costs 1 us
            return x ** p
        with np.errstate(all="ignore"):  # 0 ** -1 is inf, (-1) ** 0.5 nan: silently, as in torch
            return x ** p

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        (x,) = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return np.zeros_like(value(x)), None
        if p == 2 and type(x) is np.ndarray:  # the squared error: 2 * x ** 1 is x + x, bit for bit, at a third of the cost
            return g * (x + x), None
        if _whole(p):  # x ** (p - 1) with p - 1 >= 0: as forward
            return g * (p * x ** (p - 1)), None  # torch's order: grad * (p * x^(p-1))
        with np.errstate(all="ignore"):  # x ** -0.5 at 0 is inf: silently, as in torch
            return g * (p * x ** (p - 1)), None


def _whole(p: Any) -> bool:
    """p is 0, 1, 2, ... (a Python number): x ** p of finite numbers is then never nan or inf by
    division, so Pow needs no errstate (x ** 2 in every squared error)."""
    kind = type(p)
    return (kind is int or kind is float) and p >= 0 and (kind is int or p.is_integer())


class Exp(ArrayFunction):
    """y = exp(x)"""

    @staticmethod
    @quiet
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = exp(x)
        ctx.save_for_backward(y)  # save the output: exp' = exp
        return y

    @staticmethod
    @quiet
    def backward(ctx: Context, g: Any) -> Any:
        (y,) = ctx.saved_tensors
        return g * y


class Log(ArrayFunction):
    """y = ln(x)"""

    @staticmethod
    @quiet
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return log(x)

    @staticmethod
    @quiet
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / x


class Log1p(ArrayFunction):
    """y = ln(1 + x), exact for small x (where 1 + x would round x away)"""

    torch_name = "Log1PBackward0"

    @staticmethod
    @quiet
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return rounded_once(np.log1p, x)

    @staticmethod
    @quiet
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / (x + 1)


class Expm1(ArrayFunction):
    """y = exp(x) - 1, exact for small x; dy/dx = exp(x) = y + 1"""

    @staticmethod
    @quiet
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = rounded_once(np.expm1, x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    @quiet
    def backward(ctx: Context, g: Any) -> Any:
        (y,) = ctx.saved_tensors
        return g * (y + 1)


_erf = np.frompyfunc(math.erf, 1, 1)  # (numpy has no erf; scipy's would make importing bpcourse slow)


class Erf(ArrayFunction):
    """y = erf(x) = 2/sqrt(pi) * integral of exp(-t^2) from 0 to x; dy/dx = 2/sqrt(pi) exp(-x^2)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.asarray(_erf(x.astype(np.float64)), dtype=np.float64).astype(x.dtype)  # the C library's erf

    @staticmethod
    @quiet
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * (exp(-(x * x)) * (2 / np.sqrt(np.pi)))


class Sqrt(ArrayFunction):
    """y = sqrt(x)"""

    @staticmethod
    @quiet
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    @quiet
    def backward(ctx: Context, g: Any) -> Any:
        (y,) = ctx.saved_tensors
        return g / (2 * y)


class Abs(ArrayFunction):
    """y = |x|"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * np.sign(value(x))


class Sin(ArrayFunction):
    """y = sin(x)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return sin(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * cos(x)


class Cos(ArrayFunction):
    """y = cos(x)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return cos(x)

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return -g * sin(x)


class Sigmoid(ArrayFunction):
    """y = 1 / (1 + exp(-x))"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = 1 / (1 + exp(-x))
        ctx.save_for_backward(y)  # save y, not x: sigmoid' = (1 - y) y needs only the output
        return y

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        (y,) = ctx.saved_tensors
        return g * (1 - y) * y


class Tanh(ArrayFunction):
    """y = tanh(x)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = tanh(x)
        ctx.save_for_backward(y)  # save y, not x: tanh' = 1 - y^2 needs only the output
        return y

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
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
    def backward(ctx: Context, g: Any) -> Any:
        (y,) = ctx.saved_tensors
        return masked(g, value(y) > 0)


class LeakyRelu(ArrayFunction):
    """y = x for x > 0, s * x otherwise"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, s: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.s = s
        return np.where(x > 0, x, x * np.asarray(s, dtype=x.dtype))

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        (x,) = ctx.saved_tensors
        slope = np.where(value(x) > 0, 1, np.asarray(ctx.s, dtype=value(x).dtype)).astype(value(x).dtype)
        return g * slope, None


class LeakyReluInPlace(LeakyRelu):
    """leaky_relu(x, s, inplace=True): x is overwritten, so y is saved (y > 0 exactly where x > 0)"""

    torch_name = "LeakyReluBackward1"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, s: float) -> np.ndarray:
        y = np.where(x > 0, x, x * np.asarray(s, dtype=x.dtype))
        ctx.save_for_backward(y)
        ctx.s = s
        return y

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        if ctx.s < 0:  # then y > 0 where x < 0 too: y cannot tell the two sides apart
            raise RuntimeError("In-place leakyReLu backward calculation is triggered with a negative slope which is "
                               "not supported. This is caused by calling in-place forward function with a negative "
                               "slope, please call out-of-place version instead.")
        return LeakyRelu.backward(ctx, g)


class Sign(ArrayFunction):
    """y = sign(x): piecewise constant, so dx = 0"""

    step = staticmethod(np.sign)

    @classmethod
    def forward(cls, ctx: Context, x: np.ndarray, *args: Any) -> np.ndarray:
        ctx.shape = x.shape
        return np.asarray(cls.step(x, *args))

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        return np.zeros(ctx.shape, dtype=value(g).dtype), None


class Floor(Sign):
    """y = floor(x): dx = 0"""

    step = staticmethod(np.floor)


class Ceil(Sign):
    """y = ceil(x): dx = 0"""

    step = staticmethod(np.ceil)


class Round(Sign):
    """y = round(x, decimals): dx = 0"""

    step = staticmethod(np.round)


class Clamp(ArrayFunction):
    """y = min(max(x, lo), hi); the gradient passes where x was not clipped"""

    torch_name = "ClampBackward1"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, lo: float | None, hi: float | None) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.bounds = (lo, hi)
        return np.clip(x, lo, hi).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        (x,) = ctx.saved_tensors
        x = value(x)
        lo, hi = ctx.bounds
        keep = np.ones(x.shape, dtype=bool)
        if lo is not None:
            keep &= x >= lo
        if hi is not None:
            keep &= x <= hi
        return masked(g, keep), None, None


# ----- Copies -----------------------------------------------------------------------------


class Cast(ArrayFunction):
    """y = x as another dtype; the gradient goes back in x's dtype"""

    torch_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, dtype: np.dtype) -> np.ndarray:
        ctx.dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        return cast(g, ctx.dtype), None


class Clone(ArrayFunction):
    """y = a copy of x"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return x.copy()

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        return g


class Copy(Clone):
    """y = a copy of x: how a leaf's .grad keeps the graph under create_graph=True"""

    torch_name = "CopyBackwards"
