"""The backward pass: from a tensor back to every leaf it was computed from.

``backward(roots, seeds)`` seeds dL/droot, then runs the recorded ops from the root back to the
leaves, latest op first (torch's order). Each op's ``backward`` gets the gradient of its output
and returns one gradient per input; an input used twice receives the sum. A leaf adds what it
gets into ``.grad`` (it accumulates until you zero it) as soon as every op that used it is done.
Afterwards the saved values are freed unless ``retain_graph=True``: a second backward through
the same ops then raises, as in torch.

With ``create_graph=True`` the same formulas run on Tensors with recording on, so the gradients
come with a graph of their own and can be differentiated again (a Hessian-vector product, a
Newton step, a gradient penalty).

The engine knows tensors by their attributes (``grad_fn``, ``grad``, ``array``); the caller
hands it ``wrap`` (array -> Tensor), so that it sits below ``tensor.py``.
"""
from __future__ import annotations

import sys
from typing import Any, Callable

import numpy as np

from bpcourse.function import Context, check_versions
from bpcourse.grad_mode import _grad_mode
from bpcourse.graph import topological_order
from bpcourse.ops.elementwise import Copy
from bpcourse.ops.maths import run


def _node_of(t: Any) -> Any:
    """A tensor's place in the graph: the op that made it, or the tensor itself for a leaf."""
    return t.grad_fn if t.grad_fn is not None else t


def _inputs_of(node: Any) -> list:
    if not isinstance(node, Context):  # a leaf
        return []
    return [_node_of(x) for x in node.inputs if getattr(x, "_requires_grad", False)]


def backward(roots: list, seeds: list, wrap: Callable, retain_graph: bool = False, create_graph: bool = False,
             inputs: list | None = None, accumulate: bool = True) -> list:
    """Run backward from ``roots`` (tensors) seeded with ``seeds`` (arrays or Tensors).

    ``accumulate=True`` (``tensor.backward()``) adds into ``.grad`` of the leaves (of ``inputs``
    only, if given); ``accumulate=False`` (``autograd.grad``) returns the gradients of ``inputs``
    instead (``None`` for an input the roots do not depend on).
    """
    prev_mode = _grad_mode.enabled
    _grad_mode.enabled = create_graph  # the backward ops are recorded only for create_graph
    try:
        return _run(roots, seeds, wrap, retain_graph, create_graph, inputs, accumulate)
    finally:
        _grad_mode.enabled = prev_mode


def _run(roots: list, seeds: list, wrap: Callable, retain_graph: bool, create_graph: bool,
         inputs: list | None, accumulate: bool) -> list:
    grads: dict = {}
    for root, seed in zip(roots, seeds):
        node = _node_of(root)
        if create_graph and not hasattr(seed, "grad_fn"):
            seed = wrap(seed)
        grads[id(node)] = seed if id(node) not in grads else grads[id(node)] + seed
    order = topological_order([_node_of(r) for r in roots], _inputs_of)  # inputs first

    targets = None if inputs is None else {id(_node_of(t)) for t in inputs}
    needed = None
    if targets is not None:  # run only the ops on a path to the inputs asked for
        needed = set()
        for node in order:
            if id(node) in targets or any(id(c) in needed for c in _inputs_of(node)):
                needed.add(id(node))
    captured: dict = {}

    ops = [n for n in order if isinstance(n, Context)]
    pending: dict = {}  # leaf -> number of uses by ops still to run
    for ctx in ops:
        for child in _inputs_of(ctx):
            if not isinstance(child, Context):
                pending[id(child)] = pending.get(id(child), 0) + 1

    def finish_leaf(leaf: Any) -> None:
        g = grads.pop(id(leaf), None)
        if g is None:
            return
        hooks = getattr(leaf, "_hooks", None)  # (nn.Parameter leaves may not set it)
        if hooks:
            g = _run_hooks(hooks, g, leaf, wrap)
        if not accumulate:
            captured[id(leaf)] = g
        elif targets is None or id(leaf) in targets:
            _accumulate(leaf, g, wrap, create_graph)

    ops.sort(key=_seq, reverse=True)  # latest op first: every consumer runs before its inputs
    for ctx in ops:
        g = grads.pop(id(ctx), None)
        if g is not None:
            if ctx.hooks:
                g = _run_hooks(ctx.hooks, g, None, wrap)
            if ctx.retained is not None:
                t = ctx.retained()
                if t is not None:
                    _accumulate(t, g, wrap, create_graph)
            if targets is not None and id(ctx) in targets:
                captured[id(ctx)] = g
            if needed is None or any(id(c) in needed for c in _inputs_of(ctx)):
                input_grads, gx = _op_backward(ctx, g, wrap, create_graph), None
                if not retain_graph:
                    ctx.saved = None  # free the saved values; a second backward would need them
                for x, gx in zip(ctx.inputs, input_grads):
                    if gx is None or not getattr(x, "_requires_grad", False):
                        continue
                    node = _node_of(x)
                    if needed is not None and id(node) not in needed:
                        continue
                    prev = grads.get(id(node))
                    grads[id(node)] = gx if prev is None else prev + gx  # used twice: gradients add
                del input_grads, gx  # hold no gradient beyond its entry in grads (see _accumulate)
            del g
        for child in _inputs_of(ctx):
            if id(child) in pending:
                pending[id(child)] -= 1
                if pending[id(child)] == 0:
                    del pending[id(child)]
                    finish_leaf(child)
    for node in order:  # a root that is a leaf itself
        if id(node) in grads and not isinstance(node, Context):
            finish_leaf(node)
    if accumulate:
        return []
    return [captured.get(id(_node_of(t))) for t in inputs]


def initial_gradient(root: Any, gradient: Any, caller: str, wrap: Callable) -> Any:
    """dL/droot to start backward from: 1 for a single number, else the ``gradient`` given."""
    if not root._requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    if gradient is None:
        if root.array.size != 1:
            raise RuntimeError(
                "grad can be implicitly created only for scalar outputs "
                f"({caller}: this tensor has shape {tuple(root.array.shape)}; call .sum() first or pass "
                "the gradient of the same shape)"
            )
        return np.ones_like(root.array)
    if hasattr(gradient, "grad_fn"):
        seed = gradient
    else:
        seed = wrap(np.asarray(gradient, dtype=root.array.dtype))
    if seed.array.shape != root.array.shape:
        raise RuntimeError(f"{caller}: Mismatch in shape: grad_output has a shape of {tuple(seed.array.shape)} and "
                           f"output has a shape of {tuple(root.array.shape)}")
    return seed if seed.grad_fn is not None or seed._requires_grad else seed.array


def _seq(ctx: Context) -> int:
    return ctx.seq


def _op_backward(ctx: Context, g: Any, wrap: Callable, create_graph: bool) -> tuple:
    """One op's chain rule: the gradients of its inputs from the gradient of its output."""
    if ctx.versions is not None:
        check_versions(ctx)
    fn = ctx.fn
    if getattr(fn, "on_tensors", False):  # a Function you wrote: it sees Tensors
        return fn.backward_on_tensors(ctx, g, wrap)
    if not create_graph:
        result = fn.backward(ctx, g)
        return result if type(result) is tuple else (result,)
    ctx.saved_as_tensors = _saved_as_tensors(ctx, wrap)
    try:
        result = fn.backward(ctx, g)
    finally:
        ctx.saved_as_tensors = None
    result = result if type(result) is tuple else (result,)
    return tuple(r if r is None or hasattr(r, "grad_fn") else wrap(np.asarray(r)) for r in result)


def _saved_as_tensors(ctx: Context, wrap: Callable) -> tuple:
    """The values forward saved, as the tensors they are: an input is that input (so the
    derivative's graph reaches it), anything else is the op's output (ops save nothing else)."""
    if ctx.saved is None:
        return ()
    arrays = [getattr(x, "array", x) for x in ctx.inputs]
    result = []
    for k, v in enumerate(ctx.saved):
        if k < len(arrays) and v is arrays[k]:
            result.append(ctx.inputs[k])
            continue
        same = [i for i, a in enumerate(arrays) if v is a]
        if same:
            result.append(ctx.inputs[same[0]])
        else:
            out = wrap(np.asarray(v))
            out.grad_fn, out._requires_grad = ctx, True
            result.append(out)
    return tuple(result)


def _run_hooks(hooks: dict, g: Any, leaf: Any, wrap: Callable) -> Any:
    """register_hook functions, in order; each may return a replacement gradient."""
    for hook in list(hooks.values()):
        as_tensor = g if hasattr(g, "grad_fn") else wrap(g)
        new = hook(as_tensor)
        if new is None:
            continue
        new_array = getattr(new, "array", None)
        if new_array is None or new_array.shape != np.shape(getattr(g, "array", g)):
            raise RuntimeError(
                f"hook {getattr(hook, '__name__', hook)!r} has changed the size of value: it returned "
                f"{type(new).__name__} of shape {getattr(new_array, 'shape', None)}, the gradient has shape "
                f"{np.shape(getattr(g, 'array', g))} (return a tensor of the gradient's shape, or None)"
            )
        g = new if hasattr(g, "grad_fn") else new_array
    return g


# references to g while _accumulate runs when nothing else holds it: the caller's variable,
# the parameter, and getrefcount's own argument. (Python 3.14 counts borrowed references
# differently, so there we always copy.)
_ONLY_OURS = 3 if sys.version_info < (3, 14) else 0


def _accumulate(t: Any, g: Any, wrap: Callable, create_graph: bool) -> None:
    """Add g into t.grad. The first time, t.grad takes g itself if nothing else refers to it
    (torch's AccumulateGrad "steals" the buffer the same way), otherwise a copy, because g may
    be shared: ``a + b`` hands the same array to a and b."""
    if create_graph:  # keep the graph: t.grad is a tensor computed from the inputs
        t.grad = run(Copy, g) if t.grad is None else t.grad + g
        return
    if hasattr(g, "grad_fn"):
        g = g.array
    if t.grad is not None:
        if t.grad.grad_fn is not None:  # left by an earlier create_graph backward
            t.grad = t.grad + wrap(g)
        else:
            t.grad.array += g
        return
    if (g.base is None and g.flags.writeable and g.dtype == t.array.dtype and g.shape == t.array.shape
            and sys.getrefcount(g) <= _ONLY_OURS):
        t.grad = wrap(g)
    else:
        t.grad = wrap(np.array(np.broadcast_to(g, t.array.shape), dtype=t.array.dtype))
