"""Checks for solutions/07_pytorch_autograd.ipynb (torch autograd: the seed's three pitfalls).

The learner's fixed training functions run in the kernel (with real torch, float32) on fresh data;
``verify`` replays the intended algorithm here in float64 Python and compares with a tolerance that
covers float32 rounding but not a missing ``zero_()``. Type facts (a Python float, a leaf tensor)
travel back as plain booleans and names.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from bpcourse.grader.api import Check
from bpcourse.grader.expect import close, record as _dict

_close = partial(close, rtol=1e-4, atol=1e-6)  # this notebook's tolerance


def _sgd_inputs(rng) -> dict:
    n = int(rng.integers(3, 5))
    x = rng.uniform(0.5, 3.0, n).round(3)
    y = (float(rng.uniform(-2, 3)) * x + rng.normal(0, 0.3, n)).round(3)
    return {"w0": float(rng.uniform(-1, 3)), "lr": float(rng.uniform(0.005, 0.02)),
            "epochs": int(rng.integers(3, 9)), "x": x.tolist(), "y": y.tolist()}


def _seed_sgd(c: dict) -> tuple[float, list[float], list[float]]:
    """The seed's loop, done right: final w, last-sample loss per epoch, mean loss per epoch."""
    w, last, means = c["w0"], [], []
    for _ in range(c["epochs"]):
        total = 0.0
        for x, y in zip(c["x"], c["y"]):
            loss = (x * w - y) ** 2
            total += loss
            w -= c["lr"] * 2 * x * (x * w - y)
        last.append(loss)
        means.append(total / len(c["x"]))
    return w, last, means


# ---------------------------------------------------------------- q1: missing zero_()
def _q1_inputs(rng):
    return {"cases": [_sgd_inputs(rng) for _ in range(3)]}


_AS_FLOAT = """
def _as_float(v):
    return float(v.detach()) if hasattr(v, "detach") else float(v)
"""

_Q1_PROBE = _AS_FLOAT + """
RESULT = []
for _c in INPUTS["cases"]:
    _w, _losses = train_seed(_c["w0"], _c["lr"], _c["epochs"], _c["x"], _c["y"])
    RESULT.append({"w": _as_float(_w), "losses": [_as_float(_v) for _v in _losses]})
"""


def _q1_verify(inputs, result):
    if not isinstance(result, list) or len(result) != len(inputs["cases"]):
        raise AssertionError("train_seed did not return (w, losses) for every call")
    for c, got in zip(inputs["cases"], result):
        got = _dict("train_seed's (w, losses)", got, {"w", "losses"})
        w, last, _ = _seed_sgd(c)
        if not isinstance(got["losses"], list) or len(got["losses"]) != c["epochs"]:
            raise AssertionError(f"train_seed(epochs={c['epochs']}) should return one loss per epoch")
        for epoch, (g, want) in enumerate(zip(got["losses"], last)):
            _close(f"loss after epoch {epoch}", g, want)
        _close(f"final w (lr={c['lr']:.3g}, {c['epochs']} epochs)", got["w"], w)


# ---------------------------------------------------------------- q2: the loss total keeps the graph
_Q2_PROBE = _AS_FLOAT + """
RESULT = []
for _c in INPUTS["cases"]:
    _means = mean_losses(_c["w0"], _c["lr"], _c["epochs"], _c["x"], _c["y"])
    RESULT.append({"types": [type(_v).__name__ for _v in _means], "values": [_as_float(_v) for _v in _means]})
"""


def _q2_verify(inputs, result):
    if not isinstance(result, list) or len(result) != len(inputs["cases"]):
        raise AssertionError("mean_losses did not return a list for every call")
    for c, got in zip(inputs["cases"], result):
        got = _dict("mean_losses's result", got, {"types", "values"})
        if not isinstance(got["types"], list) or not isinstance(got["values"], list):
            raise AssertionError("mean_losses should return a list")
        bad = [t for t in got["types"] if t != "float"]
        if bad:
            raise AssertionError(f"mean_losses returned {bad[0]} values: use .item() so they are Python floats "
                                 "and no graph is kept")
        _, _, means = _seed_sgd(c)
        if len(got["values"]) != len(means):
            raise AssertionError(f"mean_losses(epochs={c['epochs']}) returned {len(got['values'])} values")
        for epoch, (g, want) in enumerate(zip(got["values"], means)):
            _close(f"mean loss of epoch {epoch}", g, want)


# ---------------------------------------------------------------- q3: update through w
def _q3_inputs(rng):
    cases = []
    for _ in range(3):
        c = _sgd_inputs(rng)
        c["lr"] = float(rng.uniform(0.2, 0.9) / np.mean(np.square(c["x"])))  # stable for batch GD
        cases.append(c)
    return {"cases": cases}


_Q3_PROBE = """
import torch as _torch
RESULT = []
for _c in INPUTS["cases"]:
    _w = gd(_c["w0"], _c["lr"], _c["epochs"], _torch.tensor(_c["x"]), _torch.tensor(_c["y"]))
    _ok = isinstance(_w, _torch.Tensor)
    RESULT.append({"is_tensor": _ok, "is_leaf": bool(_ok and _w.is_leaf),
                   "requires_grad": bool(_ok and _w.requires_grad),
                   "w": float(_w.detach().reshape(-1)[0]) if _ok else float(_w)})
"""


def _q3_verify(inputs, result):
    if not isinstance(result, list) or len(result) != len(inputs["cases"]):
        raise AssertionError("gd did not return w for every call")
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
            w -= c["lr"] * float(np.mean(2 * x * (w * x - y)))
        _close(f"w after {c['epochs']} steps with lr={c['lr']:.3g}", got["w"], w)


# ---------------------------------------------------------------- q4: custom Function
def _q4_inputs(rng):
    x = rng.normal(0, 2, int(rng.integers(4, 9)))
    return {"x": x.tolist(), "g": rng.normal(size=x.size).tolist(), "slope": float(rng.uniform(0.01, 0.5))}


_Q4_PROBE = """
import torch as _torch
_x = _torch.tensor(INPUTS["x"], dtype=_torch.float64, requires_grad=True)
_y = LeakyReLU.apply(_x, INPUTS["slope"])
(_y * _torch.tensor(INPUTS["g"], dtype=_torch.float64)).sum().backward()
RESULT = {"y": _y.detach().tolist(), "grad": None if _x.grad is None else _x.grad.tolist()}
"""


def _q4_verify(inputs, result):
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


# ---------------------------------------------------------------- q5: accumulation by number
_Q5_PROBE = "RESULT = float(w_after_two)"


def _q5_verify(inputs, result):
    w, grad = 1.0, 0.0
    for x, y in ((1.0, 2.0), (2.0, 4.0)):
        grad += 2 * x * (x * w - y)  # never zeroed
        w -= 0.01 * grad
    _close("w_after_two", result, w, rtol=1e-6, atol=1e-9)


CHECKS = [
    Check(grade_id="q1_zero_grad", inputs=_q1_inputs, probe=_Q1_PROBE, verify=_q1_verify),
    Check(grade_id="q2_graph", inputs=_q1_inputs, probe=_Q2_PROBE, verify=_q2_verify),
    Check(grade_id="q3_update", inputs=_q3_inputs, probe=_Q3_PROBE, verify=_q3_verify),
    Check(grade_id="q4_custom", inputs=_q4_inputs, probe=_Q4_PROBE, verify=_q4_verify),
    Check(grade_id="q5_accumulate", inputs=lambda rng: {}, probe=_Q5_PROBE, verify=_q5_verify),
]
