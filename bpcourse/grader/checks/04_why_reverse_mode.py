"""Checks for solutions/04_why_reverse_mode.ipynb (Jacobians, VJPs and JVPs, pass counts, checkpointing).

References are recomputed here: Jacobians by central differences, the rest by counting.
"""
from __future__ import annotations

import math

import numpy as np

from bpcourse.grader.api import Check
from bpcourse.grader.expect import array, array_close as _array_close, number as _number, one_per_case, record as _dict


def _jacobian(f, x, h=1e-6):
    x = np.array(x, dtype=float)
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))
    return np.stack(cols, axis=-1)


def _int(name, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value != int(value):
        raise AssertionError(f"{name} should be a whole number, got {value!r}")
    return int(value)


# ---------------------------------------------------------------- q1: a Jacobian by hand
_Q1_PROBE = "import numpy as _np\nRESULT = _np.asarray(J1, dtype=float).tolist()"


def _q1_verify(inputs, result):
    f = lambda v: np.array([v[0] * np.exp(v[1]), v[0] ** 2 + v[1], np.cos(v[0] * v[1])])  # noqa: E731
    want = _jacobian(f, [1.5, -0.5])
    try:
        if np.asarray(result, dtype=float).shape == (2, 3):
            raise AssertionError("J1 has shape (2, 3): that is the transpose; one row per output, one column per input")
    except (TypeError, ValueError):
        pass
    _array_close("J1", result, want, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- q2: counting passes
def _q2_inputs(rng):
    return {"cases": [[int(rng.integers(1, 5000)), int(rng.integers(1, 5000))] for _ in range(4)]}


_Q2_FN_PROBE = """
RESULT = [{k: v for k, v in dict(pass_counts(n, m)).items()} for n, m in INPUTS["cases"]]
"""


def _q2_fn_verify(inputs, result):
    one_per_case(result, inputs["cases"], "pass_counts did not return one dict per call")
    for (n, m), got in zip(inputs["cases"], result):
        got = _dict(f"pass_counts({n}, {m})", got, {"central_differences", "forward_mode", "reverse_mode"})
        want = {"central_differences": 2 * n, "forward_mode": n, "reverse_mode": m}
        for key, value in want.items():
            if _int(f"pass_counts({n}, {m})[{key!r}]", got[key]) != value:
                raise AssertionError(f"pass_counts({n}, {m})[{key!r}] = {got[key]}, expected {value}")


_Q2_VALUE_PROBE = "RESULT = {'n_params': n_params, 'fd_passes': fd_passes, 'cheaper': str(cheaper)}"


def _q2_value_verify(inputs, result):
    r = _dict("n_params, fd_passes and cheaper", result, {"n_params", "fd_passes", "cheaper"})
    sizes = [784, 128, 64, 10]
    params = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
    got = _int("n_params", r["n_params"])
    if got == sum(a * b for a, b in zip(sizes, sizes[1:])):
        raise AssertionError("n_params counts the weights only; the biases are parameters too")
    if got != params:
        raise AssertionError(f"n_params = {got}, expected {params}")
    if _int("fd_passes", r["fd_passes"]) != 2 * params:
        raise AssertionError(f"fd_passes = {r['fd_passes']}: central differences evaluate the loss twice per parameter")
    if r["cheaper"] != "forward_mode":
        raise AssertionError("cheaper is wrong: count JVPs (one per input) against VJPs (one per output) for R^3 -> R^1000")


# ---------------------------------------------------------------- q3: normalize VJP
def _q3_inputs(rng):
    return {"cases": [{"x": rng.normal(0, float(rng.uniform(0.5, 3)), int(n)).tolist(),
                       "v": rng.normal(size=int(n)).tolist()} for n in rng.integers(1, 7, 4)],
            "big_seed": int(rng.integers(0, 2 ** 31))}


_Q3_PROBE = """
import numpy as _np
_small = [_np.asarray(normalize_vjp(_np.array(c["x"]), _np.array(c["v"])), dtype=float).tolist() for c in INPUTS["cases"]]
_r = _np.random.default_rng(INPUTS["big_seed"])
_x, _v, _u = _r.normal(size=20000), _r.normal(size=20000), _r.normal(size=20000)
_g = _np.asarray(normalize_vjp(_x, _v), dtype=float)
RESULT = {"small": _small, "big_shape": list(_g.shape), "big_dot": float(_g @ _u)}
"""


def _q3_verify(inputs, result):
    r = _dict("normalize_vjp's results", result, {"small", "big_shape", "big_dot"})
    one_per_case(r["small"], inputs["cases"], "normalize_vjp did not return one array per call")
    for c, got in zip(inputs["cases"], r["small"]):
        x, v = np.array(c["x"]), np.array(c["v"])
        want = v @ _jacobian(lambda t: t / np.linalg.norm(t), x)
        _array_close(f"normalize_vjp for n = {len(x)}", got, want, rtol=1e-5, atol=1e-6)
    if r["big_shape"] != [20000]:
        raise AssertionError(f"normalize_vjp for n = 20000 has shape {r['big_shape']}, expected [20000]")
    rng = np.random.default_rng(inputs["big_seed"])
    x, v, u = rng.normal(size=20000), rng.normal(size=20000), rng.normal(size=20000)
    nx = np.linalg.norm(x)
    y = x / nx
    want = float(((v - y * (y @ v)) / nx) @ u)
    got = _number("normalize_vjp for n = 20000", r["big_dot"])
    if not abs(got - want) <= 1e-6 * max(1.0, abs(want)):
        raise AssertionError("normalize_vjp is wrong for n = 20000")


# ---------------------------------------------------------------- q4: checkpointing
def _reference_cost(n: int, k: int) -> tuple[int, int]:
    if k >= n:
        return n, 0
    segments = math.ceil(n / k)
    return segments + k, (segments - 1) * k


def _q4_inputs(rng):
    cases = [[int(n), int(k)] for n, k in zip(rng.integers(2, 400, 6), rng.integers(1, 60, 6))]
    return {"cases": cases + [[7, 7], [7, 9]], "ns": [int(n) for n in rng.integers(2, 3000, 3)]}


_Q4_FN_PROBE = """
RESULT = {"cost": [[int(v) for v in checkpoint_cost(n, k)] for n, k in INPUTS["cases"]],
          "best": [int(best_segment(n)) for n in INPUTS["ns"]]}
"""


def _best(n: int) -> int:
    return min(range(1, n + 1), key=lambda k: (_reference_cost(n, k)[0], k))


def _q4_fn_verify(inputs, result):
    r = _dict("checkpoint_cost and best_segment", result, {"cost", "best"})
    one_per_case(r["cost"], inputs["cases"], "checkpoint_cost did not return one pair per call")
    for (n, k), got in zip(inputs["cases"], r["cost"]):
        want = _reference_cost(n, k)
        if not isinstance(got, list) or len(got) != 2:
            raise AssertionError(f"checkpoint_cost({n}, {k}) should return (peak, extra)")
        if (_int("peak", got[0]), _int("extra", got[1])) != want:
            raise AssertionError(f"checkpoint_cost({n}, {k}) = {tuple(got)}, expected {want}")
    one_per_case(r["best"], inputs["ns"], "best_segment did not return one number per call")
    for n, got in zip(inputs["ns"], r["best"]):
        if _int(f"best_segment({n})", got) != _best(n):
            raise AssertionError(f"best_segment({n}) = {got}, expected {_best(n)}")


_Q4_VALUE_PROBE = "RESULT = {'k': k_best, 'cost': [int(v) for v in cost_best]}"


def _q4_value_verify(inputs, result):
    r = _dict("k_best and cost_best", result, {"k", "cost"})
    k = _best(10_000)
    if _int("k_best", r["k"]) != k:
        raise AssertionError(f"k_best = {r['k']}, expected {k}")
    if r["cost"] != list(_reference_cost(10_000, k)):
        raise AssertionError(f"cost_best = {r['cost']}, expected {list(_reference_cost(10_000, k))}")


# ---------------------------------------------------------------- q5: JVP and VJP through two layers
def _q5_inputs(rng):
    cases = []
    for _ in range(3):
        n, h, m = (int(v) for v in rng.integers(1, 6, 3))
        cases.append({"A": rng.normal(size=(m, h)).tolist(), "B": rng.normal(size=(h, n)).tolist(),
                      "x": rng.normal(size=n).tolist(), "u": rng.normal(size=n).tolist(),
                      "v": rng.normal(size=m).tolist()})
    return {"cases": cases}


_Q5_PROBE = """
import numpy as _np
RESULT = []
for _c in INPUTS["cases"]:
    _A, _B, _x = _np.array(_c["A"]), _np.array(_c["B"]), _np.array(_c["x"])
    RESULT.append({"jvp": _np.asarray(jvp(_A, _B, _x, _np.array(_c["u"])), dtype=float).reshape(-1).tolist(),
                   "vjp": _np.asarray(vjp(_A, _B, _x, _np.array(_c["v"])), dtype=float).reshape(-1).tolist()})
"""


def _q5_verify(inputs, result):
    one_per_case(result, inputs["cases"], "jvp/vjp did not return one result per case")
    for c, got in zip(inputs["cases"], result):
        got = _dict("jvp and vjp", got, {"jvp", "vjp"})
        A, B, x = np.array(c["A"]), np.array(c["B"]), np.array(c["x"])
        J = _jacobian(lambda t: A @ np.tanh(B @ t), x)
        shape = f"A {A.shape}, B {B.shape}"
        array(f"jvp ({shape})", got["jvp"], (A.shape[0],))
        _array_close(f"jvp ({shape})", got["jvp"], J @ np.array(c["u"]), rtol=1e-5, atol=1e-6)
        array(f"vjp ({shape})", got["vjp"], (B.shape[1],))
        _array_close(f"vjp ({shape})", got["vjp"], np.array(c["v"]) @ J, rtol=1e-5, atol=1e-6)


CHECKS = [
    Check(grade_id="q1_jacobian", probe=_Q1_PROBE, verify=_q1_verify),
    Check(grade_id="q2_passes", inputs=_q2_inputs, probe=_Q2_FN_PROBE, verify=_q2_fn_verify),
    Check(grade_id="q2_passes", probe=_Q2_VALUE_PROBE, verify=_q2_value_verify),
    Check(grade_id="q3_normalize_vjp", inputs=_q3_inputs, probe=_Q3_PROBE, verify=_q3_verify),
    Check(grade_id="q4_checkpoint", inputs=_q4_inputs, probe=_Q4_FN_PROBE, verify=_q4_fn_verify),
    Check(grade_id="q4_checkpoint", probe=_Q4_VALUE_PROBE, verify=_q4_value_verify),
    Check(grade_id="q5_jvp_vjp", inputs=_q5_inputs, probe=_Q5_PROBE, verify=_q5_verify),
]
