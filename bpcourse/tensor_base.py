"""What a tensor is apart from autograd: its numbers, their shape and dtype.

``TensorBase`` holds the array and answers questions about it (``shape``, ``dtype``,
``.item()``, ``.numpy()``), converts it (``.float()``, ``.to(torch.float64)``) and compares
it (``x > 0``, ``argmax``): nothing here records a graph. ``Tensor`` (``tensor.py``) adds
autograd and the differentiable maths on top. ``Size`` and ``MaxResult`` are the tuples torch
prints its own way.
"""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from bpcourse import dtypes
from bpcourse.devices import CPU, check_device, device


class _TorchNamedType(type):
    """``print(type(x))`` shows torch's class name (``<class 'torch.Tensor'>``), so that a program
    prints the same under both imports; ``torch_name`` says which name a class shows."""

    def __repr__(cls) -> str:
        return f"<class '{cls.__dict__.get('torch_name', cls.__module__ + '.' + cls.__qualname__)}'>"


class TensorBase(metaclass=_TorchNamedType):
    """The numbers of a tensor (``.array``) and everything that only reads or converts them."""

    # _grad: what .grad shows (Tensor.grad warns when read on a non-leaf, as torch does)
    # _version_counter: counts in-place changes, shared with views (inplace.py; None until needed)
    __slots__ = ("array", "_requires_grad", "_grad", "grad_fn", "label", "_retains_grad", "_version_counter",
                 "_hooks", "__weakref__")

    def _from_array(self, array: np.ndarray) -> Any:
        raise NotImplementedError  # Tensor: a new tensor around array

    def _leaf(self, array: np.ndarray, requires_grad: bool) -> Any:
        t = self._from_array(array)
        if requires_grad:
            t.requires_grad = True
        return t

    def _cast(self, dt: np.dtype | None) -> Any:
        raise NotImplementedError  # Tensor: a recorded conversion

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

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.array.dtype.kind not in "iu":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self.array.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (shape {self.shape})"
            )
        return bool(self.array.item())

    def __format__(self, spec: str) -> str:
        if self.array.ndim == 0:
            return self.item().__format__(spec)
        return repr(self).__format__(spec)

    __hash__ = object.__hash__

    # --- shape and type ---------------------------------------------------------------------
    @property
    def shape(self) -> "Size":
        return Size(self.array.shape)

    def size(self, dim: int | None = None) -> Any:
        return Size(self.array.shape) if dim is None else self.array.shape[dim]

    @property
    def dtype(self) -> dtype:
        return dtypes.BY_NUMPY[self.array.dtype]

    @property
    def ndim(self) -> int:
        return self.array.ndim

    def dim(self) -> int:
        return self.array.ndim

    def numel(self) -> int:
        return self.array.size

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def __iter__(self) -> Iterator["TensorBase"]:
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.array.shape[0]))

    # --- new tensors of this tensor's dtype: x.new_ones(2, 3) ----------------------------
    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> "TensorBase":
        return self._leaf(dtypes.infer_array(data, dtype or self.dtype), requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> "TensorBase":
        return self.new_full(shape_arg(size), 0, dtype, requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> "TensorBase":
        return self.new_full(shape_arg(size), 1, dtype, requires_grad)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> "TensorBase":
        numpy_dtype = self.array.dtype if dtype is None else dtypes.as_numpy_dtype(dtype)
        return self._leaf(np.full(tuple(size), fill_value, dtype=numpy_dtype), requires_grad)

    def is_floating_point(self) -> bool:
        return self.array.dtype.kind == "f"

    def to(self, *args: Any, **kwargs: Any) -> "TensorBase":
        """``x.to(torch.float64)``, ``x.to(device)``, ``x.to(other)`` (its dtype); the CPU is the
        only device."""
        dt = kwargs.pop("dtype", None)
        check_device(kwargs.pop("device", None), "to(): ")
        kwargs.pop("non_blocking", None)  # no copy between devices, so nothing to wait for
        kwargs.pop("copy", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword argument(s) {', '.join(sorted(kwargs))}")
        for a in args:
            if isinstance(a, (dtypes.dtype, np.dtype, type)):
                dt = a
            elif isinstance(a, TensorBase):
                dt = a.array.dtype
            else:
                check_device(a, "to(): ")
        return self._cast(None if dt is None else dtypes.as_numpy_dtype(dt))

    @property
    def device(self) -> device:
        return CPU

    is_cuda = False
    is_cpu = True

    def cuda(self, *args: Any, **kwargs: Any) -> "TensorBase":
        raise RuntimeError("bpcourse tensors live on the CPU only: drop .cuda() (or use .to('cpu'))")

    def contiguous(self) -> "TensorBase":
        return self  # numpy handles the memory layout; nothing to do

    def is_contiguous(self) -> bool:
        return bool(self.array.flags.c_contiguous)

    def nelement(self) -> int:
        return self.array.size

    def ndimension(self) -> int:
        return self.array.ndim

    def type_as(self, other: "TensorBase") -> "TensorBase":
        return self._cast(other.array.dtype)

    def cpu(self) -> "TensorBase":
        return self

    def float(self) -> "TensorBase":
        return self._cast(dtypes.F32)

    def double(self) -> "TensorBase":
        return self._cast(np.dtype(np.float64))

    def long(self) -> "TensorBase":
        return self._cast(np.dtype(np.int64))

    def int(self) -> "TensorBase":
        return self._cast(np.dtype(np.int32))

    def bool(self) -> "TensorBase":
        return self._cast(np.dtype(np.bool_))

    def half(self) -> "TensorBase":
        return self._cast(np.dtype(np.float16))

    def type(self, dt: Any = None) -> Any:
        """``x.type()`` is torch's legacy name ("torch.LongTensor"); ``x.type(torch.float64)``,
        ``x.type(torch.LongTensor)`` or ``x.type("torch.LongTensor")`` converts."""
        if dt is None:
            return "torch." + dtypes.LEGACY_NAMES[self.array.dtype]
        if isinstance(dt, str):
            names = {f"torch.{n}": d for d, n in dtypes.LEGACY_NAMES.items()}
            if dt not in names:
                raise ValueError(f"type(): invalid type {dt!r} (use one of {sorted(names)})")
            return self._cast(names[dt])
        if isinstance(dt, type) and isinstance(getattr(dt, "dtype", None), dtypes.dtype):  # torch.LongTensor
            return self._cast(dt.dtype.numpy)
        return self.to(dt)


    def __floordiv__(self, other: Any) -> "TensorBase":
        """Integer maths (no gradient: floor division is piecewise constant)."""
        o = self._operand(other)
        o = o.array if isinstance(o, TensorBase) else o
        return self._from_array(dtypes.result_dtype(np.floor_divide(self.array, o), self.array, o))

    def __mod__(self, other: Any) -> "TensorBase":
        o = self._operand(other)
        o = o.array if isinstance(o, TensorBase) else o
        return self._from_array(dtypes.result_dtype(np.mod(self.array, o), self.array, o))


    def isnan(self) -> "TensorBase":
        return self._from_array(np.isnan(self.array))

    def isinf(self) -> "TensorBase":
        return self._from_array(np.isinf(self.array))

    def isfinite(self) -> "TensorBase":
        return self._from_array(np.isfinite(self.array))

    def equal(self, other: "TensorBase") -> bool:
        return self.array.shape == other.array.shape and bool((self.array == other.array).all())

    def allclose(self, other: "TensorBase", rtol: float = 1e-05, atol: float = 1e-08) -> bool:
        return bool(np.allclose(self.array, other.array, rtol=rtol, atol=atol))

    # --- bitwise and logical: masks combined (no gradient) -----------------------------------------
    def _bitwise(self, ufunc: Any, other: Any, name: str) -> "TensorBase":
        o = other.array if isinstance(other, TensorBase) else np.asarray(other)
        if self.array.dtype.kind == "f" or o.dtype.kind == "f":
            raise RuntimeError(f"\"{name}_cpu\" not implemented for 'Float' (&, |, ^ and ~ take bool or integer "
                               f"tensors: compare first, e.g. (x > 0) & (x < 1))")
        return self._from_array(np.asarray(ufunc(self.array, o)))

    def __and__(self, other: Any) -> "TensorBase":
        return self._bitwise(np.bitwise_and, other, "bitwise_and")

    def __or__(self, other: Any) -> "TensorBase":
        return self._bitwise(np.bitwise_or, other, "bitwise_or")

    def __xor__(self, other: Any) -> "TensorBase":
        return self._bitwise(np.bitwise_xor, other, "bitwise_xor")

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self) -> "TensorBase":
        return self._bitwise(np.invert, 0, "bitwise_not") if self.array.dtype.kind == "f" else \
            self._from_array(np.invert(self.array))

    def logical_and(self, other: Any) -> "TensorBase":
        return self._compare(np.logical_and, other)

    def logical_or(self, other: Any) -> "TensorBase":
        return self._compare(np.logical_or, other)

    def logical_xor(self, other: Any) -> "TensorBase":
        return self._compare(np.logical_xor, other)

    def logical_not(self) -> "TensorBase":
        return self._from_array(np.logical_not(self.array))

    # --- comparisons: no gradient, bool tensors ----------------------------------------------
    def _compare(self, ufunc: Any, other: Any) -> "TensorBase":
        o = other.array if isinstance(other, TensorBase) else other
        return self._from_array(np.asarray(ufunc(self.array, o)))

    def __eq__(self, other: Any) -> "TensorBase":  # type: ignore[override]
        return self._compare(np.equal, other)

    def __ne__(self, other: Any) -> "TensorBase":  # type: ignore[override]
        return self._compare(np.not_equal, other)

    def __lt__(self, other: Any) -> "TensorBase":
        return self._compare(np.less, other)

    def __le__(self, other: Any) -> "TensorBase":
        return self._compare(np.less_equal, other)

    def __gt__(self, other: Any) -> "TensorBase":
        return self._compare(np.greater, other)

    def __ge__(self, other: Any) -> "TensorBase":
        return self._compare(np.greater_equal, other)

    eq = __eq__
    ne = __ne__
    lt = __lt__
    gt = __gt__
    le = __le__
    ge = __ge__

    def all(self, dim: Any = None, keepdim: bool = False, **numpy_names: Any) -> "TensorBase":
        """True where every element (along dim) is non-zero; a bool tensor, no gradient."""
        dim, keepdim = dim_and_keepdim(dim, keepdim, numpy_names)
        return self._from_array(np.asarray(np.all(self.array, axis=dim, keepdims=keepdim)))

    def any(self, dim: Any = None, keepdim: bool = False, **numpy_names: Any) -> "TensorBase":
        """True where some element (along dim) is non-zero; a bool tensor, no gradient."""
        dim, keepdim = dim_and_keepdim(dim, keepdim, numpy_names)
        return self._from_array(np.asarray(np.any(self.array, axis=dim, keepdims=keepdim)))


    def argmax(self, dim: Any = None, keepdim: bool = False, **numpy_names: Any) -> "TensorBase":
        dim, keepdim = dim_and_keepdim(dim, keepdim, numpy_names)
        idx = np.argmax(self.array, axis=dim)
        if keepdim and dim is not None:
            idx = np.expand_dims(idx, dim)
        return self._from_array(np.asarray(idx, dtype=np.int64))

    def argmin(self, dim: Any = None, keepdim: bool = False, **numpy_names: Any) -> "TensorBase":
        dim, keepdim = dim_and_keepdim(dim, keepdim, numpy_names)
        idx = np.argmin(self.array, axis=dim)
        if keepdim and dim is not None:
            idx = np.expand_dims(idx, dim)
        return self._from_array(np.asarray(idx, dtype=np.int64))


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

    def numel(self) -> int:
        return int(np.prod(self))


class MaxResult(tuple):
    """``x.max(dim)`` returns ``(values, indices)``, also as ``.values`` / ``.indices``;
    it prints as torch's ``torch.return_types.max(values=..., indices=...)``."""

    def __new__(cls, values: Any, indices: Any, name: str = "max") -> "MaxResult":
        result = super().__new__(cls, (values, indices))
        result.name = name
        return result

    def __repr__(self) -> str:
        return f"torch.return_types.{self.name}(\nvalues={self[0]!r},\nindices={self[1]!r})"

    @property
    def values(self) -> Any:
        return self[0]

    @property
    def indices(self) -> Any:
        return self[1]


def dim_and_keepdim(dim: Any, keepdim: bool, names: dict) -> tuple:
    """``x.sum(axis=0, keepdims=True)`` (numpy's words, which torch accepts too) is
    ``x.sum(dim=0, keepdim=True)``."""
    if "axis" in names:
        dim = names.pop("axis")
    if "keepdims" in names:
        keepdim = names.pop("keepdims")
    if names:
        raise TypeError(f"unexpected keyword argument(s) {sorted(names)} (use dim= and keepdim=)")
    return dim, keepdim


def shape_arg(shape: tuple) -> tuple:
    """``view(2, 3)`` and ``view((2, 3))`` both mean the shape (2, 3)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)
