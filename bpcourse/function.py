"""Context and ArrayFunction: what one operation is, before any tensor is involved.

An op (every class in ``bpcourse/ops``) follows torch.autograd.Function's contract:

* ``forward(ctx, *inputs)`` computes the output from numpy arrays and saves what backward needs
  with ``ctx.save_for_backward(...)``;
* ``backward(ctx, g)`` reads ``ctx.saved_tensors`` and returns one gradient per input of
  forward (``None`` for an input that needs none), g being dL/d(output).

Ops never see a Tensor: ``apply`` in ``tensor.py`` unwraps the arrays, runs forward and records
the op in the graph. backward normally gets arrays too; with ``create_graph=True`` it gets
Tensors instead, so that the very same formula records the graph of the derivative (see
``ops/maths.py``).

The ``Context`` recorded as ``out.grad_fn`` is the op's node in the graph: it knows the op, the
inputs and the saved values. Its class carries torch's name for the node (``AddBackward0``).
"""
from __future__ import annotations

import itertools
import re
from typing import Any, Callable

import numpy as np

from bpcourse import dtypes, graph_edges

SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling backward."
)


class ShapeError(RuntimeError):
    """Raised when the operands of an op have shapes that do not fit together."""


class Context:
    """What one recorded operation remembers (torch calls it ``ctx``; it is also ``grad_fn``).

    ``fn`` the op, ``inputs`` the arguments of forward (Tensors and others, in operand order),
    ``needs_input_grad`` one bool per input, ``saved`` the values saved for backward (``None``
    once backward has freed them), ``seq`` the order of creation (backward runs the latest node
    first, as torch does). Any other attribute set in forward (``ctx.dim = dim``) is kept for
    backward, as in torch.
    """

    __slots__ = ("fn", "inputs", "needs_input_grad", "__dict__")

    # Defaults as class attributes (a node sets only what differs): apply makes one node per op,
    # so an __init__ would cost every op of every forward pass.
    saved: tuple | None = ()
    versions: tuple | None = None  # (counter or None, version, k, i) for each saved tensor: see check_versions
    watched_at = -1  # ChangeClock.ticks when versions were taken (-1: always check)
    seq = 0  # order of creation: backward runs the latest node first
    hooks: dict | None = None  # register_hook on the output tensor (a non-leaf)
    retained: Any = None  # weak reference to the output, if it called retain_grad()
    saved_as_tensors: tuple | None = None  # set by backward while it records a graph
    rebased_from: Any = None  # an in-place op's node: the value before the change (Tensor._rebase)

    def save_for_backward(self, *values: Any) -> None:
        self.saved = values

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """Accepted for torch compatibility; bpcourse Functions have one (differentiable) output."""

    def set_materialize_grads(self, value: bool) -> None:
        """Accepted for torch compatibility: grad_output is always a full tensor here."""

    @property
    def saved_tensors(self) -> tuple:
        if self.saved is None:
            raise RuntimeError(SECOND_BACKWARD)
        return self.saved if self.saved_as_tensors is None else self.saved_as_tensors

    # --- what torch's grad_fn objects offer ---------------------------------------------
    def name(self) -> str:
        return type(self).__name__

    @property
    def parents(self) -> tuple:
        return tuple(x for x in self.inputs if hasattr(x, "grad_fn"))

    @property
    def next_functions(self) -> tuple:
        """torch's ((node, 0), ...): a leaf shows as AccumulateGrad, a constant as None (graph_edges.py)."""
        return graph_edges.next_functions(self)

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"


_NODE_CLASSES: dict = {}


def node_class(torch_name: str) -> type:
    """The Context subclass named as torch names the node (``type(z.grad_fn).__name__``)."""
    cls = _NODE_CLASSES.get(torch_name)
    if cls is None:
        cls = _NODE_CLASSES[torch_name] = type(torch_name, (Context,), {"__slots__": ()})
    return cls


class ArrayFunction:
    """Base class of the built-in ops: forward and backward on numpy arrays.

    Non-array arguments (a dim, an exponent) pass through unchanged and get ``None`` as their
    gradient. ``torch_name`` is the name torch shows in ``grad_fn=<...>``; an op whose name
    depends on its arguments (sum over all elements or over a dim) overrides ``node_name``.
    """

    torch_name = ""
    on_tensors = False  # forward and backward see arrays (a Function you write sees Tensors)

    @classmethod
    def node_name(cls, *args: Any) -> str:
        return cls.torch_name or cls.__name__ + "Backward0"

    @staticmethod
    def forward(ctx: Context, *args: Any) -> Any:
        raise NotImplementedError("an op must implement forward(ctx, ...)")

    @staticmethod
    def backward(ctx: Context, g: Any) -> Any:
        raise NotImplementedError("an op must implement backward(ctx, g)")


class ChangeClock:
    """Counts every event ``check_versions`` looks for, anywhere in the program: a version that
    moved (an in-place change) and a tensor whose numbers were swapped (``x.data = ...``). A node
    notes the count when it saves values; if the count has not moved by its backward, none of them
    can have changed, and the check is skipped: the usual training step, where nothing changes
    in place between forward and backward (the optimizer's step comes after)."""

    ticks = 0


def numbers_changed() -> None:
    """Tell ChangeClock: some tensor's numbers were changed in place or swapped."""
    ChangeClock.ticks += 1


def check_versions(ctx: Context) -> None:
    """Refuse to run backward if a value forward saved was changed in place since (its version
    counter moved): the derivative would silently use the new numbers. Torch's message and rule."""
    saved = ctx.saved
    if saved is None:
        return  # freed by an earlier backward: reading it raises the "second time" error instead
    for counter, expected, k, i in ctx.versions:
        if counter is None:  # an input that had no counter when saved (inplace.watch_saved)
            counter = ctx.inputs[i]._version_counter
            if counter is None:
                continue  # still none: never changed in place
        if counter.value != expected:
            raise RuntimeError(_modified_message(ctx, counter.value, expected, k, i))
        if i >= 0 and type(saved[k]) is np.ndarray and saved[k] is not ctx.inputs[i].array:
            # x.data = new numbers since: torch's saved input reads them (no error, version unchanged)
            ctx.saved = saved = tuple(ctx.inputs[i].array if j == k else v for j, v in enumerate(saved))


# Ops whose output is a view of the input: a view changed in place no longer has their
# gradient (torch makes it an AsStrided node), so the message names AsStrided, as torch's does.
VIEW_NODES = frozenset({"SelectBackward0", "SliceBackward0", "ViewBackward0", "TBackward0", "TransposeBackward0",
                         "PermuteBackward0", "ExpandBackward0", "UnsqueezeBackward0", "SqueezeBackward0",
                         "SqueezeBackward1", "AsStridedBackward0"})


def _modified_message(ctx: Context, version: int, expected: int, k: int, i: int) -> str:
    """torch's text: [torch.FloatTensor [3]], which is output 0 of Exp, is at version 1; ..."""
    array = ctx.saved[k]
    array = getattr(array, "array", array)
    if i < 0:  # the op's own output (torch names the node that saved it)
        node = ctx.name()
    else:  # an input: the node that now produces it (after an in-place op, that op's node)
        grad_fn = ctx.inputs[i].grad_fn
        node = None if grad_fn is None else "AsStrided" if grad_fn.name() in VIEW_NODES else grad_fn.name()
    if node == "CopySlices":
        node = "torch::autograd::CopySlices"  # (torch's C++ name for it)
    made_by = "" if node is None else f", which is output 0 of {re.sub('Backward0?', '', node, count=1)},"  # Max1 for MaxBackward1
    kind = dtypes.LEGACY_NAMES.get(np.dtype(array.dtype), array.dtype)
    return (
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"[torch.{kind} {list(np.shape(array))}]{made_by} is at version {version}; expected version "
        f"{expected} instead. Hint: {ctx.name()} saved this value for backward and it was changed in place "
        "since (x += 1, x[0] = 5, x.zero_(), or through x.detach() or a view of x); change it after "
        "backward(), or compute a new tensor instead (x = x + 1 rather than x += 1)."
    )


def shape_message(op: str, values: list) -> str:
    shapes = [np.shape(v) for v in values if isinstance(v, np.ndarray)]
    parts = ", ".join(f"{name}.shape={shape}" for name, shape in zip("abcdefgh", shapes))
    return f"{op}: operand shapes do not broadcast together: {parts}"


class RemovableHandle:
    """What ``register_hook`` returns: ``handle.remove()`` takes the hook off again."""

    _ids = itertools.count()

    def __init__(self, hooks: dict, hook: Callable) -> None:
        self.hooks = hooks
        self.id = next(RemovableHandle._ids)
        hooks[self.id] = hook

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()
