"""torch's autograd semantics, one test each; every error checks that its message names the problem."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import bpcourse
from bpcourse import nn


def test_requires_grad_defaults_to_false_and_propagates() -> None:
    a = bpcourse.tensor([1.0, 2.0])
    b = bpcourse.tensor([3.0, 4.0], requires_grad=True)
    assert not a.requires_grad and b.requires_grad
    assert not (a * 2).requires_grad and (a * 2).grad_fn is None
    c = a * b
    assert c.requires_grad and c.grad_fn is not None


def test_leaf_and_non_leaf() -> None:
    w = bpcourse.tensor([1.0], requires_grad=True)
    y = w * 3
    assert w.is_leaf and not y.is_leaf
    assert bpcourse.tensor([1.0]).is_leaf
    y.sum().backward()
    assert w.grad is not None and y.grad is None  # only leaves keep .grad by default


def test_retain_grad_keeps_a_non_leaf_gradient() -> None:
    w = bpcourse.tensor([1.0, 2.0], requires_grad=True)
    y = w * 3
    y.retain_grad()
    (y * y).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [6.0, 12.0])


def test_grad_accumulates_until_zeroed() -> None:
    w = bpcourse.tensor([2.0], requires_grad=True)
    for _ in range(3):
        (w * w).sum().backward()
    assert w.grad.item() == 12.0
    w.grad.zero_()
    assert w.grad.item() == 0.0
    (w * w).sum().backward()
    assert w.grad.item() == 4.0


def test_second_backward_raises_and_retain_graph_allows_it() -> None:
    x = bpcourse.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()
    z = (x * x).sum()
    z.backward(retain_graph=True)
    z.backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0 + 4.0, 4.0 + 8.0])  # 1 + 2 backward calls


def test_non_scalar_backward_needs_a_gradient() -> None:
    x = bpcourse.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    (x * 2).backward(bpcourse.tensor([1.0, 10.0]))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 20.0])


def test_backward_without_grad_raises() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        bpcourse.tensor([1.0]).backward()


def test_item_needs_exactly_one_element() -> None:
    assert bpcourse.tensor([[2.5]]).item() == 2.5
    assert isinstance(bpcourse.tensor([3.0]).item(), float)
    with pytest.raises(RuntimeError, match="only one element tensors can be converted to Python scalars"):
        bpcourse.tensor([1.0, 2.0]).item()


def test_in_place_on_a_leaf_that_requires_grad_is_refused() -> None:
    w = bpcourse.tensor([1.0], requires_grad=True)
    msg = "a leaf Variable that requires grad is being used in an in-place operation."
    for update in (lambda: w.__isub__(1.0), lambda: w.__iadd__(1.0), lambda: w.zero_(), lambda: w.mul_(2)):
        with pytest.raises(RuntimeError, match=msg):
            update()
    with bpcourse.no_grad():
        w -= 0.5
    assert w.item() == 0.5 and w.is_leaf and w.requires_grad


def test_in_place_on_a_non_leaf_is_recorded_like_torch() -> None:
    def program(t):
        x = t.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = x * 2
        y += x * x
        y *= 3
        y.sum().backward()
        return y.detach().numpy(), x.grad.numpy()

    ours, theirs = program(bpcourse), program(torch)
    np.testing.assert_allclose(ours[0], theirs[0])
    np.testing.assert_allclose(ours[1], theirs[1])


def test_no_grad_records_nothing_and_works_as_decorator() -> None:
    w = bpcourse.tensor([1.0], requires_grad=True)
    with bpcourse.no_grad():
        y = w * 2
    assert not y.requires_grad and y.grad_fn is None
    assert bpcourse.is_grad_enabled()

    @bpcourse.no_grad()
    def f(x):
        return x * 2

    assert not f(w).requires_grad


def test_data_shares_storage_and_is_assignable() -> None:
    w = bpcourse.tensor([1.0, 2.0], requires_grad=True)
    d = w.data
    assert not d.requires_grad
    d[0] = 5.0  # writes through to w, as in torch
    assert w.tolist() == [5.0, 2.0]
    w.data = bpcourse.tensor([7.0, 8.0])
    assert w.tolist() == [7.0, 8.0] and w.requires_grad and w.is_leaf
    (w * w).sum().backward()
    w.grad.data.zero_()  # the seed's idiom zeroes the real gradient
    assert w.grad.tolist() == [0.0, 0.0]


def test_detach_shares_storage_without_history() -> None:
    x = bpcourse.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf
    assert np.shares_memory(d.numpy(), y.array)


def test_numpy_refuses_a_tensor_that_requires_grad() -> None:
    x = bpcourse.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"detach\(\).numpy\(\)"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0]


def test_requires_grad_flag_rules() -> None:
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        bpcourse.tensor([1, 2]).requires_grad = True
    y = bpcourse.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf variables"):
        y.requires_grad = False


def test_dtypes_follow_torch() -> None:
    assert bpcourse.Tensor([1.0]).dtype == bpcourse.float32
    assert bpcourse.Tensor([1, 2]).dtype == bpcourse.float32
    assert bpcourse.tensor([1, 2]).dtype == bpcourse.int64
    assert bpcourse.tensor([1.0]).dtype == bpcourse.float32
    assert bpcourse.tensor(np.zeros(2)).dtype == bpcourse.float64
    assert (bpcourse.tensor([1.0]) * 0.1).dtype == bpcourse.float32  # numbers do not promote
    assert (bpcourse.tensor([1, 2]) / 2).dtype == bpcourse.float32
    assert (bpcourse.tensor([1.0]) + bpcourse.tensor([1.0], dtype=bpcourse.float64)).dtype == bpcourse.float64
    assert repr(bpcourse.float64) == "torch.float64"
    a = np.zeros(3)
    t = bpcourse.from_numpy(a)
    a[0] = 1
    assert t.dtype == bpcourse.float64 and t[0].item() == 1.0  # shares memory


def test_shape_size_view_reshape_T() -> None:
    x = bpcourse.arange(6.0).reshape(2, 3)
    assert x.shape == (2, 3) and x.size() == (2, 3) and x.size(1) == 3
    assert repr(x.shape) == "torch.Size([2, 3])"
    assert x.view(3, 2).shape == (3, 2) and x.view(-1).shape == (6,)
    assert x.T.shape == (3, 2) and x.T.tolist() == [[0, 3], [1, 4], [2, 5]]
    assert x.dim() == 2 and x.numel() == 6 and len(x) == 2


def test_shape_mismatch_names_the_op_and_both_shapes() -> None:
    a, b = bpcourse.ones(3), bpcourse.ones(4)
    with pytest.raises(RuntimeError, match=r"add.*\(3,\).*\(4,\)"):
        a + b
    with pytest.raises(RuntimeError, match=r"mul.*\(3,\).*\(4,\)"):
        a * b
    with pytest.raises(RuntimeError, match=r"matmul: inner dimensions differ: a.shape=\(3, 4\), b.shape=\(5, 2\) \(4 != 5\)"):
        bpcourse.ones(3, 4) @ bpcourse.ones(5, 2)
    with pytest.raises(RuntimeError, match=r"linear.*\(2, 3\).*\(4, 5\)"):
        nn.functional.linear(bpcourse.ones(2, 3), bpcourse.ones(4, 5))
    with pytest.raises(RuntimeError, match=r"view.*\[4\].*size 6"):
        bpcourse.ones(2, 3).view(4)


def test_indexing_basic_and_integer_arrays() -> None:
    x = bpcourse.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    y = x[0, 1:] * 1 + x[bpcourse.tensor([1, 1]), 0].sum()
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 1, 1], [4, 0, 0]])


def test_custom_function_contract() -> None:
    class Exp(bpcourse.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)  # exp' = exp: save the output
            return y

        @staticmethod
        def backward(ctx, grad_output):
            (y,) = ctx.saved_tensors
            assert isinstance(grad_output, bpcourse.Tensor) and ctx.needs_input_grad == (True,)
            return grad_output * y

    x = bpcourse.tensor([0.0, 1.0], requires_grad=True)
    y = Exp.apply(x)
    assert repr(y.grad_fn).startswith("<ExpBackward") and "grad_fn=<ExpBackward>" in repr(y)
    assert y.op == "Exp" and y.parents == (x,)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.0, 1.0]), rtol=1e-6)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.sum().backward()

    class TwoGrads(bpcourse.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        TwoGrads.apply(bpcourse.tensor([1.0], requires_grad=True)).sum().backward()


def test_graph_protocol() -> None:
    w = bpcourse.tensor([2.0], requires_grad=True)
    w.label = "w"
    x = bpcourse.tensor([3.0])
    y = w * x
    z = y.tanh()
    assert (w.op, w.parents, w.label) == ("", (), "w")
    assert y.op == "Mul" and y.parents == (w, x) and z.parents == (y,)
    assert y.label == ""
    order = bpcourse.topological_order(z)
    assert order[-1] is z and order.index(w) < order.index(y) and order.index(x) < order.index(y)
    z.backward()
    assert z.parents == (y,)  # kept after backward: only saved values are freed


def test_deep_graph_needs_no_recursion() -> None:
    x = bpcourse.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    assert len(bpcourse.topological_order(y)) == 5001  # numbers are not graph nodes
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001 ** 5000, rel=1e-3)


def test_leaves_never_share_a_gradient_buffer() -> None:
    a = bpcourse.tensor([1.0, 2.0], requires_grad=True)
    b = bpcourse.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()  # Add hands the same gradient array to both inputs
    a.grad.zero_()
    assert b.grad.tolist() == [1.0, 1.0]
    g = bpcourse.tensor([5.0, 6.0])
    c = bpcourse.tensor([0.0, 0.0], requires_grad=True)
    c.backward(g)
    c.grad.zero_()
    assert g.tolist() == [5.0, 6.0]


def test_changing_a_saved_value_in_place_is_caught() -> None:
    x = bpcourse.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1
    b = bpcourse.tensor([3.0, 4.0])
    y = (a * b).sum()  # Mul saved b
    b += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*version 1; expected version 0"):
        y.backward()
    # changing .data is not tracked, as in torch (that is why .data is dangerous)
    c = bpcourse.tensor([3.0, 4.0])
    z = (a * c).sum()
    c.data.add_(1)
    z.backward()
    assert x.grad.tolist() == [4.0, 5.0]


def test_autograd_grad_returns_instead_of_accumulating() -> None:
    x = bpcourse.tensor([1.0, 2.0], requires_grad=True)
    (g,) = bpcourse.autograd.grad((x ** 3).sum(), [x])
    assert g.tolist() == [3.0, 12.0] and x.grad is None
