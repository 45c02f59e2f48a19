"""bpcourse.data: two moons (numpy only, scikit-learn's construction) and the bundled digits."""
from __future__ import annotations

import numpy as np
import pytest
import sklearn.datasets

from bpcourse.data import load_digits, make_moons


@pytest.mark.parametrize("n,noise,seed", [(100, 0.1, 1), (101, 0.3, 7), (2, 0.0, 0)])
def test_make_moons_equals_scikit_learn(n, noise, seed):
    X, y = make_moons(n, noise=noise, seed=seed)
    Xs, ys = sklearn.datasets.make_moons(n, noise=noise, random_state=seed)
    assert X.shape == (n, 2) and X.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_array_equal(X, Xs)
    np.testing.assert_array_equal(y, ys)


def test_make_moons_is_seeded_and_noise_free_points_lie_on_the_half_circles():
    np.testing.assert_array_equal(make_moons(50, seed=3)[0], make_moons(50, seed=3)[0])
    assert not np.array_equal(make_moons(50, seed=3)[0], make_moons(50, seed=4)[0])
    X, y = make_moons(40, noise=0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1] - [1.0, 0.5]  # centres (0, 0) and (1, 0.5)
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(*lower.T), 1.0)
    assert (upper[:, 1] >= -1e-12).all() and (lower[:, 1] <= 1e-12).all()
    assert sorted(np.bincount(y)) == [20, 20]


def test_make_moons_rejects_too_few_points():
    with pytest.raises(ValueError, match="make_moons: n_samples must be at least 2"):
        make_moons(1)


def test_load_digits():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32 and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert set(y.tolist()) == set(range(10))
