# Liu Er, lecture 6: logistic regression (sigmoid + BCELoss), then the probability curve.
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
with torch.no_grad():
    model.linear.weight.fill_(-0.2)
    model.linear.bias.fill_(0.4)

criterion = torch.nn.BCELoss(size_average=False)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.5)

for epoch in range(500):
    y_pred = model(x_data)
    loss = criterion(y_pred, y_data)
    if epoch % 50 == 0:
        print(epoch, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

x = np.linspace(0, 10, 200)
x_t = torch.Tensor(x).view((200, 1))
y_t = model(x_t)
y = y_t.data.numpy()
print("p(pass) at 0, 2.5, 5, 10 hours:", y[0, 0], y[50, 0], y[100, 0], y[199, 0])
print("mean BCE:", F.binary_cross_entropy(model(x_data), y_data).item())
