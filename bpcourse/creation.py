"""Creation functions: new leaf tensors from data, shapes and random numbers.

``tensor(data)`` copies data (floats become float32, integers int64, as in torch);
``zeros``/``ones``/``full``/``empty`` take a shape as ``zeros(2, 3)``, ``zeros((2, 3))`` or
``zeros(size=(2, 3))``; ``rand``/``randn``/``randint``/``randperm`` draw from bpcourse's
generator (``random.py``); ``from_numpy`` shares the array's memory. ``FloatTensor`` and the
other legacy types are here too: ``torch.LongTensor([1, 2])``.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from bpcourse import dtypes, random
from bpcourse.dtypes import int64
from bpcourse.tensor import Tensor, _leaf, _wrap
from bpcourse.tensor_base import shape_arg as _shape_arg


# ----------------------------------------------------------------------------- creation
def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Copy ``data`` into a new leaf tensor; float data becomes float32 unless ``dtype`` says."""
    return _leaf(dtypes.infer_array(data, dtype), requires_grad)


def _shaped(fill: Any, size: tuple, dtype: Any, requires_grad: bool, size_kw: Any = None) -> Tensor:
    if size_kw is not None:  # zeros(size=(2, 3)), as d2l writes it
        if size:
            raise TypeError("give the shape once: zeros(2, 3) or zeros(size=(2, 3))")
        size = (tuple(size_kw),)
    t = _wrap(fill(_shape_arg(size), dtype=dtypes.as_numpy_dtype(dtype) if dtype is not None else dtypes.F32))
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


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    return _shaped(np.zeros, size, dtype, requires_grad, _size_keyword(kw))


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    return _shaped(np.ones, size, dtype, requires_grad, _size_keyword(kw))


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    return _shaped(np.zeros, size, dtype, requires_grad, _size_keyword(kw))


def full(size: Sequence[int], fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    t = zeros(*size, dtype=dtype, requires_grad=False)
    t.array.fill(fill_value)
    if requires_grad:
        t.requires_grad = True
    return t


def zeros_like(x: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros(*x.array.shape, dtype=dtype or x.dtype, requires_grad=requires_grad)


def ones_like(x: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return ones(*x.array.shape, dtype=dtype or x.dtype, requires_grad=requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    return _shaped(lambda s, dtype: random.generator().standard_normal(s).astype(dtype), size, dtype, requires_grad,
                   _size_keyword(kw))


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    return _shaped(lambda s, dtype: random.uniform(s, 0.0, 1.0, dtype), size, dtype, requires_grad, _size_keyword(kw))


def randint(low: int, high: Any = None, size: tuple = (), dtype: Any = None) -> Tensor:
    if high is None:
        low, high = 0, low
    return _wrap(random.generator().integers(low, high, size=size).astype(dtypes.as_numpy_dtype(dtype or int64)))


def randperm(n: int) -> Tensor:
    return _wrap(random.generator().permutation(n).astype(np.int64))


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    a = np.arange(start, end, step)
    a = a.astype(dtypes.as_numpy_dtype(dtype) if dtype is not None else (np.int64 if a.dtype.kind in "iu" else np.float32))
    t = _wrap(a)
    if requires_grad:
        t.requires_grad = True
    return t


def linspace(start: float, end: float, steps: int, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced numbers from start to end, computed as torch does: the first half
    start + i * step, the second half end - (steps - 1 - i) * step, each rounded once (a fused
    multiply-add), so the middle of linspace(-1, 1, 7) is -2.9802e-08, as in torch, not 0."""
    dt = dtypes.as_numpy_dtype(dtype) if dtype is not None else dtypes.F32
    if steps < 2 or dt not in (dtypes.F32, np.dtype(np.float64)):  # (float16, integers: numpy's way)
        return _leaf(np.linspace(start, end, steps).astype(dt), requires_grad)
    s, e = dt.type(start), dt.type(end)
    step = dt.type(dt.type(e - s) / dt.type(steps - 1))
    wide = np.float64 if dt == dtypes.F32 else np.longdouble  # exact products, one rounding at the end
    i = np.arange(steps, dtype=wide)
    half = steps // 2
    first = wide(s) + wide(step) * i[:half]
    second = wide(e) - wide(step) * (steps - 1 - i[half:])
    return _leaf(np.concatenate([first, second]).astype(dt), requires_grad)


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


def is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


def eye(n: int, m: Any = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The identity matrix (n x m), as torch.eye."""
    return tensor(np.eye(n, m), dtype=dtype or dtypes.float32, requires_grad=requires_grad)


def full_like(x: Tensor, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return full(x.shape, fill_value, dtype=dtype or x.dtype, requires_grad=requires_grad)


def empty_like(x: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros_like(x, dtype=dtype, requires_grad=requires_grad)


def rand_like(x: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return rand(*x.shape, dtype=dtype or x.dtype, requires_grad=requires_grad)


def randn_like(x: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(*x.shape, dtype=dtype or x.dtype, requires_grad=requires_grad)


def normal(mean: Any, std: Any = 1.0, size: Any = None, requires_grad: bool = False) -> Tensor:
    """``torch.normal(0, 1, (3, 4))`` or ``torch.normal(mean_tensor, std_tensor)``: random
    numbers from bpcourse's generator (not torch's: set ``manual_seed`` for repeatable runs)."""
    m = mean.array if isinstance(mean, Tensor) else mean
    sd = std.array if isinstance(std, Tensor) else std
    shape = tuple(size) if size is not None else np.broadcast(np.asarray(m), np.asarray(sd)).shape
    if size is None and not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        raise TypeError("normal(): give size= when mean and std are numbers, e.g. torch.normal(0, 1, (3, 4))")
    return tensor(random.generator().normal(m, sd, shape), dtype=dtypes.float32, requires_grad=requires_grad)


# ----- legacy tensor types ----------------------------------------------------------------------
class _LegacyTensorType(type):
    """``torch.LongTensor([1, 2])`` makes an int64 tensor, ``torch.FloatTensor(2, 3)`` a (2, 3)
    float32 one (zeros here; torch leaves it uninitialised). ``isinstance(x, torch.LongTensor)``
    checks the dtype."""

    def __call__(cls, *data: Any) -> Tensor:
        if len(data) == 1 and not isinstance(data[0], int):
            return tensor(data[0], dtype=cls.dtype)
        return zeros(*data, dtype=cls.dtype)

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.array.dtype == cls.dtype.numpy

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


def _legacy_type(name: str, dtype: dtypes.dtype) -> type:
    return _LegacyTensorType(name, (), {"dtype": dtype, "__module__": __name__})


FloatTensor = _legacy_type("FloatTensor", dtypes.float32)
DoubleTensor = _legacy_type("DoubleTensor", dtypes.float64)
HalfTensor = _legacy_type("HalfTensor", dtypes.float16)
LongTensor = _legacy_type("LongTensor", dtypes.int64)
IntTensor = _legacy_type("IntTensor", dtypes.int32)
ShortTensor = _legacy_type("ShortTensor", dtypes.int16)
CharTensor = _legacy_type("CharTensor", dtypes.int8)
ByteTensor = _legacy_type("ByteTensor", dtypes.uint8)
BoolTensor = _legacy_type("BoolTensor", dtypes.bool)

