"""Every op's backward against central differences (bpcourse.gradcheck, float64)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bpcourse
from tests.tensor._cases import CASES, case_inputs


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@settings(max_examples=3, deadline=None, derandomize=True)
@given(data=st.data())
def test_gradcheck(case, data) -> None:
    xs = [bpcourse.tensor(x) for x in data.draw(case_inputs(case, np.float64))]
    for x in xs:
        if x.is_floating_point():
            x.requires_grad_(True)
    result = bpcourse.gradcheck(lambda *a: case.fn(bpcourse, *a), xs)
    assert result.passed, f"{case.name}:\n{result!r}"


def test_gradcheck_catches_a_wrong_backward() -> None:
    class BadSquare(bpcourse.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x  # should be 2 * g * x

    x = bpcourse.tensor([0.5, -1.0, 2.0], dtype=bpcourse.float64, requires_grad=True)
    result = bpcourse.gradcheck(BadSquare.apply, [x])
    assert not result.passed
    assert result.checks[0].verdict == "wrong"
    assert "FAILED" in repr(result) and "wrong" in repr(result)
    assert "<table>" in result._repr_html_()
