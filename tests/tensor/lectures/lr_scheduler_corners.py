# Scheduler corners learners run into: stepping the scheduler before the optimizer (the
# warning), two schedulers on one optimizer, LambdaLR with one lambda per parameter group,
# CosineAnnealingLR past T_max, resuming with last_epoch, ReduceLROnPlateau in "abs" mode,
# and reading the rates back from state_dict / param_groups.
import warnings

import torch
from torch.optim.lr_scheduler import (CosineAnnealingLR, ExponentialLR, LambdaLR, MultiStepLR,
                                      ReduceLROnPlateau, StepLR)


def fresh(lr=0.1, groups=1):
    params = [torch.zeros(2, requires_grad=True) for _ in range(groups)]
    return torch.optim.SGD([{"params": [p]} for p in params], lr=lr), params


# stepping the scheduler first: torch warns, and the first rate is skipped
opt, params = fresh()
sched = StepLR(opt, step_size=1, gamma=0.5)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    sched.step()
    opt.step()
print("warned:", [type(w.message).__name__ for w in caught], "lr now", opt.param_groups[0]["lr"])
print("message starts:", str(caught[0].message)[:60] if caught else None)

# two schedulers on one optimizer: their factors multiply
opt, params = fresh(lr=1.0)
s1 = ExponentialLR(opt, gamma=0.9)
s2 = MultiStepLR(opt, milestones=[2, 4], gamma=0.5)
for epoch in range(6):
    opt.step()
    s1.step()
    s2.step()
    print(epoch, round(opt.param_groups[0]["lr"], 6), [round(x, 6) for x in s1.get_last_lr()],
          [round(x, 6) for x in s2.get_last_lr()])

# LambdaLR with one lambda per group
opt, params = fresh(lr=0.2, groups=2)
sched = LambdaLR(opt, lr_lambda=[lambda e: 0.5 ** e, lambda e: 1.0 / (e + 1)])
for epoch in range(4):
    opt.step()
    sched.step()
    print("groups:", [round(g["lr"], 6) for g in opt.param_groups])

# cosine annealing keeps going past T_max (it rises again)
opt, params = fresh(lr=1.0)
sched = CosineAnnealingLR(opt, T_max=4)
lrs = []
for epoch in range(10):
    opt.step()
    sched.step()
    lrs.append(round(sched.get_last_lr()[0], 6))
print("cosine:", lrs)

# resume: a scheduler built with last_epoch needs initial_lr in the groups
opt, params = fresh(lr=0.1)
try:
    StepLR(opt, step_size=2, last_epoch=3)
except KeyError as e:
    print("KeyError naming initial_lr:", "initial_lr" in str(e))
for g in opt.param_groups:
    g["initial_lr"] = 0.1
sched = StepLR(opt, step_size=2, gamma=0.1, last_epoch=3)
print("resumed at", sched.last_epoch, "lr", opt.param_groups[0]["lr"], sched.get_last_lr())
opt.step()
sched.step()
print("next:", sched.last_epoch, opt.param_groups[0]["lr"])

# ReduceLROnPlateau, threshold_mode="abs", and how many bad epochs it tolerates
opt, params = fresh(lr=0.5)
sched = ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=1, threshold=0.05, threshold_mode="abs")
for epoch, loss in enumerate([1.0, 0.97, 0.96, 0.90, 0.89, 0.88, 0.70, 0.69, 0.68]):
    sched.step(loss)
    print(epoch, loss, opt.param_groups[0]["lr"], sched.num_bad_epochs, round(sched.best, 2))
try:
    ReduceLROnPlateau(opt, mode="maximum")
except ValueError as e:
    print("ValueError naming the mode:", "maximum" in str(e))
ExponentialLR(opt, gamma=-1)
print("a negative gamma is accepted, as in torch")
print(type(sched.state_dict()["best"]).__name__, sched.state_dict()["mode_worse"])
