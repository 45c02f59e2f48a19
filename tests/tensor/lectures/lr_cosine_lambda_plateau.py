# CosineAnnealingLR, LambdaLR (linear warm-up) and ReduceLROnPlateau, as training loops in
# tutorials use them: one scheduler.step() per epoch, after optimizer.step().
import math
import torch
import torch.nn as nn
import torch.optim as optim
from torch.optim.lr_scheduler import CosineAnnealingLR, LambdaLR, ReduceLROnPlateau

w = torch.tensor([3.0, -2.0], requires_grad=True)


def quadratic_loss(w):
    return (w ** 2).sum() * 0.5


# ---- cosine annealing over 10 epochs, with eta_min
optimizer = optim.SGD([w], lr=0.1)
scheduler = CosineAnnealingLR(optimizer, T_max=10, eta_min=0.001)
for epoch in range(12):
    optimizer.zero_grad()
    loss = quadratic_loss(w)
    loss.backward()
    optimizer.step()
    scheduler.step()
    print(f"epoch {epoch:2d} lr {scheduler.get_last_lr()[0]:.6f} loss {loss.item():.6f}")
print("T_max", scheduler.T_max, "eta_min", scheduler.eta_min, "last_epoch", scheduler.last_epoch)
print({k: v for k, v in scheduler.state_dict().items() if not k.startswith("_")})

# ---- LambdaLR: warm up for 3 epochs, then decay as 1/sqrt(epoch)
w = torch.tensor([3.0, -2.0], requires_grad=True)
optimizer = optim.Adam([w], lr=0.5)


def warmup_then_decay(epoch):
    if epoch < 3:
        return (epoch + 1) / 3
    return 1 / math.sqrt(epoch - 1)


scheduler = LambdaLR(optimizer, lr_lambda=warmup_then_decay)
print("initial lr", optimizer.param_groups[0]["lr"], scheduler.get_last_lr())
for epoch in range(8):
    optimizer.zero_grad()
    loss = quadratic_loss(w)
    loss.backward()
    optimizer.step()
    scheduler.step()
    print(epoch, f"{loss.item():.6f}", [round(lr, 6) for lr in scheduler.get_last_lr()], w.detach())
print(sorted(scheduler.state_dict()))
print(scheduler.state_dict()["lr_lambdas"], scheduler.state_dict()["base_lrs"])

# ---- ReduceLROnPlateau on a noisy "validation loss"
model = nn.Linear(2, 1)
with torch.no_grad():
    model.weight.copy_(torch.tensor([[0.5, -0.5]]))
    model.bias.fill_(0.0)
optimizer = optim.SGD(model.parameters(), lr=1.0, momentum=0.5)
scheduler = ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=2, threshold=1e-3, min_lr=0.05)
val_losses = [1.0, 0.8, 0.81, 0.805, 0.9, 0.79, 0.79, 0.7905, 0.791, 0.792, 0.6, 0.61, 0.62, 0.63, 0.64, 0.65]
for epoch, val in enumerate(val_losses):
    scheduler.step(val)
    print(f"epoch {epoch:2d} val {val:.4f} lr {optimizer.param_groups[0]['lr']:.4f} "
          f"best {scheduler.best:.4f} bad epochs {scheduler.num_bad_epochs}")
print(scheduler.get_last_lr())
sd = scheduler.state_dict()
print({k: sd[k] for k in ["factor", "patience", "mode", "threshold", "threshold_mode", "cooldown", "min_lrs", "eps", "last_epoch", "best", "num_bad_epochs"]})

# scheduler on the accuracy (mode="max") with a cooldown
optimizer = optim.SGD(model.parameters(), lr=0.1)
scheduler = ReduceLROnPlateau(optimizer, mode="max", factor=0.1, patience=1, cooldown=2)
for epoch, acc in enumerate([0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7]):
    scheduler.step(acc)
    print(epoch, acc, optimizer.param_groups[0]["lr"], scheduler.cooldown_counter, scheduler.in_cooldown)
