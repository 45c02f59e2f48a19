"""The functions that mirror Tensor methods: ``torch.exp(x)`` is ``x.exp()``, ``torch.cat``
joins tensors. (torch keeps some of these in ``torch.functional`` too.)"""
from __future__ import annotations

import builtins
import functools
import warnings
from typing import Any

import numpy as np

from bpcourse import dtypes
from bpcourse.devices import device  # noqa: F401 - torch.device
from bpcourse.dtypes import dtype, float32
from bpcourse.function import node_class
from bpcourse.grad_mode import is_grad_enabled, no_grad
from bpcourse.ops.shape import Cat, Stack
from bpcourse.tensor import Tensor, _wrap, apply, where  # noqa: F401 - torch.where is this module's too


def get_default_dtype() -> dtype:
    return float32


class cuda:  # noqa: N801 - torch's name
    """bpcourse runs on the CPU only: ``torch.cuda.is_available()`` in a lecture gives False."""

    @staticmethod
    def is_available() -> bool:
        return False


# ----- functions that mirror Tensor methods (torch.exp(x) is x.exp()) ----------------------
def exp(x: Tensor) -> Tensor:
    return x.exp()


def log(x: Tensor) -> Tensor:
    return x.log()


def sqrt(x: Tensor) -> Tensor:
    return x.sqrt()


def abs(x: Tensor) -> Tensor:  # noqa: A001
    return x.abs()


def sin(x: Tensor) -> Tensor:
    return x.sin()


def cos(x: Tensor) -> Tensor:
    return x.cos()


def sigmoid(x: Tensor) -> Tensor:
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    return x.tanh()


def relu(x: Tensor) -> Tensor:
    return x.relu()


def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    return x.clamp(min, max)


def sum(x: Tensor, dim: Any = None, keepdim: bool = False, **numpy_names: Any) -> Tensor:  # noqa: A001
    return x.sum(dim, keepdim, **numpy_names)


def mean(x: Tensor, dim: Any = None, keepdim: bool = False, **numpy_names: Any) -> Tensor:
    return x.mean(dim, keepdim, **numpy_names)


def cumsum(x: Tensor, dim: int, **numpy_names: Any) -> Tensor:
    return x.cumsum(dim, **numpy_names)


def max(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """``torch.max(x)``, ``torch.max(x, dim)`` -> (values, indices), ``torch.max(a, b)`` elementwise."""
    if isinstance(dim, Tensor):
        return maximum(x, dim)
    return x.max(dim, keepdim)


def min(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    if isinstance(dim, Tensor):
        return minimum(x, dim)
    return x.min(dim, keepdim)


def maximum(a: Tensor, b: Tensor) -> Tensor:
    """The larger of a and b, elementwise (the gradient goes to the one that was picked)."""
    return a.maximum(b)


def minimum(a: Tensor, b: Tensor) -> Tensor:
    return a.minimum(b)


def argmax(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return x.argmax(dim, keepdim)


def argmin(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return x.argmin(dim, keepdim)


def norm(x: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
    return x.norm(p, dim, keepdim)


def matmul(a: Tensor, b: Tensor) -> Tensor:
    return a @ b


def mm(a: Tensor, b: Tensor) -> Tensor:
    return a.mm(b)


def mv(a: Tensor, v: Tensor) -> Tensor:
    return a.mv(v)


def dot(a: Tensor, b: Tensor) -> Tensor:
    return a.dot(b)


def t(x: Tensor) -> Tensor:
    return x.t()


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    return x.squeeze(dim)


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    return x.unsqueeze(dim)


def numel(x: Tensor) -> int:
    return x.numel()


def add(a: Any, b: Any, *, alpha: Any = 1) -> Tensor:
    return a + b if alpha == 1 else _as_tensor(a).add(b, alpha=alpha)


def sub(a: Any, b: Any, *, alpha: Any = 1) -> Tensor:
    return a - b if alpha == 1 else _as_tensor(a).sub(b, alpha=alpha)


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else _wrap(np.asarray(x, dtype=np.float32 if isinstance(x, float) else None))


def mul(a: Any, b: Any) -> Tensor:
    return a * b


def div(a: Any, b: Any, *, rounding_mode: str | None = None) -> Tensor:
    return a / b if rounding_mode is None else _as_tensor(a).div(b, rounding_mode=rounding_mode)


def pow(x: Any, exponent: Any) -> Tensor:  # noqa: A001
    return x ** exponent


def eq(a: Tensor, b: Any) -> Tensor:
    return a == b


def ne(a: Tensor, b: Any) -> Tensor:
    return a != b


def gt(a: Tensor, b: Any) -> Tensor:
    return a > b


def lt(a: Tensor, b: Any) -> Tensor:
    return a < b


def ge(a: Tensor, b: Any) -> Tensor:
    return a >= b


def le(a: Tensor, b: Any) -> Tensor:
    return a <= b


def all(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    return x.all(dim, keepdim)


def any(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    return x.any(dim, keepdim)


def neg(x: Tensor) -> Tensor:
    return -x


def square(x: Tensor) -> Tensor:
    return x.square()


def log1p(x: Tensor) -> Tensor:
    return x.log1p()


def sign(x: Tensor) -> Tensor:
    return x.sign()


def floor(x: Tensor) -> Tensor:
    return x.floor()


def ceil(x: Tensor) -> Tensor:
    return x.ceil()


def round(x: Tensor, decimals: int = 0) -> Tensor:  # noqa: A001
    return x.round(decimals)


def isnan(x: Tensor) -> Tensor:
    return x.isnan()


def isinf(x: Tensor) -> Tensor:
    return x.isinf()


def isfinite(x: Tensor) -> Tensor:
    return x.isfinite()


clip = clamp


def var(x: Tensor, dim: Any = None, unbiased: bool = True, keepdim: bool = False) -> Tensor:
    return x.var(dim, unbiased, keepdim)


def std(x: Tensor, dim: Any = None, unbiased: bool = True, keepdim: bool = False) -> Tensor:
    return x.std(dim, unbiased, keepdim)


def permute(x: Tensor, dims: Any) -> Tensor:
    return x.permute(dims)












inference_mode = no_grad


def set_default_dtype(d: dtype) -> None:
    if d is not float32:
        raise NotImplementedError(f"set_default_dtype({d}): bpcourse's default dtype is torch.float32 only; "
                                  f"pass dtype= to the tensors that need {d}")






def reshape(x: Tensor, shape: Any) -> Tensor:
    return x.reshape(shape)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    return x.transpose(dim0, dim1)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return x.flatten(start_dim, end_dim)


def softmax(x: Tensor, dim: int) -> Tensor:
    return x.softmax(dim)


def log_softmax(x: Tensor, dim: int) -> Tensor:
    return x.log_softmax(dim)


def cat(tensors: Any, dim: int = 0) -> Tensor:
    """The tensors joined along dim (torch.concat and torch.concatenate are the same)."""
    return apply(Cat, dim, *tensors)


concat = concatenate = cat


def stack(tensors: Any, dim: int = 0) -> Tensor:
    return apply(Stack, dim, *tensors)


def flip(x: Tensor, dims: Any) -> Tensor:
    return x.flip(dims)




def gather(x: Tensor, dim: int, index: Tensor) -> Tensor:
    return x.gather(dim, index)


def index_select(x: Tensor, dim: int, index: Tensor) -> Tensor:
    return x.index_select(dim, index)


def masked_fill(x: Tensor, mask: Tensor, value: Any) -> Tensor:
    return x.masked_fill(mask, value)


def sort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    return x.sort(dim, descending)


def argsort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    return x.argsort(dim, descending)


def topk(x: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
    return x.topk(k, dim, largest)


def split(x: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    return x.split(split_size_or_sections, dim)


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple:
    return x.chunk(chunks, dim)


def tril(x: Tensor, diagonal: int = 0) -> Tensor:
    return x.tril(diagonal)


def triu(x: Tensor, diagonal: int = 0) -> Tensor:
    return x.triu(diagonal)


def amax(x: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    return x.amax(dim, keepdim)


def amin(x: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    return x.amin(dim, keepdim)


def logsumexp(x: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    return x.logsumexp(dim, keepdim)


def expm1(x: Tensor) -> Tensor:
    return x.expm1()


def erf(x: Tensor) -> Tensor:
    return x.erf()


def outer(a: Tensor, b: Tensor) -> Tensor:
    """a[i] * b[j], as torch computes it (a product, MulBackward0)."""
    return a.unsqueeze(1) * b


def bmm(a: Tensor, b: Tensor) -> Tensor:
    if a.dim() != 3 or b.dim() != 3:
        raise RuntimeError(f"bmm: batch1 and batch2 must be 3D tensors, got a.shape={tuple(a.shape)}, "
                           f"b.shape={tuple(b.shape)} (use torch.matmul for other shapes)")
    return a @ b


def addmm(x: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * x + alpha * (mat1 @ mat2)"""
    product = mat1 @ mat2 if alpha == 1 else (mat1 @ mat2) * alpha
    out = (x if beta == 1 else x * beta) + product
    if out.grad_fn is not None:
        out.grad_fn.__class__ = node_class("AddmmBackward0")  # torch's one node for it
    return out


def logical_and(a: Tensor, b: Any) -> Tensor:
    return a.logical_and(b)


def logical_or(a: Tensor, b: Any) -> Tensor:
    return a.logical_or(b)


def logical_xor(a: Tensor, b: Any) -> Tensor:
    return a.logical_xor(b)


def logical_not(a: Tensor) -> Tensor:
    return a.logical_not()


def isclose(a: Tensor, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    other = b.array if isinstance(b, Tensor) else b
    return _wrap(np.isclose(a.array, other, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(a: Tensor, b: Tensor, rtol: float = 1e-05, atol: float = 1e-08) -> bool:
    return a.allclose(b, rtol, atol)


def equal(a: Tensor, b: Tensor) -> bool:
    return a.array.shape == b.array.shape and (a.array == b.array).all().item()


# ----- torch's out= keyword ---------------------------------------------------------------------
def _takes_out(f: Any) -> Any:
    """``torch.mul(a, b, out=c)``: the result written into the existing tensor c (resized if its
    shape differs, as torch does, with torch's warning when c had numbers). As in torch, out= is
    refused when the result would need a gradient: it is computed outside the graph."""
    @functools.wraps(f)
    def with_out(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            return f(*args, **kwargs)
        inputs = [a for a in args if isinstance(a, Tensor)] + [t for a in args if isinstance(a, (list, tuple))
                                                               for t in a if isinstance(t, Tensor)]
        if is_grad_enabled() and (builtins.any(t.requires_grad for t in inputs) or out.requires_grad):
            raise RuntimeError(f"{f.__name__}(): functions with out=... arguments don't support automatic "
                               "differentiation, but one of the arguments requires grad.")
        if not isinstance(out, Tensor):
            raise TypeError(f"{f.__name__}(): argument 'out' must be Tensor, not {type(out).__name__}")
        with no_grad():
            result = f(*args, **kwargs)
        _write_into(out, result.array, f.__name__)
        return out
    return with_out


def _write_into(out: Tensor, result: np.ndarray, name: str) -> None:
    if not np.can_cast(result.dtype, out.array.dtype, casting="same_kind"):
        kind = {dt: str(dtypes.LEGACY_NAMES.get(dt, dt)).replace("Tensor", "") for dt in (result.dtype, out.array.dtype)}
        raise RuntimeError(f"result type {kind[result.dtype]} can't be cast to the desired output type "
                           f"{kind[out.array.dtype]} ({name}(): make out= a tensor of the result's dtype)")
    if out.array.shape == result.shape:
        with no_grad():
            out.copy_(_wrap(result))  # (cast to out's dtype as it is written)
        return
    if out.array.size:
        warnings.warn(f"An output with one or more elements was resized since it had shape {list(out.array.shape)}, "
                      f"which does not match the required output shape {list(result.shape)}. This behavior is "
                      "deprecated, and in a future PyTorch release outputs will not be resized unless they have zero "
                      "elements. You can explicitly reuse an out tensor t by resizing it, inplace, to zero elements "
                      "with t.resize_(0).", UserWarning, stacklevel=3)
    out.data = _wrap(result.astype(out.array.dtype))


# (each of these, and only these, takes out= in torch's signature too; decorated here, after their definitions)
OUT_TAKERS = [
    'expm1', 'erf', 'gather', 'index_select', 'amax', 'amin', 'logsumexp', 'outer',
    'bmm', 'addmm', 'exp', 'log', 'sqrt', 'abs', 'sin', 'cos', 'sigmoid', 'tanh', 'clamp', 'sum',
    'mean', 'cumsum', 'maximum', 'minimum', 'matmul', 'mm', 'mv', 'dot', 'add', 'sub', 'mul', 'div',
    'pow', 'eq', 'ne', 'gt', 'lt', 'ge', 'le', 'neg', 'square', 'log1p', 'sign', 'floor', 'ceil',
    'round', 'cat', 'stack',
]
for _name in OUT_TAKERS:
    globals()[_name] = _takes_out(globals()[_name])
concat = concatenate = cat
