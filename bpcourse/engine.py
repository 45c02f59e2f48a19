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

import operator
import sys
import weakref
from heapq import heappop, heappush
from typing import Any, Callable

import numpy as np

from bpcourse.function import ChangeClock, Context, check_versions, numbers_changed
from bpcourse.grad_mode import _grad_mode, no_grad
from bpcourse.graph import topological_order
from bpcourse.ops.elementwise import Clone, Copy
from bpcourse.ops.maths import run


# The leaves that have hooks (``x.register_hook`` on a tensor you made), while they live: a leaf's
# hook runs as soon as the last op that uses the leaf is done, which only the general loop tracks.
leaf_hooks: dict = {}  # id(leaf) -> weak reference to it


def watch_leaf_hooks(leaf: Any) -> None:
    key = id(leaf)
    if key not in leaf_hooks:
        leaf_hooks[key] = weakref.ref(leaf, lambda _: leaf_hooks.pop(key, None))


def _node_of(t: Any) -> Any:
    """A tensor's place in the graph: the op that made it, or the tensor itself for a leaf."""
    return t.grad_fn if t.grad_fn is not None else t


def _inputs_of(node: Any) -> Any:
    """The nodes whose gradients ``node`` computes: the inputs that required grad at forward."""
    if not isinstance(node, Context):
        return ()  # a leaf
    nodes = []
    for x, need in zip(node.inputs, node.needs_input_grad):
        if need:
            nodes.append(_made_by(x, node))
    return nodes


def _made_by(x: Any, ctx: Context) -> Any:
    """The node that made the value of x that ctx used (x itself for a leaf): x.grad_fn, unless x
    was changed in place after ctx used it (its grad_fn is then newer than ctx, see
    ``Tensor._rebase``): then the node of the value x had before the change."""
    node = x.grad_fn
    while node is not None and node.seq > ctx.seq and node.rebased_from is not None:
        x = node.rebased_from
        node = x.grad_fn
    return x if node is None else node


def backward(roots: list, seeds: list, wrap: Callable, retain_graph: bool = False, create_graph: bool = False,
             inputs: list | None = None, accumulate: bool = True) -> list:
    """Run backward from ``roots`` (tensors) seeded with ``seeds`` (arrays or Tensors).

    ``accumulate=True`` (``tensor.backward()``) adds into ``.grad`` of the leaves (of ``inputs``
    only, if given); ``accumulate=False`` (``autograd.grad``) returns the gradients of ``inputs``
    instead (``None`` for an input the roots do not depend on).
    """
    if not create_graph and inputs is None and accumulate and not leaf_hooks:  # loss.backward(): the common case
        _backward_default(roots, seeds, wrap, retain_graph)
        return []
    prev_mode = _grad_mode.enabled
    if create_graph:
        _grad_mode.enabled = True  # formulas on Tensors, recorded: the gradients get a graph
    try:
        # Dicts below are keyed by the nodes themselves (ops and leaf tensors hash by identity).
        grads: dict = {}  # node -> dL/d(its output) received so far
        for root, seed in zip(roots, seeds):
            node = _node_of(root)
            if create_graph and not hasattr(seed, "grad_fn"):
                seed = wrap(seed)
            grads[node] = seed if node not in grads else grads[node] + seed
        children: dict = {}  # node -> the nodes it sends gradients to
        order = topological_order([_node_of(r) for r in roots], _inputs_of, children)  # inputs first

        targets = None if inputs is None else {_node_of(t) for t in inputs}
        needed = None  # with inputs: only the nodes on a path to them
        if targets is not None:
            needed = {node for node in order if node in targets}
            for node in order:
                if any(c in needed for c in children[node]):
                    needed.add(node)
        captured: dict = {}

        ops = [node for node in order if isinstance(node, Context)]
        ops.sort(key=_SEQ, reverse=True)  # latest op first: every consumer runs before its inputs
        # A leaf is done (hooks, then .grad) once the last op that uses it has run, as in torch; only
        # a hook can tell when, so only leaves with hooks are counted, the others are done at the end.
        uses: dict = {}  # leaf with hooks -> number of ops still to run that send it a gradient
        for ctx in ops:
            for child in children[ctx]:
                if not isinstance(child, Context) and child._hooks:
                    uses[child] = uses.get(child, 0) + 1

        def leaf_done(leaf: Any) -> None:
            """Every op that uses leaf has run: hooks, then accumulate into .grad (or capture)."""
            g = grads.pop(leaf, None)
            if g is None:
                return
            if leaf._hooks:
                g = _run_hooks(leaf._hooks, g, wrap)
            if not accumulate:
                captured[leaf] = g
            elif targets is None or leaf in targets:
                _accumulate(leaf, g, wrap, create_graph)

        for ctx in ops:
            g = grads.pop(ctx, None)
            if g is not None:
                if ctx.hooks:
                    g = _run_hooks(ctx.hooks, g, wrap)
                if ctx.retained is not None and ctx.retained() is not None:
                    _accumulate(ctx.retained(), g, wrap, create_graph)
                if targets is not None and ctx in targets:
                    captured[ctx] = g
                if needed is None or any(c in needed for c in children[ctx]):
                    if ctx.versions is not None:
                        check_versions(ctx)
                    if create_graph or ctx.fn.on_tensors:
                        input_grads = _backward_on_tensors(ctx, g, wrap, create_graph)
                    else:  # the common case: the op's chain rule on arrays
                        input_grads = ctx.fn.backward(ctx, g)
                        if type(input_grads) is not tuple:
                            input_grads = (input_grads,)
                    gx = None
                    if not retain_graph:
                        ctx.saved = None  # free the saved values; a second backward would need them
                    for x, need, gx in zip(ctx.inputs, ctx.needs_input_grad, input_grads):
                        if gx is None or not need:
                            continue
                        node = _made_by(x, ctx)
                        if needed is not None and node not in needed:
                            continue
                        prev = grads.get(node)
                        grads[node] = gx if prev is None else prev + gx  # used twice: gradients add
                    del input_grads, gx  # hold no gradient beyond its entry in grads (see _accumulate)
                del g
            if uses:
                for child in children[ctx]:
                    if child in uses:
                        uses[child] -= 1
                        if not uses[child]:
                            leaf_done(child)
        for leaf in list(grads):  # every op has run: what is left are leaves (without hooks)
            leaf_done(leaf)
        if accumulate:
            return []
        return [captured.get(_node_of(t)) for t in inputs]
    finally:
        _grad_mode.enabled = prev_mode


def _backward_default(roots: list, seeds: list, wrap: Callable, retain_graph: bool) -> None:
    """``backward`` without create_graph, inputs or leaf hooks: the same steps as the general
    loop, with nothing to check that cannot happen here.

    As in torch's engine, the ops that have received a gradient wait in a queue, and the latest
    of them (highest ``seq``) runs next: an op is created after its inputs, so every op that used
    a tensor has run, and sent its share of the gradient, before the op that made the tensor."""
    grads: dict = {}  # node (op, or leaf tensor) -> dL/d(its output) received so far
    ready: list = []  # heap of (-seq, op): the op created last comes out first (seq is unique: no tie)
    for root, seed in zip(roots, seeds):
        node = root.grad_fn or root
        if node in grads:
            grads[node] = grads[node] + seed
        else:
            grads[node] = seed
            if node is not root:
                heappush(ready, (-node.seq, node))
    while ready:
        ctx = heappop(ready)[1]
        g = grads.pop(ctx)
        if ctx.hooks:
            g = _run_hooks(ctx.hooks, g, wrap)
        if ctx.retained is not None and ctx.retained() is not None:
            _accumulate(ctx.retained(), g, wrap, False)
        if ctx.versions is not None and ctx.watched_at != ChangeClock.ticks:
            check_versions(ctx)  # something changed in place since ctx saved its values: one of them?
        fn = ctx.fn
        if fn.on_tensors:
            input_grads = _backward_on_tensors(ctx, g, wrap, False)
        else:  # the op's chain rule on arrays
            input_grads = fn.backward(ctx, g)
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
        if not retain_graph:
            ctx.saved = None  # free the saved values; a second backward would need them
        gx = None
        seq = ctx.seq
        for x, need, gx in zip(ctx.inputs, ctx.needs_input_grad, input_grads):
            if gx is None or not need:
                continue
            node = x.grad_fn
            if node is None:
                node = x
            elif node.seq > seq:  # x was changed in place after ctx used it
                node = _made_by(x, ctx)
            prev = grads.get(node)
            if prev is not None:
                grads[node] = prev + gx  # used twice: gradients add
            else:
                grads[node] = gx
                if isinstance(node, Context):  # its first gradient: the op joins the queue
                    heappush(ready, (-node.seq, node))
        del input_grads, gx, g  # hold no gradient beyond its entry in grads (see _accumulate)
    for leaf in list(grads):  # every op has run: what is left are the leaves
        g = grads.pop(leaf)
        _accumulate(leaf, g, wrap, False)


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


_SEQ = operator.attrgetter("seq")


def _backward_on_tensors(ctx: Context, g: Any, wrap: Callable, create_graph: bool) -> tuple:
    """An op's backward for a Function you wrote (it sees Tensors), or any op under create_graph:
    its backward then runs on Tensors, with recording on, so its gradients have a graph."""
    fn = ctx.fn
    if fn.on_tensors:  # your backward runs with recording on only under create_graph
        prev_mode = _grad_mode.enabled
        _grad_mode.enabled = create_graph
        try:
            return fn.backward_on_tensors(ctx, g, wrap)
        finally:
            _grad_mode.enabled = prev_mode
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
        if v is None:  # not saved: no gradient that needs it was asked for (ops/elementwise.py Mul)
            result.append(None)
            continue
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


def _run_hooks(hooks: dict, g: Any, wrap: Callable) -> Any:
    """register_hook functions, in order; each may return a replacement gradient."""
    for hook in list(hooks.values()):
        as_tensor = g if hasattr(g, "grad_fn") else wrap(g)
        if as_tensor.requires_grad:  # under create_graph: the hook's maths is part of the graph
            new = hook(as_tensor)
        else:
            with no_grad():  # as in torch, a hook's own maths is not recorded
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
    if create_graph:  # keep the graph: .grad is a tensor computed from the inputs
        if t._grad is None:  # (torch: a leaf's .grad is a CopyBackwards, a retained one's a clone)
            t._grad = run(Copy if t.grad_fn is None else Clone, g)
        else:
            t._grad = t._grad + g
        return
    if type(g) is not np.ndarray:
        g = getattr(g, "array", g)
    if t._grad is not None:
        if t._grad.grad_fn is not None:  # left by an earlier create_graph backward; as in torch,
            if t.grad_fn is None:  # a leaf's .grad takes the sum in place (its node stays)
                t._grad.array = t._grad.array + g
                numbers_changed()
            else:  # a retained .grad becomes the sum, without a graph
                t._grad = wrap(t._grad.array + g)
        elif t._grad.array.size > 16:
            t._grad.array += g
        else:  # the same sum, written back: numpy's in-place add costs 0.4 us more on a few numbers
            t._grad.array[...] = t._grad.array + g
        return
    if (g.base is None and g.flags.writeable and g.dtype == t.array.dtype and g.shape == t.array.shape
            and sys.getrefcount(g) <= _ONLY_OURS):
        t._grad = wrap(g)
    else:
        t._grad = wrap(np.array(np.broadcast_to(g, t.array.shape), dtype=t.array.dtype))
