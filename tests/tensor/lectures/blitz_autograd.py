# PyTorch's 60-minute blitz, the autograd part: Q.backward(gradient=...), requires_grad of results,
# freezing a network's parameters and replacing its last layer.
import torch

a = torch.tensor([2., 3.], requires_grad=True)
b = torch.tensor([6., 4.], requires_grad=True)
Q = 3*a**3 - b**2
external_grad = torch.tensor([1., 1.])
Q.backward(gradient=external_grad)
print(9*a**2 == a.grad)
print(-2*b == b.grad)
print(Q)
x = torch.rand(5, 5)
y = torch.rand(5, 5)
z = torch.rand((5, 5), requires_grad=True)
a = x + y
print(f"Does `a` require gradients?: {a.requires_grad}")
b = x + z
print(f"Does `b` require gradients?: {b.requires_grad}")
torch.manual_seed(1)
model = torch.nn.Sequential(torch.nn.Linear(10, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2))
for param in model.parameters():
    param.requires_grad = False
model[2] = torch.nn.Linear(5, 3)
print(model)
optimizer = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
inp = torch.randn(4, 10)
out = model(inp)
out.sum().backward()
print([p.grad is None for p in model.parameters()])
print(model[2].weight.grad.shape, model[0].weight.requires_grad)
optimizer.step()
print(model[2].bias)
