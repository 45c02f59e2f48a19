"""Walking a tensor graph (for drawing it and for stepping through backward by hand)."""
from __future__ import annotations

from bpcourse.tensor import Tensor


def topological_order(root: Tensor) -> list:
    """Every tensor ``root`` was computed from, inputs first and ``root`` last.

    Follows ``.parents`` (so constants that need no gradient are included too); iterative,
    so deep graphs do not hit Python's recursion limit; deterministic (operand order).
    """
    order = []
    visited = set()
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent in reversed(node.parents):
            if id(parent) not in visited:
                stack.append((parent, False))
    return order
