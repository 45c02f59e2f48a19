"""A custom Function's backward may return a gradient shaped like the output for a broadcast input:
torch sums it back to the input's shape, and so does bpcourse; an incompatible shape is refused."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import bpcourse


def add_bias(t):
    class AddBias(t.autograd.Function):
        @staticmethod
        def forward(ctx, x, b):
            return x + b

        @staticmethod
        def backward(ctx, g):
            return g, g  # g has x's shape (3, 4); b has shape (4,) or (1, 4)

    return AddBias


@pytest.mark.parametrize("bias_shape", [(4,), (1, 4), (3, 1)])
def test_output_shaped_gradient_is_summed_back_like_torch(bias_shape):
    grads = []
    for t in (bpcourse, torch):
        x = t.ones(3, 4, requires_grad=True)
        b = t.zeros(*bias_shape, requires_grad=True)
        (add_bias(t).apply(x, b) * t.arange(12.0).reshape(3, 4)).sum().backward()
        grads.append(b.grad.numpy())
    assert grads[0].shape == bias_shape
    np.testing.assert_allclose(grads[0], grads[1])


def test_incompatible_gradient_shape_is_refused_with_torch_message():
    class Bad(bpcourse.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return bpcourse.ones(5)

    with pytest.raises(RuntimeError, match=r"invalid gradient at index 0 - got \[5\] but expected shape compatible with \[3\]"):
        Bad.apply(bpcourse.ones(3, requires_grad=True)).sum().backward()
