"""In-place changes (``x += 1``, ``x[0] = 5``, ``x.zero_()``) and the version counter that guards them.

backward reads the values forward saved (exp saves its output, ``a * b`` saves b for a's
gradient). Changed in place in between, they would give a wrong gradient without a word, so each
tensor counts its in-place changes, and backward refuses to run if a saved value's count moved
(``function.check_versions``), with torch's message:

    >>> y = x.exp(); y.add_(1); y.sum().backward()
    RuntimeError: one of the variables needed for gradient computation has been modified by an
    inplace operation: [torch.FloatTensor [3]], which is output 0 of Exp, is at version 1; ...

Tensors that share their numbers share one counter, as in torch: ``x``, ``x.detach()`` and the
views ``x[0]``, ``x.view(...)``, ``x.t()``, ``x.T``. ``x.data`` shares the numbers but gets a
counter of its own: a change through it goes unnoticed, which is how ``.data`` can silently
corrupt a gradient (notebook 07). Only the values an op saves are checked (``w * 2`` saves just
the 2), so ``with torch.no_grad(): w -= lr * w.grad`` between two backwards is fine, as in torch.

Inside a graph an in-place op is recorded like any op: the old value becomes the input of the
new node, and the tensor stands for the result from then on (torch "rebases" the history). Ops
that used the tensor before keep reading its old value (``engine._made_by``); a change of a slice
(``h[0] += 1``) or of any other view (``h.t()``, ``h.view(...)``) is written back into its base,
as torch's CopySlices.
"""
from __future__ import annotations

import warnings
import weakref
from typing import Any

import numpy as np

from bpcourse import random
from bpcourse.function import VIEW_NODES, node_class, numbers_changed
from bpcourse.grad_mode import _grad_mode
from bpcourse.ops.elementwise import Abs, Add, Clamp, Div, Exp, Log, Mul, Neg, Relu, Sigmoid, Sqrt, Sub, Tanh, Where
from bpcourse.ops.maths import exact_scaled_sum
from bpcourse.ops.shape import Expand, Index, IndexBackward, _is_basic
from bpcourse.tensor_base import TensorBase

LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_INPLACE = "a view of a leaf Variable that requires grad is being used in an in-place operation."


class VersionCounter:
    """How many times some numbers have been changed in place; shared by every tensor that
    shares those numbers (a tensor, its views and its ``detach()``), never by ``.data``.
    ``views``: weak references to the views of a tensor in the graph, oldest first (None if none):
    when the tensor changes in place, each view is re-made from it, as torch does."""

    __slots__ = ("value", "views")

    def __init__(self, value: int = 0) -> None:
        self.value = value
        self.views = None
        if value:
            numbers_changed()


def watch_saved(saved: tuple, args: tuple, arrays: list, out: Any) -> tuple | None:
    """What backward must find unchanged: for each saved input or output (the values an op's
    derivative reads), ``(its version counter, its version now, position in saved, position in
    args or -1 for the output)``. Values computed inside forward cannot be changed from outside,
    and an input the op did not save may change freely, as in torch. ``arrays[i]`` is what
    forward saw of ``args[i]`` (the array of a Tensor; a Function you write sees the Tensor).

    This runs for every recorded op that saves, so an input without a counter yet (at version
    0, the common case) gets ``None`` instead of a new counter: ``check_versions`` finds its
    counter then, through ``ctx.inputs[i]`` (a tensor keeps its counter once it has one)."""
    watched = None
    n = len(arrays)
    k = -1
    for v in saved:
        k += 1
        if v is None:
            continue
        if k < n and v is arrays[k]:  # ops mostly save their inputs in order: mul saves (a, b)
            tensor, i = args[k], k
        elif v is out.array or v is out:
            tensor, i = out, -1
        else:
            for i, a in enumerate(arrays):
                if v is a:
                    tensor = args[i]
                    break
            else:
                continue  # computed in forward: nobody else can change it
        if tensor is v and (type(v) is np.ndarray or not isinstance(v, TensorBase)):
            continue  # an array or number passed as it is, not a tensor
        counter = tensor._version_counter
        if counter is None and i < 0:  # the output: ctx cannot hold out itself (out.grad_fn is ctx: a cycle)
            counter = out._version_counter = VersionCounter()
        entry = ((counter, 0 if counter is None else counter.value, k, i),)
        watched = entry if watched is None else watched + entry  # (one or two entries: a tuple is cheapest)
    return watched


def view_of(base: Any, out: Any) -> Any:
    """out shares base's numbers (numpy made a view, not a copy): it shares the version counter
    too, so that an in-place change through either is seen by a backward that saved the other.
    A view in the graph of a computed tensor is remembered, to be re-made if that tensor changes."""
    if out is not base and np.may_share_memory(out.array, base.array):
        counter = out._version_counter = base._shared_version_counter()
        if out.grad_fn is not None and base.grad_fn is not None:  # (a leaf's views: it cannot change in a graph)
            views = counter.views
            if views is None:
                counter.views = [weakref.ref(out)]
            else:
                views.append(weakref.ref(out))
                if len(views) % 64 == 0:  # drop the views that are gone (a long loop of x[i] on one tensor)
                    views[:] = [v for v in views if v() is not None]
    return out


def _remake_views(counter: VersionCounter) -> None:
    """The tensor whose numbers these views show changed in place in the graph: each view (oldest
    first, so a view of a view finds its own base re-made) becomes that view of the new value (torch
    shows it as AsStridedBackward0); ops that used a view before keep its old value."""
    for ref in counter.views:
        view = ref()
        if view is None or view.grad_fn is None:
            continue
        node = view.grad_fn
        old = view._old_value()
        view.grad_fn = view._apply(node.fn, *node.inputs).grad_fn
        view.grad_fn.__class__ = node_class("AsStridedBackward0")
        view.grad_fn.rebased_from = old


def view_base(t: Any) -> Any:
    """The tensor t is a view of, if a view op in the graph made t (x[0], x.t(), x.view(...))."""
    ctx = t.grad_fn
    if ctx is None or ctx.name() not in VIEW_NODES:
        return None
    base = ctx.inputs[0]
    return base if np.may_share_memory(t.array, base.array) else None


def _deprecated_alpha_first(name: str, other: Any, args: tuple, alpha: Any) -> tuple:
    """torch still takes the old order ``p.add_(-lr, grad)`` (alpha first), with a warning."""
    if not args:
        return other, alpha
    if len(args) > 1 or not isinstance(other, (int, float)) or not isinstance(args[0], TensorBase):
        raise TypeError(f"{name}() takes (other, *, alpha=1): got {len(args) + 1} positional arguments")
    warnings.warn(f"This overload of {name} is deprecated:\n\t{name}(Number alpha, Tensor other)\nConsider using "
                  f"one of the following signatures instead:\n\t{name}(Tensor other, *, Number alpha = 1)",
                  UserWarning, stacklevel=3)
    return args[0], other


class InPlaceMethods:
    """The in-place methods of ``Tensor``: each writes into ``.array`` and moves the version."""

    __slots__ = ()

    @property
    def _version(self) -> int:
        """How many in-place changes these numbers have had (torch's ``x._version``)."""
        counter = self._version_counter
        return 0 if counter is None else counter.value

    @_version.setter
    def _version(self, value: int) -> None:  # x._version += 1: an in-place change made on .array
        try:
            counter = self._version_counter
        except AttributeError:  # unset: a tensor pickled before version counters is being loaded
            counter = None
        if counter is None:
            self._version_counter = VersionCounter(value)
        else:
            counter.value = value
            numbers_changed()

    def __getstate__(self) -> tuple:
        """Pickled (torch.save, copy.deepcopy) without its counter: a loaded tensor starts at version 0."""
        _, slots = super().__getstate__()
        slots["_version_counter"] = None
        return None, slots

    def _shared_version_counter(self) -> VersionCounter:
        """This tensor's counter, made now if it has none yet (most tensors never need one, and
        every op makes a tensor: a counter each would cost every op)."""
        counter = self._version_counter
        if counter is None:
            counter = self._version_counter = VersionCounter()
        return counter

    def _bump_version(self) -> None:
        """Count one in-place change (seen by every tensor sharing these numbers)."""
        counter = self._version_counter
        if counter is None:
            self._version_counter = VersionCounter(1)
        else:
            counter.value += 1
            numbers_changed()

    # --- in a graph or not ------------------------------------------------------------------
    def _records_inplace(self, other: Any = None) -> bool:
        """True if an in-place change of self must go into the graph (gradients are on and self
        or other requires grad); raises where torch refuses the change."""
        if not _grad_mode.enabled:
            return False
        if not (self._requires_grad or (isinstance(other, TensorBase) and other._requires_grad)):
            return False
        self._check_inplace()
        return True

    def _check_inplace(self) -> None:
        if self.grad_fn is None and self._requires_grad:
            raise RuntimeError(LEAF_INPLACE)
        base = view_base(self)
        if base is not None and base.grad_fn is None and base._requires_grad:
            raise RuntimeError(VIEW_OF_LEAF_INPLACE)
        if base is not None and self.grad_fn.fn is Expand:
            raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                               "single memory location. Please clone() the tensor before performing the operation.")

    def _old_value(self) -> Any:
        """self before an in-place change, as the input of the node that records the change."""
        old = self._from_array(self.array)
        old._requires_grad, old.grad_fn, old.label = self._requires_grad, self.grad_fn, self.label
        return old

    def _rebase(self, new: Any, old: Any) -> Any:
        """self becomes new (a recorded in-place change), as torch "rebases" the history: the
        numbers are overwritten where they are (views and detached copies see them), the version
        moves, and self's grad_fn is the new node, whose input is the old value."""
        if new.array.shape != self.array.shape:
            raise RuntimeError(f"output with shape {list(self.array.shape)} doesn't match the broadcast shape "
                               f"{list(new.array.shape)} (an in-place op cannot grow its tensor; use x = x + y)")
        ctx = new.grad_fn
        if ctx is not None:  # ops that used self before keep reading its old value (engine._made_by)
            ctx.rebased_from = old
        if ctx is not None and ctx.saved and any(v is old.array for v in ctx.saved):
            kept = old.array.copy()  # the node keeps the old numbers it saved (torch saves a copy too)
            ctx.saved = tuple(kept if v is old.array else v for v in ctx.saved)
            old.array = kept
            numbers_changed()
        base = view_base(self)
        if base is not None:  # self is a view of base (x[0], x.t(), x.view(...)): torch's CopySlices
            self._write_through(base, new, old)
            return self
        self.array[...] = new.array
        self._bump_version()
        if ctx is not None and ctx.versions and any(i < 0 for *_, i in ctx.versions):
            # the op saved its output (relu with inplace=True): that output is self now, at this version
            counter = self._version_counter
            ctx.saved = tuple(self.array if v is new.array else v for v in ctx.saved)
            ctx.versions = tuple((counter, counter.value, k, i) if i < 0 else (c, version, k, i)
                                 for c, version, k, i in ctx.versions)
        before = self.grad_fn
        if before is not None and before.retained is not None and ctx is not None:
            ctx.retained, before.retained = before.retained, None  # y.retain_grad(): .grad is for the new value
        self.grad_fn, self._requires_grad = ctx, new._requires_grad
        if self._version_counter.views:
            _remake_views(self._version_counter)
        return self

    def _write_through(self, base: Any, new: Any, old: Any) -> None:
        """An in-place change of a view: base takes the new numbers (recorded on base, in place, so
        the view shows them too), and the view is that view of the new base from then on."""
        self._check_inplace()
        view = self.grad_fn
        if view.fn is Index:  # a slice: the rest of base keeps its numbers
            base[view.inputs[1]] = new
        else:  # a view of all of base's numbers: the view op's backward maps them back to base's shape
            mapped = view.fn.backward(view, new)
            old_base = base._old_value()
            new_base = mapped[0] if type(mapped) is tuple else mapped
            new_base.grad_fn.__class__ = node_class("CopySlices")
            base._rebase(new_base, old_base)  # which re-makes every view of base, self too
        if self.grad_fn is view:  # (self was not remembered as a view: make it the view of the new base here)
            self.grad_fn = self._apply(view.fn, *view.inputs).grad_fn
            self.grad_fn.__class__ = node_class("AsStridedBackward0")
            self.grad_fn.rebased_from = old

    # --- the in-place methods -----------------------------------------------------------------
    def _inplace(self, op: type, ufunc: Any, other: Any) -> Any:
        other = self._operand(other)
        if self._records_inplace(other):
            old = self._old_value()
            return self._rebase(self._apply(op, old, other), old)
        ufunc(self.array, other.array if isinstance(other, TensorBase) else other, out=self.array)
        self._bump_version()
        return self

    def __iadd__(self, other: Any) -> Any:
        return self._inplace(Add, np.add, other)

    def __isub__(self, other: Any) -> Any:
        return self._inplace(Sub, np.subtract, other)

    def __imul__(self, other: Any) -> Any:
        return self._inplace(Mul, np.multiply, other)

    def __itruediv__(self, other: Any) -> Any:
        return self._inplace(Div, np.divide, other)

    def add_(self, other: Any, *args: Any, alpha: Any = 1) -> Any:
        """``x.add_(y)`` is ``x += y``; ``x.add_(y, alpha=a)`` adds a * y rounded once, as torch's
        fused multiply-add (a hand-written SGD step: ``w.add_(w.grad, alpha=-lr)``)."""
        other, alpha = _deprecated_alpha_first("add_", other, args, alpha)
        return self._inplace(Add, np.add, other) if alpha == 1 else self._add_scaled_(other, alpha)

    def sub_(self, other: Any, *args: Any, alpha: Any = 1) -> Any:
        other, alpha = _deprecated_alpha_first("sub_", other, args, alpha)
        return self._inplace(Sub, np.subtract, other) if alpha == 1 else self._add_scaled_(other, -alpha)

    def add(self, other: Any, *, alpha: Any = 1) -> Any:
        """``x.add(y, alpha=a)``: x + a * y (rounded once, as torch's, when no graph is recorded)."""
        if alpha == 1:
            return self + other
        return self.clone()._add_scaled_(other, alpha) if self._plain_scaled_add(other) else self + other * alpha

    def sub(self, other: Any, *, alpha: Any = 1) -> Any:
        return self - other if alpha == 1 else self.add(other, alpha=-alpha)

    def _plain_scaled_add(self, other: Any) -> bool:
        """a + alpha * b with nothing to record, on numbers of a's dtype and shape: one rounding."""
        recording = _grad_mode.enabled and (self._requires_grad or getattr(other, "_requires_grad", False))
        array = other.array if isinstance(other, TensorBase) else np.asarray(other)
        return (not recording and self.array.dtype.kind == "f" and array.dtype == self.array.dtype
                and np.broadcast_shapes(array.shape, self.array.shape) == self.array.shape)

    def _add_scaled_(self, other: Any, alpha: Any) -> Any:
        if not self._plain_scaled_add(other):
            return self._inplace(Add, np.add, self._operand(other) * alpha)  # recorded: product, then sum
        g = other.array if isinstance(other, TensorBase) else np.asarray(other)
        if self.array.dtype == np.float32:
            self.array[...] = exact_scaled_sum(self.array, alpha, g)  # rounded once, as it is stored
        else:
            self.array += alpha * g
        self._bump_version()
        return self

    mul_ = __imul__
    div_ = __itruediv__

    def _overwrite(self, src: Any, torch_name: str) -> Any:
        """zero_, fill_, copy_: self's numbers replaced by src (broadcast). In a graph this is
        recorded too: the gradient goes to src, none to the old value."""
        if self._records_inplace(src):
            old = self._old_value()
            keep_old = np.zeros(self.array.shape, dtype=bool)
            new = self._apply(Where, keep_old, old, src if isinstance(src, TensorBase) else self._operand(src))
            new.grad_fn.__class__ = node_class(torch_name)
            return self._rebase(new, old)
        self.array[...] = src.array if isinstance(src, TensorBase) else src
        self._bump_version()
        return self

    def zero_(self) -> Any:
        if _grad_mode.enabled and self._requires_grad:
            return self._overwrite(0, "ZeroBackward0")
        self.array.fill(0)  # w.grad.zero_(): the common case, kept short
        self._bump_version()
        return self

    def fill_(self, value: Any) -> Any:
        return self._overwrite(value.item() if isinstance(value, TensorBase) else value, "FillBackward2")

    def copy_(self, src: Any) -> Any:
        return self._overwrite(src, "CopyBackwards")

    def clamp_(self, min: Any = None, max: Any = None) -> Any:  # noqa: A002
        """In place: ``with torch.no_grad(): w.clamp_(0, 1)`` (in a graph it is recorded, as torch does)."""
        if self._records_inplace():
            old = self._old_value()
            return self._rebase(self._apply(Clamp, old, min, max), old)
        np.clip(self.array, min, max, out=self.array)
        self._bump_version()
        return self

    def _unary_inplace(self, op: type) -> Any:
        """x.relu_(), x.exp_(): op's result written into x (recorded in a graph, as x.add_ is)."""
        if self._records_inplace():
            old = self._old_value()
            return self._rebase(self._apply(op, old), old)
        self.array[...] = self._apply(op, self._from_array(self.array)).array
        self._bump_version()
        return self

    def relu_(self) -> Any:
        return self._unary_inplace(Relu)

    def sigmoid_(self) -> Any:
        return self._unary_inplace(Sigmoid)

    def tanh_(self) -> Any:
        return self._unary_inplace(Tanh)

    def exp_(self) -> Any:
        return self._unary_inplace(Exp)

    def abs_(self) -> Any:
        return self._unary_inplace(Abs)

    def log_(self) -> Any:
        return self._unary_inplace(Log)

    def sqrt_(self) -> Any:
        return self._unary_inplace(Sqrt)

    def neg_(self) -> Any:
        return self._unary_inplace(Neg)

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Any:
        """Fill with normal random numbers (in place: the version counter moves, as for any write)."""
        return self.copy_(random.normal(self.array.shape, mean, std, self.array.dtype))

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> Any:
        """Fill with uniform random numbers in [a, b): torch's numbers for the same manual_seed."""
        return self.copy_(random.uniform(self.array.shape, a, b, self.array.dtype))

    def __setitem__(self, index: Any, value: Any) -> None:
        """``x[index] = value``. In a graph it is recorded (torch's CopySlices): the gradient of the
        old value is zero at index, and value gets the gradient of the place it was put."""
        if isinstance(index, TensorBase):
            index = index.array
        elif isinstance(index, tuple):
            index = tuple(i.array if isinstance(i, TensorBase) else i for i in index)
        items = index if isinstance(index, tuple) else (index,)
        whole = all(i is Ellipsis or (isinstance(i, slice) and i == slice(None)) for i in items)  # x[:], x[...]
        if _grad_mode.enabled and self.grad_fn is None and self._requires_grad:  # x[0] = 1 writes through x[0]
            raise RuntimeError(VIEW_OF_LEAF_INPLACE if _is_basic(index) and not whole else LEAF_INPLACE)
        if whole and self._records_inplace(value):  # all of x: torch fills it (a number) or copies into it
            number = not isinstance(value, TensorBase) or value.array.ndim == 0
            self._overwrite(value, "FillBackward3" if number else "CopyBackwards")
            return
        if self._records_inplace(value):
            old = self._old_value()
            put_here = np.zeros(self.array.shape, dtype=bool)
            put_here[index] = True
            if isinstance(value, TensorBase):  # value, broadcast to the slice, at its place in a tensor of self's shape
                target = self.array[index].shape
                if tuple(value.array.shape) != target:
                    value = value.expand(*target)
                value = self._apply(IndexBackward, value, self.array.shape, index, _is_basic(index))
            new = self._apply(Where, put_here, value, old)
            new.grad_fn.__class__ = node_class("CopySlices" if _is_basic(index) else "IndexPutBackward0")
            self._rebase(new, old)
            return
        self.array[index] = value.array if isinstance(value, TensorBase) else value
        self._bump_version()
