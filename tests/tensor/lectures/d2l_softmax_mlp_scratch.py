# d2l 3.6 / 4.2 from scratch: softmax by hand, fancy indexing y_hat[range(n), y], accuracy with
# type(y.dtype), an MLP with relu = torch.max(X, zeros), net.apply(init_weights), reduction='none'.
import numpy as np
import torch
from torch import nn

X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print(X.sum(0, keepdim=True), X.sum(1, keepdim=True))


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition


X_prob = softmax(X)
print(X_prob, X_prob.sum(1))
y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
print(y_hat[[0, 1], y])


def cross_entropy(y_hat, y):
    return - torch.log(y_hat[range(len(y_hat)), y])


print(cross_entropy(y_hat, y))


def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


print(accuracy(y_hat, y) / len(y))

rng = np.random.RandomState(5)
features = torch.from_numpy(rng.rand(32, 1, 4, 4).astype(np.float32))
labels = torch.from_numpy(rng.randint(0, 3, 32))
num_inputs, num_outputs, num_hiddens = 16, 3, 8
W1 = nn.Parameter(torch.from_numpy(rng.normal(0, 0.5, (num_inputs, num_hiddens)).astype(np.float32)))
b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
W2 = nn.Parameter(torch.from_numpy(rng.normal(0, 0.5, (num_hiddens, num_outputs)).astype(np.float32)))
b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))
params = [W1, b1, W2, b2]


def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)


def net(X):
    X = X.reshape((-1, num_inputs))
    H = relu(X @ W1 + b1)
    return (H @ W2 + b2)


loss = nn.CrossEntropyLoss(reduction='none')
updater = torch.optim.SGD(params, lr=0.1)
for epoch in range(5):
    for i in range(0, 32, 8):
        X, y = features[i:i + 8], labels[i:i + 8]
        l = loss(net(X), y)
        updater.zero_grad()
        l.mean().backward()
        updater.step()
    with torch.no_grad():
        print(epoch, loss(net(features), labels).mean().item(), accuracy(net(features), labels))


def init_weights(m):
    if type(m) == nn.Linear:
        nn.init.constant_(m.weight, 0.01)
        nn.init.zeros_(m.bias)


model = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3))
model.apply(init_weights)
print(model[1].weight[0], model[3].bias)
print(model(features[:2]))
