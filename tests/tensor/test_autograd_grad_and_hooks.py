"""torch.autograd.grad, create_graph, jacobian/hessian and tensor hooks, each against torch.

Every test runs the same lines on both engines (``t`` is bpcourse or torch) and compares what a
learner would print or read."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import bpcourse

ENGINES = [bpcourse, torch]


def both(fn):
    """fn(t) under bpcourse and under torch."""
    return fn(bpcourse), fn(torch)


def close(a, b) -> bool:
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if a is None or b is None:
        return a is None and b is None
    return tuple(a.shape) == tuple(b.shape) and np.allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_second_derivative_of_a_cube_through_grad_with_create_graph() -> None:
    def run(t):
        x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (dy,) = t.autograd.grad((x ** 3).sum(), x, create_graph=True)
        (d2y,) = t.autograd.grad(dy.sum(), x)
        return dy, d2y, dy.requires_grad, type(dy.grad_fn).__name__
    ours, theirs = both(run)
    assert close(ours[:2], theirs[:2]) and ours[2:] == theirs[2:]
    assert ours[1].tolist() == [6.0, 12.0, 18.0]


def test_backward_with_create_graph_gives_a_grad_that_has_a_graph() -> None:
    def run(t):
        x = t.tensor([0.5, -1.0], requires_grad=True)
        (x.sin() * x).sum().backward(create_graph=True)
        first = x.grad
        g = first.sum()
        x.grad = None
        g.backward()
        return first, x.grad, first.requires_grad, repr(first).split("grad_fn=")[1]
    with pytest.warns(UserWarning, match="reference cycle"):
        ours = run(bpcourse)
    theirs = run(torch)
    assert close(ours[:2], theirs[:2]) and ours[2:] == theirs[2:]


def test_retain_graph_defaults_to_create_graph() -> None:
    for t in ENGINES:
        x = t.tensor([2.0], requires_grad=True)
        y = (x * x).sum()
        t.autograd.grad(y, x, create_graph=True)
        t.autograd.grad(y, x)  # allowed: the first call kept the graph
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            t.autograd.grad(y, x)


def test_grad_errors_are_torchs() -> None:
    for t in ENGINES:
        w = t.tensor([1.0], requires_grad=True)
        unused = t.tensor([1.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="index 1 appears to not have been used in the graph. Set "
                                               "allow_unused=True"):
            t.autograd.grad((w * 2).sum(), [w, unused])
        with pytest.raises(RuntimeError, match="does not require grad"):
            t.autograd.grad((w * 2).sum(), [t.tensor([1.0])])
        with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
            t.autograd.grad(t.tensor(1.0) * 2, [w])
        with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
            t.autograd.grad(w * t.ones(3), [w])
        g, none = t.autograd.grad((w * 2).sum(), [w, unused], allow_unused=True)
        assert none is None and g.tolist() == [2.0]
        g, zeros = t.autograd.grad((w * 2).sum(), [w, unused], materialize_grads=True)
        assert zeros.tolist() == [0.0]


def test_grad_leaves_dot_grad_alone_and_accepts_grad_outputs() -> None:
    def run(t):
        x = t.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = x @ x
        (g,) = t.autograd.grad(y, x, grad_outputs=t.ones_like(y))
        return g, x.grad
    ours, theirs = both(run)
    assert close(ours[0], theirs[0]) and ours[1] is None and theirs[1] is None


def test_grad_of_an_intermediate_tensor() -> None:
    def run(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        y = (h * h).sum()
        return t.autograd.grad(y, [h, x])
    ours, theirs = both(run)
    assert close(ours, theirs)


def test_newton_step_on_a_quadratic_lands_on_the_minimum() -> None:
    for t in ENGINES:
        w = t.tensor(5.0, requires_grad=True)
        loss = (w - 2) ** 2 + 1
        (g,) = t.autograd.grad(loss, w, create_graph=True)
        (h,) = t.autograd.grad(g, w)
        with t.no_grad():
            w -= g / h
        assert abs(w.item() - 2.0) < 1e-6


def test_gradient_penalty_trains_through_the_gradient_norm() -> None:
    def run(t):
        t.manual_seed(0)
        x = t.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
        w = t.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
        out = t.tanh(x @ w).sum()
        (gx,) = t.autograd.grad(out, x, create_graph=True)
        penalty = ((gx.norm(dim=1) - 1) ** 2).mean()
        penalty.backward()
        return penalty, w.grad, x.grad
    ours, theirs = both(run)
    assert close(ours, theirs)


def test_jacobian_and_hessian_match_torchs() -> None:
    def run(t):
        x = t.tensor([0.5, -1.0, 2.0], dtype=t.float64)
        y = t.tensor([1.0, 2.0], dtype=t.float64)
        f = lambda a: t.stack([(a * a).sum(), a.sin().prod() if hasattr(a, "prod") else a.sin()[0] * a.sin()[1] * a.sin()[2]])  # noqa: E731
        g = lambda a, b: (a.exp().sum() * b).sum()  # noqa: E731
        jac = t.autograd.functional.jacobian(f, x)
        hess = t.autograd.functional.hessian(lambda a: (a ** 3).sum() + (a[0] * a[1]), x)
        jac2 = t.autograd.functional.jacobian(g, (x, y))
        hess2 = t.autograd.functional.hessian(g, (x, y))
        return jac, hess, jac2, hess2
    ours, theirs = both(run)
    assert close(ours[0], theirs[0]) and close(ours[1], theirs[1])
    assert close(ours[2], theirs[2])
    assert all(close(a, b) for row_a, row_b in zip(ours[3], theirs[3]) for a, b in zip(row_a, row_b))


def test_hooks_replace_the_gradient_run_in_order_and_are_removable() -> None:
    def run(t):
        seen = []
        a = t.tensor([1.0, 2.0], requires_grad=True)
        b = a * 2
        b.register_hook(lambda g: seen.append(("b", g.tolist())))
        b.retain_grad()
        h = b.register_hook(lambda g: g * 10)
        a.register_hook(lambda g: seen.append(("a", g.tolist())))
        c = (b * b).sum()
        c.backward(retain_graph=True)
        first = (a.grad.tolist(), b.grad.tolist())
        h.remove()
        a.grad = None
        b.grad = None
        c.backward()
        return seen, first, (a.grad.tolist(), b.grad.tolist())
    assert run(bpcourse) == run(torch)


def test_hook_on_a_tensor_without_grad_is_refused_and_bad_hooks_are_named() -> None:
    for t in ENGINES:
        with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
            t.ones(2).register_hook(print)
    x = bpcourse.ones(2, requires_grad=True)
    x.register_hook(lambda g: bpcourse.ones(3))
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        (x * 2).sum().backward()


def test_backward_order_and_leaf_hooks_follow_torch_on_a_diamond() -> None:
    def run(t):
        seen = []
        x = t.tensor([1.0], requires_grad=True)
        b = x * 3
        a = x * 2
        for name, v in (("a", a), ("b", b), ("x", x)):
            v.register_hook(lambda g, name=name: seen.append(name))
        (a * b).sum().backward()
        return seen, x.grad.tolist()
    assert run(bpcourse) == run(torch)


def test_backward_gradient_and_retain_graph_then_inputs() -> None:
    def run(t):
        x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
        w = t.tensor([0.5], requires_grad=True)
        y = x * x * w
        y.backward(t.tensor([1.0, 0.1, 0.01]), retain_graph=True)
        first = x.grad.clone()
        y.backward(t.tensor([1.0, 1.0, 1.0]), inputs=[w])
        return first, x.grad, w.grad
    ours, theirs = both(run)
    assert close(ours, theirs)
