"""Small data sets for the course: two moons (generated, numpy only) and 8x8 digits (bundled).

    >>> X, y = make_moons(100, noise=0.1, seed=1)
    >>> X.shape, X.dtype, sorted(set(y.tolist()))
    ((100, 2), dtype('float64'), [0, 1])
"""
from __future__ import annotations

import numpy as np

__all__ = ["make_moons", "load_digits"]


def make_moons(n_samples: int = 100, noise: float = 0.1, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles with gaussian noise, shuffled: ``X`` (n, 2) float64, ``y`` int64.

    The construction (and, for the same seed, the numbers) of scikit-learn's
    ``make_moons(n_samples, noise=noise, random_state=seed)``: the upper moon is class 0, the
    lower one (centred at (1, 0.5), open side up) class 1.
    """
    if n_samples < 2:
        raise ValueError(f"make_moons: n_samples must be at least 2 (one point per moon), got {n_samples}")
    rng = np.random.RandomState(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    X = np.vstack([np.append(np.cos(t_out), 1 - np.cos(t_in)),
                   np.append(np.sin(t_out), 1 - np.sin(t_in) - 0.5)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    order = np.arange(n_samples)
    rng.shuffle(order)
    X, y = X[order], y[order]
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, y


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 handwritten digits bundled with scikit-learn (no download).

    Returns ``X`` float32 (1797, 64) with pixels scaled from 0..16 to [0, 1], and ``y`` int64 labels 0-9.
    """
    from sklearn.datasets import load_digits as sklearn_load_digits  # imported here: slow, rarely needed

    digits = sklearn_load_digits()
    return (digits.data / 16.0).astype(np.float32), digits.target.astype(np.int64)
