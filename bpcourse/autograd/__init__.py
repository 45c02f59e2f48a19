"""torch.autograd's names: ``Function`` for ops you write, ``backward`` and ``grad``.

``grad(outputs, inputs)`` returns d outputs / d inputs instead of adding them into ``.grad``;
with ``create_graph=True`` the result has a graph of its own, so it can be differentiated
again (second derivatives; ``functional.hessian`` is built on it). The backward pass itself
is in ``bpcourse/engine.py``.

    >>> x = tensor(3.0, requires_grad=True)
    >>> (dy,) = grad(x ** 3, x, create_graph=True)      # 3 x^2 = 27
    >>> (d2y,) = grad(dy, x)                            # 6 x = 18
"""
from bpcourse.autograd import functional
from bpcourse.autograd.checks import GradcheckError, gradcheck, gradgradcheck
from bpcourse.autograd.function import Function
from bpcourse.autograd.gradients import Variable, backward, grad

__all__ = ["Function", "GradcheckError", "Variable", "backward", "grad", "functional", "gradcheck", "gradgradcheck"]


def __getattr__(name: str):  # noqa: ANN201
    """A torch.autograd name bpcourse does not have (forward_ad, profiler, graph, ...): say so."""
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"not implemented in bpcourse: torch.autograd.{name}; bpcourse.autograd has "
                         f"{', '.join(__all__)}; run this part with real torch")
