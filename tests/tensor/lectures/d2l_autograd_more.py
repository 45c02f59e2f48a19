# d2l autograd details: size= keywords, non-scalar backward with gradient=, retain_graph,
# autograd.grad, requires_grad propagation, grad_fn chains, set_grad_enabled, decorators.
import torch

a = torch.ones(size=(), requires_grad=True)
b = torch.zeros(size=(2, 3))
print(a, b, torch.ones(size=(2,)).shape, torch.rand(size=(3, 1)).shape, torch.randn(size=(2, 2)).shape)
x = torch.arange(4.0, requires_grad=True)
y = x * x
y.backward(gradient=torch.ones(len(y)))
print(x.grad)
x.grad.zero_()
y = (x ** 3).sum()
y.backward(retain_graph=True)
print(x.grad)
y.backward()
print(x.grad)
x.grad = None
z = x.exp().sum()
(g,) = torch.autograd.grad(z, x)
print(g, x.grad)
w = torch.tensor([1.0, 2.0], requires_grad=True)
v = torch.tensor([3.0, 4.0])
out = w * v
print(out.requires_grad, v.requires_grad, out.is_leaf, w.is_leaf, out.grad_fn.name() if hasattr(out.grad_fn, 'name') else '')
print(len(out.grad_fn.next_functions))
with torch.set_grad_enabled(False):
    print((w * 2).requires_grad)
print(torch.is_grad_enabled())
with torch.no_grad():
    print(torch.is_grad_enabled(), (w * 2).requires_grad)
with torch.enable_grad():
    print((w * 2).requires_grad)
h = out.sum()
h.retain_grad()
out.retain_grad()
(h * 2).backward()
print(h.grad, out.grad, w.grad)
print(torch.tensor([[1.0, 2.0], [3.0, 4.0]]).requires_grad_())
q = torch.tensor([2.0], requires_grad=True)
r = q.detach().requires_grad_(True)
(r * q).backward()
print(q.grad, r.grad)
