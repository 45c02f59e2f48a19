"""Checks for solutions/03_matrix_calculus_backprop.ipynb (layer backward, MLP backward in numpy).

References are computed here from the drawn inputs with numpy (and central differences where a
formula could hide a mistake); from the kernel only plain numbers come back.
"""
from __future__ import annotations

import numpy as np

from bpcourse.grader.api import Check
from bpcourse.grader.expect import array_close as _array_close, close as _close, number as _number, one_per_case


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _numerical_grad(f, A: np.ndarray, h: float = 1e-6) -> np.ndarray:
    A = np.array(A, dtype=float)
    grad = np.zeros_like(A)
    for i in np.ndindex(A.shape):
        old = A[i]
        A[i] = old + h
        up = f(A)
        A[i] = old - h
        down = f(A)
        A[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


def _numerical_grads(L, *args: np.ndarray) -> list[np.ndarray]:
    """[dL/dargs[0], dL/dargs[1], ...] by central differences, the other arguments held fixed."""
    return [_numerical_grad(lambda A, i=i: L(*args[:i], A, *args[i + 1:]), arg) for i, arg in enumerate(args)]


def _shapes(rng) -> tuple[int, int, int]:
    n, d, k = (int(v) for v in rng.integers(2, 6, 3))
    while d == k:  # a square W would hide a transposed gradient
        k = int(rng.integers(2, 6))
    return n, d, k


def _tuple3(name: str, result) -> list:
    if not isinstance(result, (list, tuple)) or len(result) != 3:
        raise AssertionError(f"{name} should return a tuple of three arrays")
    return list(result)


# ---------------------------------------------------------------- q2: linear layer, one vector
def _q2_inputs(rng):
    _, d, k = _shapes(rng)
    return {"W": rng.normal(size=(k, d)).tolist(), "b": rng.normal(size=k).tolist(),
            "x": rng.normal(size=d).tolist(), "g": rng.normal(size=k).tolist()}


_Q2_PROBE = """
import numpy as _np
RESULT = [_np.asarray(_v, dtype=float).tolist()
          for _v in linear_backward(_np.array(INPUTS["W"]), _np.array(INPUTS["x"]), _np.array(INPUTS["g"]))]
"""


def _q2_verify(inputs, result):
    dW, db, dx = _tuple3("linear_backward", result)
    W, b, x, g = (np.array(inputs[k]) for k in ("W", "b", "x", "g"))
    L = lambda W_, b_, x_: float(g @ (W_ @ x_ + b_))  # noqa: E731  (a loss whose dL/dy is g)
    for name, got, want in zip(("dW", "db", "dx"), (dW, db, dx), _numerical_grads(L, W, b, x)):
        _array_close(name, got, want, rtol=1e-5, atol=1e-7)


# ---------------------------------------------------------------- q4: linear layer, a batch
def _q4_inputs(rng):
    n, d, k = _shapes(rng)
    return {"W": rng.normal(size=(k, d)).tolist(), "b": rng.normal(size=k).tolist(),
            "X": rng.normal(size=(n, d)).tolist(), "G": rng.normal(size=(n, k)).tolist()}


_Q4_PROBE = """
import numpy as _np
RESULT = [_np.asarray(_v, dtype=float).tolist()
          for _v in linear_backward_batch(_np.array(INPUTS["W"]), _np.array(INPUTS["X"]), _np.array(INPUTS["G"]))]
"""


def _q4_verify(inputs, result):
    dW, dB, dX = _tuple3("linear_backward_batch", result)
    W, b, X, G = (np.array(inputs[k]) for k in ("W", "b", "X", "G"))
    L = lambda W_, b_, X_: float(np.sum(G * (X_ @ W_.T + b_)))  # noqa: E731
    try:
        db_shape = np.asarray(dB, dtype=float).shape
    except (TypeError, ValueError):
        db_shape = None
    if db_shape == G.shape:
        raise AssertionError(f"dB has shape {G.shape}: sum the bias gradient over the batch, expected {b.shape}")
    for name, got, want in zip(("dW", "dB", "dX"), (dW, dB, dX), _numerical_grads(L, W, b, X)):
        _array_close(name, got, want, rtol=1e-5, atol=1e-7)


# ---------------------------------------------------------------- q3: ||W x - t||^2, fixed data
W3 = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
X3 = np.array([2.0, 1.0, -1.0])
T3 = np.array([1.0, 0.5])

_Q3_PROBE = """
import numpy as _np
RESULT = {"W": _np.asarray(dL_dW3, dtype=float).tolist(), "x": _np.asarray(dL_dx3, dtype=float).tolist()}
"""


def _q3_verify(inputs, result):
    if not isinstance(result, dict) or set(result) != {"W", "x"}:
        raise AssertionError("could not read dL_dW3 and dL_dx3")
    L = lambda W_, x_: float(np.sum((W_ @ x_ - T3) ** 2))  # noqa: E731
    want_W, want_x = _numerical_grads(L, W3, X3)
    _array_close("dL_dW3", result["W"], want_W, rtol=1e-5, atol=1e-6)
    _array_close("dL_dx3", result["x"], want_x, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- q6: two-layer sigmoid MLP
def _q6_inputs(rng):
    n, d, k = _shapes(rng)
    h = int(rng.integers(2, 6))
    return {"W1": rng.normal(size=(h, d)).tolist(), "b1": rng.normal(size=h).tolist(),
            "W2": rng.normal(size=(k, h)).tolist(), "b2": rng.normal(size=k).tolist(),
            "X": rng.normal(size=(n, d)).tolist(), "Y": rng.normal(size=(n, k)).tolist()}


_Q6_PROBE = """
import numpy as _np
_out = mlp_backward(*(_np.array(INPUTS[k]) for k in ("W1", "b1", "W2", "b2", "X", "Y")))
RESULT = {"loss": float(_out["loss"])}
RESULT.update({k: _np.asarray(_out[k], dtype=float).tolist() for k in ("W1", "b1", "W2", "b2")})
"""

_PARAMS = ("W1", "b1", "W2", "b2")


def _mlp_loss(p: dict) -> float:
    H = _sigmoid(p["X"] @ p["W1"].T + p["b1"])
    return float(np.sum((H @ p["W2"].T + p["b2"] - p["Y"]) ** 2) / len(p["X"]))


def _q6_verify(inputs, result):
    if not isinstance(result, dict) or set(result) != {"loss", *_PARAMS}:
        raise AssertionError("mlp_backward should return a dict with keys loss, W1, b1, W2, b2")
    p = {k: np.array(v) for k, v in inputs.items()}
    loss = _mlp_loss(p)
    got_loss = _number("loss", result["loss"])
    if abs(got_loss - loss * len(p["X"])) < 1e-9 * max(1.0, loss) and len(p["X"]) > 1:
        raise AssertionError("loss is the sum over the batch; the task asks for the mean (divide by N)")
    _close("loss", got_loss, loss)
    for name in _PARAMS:
        want = _numerical_grad(lambda A, name=name: _mlp_loss({**p, name: A}), p[name])
        _array_close(f"dL/d{name}", result[name], want, rtol=1e-5, atol=1e-7)


# ---------------------------------------------------------------- q1: d(a^T X b)/dX
def _q1_inputs(rng):
    m, n = (int(v) for v in rng.integers(2, 6, 2))
    while m == n:
        n = int(rng.integers(2, 6))
    return {"a": rng.normal(size=m).tolist(), "X": rng.normal(size=(m, n)).tolist(), "b": rng.normal(size=n).tolist()}


_Q1_PROBE = """
import numpy as _np
RESULT = _np.asarray(bilinear_grad(_np.array(INPUTS["a"]), _np.array(INPUTS["X"]), _np.array(INPUTS["b"])),
                     dtype=float).tolist()
"""


def _q1_verify(inputs, result):
    a, X, b = (np.array(inputs[k]) for k in ("a", "X", "b"))
    _array_close("bilinear_grad", result, _numerical_grad(lambda X_: float(a @ X_ @ b), X), rtol=1e-5, atol=1e-7)


# ---------------------------------------------------------------- q5: softmax + cross-entropy
def _q5_inputs(rng):
    cases = []
    for scale in (1.0, 3.0, 1000.0):
        n, c = int(rng.integers(1, 6)), int(rng.integers(2, 6))
        cases.append({"Z": (scale * rng.normal(size=(n, c))).tolist(), "y": rng.integers(0, c, n).tolist()})
    return {"cases": cases}


_Q5_PROBE = """
import numpy as _np
RESULT = []
for _c in INPUTS["cases"]:
    _loss, _dZ = softmax_ce(_np.array(_c["Z"]), _np.array(_c["y"]))
    RESULT.append({"loss": float(_loss), "dZ": _np.asarray(_dZ, dtype=float).tolist()})
"""


def _ce_loss(Z: np.ndarray, y: np.ndarray) -> float:
    """The mean cross-entropy, stable: log-sum-exp with the row maximum taken out."""
    m = Z.max(axis=1)
    return float(np.mean(m + np.log(np.exp(Z - m[:, None]).sum(axis=1)) - Z[np.arange(len(y)), y]))


def _q5_verify(inputs, result):
    one_per_case(result, inputs["cases"], "softmax_ce did not return one (loss, dZ) per call")
    for c, got in zip(inputs["cases"], result):
        if not isinstance(got, dict) or not {"loss", "dZ"} <= set(got):
            raise AssertionError("could not read softmax_ce's (loss, dZ)")
        Z, y = np.array(c["Z"]), np.array(c["y"])
        scale = "large" if np.abs(Z).max() > 100 else "moderate"
        _close(f"the loss for {Z.shape[0]} samples, {Z.shape[1]} classes, {scale} scores", got["loss"], _ce_loss(Z, y),
               rtol=1e-9, atol=1e-9)
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        want = (P - np.eye(Z.shape[1])[y]) / Z.shape[0]  # (softmax - onehot) / N
        got_arr = np.asarray(got["dZ"], dtype=float) if isinstance(got["dZ"], list) else None
        if got_arr is not None and got_arr.shape == Z.shape and Z.shape[0] > 1 and \
                np.allclose(got_arr, want * Z.shape[0], atol=1e-5):
            raise AssertionError("dZ is N times too large: the loss is the MEAN over the batch, so divide by N")
        _array_close(f"dZ for {Z.shape[0]} samples, {scale} scores", got["dZ"], want, rtol=1e-4, atol=1e-6)


CHECKS = [
    Check(grade_id="q2_linear_vector", inputs=_q2_inputs, probe=_Q2_PROBE, verify=_q2_verify),
    Check(grade_id="q4_linear_batch", inputs=_q4_inputs, probe=_Q4_PROBE, verify=_q4_verify),
    Check(grade_id="q3_squared_norm", inputs=lambda rng: {}, probe=_Q3_PROBE, verify=_q3_verify),
    Check(grade_id="q6_mlp", inputs=_q6_inputs, probe=_Q6_PROBE, verify=_q6_verify),
    Check(grade_id="q1_bilinear", inputs=_q1_inputs, probe=_Q1_PROBE, verify=_q1_verify),
    Check(grade_id="q5_softmax_ce", inputs=_q5_inputs, probe=_Q5_PROBE, verify=_q5_verify),
]
