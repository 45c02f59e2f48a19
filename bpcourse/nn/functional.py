"""torch.nn.functional's names: activations, softmax, losses and linear, as functions."""
from __future__ import annotations

import math
import warnings
from typing import Any, Callable

from bpcourse.grad_mode import is_grad_enabled
from bpcourse.ops.linalg import Addmm, Linear
from bpcourse.ops.loss import REDUCTIONS, BinaryCrossEntropy, MseLoss, NllLoss
from bpcourse.ops.softmax import LogSoftmax, Softmax
from bpcourse.ops.elementwise import LeakyRelu, LeakyReluInPlace
from bpcourse.creation import from_numpy
from bpcourse.random import bernoulli
from bpcourse.tensor import LEAF_INPLACE, Tensor, _torch_named, apply, where

import numpy as np


def legacy_reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """Older lectures write ``MSELoss(size_average=False)``: that means reduction='sum'."""
    if size_average is None and reduce is None:
        if reduction not in REDUCTIONS:
            raise ValueError(f"{reduction} is not a valid value for reduction (use one of {REDUCTIONS})")
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    result = "none" if not reduce else "mean" if size_average else "sum"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{result}' instead.",
        UserWarning, stacklevel=3,
    )
    return result


def _in_place(x: Tensor, op: Callable[[Tensor], Tensor]) -> Tensor:
    """torch's ``inplace=True``: ``x`` itself becomes ``op(x)``. Outside a graph its memory is
    overwritten; inside one, x's old value stays in the graph as the input of op's node (torch
    "rebases" the history the same way) and x stands for the result from then on."""
    if not (is_grad_enabled() and x.requires_grad):
        x.array[...] = op(x).array
        x._version += 1
        return x
    if x.grad_fn is None:
        raise RuntimeError(LEAF_INPLACE + " (inplace=True on a weight or an input that requires grad: "
                                          "use inplace=False)")
    old = x._old_value()
    return x._rebase(op(old), old)  # numbers overwritten where they are, version moved (bpcourse/inplace.py)


def relu(x: Tensor, inplace: bool = False) -> Tensor:
    return _in_place(x, relu) if inplace else x.relu()


def leaky_relu(x: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """y = x for x > 0, negative_slope * x otherwise"""
    if inplace:
        return _in_place(x, lambda t: apply(LeakyReluInPlace, t, negative_slope))
    return apply(LeakyRelu, x, negative_slope)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (where the two agree to float
    precision); its derivative is sigmoid(beta x)."""
    z = x * beta
    smooth = z.clamp(max=threshold).exp().log1p() / beta  # (clamped: no inf in the branch not taken)
    return _torch_named(where(z > threshold, x, smooth), "SoftplusBackward0")


def elu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha (exp(x) - 1) otherwise: smooth at 0 for alpha = 1, and never below -alpha."""
    if inplace:
        return _in_place(x, lambda t: elu(t, alpha))
    return _torch_named(where(x > 0, x, x.clamp(max=0).expm1() * alpha), "EluBackward0")


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """x Phi(x), Phi the standard normal's distribution function: x/2 (1 + erf(x / sqrt 2));
    approximate='tanh': x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    if approximate == "none":
        out = x * 0.5 * (1 + (x * math.sqrt(0.5)).erf())
    elif approximate == "tanh":
        out = x * 0.5 * (1 + (math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)).tanh())
    else:
        raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate!r}")
    return _torch_named(out, "GeluBackward0")


def silu(x: Tensor, inplace: bool = False) -> Tensor:
    """x sigmoid(x) (also called swish)"""
    if inplace:
        return _in_place(x, silu)
    return _torch_named(x * x.sigmoid(), "SiluBackward0")


def dropout(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p) (torch's choice of
    elements for the same seed)."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return x
    if inplace:
        return _in_place(x, lambda t: dropout(t, p, training))
    if p == 1:
        return x * 0
    dtype = x.array.dtype
    keep = bernoulli(x.array.shape, 1 - p).astype(dtype)  # torch: noise.bernoulli_(1 - p).div_(1 - p)
    keep /= dtype.type(1 - p)
    return x * from_numpy(keep)


def one_hot(target: Tensor, num_classes: int = -1) -> Tensor:
    if target.array.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor (an integer tensor of class numbers)")
    n = int(target.array.max()) + 1 if num_classes < 0 else num_classes
    return from_numpy(np.eye(n, dtype=np.int64)[target.array])


def sigmoid(x: Tensor) -> Tensor:
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    return x.tanh()


def _implicit_dim(x: Tensor, name: str) -> int:
    """torch's choice when no dim is given (deprecated there, with this warning): 0 for 0-, 1- and
    3-dimensional inputs, else 1."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
                  f"dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if x.dim() in (0, 1, 3) else 1


def softmax(x: Tensor, dim: int | None = None) -> Tensor:
    return apply(Softmax, x, _implicit_dim(x, "softmax") if dim is None else dim)


def log_softmax(x: Tensor, dim: int | None = None) -> Tensor:
    return apply(LogSoftmax, x, _implicit_dim(x, "log_softmax") if dim is None else dim)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x @ weight.T + bias"""
    usual = bias is not None and isinstance(x, Tensor) and x.array.ndim == 2
    return apply(Addmm if usual else Linear, x, weight, bias)


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
             reduction: str = "mean", weight: Any = None) -> Tensor:
    """mean (or sum) of (input - target)^2; with ``weight``, sum(w (x - t)^2) / sum(w) (or the sum)."""
    r = legacy_reduction(size_average, reduce, reduction)
    _warn_if_broadcast(input, target)
    if weight is None:
        return apply(MseLoss, input, target, r)
    _same_size_weight(weight, input)
    return _weighted_reduce(apply(MseLoss, input, target, "none") * weight, weight, r)


def _warn_if_broadcast(input: Tensor, target: Any) -> None:  # noqa: A002
    """torch's warning: a (N, 1) prediction against a (N,) target broadcasts to (N, N) quietly."""
    if isinstance(target, Tensor) and input.array.shape != target.array.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have "
                      "the same size.", UserWarning, stacklevel=3)


def _weighted_reduce(losses: Tensor, weight: Tensor, reduction: str) -> Tensor:
    """torch's weighted mse/l1: 'mean' is the weighted mean, sum(w l) / sum(w)."""
    return losses.sum() / weight.sum() if reduction == "mean" else _reduce(losses, reduction)


def _same_size_weight(weight: Any, input: Tensor) -> None:  # noqa: A002
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError(f"Weights and input must have the same size. (weight.shape={tuple(weight.shape)}, "
                         f"input.shape={tuple(input.shape)})")


def _reduce(losses: Tensor, reduction: str) -> Tensor:
    return losses.mean() if reduction == "mean" else losses.sum() if reduction == "sum" else losses


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Any = None, size_average: Any = None,  # noqa: A002
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    """mean (or sum) of -w (t log p + (1 - t) log(1 - p)); ``weight`` w broadcasts over the elements."""
    r = legacy_reduction(size_average, reduce, reduction)
    if weight is None:
        return apply(BinaryCrossEntropy, input, target, r)
    return _reduce(apply(BinaryCrossEntropy, input, target, "none") * weight, r)


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
            reduction: str = "mean", weight: Any = None) -> Tensor:
    """mean (or sum) of |input - target|; with ``weight``, sum(w |x - t|) / sum(w) (or the sum)."""
    r = legacy_reduction(size_average, reduce, reduction)
    _warn_if_broadcast(input, target)
    d = (input - target).abs()
    if weight is None:
        return _reduce(d, r)
    _same_size_weight(weight, input)
    return _weighted_reduce(d * weight, weight, r)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where d = |input - target| < beta, d - 0.5 beta beyond: quadratic near 0 (a
    gradient that shrinks with the error), linear far out (one that does not grow with outliers)."""
    r = legacy_reduction(size_average, reduce, reduction)
    _warn_if_broadcast(input, target)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta (got beta={beta})")
    diff = input - target
    d = diff.abs()
    if beta == 0:  # torch: l1_loss then
        return _reduce(d, r)
    # the square of diff, not of |diff|: its derivative diff / beta is smooth through 0, as torch's
    return _torch_named(_reduce(where(d < beta, 0.5 * diff * diff / beta, d - 0.5 * beta), r), "SmoothL1LossBackward0")


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,  # noqa: A002
               weight: Any = None) -> Tensor:
    """0.5 d^2 where d = |input - target| < delta, delta (d - 0.5 delta) beyond (smooth_l1 times delta)."""
    if weight is not None:
        raise NotImplementedError("not implemented in bpcourse: huber_loss(weight=...); multiply the "
                                  "reduction='none' losses by the weights instead")
    _warn_if_broadcast(input, target)
    diff = input - target
    d = diff.abs()
    losses = where(d < delta, 0.5 * diff * diff, delta * (d - 0.5 * delta))
    return _torch_named(_reduce(losses, legacy_reduction(None, None, reduction)), "HuberLossBackward0")


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """sum of target (log target - input), input being log-probabilities (0 where target is 0);
    reduction='batchmean' divides by the batch size, which gives the KL divergence per example."""
    if reduction == "batchmean":
        r = "sum"
    else:
        r = legacy_reduction(size_average, reduce, reduction)
        if r == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          UserWarning, stacklevel=2)
    if log_target:
        pointwise = target.exp() * (target - input)
    else:  # torch's xlogy: t log t is 0 where t is 0
        t = target.detach() if isinstance(target, Tensor) else target
        safe_log = where(t > 0, target, 1.0).log()
        pointwise = target * safe_log - target * input
    losses = _reduce(pointwise, r)  # (torch's nodes too: SubBackward0, MeanBackward0, SumBackward0, DivBackward0)
    return losses / input.shape[0] if reduction == "batchmean" and input.dim() != 0 else losses


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Any = None,  # noqa: A002
                                     size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                                     pos_weight: Any = None) -> Tensor:
    """BCE of sigmoid(x), computed stably with m = max(-x, 0):
    L = (1 - t) x + (1 + (pos_weight - 1) t) (m + log(exp(-m) + exp(-x - m))), times ``weight``."""
    r = legacy_reduction(size_average, reduce, reduction)
    m = (-input).clamp(min=0)
    log_one_plus_exp = m + ((-m).exp() + (-input - m).exp()).log()     # log(1 + exp(-x))
    if pos_weight is not None:      # weighs the positive examples' term: t log sigmoid(x)
        log_one_plus_exp = (1 + (pos_weight - 1) * target) * log_one_plus_exp
    loss = (1 - target) * input + log_one_plus_exp
    if weight is not None:
        loss = loss * weight
    return _torch_named(_reduce(loss, r), "BinaryCrossEntropyWithLogitsBackward0")


def _check_targets(target: Tensor, n_classes: int, ignore_index: int) -> tuple:
    """The class indices, checked as torch checks them (numpy would wrap a -1 round to the last
    class), and whether any row is ``ignore_index``. The smallest and largest target settle both
    questions in the usual case (every target a class, ignore_index=-100 outside them)."""
    t = target.array
    if t.dtype.kind not in "iu" or not t.size:
        return t, bool((t == ignore_index).any())
    lo, hi = t.min(), t.max()
    if lo < 0 or hi >= n_classes:
        bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
        if bad.any():
            raise IndexError(f"Target {t[bad].flat[0]} is out of bounds (class indices run from 0 to "
                             f"{n_classes - 1}; ignore_index={ignore_index})")
    return t, bool(lo <= ignore_index <= hi and (t == ignore_index).any())


_INT64, _UINT64 = np.dtype(np.int64), np.dtype(np.uint64)


def _plain_targets(scores: Tensor, target: Any, ignore_index: int) -> bool:
    """The usual call, checked cheaply: one int64 class index per row of 2-D scores, every index
    a class (so none is ``ignore_index``, which is then outside the classes, nor out of range).
    The largest target read as an unsigned number settles it: a negative index is huge there. (Found
    with argmax, which skips numpy's reduction machinery: 0.9 us against max's 2.2 us on 64 targets.)"""
    x, t = scores.array, getattr(target, "array", None)
    if t is None or t.dtype != _INT64 or x.ndim != 2 or t.shape != x.shape[:1] or not t.size:
        return False
    n_classes = x.shape[1]
    unsigned = t.view(_UINT64)
    return not 0 <= ignore_index < n_classes and bool(unsigned[unsigned.argmax()] < n_classes)


def _masked_nll(logp: Tensor, target: Tensor, weight: Any, ignore_index: int, reduction: str) -> Tensor:
    """-w[t_i] logp[i, t_i] for each row i whose target is not ``ignore_index`` (0 for the others);
    'mean' divides by the sum of the kept rows' weights (their count without ``weight``), as torch."""
    t = target.array
    keep = t != ignore_index
    picked = apply(NllLoss, logp, from_numpy(np.where(keep, t, 0).astype(t.dtype)), "none")  # -logp[i, t_i]
    row_weight = keep.astype(logp.array.dtype)
    if weight is not None:
        row_weight = row_weight * weight.array[np.where(keep, t, 0)]
    losses = picked * from_numpy(row_weight)
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    with np.errstate(invalid="ignore", divide="ignore"):   # every target ignored: nan, as torch
        return losses.sum() / from_numpy(np.asarray(row_weight.sum(), dtype=row_weight.dtype))


def _check_weight(weight: Any, n_classes: int, where: str) -> None:
    if weight is not None and (not isinstance(weight, Tensor) or tuple(weight.shape) != (n_classes,)):
        shape = tuple(weight.shape) if isinstance(weight, Tensor) else type(weight).__name__
        raise RuntimeError(f"{where}: weight must be a tensor of one weight per class, shape ({n_classes},), "
                           f"got {shape}")


def nll_loss(input: Tensor, target: Tensor, weight: Any = None, size_average: Any = None,  # noqa: A002
             ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """mean (or sum) of -logp[i, t_i]: the negative log-probability of each row's class.
    ``weight[c]`` scales class c's rows; rows with target ``ignore_index`` do not count."""
    if (weight is None and size_average is None and reduce is None and reduction in REDUCTIONS
            and _plain_targets(input, target, ignore_index)):
        return apply(NllLoss, input, target, reduction)   # the usual call: nothing to check, weigh or skip
    r = legacy_reduction(size_average, reduce, reduction)
    n_classes = input.array.shape[1] if input.array.ndim == 2 else 0
    _check_weight(weight, n_classes, "nll_loss")
    t, any_ignored = _check_targets(target, n_classes, ignore_index)
    if weight is None and not any_ignored:
        return apply(NllLoss, input, target, r)      # the usual case: one node, torch's grad_fn name
    return _torch_named(_masked_nll(input, target, weight, ignore_index, r), "NllLossBackward0")


def cross_entropy(input: Tensor, target: Tensor, weight: Any = None, size_average: Any = None,  # noqa: A002
                  ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """log_softmax over the classes, then the negative log-likelihood of the right class.

    A float target of the input's shape holds class probabilities: L = -sum_c w_c t_c log p_c.
    ``label_smoothing`` e mixes the target with the uniform distribution: (1 - e) t + e / C.
    """
    if (weight is None and label_smoothing == 0.0 and size_average is None and reduce is None
            and reduction in REDUCTIONS and _plain_targets(input, target, ignore_index)):
        # the usual call (class indices, nothing to weigh, skip or smooth): torch's two nodes, nothing else
        return apply(NllLoss, apply(LogSoftmax, input, 1), target, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    r = legacy_reduction(size_average, reduce, reduction)
    n_classes = input.array.shape[1] if input.array.ndim == 2 else 0
    logp = log_softmax(input, 1)
    if target.is_floating_point() and tuple(target.shape) == tuple(input.shape):
        if ignore_index >= 0:
            raise RuntimeError("cross_entropy: ignore_index is not supported for floating point target "
                               "(class probabilities); use class indices (a long tensor) to ignore some rows")
        _check_weight(weight, n_classes, "cross_entropy")
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        weighted = target * logp if weight is None else target * logp * weight
        per_row = -weighted.sum(1)
        return per_row.mean() if r == "mean" else per_row.sum() if r == "sum" else per_row
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=r)
    if label_smoothing == 0:
        return nll
    # the smoothing term: -sum_c w_c logp[i, c] per kept row, reduced the way the nll term is
    keep = from_numpy((target.array != ignore_index).astype(logp.array.dtype))
    smooth = -(logp if weight is None else logp * weight).sum(1) * keep
    if r == "mean":
        t = target.array
        kept_weight = keep.array.sum() if weight is None else weight.array[t[t != ignore_index]].sum()
        smooth = smooth.sum() / float(kept_weight)
    elif r == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


def __getattr__(name: str) -> Any:
    """A torch.nn.functional name bpcourse does not have (conv2d, max_pool2d, ...): say so."""
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"bpcourse does not implement torch.nn.functional.{name}: build it from "
                         f"bpcourse's tensor ops, or run this part with real torch")
