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
