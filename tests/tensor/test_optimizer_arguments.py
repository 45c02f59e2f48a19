"""Every argument an optimiser accepts works as in torch, or is refused with its name; the state
is keyed by the parameter, under torch's names."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import bpcourse

W0 = np.random.default_rng(3).standard_normal((3, 2)).astype(np.float32)
X = np.random.default_rng(4).standard_normal((5, 3)).astype(np.float32)


def train(m, name: str, kwargs: dict, steps: int = 15):
    w = m.tensor(W0.copy(), requires_grad=True)
    opt = getattr(m.optim, name)([w], **kwargs)
    for _ in range(steps):
        loss = ((m.tensor(X) @ w).tanh() ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return w, opt


CASES = [
    ("SGD", dict(lr=0.1, maximize=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.05, maximize=True)),
    ("SGD", dict(lr=0.1, foreach=True)),
    ("SGD", dict(lr=0.1, momentum=0.5, foreach=False, fused=False)),
    ("Adam", dict(lr=0.05, amsgrad=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adam", dict(lr=0.05, maximize=True, foreach=True)),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, weight_decay=0.2, amsgrad=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5)),
    ("Adagrad", dict(lr=0.1, maximize=True)),
    ("RMSprop", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.3, centered=True)),
    ("Adamax", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    ("Rprop", dict(lr=0.01, etas=(0.4, 1.5), step_sizes=(1e-4, 0.02), maximize=True)),
]


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{','.join(k)}" for n, k in CASES])
def test_argument_works_as_in_torch(name: str, kwargs: dict) -> None:
    (w, opt), (wt, opt_t) = train(bpcourse, name, kwargs), train(torch, name, kwargs)
    np.testing.assert_allclose(w.detach().numpy(), wt.detach().numpy(), rtol=1e-5, atol=1e-6)
    # the state: keyed by the parameter, torch's names, torch's values
    assert len(opt.state) == len(opt_t.state) and all(p is w for p in opt.state)
    ours, theirs = opt.state[w], opt_t.state[wt]
    assert sorted(ours) == sorted(theirs)
    for key in theirs:  # centered RMSprop divides by sqrt(v - m^2): float32 noise grows there, hence 1e-4
        np.testing.assert_allclose(np.asarray(ours[key].numpy()), theirs[key].numpy(), rtol=1e-4, atol=1e-6,
                                   err_msg=f"{name} state[{key!r}]")
    assert repr(opt) == repr(opt_t)


def test_plain_sgd_keeps_no_state_and_adagrad_fills_it_at_construction_as_torch() -> None:
    for m in (bpcourse, torch):
        w = m.nn.Parameter(m.ones(2))
        assert len(m.optim.SGD([w], lr=0.1).state) == 0
        assert set(m.optim.Adagrad([w]).state[w]) == {"step", "sum"}


@pytest.mark.parametrize("kwargs", [dict(lr=0.1), dict(lr=0.1, momentum=0.9), dict(lr=0.1, weight_decay=0.01),
                                    dict(lr=0.1, momentum=0.9, dampening=0.2, maximize=True),
                                    dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)])
def test_sgd_update_is_bit_exact_with_torch_for_small_tensors(kwargs: dict) -> None:
    """The same gradients in, the same float32 bits out, step after step."""
    grads = np.random.default_rng(5).standard_normal((30, 40, 50)).astype(np.float32)
    results = []
    for m in (bpcourse, torch):
        w = m.nn.Parameter(m.tensor(grads[0] * 3))
        opt = m.optim.SGD([w], **kwargs)
        for g in grads[1:]:
            w.grad = m.tensor(g)
            opt.step()
        results.append(w.detach().numpy())
    assert np.array_equal(results[0], results[1])


@pytest.mark.parametrize("name, kwargs, words", [
    ("SGD", dict(fused=True), "fused=True"),
    ("SGD", dict(differentiable=True), "differentiable=True"),
    ("Adam", dict(capturable=True), "capturable=True"),
    ("Adam", dict(fused=True), "fused=True"),
    ("AdamW", dict(differentiable=True), "differentiable=True"),
    ("RMSprop", dict(capturable=True), "capturable=True"),
    ("Rprop", dict(differentiable=True), "differentiable=True"),
])
def test_unsupported_settings_are_refused_by_name(name: str, kwargs: dict, words: str) -> None:
    with pytest.raises(NotImplementedError, match=f"{name}: {words}"):
        getattr(bpcourse.optim, name)([bpcourse.nn.Parameter(bpcourse.ones(2))], **kwargs)


def test_unsupported_settings_in_a_param_group_are_refused_too() -> None:
    w = bpcourse.nn.Parameter(bpcourse.ones(2))
    with pytest.raises(NotImplementedError, match="fused=True"):
        bpcourse.optim.SGD([{"params": [w], "fused": True}], lr=0.1)


@pytest.mark.parametrize("name, kwargs, words", [
    ("SGD", dict(lr=-1), "Invalid learning rate: -1"),
    ("SGD", dict(lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov momentum requires"),
    ("SGD", dict(lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    ("Adam", dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    ("Adam", dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    ("Adagrad", dict(lr_decay=-0.1), "Invalid lr_decay value: -0.1"),
    ("Rprop", dict(etas=(1.5, 1.2)), "Invalid eta values: 1.5, 1.2"),
])
def test_invalid_values_fail_as_in_torch(name: str, kwargs: dict, words: str) -> None:
    for m in (bpcourse, torch):
        with pytest.raises(ValueError, match=words):
            getattr(m.optim, name)([m.nn.Parameter(m.ones(2))], **kwargs)


def test_a_single_tensor_and_a_set_in_a_group_are_refused_as_in_torch() -> None:
    for m in (bpcourse, torch):
        w = m.nn.Parameter(m.ones(2))
        with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
            m.optim.SGD(w, lr=0.1)
        with pytest.raises(TypeError, match="sets"):
            m.optim.SGD([{"params": {w}}], lr=0.1)
        with pytest.raises(ValueError, match="more than one parameter group"):
            m.optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)


def test_closure_runs_and_its_loss_is_returned() -> None:
    results = []
    for m in (bpcourse, torch):
        w = m.tensor(W0.copy(), requires_grad=True)
        opt = m.optim.SGD([w], lr=0.1)

        def closure():
            opt.zero_grad()
            loss = ((m.tensor(X) @ w) ** 2).mean()
            loss.backward()
            return loss

        with m.no_grad():               # the closure records its graph anyway, as in torch
            loss = opt.step(closure)
        results.append((float(loss.item()), w.detach().numpy()))
    assert results[0][0] == pytest.approx(results[1][0])
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-6)


def test_named_parameters_are_accepted_as_in_torch() -> None:
    for m in (bpcourse, torch):
        model = m.nn.Linear(2, 1)
        opt = m.optim.SGD(model.named_parameters(), lr=0.1)
        assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
        assert opt.param_groups[0]["params"][0] is model.weight


def test_add_param_group_and_state_dict_layout_as_torch() -> None:
    dicts = []
    for m in (bpcourse, torch):
        a, b = m.nn.Parameter(m.ones(2)), m.nn.Parameter(m.ones(3))
        opt = m.optim.Adam([a], lr=0.01)
        opt.add_param_group({"params": b, "lr": 0.1})
        (a.sum() + (b * b).sum()).backward()
        opt.step()
        state = opt.state_dict()
        dicts.append((state["param_groups"], sorted(state["state"]), sorted(state["state"][1])))
    assert dicts[0] == dicts[1]


def test_a_custom_optimizer_written_as_for_torch_runs_with_a_scheduler() -> None:
    """A learner's subclass with its own step(), as torch's tutorials write one."""
    results = []
    for m in (bpcourse, torch):
        class PlainSGD(m.optim.Optimizer):
            def __init__(self, params, lr=0.1):
                super().__init__(params, dict(lr=lr))

            @m.no_grad()
            def step(self):
                for group in self.param_groups:
                    for p in group["params"]:
                        if p.grad is not None:
                            p -= group["lr"] * p.grad
                            self.state[p]["steps"] = self.state[p].get("steps", 0) + 1

        w = m.tensor(W0.copy(), requires_grad=True)
        opt = PlainSGD([w])
        schedule = m.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        for _ in range(5):
            loss = ((m.tensor(X) @ w) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            schedule.step()
        results.append((w.detach().numpy(), schedule.get_last_lr(), opt.state[w]["steps"]))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5)
    assert results[0][1:] == results[1][1:]


@pytest.mark.parametrize("name, kwargs", [
    ("SGD", dict(lr=0.1, momentum=0.9)), ("SGD", dict(lr=0.1)), ("Adam", dict(lr=0.01)), ("AdamW", dict(lr=0.01)),
    ("Adagrad", {}), ("RMSprop", dict(momentum=0.5, centered=True)), ("Adamax", {}), ("Rprop", {}),
])
def test_state_dict_and_optimizer_print_as_torch_after_a_scheduled_step(name: str, kwargs: dict) -> None:
    printed = []
    for m in (bpcourse, torch):
        w = m.nn.Parameter(m.tensor([1.0, -2.0]))
        opt = getattr(m.optim, name)([w], **kwargs)
        schedule = m.optim.lr_scheduler.StepLR(opt, 1, gamma=0.5)
        w.grad = m.tensor([0.5, 0.25])
        opt.step()
        schedule.step()
        printed.append((str(opt.state_dict()), repr(opt)))
    assert printed[0] == printed[1]
