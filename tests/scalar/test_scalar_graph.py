"""Graph introspection: topological_order, backward_steps and the graph protocol."""
from __future__ import annotations

from bpcourse.scalar import BackwardStep, Value, backward_steps, topological_order


def sample_graph():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = (c + a).tanh() + c.relu() + b ** 2
    return a, b, c, d


def test_topological_order_inputs_first_root_last_each_node_once():
    a, b, c, d = sample_graph()
    order = topological_order(d)
    assert order[-1] is d
    assert len(order) == len({id(n) for n in order})
    position = {id(n): i for i, n in enumerate(order)}
    for n in order:
        for p in n.parents:
            assert position[id(p)] < position[id(n)]
    assert order[:2] == [a, b]  # operand order: a's inputs first
    assert [n.data for n in topological_order(d)] == [n.data for n in order]  # deterministic


def test_topological_order_of_a_leaf():
    x = Value(1.0)
    assert topological_order(x) == [x]


def test_backward_steps_apply_the_chain_rule_one_node_at_a_time():
    a, b, c, d = sample_graph()
    d.backward()
    expected = {id(n): n.grad for n in topological_order(d)}
    a.grad = 42.0  # backward_steps resets every grad first
    steps = list(backward_steps(d))
    assert all(isinstance(s, BackwardStep) for s in steps)
    assert [s.node for s in steps] == topological_order(d)[::-1]
    for s in steps:
        assert [p for p, _, _ in s.contributions] == list(s.node.parents)
        for (parent, local, added), l2 in zip(s.contributions, s.node.local_grads):
            assert local == l2 and added == local * s.node.grad
    assert {id(n): n.grad for n in topological_order(d)} == expected


def test_backward_steps_is_lazy():
    a, b, c, d = sample_graph()
    steps = backward_steps(d)
    first = next(steps)
    assert first.node is d and d.grad == 1.0
    assert a.grad == 0.0  # nothing has reached the inputs yet


def test_graph_protocol_attributes():
    a, b, c, d = sample_graph()
    assert (a.label, c.label, d.label) == ("a", "c", "")
    assert a.op == "" and a.parents == () and a._prev == ()
    assert c.op == "*" and c.parents == (a, b) and c._op == "*"
    assert repr(a) == "Value(data=2.0, grad=0.0, label='a')"
    assert repr(Value(1.0)) == "Value(data=1.0, grad=0.0)"


def test_docstring_examples():
    import doctest

    import bpcourse.data
    import bpcourse.scalar
    import bpcourse.scalar.engine
    import bpcourse.scalar.graph
    import bpcourse.scalar.nn

    for module in (bpcourse.scalar, bpcourse.scalar.engine, bpcourse.scalar.graph, bpcourse.scalar.nn, bpcourse.data):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, f"{module.__name__}: {result}"
