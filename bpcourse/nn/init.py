"""Weight initialisation (in place, without recording a graph), drawn from bpcourse's generator."""
from __future__ import annotations

import math

from bpcourse.grad_mode import no_grad
from bpcourse.tensor import Tensor


def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    with no_grad():  # Tensor.uniform_ moves the version counter, as every in-place write
        return t.uniform_(a, b)  # torch's numbers for the same seed


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    with no_grad():
        return t.normal_(mean, std)


def constant_(t: Tensor, value: float) -> Tensor:
    with no_grad():
        return t.fill_(value)


def zeros_(t: Tensor) -> Tensor:
    return constant_(t, 0.0)


def ones_(t: Tensor) -> Tensor:
    return constant_(t, 1.0)


def kaiming_uniform_(t: Tensor, a: float = 0.0) -> Tensor:
    """Uniform in [-bound, bound], bound = gain * sqrt(3 / fan_in), gain = sqrt(2 / (1 + a^2))."""
    fan_in = t.array.shape[1] if t.array.ndim > 1 else t.array.shape[0]
    gain = math.sqrt(2.0 / (1 + a * a))
    bound = gain * math.sqrt(3.0 / fan_in) if fan_in else 0.0
    return uniform_(t, -bound, bound)


def xavier_uniform_(t: Tensor, gain: float = 1.0) -> Tensor:
    fan_out, fan_in = t.array.shape[0], t.array.shape[1]
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(t, -bound, bound)
