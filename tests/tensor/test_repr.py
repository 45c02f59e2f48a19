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

# torch's grad_fn names (the graph pictures and reprs show them)
X = "t.tensor([1.0, 2.0], requires_grad=True)"
W = "t.ones(3, 2, requires_grad=True)"
GRAD_FN_CASES = [e.replace("X", X).replace("W", W) for e in [
    "1 - X", "2 / X", "2 ** X", "X ** X", "X.clamp(min=0)", "X.clamp(0, 1)", "X.float()", "X.double()",
    "t.nn.functional.linear(X, W, t.ones(3))", "t.nn.functional.linear(X, W)",
    "t.nn.functional.linear(X.view(1, 2), W)", "t.cat([X, X])", "t.stack([X, X])", "X.max()",
    "X.view(1, 2).max(dim=1)[0]", "X.view(1, 2).sum(dim=(0, 1))", "X.abs()", "X.sqrt()", "X.sin()",
    "X @ X", "W @ X", "X.view(2, 1).expand(2, 3)", "X.unsqueeze(0)", "X.view(1, 2).squeeze(0)",
    "X.view(1, 2).squeeze()", "X.flatten()", "X[[0, 1]]", "X[X > 1]", "X.view(1, 2).transpose(0, 1)",
    "X.clone()", "X.mean()", "X.view(1, 2).mean(0)", "X.view(1, 2).T", "X.view(1, 2).t()", "X.reciprocal()",
    "t.softmax(X, 0)", "t.log_softmax(X, 0)", "t.nn.functional.mse_loss(X, t.ones(2))",
    "t.nn.functional.binary_cross_entropy(X.sigmoid(), t.ones(2))",
    "t.nn.functional.cross_entropy(X.view(1, 2), t.tensor([1]))",
]]
CASES += GRAD_FN_CASES


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
