# Second derivatives the way tutorials write them: autograd.grad with create_graph=True,
# a Newton step, a gradient penalty, and torch.autograd.functional.jacobian / hessian.
import torch

x = torch.tensor(2.0, requires_grad=True)
y = x ** 3 - 2 * x
dy_dx, = torch.autograd.grad(y, x, create_graph=True)
d2y_dx2, = torch.autograd.grad(dy_dx, x)
print("y:", y.item(), " dy/dx:", dy_dx, " d2y/dx2:", d2y_dx2)
print(dy_dx.requires_grad, d2y_dx2.requires_grad, type(dy_dx.grad_fn).__name__)

# Newton's method on f(w) = (w - 3)^4 + w^2: w <- w - f'(w) / f''(w)
w = torch.tensor([0.0], requires_grad=True)
for step in range(5):
    f = ((w - 3) ** 4 + w ** 2).sum()
    g, = torch.autograd.grad(f, w, create_graph=True)
    h, = torch.autograd.grad(g.sum(), w)
    with torch.no_grad():
        w -= g / h
    print(f"step {step}: f={f.item():.6f} w={w.item():.6f}")

# backward(create_graph=True) and .grad with a graph of its own
a = torch.tensor([1.0, -0.5, 2.0], requires_grad=True)
loss = (a.sin() * a).sum()
loss.backward(create_graph=True)
print(a.grad)
grad_norm = a.grad.pow(2).sum()
a.grad = None
grad_norm.backward()
print(a.grad)

# a gradient penalty: the norm of d out / d inputs pushed towards 1
torch.manual_seed(0)
inputs = torch.tensor([[0.5, -1.0], [2.0, 0.25], [-0.3, 0.8]], requires_grad=True)
weight = torch.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
out = torch.tanh(inputs @ weight).sum()
gx, = torch.autograd.grad(out, inputs, grad_outputs=torch.ones_like(out), create_graph=True, retain_graph=True)
penalty = ((gx.norm(2, dim=1) - 1) ** 2).mean()
penalty.backward()
print("penalty", penalty)
print(weight.grad)

# whole matrices of derivatives
def f(v):
    return torch.stack([v[0] * v[1], v[1].exp(), (v ** 2).sum()])

v = torch.tensor([1.0, 0.5, -2.0])
print(torch.autograd.functional.jacobian(f, v))
print(torch.autograd.functional.hessian(lambda v: (v ** 3).sum() + v[0] * v[2], v))
H = torch.autograd.functional.hessian(lambda p, q: (p * q.exp()).sum(), (torch.tensor([1.0, 2.0]), torch.tensor([0.0, 1.0])))
print(H[0][1])
print(H[1][1])
