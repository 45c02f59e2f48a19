"""What a learner meets reading the graph and the numbers, each against torch 2.13:
``grad_fn.next_functions`` (AccumulateGrad leaves, linear's addmm order), the warning on a
non-leaf's ``.grad``, inf and nan without numpy's RuntimeWarnings, and ``view`` that never copies."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import bpcourse
from bpcourse.course import count_graph_nodes, graph_ops


def names(next_functions: tuple) -> list:
    return [None if node is None else type(node).__name__ for node, _ in next_functions]


# ----- grad_fn.next_functions --------------------------------------------------------------
EXPRESSIONS = {
    "a * 2": lambda m, a, b: a * 2,
    "2 * a": lambda m, a, b: 2 * a,
    "a + 1": lambda m, a, b: a + 1,
    "1 - a": lambda m, a, b: 1 - a,
    "a / 2": lambda m, a, b: a / 2,
    "2 / a": lambda m, a, b: 2 / a,
    "a ** 2": lambda m, a, b: a ** 2,
    "a * b": lambda m, a, b: a * b,
    "b * a": lambda m, a, b: b * a,
    "exp(a).sum()": lambda m, a, b: a.exp().sum(),
    "where": lambda m, a, b: m.where(a > 0, a, 0.0),
    "cat": lambda m, a, b: m.cat([a, b, a]),
    "mse": lambda m, a, b: m.nn.functional.mse_loss(a, b),
    "cross_entropy": lambda m, a, b: m.nn.functional.cross_entropy(a.view(1, 3), m.tensor([1])),
    "a @ a": lambda m, a, b: a @ a,
}


@pytest.mark.parametrize("name", list(EXPRESSIONS))
def test_next_functions_show_leaves_as_accumulate_grad_and_constants_as_none(name):
    def run(m):
        a = m.tensor([0.5, -1.0, 2.0], requires_grad=True)
        b = m.tensor([1.0, 2.0, 3.0])
        fn = EXPRESSIONS[name](m, a, b).grad_fn
        return names(fn.next_functions), [names(f.next_functions) for f, _ in fn.next_functions if f is not None]

    assert run(bpcourse) == run(torch)


@pytest.mark.parametrize("x_requires_grad", [False, True])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x_shape", [(4, 3), (2, 4, 3), (3,)])
def test_linear_next_functions_are_torch_addmm_bias_input_transposed_weight(x_requires_grad, bias, x_shape):
    def run(m):
        m.manual_seed(0)
        layer = m.nn.Linear(3, 2, bias=bias)
        x = m.ones(*x_shape, requires_grad=x_requires_grad)
        fn = layer(x).grad_fn
        chain = []
        frontier = [fn]
        while frontier:  # the node names level by level, down to the leaves
            chain.append([type(f).__name__ for f in frontier])
            frontier = [g for f in frontier for g, _ in f.next_functions if g is not None]
        return names(fn.next_functions), chain

    assert run(bpcourse) == run(torch)


def test_accumulate_grad_is_the_leaf_node_as_in_the_60_minute_blitz():
    w = bpcourse.tensor([1.0, 2.0], requires_grad=True)
    loss = ((w * 3).sum() - 1) ** 2
    mul = loss.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0]
    acc = mul.next_functions[0][0]
    assert type(mul).__name__ == "MulBackward0" and type(acc).__name__ == "AccumulateGrad"
    assert acc.variable is w and acc.next_functions == () and acc.name() == "torch::autograd::AccumulateGrad"
    assert repr(acc).startswith("<AccumulateGrad object at 0x")
    assert mul.next_functions[0][0] is acc  # one node per leaf, as torch's
    loss.backward()  # looking at the graph did not change what backward does
    np.testing.assert_allclose(w.grad.numpy(), 2 * (9 - 1) * 3 * np.ones(2))


def test_graph_counts_and_names_now_match_torch_with_the_leaf_node():
    def add_up(m, n):
        w = m.tensor([1.0], requires_grad=True)
        total = 0
        for i in range(n):
            total += (float(i) * w - 1.0) ** 2
        return total

    for n in (1, 10):
        assert count_graph_nodes(add_up(bpcourse, n)) == count_graph_nodes(add_up(torch, n)) == 4 * n + 1
    assert graph_ops(add_up(bpcourse, 2)) == graph_ops(add_up(torch, 2))


# ----- the warning on a non-leaf's .grad -------------------------------------------------------
def caught(m, read):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.sum().backward()
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        value = read(x, y)
    return value, [(r.category, str(r.message), r.filename) for r in records]


def test_reading_a_non_leaf_grad_warns_with_torch_text_at_the_learner_line():
    ours, theirs = caught(bpcourse, lambda x, y: y.grad), caught(torch, lambda x, y: y.grad)
    assert ours[0] is None and theirs[0] is None
    assert len(ours[1]) == 1 and ours[1][0][:2] == theirs[1][0][:2]
    assert ours[1][0][0] is UserWarning and "retain_grad()" in ours[1][0][1]
    assert ours[1][0][2] == __file__  # stacklevel: the warning names the line that read .grad


def test_leaf_and_retained_grads_read_without_a_warning():
    assert caught(bpcourse, lambda x, y: x.grad)[1] == []

    def retained(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.retain_grad()
        y.sum().backward()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return y.grad.tolist()

    assert retained(bpcourse) == retained(torch) == [1.0, 1.0]


def test_a_training_loop_reads_grads_without_a_warning():
    bpcourse.manual_seed(0)
    model = bpcourse.nn.Sequential(bpcourse.nn.Linear(4, 8), bpcourse.nn.ReLU(), bpcourse.nn.Linear(8, 3))
    opt = bpcourse.optim.Adam(model.parameters(), lr=0.01)
    x, target = bpcourse.randn(16, 4), bpcourse.tensor([0, 1, 2, 1] * 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            opt.zero_grad()
            bpcourse.nn.functional.cross_entropy(model(x), target).backward()
            opt.step()
        model.zero_grad()


# ----- inf and nan without numpy's RuntimeWarnings ---------------------------------------------
FORWARD = {
    "log(0)": lambda m: m.log(m.tensor(0.0)),
    "log(-1)": lambda m: m.log(m.tensor([-1.0, 1.0])),
    "exp(100)": lambda m: m.exp(m.tensor(100.0)),
    "exp(1000) float64": lambda m: m.exp(m.tensor([1000.0] * 300, dtype=m.float64)),
    "log(0) on 300 numbers": lambda m: m.log(m.zeros(300)),
    "0 / 0": lambda m: m.tensor(0.0) / m.tensor(0.0),
    "1 / 0": lambda m: m.tensor([1.0, -1.0]) / 0,
    "reciprocal": lambda m: 1 / m.tensor([0.0, 2.0]),
    "0 ** -1": lambda m: m.tensor(0.0) ** -1,
    "(-1) ** 0.5": lambda m: m.tensor([-1.0]) ** m.tensor([0.5]),
    "sqrt(-1)": lambda m: m.sqrt(m.tensor(-1.0)),
    "sigmoid(-1000)": lambda m: m.sigmoid(m.tensor([-1000.0, 1000.0])),
}

BACKWARD = {
    "log at 0": (lambda m, x: m.log(x), [0.0, 1.0]),
    "sqrt at 0": (lambda m, x: m.sqrt(x), [0.0, 4.0]),
    "1 / x at 0": (lambda m, x: 1 / x, [0.0, 1.0]),
    "b / x at 0": (lambda m, x: m.tensor([1.0, 0.0]) / x, [0.0, 0.0]),
    "exp at 100": (lambda m, x: m.exp(x), [100.0]),
    "x ** 0.5 at 0": (lambda m, x: x ** 0.5, [0.0]),
    "log(exp(x)) overflow": (lambda m, x: m.log(m.exp(x)), [100.0, 1.0]),
    "x ** x at -1, 0, 2": (lambda m, x: x ** x, [-1.0, 0.0, 2.0]),  # d/db of a ** b: nan for a < 0
    "x ** (x - 1) at 0": (lambda m, x: x ** (x - 1), [0.0, 1.0]),
    "0 ** x": (lambda m, x: 0 ** x, [-1.0, 0.0, 2.0]),
}


def silently(f):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning fails the test
        return f()


@pytest.mark.parametrize("name", list(FORWARD))
def test_inf_and_nan_come_silently_as_in_torch(name):
    np.testing.assert_array_equal(silently(lambda: FORWARD[name](bpcourse)).numpy(), FORWARD[name](torch).numpy())


@pytest.mark.parametrize("name", list(BACKWARD))
@pytest.mark.parametrize("how", ["backward", "autograd.grad"])
def test_inf_and_nan_gradients_come_silently_as_in_torch(name, how):
    f, values = BACKWARD[name]

    def grad(m):
        x = m.tensor(values, requires_grad=True)
        y = f(m, x).sum()
        if how == "backward":
            y.backward()
            return x.grad.numpy()
        return m.autograd.grad(y, x)[0].numpy()

    np.testing.assert_array_equal(silently(lambda: grad(bpcourse)), grad(torch))


def test_the_learners_numpy_error_settings_are_left_alone():
    before = np.geterr()
    silently(lambda: bpcourse.log(bpcourse.tensor([0.0], requires_grad=True)).sum().backward())
    assert np.geterr() == before
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        np.log(np.zeros(1))  # the learner's own numpy still warns


# ----- view never copies; contiguous ------------------------------------------------------------
VIEWS = {
    "t().view(-1)": lambda m, x: x.t().view(-1),
    "t().view(3, 2)": lambda m, x: x.t().view(3, 2),
    "t().view(3, 2, 1)": lambda m, x: x.t().view(3, 2, 1),
    "[:, :2].view(-1)": lambda m, x: x[:, :2].view(-1),
    "[:, 1].view(-1)": lambda m, x: x[:, 1].view(-1),
    "[1].view(3, 1)": lambda m, x: x[1].view(3, 1),
    "expand.view(-1)": lambda m, x: m.ones(3, 1).expand(3, 4).view(-1),
    "expand.view(3, 2, 2)": lambda m, x: m.ones(3, 1).expand(3, 4).view(3, 2, 2),
    "(1, 3).t().view(-1)": lambda m, x: m.ones(1, 3).t().view(-1),
    "permute.view(2, -1)": lambda m, x: m.ones(2, 3, 4).permute(0, 2, 1).view(2, -1),
    "permute.view(3, 2, 2, 2)": lambda m, x: m.ones(2, 3, 4).permute(1, 0, 2).view(3, 2, 2, 2),
    "t().view_as(6 elements)": lambda m, x: x.t().view_as(m.ones(6)),
    "t().reshape(-1)": lambda m, x: x.t().reshape(-1),
    "t().contiguous().view(-1)": lambda m, x: x.t().contiguous().view(-1),
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_view_refuses_to_copy_as_torch_does(name):
    def run(m):
        x = m.arange(6.0).reshape(2, 3)
        try:
            out = VIEWS[name](m, x)
        except RuntimeError as e:
            return "error", str(e)
        return out.tolist(), out.is_contiguous()

    assert run(bpcourse) == run(torch)


def test_contiguous_copies_only_when_needed_and_passes_the_gradient():
    for m in (bpcourse, torch):
        x = m.ones(2, 3, requires_grad=True)
        assert x.contiguous() is x and x.is_contiguous() and not x.t().is_contiguous()
        c = x.t().contiguous()
        assert c.is_contiguous() and type(c.grad_fn).__name__ == "CloneBackward0"
        assert c.view(-1).tolist() == [1.0] * 6
        (c * m.arange(6.0).view(3, 2)).sum().backward()
        assert x.grad.tolist() == [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]]
