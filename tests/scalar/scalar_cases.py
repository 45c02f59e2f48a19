"""The op table the scalar tests share: every op with its torch twin and the inputs it is smooth on.

Each case: (name, bpcourse function, torch function, arity, domain) where domain(*xs) says whether
the op is defined *and smooth* at xs (finite differences need a neighbourhood without kinks).
"""
from __future__ import annotations

import math

import torch

CASES = [
    ("add", lambda a, b: a + b, lambda a, b: a + b, 2, lambda a, b: True),
    ("sub", lambda a, b: a - b, lambda a, b: a - b, 2, lambda a, b: True),
    ("mul", lambda a, b: a * b, lambda a, b: a * b, 2, lambda a, b: True),
    ("div", lambda a, b: a / b, lambda a, b: a / b, 2, lambda a, b: abs(b) > 0.1),
    ("radd", lambda a: 2.5 + a, lambda a: 2.5 + a, 1, lambda a: True),
    ("rsub", lambda a: 2.5 - a, lambda a: 2.5 - a, 1, lambda a: True),
    ("rmul", lambda a: -1.5 * a, lambda a: -1.5 * a, 1, lambda a: True),
    ("rtruediv", lambda a: 3.0 / a, lambda a: 3.0 / a, 1, lambda a: abs(a) > 0.1),
    ("add_number", lambda a: a + 2.5, lambda a: a + 2.5, 1, lambda a: True),
    ("div_number", lambda a: a / 4.0, lambda a: a / 4.0, 1, lambda a: True),
    ("pow2", lambda a: a**2, lambda a: a**2, 1, lambda a: True),
    ("pow3", lambda a: a**3, lambda a: a**3, 1, lambda a: True),
    ("pow_minus1", lambda a: a**-1, lambda a: a**-1, 1, lambda a: abs(a) > 0.1),
    ("pow_half", lambda a: a**0.5, lambda a: a**0.5, 1, lambda a: a > 0.1),
    ("pow_minus_1_5", lambda a: a**-1.5, lambda a: a**-1.5, 1, lambda a: a > 0.1),
    ("neg", lambda a: -a, lambda a: -a, 1, lambda a: True),
    ("relu", lambda a: a.relu(), torch.relu, 1, lambda a: abs(a) > 1e-3),
    ("tanh", lambda a: a.tanh(), torch.tanh, 1, lambda a: True),
    ("sigmoid", lambda a: a.sigmoid(), torch.sigmoid, 1, lambda a: True),
    ("exp", lambda a: a.exp(), torch.exp, 1, lambda a: a < 20),
    ("log", lambda a: a.log(), torch.log, 1, lambda a: a > 0.1),
]
CASE_IDS = [c[0] for c in CASES]


def close(a: float, b: float, rel: float = 1e-9) -> bool:
    """Relative agreement, with an absolute floor of `rel` for values near zero."""
    return math.isclose(a, b, rel_tol=rel, abs_tol=rel)
