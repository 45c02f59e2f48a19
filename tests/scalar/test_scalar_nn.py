"""bpcourse.scalar.nn: parameters, zero_grad, seeding, and an MLP that learns two moons."""
from __future__ import annotations

import random

import pytest

from bpcourse.data import make_moons
from bpcourse.scalar import Value
from bpcourse.scalar.nn import MLP, Layer, Neuron


def test_parameter_counts_and_shapes():
    model = MLP(2, [16, 16, 1], seed=0)
    assert len(model.parameters()) == (2 * 16 + 16) + (16 * 16 + 16) + (16 + 1) == 337
    assert len(Layer(3, 4, seed=0).parameters()) == 16
    assert len(Neuron(5, seed=0).parameters()) == 6
    assert isinstance(model([0.1, 0.2]), Value)  # one output: a Value, not a list
    assert len(MLP(2, [3, 2], seed=0)([0.1, 0.2])) == 2


def test_seed_makes_initialisation_deterministic():
    a, b, c = MLP(2, [4, 1], seed=7), MLP(2, [4, 1], seed=7), MLP(2, [4, 1], seed=8)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert [p.data for p in a.parameters()] != [p.data for p in c.parameters()]
    random.seed(5)
    d = MLP(2, [4, 1])
    random.seed(5)
    e = MLP(2, [4, 1])
    assert [p.data for p in d.parameters()] == [p.data for p in e.parameters()]


def test_biases_start_at_zero_weights_in_minus_one_one():
    model = MLP(3, [8, 1], seed=1)
    for layer in model.layers:
        for n in layer.neurons:
            assert n.b.data == 0.0 and all(-1 <= w.data <= 1 for w in n.w)


def test_zero_grad():
    model = MLP(2, [4, 1], seed=0)
    model([1.0, -2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_neuron_computes_relu_of_w_dot_x_plus_b():
    n = Neuron(2, seed=0)
    x = [0.5, -1.5]
    expected = max(0.0, n.b.data + n.w[0].data * 0.5 + n.w[1].data * -1.5)
    assert n(x).data == pytest.approx(expected, rel=1e-15)
    assert Neuron(2, nonlin=False, seed=0)(x).op == "+"


def test_mlp_learns_two_moons():
    X, y01 = make_moons(50, noise=0.1, seed=1)
    y = y01 * 2 - 1
    model = MLP(2, [8, 8, 1], seed=0)
    for k in range(40):  # micrograd's demo loop (max-margin loss, L2, decaying rate), smaller
        scores = [model(list(map(Value, row))) for row in X]
        losses = [(1 - yi * s).relu() for yi, s in zip(y, scores)]
        loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 40) * p.grad
    accuracy = sum((yi > 0) == (model(list(row)).data > 0) for row, yi in zip(X, y)) / len(y)
    assert accuracy >= 0.95, f"accuracy {accuracy:.2f} after 40 steps"
