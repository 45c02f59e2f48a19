# More tensor calls learners reach for: composites, likes, casts with gradients, integer maths,
# nn extras (Dropout in eval, LeakyReLU, L1Loss, BCEWithLogitsLoss), one_hot.
import torch
import torch.nn as nn
import torch.nn.functional as F

x = torch.tensor([[1.0, -2.0, 3.5], [0.25, 4.0, -1.5]], requires_grad=True)
print(x.std(), x.var(), x.std(dim=1), x.var(dim=0, unbiased=False))
print(x.square().sum(), x.sign(), x.floor(), x.ceil(), x.round(), torch.isnan(x).any())
print(torch.full_like(x, 7), torch.eye(3), torch.eye(2, 3), torch.neg(x).sum())
print(x.long(), x.int().dtype, x.double().requires_grad, x.detach().bool())
print(x.type_as(torch.tensor([1])), x.new_zeros(2), x.new_ones((1, 2)), x.new_tensor([1, 2]))
print(x.expand_as(torch.zeros(3, 2, 3)).shape, x.reshape_as(torch.zeros(3, 2)).shape, x.nelement())
print(x.contiguous().is_contiguous(), x.t().shape, x.permute(1, 0).shape, torch.permute(x, (1, 0)).shape)
print(x.softmax(dim=1), x.log_softmax(1))
i = torch.tensor([3, 1, 4, 1, 5])
print(i * 2, i // 2, i % 3, i / 2, i.sum(), i.max(), i.float().mean(), i.tolist(), i.argmax().item())
print((i > 2).sum(), (i > 2).long().sum())
print(i.unsqueeze(1) - i.unsqueeze(0))
print(F.one_hot(torch.tensor([0, 2, 1]), num_classes=4))
print(F.leaky_relu(x), nn.LeakyReLU(0.2)(x))
d = nn.Dropout(p=0.5)
d.eval()
print(d, d(x))
print(nn.L1Loss()(x, torch.zeros(2, 3)), nn.BCEWithLogitsLoss()(x, torch.ones(2, 3)))
y = (x.std() + x.var(dim=1).sum() + F.leaky_relu(x).sum() + nn.BCEWithLogitsLoss()(x, torch.ones(2, 3)))
y.backward()
print(y, x.grad)
with torch.no_grad():
    x.clamp_(-1, 1)
print(x)
print(torch.tensor(3) + 2.5, torch.tensor([1, 2]) * torch.tensor([0.5, 0.5]), torch.tensor([True, False]) + 1)
print(torch.tensor(2.0) * torch.tensor([1, 2]), torch.tensor([1, 2], dtype=torch.int32) + torch.tensor([1, 1]))
print(torch.zeros(2, dtype=torch.float64) + torch.ones(2), torch.ones(2) + torch.tensor(1.0, dtype=torch.float64))
print(torch.LongTensor([1, 2]), torch.FloatTensor([1, 2]), torch.DoubleTensor(2).shape, torch.Tensor(2, 3).shape)
print(torch.tensor([1.5]).type(torch.LongTensor), torch.tensor([1]).type('torch.FloatTensor'), torch.IntTensor([3]).type())
print(isinstance(torch.ones(1), torch.FloatTensor), isinstance(torch.ones(1).long(), torch.FloatTensor))
print(torch.max(torch.tensor([1.0, 5.0]), torch.tensor([3.0, 2.0])), torch.min(torch.arange(6.0).view(2, 3), dim=1))
