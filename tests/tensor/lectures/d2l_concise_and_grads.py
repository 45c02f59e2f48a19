# d2l 3.3 concise linear regression (TensorDataset/DataLoader, nn.Sequential, net[0].weight.data)
# and the gradients of many ops printed next to each other.
import numpy as np
import torch
from torch.utils import data
from torch import nn

rng = np.random.RandomState(3)
features = torch.from_numpy(rng.normal(0, 1, (100, 2)).astype(np.float32))
labels = torch.matmul(features, torch.tensor([2, -3.4])) + 4.2
labels = labels.reshape((-1, 1))


def load_array(data_arrays, batch_size, is_train=True):
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


data_iter = load_array((features, labels), 10, is_train=False)
print(next(iter(data_iter))[0].shape)
net = nn.Sequential(nn.Linear(2, 1))
net[0].weight.data.fill_(0.01)
net[0].bias.data.fill_(0)
loss = nn.MSELoss()
trainer = torch.optim.SGD(net.parameters(), lr=0.03)
for epoch in range(3):
    for X, y in data_iter:
        l = loss(net(X), y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
    l = loss(net(features), labels)
    print(f'epoch {epoch + 1}, loss {l:f}')
w = net[0].weight.data
print('w的估计误差：', torch.tensor([2, -3.4]) - w.reshape((2,)))
print(net[0].bias.data, net[0].weight.grad)

x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)
exprs = {
    "exp": lambda x: x.exp().sum(), "log": lambda x: (x * x + 1).log().sum(),
    "sqrt": lambda x: (x * x + 1).sqrt().sum(), "abs": lambda x: x.abs().sum(),
    "sin": lambda x: torch.sin(x).sum(), "cos": lambda x: torch.cos(x).sum(),
    "tanh": lambda x: torch.tanh(x).sum(), "sigmoid": lambda x: torch.sigmoid(x).sum(),
    "relu": lambda x: torch.relu(x).sum(), "clamp": lambda x: x.clamp(-0.5, 1.0).sum(),
    "pow": lambda x: (x ** 3).sum(), "rpow": lambda x: (2 ** x).sum(),
    "div": lambda x: (1 / (x + 3)).sum(), "mean": lambda x: x.mean(),
    "max": lambda x: x.max(), "max_dim": lambda x: x.max(dim=1)[0].sum(),
    "min": lambda x: x.min(), "norm": lambda x: x.norm(), "norm_dim": lambda x: x.norm(dim=1).sum(),
    "softmax": lambda x: (torch.softmax(x, dim=1) * torch.arange(3.0)).sum(),
    "log_softmax": lambda x: torch.log_softmax(x, dim=1)[:, 0].sum(),
    "matmul": lambda x: (x @ x.t()).sum(), "mm": lambda x: torch.mm(x, x.T).sum(),
    "mv": lambda x: torch.mv(x, torch.ones(3)).sum(), "dot": lambda x: torch.dot(x[0], x[1]),
    "cat": lambda x: (torch.cat([x, x * 2], dim=0) ** 2).sum(),
    "stack": lambda x: (torch.stack([x, x * 2], dim=1) ** 2).sum(),
    "view": lambda x: (x.view(3, 2) * torch.arange(6.0).view(3, 2)).sum(),
    "transpose": lambda x: (x.transpose(0, 1) * torch.arange(6.0).view(3, 2)).sum(),
    "unsqueeze": lambda x: (x.unsqueeze(0) * x.unsqueeze(1)).sum(),
    "index": lambda x: (x[:, 1] * 3 + x[0, 0] + x[1][2]).sum(),
    "where": lambda x: torch.where(x > 0, x, x * 0.1).sum(),
    "mse": lambda x: nn.functional.mse_loss(x, torch.zeros(2, 3)),
    "ce": lambda x: nn.functional.cross_entropy(x, torch.tensor([2, 0])),
    "flatten": lambda x: (x.flatten() * torch.arange(6.0)).sum(),
    "expand": lambda x: (x[:, :1].expand(2, 3) * x).sum(),
    "maximum": lambda x: torch.maximum(x, torch.zeros(2, 3)).sum(),
}
for name, f in exprs.items():
    x.grad = None
    y = f(x)
    y.backward()
    print(name, y.item(), y.grad_fn)
    print(x.grad)
