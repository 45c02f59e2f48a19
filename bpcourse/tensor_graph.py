"""Walking a tensor graph (for drawing it and for stepping through backward by hand)."""
from __future__ import annotations

from typing import Any

from bpcourse import graph


def topological_order(root: Any) -> list:
    """Every tensor ``root`` was computed from, inputs first and ``root`` last.

    Follows ``.parents`` (so constants that need no gradient are included too); iterative,
    so deep graphs do not hit Python's recursion limit; deterministic (operand order).
    """
    return graph.topological_order(root, lambda t: t.parents)
