# A small classifier trained the way course homework writes it: nn.Sequential, CrossEntropyLoss,
# SGD with momentum and a StepLR schedule, a forward hook logging the hidden layer, evaluation
# under torch.no_grad(), accuracy per epoch, and the model and scheduler state at the end.
import torch
import torch.nn as nn

torch.manual_seed(7)
# two noisy clusters per class, from torch.rand (uniform), three classes
centers = torch.tensor([[0.0, 0.0], [2.0, 2.0], [0.0, 2.5]])
X = torch.cat([centers[k] + torch.rand(20, 2) - 0.5 for k in range(3)])
y = torch.cat([torch.full((20,), k, dtype=torch.long) for k in range(3)])
print(X.shape, y.shape, y.dtype, X.dtype)
perm = torch.tensor([(7 * i) % 60 for i in range(60)])
X, y = X[perm], y[perm]
X_train, y_train, X_test, y_test = X[:45], y[:45], X[45:], y[45:]

model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.5)

hidden_stats = []
model[1].register_forward_hook(lambda m, inp, out: hidden_stats.append((out > 0).float().mean().item()))

for epoch in range(15):
    model.train()
    for i in range(0, 45, 15):
        xb, yb = X_train[i:i + 15], y_train[i:i + 15]
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    scheduler.step()
    model.eval()
    with torch.no_grad():
        logits = model(X_test)
        test_loss = criterion(logits, y_test)
        acc = (logits.argmax(dim=1) == y_test).float().mean()
    print(f"epoch {epoch:2d} lr {scheduler.get_last_lr()[0]:.4f} train loss {loss.item():.4f} "
          f"test loss {test_loss.item():.4f} acc {acc.item():.3f} active {hidden_stats[-1]:.2f}")

with torch.no_grad():
    probs = torch.softmax(model(X_test[:4]), dim=1)
print(probs.sum(dim=1))
print(probs.argmax(dim=1), y_test[:4])
print(len(hidden_stats), model.training)
print(list(model.state_dict().keys()))
print({k: v for k, v in scheduler.state_dict().items() if not k.startswith("_")})
print(optimizer.state_dict()["param_groups"][0]["lr"], optimizer.state_dict()["param_groups"][0]["momentum"])
