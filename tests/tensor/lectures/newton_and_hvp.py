# Newton's method and Hessian-vector products from double backward (float64, as an
# optimisation homework would write it), checked against torch.autograd.functional.
import torch

# ---- Newton on a 1-D function: f(x) = x^4 - 3x^2 + x
def f1(x):
    return x ** 4 - 3 * x ** 2 + x

x = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
for it in range(6):
    y = f1(x)
    g, = torch.autograd.grad(y, x, create_graph=True)
    h, = torch.autograd.grad(g, x)
    with torch.no_grad():
        x -= g / h
    print(f"iter {it}: x = {x.item():.10f}, f(x) = {f1(x).item():.10f}, f'(x) = {g.item():.3e}")
print("x after Newton:", x)
print(x.dtype, x.requires_grad, x.is_leaf, x.grad)

# ---- Newton on the 2-D Rosenbrock function, Hessian built row by row
def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2

p = torch.tensor([-1.2, 1.0], dtype=torch.float64, requires_grad=True)
for it in range(7):
    loss = rosenbrock(p)
    grad, = torch.autograd.grad(loss, p, create_graph=True)
    rows = [torch.autograd.grad(grad[i], p, retain_graph=True)[0] for i in range(2)]
    H = torch.stack(rows)
    # 2x2 inverse by hand: [[d, -b], [-c, a]] / det
    a, b, c, d = H[0, 0], H[0, 1], H[1, 0], H[1, 1]
    det = a * d - b * c
    Hinv = torch.stack([torch.stack([d, -b]), torch.stack([-c, a])]) / det
    with torch.no_grad():
        p -= Hinv @ grad
    print(f"iter {it}: loss={loss.item():.6e} p={p.tolist()}")
print("Hessian at the start:", torch.autograd.functional.hessian(rosenbrock, torch.tensor([-1.2, 1.0], dtype=torch.float64)))

# ---- Hessian-vector product without building the Hessian
w = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64, requires_grad=True)
v = torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64)
loss = (w ** 3).sum() + (w[0] * w[1] * w[2])
g, = torch.autograd.grad(loss, w, create_graph=True)
hvp, = torch.autograd.grad(g, w, grad_outputs=v)
print("g:", g)
print("Hv:", hvp)
H = torch.autograd.functional.hessian(lambda w: (w ** 3).sum() + (w[0] * w[1] * w[2]), w.detach())
print("H:", H)
print("H @ v:", H @ v)
print("same:", torch.allclose(H @ v, hvp))

# the (g * v).sum() spelling gives the same product (a fresh forward pass: the graph was freed)
loss = (w ** 3).sum() + (w[0] * w[1] * w[2])
g, = torch.autograd.grad(loss, w, create_graph=True)
hvp2, = torch.autograd.grad((g * v).sum(), w)
print(hvp2, torch.allclose(hvp, hvp2))

# ---- jacobian of a vector function and of a linear layer's map
def polar_to_xy(rt):
    return torch.stack([rt[0] * torch.cos(rt[1]), rt[0] * torch.sin(rt[1])])

J = torch.autograd.functional.jacobian(polar_to_xy, torch.tensor([2.0, 0.5], dtype=torch.float64))
print("J:", J)
print("det J = r:", (J[0, 0] * J[1, 1] - J[0, 1] * J[1, 0]).item())

A = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
J = torch.autograd.functional.jacobian(lambda x: A @ x, torch.tensor([1.0, 1.0]))
print(J.shape, torch.equal(J, A))
J2 = torch.autograd.functional.jacobian(lambda x, y: x * y, (torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])))
print(type(J2).__name__, len(J2))
print(J2[0])
print(J2[1])
