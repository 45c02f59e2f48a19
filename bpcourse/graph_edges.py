"""``grad_fn.next_functions`` as torch shows it, made on demand for a learner who looks.

torch's graph ends at the leaves in ``AccumulateGrad`` nodes (the node that adds the arriving
gradient into ``leaf.grad``); bpcourse's backward accumulates into a leaf directly, so it has no
such node. This module makes one when a learner asks (``loss.grad_fn.next_functions[0][0]``):
the backward pass never sees it, so it costs nothing there.

Each entry is ``(node, 0)``: the node of a differentiable input that has one, an
``AccumulateGrad`` for a leaf that requires grad, ``None`` for an input that needs no gradient
(a constant tensor, or the number in ``x * 2``, which torch wraps as a tensor).
"""
from __future__ import annotations

import weakref
from typing import Any

import numpy as np

# torch wraps a Python number operand of these ops in a tensor, so it shows up as (None, 0)
_NUMBER_OPERAND_NODES = frozenset({"AddBackward0", "SubBackward0", "MulBackward0", "DivBackward0",
                                   "WhereBackward0"})


class AccumulateGrad:
    """A leaf's node, as torch shows it: ``.variable`` is the leaf; it has no inputs."""

    __slots__ = ("variable", "__weakref__")

    def __init__(self, variable: Any) -> None:
        self.variable = variable

    next_functions: tuple = ()
    metadata: dict = {}

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"


# One AccumulateGrad per leaf while anybody holds it (torch keeps it while the graph lives), so
# that walking a graph meets a leaf used twice as one node. Keyed by id: the node holds its leaf,
# so the leaf (and its id) lives as long as the entry.
_ACCUMULATORS: "weakref.WeakValueDictionary[int, AccumulateGrad]" = weakref.WeakValueDictionary()


def accumulate_grad(leaf: Any) -> AccumulateGrad:
    node = _ACCUMULATORS.get(id(leaf))
    if node is None or node.variable is not leaf:
        node = _ACCUMULATORS[id(leaf)] = AccumulateGrad(leaf)
    return node


def edge(x: Any) -> tuple:
    """(the node that gives x its gradient, 0), as in torch's next_functions."""
    grad_fn = getattr(x, "grad_fn", None)
    if grad_fn is not None:
        return (grad_fn, 0)
    if getattr(x, "_requires_grad", False):
        return (accumulate_grad(x), 0)
    return (None, 0)


def _differentiable(x: Any, number_operands: bool) -> bool:
    if hasattr(x, "grad_fn"):  # a tensor: an integer one (a class target) has no edge in torch
        return x.array.dtype.kind in "fc"
    # the number operand, which apply received as a 0-d array (a where's bool mask is no operand)
    return number_operands and isinstance(x, (np.ndarray, np.generic, int, float)) and np.asarray(x).dtype.kind == "f"


def next_functions(ctx: Any) -> tuple:
    torch_inputs = getattr(ctx.fn, "torch_inputs", None)  # an op torch records as several nodes
    if torch_inputs is not None:
        cached = ctx.__dict__.get("_torch_inputs")
        if cached is None:
            cached = ctx.__dict__["_torch_inputs"] = torch_inputs(ctx)
        inputs = cached
    else:
        numbers = ctx.name() in _NUMBER_OPERAND_NODES
        inputs = [x for x in ctx.inputs if _differentiable(x, numbers)]
        if ctx.name() in ("AddBackward0", "MulBackward0"):  # 2 * x is x.__rmul__(2): the tensor comes first
            inputs.sort(key=lambda x: not hasattr(x, "grad_fn"))
    return tuple(x.edge if isinstance(x, Node) else edge(x) for x in inputs)


class Node:
    """An input of a node that is itself a node torch records (``TBackward0`` of a weight):
    ``node_class`` makes it a node of torch's name with the given inputs."""

    __slots__ = ("edge",)

    def __init__(self, node: Any) -> None:
        self.edge = (node, 0)


def synthetic_node(node_cls: type, *inputs: Any) -> Node:
    """A node named as torch's (a Context subclass) over ``inputs``, for display only."""
    node = object.__new__(node_cls)
    node.fn = None
    node.inputs = inputs
    node.needs_input_grad = tuple(bool(getattr(x, "_requires_grad", False)) for x in inputs)
    return Node(node)
