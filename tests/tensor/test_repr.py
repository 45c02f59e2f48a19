"""repr/str of tensors, printed as torch prints them: a table of cases run in both engines."""
from __future__ import annotations

import pytest
import torch

import bpcourse

CASES = [
    "t.tensor([1.0], requires_grad=True)",
    "t.tensor(4.0) * t.tensor(1.0, requires_grad=True)",
    "(t.tensor([1.0], requires_grad=True) * 4).sum()",
    "t.Tensor([1.0])",
    "t.tensor([1.0, 2.5])",
    "t.tensor([-1.5, 2.0, 0.0])",
    "t.tensor([[1, 2], [3, 4]])",
    "t.tensor([1e-5, 1.0])",
    "t.tensor([1e9, 1.0])",
    "t.tensor([123456.789, 0.001])",
    "t.tensor([0.0, 0.0])",
    "t.tensor([1.0, float('nan'), float('inf'), -float('inf')])",
    "t.tensor([1.5, float('nan')])",
    "t.tensor(3.0, dtype=t.float64)",
    "t.tensor([1.0, 2.0], dtype=t.float64, requires_grad=True)",
    "t.tensor([1, 2], dtype=t.int32)",
    "t.tensor([True, False])",
    "t.tensor(-0.0)",
    "t.zeros(0)",
    "t.zeros(0, 3)",
    "t.arange(2000).float()",
    "t.arange(12.0).reshape(3, 4) / 7",
    "t.arange(60.0).reshape(3, 4, 5)",
    "t.arange(30.0) / 7",
    "t.arange(30)",
    "t.linspace(0, 1, 25)",
    "t.ones(2, 3) * 1e-8",
    "t.tensor([[0.1, -20.0], [300.0, 4000.5]])",
    "t.nn.Parameter(t.ones(2))",
    "t.tensor([1.0, 2.0], requires_grad=True) * 2",
    "t.tensor([[1.0, 2.0]], requires_grad=True) @ t.tensor([[3.0], [4.0]])",
    "t.tensor([1.0, 2.0], requires_grad=True).sigmoid()",
    "t.tensor([1.0, 2.0], requires_grad=True) / 3",
    "t.tensor([1.0, 2.0], requires_grad=True) + 1",
    "t.tensor([1.0, 2.0], requires_grad=True) - 1",
    "t.tensor([1.0, 2.0], requires_grad=True) ** 2",
    "t.tensor([1.0, 2.0], requires_grad=True).mean()",
    "t.tensor([[1.0, 2.0]], requires_grad=True).sum(dim=1)",
    "t.tensor([[1.0, 2.0]], requires_grad=True).view(2)",
    "t.tensor([[1.0, 2.0]], requires_grad=True)[0]",
    "t.tensor([1.0, 2.0], requires_grad=True).exp()",
    "t.tensor([1.0, 2.0], requires_grad=True).relu()",
    "t.tensor([1.0, 2.0], requires_grad=True).tanh()",
    "t.arange(300.0, requires_grad=True) * 1.5",
    "t.tensor([1.0, 2.0]).shape",
]


@pytest.mark.parametrize("expr", CASES)
def test_repr_matches_torch(expr: str) -> None:
    ours = repr(eval(expr, {"t": bpcourse}))
    theirs = repr(eval(expr, {"t": torch}))
    assert ours == theirs


def test_str_and_format() -> None:
    x = bpcourse.tensor(2.5)
    assert str(x) == "tensor(2.5000)"
    assert f"{x:.2f}" == "2.50"
    assert f"{(x * 2).item()}" == "5.0"
