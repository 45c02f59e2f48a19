"""Optimisers with torch's ``zero_grad()``/``step()``: ``SGD`` (with momentum), ``Adam``, ``AdamW``,
``Adagrad``, ``RMSprop``, ``Adamax`` and ``Rprop`` (Liu Er's lecture 5 homework tries them all), and
the learning-rate schedules of ``torch.optim.lr_scheduler``."""
from typing import Any

from bpcourse.optim.optimizer import SGD, Adagrad, Adam, Adamax, AdamW, Optimizer, RMSprop, Rprop
from bpcourse.optim import lr_scheduler

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "Adamax", "Rprop", "lr_scheduler"]


def __getattr__(name: str) -> Any:
    """An optimiser bpcourse does not have (LBFGS, ASGD, ...): say so and what to use instead."""
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"bpcourse does not implement torch.optim.{name}: use one of {', '.join(__all__[1:-1])}, "
                         f"or run this part with real torch")
