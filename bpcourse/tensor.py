"""Tensor: a numpy array that remembers how it was computed.

A ``Tensor`` holds its numbers in ``.array`` (a numpy array; torch's ``.data`` is another
Tensor sharing that array, as in torch), and, if it was computed from tensors that require
gradients, ``grad_fn``: the node of the op that made it, through which ``backward()``
reaches its inputs. Every maths method below is one line, ``apply(Op, ...)``, with an op from
``bpcourse/ops``, where the forward formula and its derivative sit side by side.

    >>> w = tensor([1.0], requires_grad=True)
    >>> l = (2.0 * w - 4.0) ** 2
    >>> l.backward(); w.grad
    tensor([-8.])

Semantics follow torch: float32 by default, ``requires_grad`` propagates, ``.grad``
accumulates on leaves until zeroed, backward frees saved values.
Imports run one way: dtypes, printing, random, the ops and the engine know nothing of this
file; creation functions (``creation.py``) and ``torch.autograd`` (``autograd/``) stand on it.
"""
from __future__ import annotations

import itertools
import warnings
import weakref
from typing import Any, Callable

import numpy as np

from bpcourse import dtypes, engine
from bpcourse.function import (ArrayFunction, ChangeClock, Context, RemovableHandle, ShapeError, node_class,
                               numbers_changed, shape_message)
from bpcourse.grad_mode import _grad_mode
from bpcourse.inplace import LEAF_INPLACE, InPlaceMethods, view_of, watch_saved  # noqa: F401 (LEAF_INPLACE: nn)
from bpcourse.more_methods import MoreMethods
from bpcourse.ops.elementwise import (
    Abs, Add, Cast, Ceil, Clamp, Clone, Cos, Div, Exp, Floor, Log, Maximum, Minimum, Mul, Neg, Pow, PowTensor,
    Reciprocal, Relu, Round, RPow, RSub, Sigmoid, Sign, Sin, Sqrt, Sub, Tanh, Where,
)
from bpcourse.ops.linalg import MatMul
from bpcourse.ops.reduce import CumSum, Max, Mean, Min, Norm, Sum
from bpcourse.ops.shape import Expand, Flip, Index, Permute, Squeeze, SqueezeDim, T, Transpose, Unsqueeze, View
from bpcourse.ops.softmax import LogSoftmax, Softmax
from bpcourse.printing import tensor_repr
from bpcourse.tensor_base import MaxResult, TensorBase, dim_and_keepdim, shape_arg

NON_LEAF_GRAD = (  # torch 2.13's text, word for word
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be "
    "populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf "
    "Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you "
    "access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more information. (Triggered "
    "internally at /__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)"
)
CREATE_GRAPH_CYCLE = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter and its "
    "gradient which can cause a memory leak. We recommend using autograd.grad when creating the graph to "
    "avoid this. If you have to use this function, make sure to reset the .grad fields of your parameters "
    "to None after use to break the cycle and avoid the leak."
)

# ----------------------------------------------------------------------------- apply
_creation_order = itertools.count()  # backward runs the latest op first, as torch does
_FIXED_NODE_TYPES: dict = {}  # op -> its node's class, for ops whose torch name is fixed


def apply(fn: type, *args: Any) -> "Tensor":
    """Run the op ``fn`` on ``args`` and, if an input requires grad, record it in the graph.

    The one place where the graph grows. A built-in op (``ArrayFunction``) sees the numpy
    arrays inside the tensors; a ``Function`` you write sees the Tensors (and runs without
    recording: only its own node goes into the graph).
    """
    ctx = _FIXED_NODE_TYPES.get(fn, Context)()  # the node, of torch's class if known already
    arrays, needs, record = [], [], False
    for a in args:  # one pass: the arrays for forward, which inputs need a gradient
        if isinstance(a, Tensor):
            arrays.append(a.array)
            needs.append(a._requires_grad)
            if a._requires_grad:
                record = True
        else:
            arrays.append(a)
            needs.append(False)
    ctx.needs_input_grad = needs  # a list for the built-in ops (no copy); a Function you write gets a tuple
    if fn.on_tensors:
        ctx.needs_input_grad = tuple(needs)
        arrays = args
        prev = _grad_mode.enabled
        _grad_mode.enabled = False
        try:
            out = fn.forward(ctx, *args)
        finally:
            _grad_mode.enabled = prev
        out = fn.as_output(out, args)
    else:
        try:
            result = fn.forward(ctx, *arrays)
        except ValueError as exc:
            if "broadcast" in str(exc) or "shape" in str(exc):
                raise ShapeError(shape_message(fn.__name__.lower(), arrays)) from None
            raise
        if type(result) is not np.ndarray:  # a 0-d result (a numpy scalar), saved for backward perhaps
            array = np.asarray(result)
            if ctx.saved:
                ctx.saved = tuple(array if v is result else v for v in ctx.saved)
            result = array
        out = _wrap(result)
    if record and _grad_mode.enabled and out.array.dtype.kind == "f":  # integers carry no gradient
        if type(ctx) is Context:  # named now: ops whose name depends on their arguments, or new ops
            ctx.__class__ = node_class(fn.node_name(*arrays))
            if getattr(fn.node_name, "__func__", None) is ArrayFunction.node_name.__func__:
                _FIXED_NODE_TYPES[fn] = type(ctx)
        ctx.fn = fn
        ctx.inputs = args
        ctx.seq = next(_creation_order)
        saved = ctx.saved
        if saved:  # remember the versions of what was saved: backward checks nobody changed it
            ctx.versions = watch_saved(saved, args, arrays, out)
            ctx.watched_at = ChangeClock.ticks
        out.grad_fn = ctx
        out._requires_grad = True
    return out


def _wrap(array: np.ndarray) -> "Tensor":
    """Make a Tensor around an existing array (no copy, no history): the engine's constructor."""
    t = object.__new__(Tensor)
    t.array = array
    t._requires_grad = False
    t._grad = None
    t.grad_fn = None
    t.label = ""
    t._retains_grad = False
    t._version_counter = None  # made on the first in-place change or share (inplace.VersionCounter)
    t._hooks = None
    return t


def _leaf(array: np.ndarray, requires_grad: bool) -> "Tensor":
    t = _wrap(array)
    if requires_grad:
        t.requires_grad = True
    return t


def where(condition: "Tensor", x: Any, y: Any) -> "Tensor":
    """x where condition holds, else y (the gradient goes to the one that was picked)."""
    mask = condition.array if isinstance(condition, Tensor) else np.asarray(condition)
    if mask.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{dtypes.BY_NUMPY.get(mask.dtype, mask.dtype)} (use condition > 0 or .bool())")
    if not isinstance(x, Tensor) and not isinstance(y, Tensor):
        x = _wrap(np.asarray(x, dtype=np.float32 if isinstance(x, float) else None))
    if isinstance(x, Tensor):
        y = x._operand(y)
    else:
        x = y._operand(x)
    out = apply(Where, mask, x, y)
    xa, ya = getattr(x, "array", x), getattr(y, "array", y)
    if xa.dtype != ya.dtype:
        out.array = dtypes.result_dtype(out.array, xa, ya)
    return out


# ----------------------------------------------------------------------------- Tensor
class Tensor(TensorBase, InPlaceMethods, MoreMethods):
    """An n-dimensional array with autograd, with torch's names.

    ``Tensor([1.0])`` (like ``torch.Tensor``) always makes float32; prefer ``tensor(data)``,
    which keeps integers as int64 and accepts ``dtype=`` and ``requires_grad=``.
    """

    __slots__ = ()
    torch_name = "torch.Tensor"

    def __init__(self, *data: Any) -> None:
        if len(data) == 1 and not isinstance(data[0], int):
            array = np.array(data[0].array if isinstance(data[0], Tensor) else data[0], dtype=np.float32)
        else:  # Tensor(2, 3): a (zero-filled) tensor of that shape, as torch.Tensor(2, 3)
            array = np.zeros(tuple(data) if data else (0,), dtype=np.float32)
        self.array = array
        self._requires_grad = False
        self._grad = None
        self.grad_fn = None
        self.label = ""
        self._retains_grad = False
        self._version_counter = None
        self._hooks = None

    # --- autograd attributes ------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None and not value:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if value and self.array.dtype.kind != "f":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients "
                f"(this one is {self.dtype}; make it with a float, e.g. torch.tensor([1.0, 2.0]), or call .float())"
            )
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self) -> "Tensor | None":
        """dL/dself after backward (a leaf's, or a non-leaf's that called retain_grad())."""
        if self.grad_fn is not None and not self._retains_grad:
            warnings.warn(NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: "Tensor | None") -> None:
        self._grad = value

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor too after backward (leaves always keep it)."""
        if self.grad_fn is not None:
            self._retains_grad = True
            self.grad_fn.retained = weakref.ref(self)  # weak: the node must not keep its output alive

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook: Callable) -> "RemovableHandle":
        """Call ``hook(grad)`` when this tensor's gradient is computed, before it is used or
        accumulated into ``.grad``; if the hook returns a tensor, that replaces the gradient.
        ``handle = x.register_hook(fn)``; ``handle.remove()`` takes it off again."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            if self.grad_fn.hooks is None:
                self.grad_fn.hooks = {}
            hooks = self.grad_fn.hooks
        else:
            if getattr(self, "_hooks", None) is None:
                self._hooks = {}
            hooks = self._hooks
            engine.watch_leaf_hooks(self)  # backward takes its general loop while self lives
        return RemovableHandle(hooks, hook)

    def backward(self, gradient: Any = None, retain_graph: bool | None = None, create_graph: bool = False,
                 inputs: Any = None) -> None:
        """Fill ``.grad`` of every leaf this tensor depends on (the backward pass: ``engine.py``).

        ``gradient`` is dL/dself for a tensor that is not a single number; ``retain_graph=True``
        keeps the saved values for another backward; ``create_graph=True`` records the backward
        pass too, so that ``.grad`` can be differentiated again; ``inputs`` limits which leaves
        get a ``.grad``."""
        if create_graph:
            warnings.warn(CREATE_GRAPH_CYCLE, UserWarning, stacklevel=2)
        if gradient is None and self.array.size == 1 and self._requires_grad:
            seed = np.empty(self.array.shape, self.array.dtype)  # dL/dL = 1 (empty + fill: half np.ones's time)
            seed.fill(1)
        else:
            seed = engine.initial_gradient(self, gradient, "backward", _wrap)
        targets = None if inputs is None else ([inputs] if isinstance(inputs, Tensor) else list(inputs))
        engine.backward([self], [seed], _wrap, retain_graph=create_graph if retain_graph is None else retain_graph,
                        create_graph=create_graph, inputs=targets, accumulate=True)

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
        numbers_changed()  # a node that saved this tensor reads the new numbers (function.check_versions)

    def detach(self) -> "Tensor":
        """The same numbers without history. Unlike ``.data`` it shares the version counter, so
        changing it in place is noticed by a backward that saved this tensor (as in torch)."""
        t = _wrap(self.array)
        t._version_counter = self._shared_version_counter()
        return t

    def detach_(self) -> "Tensor":
        self.grad_fn = None
        self._requires_grad = False
        return self

    def _apply(self, fn: type, *args: Any) -> "Tensor":
        """``apply(fn, *args)``, reached through a tensor (ops/maths.py's ``run`` uses it)."""
        return apply(fn, *args)

    def _cast(self, dt: np.dtype | None) -> "Tensor":
        """A converted copy; the tensor itself if it already has that dtype (as in torch)."""
        return self if dt is None or dt == self.array.dtype else apply(Cast, self, dt)

    def _from_array(self, array: np.ndarray) -> "Tensor":
        return _wrap(array)

    def clone(self) -> "Tensor":
        return apply(Clone, self)

    # --- operands -----------------------------------------------------------------------------
    def _operand(self, other: Any) -> Any:
        """A Python number or array becomes a 0-d array of this tensor's dtype (as torch wraps
        numbers: ``x * 0.5`` stays float32)."""
        if isinstance(other, Tensor):
            return other
        dt = self.array.dtype
        if dt.kind != "f" and isinstance(other, float):
            dt = dtypes.F32
        elif dt.kind == "b" and isinstance(other, int) and not isinstance(other, bool):
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
        return apply(Reciprocal, self) * other  # as torch: 2 / x is reciprocal(x) * 2

    def __neg__(self) -> "Tensor":
        return apply(Neg, self)

    def __pow__(self, exponent: Any) -> "Tensor":
        if isinstance(exponent, Tensor):
            return _binary(PowTensor, self, exponent)
        if self.array.dtype.kind != "f":  # torch: int ** 0.5 is float32 (numpy's: float64)
            return _binary(Pow, self, self._operand(exponent))
        return apply(Pow, self, exponent)

    def __rpow__(self, base: Any) -> "Tensor":
        return _binary(RPow, self._operand(base), self)  # 2.5 ** int_tensor is float32 in torch

    def __matmul__(self, other: Any) -> "Tensor":
        return apply(MatMul, self, other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return apply(MatMul, other, self)

    def __abs__(self) -> "Tensor":
        return apply(Abs, self)

    mul = __mul__
    neg = __neg__
    pow = __pow__
    matmul = __matmul__

    def mm(self, mat2: "Tensor") -> "Tensor":
        """Matrix (n, m) times matrix (m, p); for other shapes use matmul."""
        if self.array.ndim != 2 or _dims(mat2) != 2:
            raise RuntimeError(f"mm: self must be a matrix (got {self.array.ndim}D) and mat2 must be a "
                               f"matrix (got {_dims(mat2)}D); use torch.matmul for other shapes")
        return apply(MatMul, self, mat2)
    abs = __abs__

    def reciprocal(self) -> "Tensor":
        return apply(Reciprocal, self)

    def exp(self) -> "Tensor":
        return apply(Exp, self)

    def log(self) -> "Tensor":
        return apply(Log, self)

    def sqrt(self) -> "Tensor":
        return apply(Sqrt, self)

    def sin(self) -> "Tensor":
        return apply(Sin, self)

    def cos(self) -> "Tensor":
        return apply(Cos, self)

    def sigmoid(self) -> "Tensor":
        return apply(Sigmoid, self)

    def tanh(self) -> "Tensor":
        return apply(Tanh, self)

    def relu(self) -> "Tensor":
        return apply(Relu, self)

    def clamp(self, min: Any = None, max: Any = None) -> "Tensor":  # noqa: A002
        return apply(Clamp, self, min, max)

    clip = clamp

    # --- composites, built from the ops above ---------------------------------------------
    def square(self) -> "Tensor":
        return self * self

    def rsqrt(self) -> "Tensor":
        return self.sqrt().reciprocal()

    def var(self, dim: Any = None, unbiased: bool = True, keepdim: bool = False,
            correction: Any = None) -> "Tensor":
        """sum (x - mean)^2 / (n - 1) (torch's default; unbiased=False divides by n)."""
        d = self - self.mean(dim, keepdim=True)
        n = self.array.size if dim is None else np.prod([self.array.shape[i] for i in np.atleast_1d(dim)])
        c = (1 if unbiased else 0) if correction is None else correction
        return _torch_named((d * d).sum(dim, keepdim) / (n - c), "VarBackward0")

    def std(self, dim: Any = None, unbiased: bool = True, keepdim: bool = False,
            correction: Any = None) -> "Tensor":
        return _torch_named(self.var(dim, unbiased, keepdim, correction).sqrt(), "StdBackward0")

    def softmax(self, dim: int) -> "Tensor":
        return apply(Softmax, self, dim)

    def log_softmax(self, dim: int) -> "Tensor":
        return apply(LogSoftmax, self, dim)

    # --- step functions: their derivative is 0 almost everywhere -----------------------------
    def sign(self) -> "Tensor":
        return apply(Sign, self)

    def floor(self) -> "Tensor":
        return apply(Floor, self)

    def ceil(self) -> "Tensor":
        return apply(Ceil, self)

    def round(self, decimals: int = 0) -> "Tensor":
        return apply(Round, self, decimals)

    def maximum(self, other: "Tensor") -> "Tensor":
        return _binary(Maximum, self, self._operand(other))

    def minimum(self, other: "Tensor") -> "Tensor":
        return _binary(Minimum, self, self._operand(other))

    def where(self, condition: "Tensor", other: Any) -> "Tensor":
        """self where condition holds, else other (torch.where(condition, self, other))."""
        return where(condition, self, other)

    # --- reductions (ops/reduce.py) --------------------------------------------------------------
    def sum(self, dim: Any = None, keepdim: bool = False, **numpy_names: Any) -> "Tensor":
        dim, keepdim = dim_and_keepdim(dim, keepdim, numpy_names)
        return apply(Sum, self, dim, keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False, **numpy_names: Any) -> "Tensor":
        dim, keepdim = dim_and_keepdim(dim, keepdim, numpy_names)
        return apply(Mean, self, dim, keepdim)

    def max(self, dim: Any = None, keepdim: bool = False, **numpy_names: Any) -> Any:
        """The largest element; with ``dim``, ``(values, indices)`` along that dim.
        (``max(a, b)`` elementwise is ``torch.maximum(a, b)``.)"""
        dim, keepdim = dim_and_keepdim(dim, keepdim, numpy_names)
        if isinstance(dim, Tensor):
            raise TypeError("max(other): for the elementwise maximum of two tensors use torch.maximum(a, b)")
        if dim is None:
            return apply(Max, self, None, False)
        values = apply(Max, self, dim, keepdim)
        return MaxResult(values, self.argmax(dim, keepdim), "max")

    def min(self, dim: Any = None, keepdim: bool = False, **numpy_names: Any) -> Any:
        """The smallest element; with ``dim``, ``(values, indices)`` along that dim."""
        dim, keepdim = dim_and_keepdim(dim, keepdim, numpy_names)
        if isinstance(dim, Tensor):
            raise TypeError("min(other): for the elementwise minimum of two tensors use torch.minimum(a, b)")
        if dim is None:
            return apply(Min, self, None, False)
        values = apply(Min, self, dim, keepdim)
        return MaxResult(values, self.argmin(dim, keepdim), "min")

    def cumsum(self, dim: int | None = None, **numpy_names: Any) -> "Tensor":
        """Running sums along dim: y_i = x_0 + ... + x_i."""
        dim, _ = dim_and_keepdim(dim, False, numpy_names)
        if dim is None:
            raise TypeError("cumsum() needs dim (e.g. x.cumsum(0) or x.cumsum(dim=0))")
        return apply(CumSum, self, dim)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> "Tensor":
        """The 2-norm sqrt(sum x^2) (p=1: the sum of |x|)."""
        if p in ("fro", 2, 2.0):
            return apply(Norm, self, dim, keepdim)
        if p in (1, 1.0):
            return self.abs().sum(dim, keepdim)
        raise NotImplementedError(f"norm: p={p!r} is not supported by bpcourse (p=2 or p=1; "
                                  f"for others write (x.abs() ** p).sum() ** (1 / p))")

    def dot(self, other: "Tensor") -> "Tensor":
        """The inner product of two 1-D tensors."""
        if self.array.ndim != 1 or _dims(other) != 1:
            raise RuntimeError(f"dot: 1D tensors expected, but got {self.array.ndim}D and {_dims(other)}D "
                               f"tensors (for matrices use torch.matmul / @)")
        return apply(MatMul, self, other)

    def mv(self, vec: "Tensor") -> "Tensor":
        """Matrix (n, m) times vector (m,)."""
        if self.array.ndim != 2 or _dims(vec) != 1:
            raise RuntimeError(f"mv: expected a matrix and a vector, got {self.array.ndim}D and {_dims(vec)}D "
                               f"tensors (use torch.matmul for other shapes)")
        return apply(MatMul, self, vec)

    # --- shapes (ops/shape.py) -------------------------------------------------------------------
    # A view shares this tensor's numbers and version counter (inplace.view_of), as torch's views do.
    def reshape(self, *shape: Any) -> "Tensor":
        return view_of(self, apply(View, self, shape_arg(shape)))  # a copy if the numbers must move

    def view(self, *shape: Any) -> "Tensor":
        """The same numbers with another shape, never a copy: torch refuses when the numbers would
        have to move (x.t().view(-1)), and so does bpcourse; reshape copies then."""
        return _no_copy(self, view_of(self, apply(View, self, shape_arg(shape))))

    def view_as(self, other: "Tensor") -> "Tensor":
        return _no_copy(self, view_of(self, apply(View, self, other.array.shape)))

    def contiguous(self) -> "Tensor":
        """self if its numbers lie in row-major order, else a row-major copy (recorded, as torch's clone)."""
        return self if self.array.flags.c_contiguous else apply(Clone, self)

    reshape_as = view_as

    def expand_as(self, other: "Tensor") -> "Tensor":
        return view_of(self, apply(Expand, self, other.array.shape))

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        s = self.array.shape
        if not s:
            return apply(View, self, (1,))
        end = end_dim % len(s)
        start = start_dim % len(s)
        if start >= end:
            return self  # nothing to flatten: torch returns the tensor itself
        return view_of(self, apply(View, self, s[:start] + (-1,) + s[end + 1:]))

    def unsqueeze(self, dim: int) -> "Tensor":
        s = list(self.array.shape)
        s.insert(dim % (len(s) + 1), 1)
        return view_of(self, apply(Unsqueeze, self, tuple(s)))

    def squeeze(self, dim: Any = None) -> "Tensor":
        s = self.array.shape
        if dim is None:
            new = tuple(n for n in s if n != 1)
        else:
            d = dim % len(s) if s else 0
            new = s if not s or s[d] != 1 else s[:d] + s[d + 1:]
        return view_of(self, apply(Squeeze if dim is None else SqueezeDim, self, new))

    def transpose(self, dim0: int, dim1: int) -> "Tensor":
        return view_of(self, apply(Transpose, self, dim0, dim1))

    def t(self) -> "Tensor":
        return view_of(self, apply(T, self))

    def permute(self, *dims: Any) -> "Tensor":
        return view_of(self, apply(Permute, self, shape_arg(dims)))

    @property
    def T(self) -> "Tensor":  # noqa: N802 - torch's name
        return view_of(self, apply(Permute, self, tuple(range(self.array.ndim - 1, -1, -1))))

    def expand(self, *shape: Any) -> "Tensor":
        shape = shape_arg(shape)
        old = (None,) * (len(shape) - self.array.ndim) + tuple(self.array.shape)  # aligned from the right
        shape = tuple(m if n == -1 else n for n, m in zip(shape, old))
        return view_of(self, apply(Expand, self, shape))

    def flip(self, *dims: Any) -> "Tensor":
        return apply(Flip, self, shape_arg(dims))

    def __getitem__(self, index: Any) -> "Tensor":
        return view_of(self, apply(Index, self, _index_arg(index)))  # x[0], x[1:]: views; x[[0, 2]]: a copy

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



VIEW_NEEDS_COPY = ("view size is not compatible with input tensor's size and stride (at least one dimension "
                   "spans across two contiguous subspaces). Use .reshape(...) instead.")


def _no_copy(x: Tensor, out: Tensor) -> Tensor:
    """out, a view of x; torch's error if numpy had to copy (x not contiguous: x.t(), x[:, :2], x.expand)."""
    if not x.array.flags.c_contiguous and out.array.size and not np.may_share_memory(out.array, x.array):
        raise RuntimeError(VIEW_NEEDS_COPY)
    return out


def _binary(op: type, a: Any, b: Any) -> Tensor:
    """``a op b`` with torch's result dtype (numpy promotes int64 * float32 to float64, torch
    keeps float32): the op computes, then the result takes torch's dtype if numpy's differs."""
    out = apply(op, a, b)
    a_arr = a.array if isinstance(a, Tensor) else a
    b_arr = b.array if isinstance(b, Tensor) else b
    if a_arr.dtype != b_arr.dtype:
        out.array = dtypes.result_dtype(out.array, a_arr, b_arr, true_division=op is Div)
    return out


def _torch_named(t: Tensor, name: str) -> Tensor:
    """A composite (var = a few ops) shows torch's one-node name in ``grad_fn=<...>``; the graph
    underneath, which backward walks, is still the composite's."""
    if t.grad_fn is not None:
        t.grad_fn.__class__ = node_class(name)
    return t


def _dims(x: Any) -> int:
    return x.array.ndim if isinstance(x, Tensor) else np.ndim(x)


def _index_arg(index: Any) -> Any:
    """Tensors used as indices become their arrays."""
    if isinstance(index, Tensor):
        return index.array
    if isinstance(index, tuple):
        return tuple(i.array if isinstance(i, Tensor) else i for i in index)
    return index


