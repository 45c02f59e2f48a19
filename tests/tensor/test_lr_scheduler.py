"""bpcourse.optim.lr_scheduler against torch.optim.lr_scheduler, step by step: the rates the
optimizer uses, get_last_lr() and state_dict(), in the usual order (optimizer.step() then
scheduler.step()), with no warning where torch gives none."""
from __future__ import annotations

import math
import pickle
import warnings

import numpy as np
import pytest
import torch

import bpcourse


class WarmUp:
    """A callable object: LambdaLR saves its __dict__ in state_dict (a plain function is not saved)."""

    def __init__(self, epochs: int) -> None:
        self.epochs = epochs

    def __call__(self, epoch: int) -> float:
        return min(1.0, (epoch + 1) / self.epochs)


SCHEDULES = {
    "StepLR": lambda m, opt: m.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5),
    "StepLR-default-gamma": lambda m, opt: m.optim.lr_scheduler.StepLR(opt, 4),
    "MultiStepLR": lambda m, opt: m.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 5, 5, 9], gamma=0.3),
    "ExponentialLR": lambda m, opt: m.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9),
    "CosineAnnealingLR": lambda m, opt: m.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=7),
    "CosineAnnealingLR-eta_min": lambda m, opt: m.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4, eta_min=0.01),
    "LambdaLR": lambda m, opt: m.optim.lr_scheduler.LambdaLR(opt, lr_lambda=lambda epoch: 0.95 ** epoch),
    "LambdaLR-per-group": lambda m, opt: m.optim.lr_scheduler.LambdaLR(
        opt, lr_lambda=[lambda e: 1 / (e + 1), WarmUp(5)]),
}


def make_optimizer(m, name: str = "SGD", two_groups: bool = False):
    """Two layers' worth of parameters, optionally in two groups with their own rates."""
    w = m.nn.Parameter(m.tensor([[0.5, -1.0], [2.0, 0.25]]))
    b = m.nn.Parameter(m.tensor([0.1, -0.2]))
    make = getattr(m.optim, name)
    kwargs = {"momentum": 0.9} if name == "SGD" else {}
    if two_groups:
        return make([{"params": [w]}, {"params": [b], "lr": 0.05}], lr=0.1, **kwargs), (w, b)
    return make([w, b], lr=0.1, **kwargs), (w, b)


def train_step(m, opt, params) -> float:
    w, b = params
    x = m.tensor([[1.0, 2.0], [-0.5, 0.3], [0.7, -1.2]])
    loss = ((x @ w + b).tanh() ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    return float(loss.item())


def comparable(state: dict) -> dict:
    """A state_dict with torch's Counter kept (it compares equal to ours) and numbers as floats."""
    return {k: (v if not isinstance(v, list) else [float(x) if isinstance(x, (int, float)) else x for x in v])
            for k, v in state.items()}


def run(m, make_schedule, two_groups: bool, epochs: int = 16) -> list:
    opt, params = make_optimizer(m, two_groups=two_groups)
    schedule = make_schedule(m, opt)
    seen = [(schedule.get_last_lr(), [g["lr"] for g in opt.param_groups], comparable(schedule.state_dict()))]
    for _ in range(epochs):
        train_step(m, opt, params)
        schedule.step()
        seen.append((schedule.get_last_lr(), [g["lr"] for g in opt.param_groups], comparable(schedule.state_dict())))
    weights = [p.detach().numpy().copy() for p in params]
    return seen, weights


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_matches_torch_step_by_step(name: str) -> None:
    two_groups = name.endswith("per-group")
    with warnings.catch_warnings():
        warnings.simplefilter("error")       # the right order warns in neither library
        ours, our_weights = run(bpcourse, SCHEDULES[name], two_groups)
        theirs, their_weights = run(torch, SCHEDULES[name], two_groups)
    assert len(ours) == len(theirs)
    for epoch, ((last, rates, state), (t_last, t_rates, t_state)) in enumerate(zip(ours, theirs)):
        assert last == t_last, f"{name}: get_last_lr() differs at epoch {epoch}: {last} != {t_last}"
        assert rates == t_rates, f"{name}: param_groups' lr differ at epoch {epoch}: {rates} != {t_rates}"
        assert state.keys() == t_state.keys(), f"{name}: state_dict keys differ: {state.keys() ^ t_state.keys()}"
        assert state == t_state, f"{name}: state_dict differs at epoch {epoch}:\n{state}\n{t_state}"
    for ours_w, theirs_w in zip(our_weights, their_weights):
        np.testing.assert_allclose(ours_w, theirs_w, rtol=1e-5, atol=1e-6)


def test_a_cosine_schedule_ends_at_eta_min_and_climbs_back() -> None:
    """The recursive formula agrees with the closed one: at T_max the rate is eta_min."""
    opt, _ = make_optimizer(bpcourse)
    schedule = bpcourse.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=0.001)
    rates = []
    for _ in range(20):
        opt.step()
        schedule.step()
        rates.append(schedule.get_last_lr()[0])
    assert rates[9] == pytest.approx(0.001)
    assert rates[19] == pytest.approx(0.1)
    closed = [0.001 + (0.1 - 0.001) * (1 + math.cos(math.pi * t / 10)) / 2 for t in range(1, 21)]
    np.testing.assert_allclose(rates, closed, rtol=1e-12)


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR"])
def test_step_with_an_epoch_uses_the_closed_form_and_warns_as_torch(name: str) -> None:
    results = []
    for m in (bpcourse, torch):
        opt, _ = make_optimizer(m)
        schedule = SCHEDULES[name](m, opt)
        opt.step()
        with pytest.warns(UserWarning, match="epoch parameter in `scheduler.step\\(\\)`"):
            schedule.step(6)
        results.append((schedule.get_last_lr(), schedule.last_epoch))
    assert results[0] == results[1]


def test_scheduler_step_before_optimizer_step_warns_as_torch() -> None:
    for m in (bpcourse, torch):
        opt, _ = make_optimizer(m)
        schedule = m.optim.lr_scheduler.StepLR(opt, step_size=1)
        with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
            schedule.step()


def test_get_lr_outside_step_warns_as_torch() -> None:
    for m in (bpcourse, torch):
        opt, _ = make_optimizer(m)
        schedule = m.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
            schedule.get_lr()


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_state_dict_resumes_a_run(name: str) -> None:
    """Save at epoch 5 (optimizer and scheduler), restore into fresh objects, go on: same rates as
    the run that never stopped, and the same as torch doing the same."""
    two_groups = name.endswith("per-group")
    for m in (bpcourse, torch):
        opt, params = make_optimizer(m, two_groups=two_groups)
        schedule = SCHEDULES[name](m, opt)
        for _ in range(5):
            train_step(m, opt, params)
            schedule.step()
        saved_opt = pickle.loads(pickle.dumps(opt.state_dict()))
        saved_schedule = pickle.loads(pickle.dumps(schedule.state_dict()))
        straight = []
        for _ in range(6):
            train_step(m, opt, params)
            schedule.step()
            straight.append(schedule.get_last_lr())

        opt2, params2 = make_optimizer(m, two_groups=two_groups)
        schedule2 = SCHEDULES[name](m, opt2)      # made first, as torch's docs say, then loaded
        opt2.load_state_dict(saved_opt)
        schedule2.load_state_dict(saved_schedule)
        resumed = []
        for _ in range(6):
            train_step(m, opt2, params2)
            schedule2.step()
            resumed.append(schedule2.get_last_lr())
        assert resumed == straight, f"{m.__name__}: {name} resumed {resumed} != {straight}"


def test_lambda_lr_state_dict_saves_callable_objects_not_functions() -> None:
    states = []
    for m in (bpcourse, torch):
        opt, _ = make_optimizer(m, two_groups=True)
        warm = WarmUp(5)
        schedule = m.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1.0, warm])
        state = schedule.state_dict()
        assert state["lr_lambdas"] == [None, {"epochs": 5}]
        state["lr_lambdas"][1] = {"epochs": 9}
        schedule.load_state_dict(state)
        assert warm.epochs == 9 and "lr_lambdas" in state
        states.append(comparable(schedule.state_dict()))
    assert states[0] == states[1]


# ----- ReduceLROnPlateau --------------------------------------------------------------------
METRICS = [1.0, 0.9, 0.95, 0.9, 0.899995, 0.91, 0.92, 0.93, 0.8, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9, 0.91,
           0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98]


@pytest.mark.parametrize("kwargs", [
    {},
    {"patience": 0},
    {"patience": 2, "factor": 0.5},
    {"mode": "max", "patience": 1, "factor": 0.5},
    {"threshold": 0.05, "patience": 1},
    {"threshold_mode": "abs", "threshold": 0.02, "patience": 1},
    {"mode": "max", "threshold_mode": "abs", "threshold": 0.01, "patience": 1},
    {"patience": 1, "cooldown": 2, "factor": 0.5},
    {"patience": 0, "min_lr": 0.02, "factor": 0.5},
    {"patience": 0, "min_lr": [0.03, 0.001], "factor": 0.5},
    {"patience": 0, "factor": 0.9, "eps": 0.02},
])
def test_reduce_on_plateau_matches_torch(kwargs: dict) -> None:
    runs = []
    for m in (bpcourse, torch):
        opt, params = make_optimizer(m, two_groups=True)
        schedule = m.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
        seen = [(schedule.get_last_lr(), comparable(schedule.state_dict()))]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for metric in METRICS:
                train_step(m, opt, params)
                schedule.step(m.tensor(metric))      # a 0-dim tensor, as val_loss usually is
                seen.append((schedule.get_last_lr(), comparable(schedule.state_dict())))
        runs.append(seen)
    for epoch, (ours, theirs) in enumerate(zip(*runs)):
        assert ours == theirs, f"ReduceLROnPlateau({kwargs}) differs at epoch {epoch}:\n{ours}\n{theirs}"


def test_reduce_on_plateau_resumes_from_state_dict() -> None:
    opt, _ = make_optimizer(bpcourse)
    schedule = bpcourse.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="max", patience=1)
    for metric in METRICS[:6]:
        schedule.step(metric)
    opt2, _ = make_optimizer(bpcourse)
    schedule2 = bpcourse.optim.lr_scheduler.ReduceLROnPlateau(opt2)
    schedule2.load_state_dict(pickle.loads(pickle.dumps(schedule.state_dict())))
    assert schedule2.mode == "max" and schedule2.best == schedule.best
    assert schedule2.state_dict() == schedule.state_dict()


# ----- bad arguments say what is wrong, as torch's do ----------------------------------------
@pytest.mark.parametrize("make, words", [
    (lambda m, opt: m.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=1.5), "Factor should be < 1.0"),
    (lambda m, opt: m.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="lowest"), "mode lowest is unknown"),
    (lambda m, opt: m.optim.lr_scheduler.ReduceLROnPlateau(opt, threshold_mode="pct"), "threshold mode pct"),
    (lambda m, opt: m.optim.lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.1, 0.2, 0.3]), "expected 1 min_lrs"),
    (lambda m, opt: m.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1, lambda e: 2]), "Expected 1 lr_lambdas"),
    (lambda m, opt: m.optim.lr_scheduler.StepLR(opt, 2, last_epoch=4), "initial_lr"),
    (lambda m, opt: m.optim.lr_scheduler.StepLR("sgd", 2), "is not an Optimizer"),
    (lambda m, opt: m.optim.lr_scheduler.StepLR(opt, 2, verbose=True), "verbose"),
])
def test_bad_arguments_fail_as_in_torch(make, words: str) -> None:
    for m in (bpcourse, torch):
        opt = m.optim.SGD([m.nn.Parameter(m.ones(2))], lr=0.1)
        with pytest.raises((ValueError, KeyError, TypeError), match=words):
            make(m, opt)


def test_missing_schedulers_say_so() -> None:
    with pytest.raises(AttributeError, match="torch.optim.lr_scheduler.OneCycleLR"):
        bpcourse.optim.lr_scheduler.OneCycleLR  # noqa: B018
