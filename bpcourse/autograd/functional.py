"""torch.autograd.functional: whole derivative matrices of small functions.

    jacobian(f, x)   J[i, j] = d f(x)_i / d x_j        one backward per output element
    hessian(f, x)    H[i, j] = d^2 f(x) / d x_i d x_j  the jacobian of the gradient
    vjp(f, x, v)     v^T J                              one backward pass
    jvp(f, x, v)     J v                                the vjp of a vjp (the "double backward trick")
    hvp(f, x, v)     H v  (vhp: v^T H, the same numbers) the vjp of the gradient

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


# ----- products: one or two backward passes, never the whole matrix ---------------------------
def _as_tuple(x: Any) -> tuple:
    return x if isinstance(x, tuple) else (x,)


def _fill_unused(grads: tuple, like: tuple, strict: bool, what: str) -> tuple:
    """torch returns zeros for an input the output does not depend on (an error if strict)."""
    if strict and any(g is None for g in grads):
        raise RuntimeError(f"{what}: the output of the user-provided function is independent of an input. "
                           f"This is not allowed in strict mode.")
    return tuple(_wrap(np.zeros_like(x.array)) if g is None else g for g, x in zip(grads, like))


def _directions(v: Any, like: tuple, what: str) -> tuple:
    """v as a tuple; ones if not given, which torch allows only when ``like`` are single numbers."""
    if v is None and any(t.numel() != 1 for t in like):
        raise RuntimeError(f"{what}: {'the function returns' if what == 'vjp' else 'an input has'} more than one "
                           f"number, so v must be given (shaped like the {'outputs' if what == 'vjp' else 'inputs'})")
    return _as_tuple(v) if v is not None else tuple(_wrap(np.ones_like(t.array)) for t in like)


def _result(output: Any, product: tuple, product_is_tuple: bool, create_graph: bool) -> tuple:
    """torch's (output, product) pair: detached unless create_graph, tuples only where given tuples."""
    outs = tuple(o if create_graph else o.detach() for o in _as_tuple(output))
    product = tuple(g if create_graph else g.detach() for g in product)
    return (outs if isinstance(output, tuple) else outs[0]), (product if product_is_tuple else product[0])


def vjp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), v^T J)``: the gradient of the outputs weighted by ``v`` (needed unless the
    function returns a single number)."""
    xs = _prepare(_as_tuple(inputs), create_graph)
    with enable_grad():
        output = func(*xs)
        ys = _as_tuple(output)
        vs = _directions(v, ys, "vjp")
        grads = grad(ys, xs, grad_outputs=vs, create_graph=create_graph, allow_unused=True)
    return _result(output, _fill_unused(grads, xs, strict, "vjp"), isinstance(inputs, tuple), create_graph)


def jvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), J v)``, from two reverse passes: u -> u^T J is linear in u, and its
    vjp with v is J v."""
    xs = _prepare(_as_tuple(inputs), True)
    vs = _directions(v, xs, "jvp")
    with enable_grad():
        output = func(*xs)
        ys = _as_tuple(output)
        us = tuple(_wrap(np.zeros_like(y.array)).requires_grad_(True) for y in ys)
        grads = grad(ys, xs, grad_outputs=us, create_graph=True, allow_unused=True)
        used = [(g, u) for g, u in zip(grads, vs) if g is not None]
        if not used:
            product = (None,) * len(ys)
        else:
            product = grad([g for g, _ in used], us, grad_outputs=[u for _, u in used],
                           create_graph=create_graph, allow_unused=True)
    # J v is shaped like the outputs, so it is a tuple when the outputs are
    return _result(output, _fill_unused(product, ys, strict, "jvp"), isinstance(output, tuple), create_graph)


def hvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), H v)`` for a function returning a single number: the vjp of its gradient."""
    xs = _prepare(_as_tuple(inputs), True)
    vs = _directions(v, xs, "hvp")
    with enable_grad():
        output = func(*xs)
        if not isinstance(output, Tensor) or output.numel() != 1:
            raise RuntimeError("The function given to hvp should return a single element Tensor")
        first = _fill_unused(grad(output, xs, create_graph=True, allow_unused=True), xs, strict, "hvp")
        used = [(g, u) for g, u in zip(first, vs) if g.requires_grad]
        product = grad([g for g, _ in used], xs, grad_outputs=[u for _, u in used], create_graph=create_graph,
                       allow_unused=True) if used else (None,) * len(xs)
    return _result(output, _fill_unused(product, xs, strict, "hvp"), isinstance(inputs, tuple), create_graph)


def vhp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> tuple:
    """``(func(inputs), v^T H)``: the same numbers as hvp, the Hessian being symmetric."""
    return hvp(func, inputs, v, create_graph=create_graph, strict=strict)


def __getattr__(name: str) -> Any:
    """A torch.autograd.functional name bpcourse does not have: say so."""
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"not implemented in bpcourse: torch.autograd.functional.{name}; use jacobian, hessian, "
                         f"vjp, jvp, hvp or vhp, or run this part with real torch")
