"""Draw a computational graph with matplotlib alone (no graphviz program needed).

    >>> from bpcourse.scalar import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> L = a * b; L.label = "L"; L.backward()
    >>> pic = draw_graph(L)          # shows as a PNG in a notebook; print(pic) gives text
    >>> len(pic.nodes), pic.edges    # (3, [(0, 2), (1, 2)])

Each node is a box with its label, data (the value, or the shape of a tensor) and grad; the
operation that produced it sits in a yellow bubble on its left, where its inputs arrive.
Colours are the Okabe-Ito palette, which colour-blind readers can tell apart.
"""
from __future__ import annotations

import io
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from matplotlib.figure import Figure
from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch, Patch
from matplotlib.path import Path

from .graph import (data_text, edges_of, grad_text, label_of, layered_layout, nearest_nodes,
                    op_of, parents_of, topological_order)

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every colour-vision deficiency.
OKABE_ITO = {"orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00",
             "reddish purple": "#CC79A7", "black": "#000000"}


def _tint(hex_colour: str, amount: float) -> tuple[float, float, float]:
    """Mix a colour with white: amount=1 is the colour itself, 0 is white."""
    r, g, b = (int(hex_colour[k:k + 2], 16) / 255 for k in (1, 3, 5))
    return (1 - amount + amount * r, 1 - amount + amount * g, 1 - amount + amount * b)


FILL = {"leaf": _tint(OKABE_ITO["sky blue"], 0.45), "computed": _tint(OKABE_ITO["orange"], 0.4),
        "output": _tint(OKABE_ITO["bluish green"], 0.4), "op": _tint(OKABE_ITO["yellow"], 0.6)}
HIGHLIGHT = OKABE_ITO["vermillion"]
RECEIVING = OKABE_ITO["blue"]
OUTLINE = {"highlight": HIGHLIGHT, "receiving": RECEIVING}
EDGE = "#4d4d4d"

# geometry in data units; the figure size follows from the number of layers and rows
MIN_BOX_W, BOX_H = 2.1, 1.05         # boxes widen to fit their text
ROW_DY = 1.5
OP_GAP = 0.15                         # between an op bubble and its box
EDGE_ROOM = 0.8                       # horizontal room for the edges between layers
CHAR_W = 0.136                        # a monospace character at the base font, in data units
INCH_PER_UNIT = 0.55                  # scale for small graphs; big graphs shrink to fit
MAX_W_IN, MAX_H_IN = 24.0, 18.0
DEFAULT_MAX_NODES = 150


@dataclass(eq=False)
class GraphPicture:
    """A drawn computational graph.

    ``nodes``: one dict per drawn node (inputs first): ``id``, ``op``, ``label``, ``data``,
    ``grad`` (texts as shown), ``kind`` ("leaf", "computed", "output"), ``layer``, ``xy``.
    ``edges``: ``(input id, output id)``, one per operand. ``figure``: the matplotlib Figure.
    ``message``: "" or why only part of the graph is drawn.
    """
    nodes: list[dict]
    edges: list[tuple[int, int]]
    figure: Figure
    total_nodes: int
    message: str = ""
    _objects: list = field(default_factory=list, repr=False)

    def id_of(self, node: Any) -> int:
        """The id that ``node`` has in this picture."""
        for i, obj in enumerate(self._objects):
            if obj is node:
                return i
        raise KeyError("this node is not drawn in the picture")

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", bbox_inches="tight", facecolor="white")
        return buffer.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png()

    def savefig(self, path: str, **kwargs: Any) -> None:
        kwargs.setdefault("bbox_inches", "tight")
        kwargs.setdefault("facecolor", "white")
        self.figure.savefig(path, **kwargs)

    def to_text(self) -> str:
        """The graph as lines of text, inputs first: ``#2 L = #0 * #1  data ...  grad ...``."""
        inputs: dict[int, list[int]] = {n["id"]: [] for n in self.nodes}
        for src, dst in self.edges:
            inputs[dst].append(src)
        lines = [f"computational graph: {len(self.nodes)} nodes, {len(self.edges)} edges"
                 + (f" ({self.message})" if self.message else "")]
        for n in self.nodes:
            name = f"#{n['id']}" + (f" {n['label']}" if n["label"] else "")
            if n["op"]:
                args = [f"#{i}" for i in inputs[n["id"]]]
                if len(args) == 2 and len(n["op"]) <= 2:          # a + b, a ** 2
                    name += f" = {args[0]} {n['op']} {args[1]}"
                else:                                             # tanh(a), MatMul(a, b)
                    name += f" = {n['op']}({', '.join(args)})"
            lines.append(f"{name:<28} data {n['data']:<14} grad {n['grad']}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"<GraphPicture: {len(self.nodes)} nodes, {len(self.edges)} edges>"

    def to_svg(self) -> str:
        """The graph laid out by graphviz, as SVG text (only if `dot` is installed)."""
        return _run_dot(self.to_dot())

    def to_dot(self) -> str:
        """Graphviz DOT text (render it with `dot -Tpng` if you have graphviz; not needed here)."""
        def esc(s: str) -> str:
            return s.replace("\\", "\\\\").replace('"', '\\"').replace("{", "\\{").replace(
                "}", "\\}").replace("|", "\\|").replace("<", "\\<").replace(">", "\\>")
        out = ["digraph G {", "  rankdir=LR;", "  node [fontname=Helvetica];"]
        for n in self.nodes:
            out.append(f'  n{n["id"]} [shape=record, label="{{ {esc(n["label"])} | data {esc(n["data"])}'
                       f' | grad {esc(n["grad"])} }}"];')
            if n["op"]:
                out.append(f'  n{n["id"]}op [shape=ellipse, label="{esc(n["op"])}"];')
                out.append(f'  n{n["id"]}op -> n{n["id"]};')
        for src, dst in self.edges:
            out.append(f"  n{src} -> n{dst}op;")
        out.append("}")
        return "\n".join(out)


def _run_dot(dot_text: str) -> str:
    """SVG from graphviz's ``dot`` program, if it is installed (it is optional here)."""
    program = shutil.which("dot")
    if program is None:
        raise RuntimeError("to_svg needs graphviz's `dot` program, which is not on PATH; "
                           "the PNG drawing (picture.png(), or just showing the picture) needs "
                           "nothing but matplotlib")
    result = subprocess.run([program, "-Tsvg"], input=dot_text, capture_output=True, text=True,
                            timeout=60, check=True)
    return result.stdout


def _as_set(nodes: Any) -> list:
    if nodes is None:
        return []
    if isinstance(nodes, (list, tuple, set, frozenset)):
        return list(nodes)
    return [nodes]


def _curve(points: list[tuple[float, float]]) -> Path:
    """A smooth path through ``points``, leaving and entering each point horizontally."""
    verts, codes = [points[0]], [Path.MOVETO]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        dx = (x1 - x0) / 2
        verts += [(x0 + dx, y0), (x1 - dx, y1), (x1, y1)]
        codes += [Path.CURVE4] * 3
    return Path(verts, codes)


def draw_graph(root: Any, *, highlight: Any = None, ax: Any = None, title: str | None = None,
               receiving: Any = None, max_nodes: int = DEFAULT_MAX_NODES) -> GraphPicture:
    """Draw the graph that produced ``root``, inputs on the left and ``root`` on the right.

    root:       a ``bpcourse.scalar.Value``, a ``bpcourse.Tensor`` (or a micrograd Value).
    highlight:  a node (or nodes) to outline in vermillion, e.g. the one being back-propagated.
    receiving:  nodes to outline in dashed blue, e.g. the inputs that receive its gradient.
    ax:         draw into this matplotlib Axes (its figure is yours); by default a new Figure
                is made (not through pyplot, so nothing is shown twice or left open).
    title:      a title above the drawing.
    max_nodes:  bigger graphs are drawn only up to this many nodes nearest ``root``.
    """
    order = topological_order(root)
    total = len(order)
    message = ""
    if total > max_nodes:
        keep = {id(n) for n in nearest_nodes(root, max_nodes)}
        order = [n for n in order if id(n) in keep]
        message = (f"showing the {len(order)} of {total} nodes nearest the output; "
                   f"draw an intermediate node, or pass max_nodes=")
    index = {id(n): i for i, n in enumerate(order)}
    parents_idx = [[index[id(p)] for p in parents_of(n) if id(p) in index] for n in order]
    cut = [len(parents_idx[i]) < len(parents_of(n)) for i, n in enumerate(order)]
    layout = layered_layout(parents_idx)
    edges = edges_of(parents_idx)

    all_ids = {id(n) for n in topological_order(root)} if message else set(index)
    marked = {}
    for role, group in (("receiving", receiving), ("highlight", highlight)):
        for node in _as_set(group):
            if id(node) not in all_ids:
                raise ValueError(f"draw_graph: the {role} node {node!r} is not in the graph of root")
            marked[id(node)] = role

    nodes = []
    for i, n in enumerate(order):
        kind = "output" if n is root else ("computed" if parents_of(n) else "leaf")
        nodes.append({"id": i, "op": op_of(n), "label": label_of(n), "data": data_text(n),
                      "grad": grad_text(n), "kind": kind, "layer": layout.layer[i]})
    chars = max(max(len(n["data"]), len(n["grad"])) + 5 for n in nodes)
    chars = max(chars, max(int(len(n["label"]) * 1.1) for n in nodes))
    box_w = max(MIN_BOX_W, CHAR_W * chars + 0.4)
    op_w = {n["id"]: min(2.2, 0.45 + 0.14 * len(n["op"] or "?")) for n in nodes
            if n["kind"] != "leaf"}
    # each layer is as wide as its widest op bubble needs ("+" is narrow, "sigmoid" is not)
    n_layers = max(layout.layer) + 1
    op_room = [0.0] * n_layers
    for i, w in op_w.items():
        op_room[nodes[i]["layer"]] = max(op_room[nodes[i]["layer"]], w + OP_GAP)
    layer_x = [0.0] * n_layers
    for lay in range(1, n_layers):
        layer_x[lay] = layer_x[lay - 1] + box_w + EDGE_ROOM + op_room[lay]
    for n in nodes:
        n["xy"] = (layer_x[n["layer"]], -layout.rank[n["id"]] * ROW_DY)

    # ----- figure and scale -----
    rows = max(layout.layer_sizes)
    width_u = layer_x[-1] + box_w + op_room[0] + 0.8
    height_u = (rows - 1) * ROW_DY + BOX_H + 0.6
    if ax is None:
        scale = min(INCH_PER_UNIT, MAX_W_IN / width_u, MAX_H_IN / (height_u + 1.6))
        figure = Figure(figsize=(max(6.0, width_u * scale), max(2.6, (height_u + 1.6) * scale)),
                        dpi=100, layout="constrained")
        ax = figure.add_subplot()
        extra_w = max(0.0, 6.0 / scale - width_u)          # a small graph: centred, not stretched
        extra_h = max(0.0, 2.6 / scale - height_u - 1.6)
    else:
        figure = ax.figure
        box = ax.get_position()
        w_in, h_in = figure.get_size_inches()
        scale = min(box.width * w_in / width_u, box.height * h_in / height_u)
        extra_w = extra_h = 0.0
    font = max(5.5, min(10.0, 9.0 * scale / INCH_PER_UNIT))

    ax.set_axis_off()
    x_min = -box_w / 2 - op_room[0] - 0.5
    ax.set_xlim(x_min - extra_w / 2, x_min + width_u + extra_w / 2)
    ax.set_ylim(-height_u + BOX_H / 2 + 0.3 - extra_h / 2, BOX_H / 2 + 0.3 + extra_h / 2)

    # edges first, so that boxes and bubbles cover their ends
    op_left = {}                                  # where each op bubble starts, and its width
    for i, w in op_w.items():
        x, y = nodes[i]["xy"]
        op_left[i] = (x - box_w / 2 - OP_GAP - w, y, w)
    _draw_edges(ax, nodes, edges, layout.routes, layer_x, op_left, box_w, font)
    roles = [marked.get(id(n)) for n in order]
    _draw_nodes(ax, nodes, roles, op_left, cut, op_room, box_w, font)

    # ----- legend, caption and title -----
    legend = [Patch(facecolor=FILL["leaf"], edgecolor=EDGE, label="input / parameter"),
              Patch(facecolor=FILL["computed"], edgecolor=EDGE, label="computed"),
              Patch(facecolor=FILL["output"], edgecolor=EDGE, label="output"),
              Patch(facecolor=FILL["op"], edgecolor=EDGE, label="operation")]
    if any(r == "highlight" for r in marked.values()):
        legend.append(Patch(facecolor="white", edgecolor=HIGHLIGHT, lw=2.5, label="current node"))
    if any(r == "receiving" for r in marked.values()):
        legend.append(Patch(facecolor="white", edgecolor=RECEIVING, lw=2, linestyle="--",
                            label="receives gradient"))
    fig_w_in = figure.get_size_inches()[0]
    per_row = max(2, min(len(legend), int(fig_w_in / (1.7 * font / 9))))
    ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=per_row,
              fontsize=font, frameon=False, handlelength=1.4, columnspacing=1.2)
    caption = f"{len(nodes)} nodes, {len(edges)} edges"
    if message:
        caption = f"{caption}: {message}"
    if title:
        ax.set_title(f"{title}\n", fontsize=font + 2.5)
        ax.text(0.5, 1.0, caption, transform=ax.transAxes, ha="center", va="bottom",
                fontsize=font, color="#333333")
    else:
        ax.set_title(caption, fontsize=font + 1, color="#333333")
    return GraphPicture(nodes=nodes, edges=edges, figure=figure, total_nodes=total,
                        message=message, _objects=list(order))


def _draw_edges(ax: Any, nodes: list[dict], edges: list[tuple[int, int]], routes: list,
                layer_x: list[float], op_left: dict, box_w: float, font: float) -> None:
    """One arrow per operand: from the input's box to the op bubble of the node it feeds,
    bending through the layout's dummy points when it skips layers."""
    style = dict(arrowstyle="-|>", mutation_scale=6 + font, color=EDGE, lw=0.9 + 0.1 * font,
                 shrinkA=0, shrinkB=0, zorder=1)
    copies = Counter(edges)                       # x * x: two edges between the same nodes
    drawn: Counter = Counter()
    for k, (src, dst) in enumerate(edges):
        x0, y0 = nodes[src]["xy"]
        x1, y1, _ = op_left[dst]
        bend = 0.0
        if copies[(src, dst)] > 1:                # fan the copies out so each one shows
            bend = 0.35 * (drawn[(src, dst)] - (copies[(src, dst)] - 1) / 2)
            drawn[(src, dst)] += 1
        start = (x0 + box_w / 2, y0)
        if bend and not routes[k]:                # a short repeated edge: an arc above/below
            ax.add_patch(FancyArrowPatch(start, (x1, y1), connectionstyle=f"arc3,rad={-2 * bend}",
                                         **style))
            continue
        points = [start] + [(layer_x[lay], -rank * ROW_DY + bend) for lay, rank in routes[k]]
        points.append((x1, y1 + bend * 0.4))
        ax.add_patch(FancyArrowPatch(path=_curve(points), **style))


def _draw_nodes(ax: Any, nodes: list[dict], roles: list, op_left: dict, cut: list[bool],
                op_room: list[float], box_w: float, font: float) -> None:
    """Each node: its op bubble (if computed), then its box with label, data and grad."""
    for n in nodes:
        x, y = n["xy"]
        role = roles[n["id"]]
        if n["id"] in op_left:
            ox, _, w = op_left[n["id"]]
            cx = ox + w / 2
            ax.plot([cx + w / 2, x - box_w / 2], [y, y], color=EDGE, lw=1.0, zorder=1)
            ax.add_patch(Ellipse((cx, y), w, 0.62, facecolor=FILL["op"], edgecolor=EDGE,
                                 lw=0.9, zorder=2))
            ax.text(cx, y, n["op"] or "?", ha="center", va="center", fontsize=font,
                    fontweight="bold", zorder=3)
        ax.add_patch(FancyBboxPatch((x - box_w / 2, y - BOX_H / 2), box_w, BOX_H,
                                    boxstyle="round,pad=0,rounding_size=0.12",
                                    facecolor=FILL[n["kind"]],
                                    edgecolor=OUTLINE.get(role, EDGE),
                                    lw={"highlight": 3.2, "receiving": 2.4}.get(role, 1.0),
                                    linestyle="--" if role == "receiving" else "-", zorder=2))
        lines = "\n".join([f"data {n['data']}", f"grad {n['grad']}"])
        if n["label"]:
            ax.text(x, y + BOX_H * 0.27, n["label"], ha="center", va="center", fontsize=font + 0.5,
                    fontweight="bold", zorder=3)
            ax.text(x, y - BOX_H * 0.13, lines, ha="center", va="center", fontsize=font,
                    family="monospace", linespacing=1.25, zorder=3)
        else:
            ax.text(x, y, lines, ha="center", va="center", fontsize=font, family="monospace",
                    linespacing=1.35, zorder=3)
        if cut[n["id"]]:                          # inputs left out of a capped drawing
            ax.text(x - box_w / 2 - op_room[n["layer"]] - 0.35, y, "…", ha="center",
                    va="center", fontsize=font + 2, color=EDGE)
