# Higher-order derivatives with torch.autograd.grad, the way tutorials introduce them:
# d/dx, d2/dx2, d3/dx3 of x**3, the derivatives of sin, tuples of inputs, allow_unused,
# grad_outputs for a vector output, and what retain_graph=False does to a second call.
import math
import torch

x = torch.tensor(2.0, requires_grad=True)
y = x ** 3
print("y =", y, "grad_fn:", y.grad_fn)

# first derivative, keeping the graph so that we can differentiate again
dy_dx = torch.autograd.grad(y, x, create_graph=True)[0]
print("dy/dx =", dy_dx)
print("dy/dx requires_grad:", dy_dx.requires_grad, "is_leaf:", dy_dx.is_leaf)
print("dy/dx grad_fn name:", type(dy_dx.grad_fn).__name__)

d2y_dx2 = torch.autograd.grad(dy_dx, x, create_graph=True)[0]
print("d2y/dx2 =", d2y_dx2)
d3y_dx3 = torch.autograd.grad(d2y_dx2, x)[0]
print("d3y/dx3 =", d3y_dx3, d3y_dx3.requires_grad)
print("expected:", 3 * 2.0 ** 2, 6 * 2.0, 6.0)

# the derivatives of sin cycle: cos, -sin, -cos, sin
t = torch.linspace(0, math.pi, 5, requires_grad=True)
f = torch.sin(t)
derivs = []
g = f
for order in range(1, 5):
    g = torch.autograd.grad(g.sum(), t, create_graph=True)[0]
    derivs.append(g)
    print(f"order {order}:", g)
print("cos(t):   ", torch.cos(t.detach()))
print("matches -sin:", torch.allclose(derivs[1], -torch.sin(t.detach())))
print("4th == sin:", torch.allclose(derivs[3], torch.sin(t.detach()), atol=1e-6))

# several inputs at once: a tuple in, a tuple out
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = torch.tensor([3.0, -1.0], requires_grad=True)
c = torch.tensor(5.0, requires_grad=True)
z = (a * b).sum() + a.pow(2).sum()
ga, gb = torch.autograd.grad(z, (a, b), retain_graph=True)
print("dz/da:", ga, "dz/db:", gb)
print(type(torch.autograd.grad(z, [a, b], retain_graph=True)))

# c is not used by z: allow_unused gives None instead of an error
ga, gc = torch.autograd.grad(z, [a, c], allow_unused=True, retain_graph=True)
print("dz/da:", ga, "dz/dc:", gc)
try:
    torch.autograd.grad(z, [a, c], retain_graph=True)
except RuntimeError as e:
    print("RuntimeError raised without allow_unused")

# a vector output needs grad_outputs (the v in v^T J)
v = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
out = v ** 2
try:
    torch.autograd.grad(out, v)
except RuntimeError as e:
    print(type(e).__name__, "for a vector output without grad_outputs")
vjp, = torch.autograd.grad(out, v, grad_outputs=torch.ones_like(out), retain_graph=True)
print("with ones:", vjp)
vjp, = torch.autograd.grad(out, v, grad_outputs=torch.tensor([1.0, 0.0, 0.5]))
print("with [1, 0, 0.5]:", vjp)

# grad does not touch .grad
print("v.grad after autograd.grad:", v.grad)

# the graph is freed after a call without retain_graph
w = torch.tensor(3.0, requires_grad=True)
loss = torch.exp(w) * w
g1, = torch.autograd.grad(loss, w)
print("first call:", g1)
try:
    torch.autograd.grad(loss, w)
    print("second call worked")
except RuntimeError as e:
    print("second call: RuntimeError")

# create_graph implies retain_graph
loss = torch.exp(w) * w
g1, = torch.autograd.grad(loss, w, create_graph=True)
g2, = torch.autograd.grad(loss, w)
print(g1, g2, torch.equal(g1.detach(), g2))
