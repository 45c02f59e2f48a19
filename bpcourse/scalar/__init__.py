"""bpcourse.scalar: autograd on single numbers, micrograd-compatible.

    >>> from bpcourse.scalar import Value
    >>> x = Value(2.0, label="x"); y = x * x + 1; y.backward(); x.grad
    4.0

``engine`` holds ``Value`` and backward; ``graph`` the step-by-step backward for pictures;
``collector`` why the library pauses Python's cycle collector; ``nn`` micrograd-style
``Neuron``, ``Layer``, ``MLP``.
"""
from .collector import collector_paused
from .engine import Value, topological_order, zero_grad
from .graph import BackwardStep, backward_steps

__all__ = ["Value", "topological_order", "zero_grad", "collector_paused", "BackwardStep", "backward_steps"]
