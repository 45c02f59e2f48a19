"""Every op against torch: values and gradients, random shapes (broadcasting included).

One line per op lives in ``_cases.py``; here each case runs through ``compare_with_torch``
in float64 (tolerance 1e-10) and float32 (tolerance 1e-4 relative).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse import compare_with_torch
from tests.tensor._cases import CASES, case_inputs


def _explain(case, xs, r) -> str:
    return f"{case.name} on shapes {[x.shape for x in xs]}:\n{r!r}"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_float64_values_and_grads_match_torch(case, data) -> None:
    xs = data.draw(case_inputs(case, np.float64))
    r = compare_with_torch(case.fn, xs, rtol=1e-10, atol=1e-10)
    assert r.passed, _explain(case, xs, r)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_float32_values_and_grads_match_torch(case, data) -> None:
    xs = data.draw(case_inputs(case, np.float32))
    r = compare_with_torch(case.fn, xs, rtol=1e-4, atol=1e-5)
    assert r.passed, _explain(case, xs, r)
    assert r.value_bp.dtype == r.value_torch.dtype == np.float32 or case.name.startswith("index_mask")


def _second_derivatives(t, case, xs: list) -> tuple:
    """First derivatives of sum(w * f(x)) and the Hessian-vector products sum_i H_i v_i
    (one more backward through the first derivatives' graph), as float64 arrays."""
    rng = np.random.default_rng(len(xs))
    inputs = [t.tensor(x, requires_grad=x.dtype.kind == "f") for x in xs]
    wanted = [x for x in inputs if x.requires_grad]
    y = case.fn(t, *inputs)
    w = t.tensor(rng.uniform(0.5, 1.5, tuple(y.shape)), dtype=y.dtype)
    firsts = t.autograd.grad((y * w).sum(), wanted, create_graph=True, allow_unused=True)
    firsts = [t.zeros_like(x) if g is None else g for x, g in zip(wanted, firsts)]
    s = sum((g * t.tensor(rng.uniform(-1, 1, tuple(g.shape)), dtype=g.dtype)).sum() for g in firsts)
    if s.requires_grad:
        seconds = t.autograd.grad(s, wanted, allow_unused=True)
    else:  # every first derivative is constant: the second derivatives are 0
        seconds = [None] * len(wanted)
    def as_array(g, x) -> np.ndarray:
        if g is None:
            return np.zeros(tuple(x.shape))
        # torch may return a ZeroTensor (a known-zero derivative), which .numpy() refuses without force
        return (g.detach().numpy(force=True) if t.__name__ == "torch" else g.detach().numpy()).astype(np.float64)

    return ([as_array(g, x) for g, x in zip(firsts, wanted)],
            [as_array(g, x) for g, x in zip(seconds, wanted)])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_float64_second_derivatives_match_torchs_double_backward(case, data) -> None:
    import torch

    import bpcourse

    xs = data.draw(case_inputs(case, np.float64))
    first_bp, second_bp = _second_derivatives(bpcourse, case, xs)
    first_torch, second_torch = _second_derivatives(torch, case, xs)
    for kind, ours, theirs in (("first", first_bp, first_torch), ("second", second_bp, second_torch)):
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert a.shape == b.shape and np.allclose(a, b, rtol=1e-9, atol=1e-9), (
                f"{case.name} on shapes {[x.shape for x in xs]}: {kind} derivative of input {i}:\n"
                f"bpcourse {a!r}\ntorch    {b!r}")
