"""The functions that mirror Tensor methods: ``torch.exp(x)`` is ``x.exp()``, ``torch.cat``
joins tensors. (torch keeps some of these in ``torch.functional`` too.)"""
from __future__ import annotations

from typing import Any

from bpcourse.dtypes import dtype, float32
from bpcourse.grad_mode import no_grad
from bpcourse.ops.shape import Cat, Stack
from bpcourse.tensor import Tensor, apply, where  # noqa: F401 - torch.where is this module's too


def get_default_dtype() -> dtype:
    return float32


class cuda:  # noqa: N801 - torch's name
    """bpcourse runs on the CPU only: ``torch.cuda.is_available()`` in a lecture gives False."""

    @staticmethod
    def is_available() -> bool:
        return False


def device(name: str = "cpu") -> str:
    """``torch.device("cpu")``; any other device is refused with an explanation."""
    if str(name) != "cpu":
        raise RuntimeError(f"bpcourse tensors live on the CPU only (asked for {name!r})")
    return "cpu"


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


def add(a: Any, b: Any) -> Tensor:
    return a + b


def sub(a: Any, b: Any) -> Tensor:
    return a - b


def mul(a: Any, b: Any) -> Tensor:
    return a * b


def div(a: Any, b: Any) -> Tensor:
    return a / b


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




def allclose(a: Tensor, b: Tensor, rtol: float = 1e-05, atol: float = 1e-08) -> bool:
    return a.allclose(b, rtol, atol)


def equal(a: Tensor, b: Tensor) -> bool:
    return a.array.shape == b.array.shape and (a.array == b.array).all().item()
