"""Optimisers update parameters in place from their ``.grad``, outside the graph.

Every optimiser runs the same loop (``Optimizer.step``): for each parameter p that has a gradient
g (negated if ``maximize=True``), fetch p's state, ``optimizer.state[p]``, and apply the update
rule. Each subclass only writes its rule (``update``):

    SGD       g <- g + weight_decay p;  v <- momentum v + (1 - dampening) g;  p <- p - lr v
              (nesterov: p <- p - lr (g + momentum v))
    Adam      m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;  p <- p - lr m^ / (sqrt(v^) + eps)
              (amsgrad: the largest v so far; decoupled_weight_decay: p <- p (1 - lr wd) first, AdamW)
    Adagrad   s <- s + g^2;  p <- p - lr g / (sqrt(s) + eps)
    RMSprop   v <- a v + (1-a) g^2;  p <- p - lr g / (sqrt(v) + eps)
    Adamax    m <- b1 m + (1-b1) g;  u <- max(b2 u, |g| + eps);  p <- p - lr m / ((1 - b1^t) u)
    Rprop     step <- step * 1.2 (g kept its sign) or * 0.5 (it flipped);  p <- p - sign(g) step

Each follows torch.optim's update order, so that float32 results agree with torch's, and keeps
its state under torch's names (``momentum_buffer``, ``exp_avg``, ``exp_avg_sq``, ``step``, ...).
"""
from __future__ import annotations

import copy
import math
import warnings
from collections import defaultdict
from typing import Any, Callable, Iterable

import numpy as np

from bpcourse.grad_mode import enable_grad
from bpcourse.creation import from_numpy
from bpcourse.ops.maths import exact_scaled_sum
from bpcourse.optim.axpy import axpy_, axpy_once_
from bpcourse.tensor import Tensor


# The exact single rounding below costs a float64 round trip, about three times the plain float32
# update. For tensors larger than this, the forward and backward matmuls already round differently
# from torch's BLAS (another summation order), so bit-equality with torch is not on offer and the
# plain update is used. Small tensors (the lecture programs' w, b, small layers) keep torch's bits.
FUSED_ROUNDING_MAX_SIZE = 4096
_F32 = np.dtype(np.float32)  # (comparing with a dtype, not np.float32, skips a conversion)


def add_scaled(p: np.ndarray, alpha: float, g: np.ndarray) -> np.ndarray:
    """p + alpha * g rounded once, as torch's ``p.add_(g, alpha=alpha)`` (a fused multiply-add).

    Rounding the product first and then the sum (numpy's ``p + alpha * g``) differs from torch in
    the last bit now and then, and training loops add those bits up. For float32 the exact value
    is formed in float64 (a product of two float32 numbers is exact there) and rounded to float32.
    """
    if p.dtype != np.float32 or p.size > FUSED_ROUNDING_MAX_SIZE:
        return p + alpha * g
    return exact_scaled_sum(p, alpha, g).astype(np.float32)


def add_scaled_(p: np.ndarray, alpha: float, g: np.ndarray) -> None:
    """In place: p <- p + alpha * g, with add_scaled's rounding (and no copy for large tensors:
    BLAS's axpy, one pass and one rounding, where numpy's bundled OpenBLAS is found)."""
    if p.dtype != _F32 or p.size > FUSED_ROUNDING_MAX_SIZE:
        if not axpy_(p, alpha, g):
            p += alpha * g
    elif not axpy_once_(p, alpha, g):  # BLAS where it is seen to round once at this size (axpy.rounds_once)
        p[...] = exact_scaled_sum(p, alpha, g)  # rounded to float32 as it is stored


def state_tensor(array: np.ndarray) -> Tensor:
    """A state buffer: a Tensor (what torch's optimizer.state holds) sharing ``array``'s memory."""
    return from_numpy(array)


def step_counter() -> Tensor:
    """torch counts an optimiser's steps in a float32 0-dim tensor, ``state[p]["step"]``."""
    return from_numpy(np.zeros((), dtype=np.float32))


def count_step(state: dict) -> int:
    state["step"].array += 1
    return int(state["step"].array)


class Optimizer:
    """Holds the parameters (``param_groups``), their state (``state[p]``), and the loop every
    optimiser shares. A subclass sets ``defaults`` and writes ``update`` (and ``new_state``)."""

    #: settings of torch's that change how, not what, torch computes: any value is accepted
    implementation_choices = ("foreach",)
    #: settings bpcourse accepts only at torch's default (the value that changes the maths is refused)
    unsupported = {"differentiable": False, "capturable": False, "fused": (None, False)}

    def __init__(self, params: Iterable[Any], defaults: dict) -> None:
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            "but got a single Tensor (wrap it in a list: SGD([w], lr=0.1))")
        self._refuse_unsupported(defaults, type(self).__name__)
        self.defaults = defaults
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict] = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def _refuse_unsupported(self, settings: dict, where: str) -> None:
        for name, allowed in self.unsupported.items():
            if name in settings:
                ok = settings[name] in allowed if isinstance(allowed, tuple) else settings[name] == allowed
                if not ok:
                    raise NotImplementedError(f"{where}: {name}={settings[name]!r} is not supported by bpcourse "
                                              f"(leave it at torch's default, or run this part with real torch)")

    def add_param_group(self, param_group: dict) -> None:
        """Add parameters with their own settings (``{"params": [...], "lr": 0.01}``)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        params = [params] if isinstance(params, Tensor) else list(params)
        group = dict(param_group)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:           # model.named_parameters(), as torch >= 2.6 accepts
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            group["param_names"] = names
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if p.grad_fn is not None:
                raise ValueError("can't optimize a non-leaf Tensor")
        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        if {id(p) for g in self.param_groups for p in g["params"]} & {id(p) for p in params}:
            raise ValueError("some parameters appear in more than one parameter group")
        self._refuse_unsupported(group, f"{type(self).__name__} param group")
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        group["params"] = params
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p._grad = None
                elif p._grad is not None:
                    p._grad.array.fill(0)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient (the loop all optimisers share).

        ``closure`` (optional, as torch's): a function that zeroes the gradients, computes the
        loss, calls backward and returns the loss; it runs first, and its loss is returned.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        states, new_state, update = self.state, self.new_state, self.update
        for group in self.param_groups:
            maximize = group.get("maximize", False)
            for p in group["params"]:
                grad = p._grad  # the slot: .grad is a property (it warns on a non-leaf)
                if grad is None:
                    continue
                g = -grad.array if maximize else grad.array
                state = states.get(p)
                if state is None:
                    state = new_state(p, group)
                    if state is not None:   # None: a stateless update (plain SGD), no entry, as torch
                        states[p] = state
                update(p.array, g, state, group)  # in place: the Parameter object stays the same
                p._bump_version()  # torch counts the step as an in-place change of p
        return loss

    def new_state(self, p: Tensor, group: dict) -> dict | None:
        """The state a parameter starts with before its first update (torch's names and values)."""
        return {}

    def update(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> None:
        """Change ``p`` in place from its gradient ``g``, its ``state`` and the ``group``'s settings."""
        raise NotImplementedError(f"{type(self).__name__} does not define update(p, g, state, group)")

    # ----- checkpoints, in torch's layout: parameters numbered in group order -----
    def state_dict(self) -> dict:
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        return {"state": {index[id(p)]: s for p, s in self.state.items()}, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        state_dict = copy.deepcopy(state_dict)
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(s["params"]) != len(g["params"]) for s, g in zip(saved_groups, self.param_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        by_index = {i: p for s, g in zip(saved_groups, self.param_groups) for i, p in zip(s["params"], g["params"])}
        self.state = defaultdict(dict)
        for i, s in state_dict["state"].items():
            p = by_index[i]
            self.state[p] = {k: v if k == "step" or not isinstance(v, Tensor) else from_numpy(
                v.array.astype(p.array.dtype)) for k, v in s.items()}
        self.param_groups = [{**s, "params": g["params"]} for s, g in zip(saved_groups, self.param_groups)]

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines + [")"])


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


def _check_adam_settings(lr: float, betas: tuple, eps: float, weight_decay: float) -> None:
    """Adam's and Adamax's range checks, with torch's messages."""
    _check(lr >= 0.0, f"Invalid learning rate: {lr}")
    _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
    _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
    _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
    _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (heavy-ball or Nesterov) and weight decay."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False, fused: bool | None = None) -> None:
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        _check(not nesterov or (momentum > 0 and dampening == 0),
               "Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))

    def new_state(self, p: Tensor, group: dict) -> dict | None:
        return {} if group["momentum"] else None     # the buffer appears at the first step

    def update(self, p: np.ndarray, g: np.ndarray, state: dict | None, group: dict) -> None:
        mu, wd = group["momentum"], group["weight_decay"]
        if wd:
            g = add_scaled(g, wd, p)
        if mu:
            if "momentum_buffer" not in state:      # the first step starts the velocity at g
                state["momentum_buffer"] = state_tensor(g.copy())
                buf = state["momentum_buffer"].array
            else:
                buf = state["momentum_buffer"].array
                buf *= mu
                add_scaled_(buf, 1 - group["dampening"], g)
            g = add_scaled(g, mu, buf) if group["nesterov"] else buf
        add_scaled_(p, -group["lr"], g)


class Adam(Optimizer):
    """Adam (Kingma & Ba); ``amsgrad=True`` divides by the largest second moment seen so far;
    ``decoupled_weight_decay=True`` shrinks the weights directly (AdamW)."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        _check_adam_settings(lr, betas, eps, weight_decay)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      differentiable=differentiable, fused=fused,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def new_state(self, p: Tensor, group: dict) -> dict:
        state = {"step": step_counter(), "exp_avg": state_tensor(np.zeros_like(p.array)),
                 "exp_avg_sq": state_tensor(np.zeros_like(p.array))}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = state_tensor(np.zeros_like(p.array))
        return state

    def update(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> None:
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if wd and group["decoupled_weight_decay"]:
            p *= 1 - lr * wd
        elif wd:
            g = add_scaled(g, wd, p)
        t = count_step(state)
        m, v = state["exp_avg"].array, state["exp_avg_sq"].array
        m[...] = add_scaled(m, 1 - b1, g - m)  # torch's m.lerp_(g, 1 - b1): m + (1 - b1)(g - m), rounded once
        v *= b2
        v += (1 - b2) * g * g
        if group["amsgrad"]:
            v_max = state["max_exp_avg_sq"].array
            np.maximum(v_max, v, out=v_max)
            v = v_max
        step_size = lr / (1 - b1 ** t)
        denom = np.sqrt(v) / math.sqrt(1 - b2 ** t) + eps
        p -= step_size * m / denom


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): p <- p (1 - lr wd), then Adam's step."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)


class Adagrad(Optimizer):
    """Adagrad: each weight's step shrinks with the sum of its squared gradients."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: bool | None = None) -> None:
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(lr_decay >= 0.0, f"Invalid lr_decay value: {lr_decay}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        _check(initial_accumulator_value >= 0.0, f"Invalid initial_accumulator_value value: "
                                                 f"{initial_accumulator_value}")
        _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, fused=fused))
        for group in self.param_groups:     # torch fills Adagrad's state at construction
            for p in group["params"]:
                self.state[p] = self.new_state(p, group)

    def new_state(self, p: Tensor, group: dict) -> dict:
        return {"step": step_counter(),
                "sum": state_tensor(np.full_like(p.array, group["initial_accumulator_value"]))}

    def update(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> None:
        if group["weight_decay"]:
            g = add_scaled(g, group["weight_decay"], p)
        t = count_step(state)
        clr = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        s = state["sum"].array
        s += g * g
        p -= clr * (g / (np.sqrt(s) + group["eps"]))


class RMSprop(Optimizer):
    """RMSprop: divide by a running root-mean-square of the gradients."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        _check(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        _check(alpha >= 0.0, f"Invalid alpha value: {alpha}")
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                                      weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable))

    def new_state(self, p: Tensor, group: dict) -> dict:
        state = {"step": step_counter(), "square_avg": state_tensor(np.zeros_like(p.array))}
        if group["momentum"] > 0:
            state["momentum_buffer"] = state_tensor(np.zeros_like(p.array))
        if group["centered"]:
            state["grad_avg"] = state_tensor(np.zeros_like(p.array))
        return state

    def update(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> None:
        lr, alpha, eps, mu = group["lr"], group["alpha"], group["eps"], group["momentum"]
        if group["weight_decay"]:
            g = add_scaled(g, group["weight_decay"], p)
        count_step(state)
        v = state["square_avg"].array
        v *= alpha
        v += (1 - alpha) * (g * g)
        if group["centered"]:
            m = state["grad_avg"].array
            m += (1 - alpha) * (g - m)
            avg = np.sqrt(v - m * m) + eps
        else:
            avg = np.sqrt(v) + eps
        if mu > 0:
            buf = state["momentum_buffer"].array
            buf *= mu
            buf += g / avg
            p -= lr * buf
        else:
            p -= lr * (g / avg)


class Adamax(Optimizer):
    """Adamax: Adam with the infinity norm of past gradients in place of the root-mean-square."""

    def __init__(self, params: Iterable[Tensor], lr: float = 2e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        _check_adam_settings(lr, betas, eps, weight_decay)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, capturable=capturable))

    def new_state(self, p: Tensor, group: dict) -> dict:
        return {"step": step_counter(), "exp_avg": state_tensor(np.zeros_like(p.array)),
                "exp_inf": state_tensor(np.zeros_like(p.array))}

    def update(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> None:
        lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
        if group["weight_decay"]:
            g = add_scaled(g, group["weight_decay"], p)
        t = count_step(state)
        m, u = state["exp_avg"].array, state["exp_inf"].array
        m += (1 - b1) * (g - m)
        np.maximum(u * b2, np.abs(g) + eps, out=u)
        p -= lr / (1 - b1 ** t) * (m / u)


class Rprop(Optimizer):
    """Rprop: only the sign of the gradient counts; each weight adapts its own step size."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-2, etas: tuple = (0.5, 1.2),
                 step_sizes: tuple = (1e-6, 50), *, capturable: bool = False, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False) -> None:
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, capturable=capturable))

    def new_state(self, p: Tensor, group: dict) -> dict:
        return {"step": step_counter(), "prev": state_tensor(np.zeros_like(p.array)),
                "step_size": state_tensor(np.full_like(p.array, group["lr"]))}

    def update(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> None:
        (eta_minus, eta_plus), (lo, hi) = group["etas"], group["step_sizes"]
        count_step(state)
        g = g.copy()
        prev, step_size = state["prev"].array, state["step_size"].array
        same = np.sign(g * prev)
        factor = np.where(same > 0, eta_plus, np.where(same < 0, eta_minus, 1.0)).astype(p.dtype)
        step_size[...] = np.clip(step_size * factor, lo, hi)
        g[same < 0] = 0  # the sign flipped: no step this time, and forget this gradient
        p -= np.sign(g) * step_size
        prev[...] = g
