"""Looking inside a graph: its nodes in order, and its backward pass one node at a time.

``backward_steps(root)`` performs exactly the loop of ``Value.backward()``, but yields after each
node so that a notebook (or ``bpcourse.widgets.backward_stepper``) can show the chain rule at work.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from .engine import Value, topological_order

__all__ = ["BackwardStep", "backward_steps"]


@dataclass(frozen=True)
class BackwardStep:
    """One application of the chain rule at ``node``.

    ``contributions``: one ``(parent, local_grad, added)`` per input of ``node``, where
    ``local_grad`` = d node / d parent and ``added`` = ``local_grad * node.grad`` (what the
    parent's ``.grad`` grew by).
    """

    node: Value
    contributions: list[tuple[Value, float, float]]


def backward_steps(root: Value) -> Iterator[BackwardStep]:
    """Run ``root``'s backward pass one node at a time, outputs first.

    All grads in the graph are reset to 0.0 and ``root.grad`` is seeded with 1.0 before the first
    step. Exhausting the generator leaves the grads a fresh ``root.backward()`` gives.

        >>> a = Value(3.0); b = a * a
        >>> [(s.node.op, [added for _, _, added in s.contributions]) for s in backward_steps(b)]
        [('*', [3.0, 3.0]), ('', [])]
    """
    topo = topological_order(root)
    for node in topo:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(topo):
        contributions = []
        for parent, local in zip(node.parents, node.local_grads):
            added = local * node.grad
            parent.grad += added
            contributions.append((parent, local, added))
        yield BackwardStep(node, contributions)
