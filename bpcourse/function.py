"""Function and Context: how one operation takes part in autograd.

The contract is torch.autograd.Function's:

* ``forward(ctx, *inputs)`` computes the output and saves what backward needs with
  ``ctx.save_for_backward(...)``;
* ``backward(ctx, grad_output)`` reads ``ctx.saved_tensors`` and returns one gradient per
  input of forward (``None`` for an input that needs none);
* you call ``MyFunction.apply(x, ...)``, never ``forward`` directly: ``apply`` is what records
  the operation in the graph.

Two flavours share that contract:

* ``Function`` - for functions *you* write (exactly as in torch): forward and backward see
  ``Tensor`` objects.
* ``ArrayFunction`` - for the built-in ops in ``bpcourse/ops``: forward and backward see the
  numpy arrays inside the tensors. An op is where the tensor engine meets numpy, and working
  on arrays directly keeps each op to a few microseconds.

The object recorded as ``out.grad_fn`` is the op's ``Context``: it knows the Function, the
inputs (the graph's ``parents``) and the saved values, and is what ``backward()`` walks.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from bpcourse.grad_mode import _grad_mode
from bpcourse.ops.broadcast import unbroadcast
from bpcourse.tensor import Tensor, _wrap

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

    ``fn`` the Function class, ``inputs`` the arguments of forward (Tensors and others, in
    operand order), ``needs_input_grad`` one bool per input, ``saved`` the values saved for
    backward (``None`` once backward has freed them). Any other attribute you set in forward
    (``ctx.dim = dim``) is kept for backward, as in torch.
    """

    __slots__ = ("fn", "inputs", "needs_input_grad", "saved", "versions", "__dict__")

    def __init__(self) -> None:
        self.fn: type | None = None
        self.inputs: tuple = ()
        self.needs_input_grad: tuple = ()
        self.saved: tuple | None = ()
        self.versions: tuple | None = None  # inputs' _version when values were saved

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
        return self.saved

    # --- what torch's grad_fn objects offer ---------------------------------------------
    def name(self) -> str:
        # an op may pick torch's name from its arguments (sum over all vs over a dim)
        return self.__dict__.get("torch_name") or self.fn.backward_name()

    @property
    def parents(self) -> tuple:
        return tuple(x for x in self.inputs if isinstance(x, Tensor))

    @property
    def next_functions(self) -> tuple:
        return tuple((x.grad_fn, 0) for x in self.inputs if isinstance(x, Tensor))

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"


def check_versions(ctx: Context) -> None:
    """Refuse to run backward if an input was changed in place after forward saved it."""
    for i, (x, v) in enumerate(zip(ctx.inputs, ctx.versions)):
        if isinstance(x, Tensor) and x._version != v:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: input {i} of {ctx.name()} (shape {tuple(x.array.shape)}) is at "
                f"version {x._version}; expected version {v} instead. Hint: change it after "
                "backward(), or compute a new tensor instead (x = x + 1 rather than x += 1)."
            )


def _shape_message(op: str, values: tuple) -> str:
    shapes = [np.shape(v) for v in values if isinstance(v, np.ndarray)]
    names = "abcdefgh"
    parts = ", ".join(f"{names[i]}.shape={s}" for i, s in enumerate(shapes))
    return f"{op}: operand shapes do not broadcast together: {parts}"


class Function:
    """Base class for a differentiable operation written with Tensors (torch's contract).

    >>> class Exp(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         y = x.exp()
    ...         ctx.save_for_backward(y)      # save the output: exp' = exp
    ...         return y
    ...     @staticmethod
    ...     def backward(ctx, grad_output):
    ...         (y,) = ctx.saved_tensors
    ...         return grad_output * y
    >>> Exp.apply(x)
    """

    @staticmethod
    def forward(ctx: Context, *args: Any) -> Any:
        raise NotImplementedError("a Function subclass must implement forward(ctx, ...)")

    @staticmethod
    def backward(ctx: Context, *grad_outputs: Any) -> Any:
        raise NotImplementedError("a Function subclass must implement backward(ctx, grad_output)")

    @classmethod
    def backward_name(cls) -> str:
        """The name torch shows as ``grad_fn=<...>``: ``MyFunctionBackward`` for your own."""
        return cls.__name__ + "Backward"

    @classmethod
    def apply(cls, *args: Any) -> Tensor:
        ctx = Context()
        needs = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        ctx.needs_input_grad = needs
        # forward runs without recording: only this one node goes into the graph
        prev = _grad_mode.enabled
        _grad_mode.enabled = False
        try:
            out = cls.forward(ctx, *args)
        finally:
            _grad_mode.enabled = prev
        if isinstance(out, tuple):
            raise NotImplementedError(
                f"{cls.__name__}.forward returned a tuple: bpcourse Functions have one output"
            )
        if not isinstance(out, Tensor):
            out = _wrap(np.asarray(out))
        if prev and any(needs):
            if any(out is a for a in args):
                # forward returned one of its inputs: the result gets its own tensor
                out = _wrap(out.array)
            ctx.fn = cls
            ctx.inputs = args
            if ctx.saved:
                ctx.versions = tuple(a._version if isinstance(a, Tensor) else 0 for a in args)
            out.grad_fn = ctx
            out._requires_grad = True
        return out

    @classmethod
    def _backward_arrays(cls, ctx: Context, grad: np.ndarray) -> tuple:
        """Run the user's backward on Tensors and hand numpy arrays back to the engine."""
        prev = _grad_mode.enabled
        _grad_mode.enabled = False
        try:
            result = cls.backward(ctx, _wrap(grad))
        finally:
            _grad_mode.enabled = prev
        if not isinstance(result, tuple):
            result = (result,)
        if len(result) != len(ctx.inputs):
            raise RuntimeError(
                f"function {cls.backward_name()} returned an incorrect number of gradients "
                f"(expected {len(ctx.inputs)}, got {len(result)})"
            )
        grads = []
        for i, (x, g) in enumerate(zip(ctx.inputs, result)):
            if g is None or not isinstance(x, Tensor):
                grads.append(None)
                continue
            g = g.array if isinstance(g, Tensor) else np.asarray(g, dtype=x.array.dtype)
            if g.shape != x.array.shape and _expands_to(x.array.shape, g.shape):
                g = unbroadcast(g, x.array.shape)  # as torch does: sum back to the input's shape
            elif g.shape != x.array.shape:
                raise RuntimeError(
                    f"Function {cls.backward_name()} returned an invalid gradient at index {i} "
                    f"- got {list(g.shape)} but expected shape compatible with {list(x.array.shape)}"
                )
            grads.append(g)
        return tuple(grads)


class ArrayFunction(Function):
    """A Function whose forward and backward work on numpy arrays (all built-in ops).

    ``apply`` unwraps Tensor arguments to their arrays, calls ``forward`` and wraps the result;
    ``backward(ctx, grad)`` receives and returns arrays. Non-Tensor arguments (a dim, an
    exponent) pass through unchanged and get ``None`` as their gradient.
    """

    #: torch's name for this op's backward node, shown in ``grad_fn=<...>``.
    torch_name = ""

    @classmethod
    def backward_name(cls) -> str:
        return cls.torch_name or cls.__name__ + "Backward0"

    @classmethod
    def apply(cls, *args: Any) -> Tensor:
        ctx = Context()
        arrays = []
        needs = []
        record = False
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a.array)
                needs.append(a._requires_grad)
                record = record or a._requires_grad
            else:
                arrays.append(a)
                needs.append(False)
        ctx.needs_input_grad = needs
        try:
            out = cls.forward(ctx, *arrays)
        except ValueError as exc:
            if "broadcast" in str(exc) or "shape" in str(exc):
                raise ShapeError(_shape_message(cls.__name__.lower(), tuple(arrays))) from None
            raise
        if type(out) is not np.ndarray:
            out = np.asarray(out)
        result = _wrap(out)
        if record and _grad_mode.enabled and out.dtype.kind == "f":  # integers carry no gradient
            ctx.fn = cls
            ctx.inputs = args
            if ctx.saved:  # remember the inputs' versions: backward checks nobody changed them
                ctx.versions = tuple(a._version if isinstance(a, Tensor) else 0 for a in args)
            result.grad_fn = ctx
            result._requires_grad = True
        return result

    @classmethod
    def _backward_arrays(cls, ctx: Context, grad: np.ndarray) -> tuple:
        result = cls.backward(ctx, grad)
        return result if isinstance(result, tuple) else (result,)


def _expands_to(shape: tuple, target: tuple) -> bool:
    """True if an input of ``shape`` broadcasts to ``target`` (so its gradient can be summed back)."""
    try:
        return np.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False
