"""Weight initialisation (in place, without recording a graph), drawn from bpcourse's generator.

    uniform_(w, a, b)            w ~ U(a, b)
    normal_(w, mean, std)        w ~ N(mean, std^2)
    kaiming_uniform_(w, a)       w ~ U(-bound, bound), bound = gain * sqrt(3 / fan), gain = sqrt(2 / (1 + a^2))
    xavier_uniform_(w, gain)     w ~ U(-bound, bound), bound = gain * sqrt(6 / (fan_in + fan_out))
"""
from __future__ import annotations

import math
from typing import Any

from bpcourse.random import normal as _normal, uniform as _uniform
from bpcourse.tensor import Tensor

# torch's recommended gains (calculate_gain) for the nonlinearities bpcourse has
GAINS = {"linear": 1.0, "identity": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3, "relu": math.sqrt(2.0),
         "selu": 3.0 / 4}


def _no_generator(generator: Any, where: str) -> None:
    if generator is not None:
        raise NotImplementedError(f"{where}: generator= is not supported by bpcourse (it draws from its one "
                                  f"generator: seed it with bpcourse.manual_seed)")


def _changed(t: Tensor) -> Tensor:
    t._version += 1     # an in-place change, as torch counts them
    return t


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor that keeps the variance of activations steady through a layer (torch's table)."""
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity not in GAINS:
        raise ValueError(f"Unsupported nonlinearity {nonlinearity}")
    return GAINS[nonlinearity]


def _fans(t: Tensor) -> tuple[int, int]:
    if t.array.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = int(math.prod(t.array.shape[2:]))
    return t.array.shape[1] * receptive, t.array.shape[0] * receptive


def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    _no_generator(generator, "uniform_")
    t.array[...] = _uniform(t.array.shape, a, b, t.array.dtype)  # torch's numbers for the same seed
    return _changed(t)


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
    _no_generator(generator, "normal_")
    t.array[...] = _normal(t.array.shape, mean, std, t.array.dtype)  # torch's numbers for the same seed
    return _changed(t)


def constant_(t: Tensor, val: float) -> Tensor:
    t.array.fill(val)
    return _changed(t)


def zeros_(t: Tensor) -> Tensor:
    return constant_(t, 0.0)


def ones_(t: Tensor) -> Tensor:
    return constant_(t, 1.0)


def _kaiming_std(t: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    """gain / sqrt(fan), gain = calculate_gain(nonlinearity, a), fan = fan_in or fan_out."""
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _fans(t)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def kaiming_uniform_(t: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator: Any = None) -> Tensor:
    """Uniform in [-bound, bound], bound = sqrt(3) * gain / sqrt(fan) (the same spread as kaiming_normal_)."""
    if t.array.size == 0:       # torch warns "Initializing zero-element tensors is a no-op"
        return t
    bound = math.sqrt(3.0) * _kaiming_std(t, a, mode, nonlinearity)
    return uniform_(t, -bound, bound, generator)


def kaiming_normal_(t: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator: Any = None) -> Tensor:
    """Normal with mean 0 and std = gain / sqrt(fan) (He et al.: keeps a ReLU layer's output variance)."""
    if t.array.size == 0:
        return t
    return normal_(t, 0.0, _kaiming_std(t, a, mode, nonlinearity), generator)


def xavier_normal_(t: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Normal with mean 0 and std = gain * sqrt(2 / (fan_in + fan_out)) (Glorot and Bengio)."""
    fan_in, fan_out = _fans(t)
    return normal_(t, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def xavier_uniform_(t: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    fan_in, fan_out = _fans(t)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(t, -bound, bound, generator)
