# torch.autograd.functional's products (vjp, jvp, hvp, vhp) next to the full jacobian and
# hessian they avoid building, as the "Hessian-vector products" tutorials show them.
import torch
from torch.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp


def f(x):
    return (x ** 3).sum() + x[0] * x[1]


x = torch.tensor([1.0, 2.0, -1.0])
v = torch.tensor([1.0, 0.5, 2.0])
value, Hv = hvp(f, x, v)
print("f(x) =", value, " Hv =", Hv)
print("vhp:", vhp(f, x, v))
H = hessian(f, x)
print("H =", H)
print("H @ v =", H @ v, torch.allclose(H @ v, Hv))


def g(x, y):
    return torch.stack([x[0] * y, x[1].exp() * y])


xs = (torch.tensor([1.0, 2.0]), torch.tensor(3.0))
out, (vjp_x, vjp_y) = vjp(g, xs, torch.tensor([1.0, -1.0]))
print("g =", out, " v^T J =", vjp_x, vjp_y)
out, Jv = jvp(g, xs, (torch.tensor([1.0, 1.0]), torch.tensor(0.5)))
print("J v =", Jv)
Jx, Jy = jacobian(g, xs)
print("J_x =", Jx)
print("J_y =", Jy)
print("check:", Jx @ torch.tensor([1.0, 1.0]) + Jy * 0.5)

# with a single input and no v: a function returning one number
print(vjp(lambda x: (x ** 2).sum(), torch.tensor([1.0, 2.0])))
print(jvp(lambda x: x.sin(), torch.tensor([0.0, 1.0]), torch.tensor([1.0, 2.0])))
print(hvp(lambda a, b: (a * b ** 2).sum(), (torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])),
          (torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0]))))

# create_graph=True keeps the products differentiable
w = torch.tensor([0.5, -1.0], requires_grad=True)
out, Hv = hvp(lambda w: (w.exp() * w).sum(), w, torch.tensor([1.0, 1.0]), create_graph=True)
print(out.requires_grad, Hv.requires_grad)
Hv.sum().backward()
print("d/dw sum(Hv):", w.grad)

# the results are new tensors, cut from the inputs' graph by default
w.grad = None
out, Hv = hvp(lambda w: (w.exp() * w).sum(), w, torch.tensor([1.0, 1.0]))
print(out, Hv, out.requires_grad, Hv.requires_grad, w.grad)

# a vector output needs v
try:
    vjp(lambda x: x * 2, torch.tensor([1.0, 2.0]))
except RuntimeError:
    print("vjp of a vector function without v: RuntimeError")
print(vjp(lambda x: x * 2, torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0])))

# a small least-squares problem: one Newton step with the Hessian from hessian()
A = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]], dtype=torch.float64)
b = torch.tensor([1.0, 0.0, 2.0], dtype=torch.float64)


def least_squares(p):
    return ((A @ p - b) ** 2).sum() / 2


p = torch.zeros(2, dtype=torch.float64)
g = jacobian(least_squares, p)
H = hessian(least_squares, p)
step = -torch.tensor([[H[1, 1], -H[0, 1]], [-H[1, 0], H[0, 0]]], dtype=torch.float64) @ g / (H[0, 0] * H[1, 1] - H[0, 1] * H[1, 0])
p = p + step
print("gradient", g, "Hessian", H)
print("after one Newton step:", p, "loss", least_squares(p).item())
print("gradient now ~ 0:", jacobian(least_squares, p).abs().max().item() < 1e-9)
