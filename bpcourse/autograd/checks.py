"""torch.autograd.gradcheck and gradgradcheck: backward checked against finite differences.

    numerical J[i, j] = (f(x + eps e_j)_i - f(x - eps e_j)_i) / (2 eps)
    analytical J      = the rows autograd gives (``functional.jacobian``)
    passed            = allclose(analytical, numerical, rtol, atol) for every output and input

gradgradcheck runs the same check on the function x -> d(f(x) . v)/dx, built with
create_graph=True, so it checks the backward of the backward. torch's answer is True or a
``GradcheckError`` naming the output and input. (``bpcourse.gradcheck`` is the course's
own, which reports a relative error per input instead.)
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from bpcourse.autograd.functional import jacobian
from bpcourse.autograd.gradients import grad
from bpcourse.tensor import Tensor, _wrap


class GradcheckError(RuntimeError):
    """Autograd's derivative and the finite differences disagree."""


def _outputs(func: Callable, inputs: tuple) -> tuple:
    out = func(*inputs)
    return out if isinstance(out, tuple) else (out,)


def _numerical(func: Callable, inputs: tuple, i: int, eps: float) -> list:
    """Central differences: one column per element of inputs[i], nudged in place and restored."""
    x = inputs[i].array.reshape(-1)  # a view: nudging it nudges the input
    columns = []
    for j in range(x.size):  # (with grad mode on: gradgradcheck's function calls grad itself)
        old = x[j]
        x[j] = old + eps
        plus = [o.array.astype(np.float64).reshape(-1) for o in _outputs(func, inputs)]
        x[j] = old - eps
        minus = [o.array.astype(np.float64).reshape(-1) for o in _outputs(func, inputs)]
        x[j] = old
        columns.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    n_out = len(columns[0]) if columns else 0
    return [np.stack([c[k] for c in columns], axis=1) if columns else None for k in range(n_out)]


def gradcheck(func: Callable, inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, **options: Any) -> bool:
    """True if autograd's Jacobian of ``func`` at ``inputs`` matches finite differences (else a
    GradcheckError, or False with ``raise_exception=False``)."""
    unsupported = {k: v for k, v in options.items() if v not in (False, None, 0.0, True)}
    if unsupported:
        raise NotImplementedError(f"not implemented in bpcourse: gradcheck({', '.join(unsupported)}=...); "
                                  f"leave them out for the plain backward check")
    inputs = inputs if isinstance(inputs, tuple) else tuple(inputs) if isinstance(inputs, list) else (inputs,)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    for i in checked:
        if inputs[i].array.dtype != np.float64:
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point or complex. "
                          "This check will likely fail if all the inputs are not of double precision floating "
                          "point or complex. ", UserWarning, stacklevel=2)
    if not checked:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the them "
                         "have requires_grad=True.")

    def of_checked(*xs: Tensor) -> Any:  # func with only the inputs that require grad varying
        args = list(inputs)
        for i, x in zip(checked, xs):
            args[i] = x
        return func(*args)

    analytical = jacobian(of_checked, tuple(inputs[i] for i in checked))  # [output][input] blocks
    outputs = _outputs(func, inputs)
    if not isinstance(analytical[0], tuple):  # one output: jacobian gave its blocks directly
        analytical = (analytical,)
    for k_in, i in enumerate(checked):
        numerical = _numerical(func, inputs, i, eps)
        for k, out in enumerate(outputs):
            a = analytical[k][k_in].array.reshape(out.array.size, -1)
            n = numerical[k]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                raise GradcheckError(f"Jacobian mismatch for output {k} with respect to input {i},\n"
                                     f"numerical:{_wrap(n.astype(a.dtype))!r}\nanalytical:{_wrap(a)!r}\n")
    return True


def gradgradcheck(func: Callable, inputs: Any, grad_outputs: Any = None, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True, **options: Any) -> bool:
    """gradcheck of the backward itself: of x, v -> d(f(x) . v)/dx (v random when not given)."""
    inputs = inputs if isinstance(inputs, tuple) else tuple(inputs) if isinstance(inputs, list) else (inputs,)
    outputs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(_wrap(rng.standard_normal(o.array.shape).astype(o.array.dtype)).requires_grad_(True)
                             for o in outputs)
    grad_outputs = grad_outputs if isinstance(grad_outputs, tuple) else (grad_outputs,)
    n = len(inputs)
    wrt = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]

    def first_derivative(*args: Tensor) -> tuple:
        outs = _outputs(func, args[:n])
        return grad(outs, [x for x in args[:n] if isinstance(x, Tensor) and x.requires_grad],
                    grad_outputs=list(args[n:]), create_graph=True, allow_unused=True)

    if not wrt:
        raise ValueError("gradgradcheck expects at least one input tensor to require gradient")
    return gradcheck(first_derivative, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, **options)
