"""Optimisers update parameters in place from their ``.grad``, outside the graph.

    SGD       p <- p - lr * g                      (g = grad + weight_decay * p)
    momentum  v <- momentum * v + g;  p <- p - lr * v
    Adam      m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;  p <- p - lr m^ / (sqrt(v^) + eps)
"""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from bpcourse.tensor import Tensor


class Optimizer:
    """Holds the parameters (``param_groups`` as in torch) and zeroes their gradients."""

    def __init__(self, params: Iterable[Any], defaults: dict) -> None:
        params = list(params)
        if not params:
            raise ValueError("optimizer got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        self.defaults = defaults
        self.param_groups = [{**defaults, **g, "params": list(g["params"])} for g in groups]
        self.state: dict = {}

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad.array.fill(0)

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum and weight decay."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    def step(self) -> None:
        for group in self.param_groups:
            lr, mu, wd = group["lr"], group["momentum"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.array
                if wd:
                    g = g + wd * p.array
                if mu:
                    buf = self.state.get(id(p))
                    if buf is None:
                        buf = self.state[id(p)] = g.copy()
                    else:
                        buf *= mu
                        buf += (1 - group["dampening"]) * g
                    g = g + mu * buf if group["nesterov"] else buf
                p.array -= lr * g  # in place: the Parameter object stays the same
                p._version += 1


class Adam(Optimizer):
    """Adam (Kingma & Ba), as torch.optim.Adam without amsgrad."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def step(self) -> None:
        for group in self.param_groups:
            lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.array
                if wd:
                    g = g + wd * p.array
                state = self.state.setdefault(id(p), {"step": 0, "m": np.zeros_like(p.array),
                                                      "v": np.zeros_like(p.array)})
                state["step"] += 1
                t = state["step"]
                m, v = state["m"], state["v"]
                m *= b1
                m += (1 - b1) * g
                v *= b2
                v += (1 - b2) * g * g
                step_size = lr / (1 - b1 ** t)
                denom = np.sqrt(v) / math.sqrt(1 - b2 ** t) + eps
                p.array -= step_size * m / denom
                p._version += 1
