"""Checks for solutions/06_tensor_autograd.ipynb (bpcourse tensors, Function, max and matmul backward, gradcheck).

The probes call the learner's code on tensors built from plain data and hand back arrays as lists;
``verify`` recomputes everything here with numpy (analytic formulas or central differences).
"""
from __future__ import annotations

import numpy as np

from bpcourse.grader.api import Check
from bpcourse.grader.expect import array_close as _array_close, close as _close, one_per_case, record as _dict


# ---------------------------------------------------------------- q5: Hypot Function
def _q5_inputs(rng):
    shape = [int(v) for v in rng.integers(1, 5, int(rng.integers(1, 3)))]
    return {"a": rng.normal(0, 2, shape).tolist(), "b": rng.normal(0, 2, shape).tolist(),
            "g": rng.normal(0, 1, shape).tolist()}


_Q5_PROBE = """
import bpcourse as _bp
_a = _bp.tensor(INPUTS["a"], dtype=_bp.float64, requires_grad=True)
_b = _bp.tensor(INPUTS["b"], dtype=_bp.float64, requires_grad=True)
_h = Hypot.apply(_a, _b)
(_h * _bp.tensor(INPUTS["g"], dtype=_bp.float64)).sum().backward()
RESULT = {"h": _h.detach().numpy().tolist(), "in_graph": _h.grad_fn is not None,
          "ga": None if _a.grad is None else _a.grad.numpy().tolist(),
          "gb": None if _b.grad is None else _b.grad.numpy().tolist()}
"""


def _q5_verify(inputs, result):
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


# ---------------------------------------------------------------- q2: max backward
def _q2_inputs(rng):
    cases = []
    for _ in range(5):
        shape = [int(v) for v in rng.integers(1, 5, int(rng.integers(1, 4)))]
        axis = int(rng.integers(-len(shape), len(shape)))
        x = rng.permutation(int(np.prod(shape))).reshape(shape) + rng.uniform(0, 0.5, shape)  # no ties
        y_shape = [n for k, n in enumerate(shape) if k != axis % len(shape)]
        cases.append({"x": x.tolist(), "axis": axis, "g": rng.normal(size=y_shape).tolist()})
    return {"cases": cases}


_Q2_PROBE = """
import numpy as _np
RESULT = [_np.asarray(max_backward(_np.array(_c["x"]), _np.array(_c["g"]), _c["axis"]), dtype=float).tolist()
          for _c in INPUTS["cases"]]
"""


def _q2_verify(inputs, result):
    one_per_case(result, inputs["cases"], "max_backward did not give one result per call")
    for c, got in zip(inputs["cases"], result):
        x, g, axis = np.array(c["x"]), np.array(c["g"]), c["axis"]
        want = np.zeros_like(x)
        moved = np.moveaxis(x, axis, -1)
        target = np.moveaxis(want, axis, -1)  # a view: writing it fills want
        for index in np.ndindex(moved.shape[:-1]):
            target[index + (int(np.argmax(moved[index])),)] = g[index]
        _array_close(f"max_backward(x of shape {x.shape}, axis={axis})", got, want)


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


# ---------------------------------------------------------------- q4: directional gradient check
def _q4_inputs(rng):
    shape = [int(v) for v in rng.integers(1, 4, int(rng.integers(1, 3)))]
    return {"x": rng.normal(size=shape).tolist(), "w": rng.normal(size=shape).tolist(),
            "c": float(rng.uniform(0.5, 2)), "scale": float(rng.choice([1.0, 0.5, 3.0])),
            "dirs": [rng.normal(size=shape).tolist() for _ in range(3)]}


_Q4_PROBE = """
import numpy as _np
_x = _np.array(INPUTS["x"], dtype=_np.float64)
_x_before = _x.copy()
_w, _c = _np.array(INPUTS["w"]), INPUTS["c"]
_claimed = INPUTS["scale"] * (_w * _np.cos(_x) + 2 * _c * _x)
_errs = directional_errors(lambda v: float(_np.sum(_np.sin(v) * _w) + _c * _np.sum(v ** 2)), _claimed, _x,
                           [_np.array(d) for d in INPUTS["dirs"]])
RESULT = {"errors": [float(e) for e in _errs], "x_unchanged": bool(_np.array_equal(_x, _x_before))}
"""


def _q4_verify(inputs, result):
    r = _dict("directional_errors' result", result, {"errors", "x_unchanged"})
    x, w, c = np.array(inputs["x"]), np.array(inputs["w"]), inputs["c"]
    grad = w * np.cos(x) + 2 * c * x
    claimed = inputs["scale"] * grad
    want = []
    for d in inputs["dirs"]:
        d = np.array(d)
        exact, said = float(np.sum(grad * d)), float(np.sum(claimed * d))
        want.append(abs(exact - said) / max(abs(exact), abs(said), 1e-12))
    errors = r["errors"]
    if not isinstance(errors, list) or len(errors) != len(want):
        raise AssertionError(f"directional_errors returned {len(errors) if isinstance(errors, list) else errors!r} "
                             f"errors for {len(want)} directions")
    for k, (got, w_) in enumerate(zip(errors, want)):
        if w_ < 1e-6:  # the claimed gradient is right: the error is rounding, tiny but not exactly known
            if not (isinstance(got, (int, float)) and 0 <= got < 1e-5):
                raise AssertionError(f"direction {k}: the relative error for a right gradient should be tiny, got {got!r}")
        else:
            _close(f"the relative error along direction {k}", got, w_, rtol=1e-4)
    if r["x_unchanged"] is not True:
        raise AssertionError("directional_errors changed the array it was given")


# ---------------------------------------------------------------- q1: which backward is wrong
_Q1_PROBE = "RESULT = str(broken)"


def _q1_verify(inputs, result):
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



# ---------------------------------------------------------------- q6: broadcasting matmul Function
def _q6_inputs(rng):
    pairs = [((3, 2, 4), (4, 5)), ((3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((2, 3), (3, 2)),
             ((1, 3, 2), (4, 2, 3))]
    pick = [pairs[int(k)] for k in rng.permutation(len(pairs))[:4]]
    return {"cases": [{"a": rng.normal(size=a).tolist(), "b": rng.normal(size=b).tolist(),
                       "g": rng.normal(size=np.broadcast_shapes(a[:-2], b[:-2]) + (a[-2], b[-1])).tolist()}
                      for a, b in pick]}


_Q6_PROBE = """
import numpy as _np
import bpcourse as _bp
RESULT = []
for _c in INPUTS["cases"]:
    _a = _bp.tensor(_c["a"], dtype=_bp.float64, requires_grad=True)
    _b = _bp.tensor(_c["b"], dtype=_bp.float64, requires_grad=True)
    _out = MatMul.apply(_a, _b)
    _grads = MatMul.backward(_out.grad_fn, _bp.tensor(_c["g"], dtype=_bp.float64))
    _arr = lambda t: None if t is None else _np.asarray(t.detach().numpy() if hasattr(t, "detach") else t, dtype=float)
    _ga, _gb = (_arr(t) for t in _grads)
    RESULT.append({"out": _arr(_out).tolist(), "in_graph": _out.grad_fn is not None,
                   "ga_shape": None if _ga is None else list(_ga.shape), "ga": None if _ga is None else _ga.tolist(),
                   "gb_shape": None if _gb is None else list(_gb.shape), "gb": None if _gb is None else _gb.tolist()})
"""


def _q6_verify(inputs, result):
    one_per_case(result, inputs["cases"], "MatMul did not give one result per case")
    for c, got in zip(inputs["cases"], result):
        got = _dict("MatMul's output and gradients", got, {"out", "in_graph", "ga_shape", "ga", "gb_shape", "gb"})
        a, b, g = np.array(c["a"]), np.array(c["b"]), np.array(c["g"])
        pair = f"a {a.shape} @ b {b.shape}"
        _array_close(f"MatMul.apply({pair})", got["out"], a @ b)
        if got["in_graph"] is not True:
            raise AssertionError("the output of MatMul.apply has no grad_fn: call it through apply")
        for name, x, full in (("a", a, g @ np.swapaxes(b, -1, -2)), ("b", b, np.swapaxes(a, -1, -2) @ g)):
            shape = got[f"g{name}_shape"]
            if shape is None:
                raise AssertionError(f"backward returned None for {name}")
            if tuple(shape) != x.shape:
                raise AssertionError(f"for {pair}, the gradient of {name} has shape {tuple(shape)}, expected {x.shape}: "
                                     f"sum over the batch axes {name} was broadcast along")
            _array_close(f"the gradient of {name} for {pair}", got[f"g{name}"], _sum_to(full, x.shape))


def _sum_to(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Each input entry's gradient is the sum of the gradients of the entries it was broadcast to."""
    size = int(np.prod(shape))
    owner = np.broadcast_to(np.arange(size).reshape(shape), grad.shape)
    return np.bincount(owner.ravel(), weights=grad.ravel(), minlength=size).reshape(shape)

CHECKS = [
    Check(grade_id="q5_hypot", inputs=_q5_inputs, probe=_Q5_PROBE, verify=_q5_verify),
    Check(grade_id="q2_max_backward", inputs=_q2_inputs, probe=_Q2_PROBE, verify=_q2_verify),
    Check(grade_id="q3_broadcast", inputs=lambda rng: {}, probe=_Q3_PROBE, verify=_q3_verify),
    Check(grade_id="q4_directional", inputs=_q4_inputs, probe=_Q4_PROBE, verify=_q4_verify),
    Check(grade_id="q1_gradcheck", inputs=lambda rng: {}, probe=_Q1_PROBE, verify=_q1_verify),
    Check(grade_id="q6_matmul", inputs=_q6_inputs, probe=_Q6_PROBE, verify=_q6_verify),
]
