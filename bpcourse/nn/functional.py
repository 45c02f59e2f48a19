"""torch.nn.functional's names: activations, softmax, losses and linear, as functions."""
from __future__ import annotations

import warnings
from typing import Any

from bpcourse.ops.linalg import Linear
from bpcourse.ops.loss import REDUCTIONS, BinaryCrossEntropy, MseLoss, NllLoss
from bpcourse.ops.softmax import LogSoftmax, Softmax
from bpcourse.ops.elementwise import LeakyRelu
from bpcourse.creation import from_numpy
from bpcourse.random import _rng
from bpcourse.tensor import Tensor, _torch_named, apply

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


def relu(x: Tensor, inplace: bool = False) -> Tensor:
    return x.relu()


def leaky_relu(x: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """y = x for x > 0, negative_slope * x otherwise"""
    return apply(LeakyRelu, x, negative_slope)


def dropout(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p) (bpcourse's random
    numbers, not torch's: the same program drops different elements)."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0
    keep = (_rng().random(x.shape) >= p).astype(x.array.dtype) / (1 - p)
    return x * from_numpy(keep.astype(x.array.dtype))


def one_hot(target: Tensor, num_classes: int = -1) -> Tensor:
    if target.array.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor (an integer tensor of class numbers)")
    n = int(target.array.max()) + 1 if num_classes < 0 else num_classes
    return from_numpy(np.eye(n, dtype=np.int64)[target.array])


def sigmoid(x: Tensor) -> Tensor:
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    return x.tanh()


def softmax(x: Tensor, dim: int | None = None) -> Tensor:
    return apply(Softmax, x, -1 if dim is None else dim)


def log_softmax(x: Tensor, dim: int | None = None) -> Tensor:
    return apply(LogSoftmax, x, -1 if dim is None else dim)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x @ weight.T + bias"""
    return apply(Linear, x, weight, bias)


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
             reduction: str = "mean") -> Tensor:
    return apply(MseLoss, input, target, legacy_reduction(size_average, reduce, reduction))


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Any = None, size_average: Any = None,  # noqa: A002
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    if weight is not None:
        raise NotImplementedError("binary_cross_entropy: weight= is not supported by bpcourse")
    return apply(BinaryCrossEntropy, input, target, legacy_reduction(size_average, reduce, reduction))


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
            reduction: str = "mean") -> Tensor:
    """mean (or sum) of |input - target|"""
    r = legacy_reduction(size_average, reduce, reduction)
    d = (input - target).abs()
    return d.mean() if r == "mean" else d.sum() if r == "sum" else d


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Any = None,  # noqa: A002
                                     size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                                     pos_weight: Any = None) -> Tensor:
    """BCE of sigmoid(input), computed stably: (1 - t) x + log(1 + exp(-x)) with the max trick."""
    if weight is not None or pos_weight is not None:
        raise NotImplementedError("binary_cross_entropy_with_logits: weight= / pos_weight= are not supported "
                                  "by bpcourse")
    r = legacy_reduction(size_average, reduce, reduction)
    m = (-input).clamp(min=0)
    loss = (1 - target) * input + m + ((-m).exp() + (-input - m).exp()).log()
    return _torch_named(loss.mean() if r == "mean" else loss.sum() if r == "sum" else loss,
                        "BinaryCrossEntropyWithLogitsBackward0")


def nll_loss(input: Tensor, target: Tensor, weight: Any = None, size_average: Any = None,  # noqa: A002
             reduce: Any = None, reduction: str = "mean") -> Tensor:
    if weight is not None:
        raise NotImplementedError("nll_loss: weight= is not supported by bpcourse")
    return apply(NllLoss, input, target, legacy_reduction(size_average, reduce, reduction))


def cross_entropy(input: Tensor, target: Tensor, weight: Any = None, size_average: Any = None,  # noqa: A002
                  reduce: Any = None, reduction: str = "mean") -> Tensor:
    """log_softmax over the classes, then the negative log-likelihood of the right class.
    A float target of the input's shape holds class probabilities: L = -sum_c t_c log p_c."""
    if target.is_floating_point() and tuple(target.shape) == tuple(input.shape):
        if weight is not None:
            raise NotImplementedError("cross_entropy: weight= is not supported by bpcourse")
        r = legacy_reduction(size_average, reduce, reduction)
        per_row = -(target * log_softmax(input, 1)).sum(1)
        return per_row.mean() if r == "mean" else per_row.sum() if r == "sum" else per_row
    return nll_loss(log_softmax(input, 1), target, weight, size_average, reduce, reduction)


def __getattr__(name: str) -> Any:
    """A torch.nn.functional name bpcourse does not have (conv2d, max_pool2d, ...): say so."""
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"bpcourse does not implement torch.nn.functional.{name}: build it from "
                         f"bpcourse's tensor ops, or run this part with real torch")
