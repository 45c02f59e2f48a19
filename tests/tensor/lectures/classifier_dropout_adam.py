# a small classifier as course notebooks write it: Module, Dropout, Adam, train/eval, accuracy, state_dict
import io
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(42)
n = 200
X = torch.randn(n, 2)
y = ((X[:, 0] * X[:, 1]) > 0).long()

class Net(nn.Module):
    def __init__(self, hidden=16, p=0.2):
        super().__init__()
        self.fc1 = nn.Linear(2, hidden)
        self.drop = nn.Dropout(p)
        self.fc2 = nn.Linear(hidden, 2)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = self.drop(x)
        return self.fc2(x)

model = Net()
print(model)
print(sum(p.numel() for p in model.parameters() if p.requires_grad))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=32, shuffle=True)
for epoch in range(20):
    model.train()
    running = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        out = model(xb)
        loss = criterion(out, yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * xb.size(0)
    if epoch % 5 == 4:
        model.eval()
        with torch.no_grad():
            outputs = model(X)
            _, predicted = torch.max(outputs.data, 1)
            correct = (predicted == y).sum().item()
        print(f"epoch {epoch + 1}: loss {running / n:.4f}, accuracy {correct / n:.3f}")
print(optimizer.param_groups[0]['lr'], optimizer.state_dict()['param_groups'][0]['betas'])
buf = io.BytesIO()
torch.save(model.state_dict(), buf)
buf.seek(0)
clone = Net()
clone.load_state_dict(torch.load(buf))
clone.eval()
with torch.no_grad():
    probs = F.softmax(clone(X[:3]), dim=1)
print(probs, probs.argmax(dim=1), list(clone.state_dict().keys()))
