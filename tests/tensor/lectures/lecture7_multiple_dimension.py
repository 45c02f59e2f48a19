# Liu Er, lecture 7: multi-dimensional input (8 features) through Linear-Sigmoid layers.
# The diabetes CSV is replaced by fixed random numpy data (from_numpy, float32 as in np.loadtxt).
import numpy as np
import torch

rng = np.random.RandomState(0)
xy = rng.rand(60, 9).astype(np.float32)
x_data = torch.from_numpy(xy[:, :-1])
y_data = torch.from_numpy((xy[:, [-1]] > 0.5).astype(np.float32))


class Model(torch.nn.Module):
    def __init__(self):
        super(Model, self).__init__()
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(8, 6), torch.nn.Sigmoid(),
            torch.nn.Linear(6, 4), torch.nn.Tanh(),
            torch.nn.Linear(4, 1), torch.nn.Sigmoid(),
        )

    def forward(self, x):
        return self.layers(x)


model = Model()
for name, p in model.named_parameters():
    p.data = torch.from_numpy(rng.uniform(-0.5, 0.5, size=tuple(p.shape)).astype(np.float32))
    print(name, tuple(p.shape))

criterion = torch.nn.BCELoss(reduction='mean')
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)

for epoch in range(200):
    y_pred = model(x_data)
    loss = criterion(y_pred, y_data)
    if epoch % 20 == 0:
        print(epoch, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

with torch.no_grad():
    accuracy = ((model(x_data) > 0.5).float() == y_data).float().mean()
print("accuracy", accuracy.item())
