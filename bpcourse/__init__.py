"""bpcourse: back-propagation the whole way down.

``import bpcourse as torch`` gives a numpy autograd with PyTorch's names (``Tensor``,
``tensor``, ``no_grad``, ``nn``, ``optim``); ``bpcourse.scalar`` is the micrograd-style
scalar engine. The engines know nothing of drawing, widgets or grading.

Where things are: ``tensor.py`` (Tensor), ``function.py`` (Function, Context),
``autograd.py`` (the backward pass), ``ops/`` (every op's forward and backward),
``nn/``, ``optim/``, ``utils/data.py``, ``gradcheck.py``, ``compare.py``.
"""
from __future__ import annotations

__version__ = "0.1.0"

from typing import Any

from bpcourse.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from bpcourse.tensor import (  # noqa: A004 - torch's names, on purpose
    BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor, IntTensor, LongTensor,
    ShortTensor, Size, Tensor, arange, as_tensor, bool, double, dtype, empty, float, float16, float32, float64,
    from_numpy, full, half, int, int8, int16, int32, int64, is_tensor, linspace, long, manual_seed,
    ones, ones_like, rand, randint, randn, randperm, short, tensor, uint8, zeros, zeros_like,
)
from bpcourse.function import Function  # noqa: E402
from bpcourse.ops.shape import Cat, Stack  # noqa: E402
from bpcourse.ops.softmax import LogSoftmax, Softmax  # noqa: E402
from bpcourse import autograd  # noqa: E402
from bpcourse.tensor_graph import topological_order  # noqa: E402


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
    return where(a >= b, a, b)


def minimum(a: Tensor, b: Tensor) -> Tensor:
    return where(a <= b, a, b)


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


clip = clamp


def var(x: Tensor, dim: Any = None, unbiased: bool = True, keepdim: bool = False) -> Tensor:
    return x.var(dim, unbiased, keepdim)


def std(x: Tensor, dim: Any = None, unbiased: bool = True, keepdim: bool = False) -> Tensor:
    return x.std(dim, unbiased, keepdim)


def permute(x: Tensor, dims: Any) -> Tensor:
    return x.permute(dims)


def eye(n: int, m: Any = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    import numpy as _np

    return tensor(_np.eye(n, m), dtype=dtype or float32, requires_grad=requires_grad)


def full_like(x: Tensor, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return full(x.shape, fill_value, dtype=dtype or x.dtype, requires_grad=requires_grad)


def empty_like(x: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros_like(x, dtype=dtype, requires_grad=requires_grad)


def rand_like(x: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return rand(*x.shape, dtype=dtype or x.dtype, requires_grad=requires_grad)


def randn_like(x: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(*x.shape, dtype=dtype or x.dtype, requires_grad=requires_grad)


inference_mode = no_grad


def set_default_dtype(d: dtype) -> None:
    if d is not float32:
        raise NotImplementedError(f"set_default_dtype({d}): bpcourse's default dtype is torch.float32 only; "
                                  f"pass dtype= to the tensors that need {d}")


def set_printoptions(*args: Any, **kwargs: Any) -> None:
    raise NotImplementedError("set_printoptions: bpcourse prints with torch's default options only "
                              "(precision=4); format numbers yourself, e.g. f'{x.item():.6f}'")


def normal(mean: Any, std: Any = 1.0, size: Any = None, requires_grad: bool = False) -> Tensor:
    """``torch.normal(0, 1, (3, 4))`` or ``torch.normal(mean_tensor, std_tensor)``: random
    numbers from bpcourse's generator (not torch's: set ``manual_seed`` for repeatable runs)."""
    import numpy as _np

    from bpcourse.tensor import _rng

    m = mean.array if isinstance(mean, Tensor) else mean
    sd = std.array if isinstance(std, Tensor) else std
    shape = tuple(size) if size is not None else _np.broadcast(_np.asarray(m), _np.asarray(sd)).shape
    if size is None and not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        raise TypeError("normal(): give size= when mean and std are numbers, e.g. torch.normal(0, 1, (3, 4))")
    return tensor(_rng().normal(m, sd, shape), dtype=float32, requires_grad=requires_grad)


def reshape(x: Tensor, shape: Any) -> Tensor:
    return x.reshape(shape)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    return x.transpose(dim0, dim1)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return x.flatten(start_dim, end_dim)


def softmax(x: Tensor, dim: int) -> Tensor:
    return Softmax.apply(x, dim)


def log_softmax(x: Tensor, dim: int) -> Tensor:
    return LogSoftmax.apply(x, dim)


def cat(tensors: Any, dim: int = 0) -> Tensor:
    return Cat.apply(dim, *tensors)


def stack(tensors: Any, dim: int = 0) -> Tensor:
    return Stack.apply(dim, *tensors)


def where(condition: Tensor, x: Any, y: Any) -> Tensor:
    """x where condition holds, else y (built from differentiable ops: c*x + (1-c)*y)."""
    c = condition.array.astype(x.array.dtype if isinstance(x, Tensor) else float32.numpy)
    return x * from_numpy(c) + y * from_numpy(1 - c)


def allclose(a: Tensor, b: Tensor, rtol: float = 1e-05, atol: float = 1e-08) -> bool:
    import numpy as _np

    return _np.allclose(a.array, b.array, rtol=rtol, atol=atol)


def equal(a: Tensor, b: Tensor) -> bool:
    return a.array.shape == b.array.shape and (a.array == b.array).all().item()


from bpcourse import nn, optim, utils  # noqa: E402


def save(obj: Any, f: Any) -> None:
    """``torch.save(model.state_dict(), "model.pth")``: Python's pickle of ``obj`` (bpcourse's own
    format: ``bpcourse.load`` reads it back; torch cannot, and bpcourse cannot read torch's files)."""
    import pickle

    if hasattr(f, "write"):
        pickle.dump(obj, f)
    else:
        with open(f, "wb") as fh:
            pickle.dump(obj, fh)


def load(f: Any, map_location: Any = None, weights_only: Any = None, **_: Any) -> Any:
    """Read back what ``bpcourse.save`` wrote (``map_location`` / ``weights_only`` are accepted and ignored)."""
    import pickle

    if hasattr(f, "read"):
        return pickle.load(f)
    with open(f, "rb") as fh:
        head = fh.read(2)
        if head[:2] == b"PK":
            raise RuntimeError(f"load: {f!r} was written by torch.save (a zip archive); bpcourse.load reads only "
                               f"files written by bpcourse.save")
        fh.seek(0)
        return pickle.load(fh)


def __getattr__(name: str) -> Any:
    """A torch name bpcourse does not have: say so, instead of a bare AttributeError."""
    if name.startswith("__"):
        raise AttributeError(name)
    hint = "write it from the ops bpcourse has, or run this part with real torch"
    raise AttributeError(f"bpcourse does not implement torch.{name}: {hint} "
                         f"(dir(bpcourse) lists what it has)")
from bpcourse.gradcheck import gradcheck  # noqa: E402
from bpcourse.compare import compare_with_torch  # noqa: E402
from bpcourse.i18n import set_language  # noqa: E402  (not a torch name: the course's language switch)
