"""Checks for solutions/02_chain_rule_computational_graphs.ipynb (chain rule on small graphs).

References are computed here with numpy and central differences; from the kernel only plain
numbers come back.
"""
from __future__ import annotations

import numpy as np

from bpcourse.grader.api import Check
from bpcourse.grader.expect import array_close as _array_close, central_diff as _diff, close as _close, one_per_case


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ---------------------------------------------------------------- q2: (w x + b - y)^2 by hand
_Q2_PROBE = "RESULT = {'w': float(dL_dw), 'b': float(dL_db)}"


def _q2_verify(inputs, result):
    if not isinstance(result, dict) or set(result) != {"w", "b"}:
        raise AssertionError("could not read dL_dw and dL_db")
    w, x, b, y = 1.5, 2.0, 0.5, 2.0
    _close("dL_dw", result["w"], _diff(lambda v: (v * x + b - y) ** 2, w), rtol=1e-5)
    _close("dL_db", result["b"], _diff(lambda v: (w * x + v - y) ** 2, b), rtol=1e-5)


# ---------------------------------------------------------------- q3: sigmoid and its derivative
def _q3_inputs(rng):
    return {"z": rng.uniform(-12, 12, size=(3, 4)).round(4).tolist()}


_Q3_PROBE = """
import numpy as _np
_z = _np.array(INPUTS["z"])
RESULT = {"s": _np.asarray(sigmoid(_z), dtype=float).tolist(),
          "ds": _np.asarray(sigmoid_grad(_z), dtype=float).tolist()}
"""


def _q3_verify(inputs, result):
    if not isinstance(result, dict) or set(result) != {"s", "ds"}:
        raise AssertionError("could not read sigmoid(z) and sigmoid_grad(z)")
    z = np.array(inputs["z"])
    s = _sigmoid(z)
    _array_close("sigmoid(z)", result["s"], s, rtol=1e-7, atol=1e-12)
    ds = np.array([[_diff(_sigmoid, v, 1e-5) for v in row] for row in z])
    _array_close("sigmoid_grad(z)", result["ds"], ds, rtol=1e-5, atol=1e-10)


# ---------------------------------------------------------------- q5: two-layer network backward
def _q5_inputs(rng):
    return {"cases": [dict(zip(["w1", "b1", "w2", "b2", "x", "y"], rng.normal(0, 1.2, 6).round(5).tolist()))
                      for _ in range(4)]}


_Q5_PROBE = """
RESULT = []
for _c in INPUTS["cases"]:
    _g = two_layer_grads(_c["w1"], _c["b1"], _c["w2"], _c["b2"], _c["x"], _c["y"])
    RESULT.append({k: float(_g[k]) for k in ("w1", "b1", "w2", "b2")})
"""


def _q5_loss(p: dict) -> float:
    h = _sigmoid(p["w1"] * p["x"] + p["b1"])
    return float((p["w2"] * h + p["b2"] - p["y"]) ** 2)


def _q5_verify(inputs, result):
    one_per_case(result, inputs["cases"], "two_layer_grads did not return one dict per call")
    for c, got in zip(inputs["cases"], result):
        if not isinstance(got, dict):
            raise AssertionError("two_layer_grads should return a dict")
        for name in ("w1", "b1", "w2", "b2"):
            want = _diff(lambda v, name=name: _q5_loss({**c, name: v}), c[name])
            if name not in got:
                raise AssertionError(f"two_layer_grads returned no '{name}'")
            _close(f"dL/d{name}", got[name], want, rtol=1e-5, atol=1e-7)


# ---------------------------------------------------------------- q4: linear collapse
def _q4_inputs(rng):
    d, h, k = (int(v) for v in rng.integers(2, 6, 3))
    return {"W1": rng.normal(size=(h, d)).tolist(), "b1": rng.normal(size=h).tolist(),
            "W2": rng.normal(size=(k, h)).tolist(), "b2": rng.normal(size=k).tolist()}


_Q4_PROBE = """
import numpy as _np
_W, _b = collapse(*(_np.array(INPUTS[k]) for k in ("W1", "b1", "W2", "b2")))
RESULT = {"W": _np.asarray(_W, dtype=float).tolist(), "b": _np.asarray(_b, dtype=float).tolist()}
"""


def _q4_verify(inputs, result):
    if not isinstance(result, dict) or set(result) != {"W", "b"}:
        raise AssertionError("collapse should return (W, b)")
    W1, b1, W2, b2 = (np.array(inputs[k]) for k in ("W1", "b1", "W2", "b2"))
    # The reference is what two layers do: W's column j is the response to e_j minus the bias.
    d = W1.shape[1]
    two_layers = lambda x: W2 @ (W1 @ x + b1) + b2  # noqa: E731
    b = two_layers(np.zeros(d))
    W = np.stack([two_layers(e) - b for e in np.eye(d)], axis=1)
    _array_close("W", result["W"], W)
    _array_close("b", result["b"], b)


# ---------------------------------------------------------------- q1: sigma(3x - 1)^2 at 0.5
_Q1_PROBE = "RESULT = float(df_dx)"


def _q1_verify(inputs, result):
    _close("df_dx", result, _diff(lambda x: float(_sigmoid(3 * x - 1) ** 2), 0.5), rtol=1e-5)


CHECKS = [
    Check(grade_id="q2_affine_graph", inputs=lambda rng: {}, probe=_Q2_PROBE, verify=_q2_verify),
    Check(grade_id="q3_sigmoid", inputs=_q3_inputs, probe=_Q3_PROBE, verify=_q3_verify),
    Check(grade_id="q5_two_layer", inputs=_q5_inputs, probe=_Q5_PROBE, verify=_q5_verify),
    Check(grade_id="q4_collapse", inputs=_q4_inputs, probe=_Q4_PROBE, verify=_q4_verify),
    Check(grade_id="q1_three_nodes", inputs=lambda rng: {}, probe=_Q1_PROBE, verify=_q1_verify),
]
