"""Checks for solutions/07_pytorch_autograd.ipynb (torch autograd: the seed's pitfalls, micro-batches, second derivatives).

The learner's fixed training functions run in the kernel (with real torch, float32) on fresh data;
``verify`` replays the intended algorithm here in float64 Python and compares with a tolerance that
covers float32 rounding but not a missing ``zero_()``. Type facts (a Python float, a leaf tensor)
travel back as plain booleans and names.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from bpcourse.grader.api import Check
from bpcourse.grader.expect import close, one_per_case, record as _dict

_close = partial(close, rtol=1e-4, atol=1e-6)  # this notebook's tolerance


def _sgd_inputs(rng) -> dict:
    n = int(rng.integers(3, 5))
    x = rng.uniform(0.5, 3.0, n).round(3)
    y = (float(rng.uniform(-2, 3)) * x + rng.normal(0, 0.3, n)).round(3)
    return {"w0": float(rng.uniform(-1, 3)), "lr": float(rng.uniform(0.005, 0.02)),
            "epochs": int(rng.integers(3, 9)), "x": x.tolist(), "y": y.tolist()}


def _batch_gd_inputs(rng):
    """Three cases for full-batch gradient descent (q4, q5), each with a learning rate it is stable at."""
    cases = []
    for _ in range(3):
        c = _sgd_inputs(rng)
        c["lr"] = float(rng.uniform(0.2, 0.9) / np.mean(np.square(c["x"])))
        cases.append(c)
    return {"cases": cases}


def _mse_grad(w: float, x: np.ndarray, y: np.ndarray) -> float:
    """d/dw mean((w x - y)^2) = mean(2 x (w x - y))"""
    return float(np.mean(2 * x * (w * x - y)))


# ---------------------------------------------------------------- q3: micro-batches
def _q3_inputs(rng):
    cases = []
    for k in (1, 2, 3):
        c = _sgd_inputs(rng)
        n = k * int(rng.integers(1, 4))
        x = rng.uniform(0.5, 3.0, n).round(3)
        c.update(k=k, x=x.tolist(), y=(float(rng.uniform(-2, 3)) * x + rng.normal(0, 0.3, n)).round(3).tolist())
        cases.append(c)
    return {"cases": cases}


_AS_FLOAT = """
def _as_float(v):
    return float(v.detach()) if hasattr(v, "detach") else float(v)
"""

_Q3_PROBE = _AS_FLOAT + """
RESULT = [_as_float(train_micro_batches(_c["w0"], _c["lr"], _c["epochs"], _c["k"], _c["x"], _c["y"]))
          for _c in INPUTS["cases"]]
"""


def _micro_batches(c: dict) -> float:
    """Mini-batch gradient descent on batches of k consecutive samples, mean loss per batch."""
    w, k = c["w0"], c["k"]
    x, y = np.array(c["x"]), np.array(c["y"])
    for _ in range(c["epochs"]):
        for start in range(0, len(x), k):
            xb, yb = x[start:start + k], y[start:start + k]
            w -= c["lr"] * _mse_grad(w, xb, yb)
    return w


def _q3_verify(inputs, result):
    one_per_case(result, inputs["cases"], "train_micro_batches did not return a weight for every call")
    for c, got in zip(inputs["cases"], result):
        want = _micro_batches(c)
        if c["k"] > 1:
            summed = dict(c, lr=c["lr"] * c["k"])  # forgot to divide each loss by k
            if isinstance(got, float) and abs(got - _micro_batches(summed)) < 1e-6 < abs(want - _micro_batches(summed)):
                raise AssertionError(f"with k = {c['k']} the step used the SUM of the k gradients: "
                                     "divide each sample's loss by k for the batch mean")
        _close(f"w after {c['epochs']} epochs with k = {c['k']} ({len(c['x'])} samples)", got, want)


# ---------------------------------------------------------------- q4: a loss log without graphs
_Q4_PROBE = """
import torch as _torch
RESULT = []
for _c in INPUTS["cases"]:
    _log = loss_log(_c["w0"], _c["lr"], _c["epochs"], _torch.tensor(_c["x"]), _torch.tensor(_c["y"]))
    _ok = isinstance(_log, _torch.Tensor)
    RESULT.append({"is_tensor": _ok, "no_graph": bool(_ok and _log.grad_fn is None and not _log.requires_grad),
                   "values": [float(v) for v in (_log.detach().reshape(-1) if _ok else _log)]})
"""


def _batch_losses(c: dict) -> list[float]:
    w, x, y, out = c["w0"], np.array(c["x"]), np.array(c["y"]), []
    for _ in range(c["epochs"]):
        out.append(float(np.mean((w * x - y) ** 2)))
        w -= c["lr"] * _mse_grad(w, x, y)
    return out


def _q4_verify(inputs, result):
    one_per_case(result, inputs["cases"], "loss_log did not return a log for every call")
    for c, got in zip(inputs["cases"], result):
        got = _dict("loss_log's result", got, {"is_tensor", "no_graph", "values"})
        if got["is_tensor"] is not True:
            raise AssertionError("loss_log should return one 1-D tensor")
        if got["no_graph"] is not True:
            raise AssertionError("the log still carries a graph (grad_fn or requires_grad): log the losses detached")
        want = _batch_losses(c)
        if not isinstance(got["values"], list) or len(got["values"]) != len(want):
            raise AssertionError(f"loss_log(steps={c['epochs']}) should log one loss per step")
        for step, (g, w) in enumerate(zip(got["values"], want)):
            _close(f"the logged loss of step {step}", g, w)


# ---------------------------------------------------------------- q5: update through w
_Q5_PROBE = """
import torch as _torch
RESULT = []
for _c in INPUTS["cases"]:
    _w = gd(_c["w0"], _c["lr"], _c["epochs"], _torch.tensor(_c["x"]), _torch.tensor(_c["y"]))
    _ok = isinstance(_w, _torch.Tensor)
    RESULT.append({"is_tensor": _ok, "is_leaf": bool(_ok and _w.is_leaf),
                   "requires_grad": bool(_ok and _w.requires_grad),
                   "w": float(_w.detach().reshape(-1)[0]) if _ok else float(_w)})
"""


def _q5_verify(inputs, result):
    one_per_case(result, inputs["cases"], "gd did not return w for every call")
    for c, got in zip(inputs["cases"], result):
        got = _dict("gd's result", got, {"is_tensor", "is_leaf", "requires_grad", "w"})
        if got["is_tensor"] is not True:
            raise AssertionError("gd should return the tensor w")
        if got["is_leaf"] is not True:
            raise AssertionError("the returned w is not a leaf: the update was recorded in the graph "
                                 "(use torch.no_grad() or .data)")
        if got["requires_grad"] is not True:
            raise AssertionError("the returned w no longer requires grad")
        x, y, w = np.array(c["x"]), np.array(c["y"]), c["w0"]
        for _ in range(c["epochs"]):
            w -= c["lr"] * _mse_grad(w, x, y)
        _close(f"w after {c['epochs']} steps with lr={c['lr']:.3g}", got["w"], w)


# ---------------------------------------------------------------- q6: custom Function
def _q6_inputs(rng):
    x = rng.normal(0, 2, int(rng.integers(4, 9)))
    return {"x": x.tolist(), "g": rng.normal(size=x.size).tolist(), "slope": float(rng.uniform(0.01, 0.5))}


_Q6_PROBE = """
import torch as _torch
_x = _torch.tensor(INPUTS["x"], dtype=_torch.float64, requires_grad=True)
_y = LeakyReLU.apply(_x, INPUTS["slope"])
(_y * _torch.tensor(INPUTS["g"], dtype=_torch.float64)).sum().backward()
RESULT = {"y": _y.detach().tolist(), "grad": None if _x.grad is None else _x.grad.tolist()}
"""


def _q6_verify(inputs, result):
    r = _dict("LeakyReLU's output and gradient", result, {"y", "grad"})
    x, g, a = np.array(inputs["x"]), np.array(inputs["g"]), inputs["slope"]
    for name, got, want in (("LeakyReLU.apply(x, slope)", r["y"], np.where(x > 0, x, a * x)),
                            ("x.grad", r["grad"], g * np.where(x > 0, 1.0, a))):
        if got is None:
            raise AssertionError(f"{name} is None: backward must return a gradient for x")
        try:
            arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            raise AssertionError(f"{name} is not an array of numbers") from None
        if arr.shape != want.shape:
            raise AssertionError(f"{name} has shape {arr.shape}, expected {want.shape}")
        if not np.allclose(arr, want, rtol=1e-9, atol=1e-12):
            i = int(np.argmax(np.abs(arr - want)))
            raise AssertionError(f"{name} is wrong at x = {x[i]:.4g}: got {arr[i]:.6g}, expected {want[i]:.6g}")


# ---------------------------------------------------------------- q1: accumulation by number
_Q1_PROBE = "RESULT = float(w_after_two)"


def _q1_verify(inputs, result):
    w, grad = 1.0, 0.0
    for x, y in ((1.0, 2.0), (2.0, 4.0)):
        grad += 2 * x * (x * w - y)  # never zeroed
        w -= 0.01 * grad
    _close("w_after_two", result, w, rtol=1e-6, atol=1e-9)



# ---------------------------------------------------------------- q2: predict two backward() and zero_grad()
_Q2_PROBE = "RESULT = {'grad': float(predicted_grad), 'after_zero_grad_is_none': predicted_after_zero_grad is None}"


def _q2_verify(inputs, result):
    r = _dict("predicted_grad and predicted_after_zero_grad", result, {"grad", "after_zero_grad_is_none"})
    w = 2.0
    if isinstance(r["grad"], (int, float)) and abs(r["grad"] - 5.0) < 1e-9:
        raise AssertionError("predicted_grad is the second graph's gradient only: backward() adds into w.grad")
    close("predicted_grad", r["grad"], 3 * w ** 2 + 5.0)  # d(w^3)/dw + d(5w - 1)/dw, accumulated
    if r["after_zero_grad_is_none"] is not True:
        raise AssertionError("predicted_after_zero_grad is wrong: since torch 2.0, zero_grad() sets .grad to None")


# ---------------------------------------------------------------- q7: second derivative and Newton step
_FUNCTIONS = {  # a torch expression of w, its first and second derivatives
    "w ** 4": (lambda w: 4 * w ** 3, lambda w: 12 * w ** 2),
    "torch.sin(w) * w": (lambda w: np.cos(w) * w + np.sin(w), lambda w: 2 * np.cos(w) - w * np.sin(w)),
    "torch.exp(0.5 * w) + w ** 2": (lambda w: 0.5 * np.exp(0.5 * w) + 2 * w, lambda w: 0.25 * np.exp(0.5 * w) + 2),
    "torch.tanh(w)": (lambda w: 1 - np.tanh(w) ** 2, lambda w: -2 * np.tanh(w) * (1 - np.tanh(w) ** 2)),
}


def _q7_inputs(rng):
    cases = []
    for _ in range(3):
        n = int(rng.integers(2, 6))
        x = rng.uniform(-3, 3, n)
        cases.append({"w0": float(rng.uniform(-3, 3)), "x": x.tolist(),
                      "y": (float(rng.uniform(-2, 2)) * x + rng.normal(0, 0.5, n)).tolist()})
    return {"points": {name: float(rng.uniform(-1.5, 1.5)) for name in _FUNCTIONS}, "cases": cases}


_Q7_PROBE = """
import torch as _torch
_torch_fns = {"w ** 4": lambda w: w ** 4, "torch.sin(w) * w": lambda w: _torch.sin(w) * w,
              "torch.exp(0.5 * w) + w ** 2": lambda w: _torch.exp(0.5 * w) + w ** 2, "torch.tanh(w)": lambda w: _torch.tanh(w)}
RESULT = {"derivatives": {_k: [float(_v) for _v in first_and_second(_torch_fns[_k], _w0)]
                          for _k, _w0 in INPUTS["points"].items()},
          "newton": [float(newton_step(_c["w0"], _torch.tensor(_c["x"], dtype=_torch.float64),
                                       _torch.tensor(_c["y"], dtype=_torch.float64))) for _c in INPUTS["cases"]]}
"""


def _q7_verify(inputs, result):
    r = _dict("first_and_second and newton_step", result, {"derivatives", "newton"})
    if not isinstance(r["derivatives"], dict) or set(r["derivatives"]) != set(inputs["points"]):
        raise AssertionError("could not read first_and_second's derivatives")
    for name, w0 in inputs["points"].items():
        got = r["derivatives"][name]
        if not isinstance(got, list) or len(got) != 2:
            raise AssertionError("first_and_second should return (f'(w0), f''(w0))")
        d1, d2 = _FUNCTIONS[name]
        close(f"f'(w0) for f = {name} at w0 = {w0:.3g}", got[0], float(d1(w0)), rtol=1e-9, atol=1e-12)
        close(f"f''(w0) for f = {name} at w0 = {w0:.3g}", got[1], float(d2(w0)), rtol=1e-9, atol=1e-12)
    one_per_case(r["newton"], inputs["cases"], "newton_step did not return a weight for every call")
    for c, got in zip(inputs["cases"], r["newton"]):
        x, y = np.array(c["x"]), np.array(c["y"])
        w_star = float(np.sum(x * y) / np.sum(x * x))  # the parabola's minimum: one Newton step lands there
        close(f"newton_step from w0 = {c['w0']:.3g} on {len(x)} samples", got, w_star, rtol=1e-9, atol=1e-12)

CHECKS = [
    Check(grade_id="q3_micro_batches", inputs=_q3_inputs, probe=_Q3_PROBE, verify=_q3_verify),
    Check(grade_id="q4_log", inputs=_batch_gd_inputs, probe=_Q4_PROBE, verify=_q4_verify),
    Check(grade_id="q5_update", inputs=_batch_gd_inputs, probe=_Q5_PROBE, verify=_q5_verify),
    Check(grade_id="q6_custom", inputs=_q6_inputs, probe=_Q6_PROBE, verify=_q6_verify),
    Check(grade_id="q1_accumulate", inputs=lambda rng: {}, probe=_Q1_PROBE, verify=_q1_verify),
    Check(grade_id="q2_predict", probe=_Q2_PROBE, verify=_q2_verify),
    Check(grade_id="q7_newton", inputs=_q7_inputs, probe=_Q7_PROBE, verify=_q7_verify),
]
