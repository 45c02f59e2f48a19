"""Checks for solutions/01_linear_model_gradient_descent.ipynb (the linear model y_hat = w x).

Each check draws fresh data (``inputs``), calls the learner's function in the kernel (``probe``,
which assigns plain data to ``RESULT``) and recomputes the answer here with numpy (``verify``).
Nothing from the kernel is trusted except the plain numbers it returns.
"""
from __future__ import annotations

import math

import numpy as np

from bpcourse.grader.api import Check
from bpcourse.grader.expect import close as _close, number as _number, one_per_case

SEED_X = np.array([1.0, 2.0, 3.0])
SEED_Y = np.array([2.0, 4.0, 6.0])
X6 = np.array([0.5, 1.5, 4.0])  # question 6's data


def _data_cases(rng: np.random.Generator, n_cases: int = 4) -> list[dict]:
    cases = []
    for _ in range(n_cases):
        n = int(rng.integers(2, 7))
        x = rng.normal(0.0, 2.0, n)
        y = 1.7 * x + rng.normal(0.0, 0.5, n)
        cases.append({"w": float(rng.normal(0, 2)), "x": x.tolist(), "y": y.tolist()})
    return cases


def _mse_grad(w: float, x: np.ndarray, y: np.ndarray) -> float:
    """d/dw mean((w x - y)^2) = mean(2 x (w x - y))"""
    return float(np.mean(2 * x * (w * x - y)))


# ---------------------------------------------------------------- q1: the MSE loss
def _q1_inputs(rng):
    return {"cases": _data_cases(rng)}


_Q1_PROBE = """
import numpy as _np
RESULT = [float(mse_loss(c["w"], _np.array(c["x"]), _np.array(c["y"]))) for c in INPUTS["cases"]]
"""


def _q1_verify(inputs, result):
    one_per_case(result, inputs["cases"], "mse_loss did not return one number per call")
    for c, got in zip(inputs["cases"], result):
        x, y = np.array(c["x"]), np.array(c["y"])
        want = float(np.mean((c["w"] * x - y) ** 2))
        if abs(_number("mse_loss", got) - float(np.sum((c["w"] * x - y) ** 2))) < 1e-9 and len(x) > 1:
            raise AssertionError("mse_loss returns the sum of squared errors; divide by N for the mean")
        _close(f"mse_loss(w={c['w']:.3g}, {len(x)} samples)", got, want)


# ---------------------------------------------------------------- q2: dL/dw at w = 0.25
_Q2_PROBE = "RESULT = float(dL_dw_at_start)"


def _q2_verify(inputs, result):
    h = 1e-6
    loss = lambda w: float(np.mean((w * SEED_X - SEED_Y) ** 2))  # noqa: E731
    want = (loss(0.25 + h) - loss(0.25 - h)) / (2 * h)  # central difference
    got = _number("dL_dw_at_start", result)
    if abs(got - 3 * want) < 1e-3:
        raise AssertionError(f"dL_dw_at_start = {got:.6g} is the gradient of the SUM of squares; the MSE takes the mean")
    _close("dL_dw_at_start", got, want, rtol=1e-5)


# ---------------------------------------------------------------- q3: dL/dw for any data
_Q3_PROBE = """
import numpy as _np
RESULT = [float(mse_grad(c["w"], _np.array(c["x"]), _np.array(c["y"]))) for c in INPUTS["cases"]]
"""


def _q3_verify(inputs, result):
    one_per_case(result, inputs["cases"], "mse_grad did not return one number per call")
    for c, got in zip(inputs["cases"], result):
        x, y = np.array(c["x"]), np.array(c["y"])
        want = _mse_grad(c["w"], x, y)
        if abs(want) > 1e-6 and abs(_number("mse_grad", got) + want) < 1e-9 * max(1.0, abs(want)):
            raise AssertionError("mse_grad has the wrong sign: the residual is w*x - y, not y - w*x")
        _close(f"mse_grad(w={c['w']:.3g}, {len(x)} samples)", got, want)


# ---------------------------------------------------------------- q4: batch gradient descent
def _q4_inputs(rng):
    cases = _data_cases(rng, 3)
    for c in cases:
        x = np.array(c["x"])
        c["lr"] = float(rng.uniform(0.05, 0.8) / np.mean(x ** 2))  # always stable
        c["epochs"] = int(rng.integers(3, 12))
    return {"cases": cases}


_Q4_PROBE = """
import numpy as _np
RESULT = [[float(v) for v in gradient_descent(c["w"], c["lr"], c["epochs"], _np.array(c["x"]), _np.array(c["y"]))]
          for c in INPUTS["cases"]]
"""


def _q4_verify(inputs, result):
    one_per_case(result, inputs["cases"], "gradient_descent did not return one list per call")
    for c, ws in zip(inputs["cases"], result):
        x, y = np.array(c["x"]), np.array(c["y"])
        want = [c["w"]]
        for _ in range(c["epochs"]):
            want.append(want[-1] - c["lr"] * _mse_grad(want[-1], x, y))
        if len(ws) != len(want):
            raise AssertionError(f"gradient_descent(epochs={c['epochs']}) returned {len(ws)} weights, "
                                 f"expected {len(want)} (w0 and one per step)")
        for t, (got, w) in enumerate(zip(ws, want)):
            _close(f"w_{t} (lr={c['lr']:.3g})", got, w, rtol=1e-6)


# ---------------------------------------------------------------- q5: one SGD epoch
def _q5_inputs(rng):
    cases = _data_cases(rng, 4)
    for c in cases:
        c["lr"] = float(rng.uniform(0.001, 0.05))
    return {"cases": cases}


_Q5_PROBE = """
import numpy as _np
RESULT = [float(sgd_epoch(c["w"], c["lr"], _np.array(c["x"]), _np.array(c["y"]))) for c in INPUTS["cases"]]
"""


def _q5_verify(inputs, result):
    one_per_case(result, inputs["cases"], "sgd_epoch did not return one number per call")
    for c, got in zip(inputs["cases"], result):
        x, y = np.array(c["x"]), np.array(c["y"])
        w = c["w"]
        for xi, yi in zip(x, y):
            w = w - c["lr"] * 2 * xi * (w * xi - yi)
        batch = c["w"] - c["lr"] * len(x) * _mse_grad(c["w"], x, y)
        if abs(_number("sgd_epoch", got) - batch) < 1e-10 and abs(batch - w) > 1e-8:
            raise AssertionError("sgd_epoch used the gradient at the starting w for every sample; "
                                 "SGD updates w after each sample")
        _close(f"sgd_epoch(lr={c['lr']:.3g}, {len(x)} samples)", got, w)


# ---------------------------------------------------------------- q6: the largest stable lr
def _q6_inputs(rng):
    return {"xs": [rng.normal(0.0, float(rng.uniform(0.5, 3.0)), int(rng.integers(2, 8))).tolist()
                   for _ in range(4)]}


_Q6_FN_PROBE = """
import numpy as _np
RESULT = [float(largest_stable_lr(_np.array(x))) for x in INPUTS["xs"]]
"""


def _final_error(lr: float, x: np.ndarray, steps: int = 200) -> float:
    y = 2.0 * x
    w = 1.0
    for _ in range(steps):
        w = w - lr * _mse_grad(w, x, y)
        if not math.isfinite(w) or abs(w) > 1e12:
            return math.inf
    return abs(w - 2.0)


def _q6_fn_verify(inputs, result):
    one_per_case(result, inputs["xs"], "largest_stable_lr did not return one number per call")
    for x, got in zip(inputs["xs"], result):
        x = np.array(x)
        curvature = 2 * float(np.mean(x ** 2))
        want = 2.0 / curvature
        got = _number("largest_stable_lr", got)
        if abs(got - 1.0 / curvature) < 1e-9 * want:
            raise AssertionError("largest_stable_lr returned 1/L'' (the fastest rate, one step to the minimum); "
                                 "stability holds up to |1 - lr L''| < 1")
        _close(f"largest_stable_lr for {len(x)} samples", got, want, rtol=1e-6)


_Q6_VALUE_PROBE = "RESULT = float(lr_max)"


def _q6_value_verify(inputs, result):
    want = 1.0 / float(np.mean(X6 ** 2))  # |1 - lr * 2 mean(x^2)| < 1
    got = _number("lr_max", result)
    if _final_error(0.98 * want, X6) > 1e-2 or _final_error(1.02 * want, X6) < 1.0:
        raise AssertionError("internal: the reference learning rate does not separate convergence from divergence")
    _close("lr_max for x6", got, want, rtol=1e-3)


CHECKS = [
    Check(grade_id="q1_mse_loss", inputs=_q1_inputs, probe=_Q1_PROBE, verify=_q1_verify),
    Check(grade_id="q2_grad_at_start", inputs=lambda rng: {}, probe=_Q2_PROBE, verify=_q2_verify),
    Check(grade_id="q3_mse_grad", inputs=_q1_inputs, probe=_Q3_PROBE, verify=_q3_verify),
    Check(grade_id="q4_gradient_descent", inputs=_q4_inputs, probe=_Q4_PROBE, verify=_q4_verify),
    Check(grade_id="q5_sgd_epoch", inputs=_q5_inputs, probe=_Q5_PROBE, verify=_q5_verify),
    Check(grade_id="q6_largest_stable_lr", inputs=_q6_inputs, probe=_Q6_FN_PROBE, verify=_q6_fn_verify),
    Check(grade_id="q6_largest_stable_lr", inputs=lambda rng: {}, probe=_Q6_VALUE_PROBE, verify=_q6_value_verify),
]
