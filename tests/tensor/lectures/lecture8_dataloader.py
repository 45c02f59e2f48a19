# Liu Er, lecture 8: Dataset and DataLoader (mini-batches), the diabetes data replaced by numpy data.
import numpy as np
import torch
from torch.utils.data import Dataset
from torch.utils.data import DataLoader

rng = np.random.RandomState(1)
xy = rng.rand(24, 9).astype(np.float32)
xy[:, -1] = (xy[:, -1] > 0.5)


class DiabetesDataset(Dataset):
    def __init__(self, xy):
        self.len = xy.shape[0]
        self.x_data = torch.from_numpy(xy[:, :-1])
        self.y_data = torch.from_numpy(xy[:, [-1]])

    def __getitem__(self, index):
        return self.x_data[index], self.y_data[index]

    def __len__(self):
        return self.len


dataset = DiabetesDataset(xy)
train_loader = DataLoader(dataset=dataset, batch_size=8, shuffle=False, num_workers=0)
print(len(dataset), len(train_loader))
x0, y0 = dataset[0]
print(x0.shape, y0.shape, y0)


class Model(torch.nn.Module):
    def __init__(self):
        super(Model, self).__init__()
        self.linear1 = torch.nn.Linear(8, 6)
        self.linear2 = torch.nn.Linear(6, 4)
        self.linear3 = torch.nn.Linear(4, 1)
        self.sigmoid = torch.nn.Sigmoid()

    def forward(self, x):
        x = self.sigmoid(self.linear1(x))
        x = self.sigmoid(self.linear2(x))
        x = self.sigmoid(self.linear3(x))
        return x


model = Model()
for p in model.parameters():
    p.data = torch.from_numpy(rng.uniform(-0.5, 0.5, size=tuple(p.shape)).astype(np.float32))
print(model)
criterion = torch.nn.BCELoss(reduction='mean')
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

for epoch in range(20):
    for i, data in enumerate(train_loader, 0):
        inputs, labels = data
        y_pred = model(inputs)
        loss = criterion(y_pred, labels)
        if epoch % 5 == 0:
            print(epoch, i, inputs.shape, labels.shape, loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

for batch_idx, (inputs, target) in enumerate(DataLoader(dataset, batch_size=10)):
    print(batch_idx, inputs.shape, target.shape, target.sum().item())

from torch.utils.data import TensorDataset
ds = TensorDataset(torch.arange(10.0).view(5, 2), torch.tensor([0, 1, 0, 1, 1]))
for xb, yb in DataLoader(ds, batch_size=2):
    print(xb, yb)


class Pairs(Dataset):
    def __getitem__(self, i):
        return i * 1.5, i

    def __len__(self):
        return 5


for a, b in DataLoader(Pairs(), batch_size=3):
    print(a, b)
