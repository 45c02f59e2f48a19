# Liu Er, lecture 9: softmax classifier, CrossEntropyLoss, LongTensor targets, accuracy from
# torch.max(outputs.data, dim=1). MNIST replaced by fixed random 28x28 "images" (4 classes).
import numpy as np
import torch
import torch.nn.functional as F
import torch.optim as optim

y = np.array([1, 0, 0])
z = np.array([0.2, 0.1, -0.1])
y_pred = np.exp(z) / np.exp(z).sum()
loss = (- y * np.log(y_pred)).sum()
print(loss)

y = torch.LongTensor([0])
z = torch.Tensor([[0.2, 0.1, -0.1]])
criterion = torch.nn.CrossEntropyLoss()
loss = criterion(z, y)
print(loss.item(), loss)

criterion = torch.nn.CrossEntropyLoss()
Y = torch.LongTensor([2, 0, 1])
Y_pred1 = torch.Tensor([[0.1, 0.2, 0.9], [1.1, 0.1, 0.2], [0.2, 2.1, 0.1]])
Y_pred2 = torch.Tensor([[0.8, 0.2, 0.3], [0.2, 0.3, 0.5], [0.2, 0.2, 0.5]])
l1 = criterion(Y_pred1, Y)
l2 = criterion(Y_pred2, Y)
print("Batch Loss1 = ", l1.data, "\nBatch Loss2=", l2.data)

rng = np.random.RandomState(0)
images = rng.rand(64, 1, 28, 28).astype(np.float32)
labels = rng.randint(0, 4, size=64)
train_x = torch.from_numpy(images)
train_y = torch.from_numpy(labels)
print(train_x.shape, train_y.dtype, train_y[:8])


class Net(torch.nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.l1 = torch.nn.Linear(784, 64)
        self.l2 = torch.nn.Linear(64, 32)
        self.l3 = torch.nn.Linear(32, 4)

    def forward(self, x):
        x = x.view(-1, 784)
        x = F.relu(self.l1(x))
        x = F.relu(self.l2(x))
        return self.l3(x)


model = Net()
for name, p in model.named_parameters():
    p.data = torch.from_numpy(rng.uniform(-0.1, 0.1, size=tuple(p.shape)).astype(np.float32))
print(model)
criterion = torch.nn.CrossEntropyLoss()
optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.5)


def train(epoch):
    running_loss = 0.0
    for batch_idx in range(4):
        inputs = train_x[batch_idx * 16:(batch_idx + 1) * 16]
        target = train_y[batch_idx * 16:(batch_idx + 1) * 16]
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, target)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
        if batch_idx % 2 == 1:
            print('[%d, %5d] loss: %.3f' % (epoch + 1, batch_idx + 1, running_loss / 2))
            running_loss = 0.0


def test():
    correct = 0
    total = 0
    with torch.no_grad():
        outputs = model(train_x)
        _, predicted = torch.max(outputs.data, dim=1)
        total += train_y.size(0)
        correct += (predicted == train_y).sum().item()
    print('accuracy on test set: %d %% [%d/%d]' % (100 * correct / total, correct, total))
    print(predicted[:10], predicted.dtype, outputs.shape)


for epoch in range(10):
    train(epoch)
    test()

probs = F.softmax(model(train_x[:3]), dim=1)
print(probs, probs.sum(dim=1))
print(torch.softmax(torch.tensor([1.0, 2.0, 3.0]), dim=0), torch.log_softmax(torch.tensor([1.0, 2.0]), 0))
print(F.nll_loss(F.log_softmax(Y_pred1, dim=1), Y), F.cross_entropy(Y_pred1, Y, reduction='sum'))
outputs = model(train_x)
print(outputs.argmax(dim=1)[:5], outputs.max(1)[1][:5], outputs.max(dim=1).indices[:5])
