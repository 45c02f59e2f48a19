"""draw_graph: the picture has exactly the graph's nodes and edges, shows data and grad, and needs
no graphviz program."""
from __future__ import annotations

import io
import shutil

import matplotlib.image
import numpy as np
import pytest
from matplotlib.figure import Figure
from micrograd.engine import Value as MicroValue

import bpcourse
from bpcourse.scalar import Value
from bpcourse.viz import draw_graph, layered_layout
from bpcourse.viz.graph import parents_of

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def count_graph(root) -> tuple[int, int]:
    """Nodes and edges (one per operand) of root's graph, by a plain breadth-first walk."""
    seen, frontier, edges = {id(root)}, [root], 0
    while frontier:
        following = []
        for node in frontier:
            for parent in parents_of(node):
                edges += 1
                if id(parent) not in seen:
                    seen.add(id(parent))
                    following.append(parent)
        frontier = following
    return len(seen), edges


def ink_fraction(png: bytes) -> float:
    """Share of pixels that are clearly not white."""
    assert png.startswith(PNG_SIGNATURE)
    rgb = matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3]
    return float((rgb.min(axis=-1) < 0.85).mean())


def neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o, (x1, x2, w1, w2, b, n)


def test_scalar_graph_has_every_node_and_edge_with_data_and_grad():
    o, (x1, x2, w1, w2, b, n) = neuron()
    pic = draw_graph(o, title="one neuron")
    assert (len(pic.nodes), len(pic.edges)) == count_graph(o) == (10, 9)
    by_label = {node["label"]: node for node in pic.nodes if node["label"]}
    assert by_label["w1"]["data"] == "-3.0000" and by_label["w1"]["grad"] == f"{w1.grad:.4f}" == "1.0000"
    assert by_label["x1"]["grad"] == "-1.5000"
    assert by_label["o"]["op"] == "tanh" and by_label["o"]["kind"] == "output"
    assert by_label["n"]["op"] == "+" and by_label["x1"]["kind"] == "leaf"
    # ids are positions in topological order: every edge goes from an earlier to a later node
    assert all(src < dst for src, dst in pic.edges)
    assert pic.edges.count((pic.id_of(n), pic.id_of(o))) == 1
    text = str(pic)
    for label, node in by_label.items():
        assert label in text and node["data"] in text and node["grad"] in text
    assert ink_fraction(pic._repr_png_()) > 0.03


def test_a_reused_operand_is_two_edges():
    a = Value(3.0, label="a")
    y = a * a + a
    y.backward()
    pic = draw_graph(y)
    assert len(pic.nodes) == 3
    assert sorted(pic.edges) == [(0, 1), (0, 1), (0, 2), (1, 2)]
    assert pic.nodes[0]["grad"] == "7.0000"          # dy/da = 2a + 1


def test_micrograd_values_are_drawn_through_their_private_names():
    a, b = MicroValue(2.0), MicroValue(-3.0)
    c = (a * b + a).relu() + b ** 2
    c.backward()
    pic = draw_graph(c)
    assert (len(pic.nodes), len(pic.edges)) == count_graph(c)
    assert {node["op"] for node in pic.nodes} >= {"*", "+", "ReLU", "**2"}
    assert pic.nodes[-1]["data"] == f"{c.data:.4f}" and pic.nodes[-1]["grad"] == "1.0000"


def test_tensor_graph_shows_shapes_and_gradient_norms():
    bpcourse.manual_seed(0)
    x = bpcourse.randn(4, 3)
    W = bpcourse.randn(3, 2, requires_grad=True)
    b = bpcourse.zeros(2, requires_grad=True)
    loss = (x @ W + b).sigmoid().sum()
    loss.backward()
    pic = draw_graph(loss)
    assert (len(pic.nodes), len(pic.edges)) == count_graph(loss) == (7, 6)
    data = {node["data"] for node in pic.nodes}
    assert {"shape (4, 3)", "shape (3, 2)", "shape (2,)", "shape (4, 2)"} <= data
    w_node = pic.nodes[pic.id_of(W)]
    assert w_node["grad"] == f"norm {np.linalg.norm(W.grad.numpy()):.4f}"
    assert pic.nodes[pic.id_of(x)]["grad"] == "None"
    assert [node["op"] for node in pic.nodes if node["op"]] == ["MatMul", "Add", "Sigmoid", "Sum"]
    assert ink_fraction(pic.png()) > 0.03


def test_drawing_needs_no_dot_program(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))          # an empty folder: no `dot` anywhere
    assert shutil.which("dot") is None
    o, _ = neuron()
    pic = draw_graph(o)
    assert ink_fraction(pic.png()) > 0.03
    assert pic.to_dot().startswith("digraph G {") and pic.to_dot().count(" -> ") == 9 + 5
    with pytest.raises(RuntimeError, match="needs graphviz's `dot` program"):
        pic.to_svg()


def test_a_deep_graph_is_walked_without_recursion_and_drawn_capped():
    x = Value(1.0, label="x")
    y = x
    for _ in range(5000):                             # micrograd's recursive sort fails near 1000
        y = y * 1.0001
    pic = draw_graph(y, max_nodes=60)
    assert pic.total_nodes == 10001 and len(pic.nodes) == 60
    assert "60 of 10001" in pic.message and pic.message in str(pic)


def test_highlight_and_an_axes_of_your_own():
    o, (x1, x2, w1, w2, b, n) = neuron()
    fig = Figure(figsize=(8, 4))
    ax = fig.add_subplot()
    pic = draw_graph(o, highlight=n, receiving=[b], ax=ax, title="mine")
    assert pic.figure is fig and ax.get_title() == "mine\n"
    with pytest.raises(ValueError, match="not in the graph"):
        draw_graph(o, highlight=Value(1.0))


def test_repr_is_short_and_has_no_address():
    o, _ = neuron()
    assert repr(draw_graph(o)) == "<GraphPicture: 10 nodes, 9 edges>"


def test_barycentre_ordering_removes_avoidable_crossings():
    # 4 = f(0, 3), 5 = f(1, 2): in input order the edges 3->4 and 1->5, 2->5 cross
    layout = layered_layout([[], [], [], [], [0, 3], [1, 2]])
    assert layout.crossings == 0
    assert layout.layer == [0, 0, 0, 0, 1, 1]
    ranks = layout.rank
    assert abs(ranks[0] - ranks[3]) == 1 and abs(ranks[1] - ranks[2]) == 1


def test_leaves_sit_next_to_their_first_use_and_long_edges_get_bends():
    # 0 -> 2 -> 3 -> 4, a leaf 1 used only by 4, and 0 also feeds 4 directly (spans 3 layers)
    layout = layered_layout([[], [], [0], [2], [3, 1, 0]])
    assert layout.layer == [0, 2, 1, 2, 3]
    assert [len(r) for r in layout.routes] == [0, 0, 0, 0, 2]


def test_pictures_are_not_left_open_in_pyplot():
    import matplotlib.pyplot as plt
    before = plt.get_fignums()
    o, _ = neuron()
    draw_graph(o).png()
    assert plt.get_fignums() == before
