# Saving a checkpoint mid-training (model, optimizer and scheduler state_dicts, epoch, loss) with
# torch.save, loading it into fresh objects with torch.load, and resuming: the resumed run must
# continue exactly where the first one stopped. The tutorials' "saving and loading" recipe.
import os
import tempfile

import torch
import torch.nn as nn

X = torch.tensor([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [2.0, 1.0], [0.5, 2.0], [1.5, 0.5]])
y = torch.tensor([[1.0], [2.0], [3.5], [5.0], [3.0], [3.0]])


def make(seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[3, 6], gamma=0.3)
    return model, optimizer, scheduler


def train(model, optimizer, scheduler, epochs):
    for epoch in epochs:
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(X), y)
        loss.backward()
        optimizer.step()
        scheduler.step()
        print(f"epoch {epoch}: loss {loss.item():.6f} lr {scheduler.get_last_lr()[0]:.4f}")
    return loss


model, optimizer, scheduler = make()
loss = train(model, optimizer, scheduler, range(4))
path = os.path.join(tempfile.mkdtemp(), "checkpoint.pt")
torch.save({
    "epoch": 4,
    "model_state_dict": model.state_dict(),
    "optimizer_state_dict": optimizer.state_dict(),
    "scheduler_state_dict": scheduler.state_dict(),
    "loss": loss.item(),
}, path)
print("saved keys:", sorted(torch.load(path, weights_only=False).keys()))
straight = train(model, optimizer, scheduler, range(4, 8))

# resume from the checkpoint in fresh objects (another seed: the load must overwrite everything)
model2, optimizer2, scheduler2 = make(seed=123)
checkpoint = torch.load(path, weights_only=False)
print(model2.load_state_dict(checkpoint["model_state_dict"]))
optimizer2.load_state_dict(checkpoint["optimizer_state_dict"])
scheduler2.load_state_dict(checkpoint["scheduler_state_dict"])
print("resuming at epoch", checkpoint["epoch"], "loss was", round(checkpoint["loss"], 6))
print("lr after load:", optimizer2.param_groups[0]["lr"], scheduler2.get_last_lr(), scheduler2.last_epoch)
print("momentum buffers:", len(optimizer2.state_dict()["state"]),
      sorted(optimizer2.state_dict()["state"][0].keys()))
resumed = train(model2, optimizer2, scheduler2, range(4, 8))
print("same final loss:", straight.item() == resumed.item())
print("same weights:", all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), model2.state_dict().values())))
print(optimizer2.state_dict()["param_groups"][0]["lr"], optimizer2.state_dict()["param_groups"][0]["initial_lr"])

# weights only, the inference recipe
torch.save(model.state_dict(), path)
state = torch.load(path)
print(type(state).__name__, list(state.keys()))
print(state["2.bias"])
model3, _, _ = make(seed=5)
model3.load_state_dict(state)
model3.eval()
with torch.no_grad():
    print(model3(X[:2]))
