# Learning-rate schedules in a training loop (Liu Er's linear model, trained longer):
# StepLR, MultiStepLR and ExponentialLR, printing get_last_lr(), the optimiser's lr and
# the scheduler's state_dict the way course homework does.
import torch

x_data = torch.tensor([[1.0], [2.0], [3.0]])
y_data = torch.tensor([[2.0], [4.0], [6.0]])


class LinearModel(torch.nn.Module):
    def __init__(self):
        super(LinearModel, self).__init__()
        self.linear = torch.nn.Linear(1, 1)

    def forward(self, x):
        return self.linear(x)


def make():
    torch.manual_seed(0)
    model = LinearModel()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    return model, criterion, optimizer


# ---- StepLR: lr *= gamma every step_size epochs
model, criterion, optimizer = make()
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
print(type(scheduler).__name__, scheduler.get_last_lr())
for epoch in range(10):
    y_pred = model(x_data)
    loss = criterion(y_pred, y_data)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()
    print(epoch, round(loss.item(), 6), scheduler.get_last_lr(), optimizer.param_groups[0]["lr"])
print("w =", model.linear.weight.item(), "b =", model.linear.bias.item())
print(scheduler.state_dict())

# ---- MultiStepLR: lr *= gamma at the milestones
model, criterion, optimizer = make()
scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[2, 5, 7], gamma=0.1)
lrs = []
for epoch in range(9):
    loss = criterion(model(x_data), y_data)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    lrs.append(optimizer.param_groups[0]["lr"])
    scheduler.step()
print("MultiStepLR lrs:", lrs)
print("last:", scheduler.get_last_lr(), "epoch:", scheduler.last_epoch)
sd = scheduler.state_dict()
print(sorted(sd.keys()))
print(sd["milestones"], sd["gamma"], sd["base_lrs"], sd["last_epoch"], sd["_step_count"])
print("loss after MultiStepLR:", loss.item())

# ---- ExponentialLR with two parameter groups
torch.manual_seed(0)
model = LinearModel()
optimizer = torch.optim.SGD([
    {"params": [model.linear.weight], "lr": 0.1},
    {"params": [model.linear.bias], "lr": 0.01},
], momentum=0.9)
scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)
for epoch in range(6):
    optimizer.zero_grad()
    loss = torch.nn.functional.mse_loss(model(x_data), y_data)
    loss.backward()
    optimizer.step()
    scheduler.step()
    print(f"epoch {epoch}: loss={loss.item():.5f} lr={[round(g['lr'], 6) for g in optimizer.param_groups]}")
print(scheduler.get_last_lr())
print([g["initial_lr"] for g in optimizer.param_groups])
print(model.linear.weight, model.linear.bias)
