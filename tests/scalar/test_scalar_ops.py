"""Every op of bpcourse.scalar.Value: value and gradient vs torch, and vs central differences."""
from __future__ import annotations

import math

import pytest
import torch

from bpcourse.scalar import Value
from scalar_cases import CASE_IDS, CASES, close

POINTS = [-2.3, -0.7, 0.4, 1.3, 3.1]


def points_for(arity, domain):
    if arity == 1:
        return [(x,) for x in POINTS if domain(x)]
    return [(x, y) for x in POINTS for y in POINTS[::-1] if domain(x, y)]


@pytest.mark.parametrize("name,f,f_torch,arity,domain", CASES, ids=CASE_IDS)
def test_op_matches_torch(name, f, f_torch, arity, domain):
    for xs in points_for(arity, domain):
        vs = [Value(x) for x in xs]
        out = f(*vs)
        out.backward()
        ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
        out_t = f_torch(*ts)
        out_t.backward()
        assert close(out.data, out_t.item()), f"{name}{xs}: value {out.data} != torch {out_t.item()}"
        for v, t in zip(vs, ts):
            assert close(v.grad, t.grad.item()), f"{name}{xs}: grad {v.grad} != torch {t.grad.item()}"


@pytest.mark.parametrize("name,f,f_torch,arity,domain", CASES, ids=CASE_IDS)
def test_op_matches_central_differences(name, f, f_torch, arity, domain):
    h = 1e-6
    for xs in points_for(arity, domain):
        vs = [Value(x) for x in xs]
        f(*vs).backward()
        for i, v in enumerate(vs):
            up = list(xs); up[i] += h
            down = list(xs); down[i] -= h
            numeric = (f(*map(Value, up)).data - f(*map(Value, down)).data) / (2 * h)
            rel = abs(v.grad - numeric) / max(abs(v.grad), abs(numeric), 1e-12)
            if v.grad == numeric == 0.0:
                rel = 0.0
            assert rel < 1e-7, (f"{name}{xs}: d/dx{i} received {v.grad} but central differences give "
                                f"{numeric} (relative error {rel:.1e})")


def test_results_are_floats_and_leaves_start_at_zero():
    x = Value(3)
    assert isinstance(x.data, float) and x.grad == 0.0 and x.op == "" and x.parents == ()
    y = x * 2 + 1
    assert isinstance(y.data, float) and y.data == 7.0


def test_relu_at_zero_has_derivative_zero_like_torch_and_micrograd():
    x = Value(0.0)
    x.relu().backward()
    assert x.grad == 0.0


def test_sigmoid_does_not_overflow():
    for x in (-800.0, 800.0):
        v = Value(x)
        s = v.sigmoid()
        s.backward()
        assert s.data == (0.0 if x < 0 else 1.0) and v.grad == 0.0


def test_numpy_scalars_on_either_side():
    import numpy as np

    x = Value(2.0)
    for y in (np.float64(3.0) * x, x * np.float64(3.0), np.float32(3.0) * x, np.int64(3) * x):
        assert isinstance(y, Value) and y.data == 6.0


def test_division_is_correctly_rounded():
    # a / b is its own op (not a * b**-1 as in micrograd), so it rounds like float division
    assert (Value(1.0) / Value(3.0)).data == 1.0 / 3.0
    assert (10.0 / Value(7.0)).data == 10.0 / 7.0


def test_ops_record_name_inputs_in_order_and_local_gradients():
    a, b = Value(2.0, label="a"), Value(5.0, label="b")
    for out, op, local in [(a + b, "+", (1.0, 1.0)), (a - b, "-", (1.0, -1.0)), (a * b, "*", (5.0, 2.0)),
                           (a / b, "/", (0.2, -2.0 / 25))]:
        assert out.op == op and out._op == op
        assert out.parents == (a, b) and out._prev == (a, b)
        assert out.local_grads == pytest.approx(local)
    for out, op in [(a**2, "**2"), (-a, "neg"), (a.relu(), "ReLU"), (a.tanh(), "tanh"),
                    (a.sigmoid(), "sigmoid"), (a.exp(), "exp"), (a.log(), "log")]:
        assert out.op == op and out.parents == (a,) and len(out.local_grads) == 1
    c = 3 * a
    assert c.parents[1] is a and c.parents[0].data == 3.0  # a number becomes a leaf Value, as in micrograd
