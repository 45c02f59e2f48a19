"""torch.nn.functional's names: activations, softmax, losses and linear, as functions."""
from __future__ import annotations

import warnings
from typing import Any

from bpcourse.ops.linalg import Linear
from bpcourse.ops.loss import REDUCTIONS, BinaryCrossEntropy, MseLoss, NllLoss
from bpcourse.ops.softmax import LogSoftmax, Softmax
from bpcourse.tensor import Tensor


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


def sigmoid(x: Tensor) -> Tensor:
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    return x.tanh()


def softmax(x: Tensor, dim: int | None = None) -> Tensor:
    return Softmax.apply(x, -1 if dim is None else dim)


def log_softmax(x: Tensor, dim: int | None = None) -> Tensor:
    return LogSoftmax.apply(x, -1 if dim is None else dim)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x @ weight.T + bias"""
    return Linear.apply(x, weight, bias)


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,  # noqa: A002
             reduction: str = "mean") -> Tensor:
    return MseLoss.apply(input, target, legacy_reduction(size_average, reduce, reduction))


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Any = None, size_average: Any = None,  # noqa: A002
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    if weight is not None:
        raise NotImplementedError("binary_cross_entropy: weight= is not supported by bpcourse")
    return BinaryCrossEntropy.apply(input, target, legacy_reduction(size_average, reduce, reduction))


def nll_loss(input: Tensor, target: Tensor, weight: Any = None, size_average: Any = None,  # noqa: A002
             reduce: Any = None, reduction: str = "mean") -> Tensor:
    if weight is not None:
        raise NotImplementedError("nll_loss: weight= is not supported by bpcourse")
    return NllLoss.apply(input, target, legacy_reduction(size_average, reduce, reduction))


def cross_entropy(input: Tensor, target: Tensor, weight: Any = None, size_average: Any = None,  # noqa: A002
                  reduce: Any = None, reduction: str = "mean") -> Tensor:
    """log_softmax over the classes, then the negative log-likelihood of the right class."""
    return nll_loss(log_softmax(input, 1), target, weight, size_average, reduce, reduction)
