# Masks and integer maths (//, %, div's rounding modes, &, |, ~), printing large and unusual tensors, and the grad
# modes (no_grad as a decorator, set_grad_enabled, inference_mode), retain_grad, autograd.backward and grad.
import torch
torch.manual_seed(0)
x = torch.randn(30, 40)
print(x)
print(torch.arange(2000))
a = torch.tensor([5, -3, 7]); b = torch.tensor([2, 2, -2])
print(a // b, a % b, torch.div(a, b, rounding_mode="floor"), torch.div(a, b, rounding_mode="trunc"), a / b)
m = a > 0
print(m & (b > 0), m | (b > 0), ~m, torch.logical_and(m, b > 0), m.sum(), m.float().mean(), m.any(), m.all())
print(a.int(), a.double(), a.bool(), torch.zeros(3, dtype=torch.bool), x[:2, :3].clamp_min(0), x[0, :3].abs_())
print(torch.tensor([1e-8, 1e8]), torch.tensor([0.1, 100.0]), torch.tensor([1.5, float("nan"), float("inf")]))
print(torch.tensor(1e10), torch.tensor([[1, 2], [3, 4]], dtype=torch.float64), torch.tensor([1.0]).dtype)
w = torch.tensor([1.0, 2.0], requires_grad=True)
@torch.no_grad()
def update(p):
    p -= 0.1 * p
    return p.requires_grad
print(update(w), w)
with torch.set_grad_enabled(False):
    print((w * 2).requires_grad)
with torch.inference_mode():
    print((w * 2).requires_grad)
y = w * 3; y.retain_grad(); z = (y ** 2).sum(); z.backward()
print(y.grad, w.grad, w.is_leaf, y.is_leaf, z.grad_fn.next_functions[0][0])
torch.autograd.backward([w.sum() * 2], [torch.tensor(2.0)])
print(w.grad)
g = torch.autograd.grad(outputs=(w ** 3).sum(), inputs=w, grad_outputs=torch.tensor(1.0))
print(g)
