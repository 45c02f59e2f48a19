"""torch.autograd.functional: whole derivative matrices of small functions.

    jacobian(f, x)   J[i, j] = d f(x)_i / d x_j        one backward per output element
    hessian(f, x)    H[i, j] = d^2 f(x) / d x_i d x_j  the jacobian of the gradient

Built on ``autograd.grad``: each row of J is one backward pass, and the Hessian is the
jacobian of a gradient computed with ``create_graph=True``.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from bpcourse.autograd.gradients import grad
from bpcourse.grad_mode import enable_grad
from bpcourse.ops.shape import Stack
from bpcourse.tensor import Tensor, _wrap, apply

STRATEGIES = ("reverse-mode", "forward-mode")


def _prepare(inputs: tuple, create_graph: bool) -> tuple:
    """Inputs that require grad; under create_graph still connected to the caller's graph."""
    return tuple(x.view_as(x) if create_graph and x.requires_grad else x.detach().requires_grad_(True)
                 for x in inputs)


def jacobian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """The Jacobian of ``func`` at ``inputs``: shape ``output.shape + input.shape``, as torch's.

    A tuple of inputs (or outputs) gives a tuple of Jacobians; ``vectorize`` and ``strategy``
    change only how torch computes it, not the result.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"jacobian: strategy must be one of {STRATEGIES}, got {strategy!r}")
    inputs_are_tuple = isinstance(inputs, tuple)
    xs = _prepare(inputs if inputs_are_tuple else (inputs,), create_graph)
    with enable_grad():
        outputs = func(*xs)
        outputs_are_tuple = isinstance(outputs, tuple)
        ys = outputs if outputs_are_tuple else (outputs,)
        for y in ys:
            if not isinstance(y, Tensor):
                raise TypeError(f"jacobian: the function must return Tensors, got {type(y).__name__}")
        result = []
        for i, y in enumerate(ys):
            rows = [[] for _ in xs]
            flat = y.reshape(-1)
            for k in range(flat.shape[0]):
                grads = grad(flat[k], xs, retain_graph=True, create_graph=create_graph, allow_unused=True) \
                    if y.requires_grad else (None,) * len(xs)
                for j, (x, g) in enumerate(zip(xs, grads)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is independent of input "
                                               f"{j}. This is not allowed in strict mode.")
                        g = _wrap(np.zeros_like(x.array))
                    rows[j].append(g)
            blocks = []
            for x, r in zip(xs, rows):
                shape = tuple(y.shape) + tuple(x.shape)
                if not r:
                    blocks.append(_wrap(np.zeros(shape, dtype=x.array.dtype)))
                elif create_graph:
                    blocks.append(apply(Stack, 0, *r).reshape(shape))
                else:
                    blocks.append(_wrap(np.stack([g.array for g in r]).reshape(shape)))
            result.append(tuple(blocks))
    if not inputs_are_tuple:
        result = [blocks[0] for blocks in result]
    return tuple(result) if outputs_are_tuple else result[0]


def hessian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a function that returns a single number: the jacobian of its gradient."""
    inputs_are_tuple = isinstance(inputs, tuple)

    def single_output(*xs: Tensor) -> Tensor:
        y = func(*xs)
        if not isinstance(y, Tensor) or y.numel() != 1:
            raise RuntimeError("The function given to hessian should return a single element Tensor")
        return y.reshape(())

    def gradient(*xs: Tensor) -> Any:
        return jacobian(single_output, xs if inputs_are_tuple else xs[0], create_graph=True, strict=strict)

    return jacobian(gradient, inputs, create_graph=create_graph, strict=strict, strategy=outer_jacobian_strategy)
