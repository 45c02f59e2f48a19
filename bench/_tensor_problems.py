"""The workloads of bench_tensor.py, written once against a namespace ``t`` (bpcourse or
torch), plus hand-written numpy versions (forward and backward by hand) of the same nets.

``make_problem(name, engine)`` returns a callable that runs one timed block.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

# name -> (layer sizes, batch, activation, loss, steps per timed block)
MLPS = {
    "mlp_2_16_16_1": ((2, 16, 16, 1), 100, "tanh", "mse", 50),
    "mlp_64_32_10": ((64, 32, 10), 64, "relu", "ce", 50),
    "mlp_784_128_10_b64": ((784, 128, 10), 64, "relu", "ce", 20),
    "mlp_784_128_10_b256": ((784, 128, 10), 256, "relu", "ce", 10),
    "mlp_784_128_10_b1024": ((784, 128, 10), 1024, "relu", "ce", 5),
}
PROBLEMS = ["seed_100_epochs", *MLPS]


def _data(sizes: tuple, batch: int, loss: str) -> tuple:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    if loss == "mse":
        y = rng.standard_normal((batch, sizes[-1])).astype(np.float32)
    else:
        y = rng.integers(0, sizes[-1], batch).astype(np.int64)
    weights = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(n_in)
        weights.append((rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32),
                        rng.uniform(-bound, bound, n_out).astype(np.float32)))
    return x, y, weights


# ----- bpcourse / torch: the same code --------------------------------------------------
def seed_program(t) -> Callable[[], float]:
    def run() -> float:
        x_data, y_data = [1.0, 2.0, 3.0], [2.0, 4.0, 6.0]
        w = t.Tensor([1.0])
        w.requires_grad = True
        for _ in range(100):
            for x, y in zip(x_data, y_data):
                l = (x * w - y) ** 2
                l.backward()
                w.data = w.data - 0.01 * w.grad.item()
                w.grad.data.zero_()
        return l.item()

    return run


def mlp_program(t, name: str) -> Callable[[], float]:
    sizes, batch, act, loss_name, steps = MLPS[name]
    x_np, y_np, weights = _data(sizes, batch, loss_name)
    layers = []
    for i, (w, b) in enumerate(weights):
        lin = t.nn.Linear(w.shape[1], w.shape[0])
        lin.weight.data = t.from_numpy(w.copy())
        lin.bias.data = t.from_numpy(b.copy())
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(t.nn.Tanh() if act == "tanh" else t.nn.ReLU())
    model = t.nn.Sequential(*layers)
    loss_fn = t.nn.MSELoss() if loss_name == "mse" else t.nn.CrossEntropyLoss()
    opt = t.optim.SGD(model.parameters(), lr=0.01)
    x, y = t.from_numpy(x_np), t.from_numpy(y_np)

    def run() -> float:
        for _ in range(steps):
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return loss.item()

    return run


# ----- hand-written numpy ---------------------------------------------------------------------
def seed_numpy() -> Callable[[], float]:
    def run() -> float:
        x_data, y_data = [1.0, 2.0, 3.0], [2.0, 4.0, 6.0]
        w = np.array([1.0], dtype=np.float32)
        for _ in range(100):
            for x, y in zip(x_data, y_data):
                d = np.float32(x) * w - np.float32(y)
                l = d * d
                grad = (2 * d) * np.float32(x)
                w = w - np.float32(0.01 * grad.item())
        return l.item()

    return run


def mlp_numpy(name: str) -> Callable[[], float]:
    sizes, batch, act, loss_name, steps = MLPS[name]
    x, y, weights = _data(sizes, batch, loss_name)
    params = [(w.copy(), b.copy()) for w, b in weights]
    lr = np.float32(0.01)
    onehot = None if loss_name == "mse" else np.eye(sizes[-1], dtype=np.float32)[y]

    def run() -> float:
        for _ in range(steps):
            # forward, keeping what backward needs
            acts, h = [x], x
            for i, (w, b) in enumerate(params):
                h = h @ w.T + b
                if i < len(params) - 1:
                    h = np.tanh(h) if act == "tanh" else np.maximum(h, 0)
                acts.append(h)
            if loss_name == "mse":
                d = h - y
                loss = (d * d).mean()
                g = 2 * d / d.size
            else:
                z = h - h.max(axis=1, keepdims=True)
                logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
                loss = -(logp * onehot).sum() / batch
                g = (np.exp(logp) - onehot) / batch
            # backward and update
            for i in range(len(params) - 1, -1, -1):
                w, b = params[i]
                a_in = acts[i]
                gw, gb = g.T @ a_in, g.sum(axis=0)
                if i > 0:
                    g = g @ w
                    g = g * (1 - a_in * a_in) if act == "tanh" else g * (a_in > 0)
                w -= lr * gw
                b -= lr * gb
        return float(loss)

    return run


def make_problem(name: str, engine: str) -> Callable[[], float]:
    if engine == "numpy":
        return seed_numpy() if name == "seed_100_epochs" else mlp_numpy(name)
    if engine == "torch":
        import torch as t
    else:
        import bpcourse as t
    return seed_program(t) if name == "seed_100_epochs" else mlp_program(t, name)
