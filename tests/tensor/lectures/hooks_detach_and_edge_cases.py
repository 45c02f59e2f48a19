# Hooks, retain_grad, detach, eye(requires_grad=True), backward(gradient, retain_graph=True),
# torch.maximum with infinities and the grad_fn names a learner prints.
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
y.retain_grad()
y.register_hook(lambda grad: print("gradient reaching y:", grad))
handle = y.register_hook(lambda grad: grad * 10)
z = (y * y).sum()
print(type(z.grad_fn).__name__, type(y.grad_fn).__name__, z.grad_fn)
z.backward(retain_graph=True)
print("x.grad", x.grad, "y.grad", y.grad)
handle.remove()
x.grad.zero_()
z.backward()
print("after remove:", x.grad)

leaf_seen = []
w = torch.tensor([0.5, -1.5], requires_grad=True)
w.register_hook(lambda g: leaf_seen.append(g.tolist()))
w.register_hook(lambda g: g.clamp(min=-1, max=1))
(w ** 3).sum().backward()
print("leaf hook saw", leaf_seen, "w.grad", w.grad)

# detach: a constant with the same numbers
a = torch.tensor([2.0, 3.0], requires_grad=True)
b = a.detach()
c = a * b
c.sum().backward()
print(b.requires_grad, a.grad, c)

# the identity as a leaf that requires grad
E = torch.eye(3, requires_grad=True)
print(E)
M = torch.tensor([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0], [3.0, 0.5, 2.0]])
(E @ M).sum().backward()
print(E.grad)

# backward with a gradient for a non-scalar output, twice
v = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
out = v ** 2
out.backward(torch.tensor([1.0, 0.1, 0.01]), retain_graph=True)
print(v.grad)
out.backward(torch.tensor([1.0, 1.0, 1.0]))
print(v.grad)

# maximum, minimum and where with infinities
inf = float("inf")
p = torch.tensor([-inf, 1.0, 5.0], requires_grad=True)
q = torch.tensor([0.0, inf, 5.0], requires_grad=True)
m = torch.maximum(p, q)
n = torch.minimum(p, q)
s = torch.where(p > 0, p, torch.zeros_like(p))
print(m, n, s)
(m.sum() + n.sum()).backward()
print(p.grad, q.grad)
print(torch.maximum(torch.tensor([-inf]), torch.tensor([0.0])))
print(type(m.grad_fn).__name__, type(s.grad_fn).__name__, type(x.mean().grad_fn).__name__)
