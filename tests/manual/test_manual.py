"""The hand-derived formulas of bpcourse.manual against finite differences and torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from bpcourse import manual as m

finite = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False)
X_SEED, Y_SEED = [1.0, 2.0, 3.0], [2.0, 4.0, 6.0]


@settings(max_examples=60, deadline=None)
@given(w=finite, x=finite, y=finite)
def test_sample_grad_matches_central_difference(w, x, y):
    numeric = m.numerical_grad(lambda v: m.sample_loss(v, x, y), w)
    assert abs(m.sample_grad(w, x, y) - numeric) <= 1e-5 * (1 + abs(numeric)), (
        f"sample_grad({w}, {x}, {y}) = {m.sample_grad(w, x, y)} but central difference gives {numeric}")


@settings(max_examples=60, deadline=None)
@given(w=finite)
def test_mse_grad_is_mean_of_sample_grads_and_matches_fd(w):
    mean_of_samples = np.mean([m.sample_grad(w, x, y) for x, y in zip(X_SEED, Y_SEED)])
    assert m.mse_grad(w, X_SEED, Y_SEED) == pytest.approx(mean_of_samples, rel=1e-12, abs=1e-12)
    numeric = m.numerical_grad(lambda v: m.mse(v, X_SEED, Y_SEED), w)
    assert m.mse_grad(w, X_SEED, Y_SEED) == pytest.approx(numeric, rel=1e-6, abs=1e-6)


def test_mse_values_at_known_points():
    assert m.mse(2.0, X_SEED, Y_SEED) == 0.0
    assert m.mse(1.0, X_SEED, Y_SEED) == pytest.approx(14 / 3)
    assert m.mse_grad(1.0, X_SEED, Y_SEED) == pytest.approx(-28 / 3)


def test_numerical_grad_keeps_shape_and_does_not_modify_input():
    x = np.arange(6.0).reshape(2, 3)
    before = x.copy()
    g = m.numerical_grad(lambda a: float(np.sum(a ** 2)), x)
    assert g.shape == (2, 3)
    np.testing.assert_allclose(g, 2 * before, atol=1e-6)
    np.testing.assert_array_equal(x, before)
    assert isinstance(m.numerical_grad(lambda t: t ** 3, 2.0), float)


def test_relative_error():
    assert m.relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert m.relative_error(0.0, 0.0) == 0.0
    assert m.relative_error([1.0, 2.0], [1.0, 2.2]) == pytest.approx(0.2 / 2.2)


def test_sigmoid_is_stable_and_its_grad_matches_fd():
    z = np.array([-800.0, -3.0, 0.0, 2.5, 800.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow warnings
        s = m.sigmoid(z)
    np.testing.assert_allclose(s, torch.sigmoid(torch.tensor(z)).numpy(), rtol=1e-12, atol=1e-300)
    assert m.sigmoid(0.0) == 0.5
    for z0 in [-3.0, 0.0, 0.7, 4.0]:
        assert m.sigmoid_grad(z0) == pytest.approx(m.numerical_grad(m.sigmoid, z0), rel=1e-7)


@pytest.mark.parametrize("batched", [False, True])
def test_linear_backward_matches_fd_and_torch(batched):
    rng = np.random.default_rng(3)
    W, b = rng.normal(size=(4, 3)), rng.normal(size=4)
    X = rng.normal(size=(5, 3)) if batched else rng.normal(size=3)
    G = rng.normal(size=(5, 4)) if batched else rng.normal(size=4)
    dX, dW, db = m.linear_backward(G, W, X)
    assert dX.shape == X.shape and dW.shape == W.shape and db.shape == b.shape
    loss = lambda W_, b_, X_: float(np.sum(G * m.linear_forward(W_, b_, X_)))  # noqa: E731
    np.testing.assert_allclose(dW, m.numerical_grad(lambda a: loss(a, b, X), W), atol=1e-7)
    np.testing.assert_allclose(db, m.numerical_grad(lambda a: loss(W, a, X), b), atol=1e-7)
    np.testing.assert_allclose(dX, m.numerical_grad(lambda a: loss(W, b, a), X), atol=1e-7)
    tW, tb, tX = (torch.tensor(a, requires_grad=True) for a in (W, b, X))
    (torch.tensor(G) * (tX @ tW.T + tb)).sum().backward()
    for mine, ref in [(dW, tW), (db, tb), (dX, tX)]:
        np.testing.assert_allclose(mine, ref.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_mlp_backward_matches_fd_and_torch():
    rng = np.random.default_rng(0)
    params = m.init_mlp(3, 4, 2, seed=1)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    L, cache = m.mlp_forward(params, X, Y)
    grads = m.mlp_backward(params, cache)
    for name, value in params.items():
        def loss_of(a, name=name):
            return m.mlp_forward({**params, name: a}, X, Y)[0]
        numeric = m.numerical_grad(loss_of, value)
        assert grads[name].shape == value.shape
        assert m.relative_error(grads[name], numeric) < 1e-6, f"d L / d {name} disagrees with finite differences"
    t = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    h = torch.sigmoid(torch.tensor(X) @ t["W1"].T + t["b1"])
    loss = ((h @ t["W2"].T + t["b2"] - torch.tensor(Y)) ** 2).mean()
    loss.backward()
    assert L == pytest.approx(loss.item(), rel=1e-12)
    for k in params:
        np.testing.assert_allclose(grads[k], t[k].grad.numpy(), rtol=1e-10, atol=1e-12)


def test_init_mlp_is_seeded():
    a, b = m.init_mlp(2, 3, 1, seed=7), m.init_mlp(2, 3, 1, seed=7)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert {k: v.shape for k, v in a.items()} == {"W1": (3, 2), "b1": (3,), "W2": (1, 3), "b2": (1,)}


def test_text_table_aligns_columns():
    table = m.text_table(["node", "local", "grad"], [["w", 2.0, -8.0], ["y_hat", 1.0, -4.25]], digits=2)
    lines = table.splitlines()
    assert lines[0].split() == ["node", "local", "grad"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2] == "w       2.00  -8.00"
    assert lines[3] == "y_hat   1.00  -4.25"
    assert len({len(line) for line in lines}) == 1, "every row has the same width"
