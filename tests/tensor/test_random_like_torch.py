"""manual_seed(s) then rand / uniform_ / nn.Linear's initial weights give torch's exact numbers."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import bpcourse


@pytest.mark.parametrize("seed", [0, 1, 42, 2**40 + 5])
def test_uniform_draws_and_linear_init_equal_torchs(seed):
    draws = {}
    for t in (bpcourse, torch):
        t.manual_seed(seed)
        layer = t.nn.Linear(7, 5)
        draws[t.__name__] = [layer.weight.detach().numpy().copy(), layer.bias.detach().numpy().copy(),
                             t.rand(3, 4).numpy(), t.rand(5, dtype=t.float64).numpy(),
                             t.empty(9).uniform_(-2, 3).numpy()]
    for ours, theirs in zip(draws["bpcourse"], draws["torch"]):
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)


def test_same_seed_same_stream_other_seed_other_numbers():
    bpcourse.manual_seed(3)
    a = bpcourse.randn(4).numpy()
    bpcourse.manual_seed(3)
    assert np.array_equal(a, bpcourse.randn(4).numpy())
    bpcourse.manual_seed(4)
    assert not np.array_equal(a, bpcourse.randn(4).numpy())
