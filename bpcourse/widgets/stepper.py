"""The backward stepper: walk through ``root.backward()`` one node at a time.

    >>> from bpcourse.scalar import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> L = a * b + a; L.label = "L"
    >>> stepper = backward_stepper(L)     # last line of a cell: slider, Prev/Next, picture, table
    >>> stepper.slider.value = stepper.slider.max
    >>> stepper.grads == [n.grad for n in stepper.nodes]   # the grads a fresh L.backward() gives
    True

Step 0 is the start (root.grad = 1, every other grad 0). Each later step applies the chain rule at
one node, outputs first (reverse topological order): every input's grad grows by
``local gradient * node.grad``. The picture outlines the node being processed and its inputs, and
shows every grad as accumulated so far; the table lists what was added. Stepping sets the graph's
``.grad`` values to that moment, so the picture (and your own code) see the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from ..viz.draw import draw_graph
from ..viz.graph import format_number, label_of, op_of, parents_of, topological_order
from ..i18n import tr, tr_figure
from ._figures import figure_png, show_png, widget_bundle


@dataclass
class _Step:
    node: int                                      # index into nodes, -1 for the start
    contributions: list[tuple[int, float, float]]  # (input index, local grad, added)
    grads: list[float]                             # every node's grad after this step


def _require_value(root: Any) -> None:
    """The stepper replays a scalar engine's backward; a tensor (or anything else) is refused before
    any of its nodes is touched."""
    from bpcourse.scalar import Value
    if not isinstance(root, Value) and not hasattr(root, "_backward"):
        raise TypeError(f"backward_stepper: needs a bpcourse.scalar.Value (or a micrograd Value), "
                        f"got {type(root).__name__}")


def _engine_steps(root: Any):
    """(node, [(parent, local, added)]) per backward step: ``bpcourse.scalar.backward_steps`` for
    our Value; for micrograd's Value, its own ``_backward`` closures, reading what they added."""
    try:
        from bpcourse.scalar import Value, backward_steps
    except ImportError:                                    # pragma: no cover - engine missing
        Value, backward_steps = None, None
    if Value is not None and isinstance(root, Value):
        for step in backward_steps(root):
            yield step.node, list(step.contributions)
        return
    _require_value(root)
    order = topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        inputs = list(dict.fromkeys(parents_of(node)))     # unique, in order
        before = [p.grad for p in inputs]
        node._backward()
        contributions = []
        for parent, old in zip(inputs, before):
            added = parent.grad - old
            local = added / node.grad if node.grad else float("nan")
            contributions.append((parent, local, added))
        yield node, contributions


def _name(nodes: list, i: int) -> str:
    node = nodes[i]
    label = label_of(node)
    return f"#{i} {label}" if label else f"#{i}"


class BackwardStepper:
    """Slider and Prev/Next buttons over the steps of the backward pass.

    Attributes: ``widget`` (the box to display), ``slider``, ``prev_button``, ``next_button``,
    ``step`` (the current step number, 0 = start), ``nodes`` (the graph, inputs first: the ids in
    the picture), ``grads`` (each node's grad at this step), ``table`` (the text shown),
    ``current`` (the node processed at this step, None at the start), ``redraws``.
    """

    def __init__(self, root: Any, *, include_leaves: bool = False) -> None:
        _require_value(root)
        self.root = root
        self.nodes = topological_order(root)
        index = {id(n): i for i, n in enumerate(self.nodes)}
        self.steps: list[_Step] = []
        for i, n in enumerate(self.nodes):
            n.grad = 0.0
        root.grad = 1.0
        self.steps.append(_Step(-1, [], [float(n.grad) for n in self.nodes]))
        for node, contributions in _engine_steps(root):
            if not contributions and not include_leaves:
                continue                                   # a leaf: nothing to pass on
            self.steps.append(_Step(index[id(node)],
                                    [(index[id(p)], float(local), float(added))
                                     for p, local, added in contributions],
                                    [float(n.grad) for n in self.nodes]))
        self.final_grads = list(self.steps[-1].grads)
        self.redraws = 0
        self.table = ""

        self.slider = widgets.IntSlider(value=0, min=0, max=len(self.steps) - 1, step=1,
                                        description=tr("step"), continuous_update=False,
                                        layout=widgets.Layout(width="360px"))
        self.prev_button = widgets.Button(description=tr("◀ Prev"), layout=widgets.Layout(width="90px"),
                                          tooltip=tr("the step before"))
        self.next_button = widgets.Button(description=tr("Next ▶"), layout=widgets.Layout(width="90px"),
                                          tooltip=tr("apply the chain rule at the next node"))
        self.prev_button.on_click(lambda _: self.go(self.slider.value - 1))
        self.next_button.on_click(lambda _: self.go(self.slider.value + 1))
        self.text = widgets.HTML()
        self.output = widgets.Output()
        self.widget = widgets.VBox([widgets.HBox([self.prev_button, self.slider, self.next_button]),
                                    self.text, self.output])
        self.widget.add_class("bpcourse-backward-stepper")
        self.slider.observe(lambda change: self._show(), names="value")
        self._pictures: dict[tuple, bytes] = {}
        self._show()

    @property
    def step(self) -> int:
        return int(self.slider.value)

    @property
    def grads(self) -> list[float]:
        return list(self.steps[self.step].grads)

    @property
    def current(self) -> Any:
        i = self.steps[self.step].node
        return None if i < 0 else self.nodes[i]

    def go(self, step: int) -> None:
        """Show step ``step`` (clipped to the range): the same as moving the slider there."""
        self.slider.value = max(self.slider.min, min(self.slider.max, int(step)))

    def _show(self) -> None:
        step = self.steps[self.step]
        for node, grad in zip(self.nodes, step.grads):     # the graph shows this moment
            node.grad = grad
        self.prev_button.disabled = self.step == 0
        self.next_button.disabled = self.step == len(self.steps) - 1
        self.table = self._table(step)
        self.text.value = f'<pre style="font-size:0.95em; line-height:1.3">{_html(self.table)}</pre>'
        title = (tr_figure("step 0: start, d root / d root = 1") if step.node < 0 else
                 tr_figure("step {step} of {last}: chain rule at {node} ({op})", step=self.step,
                           last=len(self.steps) - 1, node=_name(self.nodes, step.node),
                           op=op_of(self.nodes[step.node]) or tr_figure("leaf")))
        # a step's picture never changes: drawn once (~130 ms: layout and a full render), then
        # going back and forth shows it again at once
        png = self._pictures.get((self.step, title))
        if png is None:
            if step.node < 0:
                picture = draw_graph(self.root, highlight=self.root, title=title)
            else:
                inputs = [self.nodes[j] for j, _, _ in step.contributions]
                picture = draw_graph(self.root, highlight=self.nodes[step.node], receiving=inputs, title=title)
            png = self._pictures[(self.step, title)] = figure_png(picture.figure, dpi=100)
        show_png(self.output, png, alt=title)
        self.redraws += 1

    def _table(self, step: _Step) -> str:
        last = len(self.steps) - 1
        if step.node < 0:
            lines = [tr("step 0 of {last}: start. The root, {root}, gets grad 1 (d root / d root); "
                        "every other grad is 0.", last=last, root=_name(self.nodes, len(self.nodes) - 1))]
        else:
            node = self.nodes[step.node]
            lines = [tr("step {step} of {last}: chain rule at {formula}; its grad = {grad}", step=self.step,
                        last=last, formula=self._formula(step.node), grad=format_number(node.grad)),
                     "",
                     f"{tr('input'):<14}{tr('local grad'):>14}{tr('x node.grad'):>14}{tr('= added'):>14}"]
            for j, local, added in step.contributions:
                lines.append(f"{_name(self.nodes, j):<14}{format_number(local):>14}"
                             f"{format_number(self.nodes[step.node].grad):>14}{format_number(added):>14}")
        lines += ["", tr("grads so far:")]
        touched = {j for j, _, _ in step.contributions}
        for i, grad in enumerate(step.grads):
            mark = tr("  <- updated") if i in touched else ""
            lines.append(f"  {_name(self.nodes, i):<14}{format_number(grad):>12}{mark}")
        if self.step == last:
            lines.append(tr("\ndone: these are the grads root.backward() gives."))
        return "\n".join(lines)

    def _formula(self, i: int) -> str:
        """'#8 n = #6 + #7' or '#9 o = tanh(#8)'."""
        node, index = self.nodes[i], {id(n): k for k, n in enumerate(self.nodes)}
        inputs = [f"#{index[id(p)]}" for p in parents_of(node)]
        op = op_of(node)
        if not op:
            return f"{_name(self.nodes, i)} (an input)"
        expr = f" {op} ".join(inputs) if len(inputs) == 2 and len(op) <= 2 else f"{op}({', '.join(inputs)})"
        return f"{_name(self.nodes, i)} = {expr}"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        return widget_bundle(self.widget, tr("backward_stepper: {n} steps", n=len(self.steps) - 1), **kwargs)

    def __repr__(self) -> str:
        return f"<BackwardStepper step {self.step} of {len(self.steps) - 1}>"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def backward_stepper(root: Any, *, include_leaves: bool = False) -> BackwardStepper:
    """Step through ``root``'s backward pass (a ``bpcourse.scalar.Value``). Put it last in a cell.

    ``include_leaves=True`` also shows a (do-nothing) step for each input and parameter.
    """
    return BackwardStepper(root, include_leaves=include_leaves)
