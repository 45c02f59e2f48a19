"""Walk a computational graph through the graph protocol and lay it out in layers.

The graph protocol (docs/interfaces.md): every node has ``.data``, ``.grad``, ``.label``,
``.op`` and ``.parents`` (inputs in operand order). micrograd's private names ``._prev`` and
``._op`` work too, so a ``micrograd.engine.Value`` can be drawn as well.

The layout is the classic layered ("Sugiyama") drawing, left to right:

1. *layers*: a node sits one layer right of its deepest input (longest-path layering);
   leaves (inputs, weights) then move right to sit just before their first consumer;
2. *dummies*: an edge that spans several layers gets one invisible point per layer crossed;
3. *order*: within each layer, nodes are sorted by the mean position of their neighbours in
   the layer before (then after), a few sweeps back and forth (the barycentre heuristic),
   keeping the order with the fewest edge crossings.

Everything is iterative, so graphs of any depth can be walked.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np

from bpcourse import graph as graph_walk  # the one walk, shared with the engine (no engine code)

# ----- the graph protocol, with micrograd's names as fallback -----


def parents_of(node: Any) -> tuple:
    """The inputs of ``node`` in operand order (``.parents``, else micrograd's ``._prev``)."""
    parents = getattr(node, "parents", None)
    if parents is None:
        parents = getattr(node, "_prev", ())
    return tuple(parents)


def op_of(node: Any) -> str:
    """The name of the operation that made ``node`` ("" for a leaf)."""
    op = getattr(node, "op", None)
    if op is None:
        op = getattr(node, "_op", "")
    return str(op or "")


def label_of(node: Any) -> str:
    return str(getattr(node, "label", "") or "")


def as_number_or_array(x: Any) -> float | np.ndarray | None:
    """A float for a Value's data/grad, a numpy array for a Tensor's, None for a missing grad."""
    if x is None:
        return None
    if isinstance(x, (bool, int, float, np.number)):
        return float(x)
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "detach"):          # a Tensor (ours or torch's): detach, then .numpy()
        x = x.detach()
    if hasattr(x, "numpy"):
        return np.asarray(x.numpy())
    return np.asarray(x)


def format_number(v: float) -> str:
    """Four decimals for everyday numbers, scientific notation for tiny or huge ones."""
    if v == 0 or (1e-3 <= abs(v) < 1e5):
        return f"{v:.4f}"
    if np.isnan(v) or np.isinf(v):
        return str(v)
    return f"{v:.3e}"


def _value_text(value: Any, describe_array) -> str:
    """A number as text; an array of one element as its number, a bigger one via describe_array."""
    if value is None:
        return "None"
    if isinstance(value, float):
        return format_number(value)
    if value.size == 1:
        return format_number(float(value.reshape(-1)[0]))
    return describe_array(value)


def data_text(node: Any) -> str:
    """'3.0000' for a Value or a one-element Tensor, 'shape (3, 2)' for a bigger Tensor."""
    return _value_text(as_number_or_array(getattr(node, "data", None)),
                       lambda a: f"shape {tuple(a.shape)}")


def grad_text(node: Any) -> str:
    """'-2.0000' for a scalar gradient, 'norm 1.2345' for an array gradient, 'None' if unset."""
    grad = node._grad if hasattr(node, "_grad") else getattr(node, "grad", None)  # (a Tensor's .grad warns on a non-leaf)
    return _value_text(as_number_or_array(grad),
                       lambda a: f"norm {format_number(float(np.linalg.norm(a)))}")


def topological_order(root: Any) -> list:
    """All nodes that ``root`` depends on, inputs first and ``root`` last (iterative DFS)."""
    return graph_walk.topological_order(root, parents_of)


def nearest_nodes(root: Any, limit: int) -> list:
    """Up to ``limit`` nodes closest to ``root`` (breadth-first over inputs), root first."""
    chosen, seen, frontier = [root], {id(root)}, [root]
    while frontier and len(chosen) < limit:
        following = []
        for node in frontier:
            for parent in parents_of(node):
                if id(parent) not in seen and len(chosen) < limit:
                    seen.add(id(parent))
                    chosen.append(parent)
                    following.append(parent)
        frontier = following
    return chosen


# ----- layered layout -----


@dataclass
class Layout:
    """Where each node goes: ``layer[i]`` (x) and ``rank[i]`` (y, 0 = top) for node i.

    ``routes[k]`` are the (layer, rank) points that edge k passes through between its two ends
    (one per dummy), so long edges bend around the nodes in between.
    """
    layer: list[int]
    rank: list[float]
    layer_sizes: list[int]
    routes: list[list[tuple[int, float]]] = field(default_factory=list)
    crossings: int = 0


def _count_crossings(edges: list[tuple[float, float]]) -> int:
    """Edge pairs between two layers that cross: their ends are in opposite orders."""
    if len(edges) < 2:
        return 0
    a = np.array([e[0] for e in edges], dtype=float)
    b = np.array([e[1] for e in edges], dtype=float)
    crossed = np.sign(a[:, None] - a[None, :]) * np.sign(b[:, None] - b[None, :]) < 0
    return int(crossed.sum()) // 2


def layered_layout(parents_idx: list[list[int]], sweeps: int = 8) -> Layout:
    """Lay out a DAG given as ``parents_idx[i]`` (indices of node i's inputs, all < i)."""
    n = len(parents_idx)
    layer = [0] * n
    for i in range(n):                                  # longest path from the inputs
        if parents_idx[i]:
            layer[i] = 1 + max(layer[p] for p in parents_idx[i])
    children: list[list[int]] = [[] for _ in range(n)]
    for i, ps in enumerate(parents_idx):
        for p in ps:
            children[p].append(i)
    for i in range(n):                                  # leaves sit next to their first use
        if not parents_idx[i] and children[i]:
            layer[i] = min(layer[c] for c in children[i]) - 1

    # vertices = real nodes, then one dummy per layer crossed by a long edge
    v_layer = list(layer)
    up: list[list[int]] = [[] for _ in range(n)]        # neighbours one layer to the left
    down: list[list[int]] = [[] for _ in range(n)]      # neighbours one layer to the right
    edge_chain: list[list[int]] = []                    # per edge: its dummy vertices
    for i, ps in enumerate(parents_idx):
        for p in ps:
            chain, prev = [], p
            for lay in range(layer[p] + 1, layer[i]):
                d = len(v_layer)
                v_layer.append(lay)
                up.append([prev])
                down.append([])
                down[prev].append(d)
                chain.append(d)
                prev = d
            up[i].append(prev)
            down[prev].append(i)
            edge_chain.append(chain)

    n_layers = max(v_layer) + 1 if v_layer else 0
    layers: list[list[int]] = [[] for _ in range(n_layers)]
    for v, lay in enumerate(v_layer):                   # start in topological order
        layers[lay].append(v)

    def positions() -> list[float]:
        pos = [0.0] * len(v_layer)
        for members in layers:
            for k, v in enumerate(members):
                pos[v] = float(k)
        return pos

    def total_crossings(pos: list[float]) -> int:
        return sum(_count_crossings([(pos[u], pos[v]) for v in layers[lay] for u in up[v]])
                   for lay in range(1, n_layers))

    pos = positions()
    best, best_layers = total_crossings(pos), [list(m) for m in layers]
    for sweep in range(sweeps):
        if best == 0:
            break
        forward = sweep % 2 == 0
        order = range(1, n_layers) if forward else range(n_layers - 2, -1, -1)
        for lay in order:
            nbrs = up if forward else down

            def barycentre(v: int) -> float:
                return float(np.mean([pos[u] for u in nbrs[v]])) if nbrs[v] else pos[v]
            layers[lay].sort(key=lambda v: (barycentre(v), pos[v]))
            for k, v in enumerate(layers[lay]):
                pos[v] = float(k)
        crossings = total_crossings(pos)
        if crossings < best:
            best, best_layers = crossings, [list(m) for m in layers]
    layers = best_layers
    pos = positions()
    sizes = [len(m) for m in layers]
    tallest = max(sizes) if sizes else 1
    # centre every layer vertically on the tallest one
    rank = [pos[v] + (tallest - sizes[v_layer[v]]) / 2 for v in range(len(v_layer))]
    routes = [[(v_layer[d], rank[d]) for d in chain] for chain in edge_chain]
    return Layout(layer=layer, rank=rank[:n], layer_sizes=sizes, routes=routes, crossings=best)


def edges_of(parents_idx: Iterable[Iterable[int]]) -> list[tuple[int, int]]:
    """One (input, output) pair per operand, in the order the layout's routes use."""
    return [(p, i) for i, ps in enumerate(parents_idx) for p in ps]
