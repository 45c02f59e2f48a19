"""Grad mode: the one global switch of the tensor engine.

Inside ``with no_grad():`` operations record no graph, so ``w -= lr * w.grad`` updates a
weight without the update becoming part of the next backward pass (as in torch).
"""
from __future__ import annotations

import functools
from typing import Any, Callable


class _GradMode:
    """Holds the switch. Read as ``_grad_mode.enabled`` on every operation."""

    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


_grad_mode = _GradMode()


def is_grad_enabled() -> bool:
    return _grad_mode.enabled


class set_grad_enabled:
    """``set_grad_enabled(False)`` switches recording off; usable as a context manager too."""

    def __init__(self, mode: bool) -> None:
        self.prev = _grad_mode.enabled
        _grad_mode.enabled = bool(mode)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        _grad_mode.enabled = self.prev


class no_grad:
    """Context manager (and decorator) that turns graph recording off.

    >>> with no_grad():
    ...     w -= 0.01 * w.grad      # an update, not part of the graph
    """

    def __enter__(self) -> None:
        self.prev = _grad_mode.enabled
        _grad_mode.enabled = False

    def __exit__(self, *exc: Any) -> None:
        _grad_mode.enabled = self.prev

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():      # this class's switch: enable_grad inherits this method
                return fn(*args, **kwargs)

        return wrapper


class enable_grad(no_grad):
    """The opposite of ``no_grad``: record a graph even inside a ``no_grad`` block."""

    def __enter__(self) -> None:
        self.prev = _grad_mode.enabled
        _grad_mode.enabled = True
