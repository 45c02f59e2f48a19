# Module API as learners use it: nested reprs, state_dict, named_parameters/children/modules,
# parameter counting, train/eval, zero_grad, printing gradients, grad_fn chains.
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.l1 = nn.Linear(2, 4)
        self.act = nn.ReLU()
        self.block = nn.Sequential(nn.Linear(4, 3), nn.Sigmoid(), nn.Linear(3, 2, bias=False), nn.Tanh())
        self.out = nn.Linear(2, 1)
        self.softmax = nn.Softmax(dim=1)
        self.flat = nn.Flatten()

    def forward(self, x):
        return self.out(self.block(self.act(self.l1(self.flat(x)))))


net = Net()
print(net)
print(net.block)
print(net.block[0], net.block[-1], len(net.block))
for name, p in net.named_parameters():
    with torch.no_grad():
        p.copy_(torch.linspace(-0.5, 0.5, p.numel()).view(p.shape))
    print(name, p.size(), p.dtype, p.requires_grad, p.is_leaf)
print([type(m).__name__ for m in net.children()])
print([name for name, m in net.named_modules()])
print(sum(p.numel() for p in net.parameters() if p.requires_grad))
sd = net.state_dict()
print(list(sd.keys()))
print(sd['l1.weight'])
print(sd['block.2.weight'].shape, 'block.2.bias' in sd)
x = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [0.0, 0.0]])
y = net(x)
print(y)
print(y.grad_fn, y.grad_fn.next_functions[0][0] is not None)
loss = y.pow(2).mean()
print(loss)
loss.backward()
print(net.l1.weight.grad)
print(net.out.bias.grad)
net.zero_grad()
print(net.out.bias.grad)
net.eval()
print(net.training, net.block.training)
net.train()
print(net.training)
with torch.no_grad():
    print(net(x).requires_grad)
net2 = Net()
net2.load_state_dict(sd)
print(torch.allclose(net2(x), net(x)))
print(nn.MSELoss(), nn.CrossEntropyLoss(), nn.BCELoss(), nn.ReLU(), nn.Sigmoid(), nn.Softmax(dim=1))
print(nn.Sequential(nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 1), nn.Sigmoid()))
w = nn.Parameter(torch.tensor([1.0, 2.0]))
print(w)
print(w * 2)
print(w.data, w.grad, w.shape)
print(isinstance(w, torch.Tensor), isinstance(net.l1, nn.Module))
lin = nn.Linear(3, 2)
print(lin.weight.shape, lin.bias.shape, lin.in_features, lin.out_features)
print(net.l1.weight.t().shape, net.l1.weight.T @ net.l1.weight.new_ones(4, 1) if hasattr(net.l1.weight, 'new_ones') else 0)
print(torch.optim.SGD(net.parameters(), lr=0.01))
print(torch.optim.Adam(net.parameters(), lr=0.001, weight_decay=1e-4))
print(net.state_dict()['out.bias'], list(net.parameters())[-1])
