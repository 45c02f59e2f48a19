"""Pictures of computational graphs, drawn with matplotlib only (no graphviz program needed).

``draw_graph(root)`` works on anything that follows the graph protocol of docs/interfaces.md
(``bpcourse.scalar.Value``, ``bpcourse.Tensor``, and micrograd's ``Value``).
"""
from .draw import OKABE_ITO, GraphPicture, draw_graph
from .graph import layered_layout, topological_order

__all__ = ["draw_graph", "GraphPicture", "OKABE_ITO", "layered_layout", "topological_order"]
