# d2l 2.5 (automatic differentiation): grad of 2 x.x, zeroing, sum, detach, control flow.
import torch

x = torch.arange(4.0)
print(x)
x.requires_grad_(True)
print(x.grad)
y = 2 * torch.dot(x, x)
print(y)
y.backward()
print(x.grad)
print(x.grad == 4 * x)

x.grad.zero_()
y = x.sum()
y.backward()
print(x.grad)

x.grad.zero_()
y = x * x
y.sum().backward()
print(x.grad)

x.grad.zero_()
y = x * x
u = y.detach()
z = u * x
z.sum().backward()
print(x.grad == u)
print(u, u.requires_grad)

x.grad.zero_()
y.sum().backward()
print(x.grad == 2 * x)


def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


a = torch.tensor(1.5, requires_grad=True)
d = f(a)
d.backward()
print(a.grad == d / a)
print(a.grad, d)

x = torch.arange(4.0, requires_grad=True)
y = x * x
y.backward(torch.ones_like(y))
print(x.grad)
print(torch.ones_like(y), torch.zeros_like(x))
print(x.shape, x.size(), x.numel(), len(x), x.dtype, y.grad_fn)
with torch.no_grad():
    z = x * 2
print(z.requires_grad, z)
