"""Optimisers: ``SGD`` (with momentum) and ``Adam``, with torch's ``zero_grad()``/``step()``."""
from bpcourse.optim.optimizer import SGD, Adam, Optimizer

__all__ = ["Optimizer", "SGD", "Adam"]
