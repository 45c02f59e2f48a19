"""Optimisers with torch's ``zero_grad()``/``step()``: ``SGD`` (with momentum), ``Adam``,
``Adagrad``, ``RMSprop``, ``Adamax`` and ``Rprop`` (Liu Er's lecture 5 homework tries them all)."""
from typing import Any

from bpcourse.optim.optimizer import SGD, Adagrad, Adam, Adamax, Optimizer, RMSprop, Rprop

__all__ = ["Optimizer", "SGD", "Adam", "Adagrad", "RMSprop", "Adamax", "Rprop"]


def __getattr__(name: str) -> Any:
    """An optimiser bpcourse does not have (LBFGS, ASGD, ...): say so and what to use instead."""
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"bpcourse does not implement torch.optim.{name}: use one of {', '.join(__all__[1:])}, "
                         f"or run this part with real torch")
