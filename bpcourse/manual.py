"""Back-propagation by hand: the numpy formulas notebooks 01-03 derive and then check.

Nothing here builds a graph or records operations: every gradient below is a formula
written out from the chain rule, so a notebook can derive it in LaTeX, import it, and
compare it with finite differences (``numerical_grad``). Conventions follow PyTorch:
a linear layer has ``W`` of shape ``(d_out, d_in)`` and a batch ``X`` of shape
``(n, d_in)``, one example per row, so ``Y = X @ W.T + b``.

    >>> from bpcourse.manual import mse, mse_grad, numerical_grad
    >>> round(mse_grad(1.0, [1, 2, 3], [2, 4, 6]), 6), round(numerical_grad(lambda w: mse(w, [1, 2, 3], [2, 4, 6]), 1.0), 6)
    (-9.333333, -9.333333)
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "sample_loss", "sample_grad", "mse", "mse_grad", "numerical_grad", "relative_error",
    "linear_forward", "linear_backward", "sigmoid", "sigmoid_grad",
    "init_mlp", "mlp_forward", "mlp_backward", "text_table",
]


# ----- the seed's linear model  y_hat = w * x -----------------------------------------

def sample_loss(w: float, x: float, y: float) -> float:
    """Loss of one example, as in the seed lecture: ``l(w) = (x w - y)^2``."""
    return float((x * w - y) ** 2)


def sample_grad(w: float, x: float, y: float) -> float:
    """``dl/dw = 2 x (x w - y)`` (chain rule: outer ``u^2`` gives ``2u``, inner ``x w - y`` gives ``x``)."""
    return float(2.0 * x * (x * w - y))


def mse(w: float, x: ArrayLike, y: ArrayLike) -> float:
    """Mean squared error of ``y_hat = w x``: ``L(w) = (1/N) sum_i (x_i w - y_i)^2``."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return float(np.mean((x * w - y) ** 2))


def mse_grad(w: float, x: ArrayLike, y: ArrayLike) -> float:
    """``dL/dw = (1/N) sum_i 2 x_i (x_i w - y_i)``, the mean of the per-example gradients."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return float(np.mean(2.0 * x * (x * w - y)))


# ----- checking a derivative without deriving it --------------------------------------

def numerical_grad(f: Callable[..., float], x: ArrayLike, eps: float = 1e-6):
    """Central differences: ``df/dx_k ~ (f(x + eps e_k) - f(x - eps e_k)) / (2 eps)``.

    ``f`` maps an array (or a float) to a number; the result has ``x``'s shape (a float for
    a scalar ``x``). The error is O(eps^2) plus rounding of order ``|f| * 1e-16 / eps``, so
    eps = 1e-6 gives about 8-10 correct digits in float64. ``x`` itself is not modified.
    """
    x = np.array(x, dtype=np.float64)  # a copy: we nudge its entries one by one
    grad = np.zeros_like(x)
    flat, out = x.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        saved = flat[k]
        flat[k] = saved + eps
        f_plus = float(f(x if x.ndim else float(x)))
        flat[k] = saved - eps
        f_minus = float(f(x if x.ndim else float(x)))
        flat[k] = saved
        out[k] = (f_plus - f_minus) / (2.0 * eps)
    return float(grad) if grad.ndim == 0 else grad


def relative_error(a: ArrayLike, b: ArrayLike) -> float:
    """``max |a - b| / max(max |a|, max |b|)`` (0.0 when both are zero): the size of the
    disagreement measured against the size of the numbers. Below ~1e-7 means "the same"
    for a float64 finite-difference check."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    diff = float(np.max(np.abs(a - b), initial=0.0))
    return 0.0 if scale == 0.0 else diff / scale


# ----- a linear layer  Y = X W^T + b ---------------------------------------------------

def linear_forward(W: np.ndarray, b: np.ndarray, X: np.ndarray) -> np.ndarray:
    """``Y = X W^T + b``: ``X`` (n, d_in) or a single vector (d_in,), ``W`` (d_out, d_in),
    ``b`` (d_out,). For one vector this is ``y = W x + b``."""
    return X @ W.T + b


def linear_backward(grad_Y: np.ndarray, W: np.ndarray, X: np.ndarray):
    """Given ``G = dL/dY`` (same shape as ``Y``), return ``(dL/dX, dL/dW, dL/db)``:

    ``dL/dX = G W`` (n, d_in), ``dL/dW = G^T X`` (d_out, d_in), ``dL/db = sum_rows G`` (d_out,).
    For one vector ``x``: ``dL/dx = W^T g``, ``dL/dW = g x^T`` (an outer product), ``dL/db = g``.
    """
    if X.ndim == 1:
        return W.T @ grad_Y, np.outer(grad_Y, X), grad_Y.copy()
    return grad_Y @ W, grad_Y.T @ X, grad_Y.sum(axis=0)


# ----- the sigmoid --------------------------------------------------------------------

def sigmoid(z: ArrayLike):
    """``s(z) = 1 / (1 + e^{-z})``, computed without overflow for large ``|z|``
    (for z < 0 it uses the equal form ``e^z / (1 + e^z)``)."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # never overflows
    out = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return float(out) if out.ndim == 0 else out


def sigmoid_grad(z: ArrayLike):
    """``s'(z) = s(z) (1 - s(z))``: the derivative needs only the output ``s``."""
    s = sigmoid(z)
    return s * (1.0 - s)


# ----- a two-layer MLP  x -> W1 x + b1 -> sigmoid -> W2 h + b2, mean squared error ------

def init_mlp(d_in: int, d_hidden: int, d_out: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Parameters ``W1 (d_hidden, d_in), b1 (d_hidden,), W2 (d_out, d_hidden), b2 (d_out,)``,
    drawn from ``numpy.random.default_rng(seed)`` with scale ``1/sqrt(fan_in)``."""
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(size=(d_hidden, d_in)) / np.sqrt(d_in), "b1": np.zeros(d_hidden),
            "W2": rng.normal(size=(d_out, d_hidden)) / np.sqrt(d_hidden), "b2": np.zeros(d_out)}


def mlp_forward(params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray):
    """Forward pass, keeping what the backward pass needs (the *cache*)::

        Z1 = X W1^T + b1      (n, h)
        H  = s(Z1)            (n, h)
        Yh = H W2^T + b2      (n, o)
        L  = mean((Yh - Y)^2) over all n*o entries

    Returns ``(L, cache)``.
    """
    Z1 = linear_forward(params["W1"], params["b1"], X)
    H = sigmoid(Z1)
    Yh = linear_forward(params["W2"], params["b2"], H)
    L = float(np.mean((Yh - Y) ** 2))
    return L, {"X": X, "Y": Y, "H": H, "Yh": Yh}


def mlp_backward(params: dict[str, np.ndarray], cache: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Backward pass, the chain rule applied from the loss down::

        dYh = 2 (Yh - Y) / (n o)
        dW2 = dYh^T H,   db2 = sum_rows dYh,   dH = dYh W2
        dZ1 = dH * H (1 - H)                        (sigmoid' from its output)
        dW1 = dZ1^T X,   db1 = sum_rows dZ1

    Returns the gradients under the parameters' names (same shapes).
    """
    X, Y, H, Yh = cache["X"], cache["Y"], cache["H"], cache["Yh"]
    dYh = 2.0 * (Yh - Y) / Yh.size
    dH, dW2, db2 = linear_backward(dYh, params["W2"], H)
    dZ1 = dH * H * (1.0 - H)
    _, dW1, db1 = linear_backward(dZ1, params["W1"], X)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


# ----- printing the hand-computed tables ------------------------------------------------

def text_table(header: list[str], rows: list[list], digits: int = 4) -> str:
    """An aligned plain-text table (the notebooks print their forward/backward tables with it).

    Numbers are shown with ``digits`` decimals and right-aligned; text is left-aligned.

        >>> print(text_table(["node", "value"], [["w", 1.0], ["loss", 0.25]]))
        node   value
        ----  ------
        w     1.0000
        loss  0.2500
    """
    def cell(v) -> str:
        if isinstance(v, (float, np.floating)):
            return f"{float(v):.{digits}f}"
        return str(v)

    texts = [[cell(v) for v in row] for row in rows]
    numeric = [all(isinstance(row[j], (int, float, np.number)) and not isinstance(row[j], bool)
                   for row in rows) for j in range(len(header))]
    widths = [max([len(h)] + [len(t[j]) for t in texts]) for j, h in enumerate(header)]

    def line(items: list[str]) -> str:
        return "  ".join(t.rjust(w) if num else t.ljust(w)
                         for t, w, num in zip(items, widths, numeric)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(t) for t in texts])
