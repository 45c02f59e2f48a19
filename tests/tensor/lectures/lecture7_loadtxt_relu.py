# Liu Er, lecture 7 as learners write it: np.loadtxt of a CSV (here an in-memory one), ReLU hidden
# layers, a Sigmoid output, BCELoss, full-batch SGD, and an accuracy check with the older idioms.
import io
import numpy as np
import torch

rows = np.random.RandomState(7).rand(40, 9)
rows[:, -1] = rows[:, 0] + rows[:, 3] > 1.0
csv = io.StringIO("\n".join(",".join(f"{v:.6f}" for v in r) for r in rows))
xy = np.loadtxt(csv, delimiter=',', dtype=np.float32)
x_data = torch.from_numpy(xy[:, :-1])
y_data = torch.from_numpy(xy[:, [-1]])
print(xy.shape, x_data.shape, y_data.shape, x_data.dtype, y_data[:4].view(-1))


class Model(torch.nn.Module):
    def __init__(self):
        super(Model, self).__init__()
        self.linear1 = torch.nn.Linear(8, 6)
        self.linear2 = torch.nn.Linear(6, 4)
        self.linear3 = torch.nn.Linear(4, 1)
        self.activate = torch.nn.ReLU()
        self.sigmoid = torch.nn.Sigmoid()

    def forward(self, x):
        x = self.activate(self.linear1(x))
        x = self.activate(self.linear2(x))
        x = self.sigmoid(self.linear3(x))
        return x


model = Model()
g = np.random.RandomState(8)
for p in model.parameters():
    p.data.copy_(torch.from_numpy(g.uniform(-0.6, 0.6, size=tuple(p.size())).astype(np.float32)))
criterion = torch.nn.BCELoss(size_average=True)
optimizer = torch.optim.SGD(model.parameters(), lr=0.3)
epoch_list, loss_list = [], []
for epoch in range(300):
    y_pred = model(x_data)
    loss = criterion(y_pred, y_data)
    epoch_list.append(epoch)
    loss_list.append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(loss_list[::30])
print(y_pred[:3])


@torch.no_grad()
def evaluate(x, y):
    pred = model(x)
    y_label = torch.where(pred >= 0.5, torch.tensor([1.0]), torch.tensor([0.0]))
    acc = torch.eq(y_label, y).sum().item() / y.size(0)
    return pred, acc


pred, acc = evaluate(x_data, y_data)
print("acc =", acc, pred.requires_grad)
outputs = torch.cat([1 - pred, pred], dim=1)
target = y_data.view(-1).long()
_, predicted = torch.max(outputs, 1)
print(predicted.eq(target).sum().item(), (predicted == target).float().mean().item())
pred2 = outputs.data.max(1, keepdim=True)[1]
print(pred2.shape, pred2.eq(target.data.view_as(pred2)).cpu().sum())
print(x_data.view(x_data.size(0), -1).shape, model.linear1.weight.grad.shape)
