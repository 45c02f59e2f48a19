"""The one graph walk: every node a root depends on, inputs before the nodes computed from them.

Used by the tensor engine's backward pass (``engine.py``), by ``tensor_graph.py`` and by the
drawings in ``viz/``. It knows nothing of tensors: you say how to reach a node's inputs.
(The scalar engine, ``bpcourse/scalar``, keeps its own walk: it is lesson code.)
"""
from __future__ import annotations

from typing import Any, Callable, Iterable


def topological_order(roots: Any, inputs_of: Callable[[Any], Iterable]) -> list:
    """Every node reachable from ``roots`` (one node or a list), each once, inputs first.

    An iterative depth-first search: a recursive one stops at Python's ~1,000-frame limit, and
    graphs of a long training loop are deeper than that. Deterministic: inputs in operand order.
    """
    roots = roots if isinstance(roots, (list, tuple)) else [roots]
    order: list = []
    seen: set = set()
    for root in roots:
        if id(root) in seen:
            continue
        seen.add(id(root))
        stack = [(root, iter(inputs_of(root)))]
        while stack:
            node, pending = stack[-1]
            for child in pending:
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append((child, iter(inputs_of(child))))
                    break
            else:  # every input of node is placed: place node
                stack.pop()
                order.append(node)
    return order
