"""Losses, each one node (r = reduction: 'mean' divides by the count n, 'sum' does not):

    mse_loss  L = r((x - t)^2)                         dx = 2 (x - t) g / n
    binary_cross_entropy
              L = r(-(t log x + (1 - t) log(1 - x)))   dx = g (x - t) / (x (1 - x)) / n
    nll_loss  L = r(-logp[i, t_i])                     dlogp[i, t_i] = -g / n

cross_entropy(x, t) is nll_loss(log_softmax(x), t), as in torch.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from bpcourse.function import ArrayFunction, Context, ShapeError
from bpcourse.ops.broadcast import unbroadcast
from bpcourse.ops.elementwise import Maximum, Where
from bpcourse.ops.maths import flat_picks, log, run

REDUCTIONS = ("mean", "sum", "none")


def _reduce(values: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":
        return values.sum() / values.size  # what mean() does, without its Python wrapper
    if reduction == "sum":
        return values.sum()
    return values


def _scale(g: np.ndarray, n: int, reduction: str) -> np.ndarray:
    """The gradient of the reduction itself: g / n for mean, g for sum and none."""
    return g / n if reduction == "mean" else g


class MseLoss(ArrayFunction):
    """L = reduce((x - t)^2)"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, t: np.ndarray, reduction: str) -> np.ndarray:
        if x.dtype.kind != "f":
            raise NotImplementedError(f"mse_loss: input must be floating point, got {x.dtype} "
                                      f"(use .float() on it, e.g. torch.tensor([1.0, 2.0]))")
        ctx.save_for_backward(x, t)
        d = x - t
        ctx.reduction, ctx.size = reduction, d.size
        return _reduce(d * d, reduction)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        x, t = ctx.saved_tensors
        d = x - t
        gd = 2 * d * _scale(g, ctx.size, ctx.reduction)
        need_x, need_t = ctx.needs_input_grad[:2]
        return (unbroadcast(gd, tuple(x.shape)) if need_x else None,
                unbroadcast(-gd, tuple(t.shape)) if need_t else None, None)


class BinaryCrossEntropy(ArrayFunction):
    """L = reduce(-(t log x + (1 - t) log(1 - x))); logs clamped at -100 as in torch"""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, t: np.ndarray, reduction: str) -> np.ndarray:
        if x.shape != t.shape:
            raise ShapeError(
                f"binary_cross_entropy: target and input sizes differ: input.shape={x.shape}, "
                f"target.shape={t.shape}; use the same size"
            )
        if x.dtype != t.dtype:
            raise RuntimeError(f"binary_cross_entropy: Found dtype {t.dtype} but expected {x.dtype} "
                               f"(the target must have the input's dtype: use target.float() or .double())")
        if x.size and (x.min() < 0 or x.max() > 1):
            raise RuntimeError("binary_cross_entropy: all elements of input should be between 0 and 1")
        ctx.save_for_backward(x, t)
        ctx.reduction, ctx.size, ctx.dtype = reduction, x.size, x.dtype
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100)
            log_1mx = np.maximum(np.log1p(-x), -100)
        # torch's arrangement of the same formula (its rounding, too)
        return _reduce((t - 1) * log_1mx - t * log_x, reduction)

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        x, t = ctx.saved_tensors
        need_x, need_t = ctx.needs_input_grad[:2]
        g = _scale(g, ctx.size, ctx.reduction)
        eps = np.asarray(1e-12, dtype=ctx.dtype)
        gx = g * (x - t) / run(Maximum, (1 - x) * x, eps) if need_x else None
        gt = None
        if need_t:  # dL/dt = log(1 - x) - log(x), each log at least -100
            with np.errstate(divide="ignore"):
                floor = np.asarray(-100, dtype=ctx.dtype)
                gt = g * (run(Maximum, log(1 - x), floor) - run(Maximum, log(x), floor))
        return gx, gt, None


class NllLoss(ArrayFunction):
    """L = reduce(-logp[i, t_i]) for log-probabilities logp (n, classes) and class indices t (n,)"""

    @staticmethod
    def forward(ctx: Context, logp: np.ndarray, t: np.ndarray, reduction: str) -> np.ndarray:
        if t.dtype != np.int64 and t.dtype != np.uint8:
            raise RuntimeError(f"nll_loss: expected target dtype to be Long (int64) class indices, got dtype "
                               f"{t.dtype}; use target.long() (torch.LongTensor)")
        if logp.ndim != 2 or t.shape != logp.shape[:1]:
            raise ShapeError(
                f"nll_loss: expected input (batch, classes) and target (batch,), got "
                f"input.shape={logp.shape}, target.shape={t.shape}"
            )
        picks = flat_picks(logp.shape, t)
        ctx.args = (logp.shape, picks, t, reduction)
        picked = logp.ravel()[picks]  # logp[i, t_i] for every row i
        if reduction == "none":
            return -picked
        total = -np.add.reduce(picked)  # picked.sum(), the same bits as (-picked).sum(), one pass fewer
        return total / picked.size if reduction == "mean" else total

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        if type(g) is np.ndarray:  # the usual backward, on arrays: no node to record
            return nll_loss_grad(g, *ctx.args), None, None
        return run(NllLossBackward, g, *ctx.args), None, None


def nll_loss_grad(g: np.ndarray, shape: tuple, picks: np.ndarray, t: np.ndarray, reduction: str) -> np.ndarray:
    """dlogp: zeros, with -g (/ n for 'mean') at [i, t_i]."""
    if g.ndim == 0:  # a number: numpy's arithmetic on one number is cheaper than on a 0-d array
        g = g[()]
    glogp = np.zeros(shape, dtype=g.dtype)
    glogp.ravel()[picks] = 0 - _scale(g, t.size, reduction)  # 0 - g, not -g: an ignored row's 0 stays +0
    return glogp


class NllLossBackward(ArrayFunction):
    """dlogp = zeros, with -g (/ n for 'mean') at [i, t_i]: nll_loss's backward, an op of its own"""

    @staticmethod
    def forward(ctx: Context, g: np.ndarray, shape: tuple, picks: np.ndarray, t: np.ndarray,
                reduction: str) -> np.ndarray:
        ctx.args = (t, reduction)
        return nll_loss_grad(g, shape, picks, t, reduction)

    @staticmethod
    def backward(ctx: Context, gg: Any) -> tuple:  # gg may be a Tensor: index it as torch would
        t, reduction = ctx.args
        picked = -_scale(gg[np.arange(t.size), t], t.size, reduction)
        return (picked if reduction == "none" else picked.sum()), None, None, None, None
