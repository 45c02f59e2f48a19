# Liu Er, lecture 6: logistic regression, written with F.sigmoid / torch.sigmoid and BCELoss(size_average=False),
# then a sweep of test hours printed the way the lecture plots it.
import numpy as np
import torch
import torch.nn.functional as F

x_data = torch.Tensor([[1.0], [2.0], [3.0]])
y_data = torch.Tensor([[0], [0], [1]])


class LogisticRegressionModel(torch.nn.Module):
    def __init__(self):
        super(LogisticRegressionModel, self).__init__()
        self.linear = torch.nn.Linear(1, 1)

    def forward(self, x):
        y_pred = torch.sigmoid(self.linear(x))
        return y_pred


model = LogisticRegressionModel()
model.linear.weight.data.fill_(0.2)
model.linear.bias.data.fill_(-0.1)
criterion = torch.nn.BCELoss(size_average=False)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

for epoch in range(1000):
    y_pred = model(x_data)
    loss = criterion(y_pred, y_data)
    if epoch % 100 == 0:
        print(epoch, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print(model.linear.weight.item(), model.linear.bias.item())
x = np.linspace(0, 10, 200)
x_t = torch.Tensor(x).view((200, 1))
y_t = model(x_t)
y = y_t.data.numpy()
print(x_t.shape, y_t.shape, y.shape, y.dtype)
print(y[::40, 0])
print(F.sigmoid(torch.tensor([0.0, 1.0])), torch.sigmoid(torch.tensor(-1.0)))
print(F.binary_cross_entropy(torch.tensor([0.9, 0.2]), torch.tensor([1.0, 0.0])))
print(torch.nn.BCELoss(reduction='none')(torch.tensor([0.9, 0.2]), torch.tensor([1.0, 0.0])))
print(y_t[:3])
print((y_t > 0.5).sum().item(), (y_t >= 0.5).float().mean().item())
