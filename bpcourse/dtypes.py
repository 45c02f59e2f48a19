"""Element types, torch's names for them, and torch's rules for the dtype of a result.

* ``float32``, ``int64``, ... print as torch's (``torch.float32``), so that a program prints the
  same text under ``import torch`` and ``import bpcourse as torch``;
* ``infer_array(data)``: Python data -> a numpy array with torch's defaults (floats are float32,
  integers int64);
* ``promote`` and ``result_dtype``: a float type beats an integer type, and a number (a 0-d
  operand) only decides the dtype if it is of a higher kind: ``int64_tensor * 0.5`` is float32,
  ``float32_tensor * 2.0`` stays float32 (numpy would say float64 for the first).
"""
from __future__ import annotations

import builtins
from typing import Any, Iterator

import numpy as np


class dtype:  # noqa: N801 - torch's name
    """A tensor element type, printed as torch prints it."""

    __slots__ = ("name", "numpy", "is_floating_point")

    def __init__(self, name: str, numpy_dtype: Any) -> None:
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.is_floating_point = self.numpy.kind == "f"

    def __repr__(self) -> str:
        return f"torch.{self.name}"


float16 = half = dtype("float16", np.float16)
float32 = float = dtype("float32", np.float32)  # noqa: A001 - torch's names
float64 = double = dtype("float64", np.float64)
int8 = dtype("int8", np.int8)
uint8 = dtype("uint8", np.uint8)
int16 = short = dtype("int16", np.int16)
int32 = int = dtype("int32", np.int32)  # noqa: A001
int64 = long = dtype("int64", np.int64)
bool = dtype("bool", np.bool_)  # noqa: A001
BY_NUMPY = {d.numpy: d for d in (float16, float32, float64, int8, uint8, int16, int32, int64, bool)}
F32 = np.dtype(np.float32)
I64 = np.dtype(np.int64)

# torch's legacy type names: x.type() == "torch.LongTensor"
LEGACY_NAMES = {
    np.dtype(np.float32): "FloatTensor", np.dtype(np.float64): "DoubleTensor",
    np.dtype(np.float16): "HalfTensor", np.dtype(np.int64): "LongTensor",
    np.dtype(np.int32): "IntTensor", np.dtype(np.int16): "ShortTensor",
    np.dtype(np.int8): "CharTensor", np.dtype(np.uint8): "ByteTensor",
    np.dtype(np.bool_): "BoolTensor",
}


def as_numpy_dtype(d: Any) -> np.dtype:
    """bpcourse dtype, numpy dtype or Python type (float, int, bool) -> numpy dtype."""
    if isinstance(d, dtype):
        return d.numpy
    if d is builtins.float:
        return F32
    if d is builtins.int:
        return I64
    if d is builtins.bool:
        return np.dtype(np.bool_)
    return np.dtype(d)


# ----- promotion ---------------------------------------------------------------------------
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def promote(d1: np.dtype, d2: np.dtype) -> np.dtype:
    """torch.promote_types: a float type beats any integer type (int64 + float32 is float32)."""
    c1, c2 = _CATEGORY[d1.kind], _CATEGORY[d2.kind]
    return d1 if c1 > c2 else d2 if c2 > c1 else np.promote_types(d1, d2)


def result_dtype(y: np.ndarray, a: np.ndarray, b: np.ndarray, true_division: builtins.bool = False) -> np.ndarray:
    """y in the dtype torch gives ``a op b``: 0-d operands (numbers, ``tensor(2.0)``) only
    decide the dtype if they are of a higher kind (bool < int < float) than the others;
    a true division of integers gives the default float32."""
    if a.dtype == b.dtype:
        return y
    if (a.ndim == 0) == (b.ndim == 0):
        dt = promote(a.dtype, b.dtype)
    else:
        dims, zero = (a.dtype, b.dtype) if b.ndim == 0 else (b.dtype, a.dtype)
        dt = zero if _CATEGORY[zero.kind] > _CATEGORY[dims.kind] else dims
    if true_division and dt.kind != "f":
        dt = F32
    return y if y.dtype == dt else y.astype(dt)


# ----- Python data -> array ------------------------------------------------------------------
def infer_array(data: Any, dt: Any = None) -> np.ndarray:
    """Python data / numpy array / Tensor -> a fresh numpy array with torch's default dtypes."""
    if hasattr(data, "grad_fn"):  # a Tensor: copy its numbers
        data = data.array
    if dt is not None:
        return np.array(_arrays_of(data), dtype=as_numpy_dtype(dt))
    if isinstance(data, np.ndarray):
        return data.copy()
    if isinstance(data, np.generic):  # a numpy number keeps its dtype: tensor(np.float64(1.5))
        return np.array(data)
    data = _arrays_of(data)
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
            defaults = {builtins.float: F32, builtins.int: I64}
            dts = [k if isinstance(k, np.dtype) else defaults.get(k, a.dtype) for k in kinds]
            result = dts[0]
            for d in dts[1:]:
                result = promote(result, d)
            a = a.astype(result)
    return a


def _arrays_of(data: Any) -> Any:
    """A list holding Tensors -> the same list holding their arrays (tensor([t1, t2]))."""
    if isinstance(data, (list, tuple)) and any(hasattr(x, "grad_fn") for x in _flat(data)):
        return [_arrays_of(x) if isinstance(x, (list, tuple)) else getattr(x, "array", x) for x in data]
    return data


def _flat(data: Any) -> Iterator:
    for x in data:
        if isinstance(x, (list, tuple)):
            yield from _flat(x)
        else:
            yield x
