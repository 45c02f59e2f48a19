"""Tensor: a numpy array that remembers how it was computed.

A ``Tensor`` holds its numbers in ``.array`` (a numpy array; torch's ``.data`` is another
Tensor sharing that array, as in torch), and, if it was computed from tensors that require
gradients, ``grad_fn``: the Context of the op that made it, through which ``backward()``
reaches its inputs. Every maths method below is one line calling an op from ``bpcourse/ops``,
where the forward formula and its derivative sit side by side.

    >>> w = tensor([1.0], requires_grad=True)
    >>> l = (2.0 * w - 4.0) ** 2
    >>> l.backward(); w.grad
    tensor([-8.])

Semantics follow torch: float32 by default, ``requires_grad`` propagates, ``.grad``
accumulates on leaves until zeroed, backward frees saved values.
"""
from __future__ import annotations

import math
from typing import Any, Iterator, Sequence

import numpy as np

from bpcourse.grad_mode import _grad_mode

LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."


# ----------------------------------------------------------------------------- dtypes
class dtype:
    """A tensor element type. Prints as torch does (``torch.float32``), so that a program prints
    the same text under ``import torch`` and ``import bpcourse as torch``."""

    __slots__ = ("name", "numpy", "is_floating_point")

    def __init__(self, name: str, numpy_dtype: Any) -> None:
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.is_floating_point = self.numpy.kind == "f"

    def __repr__(self) -> str:
        return f"torch.{self.name}"


float16 = half = dtype("float16", np.float16)
float32 = float = dtype("float32", np.float32)
float64 = double = dtype("float64", np.float64)
int8 = dtype("int8", np.int8)
uint8 = dtype("uint8", np.uint8)
int16 = short = dtype("int16", np.int16)
int32 = int = dtype("int32", np.int32)
int64 = long = dtype("int64", np.int64)
bool = dtype("bool", np.bool_)  # noqa: A001 - torch's name
_DTYPES = {d.numpy: d for d in (float16, float32, float64, int8, uint8, int16, int32, int64, bool)}
_F32 = np.dtype(np.float32)

import builtins  # noqa: E402  (the names above shadow float/int/bool inside this module)

_pyfloat, _pyint, _pybool = builtins.float, builtins.int, builtins.bool


def _np_dtype(d: Any) -> np.dtype:
    """bpcourse dtype, numpy dtype or python type -> numpy dtype."""
    if isinstance(d, dtype):
        return d.numpy
    if d is _pyfloat:
        return _F32
    if d is _pyint:
        return np.dtype(np.int64)
    if d is _pybool:
        return np.dtype(np.bool_)
    return np.dtype(d)


def _as_array(data: Any, dt: Any = None) -> np.ndarray:
    """Python data / numpy array -> a fresh numpy array with torch's default dtypes."""
    if isinstance(data, Tensor):
        data = data.array
    if dt is not None:
        return np.array(data, dtype=_np_dtype(dt))
    if isinstance(data, np.ndarray):
        return data.copy()
    if isinstance(data, np.generic):  # a numpy number keeps its dtype: tensor(np.float64(1.5))
        return np.array(data)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat(data)):
        data = [x.array if isinstance(x, Tensor) else x for x in data]
    a = np.array(data)
    if a.dtype.kind == "f":
        a = a.astype(np.float32)  # torch's default dtype
    elif a.dtype.kind in "iu":
        a = a.astype(np.int64)
    if isinstance(data, (list, tuple)) and a.dtype.kind in "fiu":
        # numpy numbers in the list count with their own dtype, Python numbers with the
        # default one: tensor([np.float64(1), 2.0]) is float64, tensor([np.float32(1), 2.0]) float32
        kinds = {type(x) if not isinstance(x, np.generic) else x.dtype for x in _flat(data)}
        if any(isinstance(k, np.dtype) for k in kinds):
            defaults = {_pyfloat: _F32, _pyint: np.dtype(np.int64)}
            dts = [k if isinstance(k, np.dtype) else defaults.get(k, a.dtype) for k in kinds]
            dt = dts[0]
            for d in dts[1:]:
                dt = _promote(dt, d)
            a = a.astype(dt)
    return a


def _flat(data: Any) -> Iterator:
    for x in data:
        if isinstance(x, (list, tuple)):
            yield from _flat(x)
        else:
            yield x


def _wrap(array: np.ndarray) -> "Tensor":
    """Make a Tensor around an existing array (no copy, no history): the engine's constructor."""
    t = object.__new__(Tensor)
    t.array = array
    t._requires_grad = False
    t.grad = None
    t.grad_fn = None
    t.label = ""
    t._retains_grad = False
    t._version = 0
    return t


# ----------------------------------------------------------------------------- Tensor
class _TorchNamedType(type):
    """``print(type(x))`` shows torch's class name (``<class 'torch.Tensor'>``), so that a program
    prints the same under both imports; ``torch_name`` says which name a class shows."""

    def __repr__(cls) -> str:
        return f"<class '{cls.__dict__.get('torch_name', cls.__module__ + '.' + cls.__qualname__)}'>"


class Tensor(metaclass=_TorchNamedType):
    """An n-dimensional array with autograd, with torch's names.

    ``Tensor([1.0])`` (like ``torch.Tensor``) always makes float32; prefer ``tensor(data)``,
    which keeps integers as int64 and accepts ``dtype=`` and ``requires_grad=``.
    """

    # _version counts in-place changes, so that backward can refuse values changed after saving
    __slots__ = ("array", "_requires_grad", "grad", "grad_fn", "label", "_retains_grad", "_version", "__weakref__")
    torch_name = "torch.Tensor"

    def __init__(self, *data: Any) -> None:
        if len(data) == 1 and not isinstance(data[0], _pyint):
            array = np.array(data[0].array if isinstance(data[0], Tensor) else data[0], dtype=np.float32)
        else:  # Tensor(2, 3): a (zero-filled) tensor of that shape, as torch.Tensor(2, 3)
            array = np.zeros(tuple(data) if data else (0,), dtype=np.float32)
        self.array = array
        self._requires_grad = False
        self.grad = None
        self.grad_fn = None
        self.label = ""
        self._retains_grad = False
        self._version = 0

    # --- autograd attributes ------------------------------------------------------------
    @property
    def requires_grad(self) -> _pybool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: _pybool) -> None:
        if self.grad_fn is not None and not value:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if value and self.array.dtype.kind != "f":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients "
                f"(this one is {self.dtype})"
            )
        self._requires_grad = _pybool(value)

    def requires_grad_(self, requires_grad: _pybool = True) -> "Tensor":
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> _pybool:
        return self.grad_fn is None

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor too after backward (leaves always keep it)."""
        if self.grad_fn is not None:
            self._retains_grad = True

    def backward(self, gradient: Any = None, retain_graph: _pybool | None = None,
                 create_graph: _pybool = False) -> None:
        """Fill ``.grad`` of every leaf this tensor depends on (see bpcourse/autograd.py)."""
        from bpcourse.autograd import backward

        backward(self, gradient, retain_graph=retain_graph)

    # --- graph protocol (bpcourse.viz draws any node with .op / .parents / .label) -------
    @property
    def op(self) -> str:
        return self.grad_fn.fn.__name__ if self.grad_fn is not None else ""

    @property
    def parents(self) -> tuple:
        return self.grad_fn.parents if self.grad_fn is not None else ()

    # --- .data, detach, copies ------------------------------------------------------------
    @property
    def data(self) -> "Tensor":
        """The same numbers without history: a Tensor sharing this tensor's array."""
        return _wrap(self.array)

    @data.setter
    def data(self, value: Any) -> None:
        self.array = value.array if isinstance(value, Tensor) else np.asarray(value)

    def detach(self) -> "Tensor":
        return _wrap(self.array)

    def detach_(self) -> "Tensor":
        self.grad_fn = None
        self._requires_grad = False
        return self

    def clone(self) -> "Tensor":
        return Clone.apply(self)

    def numpy(self) -> np.ndarray:
        if self._requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
            )
        return self.array

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        a = self.numpy()
        return a if dtype is None else a.astype(dtype)

    def item(self) -> Any:
        if self.array.size != 1:
            raise RuntimeError(
                f"a Tensor with {self.array.size} elements cannot be converted to Scalar: "
                "only one element tensors can be converted to Python scalars"
            )
        return self.array.item()

    def tolist(self) -> Any:
        return self.array.tolist()

    def __float__(self) -> _pyfloat:
        return _pyfloat(self.item())

    def __int__(self) -> _pyint:
        return _pyint(self.item())

    def __index__(self) -> _pyint:
        if self.array.dtype.kind not in "iu":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return _pyint(self.item())

    def __bool__(self) -> _pybool:
        if self.array.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (shape {self.shape})"
            )
        return _pybool(self.array.item())

    def __format__(self, spec: str) -> str:
        if self.array.ndim == 0:
            return self.item().__format__(spec)
        return repr(self).__format__(spec)

    __hash__ = object.__hash__

    # --- shape and type ---------------------------------------------------------------------
    @property
    def shape(self) -> "Size":
        return Size(self.array.shape)

    def size(self, dim: _pyint | None = None) -> Any:
        return Size(self.array.shape) if dim is None else self.array.shape[dim]

    @property
    def dtype(self) -> dtype:
        return _DTYPES[self.array.dtype]

    @property
    def ndim(self) -> _pyint:
        return self.array.ndim

    def dim(self) -> _pyint:
        return self.array.ndim

    def numel(self) -> _pyint:
        return self.array.size

    def __len__(self) -> _pyint:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def __iter__(self) -> Iterator["Tensor"]:
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.array.shape[0]))

    # --- new tensors of this tensor's dtype: x.new_ones(2, 3) ----------------------------
    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: _pybool = False) -> "Tensor":
        return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: _pybool = False) -> "Tensor":
        return zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: _pybool = False) -> "Tensor":
        return ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, requires_grad: _pybool = False) -> "Tensor":
        return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def is_floating_point(self) -> _pybool:
        return self.array.dtype.kind == "f"

    def to(self, *args: Any, **kwargs: Any) -> "Tensor":
        """``x.to(torch.float64)``; devices other than "cpu" are not available."""
        dt = kwargs.get("dtype")
        for a in args:
            if isinstance(a, (dtype, np.dtype, type)):
                dt = a
            elif str(a) != "cpu":
                raise RuntimeError(f"bpcourse tensors live on the CPU only (asked for {a!r})")
        return self._cast(None if dt is None else _np_dtype(dt))

    def cuda(self, *args: Any, **kwargs: Any) -> "Tensor":
        raise RuntimeError("bpcourse tensors live on the CPU only: drop .cuda() (or use .to('cpu'))")

    def contiguous(self) -> "Tensor":
        return self  # numpy handles the memory layout; nothing to do

    def is_contiguous(self) -> _pybool:
        return _pybool(self.array.flags.c_contiguous)

    def nelement(self) -> _pyint:
        return self.array.size

    def ndimension(self) -> _pyint:
        return self.array.ndim

    def type_as(self, other: "Tensor") -> "Tensor":
        return self._cast(other.array.dtype)

    def cpu(self) -> "Tensor":
        return self

    def _cast(self, dt: np.dtype | None) -> "Tensor":
        """A converted copy; the tensor itself if it already has that dtype (as in torch)."""
        return self if dt is None or dt == self.array.dtype else Cast.apply(self, dt)

    def float(self) -> "Tensor":
        return self._cast(_F32)

    def double(self) -> "Tensor":
        return self._cast(np.dtype(np.float64))

    def long(self) -> "Tensor":
        return self._cast(np.dtype(np.int64))

    def int(self) -> "Tensor":
        return self._cast(np.dtype(np.int32))

    def bool(self) -> "Tensor":
        return self._cast(np.dtype(np.bool_))

    def half(self) -> "Tensor":
        return self._cast(np.dtype(np.float16))

    def type(self, dt: Any = None) -> Any:
        """``x.type()`` is torch's legacy name ("torch.LongTensor"); ``x.type(torch.float64)``,
        ``x.type(torch.LongTensor)`` or ``x.type("torch.LongTensor")`` converts."""
        if dt is None:
            return "torch." + _LEGACY_NAMES[self.array.dtype]
        if isinstance(dt, str):
            names = {f"torch.{n}": d for d, n in _LEGACY_NAMES.items()}
            if dt not in names:
                raise ValueError(f"type(): invalid type {dt!r} (use one of {sorted(names)})")
            return self._cast(names[dt])
        if isinstance(dt, _LegacyTensorType):
            return self._cast(dt.dtype.numpy)
        return self.to(dt)

    # --- operands -----------------------------------------------------------------------------
    def _operand(self, other: Any) -> Any:
        """A Python number or array becomes a 0-d array of this tensor's dtype (as torch wraps
        numbers: ``x * 0.5`` stays float32)."""
        if isinstance(other, Tensor):
            return other
        dt = self.array.dtype
        if dt.kind != "f" and isinstance(other, _pyfloat):
            dt = _F32
        elif dt.kind == "b" and isinstance(other, _pyint) and not isinstance(other, _pybool):
            dt = np.dtype(np.int64)  # mask + 1 counts in int64, as in torch
        return np.asarray(other, dtype=dt)

    # --- arithmetic (ops/elementwise.py) ----------------------------------------------------
    def __add__(self, other: Any) -> "Tensor":
        return _binary(Add, self, self._operand(other))

    def __radd__(self, other: Any) -> "Tensor":
        return _binary(Add, self._operand(other), self)

    def __sub__(self, other: Any) -> "Tensor":
        return _binary(Sub, self, self._operand(other))

    def __rsub__(self, other: Any) -> "Tensor":
        return _binary(RSub, self._operand(other), self)

    def __mul__(self, other: Any) -> "Tensor":
        return _binary(Mul, self, self._operand(other))

    def __rmul__(self, other: Any) -> "Tensor":
        return _binary(Mul, self._operand(other), self)

    def __truediv__(self, other: Any) -> "Tensor":
        return _binary(Div, self, self._operand(other))

    def __rtruediv__(self, other: Any) -> "Tensor":
        return Reciprocal.apply(self) * other  # as torch: 2 / x is reciprocal(x) * 2

    def __floordiv__(self, other: Any) -> "Tensor":
        """Integer maths (no gradient: floor division is piecewise constant)."""
        o = self._operand(other)
        o = o.array if isinstance(o, Tensor) else o
        return _wrap(torch_dtype(np.floor_divide(self.array, o), self.array, o))

    def __mod__(self, other: Any) -> "Tensor":
        o = self._operand(other)
        o = o.array if isinstance(o, Tensor) else o
        return _wrap(torch_dtype(np.mod(self.array, o), self.array, o))

    def __neg__(self) -> "Tensor":
        return Neg.apply(self)

    def __pow__(self, exponent: Any) -> "Tensor":
        if isinstance(exponent, Tensor):
            return _binary(PowTensor, self, exponent)
        return Pow.apply(self, exponent)

    def __rpow__(self, base: Any) -> "Tensor":
        return RPow.apply(self._operand(base), self)

    def __matmul__(self, other: Any) -> "Tensor":
        return MatMul.apply(self, other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return MatMul.apply(other, self)

    def __abs__(self) -> "Tensor":
        return Abs.apply(self)

    add = __add__
    sub = __sub__
    mul = __mul__
    div = __truediv__
    neg = __neg__
    pow = __pow__
    matmul = __matmul__

    def mm(self, mat2: "Tensor") -> "Tensor":
        """Matrix (n, m) times matrix (m, p); for other shapes use matmul."""
        if self.array.ndim != 2 or _dims(mat2) != 2:
            raise RuntimeError(f"mm: self must be a matrix (got {self.array.ndim}D) and mat2 must be a "
                               f"matrix (got {_dims(mat2)}D); use torch.matmul for other shapes")
        return MatMul.apply(self, mat2)
    abs = __abs__

    def reciprocal(self) -> "Tensor":
        return Reciprocal.apply(self)

    def exp(self) -> "Tensor":
        return Exp.apply(self)

    def log(self) -> "Tensor":
        return Log.apply(self)

    def sqrt(self) -> "Tensor":
        return Sqrt.apply(self)

    def sin(self) -> "Tensor":
        return Sin.apply(self)

    def cos(self) -> "Tensor":
        return Cos.apply(self)

    def sigmoid(self) -> "Tensor":
        return Sigmoid.apply(self)

    def tanh(self) -> "Tensor":
        return Tanh.apply(self)

    def relu(self) -> "Tensor":
        return Relu.apply(self)

    def clamp(self, min: Any = None, max: Any = None) -> "Tensor":  # noqa: A002
        return Clamp.apply(self, min, max)

    clip = clamp

    def clamp_(self, min: Any = None, max: Any = None) -> "Tensor":  # noqa: A002
        """In place, outside the graph (``with torch.no_grad(): w.clamp_(0, 1)``)."""
        if _grad_mode.enabled and (self._requires_grad or self.grad_fn is not None):
            raise RuntimeError("clamp_: in-place clamp of a tensor that requires grad is not supported by "
                               "bpcourse; use x = x.clamp(...) or wrap it in torch.no_grad()")
        np.clip(self.array, min, max, out=self.array)
        self._version += 1
        return self

    # --- composites, built from the ops above ---------------------------------------------
    def square(self) -> "Tensor":
        return self * self

    def log1p(self) -> "Tensor":
        return (1 + self).log()

    def rsqrt(self) -> "Tensor":
        return self.sqrt().reciprocal()

    def var(self, dim: Any = None, unbiased: _pybool = True, keepdim: _pybool = False,
            correction: Any = None) -> "Tensor":
        """sum (x - mean)^2 / (n - 1) (torch's default; unbiased=False divides by n)."""
        d = self - self.mean(dim, keepdim=True)
        n = self.array.size if dim is None else np.prod([self.array.shape[i] for i in np.atleast_1d(dim)])
        c = (1 if unbiased else 0) if correction is None else correction
        return _torch_named((d * d).sum(dim, keepdim) / (n - c), "VarBackward0")

    def std(self, dim: Any = None, unbiased: _pybool = True, keepdim: _pybool = False,
            correction: Any = None) -> "Tensor":
        return _torch_named(self.var(dim, unbiased, keepdim, correction).sqrt(), "StdBackward0")

    def softmax(self, dim: _pyint) -> "Tensor":
        return Softmax.apply(self, dim)

    def log_softmax(self, dim: _pyint) -> "Tensor":
        return LogSoftmax.apply(self, dim)

    # --- step functions: their derivative is 0 almost everywhere -----------------------------
    def sign(self) -> "Tensor":
        return PiecewiseConstant.apply(self, np.sign, "SignBackward0")

    def floor(self) -> "Tensor":
        return PiecewiseConstant.apply(self, np.floor, "FloorBackward0")

    def ceil(self) -> "Tensor":
        return PiecewiseConstant.apply(self, np.ceil, "CeilBackward0")

    def round(self, decimals: _pyint = 0) -> "Tensor":
        return PiecewiseConstant.apply(self, lambda a: np.round(a, decimals), "RoundBackward0")

    def isnan(self) -> "Tensor":
        return _wrap(np.isnan(self.array))

    def equal(self, other: "Tensor") -> _pybool:
        return self.array.shape == other.array.shape and _pybool((self.array == other.array).all())

    def allclose(self, other: "Tensor", rtol: _pyfloat = 1e-05, atol: _pyfloat = 1e-08) -> _pybool:
        return _pybool(np.allclose(self.array, other.array, rtol=rtol, atol=atol))

    # --- comparisons: no gradient, bool tensors ----------------------------------------------
    def _compare(self, ufunc: Any, other: Any) -> "Tensor":
        o = other.array if isinstance(other, Tensor) else other
        return _wrap(np.asarray(ufunc(self.array, o)))

    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self._compare(np.equal, other)

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self._compare(np.not_equal, other)

    def __lt__(self, other: Any) -> "Tensor":
        return self._compare(np.less, other)

    def __le__(self, other: Any) -> "Tensor":
        return self._compare(np.less_equal, other)

    def __gt__(self, other: Any) -> "Tensor":
        return self._compare(np.greater, other)

    def __ge__(self, other: Any) -> "Tensor":
        return self._compare(np.greater_equal, other)

    eq = __eq__
    ne = __ne__
    lt = __lt__
    gt = __gt__
    le = __le__
    ge = __ge__

    def all(self, dim: Any = None, keepdim: _pybool = False, **numpy_names: Any) -> "Tensor":
        """True where every element (along dim) is non-zero; a bool tensor, no gradient."""
        dim, keepdim = _numpy_names(dim, keepdim, numpy_names)
        return _wrap(np.asarray(np.all(self.array, axis=dim, keepdims=keepdim)))

    def any(self, dim: Any = None, keepdim: _pybool = False, **numpy_names: Any) -> "Tensor":
        """True where some element (along dim) is non-zero; a bool tensor, no gradient."""
        dim, keepdim = _numpy_names(dim, keepdim, numpy_names)
        return _wrap(np.asarray(np.any(self.array, axis=dim, keepdims=keepdim)))

    # --- reductions (ops/reduce.py) --------------------------------------------------------------
    def sum(self, dim: Any = None, keepdim: _pybool = False, **numpy_names: Any) -> "Tensor":
        dim, keepdim = _numpy_names(dim, keepdim, numpy_names)
        return Sum.apply(self, dim, keepdim)

    def mean(self, dim: Any = None, keepdim: _pybool = False, **numpy_names: Any) -> "Tensor":
        dim, keepdim = _numpy_names(dim, keepdim, numpy_names)
        return Mean.apply(self, dim, keepdim)

    def max(self, dim: Any = None, keepdim: _pybool = False, **numpy_names: Any) -> Any:
        """The largest element; with ``dim``, ``(values, indices)`` along that dim.
        (``max(a, b)`` elementwise is ``torch.maximum(a, b)``.)"""
        dim, keepdim = _numpy_names(dim, keepdim, numpy_names)
        if isinstance(dim, Tensor):
            raise TypeError("max(other): for the elementwise maximum of two tensors use torch.maximum(a, b)")
        if dim is None:
            return Max.apply(self, None, False)
        values = Max.apply(self, dim, keepdim)
        return MaxResult(values, self.argmax(dim, keepdim), "max")

    def min(self, dim: Any = None, keepdim: _pybool = False, **numpy_names: Any) -> Any:
        """The smallest element; with ``dim``, ``(values, indices)`` along that dim."""
        dim, keepdim = _numpy_names(dim, keepdim, numpy_names)
        if isinstance(dim, Tensor):
            raise TypeError("min(other): for the elementwise minimum of two tensors use torch.minimum(a, b)")
        if dim is None:
            return Min.apply(self, None, False)
        values = Min.apply(self, dim, keepdim)
        return MaxResult(values, self.argmin(dim, keepdim), "min")

    def argmax(self, dim: Any = None, keepdim: _pybool = False, **numpy_names: Any) -> "Tensor":
        dim, keepdim = _numpy_names(dim, keepdim, numpy_names)
        idx = np.argmax(self.array, axis=dim)
        if keepdim and dim is not None:
            idx = np.expand_dims(idx, dim)
        return _wrap(np.asarray(idx, dtype=np.int64))

    def argmin(self, dim: Any = None, keepdim: _pybool = False, **numpy_names: Any) -> "Tensor":
        dim, keepdim = _numpy_names(dim, keepdim, numpy_names)
        idx = np.argmin(self.array, axis=dim)
        if keepdim and dim is not None:
            idx = np.expand_dims(idx, dim)
        return _wrap(np.asarray(idx, dtype=np.int64))

    def cumsum(self, dim: _pyint | None = None, **numpy_names: Any) -> "Tensor":
        """Running sums along dim: y_i = x_0 + ... + x_i."""
        dim, _ = _numpy_names(dim, False, numpy_names)
        if dim is None:
            raise TypeError("cumsum() needs dim (e.g. x.cumsum(0) or x.cumsum(dim=0))")
        return CumSum.apply(self, dim)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: _pybool = False) -> "Tensor":
        """The 2-norm sqrt(sum x^2) (p=1: the sum of |x|)."""
        if p in ("fro", 2, 2.0):
            return Norm.apply(self, dim, keepdim)
        if p in (1, 1.0):
            return self.abs().sum(dim, keepdim)
        raise NotImplementedError(f"norm: p={p!r} is not supported by bpcourse (p=2 or p=1; "
                                  f"for others write (x.abs() ** p).sum() ** (1 / p))")

    def dot(self, other: "Tensor") -> "Tensor":
        """The inner product of two 1-D tensors."""
        if self.array.ndim != 1 or _dims(other) != 1:
            raise RuntimeError(f"dot: 1D tensors expected, but got {self.array.ndim}D and {_dims(other)}D "
                               f"tensors (for matrices use torch.matmul / @)")
        return MatMul.apply(self, other)

    def mv(self, vec: "Tensor") -> "Tensor":
        """Matrix (n, m) times vector (m,)."""
        if self.array.ndim != 2 or _dims(vec) != 1:
            raise RuntimeError(f"mv: expected a matrix and a vector, got {self.array.ndim}D and {_dims(vec)}D "
                               f"tensors (use torch.matmul for other shapes)")
        return MatMul.apply(self, vec)

    # --- shapes (ops/shape.py) -------------------------------------------------------------------
    def reshape(self, *shape: Any) -> "Tensor":
        return View.apply(self, _shape_arg(shape))

    def view(self, *shape: Any) -> "Tensor":
        return View.apply(self, _shape_arg(shape))

    def view_as(self, other: "Tensor") -> "Tensor":
        return View.apply(self, other.array.shape)

    reshape_as = view_as

    def expand_as(self, other: "Tensor") -> "Tensor":
        return Expand.apply(self, other.array.shape)

    def flatten(self, start_dim: _pyint = 0, end_dim: _pyint = -1) -> "Tensor":
        s = self.array.shape
        if not s:
            return View.apply(self, (1,))
        end = end_dim % len(s)
        start = start_dim % len(s)
        if start >= end:
            return self  # nothing to flatten: torch returns the tensor itself
        return View.apply(self, s[:start] + (-1,) + s[end + 1:])

    def unsqueeze(self, dim: _pyint) -> "Tensor":
        s = list(self.array.shape)
        s.insert(dim % (len(s) + 1), 1)
        return View.apply(self, tuple(s), "UnsqueezeBackward0")

    def squeeze(self, dim: Any = None) -> "Tensor":
        s = self.array.shape
        if dim is None:
            new = tuple(n for n in s if n != 1)
        else:
            d = dim % len(s) if s else 0
            new = s if not s or s[d] != 1 else s[:d] + s[d + 1:]
        return View.apply(self, new, "SqueezeBackward0" if dim is None else "SqueezeBackward1")

    def transpose(self, dim0: _pyint, dim1: _pyint) -> "Tensor":
        return Transpose.apply(self, dim0, dim1)

    def t(self) -> "Tensor":
        return T.apply(self)

    def permute(self, *dims: Any) -> "Tensor":
        return Permute.apply(self, _shape_arg(dims))

    @property
    def T(self) -> "Tensor":  # noqa: N802 - torch's name
        return Permute.apply(self, tuple(range(self.array.ndim - 1, -1, -1)))

    def expand(self, *shape: Any) -> "Tensor":
        shape = tuple(n if n != -1 else m for n, m in zip(_shape_arg(shape), self.array.shape))
        return Expand.apply(self, shape)

    def __getitem__(self, index: Any) -> "Tensor":
        return Index.apply(self, _index_arg(index))

    def __setitem__(self, index: Any, value: Any) -> None:
        if _grad_mode.enabled and (self._requires_grad or (isinstance(value, Tensor) and value._requires_grad)):
            if self.grad_fn is None and self._requires_grad:
                raise RuntimeError(LEAF_INPLACE)
            raise NotImplementedError(
                "bpcourse: assigning into a tensor that is part of a graph is not supported; "
                "build the new tensor out of place (torch.cat / torch.where) or use no_grad()"
            )
        self.array[_index_arg(index)] = value.array if isinstance(value, Tensor) else value
        self._version += 1

    # --- in-place updates: w -= lr * w.grad -------------------------------------------------------
    def _inplace(self, op: type, ufunc: Any, other: Any) -> "Tensor":
        other = self._operand(other)
        if _grad_mode.enabled:
            if self.grad_fn is None and self._requires_grad:
                raise RuntimeError(LEAF_INPLACE)
            if self._requires_grad or (isinstance(other, Tensor) and other._requires_grad):
                # Recorded: the old value becomes the input of a new node, and this object
                # now stands for the result (torch "rebases" the history the same way).
                old = _wrap(self.array)
                old._requires_grad, old.grad_fn, old.label = self._requires_grad, self.grad_fn, self.label
                new = op.apply(old, other)
                self.array, self.grad_fn, self._requires_grad = new.array, new.grad_fn, True
                return self
        ufunc(self.array, other.array if isinstance(other, Tensor) else other, out=self.array)
        self._version += 1
        return self

    def __iadd__(self, other: Any) -> "Tensor":
        return self._inplace(Add, np.add, other)

    def __isub__(self, other: Any) -> "Tensor":
        return self._inplace(Sub, np.subtract, other)

    def __imul__(self, other: Any) -> "Tensor":
        return self._inplace(Mul, np.multiply, other)

    def __itruediv__(self, other: Any) -> "Tensor":
        return self._inplace(Div, np.divide, other)

    add_ = __iadd__
    sub_ = __isub__
    mul_ = __imul__
    div_ = __itruediv__

    def zero_(self) -> "Tensor":
        if _grad_mode.enabled and self.grad_fn is None and self._requires_grad:
            raise RuntimeError(LEAF_INPLACE)
        self.array.fill(0)
        self._version += 1
        return self

    def fill_(self, value: Any) -> "Tensor":
        if _grad_mode.enabled and self.grad_fn is None and self._requires_grad:
            raise RuntimeError(LEAF_INPLACE)
        self.array.fill(value)
        self._version += 1
        return self

    def copy_(self, src: Any) -> "Tensor":
        if _grad_mode.enabled and self.grad_fn is None and self._requires_grad:
            raise RuntimeError(LEAF_INPLACE)
        self.array[...] = src.array if isinstance(src, Tensor) else src
        self._version += 1
        return self

    def normal_(self, mean: _pyfloat = 0.0, std: _pyfloat = 1.0) -> "Tensor":
        self.array[...] = _rng().normal(mean, std, self.array.shape)
        return self

    def uniform_(self, a: _pyfloat = 0.0, b: _pyfloat = 1.0) -> "Tensor":
        self.array[...] = _uniform(self.array.shape, a, b, self.array.dtype)
        return self

    # --- printing ---------------------------------------------------------------------------------
    def __repr__(self) -> str:
        return tensor_repr(self)

    def __getattr__(self, name: str) -> Any:
        """Only reached for a name Tensor does not have: say it is torch's and missing here."""
        if name.startswith("__") or name in Tensor.__slots__:
            raise AttributeError(name)
        raise AttributeError(f"bpcourse's Tensor has no method or attribute {name!r} (torch's Tensor may): "
                             f"write it from the ops bpcourse has, or use real torch for this part")

    __str__ = __repr__


class Size(tuple):
    """A shape, printed as torch prints it: ``torch.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def __getitem__(self, index: Any) -> Any:
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item  # shape[1:] is a Size too

    def __add__(self, other: Any) -> "Size":
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other: Any) -> "Size":
        return Size(tuple(other) + tuple(self))

    def numel(self) -> _pyint:
        return _pyint(np.prod(self))


class MaxResult(tuple):
    """``x.max(dim)`` returns ``(values, indices)``, also as ``.values`` / ``.indices``;
    it prints as torch's ``torch.return_types.max(values=..., indices=...)``."""

    def __new__(cls, values: Tensor, indices: Tensor, name: str = "max") -> "MaxResult":
        result = super().__new__(cls, (values, indices))
        result.name = name
        return result

    def __repr__(self) -> str:
        return f"torch.return_types.{self.name}(\nvalues={self[0]!r},\nindices={self[1]!r})"

    @property
    def values(self) -> Tensor:
        return self[0]

    @property
    def indices(self) -> Tensor:
        return self[1]


def _numpy_names(dim: Any, keepdim: _pybool, names: dict) -> tuple:
    """``x.sum(axis=0, keepdims=True)`` (numpy's words, which torch accepts too) is
    ``x.sum(dim=0, keepdim=True)``."""
    if "axis" in names:
        dim = names.pop("axis")
    if "keepdims" in names:
        keepdim = names.pop("keepdims")
    if names:
        raise TypeError(f"unexpected keyword argument(s) {sorted(names)} (use dim= and keepdim=)")
    return dim, keepdim


def _binary(op: type, a: Any, b: Any) -> Tensor:
    """``a op b`` with torch's result dtype (numpy promotes int64 * float32 to float64, torch
    keeps float32): the op computes, then the result takes torch's dtype if numpy's differs."""
    out = op.apply(a, b)
    a_arr = a.array if isinstance(a, Tensor) else a
    b_arr = b.array if isinstance(b, Tensor) else b
    if a_arr.dtype != b_arr.dtype:
        out.array = torch_dtype(out.array, a_arr, b_arr, true_division=op is Div)
    return out


def _torch_named(t: Tensor, name: str) -> Tensor:
    """A composite (var = a few ops) shows torch's one-node name in ``grad_fn=<...>``; the graph
    underneath, which backward walks, is still the composite's."""
    if t.grad_fn is not None:
        t.grad_fn.torch_name = name
    return t


def _dims(x: Any) -> _pyint:
    return x.array.ndim if isinstance(x, Tensor) else np.ndim(x)


# torch's legacy type names: x.type() == "torch.LongTensor"
_LEGACY_NAMES = {
    np.dtype(np.float32): "FloatTensor", np.dtype(np.float64): "DoubleTensor",
    np.dtype(np.float16): "HalfTensor", np.dtype(np.int64): "LongTensor",
    np.dtype(np.int32): "IntTensor", np.dtype(np.int16): "ShortTensor",
    np.dtype(np.int8): "CharTensor", np.dtype(np.uint8): "ByteTensor",
    np.dtype(np.bool_): "BoolTensor",
}


class _LegacyTensorType(type):
    """``torch.LongTensor([1, 2])`` makes an int64 tensor, ``torch.FloatTensor(2, 3)`` a (2, 3)
    float32 one (zeros here; torch leaves it uninitialised). ``isinstance(x, torch.LongTensor)``
    checks the dtype."""

    def __call__(cls, *data: Any) -> Tensor:
        if len(data) == 1 and not isinstance(data[0], _pyint):
            return tensor(data[0], dtype=cls.dtype)
        return zeros(*data, dtype=cls.dtype)

    def __instancecheck__(cls, obj: Any) -> _pybool:
        return isinstance(obj, Tensor) and obj.array.dtype == cls.dtype.numpy

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


class FloatTensor(metaclass=_LegacyTensorType):
    dtype = float32


class DoubleTensor(metaclass=_LegacyTensorType):
    dtype = float64


class HalfTensor(metaclass=_LegacyTensorType):
    dtype = float16


class LongTensor(metaclass=_LegacyTensorType):
    dtype = int64


class IntTensor(metaclass=_LegacyTensorType):
    dtype = int32


class ShortTensor(metaclass=_LegacyTensorType):
    dtype = int16


class CharTensor(metaclass=_LegacyTensorType):
    dtype = int8


class ByteTensor(metaclass=_LegacyTensorType):
    dtype = uint8


class BoolTensor(metaclass=_LegacyTensorType):
    dtype = bool


def _shape_arg(shape: tuple) -> tuple:
    """``view(2, 3)`` and ``view((2, 3))`` both mean the shape (2, 3)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _index_arg(index: Any) -> Any:
    """Tensors used as indices become their arrays."""
    if isinstance(index, Tensor):
        return index.array
    if isinstance(index, tuple):
        return tuple(i.array if isinstance(i, Tensor) else i for i in index)
    return index


# ----------------------------------------------------------------------------- printing
# A port of torch/_tensor_str.py (default print options), so that reprs match torch's.
_PRECISION, _THRESHOLD, _EDGEITEMS, _LINEWIDTH = 4, 1000, 3, 80


class _Formatter:
    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if not self.floating:
            for v in values.ravel().tolist():
                self.max_width = max(self.max_width, len(f"{v}"))
            return
        flat = values.ravel()
        vals = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if vals.size == 0:
            return
        absv = np.abs(vals)
        lo, hi = absv.min(), absv.max()
        self.int_mode = _pybool(np.all(vals == np.ceil(vals)))
        self.sci_mode = _pybool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        for v in vals.tolist():
            if self.sci_mode:
                w = len(f"{v:.{_PRECISION}e}")
            elif self.int_mode:
                w = len(f"{v:.0f}") + 1
            else:
                w = len(f"{v:.{_PRECISION}f}")
            self.max_width = max(self.max_width, w)

    def format(self, value: Any) -> str:
        if self.floating:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{_PRECISION}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{_PRECISION}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _summarized(a: np.ndarray) -> np.ndarray:
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        return np.concatenate((a[:_EDGEITEMS], a[-_EDGEITEMS:])) if a.shape[0] > 2 * _EDGEITEMS else a
    rows = list(range(_EDGEITEMS)) + list(range(a.shape[0] - _EDGEITEMS, a.shape[0])) \
        if a.shape[0] > 2 * _EDGEITEMS else range(a.shape[0])
    return np.stack([_summarized(a[i]) for i in rows])


def _vector_str(a: np.ndarray, indent: _pyint, summarize: _pybool, fmt: _Formatter) -> str:
    element_length = fmt.max_width + 2
    per_line = max(1, math.floor((_LINEWIDTH - indent) / element_length))
    if summarize and a.shape[0] > 2 * _EDGEITEMS:
        data = [fmt.format(v) for v in a[:_EDGEITEMS].tolist()] + [" ..."] + \
               [fmt.format(v) for v in a[-_EDGEITEMS:].tolist()]
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str(a: np.ndarray, indent: _pyint, summarize: _pybool, fmt: _Formatter) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    if summarize and a.shape[0] > 2 * _EDGEITEMS:
        slices = [_tensor_str(a[i], indent + 1, summarize, fmt) for i in range(_EDGEITEMS)] + ["..."] + \
                 [_tensor_str(a[i], indent + 1, summarize, fmt) for i in range(a.shape[0] - _EDGEITEMS, a.shape[0])]
    else:
        slices = [_tensor_str(a[i], indent + 1, summarize, fmt) for i in range(a.shape[0])]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def tensor_repr(t: Tensor) -> str:
    """torch's text for a tensor: ``tensor([1.0000, 2.5000], requires_grad=True)``."""
    a = t.array
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    dt = _DTYPES.get(a.dtype)
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append("size=" + str(tuple(a.shape)))
        if a.dtype != _F32:
            suffixes.append(f"dtype={dt}")
        body = "[]"
    else:
        if dt not in (float32, int64, bool):
            suffixes.append(f"dtype={dt}")
        summarize = a.size > _THRESHOLD
        fmt = _Formatter(_summarized(a) if summarize else a)
        body = _tensor_str(a, indent, summarize, fmt)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    out = [prefix + body]
    last_line_len = len(out[0]) - out[0].rfind("\n") + 1
    for s in suffixes:
        if last_line_len + len(s) + 2 > _LINEWIDTH:
            out.append(",\n" + " " * indent + s)
            last_line_len = indent + len(s)
        else:
            out.append(", " + s)
            last_line_len += len(s) + 2
    out.append(")")
    return "".join(out)


# ----------------------------------------------------------------------------- random numbers
# One stream, as torch has: a Mersenne Twister (MT19937) seeded the way torch seeds its CPU
# generator, so uniform draws (rand, uniform_, nn.Linear's initial weights) equal torch's for the
# same manual_seed. Other distributions (randn, shuffling, dropout) come from numpy's Generator
# on the same stream: seeded and repeatable, but not torch's numbers.
def _torch_seeded_mt19937(seed: _pyint) -> np.random.MT19937:
    """MT19937 in the state torch's manual_seed(seed) gives it (Matsumoto-Nishimura init_genrand)."""
    key = np.empty(624, dtype=np.uint32)
    key[0] = seed & 0xFFFFFFFF  # torch seeds its 32-bit Mersenne Twister with the seed's low 32 bits
    for i in range(1, 624):
        prev = _pyint(key[i - 1])
        key[i] = (1812433253 * (prev ^ (prev >> 30)) + i) & 0xFFFFFFFF
    bits = np.random.MT19937(0)
    bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": 624}}
    return bits


class _RNG:
    bits = _torch_seeded_mt19937(np.random.SeedSequence().entropy & 0xFFFFFFFF)  # unseeded: random, as torch
    generator = np.random.Generator(bits)


def _rng() -> np.random.Generator:
    return _RNG.generator


def _uniform(shape: tuple, a: float, b: float, dtype: Any) -> np.ndarray:
    """torch's CPU uniform_: 24 random bits (53 for float64) of each draw scaled into [a, b).

    As torch: a and b are first rounded to the tensor's dtype, the scaling is done in float64, and
    the result rounded once to the dtype.
    """
    dtype = np.dtype(dtype)
    n = math.prod(shape)
    if dtype == np.float64:
        hi = _RNG.bits.random_raw(2 * n).astype(np.uint64)
        raw = (hi[0::2] << np.uint64(32)) | hi[1::2]  # torch's random64(): two 32-bit draws
        x = (raw & np.uint64((1 << 53) - 1)).astype(np.float64) * 2.0 ** -53
    else:
        raw = _RNG.bits.random_raw(n).astype(np.uint64)
        x = (raw & np.uint64((1 << 24) - 1)).astype(np.float64) * 2.0 ** -24
    lo, hi_ = dtype.type(a), dtype.type(b)
    return (x * np.float64(hi_ - lo) + np.float64(lo)).astype(dtype).reshape(shape)


def manual_seed(seed: _pyint) -> np.random.Generator:
    """Seed bpcourse's random numbers, as torch.manual_seed seeds torch's.

    rand, uniform_ and nn.Linear's initial weights then equal torch's for the same seed; randn,
    DataLoader shuffling and dropout are seeded and repeatable but differ from torch's numbers.
    """
    _RNG.bits = _torch_seeded_mt19937(_pyint(seed))
    _RNG.generator = np.random.Generator(_RNG.bits)
    return _RNG.generator


# ----------------------------------------------------------------------------- creation
def tensor(data: Any, dtype: Any = None, requires_grad: _pybool = False) -> Tensor:
    """Copy ``data`` into a new leaf tensor; float data becomes float32 unless ``dtype`` says."""
    t = _wrap(_as_array(data, dtype))
    if requires_grad:
        t.requires_grad = True
    return t


def _shaped(fill: Any, size: tuple, dtype: Any, requires_grad: _pybool, size_kw: Any = None) -> Tensor:
    if size_kw is not None:  # zeros(size=(2, 3)), as d2l writes it
        if size:
            raise TypeError("give the shape once: zeros(2, 3) or zeros(size=(2, 3))")
        size = (tuple(size_kw),)
    t = _wrap(fill(_shape_arg(size), dtype=_np_dtype(dtype) if dtype is not None else _F32))
    if requires_grad:
        t.requires_grad = True
    return t


def _size_keyword(kw: dict) -> Any:
    """torch's creation functions take the shape as ``size=`` too (and ``device="cpu"``)."""
    device = kw.pop("device", "cpu")
    if str(device) != "cpu":
        raise RuntimeError(f"bpcourse tensors live on the CPU only (asked for {device!r})")
    size = kw.pop("size", None)
    if kw:
        raise TypeError(f"unexpected keyword argument(s) {sorted(kw)}")
    return size


def zeros(*size: Any, dtype: Any = None, requires_grad: _pybool = False, **kw: Any) -> Tensor:
    return _shaped(np.zeros, size, dtype, requires_grad, _size_keyword(kw))


def ones(*size: Any, dtype: Any = None, requires_grad: _pybool = False, **kw: Any) -> Tensor:
    return _shaped(np.ones, size, dtype, requires_grad, _size_keyword(kw))


def empty(*size: Any, dtype: Any = None, requires_grad: _pybool = False, **kw: Any) -> Tensor:
    return _shaped(np.zeros, size, dtype, requires_grad, _size_keyword(kw))


def full(size: Sequence[_pyint], fill_value: Any, dtype: Any = None, requires_grad: _pybool = False) -> Tensor:
    t = zeros(*size, dtype=dtype, requires_grad=False)
    t.array.fill(fill_value)
    if requires_grad:
        t.requires_grad = True
    return t


def zeros_like(x: Tensor, dtype: Any = None, requires_grad: _pybool = False) -> Tensor:
    return zeros(*x.array.shape, dtype=dtype or x.dtype, requires_grad=requires_grad)


def ones_like(x: Tensor, dtype: Any = None, requires_grad: _pybool = False) -> Tensor:
    return ones(*x.array.shape, dtype=dtype or x.dtype, requires_grad=requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: _pybool = False, **kw: Any) -> Tensor:
    return _shaped(lambda s, dtype: _rng().standard_normal(s).astype(dtype), size, dtype, requires_grad,
                   _size_keyword(kw))


def rand(*size: Any, dtype: Any = None, requires_grad: _pybool = False, **kw: Any) -> Tensor:
    return _shaped(lambda s, dtype: _uniform(s, 0.0, 1.0, dtype), size, dtype, requires_grad, _size_keyword(kw))


def randint(low: _pyint, high: Any = None, size: tuple = (), dtype: Any = None) -> Tensor:
    if high is None:
        low, high = 0, low
    return _wrap(_rng().integers(low, high, size=size).astype(_np_dtype(dtype or int64)))


def randperm(n: _pyint) -> Tensor:
    return _wrap(_rng().permutation(n).astype(np.int64))


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, requires_grad: _pybool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    a = np.arange(start, end, step)
    a = a.astype(_np_dtype(dtype) if dtype is not None else (np.int64 if a.dtype.kind in "iu" else np.float32))
    t = _wrap(a)
    if requires_grad:
        t.requires_grad = True
    return t


def linspace(start: _pyfloat, end: _pyfloat, steps: _pyint, dtype: Any = None) -> Tensor:
    return _wrap(np.linspace(start, end, steps).astype(_np_dtype(dtype) if dtype is not None else _F32))


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory and dtype (float64 stays float64, as in torch)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    return _wrap(array)


def as_tensor(data: Any, dtype: Any = None) -> Tensor:
    if isinstance(data, Tensor) and dtype is None:
        return data
    if isinstance(data, np.ndarray) and dtype is None:
        return _wrap(data)
    return tensor(data, dtype=dtype)


def is_tensor(x: Any) -> _pybool:
    return isinstance(x, Tensor)


# The ops, imported last: they build on Tensor (and Tensor's methods call them).
from bpcourse.ops.elementwise import (  # noqa: E402
    _promote, torch_dtype, Abs, Add, Cast, Clamp, Clone, Cos, Div, Exp, Log, Mul, Neg, PiecewiseConstant, Pow,
    PowTensor, Reciprocal, Relu, RPow, RSub, Sigmoid, Sin, Sqrt, Sub, Tanh,
)
from bpcourse.ops.linalg import MatMul  # noqa: E402
from bpcourse.ops.reduce import CumSum, Max, Mean, Min, Norm, Sum  # noqa: E402
from bpcourse.ops.shape import Expand, Index, Permute, T, Transpose, View  # noqa: E402
from bpcourse.ops.softmax import LogSoftmax, Softmax  # noqa: E402
