"""backward(): reused nodes, a second backward, zero_grad, any depth, no reference cycles."""
from __future__ import annotations

import gc
import math
import sys

import torch

from bpcourse.scalar import Value, collector_paused, zero_grad


def test_reused_node_accumulates():
    a = Value(3.0)
    b = a + a
    b.backward()
    assert a.grad == 2.0
    c = Value(3.0)
    (c * c).backward()
    assert c.grad == 6.0


def test_diamond_graph_matches_torch():
    a = Value(0.7)
    b = a.tanh()
    c = b * a + b.exp() - a / (b + 2)
    c.backward()
    at = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    bt = at.tanh()
    ct = bt * at + bt.exp() - at / (bt + 2)
    ct.backward()
    assert math.isclose(c.data, ct.item(), rel_tol=1e-12)
    assert math.isclose(a.grad, at.grad.item(), rel_tol=1e-12)


def test_second_backward_accumulates_into_leaves_like_torch_retain_graph():
    x, w = Value(2.0), Value(-3.0)
    h = x * w
    y = h.tanh() + h
    y.backward()
    first = (x.grad, w.grad, h.grad)
    y.backward()
    assert (x.grad, w.grad) == (2 * first[0], 2 * first[1])  # leaves accumulate
    assert h.grad == first[2]  # intermediate nodes show this pass's gradient
    xt = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    wt = torch.tensor(-3.0, dtype=torch.float64, requires_grad=True)
    ht = xt * wt
    yt = ht.tanh() + ht
    yt.backward(retain_graph=True)
    yt.backward()
    assert math.isclose(x.grad, xt.grad.item(), rel_tol=1e-12)
    assert math.isclose(w.grad, wt.grad.item(), rel_tol=1e-12)


def test_backward_of_a_leaf():
    x = Value(5.0)
    x.backward()
    assert x.grad == 1.0


def test_zero_grad_resets_the_whole_graph():
    x = Value(2.0)
    y = (x * 3).relu() + 1
    y.backward()
    zero_grad(y)
    assert x.grad == 0.0 and y.grad == 0.0
    y.backward()
    assert x.grad == 3.0  # not 6: the reset worked


def test_two_outputs_sharing_an_intermediate_sum_their_gradients():
    x = Value(1.5)
    h = x * x
    (h + 1).backward()
    (h * 2).backward()
    assert x.grad == 2 * 1.5 + 2 * 2 * 1.5


def test_million_deep_chain_at_default_recursion_limit():
    assert sys.getrecursionlimit() <= 1000 * 10  # not raised by anyone
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = -y
    y.backward()
    assert x.grad == 1.0 and y.data == 0.5  # an even number of negations
    del y  # freeing a million-deep graph must not overflow the C stack either


def test_graph_has_no_reference_cycles():
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        x = Value(1.0)
        y = ((x * 2).tanh() + x.exp()).relu() / (x + 3)
        y.backward()
        del x, y
        assert gc.collect() == 0, "reference counting alone must free a graph: no cycles"
    finally:
        if was:
            gc.enable()


def test_collector_pause_restores_the_previous_state_even_on_error():
    assert gc.isenabled()
    try:
        with collector_paused:
            with collector_paused:
                assert not gc.isenabled()
            assert not gc.isenabled()  # nested: still paused
            raise KeyError("boom")
    except KeyError:
        pass
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused:
            pass
        assert not gc.isenabled(), "a collector the user disabled stays disabled"
    finally:
        gc.enable()


def test_backward_leaves_the_collector_as_it_was():
    assert gc.isenabled()
    x = Value(1.0)
    (x * x).backward()
    assert gc.isenabled()
