"""Function: an op you write yourself, with torch.autograd.Function's contract.

forward(ctx, *tensors) computes the output and saves what backward needs with
ctx.save_for_backward; backward(ctx, grad_output) returns one gradient per input; you call
``MyFunction.apply(x)``, never forward: apply records the node in the graph.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from bpcourse.function import Context
from bpcourse.grad_mode import _grad_mode
from bpcourse.ops.broadcast import unbroadcast
from bpcourse.tensor import Tensor, _wrap, apply


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

    on_tensors = True  # forward and backward see Tensors (the built-in ops see arrays)

    @staticmethod
    def forward(ctx: Context, *args: Any) -> Any:
        raise NotImplementedError("a Function subclass must implement forward(ctx, ...)")

    @staticmethod
    def backward(ctx: Context, *grad_outputs: Any) -> Any:
        raise NotImplementedError("a Function subclass must implement backward(ctx, grad_output)")

    @classmethod
    def apply(cls, *args: Any) -> Tensor:
        """Run forward and record this function in the graph (call this, never forward)."""
        return apply(cls, *args)

    @classmethod
    def node_name(cls, *args: Any) -> str:
        """The name torch shows as ``grad_fn=<...>``: ``MyFunctionBackward`` for your own."""
        return cls.__name__ + "Backward"

    @classmethod
    def as_output(cls, out: Any, args: tuple) -> Tensor:
        if isinstance(out, tuple):
            raise NotImplementedError(f"{cls.__name__}.forward returned a tuple: bpcourse Functions have one output")
        if not isinstance(out, Tensor):
            return _wrap(np.asarray(out))
        if any(out is a for a in args):  # forward returned one of its inputs: the result gets its own tensor
            return _wrap(out.array)
        return out

    @classmethod
    def backward_on_tensors(cls, ctx: Context, g: Any, wrap: Any) -> tuple:
        """Run your backward on Tensors; hand the engine arrays (or Tensors under create_graph)."""
        keep_graph = _grad_mode.enabled  # the engine turns recording on for create_graph only
        result = cls.backward(ctx, g if isinstance(g, Tensor) else wrap(g))
        if not isinstance(result, tuple):
            result = (result,)
        if len(result) != len(ctx.inputs):
            raise RuntimeError(f"function {ctx.name()} returned an incorrect number of gradients "
                               f"(expected {len(ctx.inputs)}, got {len(result)})")
        grads = []
        for i, (x, gx) in enumerate(zip(ctx.inputs, result)):
            if gx is None or not isinstance(x, Tensor):
                grads.append(None)
                continue
            if not isinstance(gx, Tensor):
                gx = wrap(np.asarray(gx, dtype=x.array.dtype))
            shape, target = tuple(gx.array.shape), tuple(x.array.shape)
            if shape != target and _expands_to(target, shape):
                gx = unbroadcast(gx, target)  # as torch does: sum back to the input's shape
            elif shape != target:
                raise RuntimeError(f"Function {ctx.name()} returned an invalid gradient at index {i} - got "
                                   f"{list(shape)} but expected shape compatible with {list(target)}")
            grads.append(gx if keep_graph else gx.array)
        return tuple(grads)


def _expands_to(shape: tuple, target: tuple) -> bool:
    """True if an input of ``shape`` broadcasts to ``target`` (so its gradient can be summed back)."""
    try:
        return np.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False
