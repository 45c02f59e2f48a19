"""Neurons, layers and MLPs on scalar ``Value``s, in micrograd's style.

    >>> model = MLP(2, [16, 16, 1], seed=0)
    >>> score = model([0.5, -1.0]); len(model.parameters())
    337

Initialisation: ``seed=None`` draws from Python's global ``random`` (so ``random.seed(1337)``
reproduces micrograd's demo weights exactly); ``seed=<int>`` uses a private ``random.Random(seed)``.
"""
from __future__ import annotations

import random
from typing import Sequence

from .engine import Value, collector_paused

__all__ = ["Module", "Neuron", "Layer", "MLP"]


class Module:
    def zero_grad(self) -> None:
        """Reset every parameter's ``.grad`` to 0.0 (do it before each ``backward()``)."""
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self) -> list[Value]:
        return []


def _rng(seed: int | None, rng: random.Random | None) -> random.Random:
    """Where weights come from: ``rng``; else a private generator seeded with ``seed``; else the
    global ``random`` functions (so ``random.seed(1337)`` reproduces micrograd's weights)."""
    if rng is not None:
        return rng
    if seed is not None:
        return random.Random(seed)
    return random  # type: ignore[return-value]  # the module's functions use Python's global generator


class Neuron(Module):
    """``act = b + w·x``, then ReLU unless ``nonlin=False``. Weights ~ U(-1, 1), bias 0."""

    def __init__(self, nin: int, nonlin: bool = True, *, seed: int | None = None,
                 rng: random.Random | None = None) -> None:
        rng = _rng(seed, rng)
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x: Sequence[Value | float]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"Neuron: expected {len(self.w)} inputs, got {len(x)}: {x!r}")
        with collector_paused:  # see collector.py: our graphs have no cycles to collect
            act = self.b
            for wi, xi in zip(self.w, x):
                act = act + wi * xi  # the same order of sums as micrograd, so the same numbers
            return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    def __init__(self, nin: int, nout: int, *, seed: int | None = None, rng: random.Random | None = None,
                 **kwargs: bool) -> None:
        rng = _rng(seed, rng)
        self.neurons = [Neuron(nin, rng=rng, **kwargs) for _ in range(nout)]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        with collector_paused:
            out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """``MLP(2, [16, 16, 1])``: ReLU hidden layers, a linear output layer."""

    def __init__(self, nin: int, nouts: Sequence[int], *, seed: int | None = None) -> None:
        rng = _rng(seed, None)
        sz = [nin] + list(nouts)
        self.layers = [Layer(sz[i], sz[i + 1], nonlin=i != len(nouts) - 1, rng=rng)
                       for i in range(len(nouts))]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        with collector_paused:
            for layer in self.layers:
                x = layer(x)
        return x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
