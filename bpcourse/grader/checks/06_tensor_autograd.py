"""Checks for solutions/06_tensor_autograd.ipynb (bpcourse tensors, Function, broadcasting, gradcheck).

The probes call the learner's code on tensors built from plain data and hand back arrays as lists;
``verify`` recomputes everything here with numpy (analytic formulas or central differences).
"""
from __future__ import annotations

import numpy as np

from bpcourse.grader.api import Check
from bpcourse.grader.expect import array_close as _array_close, record as _dict


# ---------------------------------------------------------------- q1: Hypot Function
def _q1_inputs(rng):
    shape = [int(v) for v in rng.integers(1, 5, int(rng.integers(1, 3)))]
    return {"a": rng.normal(0, 2, shape).tolist(), "b": rng.normal(0, 2, shape).tolist(),
            "g": rng.normal(0, 1, shape).tolist()}


_Q1_PROBE = """
import bpcourse as _bp
_a = _bp.tensor(INPUTS["a"], dtype=_bp.float64, requires_grad=True)
_b = _bp.tensor(INPUTS["b"], dtype=_bp.float64, requires_grad=True)
_h = Hypot.apply(_a, _b)
(_h * _bp.tensor(INPUTS["g"], dtype=_bp.float64)).sum().backward()
RESULT = {"h": _h.detach().numpy().tolist(), "in_graph": _h.grad_fn is not None,
          "ga": None if _a.grad is None else _a.grad.numpy().tolist(),
          "gb": None if _b.grad is None else _b.grad.numpy().tolist()}
"""


def _q1_verify(inputs, result):
    r = _dict("Hypot's output and gradients", result, {"h", "ga", "gb", "in_graph"})
    a, b, g = (np.array(inputs[k]) for k in ("a", "b", "g"))
    h = np.sqrt(a ** 2 + b ** 2)
    _array_close("Hypot.apply(a, b)", r["h"], h)
    if r["in_graph"] is not True:
        raise AssertionError("the output of Hypot.apply has no grad_fn: call it through apply")
    if r["ga"] is None or r["gb"] is None:
        raise AssertionError("a.grad or b.grad is None after backward: return one gradient per input")
    _array_close("a.grad", r["ga"], g * a / h)
    _array_close("b.grad", r["gb"], g * b / h)


# ---------------------------------------------------------------- q2: sum_to_shape
def _q2_inputs(rng):
    cases = []
    for _ in range(6):
        out_shape = [int(v) for v in rng.integers(2, 5, int(rng.integers(1, 4)))]
        keep = int(rng.integers(0, len(out_shape) + 1))  # trailing dims the input has
        shape = [n if rng.random() < 0.5 else 1 for n in out_shape[len(out_shape) - keep:]]
        cases.append({"grad": rng.normal(size=out_shape).round(3).tolist(), "shape": shape})
    cases.append({"grad": rng.normal(size=(2, 3)).round(3).tolist(), "shape": [2, 3]})
    return {"cases": cases}


_Q2_PROBE = """
import numpy as _np
RESULT = []
for _c in INPUTS["cases"]:
    _out = _np.asarray(sum_to_shape(_np.array(_c["grad"]), tuple(_c["shape"])), dtype=float)
    RESULT.append({"shape": list(_out.shape), "value": _out.reshape(-1).tolist()})
"""


def _reference_sum_to_shape(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Each input entry's gradient is the sum of the output gradients it was broadcast to."""
    size = int(np.prod(shape)) if shape else 1
    owner = np.broadcast_to(np.arange(size).reshape(shape), grad.shape)
    return np.bincount(owner.ravel(), weights=grad.ravel(), minlength=size).reshape(shape)


def _q2_verify(inputs, result):
    if not isinstance(result, list) or len(result) != len(inputs["cases"]):
        raise AssertionError("sum_to_shape did not give one result per call")
    for c, got in zip(inputs["cases"], result):
        got = _dict("sum_to_shape's result", got, {"shape", "value"})
        grad, shape = np.array(c["grad"]), tuple(c["shape"])
        name = f"sum_to_shape(grad of shape {grad.shape}, {shape})"
        try:
            got_shape = tuple(int(n) for n in got["shape"])
            value = np.asarray(got["value"], dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise AssertionError(f"{name} is not an array of numbers") from None
        if got_shape != shape:
            raise AssertionError(f"{name} has shape {got_shape}, expected {shape}")
        want = _reference_sum_to_shape(grad, shape)
        if value.size != want.size:
            raise AssertionError(f"{name} has {value.size} entries, expected {want.size}")
        _array_close(name, value.reshape(shape), want)


# ---------------------------------------------------------------- q3: broadcast gradient by hand
A5 = np.array([[1.0, -2.0, 0.5], [3.0, 1.0, -1.0]])
C5 = np.array([0.5, -1.0, 2.0])

_Q3_PROBE = """
import numpy as _np
RESULT = _np.asarray(dL_dc5, dtype=float).tolist()
"""


def _q3_verify(inputs, result):
    want = np.zeros(3)
    h = 1e-6
    for j in range(3):
        up, down = C5.copy(), C5.copy()
        up[j] += h
        down[j] -= h
        want[j] = (np.sum((A5 * up) ** 2) - np.sum((A5 * down) ** 2)) / (2 * h)
    try:
        shape = np.asarray(result, dtype=float).shape
    except (TypeError, ValueError):
        shape = None
    if shape == A5.shape:
        raise AssertionError("dL_dc5 has shape (2, 3): sum over the rows c5 was broadcast to, expected (3,)")
    _array_close("dL_dc5", result, want, rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------- q4: numerical gradient
def _q4_inputs(rng):
    shape = [int(v) for v in rng.integers(1, 4, int(rng.integers(1, 3)))]
    return {"x": rng.normal(size=shape).tolist(), "w": rng.normal(size=shape).tolist(), "c": float(rng.uniform(0.5, 2))}


_Q4_PROBE = """
import numpy as _np
_x = _np.array(INPUTS["x"], dtype=_np.float64)
_x_before = _x.copy()
_w, _c = _np.array(INPUTS["w"]), INPUTS["c"]
_g = numerical_grad(lambda v: float(_np.sum(_np.sin(v) * _w) + _c * _np.sum(v ** 2)), _x)
RESULT = {"grad": _np.asarray(_g, dtype=float).tolist(), "x_unchanged": bool(_np.array_equal(_x, _x_before))}
"""


def _q4_verify(inputs, result):
    r = _dict("numerical_grad's result", result, {"grad", "x_unchanged"})
    x, w, c = np.array(inputs["x"]), np.array(inputs["w"]), inputs["c"]
    _array_close("numerical_grad", r["grad"], w * np.cos(x) + 2 * c * x, rtol=1e-5, atol=1e-6)
    if r["x_unchanged"] is not True:
        raise AssertionError("numerical_grad changed the array it was given; work on a copy")


# ---------------------------------------------------------------- q5: which backward is wrong
_Q5_PROBE = "RESULT = str(broken)"


def _q5_verify(inputs, result):
    if not isinstance(result, str):
        raise AssertionError("broken should be a class name (a string)")
    x = np.linspace(-2, 2, 9)
    h = 1e-6
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    claims = {  # forward, the backward each class claims
        "Cube": (lambda v: v ** 3, lambda v: 3 * v ** 2),
        "Swish": (lambda v: v * sig(v), lambda v: sig(v)),
        "LogCosh": (lambda v: np.log(np.cosh(v)), lambda v: np.tanh(v)),
    }
    wrong = [name for name, (f, df) in claims.items()
             if not np.allclose((f(x + h) - f(x - h)) / (2 * h), df(x), atol=1e-6)]
    if result not in claims:
        raise AssertionError(f"broken = {result!r} is not one of {sorted(claims)}")
    if [result] != wrong:
        raise AssertionError(f"{result}'s backward is right; gradcheck finds a different one")


CHECKS = [
    Check(grade_id="q1_hypot", inputs=_q1_inputs, probe=_Q1_PROBE, verify=_q1_verify),
    Check(grade_id="q2_sum_to_shape", inputs=_q2_inputs, probe=_Q2_PROBE, verify=_q2_verify),
    Check(grade_id="q3_broadcast", inputs=lambda rng: {}, probe=_Q3_PROBE, verify=_q3_verify),
    Check(grade_id="q4_numerical_grad", inputs=_q4_inputs, probe=_Q4_PROBE, verify=_q4_verify),
    Check(grade_id="q5_gradcheck", inputs=lambda rng: {}, probe=_Q5_PROBE, verify=_q5_verify),
]
