"""Optimisers update parameters in place from their ``.grad``, outside the graph.

    SGD       p <- p - lr * g                      (g = grad + weight_decay * p)
    momentum  v <- momentum * v + g;  p <- p - lr * v
    Adam      m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;  p <- p - lr m^ / (sqrt(v^) + eps)
    Adagrad   s <- s + g^2;  p <- p - lr g / (sqrt(s) + eps)
    RMSprop   v <- a v + (1-a) g^2;  p <- p - lr g / (sqrt(v) + eps)
    Adamax    m <- b1 m + (1-b1) g;  u <- max(b2 u, |g| + eps);  p <- p - lr m / ((1 - b1^t) u)
    Rprop     step <- step * 1.2 (g kept its sign) or * 0.5 (it flipped);  p <- p - sign(g) step

Each follows torch.optim's update order, so that float32 results agree with torch's.
"""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from bpcourse.tensor import Tensor


# The exact single rounding below costs a float64 round trip, about three times the plain float32
# update. For tensors larger than this, the forward and backward matmuls already round differently
# from torch's BLAS (another summation order), so bit-equality with torch is not on offer and the
# plain update is used. Small tensors (the lecture programs' w, b, small layers) keep torch's bits.
FUSED_ROUNDING_MAX_SIZE = 4096


def add_scaled(p: np.ndarray, alpha: float, g: np.ndarray) -> np.ndarray:
    """p + alpha * g rounded once, as torch's ``p.add_(g, alpha=alpha)`` (a fused multiply-add).

    Rounding the product first and then the sum (numpy's ``p + alpha * g``) differs from torch in
    the last bit now and then, and training loops add those bits up. For float32 the exact value
    is formed in float64 (a product of two float32 numbers is exact there) and rounded to float32.
    """
    if p.dtype != np.float32 or p.size > FUSED_ROUNDING_MAX_SIZE:
        return p + alpha * g
    exact = np.float64(np.float32(alpha)) * g.astype(np.float64)
    exact += p
    return exact.astype(np.float32)


def add_scaled_(p: np.ndarray, alpha: float, g: np.ndarray) -> None:
    """In place: p <- p + alpha * g, with add_scaled's rounding (and no copy for large tensors)."""
    if p.dtype != np.float32 or p.size > FUSED_ROUNDING_MAX_SIZE:
        p += alpha * g
    else:
        p[...] = add_scaled(p, alpha, g)


class Optimizer:
    """Holds the parameters (``param_groups`` as in torch) and zeroes their gradients."""

    #: torch's settings that bpcourse keeps at their defaults (shown by print(optimizer), as in torch)
    torch_flags: dict = {}

    def __init__(self, params: Iterable[Any], defaults: dict) -> None:
        params = list(params)
        if not params:
            raise ValueError("optimizer got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        defaults = {**defaults, **self.torch_flags}
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

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines + [")"])


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum and weight decay."""

    torch_flags = {"maximize": False, "foreach": None, "differentiable": False, "fused": None}

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False) -> None:
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
                    g = add_scaled(g, wd, p.array)
                if mu:
                    buf = self.state.get(id(p))
                    if buf is None:
                        buf = self.state[id(p)] = g.copy()
                    else:
                        buf *= mu
                        add_scaled_(buf, 1 - group["dampening"], g)
                    g = add_scaled(g, mu, buf) if group["nesterov"] else buf
                add_scaled_(p.array, -lr, g)  # in place: the Parameter object stays the same
                p._version += 1


class Adam(Optimizer):
    """Adam (Kingma & Ba), as torch.optim.Adam without amsgrad."""

    torch_flags = {"amsgrad": False, "maximize": False, "foreach": None, "capturable": False, "differentiable": False,
                   "fused": None, "decoupled_weight_decay": False}

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0) -> None:
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


class Adagrad(Optimizer):
    """Adagrad: each weight's step shrinks with the sum of its squared gradients."""

    torch_flags = {"foreach": None, "maximize": False, "differentiable": False, "fused": None}

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0, eps: float = 1e-10) -> None:
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps))

    def step(self) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.array
                if group["weight_decay"]:
                    g = g + group["weight_decay"] * p.array
                state = self.state.setdefault(id(p), {"step": 0, "sum": np.full_like(
                    p.array, group["initial_accumulator_value"])})
                state["step"] += 1
                clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
                state["sum"] += g * g
                p.array -= clr * (g / (np.sqrt(state["sum"]) + group["eps"]))
                p._version += 1


class RMSprop(Optimizer):
    """RMSprop: divide by a running root-mean-square of the gradients."""

    torch_flags = {"capturable": False, "foreach": None, "maximize": False, "differentiable": False}

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False) -> None:
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    def step(self) -> None:
        for group in self.param_groups:
            lr, alpha, eps, mu = group["lr"], group["alpha"], group["eps"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.array
                if group["weight_decay"]:
                    g = g + group["weight_decay"] * p.array
                state = self.state.setdefault(id(p), {"square_avg": np.zeros_like(p.array),
                                                      "grad_avg": np.zeros_like(p.array),
                                                      "buf": np.zeros_like(p.array)})
                v = state["square_avg"]
                v *= alpha
                v += (1 - alpha) * (g * g)
                if group["centered"]:
                    m = state["grad_avg"]
                    m += (1 - alpha) * (g - m)
                    avg = np.sqrt(v - m * m) + eps
                else:
                    avg = np.sqrt(v) + eps
                if mu:
                    buf = state["buf"]
                    buf *= mu
                    buf += g / avg
                    p.array -= lr * buf
                else:
                    p.array -= lr * (g / avg)
                p._version += 1


class Adamax(Optimizer):
    """Adamax: Adam with the infinity norm of past gradients in place of the root-mean-square."""

    torch_flags = {"foreach": None, "maximize": False, "differentiable": False, "capturable": False}

    def __init__(self, params: Iterable[Tensor], lr: float = 2e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def step(self) -> None:
        for group in self.param_groups:
            lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.array
                if group["weight_decay"]:
                    g = g + group["weight_decay"] * p.array
                state = self.state.setdefault(id(p), {"step": 0, "m": np.zeros_like(p.array),
                                                      "u": np.zeros_like(p.array)})
                state["step"] += 1
                m, u = state["m"], state["u"]
                m += (1 - b1) * (g - m)
                np.maximum(u * b2, np.abs(g) + eps, out=u)
                clr = lr / (1 - b1 ** state["step"])
                p.array -= clr * (m / u)
                p._version += 1


class Rprop(Optimizer):
    """Rprop: only the sign of the gradient counts; each weight adapts its own step size."""

    torch_flags = {"foreach": None, "maximize": False, "differentiable": False, "capturable": False}

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-2, etas: tuple = (0.5, 1.2),
                 step_sizes: tuple = (1e-6, 50)) -> None:
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes))

    def step(self) -> None:
        for group in self.param_groups:
            (eta_minus, eta_plus), (lo, hi) = group["etas"], group["step_sizes"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.array.copy()
                state = self.state.setdefault(id(p), {"prev": np.zeros_like(p.array),
                                                      "step_size": np.full_like(p.array, group["lr"])})
                same = np.sign(g * state["prev"])
                factor = np.where(same > 0, eta_plus, np.where(same < 0, eta_minus, 1.0)).astype(p.array.dtype)
                state["step_size"] = np.clip(state["step_size"] * factor, lo, hi).astype(p.array.dtype)
                g[same < 0] = 0  # the sign flipped: no step this time, and forget this gradient
                p.array -= np.sign(g) * state["step_size"]
                p._version += 1
                state["prev"] = g
