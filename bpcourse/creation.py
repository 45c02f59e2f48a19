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
from bpcourse.devices import check_device
from bpcourse.dtypes import int64
from bpcourse.tensor import Tensor, _leaf, _wrap
from bpcourse.tensor_base import shape_arg as _shape_arg


# ----------------------------------------------------------------------------- creation
def tensor(data: Any, dtype: Any = None, requires_grad: bool = False,
           device: Any = None) -> Tensor:
    """Copy ``data`` into a new leaf tensor; float data becomes float32 unless ``dtype`` says."""
    check_device(device)
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
    check_device(kw.pop("device", None))
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


def full(size: Sequence[int], fill_value: Any, dtype: Any = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    check_device(device)
    t = zeros(*size, dtype=dtype, requires_grad=False)
    t.array.fill(fill_value)
    if requires_grad:
        t.requires_grad = True
    return t


def zeros_like(x: Tensor, dtype: Any = None, requires_grad: bool = False,
               device: Any = None) -> Tensor:
    check_device(device)
    return zeros(*x.array.shape, dtype=dtype or x.dtype, requires_grad=requires_grad)


def ones_like(x: Tensor, dtype: Any = None, requires_grad: bool = False,
              device: Any = None) -> Tensor:
    check_device(device)
    return ones(*x.array.shape, dtype=dtype or x.dtype, requires_grad=requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    return _shaped(lambda s, dtype: random.normal(s, 0.0, 1.0, dtype), size, dtype, requires_grad, _size_keyword(kw))


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    return _shaped(lambda s, dtype: random.uniform(s, 0.0, 1.0, dtype), size, dtype, requires_grad, _size_keyword(kw))


def randint(low: int, high: Any = None, size: Any = None, *, dtype: Any = None, requires_grad: bool = False,
            device: Any = None, generator: Any = None) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high), torch's for the same seed."""
    check_device(device)
    _no_generator(generator, "randint")
    if size is None and isinstance(high, (tuple, list)):  # randint(10, (3,)): high and size
        low, high, size = 0, low, high
    if high is None or size is None:
        raise TypeError("randint() needs a size: torch.randint(10, (3,)) or torch.randint(0, 10, (3,))")
    values = random.randint(int(low), int(high), _shape_arg(tuple(size)))
    return _leaf(values.astype(dtypes.as_numpy_dtype(dtype or int64)), requires_grad)


def randperm(n: int, *, dtype: Any = None, requires_grad: bool = False, device: Any = None,
             generator: Any = None) -> Tensor:
    """0, ..., n-1 shuffled, torch's order for the same seed."""
    check_device(device)
    _no_generator(generator, "randperm")
    return _leaf(random.randperm(int(n)).astype(dtypes.as_numpy_dtype(dtype or int64)), requires_grad)


def _no_generator(generator: Any, where: str) -> None:
    if generator is not None:
        raise NotImplementedError(f"not implemented in bpcourse: {where}(generator=...): bpcourse has one random "
                                  f"stream; call torch.manual_seed(seed) instead")


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, requires_grad: bool = False,
           device: Any = None) -> Tensor:
    check_device(device)
    if end is None:
        start, end = 0, start
    a = np.arange(start, end, step)
    a = a.astype(dtypes.as_numpy_dtype(dtype) if dtype is not None else (np.int64 if a.dtype.kind in "iu" else np.float32))
    t = _wrap(a)
    if requires_grad:
        t.requires_grad = True
    return t


def linspace(start: float, end: float, steps: int, dtype: Any = None, requires_grad: bool = False,
             device: Any = None) -> Tensor:
    """``steps`` evenly spaced numbers from start to end, computed as torch does: the first half
    start + i * step, the second half end - (steps - 1 - i) * step, each rounded once (a fused
    multiply-add), so the middle of linspace(-1, 1, 7) is -2.9802e-08, as in torch, not 0."""
    check_device(device)
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


def eye(n: int, m: Any = None, dtype: Any = None, requires_grad: bool = False,
        device: Any = None) -> Tensor:
    """The identity matrix (n x m), as torch.eye."""
    check_device(device)
    return tensor(np.eye(n, m), dtype=dtype or dtypes.float32, requires_grad=requires_grad)


def full_like(x: Tensor, fill_value: Any, dtype: Any = None, requires_grad: bool = False,
              device: Any = None) -> Tensor:
    check_device(device)
    return full(x.shape, fill_value, dtype=dtype or x.dtype, requires_grad=requires_grad)


def empty_like(x: Tensor, dtype: Any = None, requires_grad: bool = False,
               device: Any = None) -> Tensor:
    check_device(device)
    return zeros_like(x, dtype=dtype, requires_grad=requires_grad)


def rand_like(x: Tensor, dtype: Any = None, requires_grad: bool = False,
              device: Any = None) -> Tensor:
    check_device(device)
    return rand(*x.shape, dtype=dtype or x.dtype, requires_grad=requires_grad)


def randn_like(x: Tensor, dtype: Any = None, requires_grad: bool = False,
               device: Any = None) -> Tensor:
    check_device(device)
    return randn(*x.shape, dtype=dtype or x.dtype, requires_grad=requires_grad)


def normal(mean: Any, std: Any = 1.0, size: Any = None, requires_grad: bool = False,
           device: Any = None) -> Tensor:
    """``torch.normal(0, 1, (3, 4))`` or ``torch.normal(mean_tensor, std_tensor)``: torch's numbers
    for the same seed (torch draws standard normal numbers, then scales by std and adds mean)."""
    check_device(device)
    m = mean.array if isinstance(mean, Tensor) else mean
    sd = std.array if isinstance(std, Tensor) else std
    if not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        if size is None:
            raise TypeError("normal(): give size= when mean and std are numbers, e.g. torch.normal(0, 1, (3, 4))")
        return _leaf(random.normal(_shape_arg(tuple(size)), float(mean), float(std), dtypes.F32), requires_grad)
    if size is not None:
        raise TypeError("normal(): size= goes with numbers for mean and std; with tensors the shape is theirs")
    dtype = (mean if isinstance(mean, Tensor) else std).array.dtype
    shape = np.broadcast(np.asarray(m), np.asarray(sd)).shape
    if isinstance(std, Tensor):  # torch: normal_(0, 1), then * std + mean, each rounded to the dtype
        z = random.normal(shape, 0.0, 1.0, dtype) * np.asarray(sd, dtype=dtype)
    else:  # a number for std: normal_(0, std), then + mean
        z = random.normal(shape, 0.0, float(std), dtype)
    return _leaf((z + np.asarray(m, dtype=dtype)).astype(dtype), requires_grad)


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

