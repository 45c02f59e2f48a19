"""Gradient descent on a one-parameter model, as a pure function (no widgets, no plots).

The seed lecture fits ``y_hat = w * x`` to x = [1, 2, 3], y = [2, 4, 6] (so the best w is 2)
with the squared error. Per sample i, with the error e = w - 2:

    loss_i(w) = (w x_i - y_i)^2            d loss_i / dw = 2 x_i (w x_i - y_i) = 2 x_i^2 e

*Batch* gradient descent steps on the mean squared error, whose gradient is 2 mean(x^2) e:

    e <- (1 - 2 lr mean(x^2)) e           stable iff lr < 1 / mean(x^2) = 3/14 ~ 0.2143

*SGD* (the seed's loop) steps once per sample, so one epoch multiplies e by

    f(lr) = (1 - 2 lr) (1 - 8 lr) (1 - 18 lr)   stable iff |f(lr)| < 1, i.e. lr < 0.2040
                                                 (the root of 72 lr^2 - 49 lr + 7 = 0)

So lr = 0.01 converges, lr = 0.0005 crawls, and lr = 0.2 still converges in both modes (batch
oscillates around w = 2 and shrinks e by 0.87 per epoch; SGD by 0.94): the blow-up starts just
above 0.2, e.g. lr = 0.25. ``stability_limit`` computes these limits for any x.

The loss recorded after each epoch is always the mean squared error over *all* samples at the
current w, so SGD and batch curves can be compared.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np

from ..i18n import tr

SEED_X = (1.0, 2.0, 3.0)
SEED_Y = (2.0, 4.0, 6.0)


@dataclass
class Problem:
    """A one-parameter model to train by gradient descent.

    ``loss(w, idx)`` and ``grad(w, idx)`` give the mean loss and its derivative d loss / d w over
    the samples ``idx`` (an integer array); ``n_samples`` says how many there are. ``x``, ``y`` and
    ``predict(w, x)`` are optional: with them the explorer also draws the fitted curve.
    """
    loss: Callable[[float, np.ndarray], float]
    grad: Callable[[float, np.ndarray], float]
    n_samples: int
    x: np.ndarray | None = None
    y: np.ndarray | None = None
    predict: Callable[[float, np.ndarray], np.ndarray] | None = None
    name: str = "model"
    best_w: float | None = None
    limits: dict[str, float] = field(default_factory=dict)   # mode -> largest stable lr, if known


def linear_problem(x: Sequence[float] = SEED_X, y: Sequence[float] = SEED_Y) -> Problem:
    """The seed's model ``y_hat = w * x`` with the squared error."""
    x_arr, y_arr = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x_arr.shape != y_arr.shape or x_arr.ndim != 1 or x_arr.size == 0:
        raise ValueError(f"linear_problem: x and y must be equal-length 1-d sequences, got shapes "
                         f"{x_arr.shape} and {y_arr.shape}")

    def loss(w: float, idx: np.ndarray) -> float:
        return float(np.mean((w * x_arr[idx] - y_arr[idx]) ** 2))

    def grad(w: float, idx: np.ndarray) -> float:         # d/dw (w x - y)^2 = 2 x (w x - y)
        return float(np.mean(2 * x_arr[idx] * (w * x_arr[idx] - y_arr[idx])))

    def predict(w: float, xs: np.ndarray) -> np.ndarray:
        return w * np.asarray(xs, dtype=float)

    best_w = float(np.dot(x_arr, y_arr) / np.dot(x_arr, x_arr))
    return Problem(loss=loss, grad=grad, n_samples=len(x_arr), x=x_arr, y=y_arr, predict=predict,
                   name="y_hat = w * x", best_w=best_w,
                   limits={"batch": stability_limit("batch", x_arr),
                           "sgd": stability_limit("sgd", x_arr)})


def stability_limit(mode: str, x: Sequence[float] = SEED_X) -> float:
    """The largest learning rate below which gradient descent on ``y_hat = w x`` converges.

    batch: 1 / mean(x^2).  sgd (one pass over the samples in order): the smallest lr > 0 with
    |prod_i (1 - 2 lr x_i^2)| = 1, found by scanning and then bisection.
    """
    return _stability_limit(mode, tuple(float(v) for v in x))


@lru_cache(maxsize=64)
def _stability_limit(mode: str, x: tuple[float, ...]) -> float:
    x2 = np.asarray(x, dtype=float) ** 2
    if mode == "batch":
        return float(1.0 / x2.mean())
    if mode != "sgd":
        raise ValueError(f"stability_limit: mode must be 'batch' or 'sgd', got {mode!r}")

    def excess(lr: float) -> float:                   # > 0 where one epoch grows the error
        return float(abs(np.prod(1 - 2 * lr * x2))) - 1.0
    grid = np.linspace(1e-6, 2.0 / x2.min(), 4001)
    growth = np.abs(np.prod(1 - 2 * grid[:, None] * x2[None, :], axis=1)) - 1.0
    first = int(np.argmax(growth >= 0))
    lo, hi = float(grid[first - 1]), float(grid[first])
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if excess(mid) >= 0 else (mid, hi)
    return float(lo)


@dataclass
class TrainResult:
    """What a run did. ``losses[k]``/``ws[k]``: after epoch k (k = 0 is the start).

    ``diverged_at``: the epoch (1-based) in which w or the loss overflowed, became NaN, or the loss
    passed ``blowup`` times its starting value; the run stops there. ``None`` if it never did.
    """
    lr: float
    epochs: int
    w0: float
    mode: str
    losses: np.ndarray
    ws: np.ndarray
    diverged_at: int | None
    tol: float
    limit: float | None = None

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])

    @property
    def final_w(self) -> float:
        return float(self.ws[-1])

    @property
    def status(self) -> str:
        """'diverged', 'diverging' (loss rising, not yet blown up), 'converged' or 'slow'."""
        if self.diverged_at is not None:
            return "diverged"
        if self.final_loss > self.losses[0] and self.final_loss > self.tol:
            return "diverging"
        return "converged" if self.final_loss <= self.tol else "slow"

    @property
    def message(self) -> str:
        """One sentence a learner can read: what happened, and what to try."""
        limit = tr(" (stable below lr = {limit} for {mode})", limit=f"{self.limit:.4g}",
                   mode=tr(self.mode)) if self.limit else ""
        status = self.status
        if status == "diverged":
            return tr("diverged at epoch {epoch}: the loss blew up; the learning rate {lr} is too large{limit}",
                      epoch=self.diverged_at, lr=f"{self.lr:.4g}", limit=limit)
        if status == "diverging":
            return tr("diverging: the loss grew from {first} to {final} in {epochs} epochs; "
                      "the learning rate {lr} is too large{limit}", first=f"{self.losses[0]:.3g}",
                      final=f"{self.final_loss:.3g}", epochs=self.epochs, lr=f"{self.lr:.4g}", limit=limit)
        if status == "converged":
            return tr("converged: final loss {final} after {epochs} epochs (w = {w})",
                      final=f"{self.final_loss:.3g}", epochs=self.epochs, w=f"{self.final_w:.4f}")
        advice = tr("a larger learning rate gets there sooner")
        if self.limit and self.lr > self.limit / 2:
            advice = tr("lr is close to the stability limit {limit}: w overshoots and oscillates, "
                        "a somewhat smaller learning rate converges faster", limit=f"{self.limit:.4g}")
            limit = ""
        return tr("slow: final loss {final} after {epochs} epochs (w = {w}); {advice}{limit}",
                  final=f"{self.final_loss:.3g}", epochs=self.epochs, w=f"{self.final_w:.4f}",
                  advice=advice, limit=limit)


def train(problem: Problem, lr: float, epochs: int = 100, w0: float = 1.0, mode: str = "sgd",
          *, tol: float = 1e-6, blowup: float = 1e3) -> TrainResult:
    """Gradient descent on ``problem``: ``mode="batch"`` (one step per epoch on all samples) or
    ``"sgd"`` (one step per sample, in order, as in the seed lecture)."""
    if mode not in ("batch", "sgd"):
        raise ValueError(f"train: mode must be 'batch' or 'sgd', got {mode!r}")
    if epochs < 0:
        raise ValueError(f"train: epochs must be >= 0, got {epochs}")
    every = np.arange(problem.n_samples)
    batches = [every] if mode == "batch" else [every[i:i + 1] for i in every]
    w = float(w0)
    losses, ws = [problem.loss(w, every)], [w]
    threshold = blowup * max(losses[0], 1.0)
    diverged_at = None
    # errstate: an overflow or NaN raises FloatingPointError here instead of warning on stderr
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for epoch in range(1, epochs + 1):
            try:
                for idx in batches:
                    w = w - lr * problem.grad(w, idx)
                loss = problem.loss(w, every)
            except (FloatingPointError, OverflowError, ZeroDivisionError):
                diverged_at = epoch
                break
            if not (np.isfinite(w) and np.isfinite(loss)):
                diverged_at = epoch
                break
            losses.append(loss)
            ws.append(w)
            if loss > threshold:
                diverged_at = epoch
                break
    return TrainResult(lr=float(lr), epochs=int(epochs), w0=float(w0), mode=mode,
                       losses=np.array(losses), ws=np.array(ws), diverged_at=diverged_at, tol=tol,
                       limit=problem.limits.get(mode))


def train_linear(lr: float, epochs: int = 100, w0: float = 1.0, mode: str = "sgd",
                 x: Sequence[float] = SEED_X, y: Sequence[float] = SEED_Y, **kwargs) -> TrainResult:
    """Fit the seed's ``y_hat = w * x`` by gradient descent (SGD in order, like the seed lecture).

        >>> r = train_linear(0.01)
        >>> round(r.final_w, 6), r.diverged_at, r.status
        (2.0, None, 'converged')
    """
    return train(linear_problem(x, y), lr, epochs=epochs, w0=w0, mode=mode, **kwargs)
