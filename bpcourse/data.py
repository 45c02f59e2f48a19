"""Small data sets for the course, from scikit-learn: two moons (generated) and 8x8 digits (bundled).

    >>> X, y = make_moons(100, noise=0.1, seed=1)
    >>> X.shape, X.dtype, sorted(set(y.tolist()))
    ((100, 2), dtype('float64'), [0, 1])
"""
from __future__ import annotations

import numpy as np

__all__ = ["make_moons", "load_digits"]


def make_moons(n_samples: int = 100, noise: float = 0.1, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles with gaussian noise, shuffled: ``X`` (n, 2) float64, ``y`` int64.

    scikit-learn's ``make_moons(n_samples, noise=noise, random_state=seed)`` itself: the upper moon
    is class 0, the lower one (centred at (1, 0.5), open side up) class 1.
    """
    if n_samples < 2:
        raise ValueError(f"make_moons: n_samples must be at least 2 (one point per moon), got {n_samples}")
    from sklearn.datasets import make_moons as sklearn_make_moons  # imported here: slow, rarely needed

    X, y = sklearn_make_moons(n_samples, shuffle=True, noise=noise, random_state=seed)
    return X, y.astype(np.int64)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 handwritten digits bundled with scikit-learn (no download).

    Returns ``X`` float32 (1797, 64) with pixels scaled from 0..16 to [0, 1], and ``y`` int64 labels 0-9.
    """
    from sklearn.datasets import load_digits as sklearn_load_digits  # imported here: slow, rarely needed

    digits = sklearn_load_digits()
    return (digits.data / 16.0).astype(np.float32), digits.target.astype(np.int64)
