"""The backward pass: reverse topological order plus one loop.

``backward(root)`` seeds dL/droot = 1, then visits the graph from the root back to the
leaves. Each node hands its gradient to its op's ``backward``, which returns one gradient
per input; a tensor used twice receives the sum. Leaves add what they get into ``.grad``
(it accumulates until you zero it). Afterwards the saved values are freed unless
``retain_graph=True``: a second backward through the same ops then raises, as in torch.

``Function`` is here too, so custom functions read as in torch:
``class MyReLU(bpcourse.autograd.Function): ...``.
"""
from __future__ import annotations

import sys
from typing import Any

import numpy as np

from bpcourse.function import Context, Function, check_versions  # noqa: F401  (torch.autograd.Function)
from bpcourse.tensor import Tensor, _wrap


def _order(root: Tensor) -> list:
    """Tensors that need a gradient, inputs before the tensors computed from them.

    Iterative depth-first search (a recursive one stops at Python's ~1000-frame limit).
    """
    order = []
    visited = set()
    stack = [(root, False)]
    while stack:
        t, expanded = stack.pop()
        if expanded:
            order.append(t)
            continue
        if id(t) in visited:
            continue
        visited.add(id(t))
        stack.append((t, True))
        ctx = t.grad_fn
        if ctx is not None:
            for x in reversed(ctx.inputs):
                if isinstance(x, Tensor) and x._requires_grad and id(x) not in visited:
                    stack.append((x, False))
    return order


# references to g while _accumulate runs when nothing else holds it: the caller's variable,
# the parameter, and getrefcount's own argument. (Python 3.14 counts borrowed references
# differently, so there we always copy.)
_ONLY_OURS = 3 if sys.version_info < (3, 14) else 0


def _accumulate(t: Tensor, g: np.ndarray) -> None:
    """Add g into t.grad. The first time, t.grad takes g itself if nothing else refers to it
    (torch's AccumulateGrad "steals" the buffer the same way), otherwise a copy, because g may
    be shared: ``a + b`` hands the same array to a and b."""
    if t.grad is not None:
        t.grad.array += g
        return
    if (g.base is None and g.flags.writeable and g.dtype == t.array.dtype and g.shape == t.array.shape
            and sys.getrefcount(g) <= _ONLY_OURS):
        t.grad = _wrap(g)
    else:
        t.grad = _wrap(np.array(np.broadcast_to(g, t.array.shape), dtype=t.array.dtype))


def backward(root: Tensor, gradient: Any = None, retain_graph: bool | None = None) -> None:
    """Compute d root / d leaf for every leaf with requires_grad, into ``leaf.grad``."""
    if not root._requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    if gradient is None:
        if root.array.size != 1:
            raise RuntimeError(
                "grad can be implicitly created only for scalar outputs "
                f"(this tensor has shape {tuple(root.array.shape)}; call .sum() first or pass "
                "backward(gradient) with that shape)"
            )
        seed = np.ones_like(root.array)
    else:
        seed = gradient.array if isinstance(gradient, Tensor) else np.asarray(gradient, dtype=root.array.dtype)
        if seed.shape != root.array.shape:
            raise RuntimeError(
                f"backward: gradient has shape {seed.shape} but the tensor has shape {root.array.shape}"
            )
    grads = {id(root): seed}
    for t in reversed(_order(root)):
        g = grads.pop(id(t), None)
        if g is None:
            continue
        ctx = t.grad_fn
        if ctx is None:  # a leaf: keep the gradient
            _accumulate(t, g)
            continue
        if t._retains_grad:
            _accumulate(t, g)
        if ctx.versions is not None:
            check_versions(ctx)
        input_grads = ctx.fn._backward_arrays(ctx, g)  # the op's own chain rule
        if not retain_graph:
            ctx.saved = None  # free the saved values; a second backward would need them
        for x, gx in zip(ctx.inputs, input_grads):
            if gx is None or not isinstance(x, Tensor) or not x._requires_grad:
                continue
            prev = grads.get(id(x))
            grads[id(x)] = gx if prev is None else prev + gx  # used twice: gradients add
        del input_grads, gx  # hold no gradient beyond its entry in grads (see _accumulate)


def grad(outputs: Tensor, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None) -> tuple:
    """d outputs / d inputs, returned instead of accumulated into ``.grad`` (torch.autograd.grad)."""
    single = isinstance(inputs, Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    saved = [(x.grad, x._retains_grad) for x in inputs]
    for x in inputs:
        x.grad = None
        x._retains_grad = True
    try:
        backward(outputs, grad_outputs, retain_graph=retain_graph)
        result = tuple(x.grad for x in inputs)
    finally:
        for x, (g, r) in zip(inputs, saved):
            x.grad, x._retains_grad = g, r
    return result


def Variable(data: Any, requires_grad: bool = False) -> Tensor:  # noqa: N802 - torch's old name
    """``Variable(tensor, requires_grad=True)`` from older lectures: today just a Tensor."""
    t = data if isinstance(data, Tensor) else _wrap(np.asarray(data))
    if requires_grad:
        t.requires_grad = True
    return t
