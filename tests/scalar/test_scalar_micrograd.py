"""Code written for micrograd 0.1.0 runs unchanged on bpcourse.scalar and gives the same numbers."""
from __future__ import annotations

import random

import micrograd.engine
import micrograd.nn
import numpy as np
import torch

import bpcourse.scalar
import bpcourse.scalar.nn
from bpcourse.data import make_moons


def sanity_check(Value):  # micrograd/test/test_engine.py::test_sanity_check
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    return y.data, x.grad


def more_ops(Value):  # micrograd/test/test_engine.py::test_more_ops
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return g.data, a.grad, b.grad


def readme(Value):  # micrograd's README example: test_more_ops's expression, printed to 4 places
    g, a_grad, b_grad = more_ops(Value)
    return f"{g:.4f}", f"{a_grad:.4f}", f"{b_grad:.4f}"


def test_sanity_check_is_identical():
    assert sanity_check(bpcourse.scalar.Value) == sanity_check(micrograd.engine.Value) == (-20.0, 46.0)
    x = torch.tensor([-4.0], dtype=torch.float64, requires_grad=True)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert sanity_check(bpcourse.scalar.Value) == (y.item(), x.grad.item())


def test_more_ops_agree():
    ours, theirs = more_ops(bpcourse.scalar.Value), more_ops(micrograd.engine.Value)
    # micrograd divides as a * b**-1; we divide directly, so the last bits may differ
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_readme_numbers():
    # micrograd's README prints 24.7041, 138.8338, 645.5773
    assert readme(bpcourse.scalar.Value) == readme(micrograd.engine.Value) == ("24.7041", "138.8338", "645.5773")


def demo_loss(Value, model, X, y):  # micrograd's demo.ipynb loss()
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum((p * p for p in model.parameters()))
    return data_loss + reg_loss


def test_demo_mlp_same_weights_same_loss_same_gradients():
    X, y01 = make_moons(20, noise=0.1, seed=3)
    y = y01 * 2 - 1
    random.seed(1337)
    ours = bpcourse.scalar.nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    theirs = micrograd.nn.MLP(2, [16, 16, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    assert repr(ours) == repr(theirs)
    for step in range(2):
        losses = []
        for Value, model in [(bpcourse.scalar.Value, ours), (micrograd.engine.Value, theirs)]:
            loss = demo_loss(Value, model, X, y)
            model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data -= 0.5 * p.grad
            losses.append(loss.data)
        if step == 0:
            assert losses[0] == losses[1]  # same weights, same forward arithmetic: identical
        else:  # the updates used gradients that differ in the last bit (see below)
            assert abs(losses[0] - losses[1]) <= 1e-12 * abs(losses[1])
        # a gradient is a sum over many paths; micrograd adds them in the order of a set, so the
        # last bit can differ
        ours_grads = [p.grad for p in ours.parameters()]
        np.testing.assert_allclose(ours_grads, [float(p.grad) for p in theirs.parameters()], rtol=1e-12, atol=1e-15)
