"""The one graph walk: every node a root depends on, inputs before the nodes computed from them.

Used by the tensor engine's backward pass (``engine.py``), by ``tensor_graph.py`` and by the
drawings in ``viz/``. It knows nothing of tensors: you say how to reach a node's inputs.
(The scalar engine, ``bpcourse/scalar``, keeps its own walk: it is lesson code.)
"""
from __future__ import annotations

from typing import Any, Callable, Iterable


def topological_order(roots: Any, inputs_of: Callable[[Any], Iterable], edges: dict | None = None) -> list:
    """Every node reachable from ``roots`` (one node or a list), each once, inputs first.

    ``edges``, if given, is filled with ``node -> inputs_of(node)``, for a caller that needs
    them again (the backward pass), so that inputs_of runs once per node.

    An iterative depth-first search: a recursive one stops at Python's ~1,000-frame limit, and
    graphs of a long training loop are deeper than that. Deterministic: inputs in operand order.
    """
    order: list = []
    seen: set = set()
    stack = [(root, False) for root in reversed(roots)] if isinstance(roots, (list, tuple)) else [(roots, False)]
    while stack:
        node, inputs_placed = stack.pop()
        if inputs_placed:  # every input of node is in order: place node
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        inputs = inputs_of(node)
        if edges is not None:
            edges[node] = inputs
        for child in reversed(inputs):  # reversed: the first input is placed first
            if id(child) not in seen:
                stack.append((child, False))
    return order
