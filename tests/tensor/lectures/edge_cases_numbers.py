# Edge cases a learner prints: maximum / minimum / where with infinities, clamp at its
# bounds, relu and abs at 0 (which subgradient?), integer tensors and dtype promotion,
# item() / tolist(), float64 and very large / very small numbers.
import torch

inf = float("inf")
a = torch.tensor([-inf, -1.0, 0.0, 2.0, inf], requires_grad=True)
b = torch.tensor([0.0, -1.0, 0.0, 1.0, 3.0], requires_grad=True)
mx = torch.maximum(a, b)
mn = torch.minimum(a, b)
print("maximum:", mx)
print("minimum:", mn)
(mx * torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])).sum().backward()
print("d max / d a:", a.grad)   # ties split the gradient in half
print("d max / d b:", b.grad)
a.grad = None
b.grad = None
mn.sum().backward()
print("d min / d a:", a.grad, " d min / d b:", b.grad)

c = torch.tensor([-inf, -2.0, 0.5, inf], requires_grad=True)
safe = torch.where(torch.isinf(c), torch.zeros_like(c), c)
print("where:", safe)
safe.sum().backward()
print("where grad:", c.grad)
print(torch.where(c > 0, c, torch.tensor(0.0)))
print(torch.where(c > 0, 1.0, -1.0))
print(torch.exp(torch.tensor([-inf, 0.0, inf])), torch.log(torch.tensor([0.0, 1.0, inf])))
print(torch.sigmoid(torch.tensor([-inf, -100.0, 0.0, 100.0, inf])))
print(torch.tanh(torch.tensor([-inf, inf])), torch.relu(torch.tensor([-inf, inf])))

# clamp: gradient 1 inside, 0 outside; at exactly the bound torch passes it
x = torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0], requires_grad=True)
y = x.clamp(min=-1.0, max=1.0)
y.sum().backward()
print("clamp:", y, "grad:", x.grad)
x.grad = None
torch.clamp(x, min=0).sum().backward()
print("clamp(min=0) grad:", x.grad)
x.grad = None
x.clamp(max=0.5).sum().backward()
print("clamp(max=0.5) grad:", x.grad)

# relu and abs at zero
z = torch.tensor([-1.0, 0.0, 1.0], requires_grad=True)
torch.relu(z).sum().backward()
print("relu'(-1, 0, 1):", z.grad)
z.grad = None
torch.nn.functional.relu(z).sum().backward()
print("F.relu':", z.grad)
z.grad = None
z.abs().sum().backward()
print("abs'(-1, 0, 1):", z.grad)
z.grad = None
(z ** 2).sqrt().sum().backward()
print("sqrt(z^2)' at 0:", z.grad)
z.grad = None
torch.sign(z).sum().backward()
print("sign':", z.grad)
z.grad = None
torch.nn.LeakyReLU(0.1)(z).sum().backward()
print("leaky relu':", z.grad)

# integers and promotion
i = torch.tensor([1, 2, 3])
f = torch.tensor([0.5, 1.5, 2.5])
d = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
print(i.dtype, f.dtype, d.dtype)
print(i + f, (i + f).dtype)
print(i / 2, (i / 2).dtype)
print(i // 2, (i // 2).dtype, i % 2)
print(i * 2.5, (i * 2.5).dtype)
print(f + d, (f + d).dtype)
print(i + torch.tensor(1.5, dtype=torch.float64), (f * torch.tensor(2.0, dtype=torch.float64)).dtype)
print(torch.tensor([True, False]) + 1, (i > 1).dtype, (i > 1).sum(), (i > 1).float().mean())
print(i.float().mean(), i.sum(), i.sum().dtype, i.max().item(), type(i.max().item()).__name__)
print(torch.tensor(3) ** 2, torch.tensor(2.0) ** torch.tensor(3), torch.tensor([1, 2]) ** 0.5)
print(2.5 ** torch.tensor([1, 2]), 2 ** torch.tensor([1, 2]), torch.tensor([True, False]) ** 2)
try:
    i.mean()
except RuntimeError as e:
    print("mean of integers: RuntimeError")
try:
    torch.tensor([1, 2], requires_grad=True)
except RuntimeError as e:
    print("integer tensor with requires_grad:", type(e).__name__)

# item and tolist
s = torch.tensor(3.5)
print(s.item(), type(s.item()).__name__, torch.tensor(7).item(), type(torch.tensor(7).item()).__name__)
print(torch.tensor([[1.5, 2.0], [3.0, 4.25]]).tolist(), torch.tensor([1, 2]).tolist(), torch.tensor(2.0).tolist())
print(torch.tensor(0.1).item(), torch.tensor(0.1, dtype=torch.float64).item())
try:
    torch.tensor([1.0, 2.0]).item()
except RuntimeError as e:
    print("item() of two numbers:", type(e).__name__)

# printing: float64, large and small numbers
print(torch.tensor([1.0, 2.5], dtype=torch.float64))
print(torch.tensor([0.1, 0.2], dtype=torch.float64) + torch.tensor([0.2, 0.1], dtype=torch.float64))
print(torch.tensor([1e10, 1.0]))
print(torch.tensor([1e-10, 1.0]))
print(torch.tensor([123456.789, 0.001]))
print(torch.tensor([1e-5, 1e-6]))
print(torch.tensor([1e20, -1e20], dtype=torch.float64))
print(torch.tensor([100000.0, 2.0]), torch.tensor([1000.5, 2.0]))
print(torch.tensor([inf, -inf, float("nan"), 1.0]))
print(torch.tensor(1e-45), torch.tensor(3.4e38) * 10)
print(torch.tensor([2 ** 40, -3]), torch.tensor([0.0, -0.0]))
print(torch.tensor([[1e-3, 1e3], [5.0, 6.0]]))
print(torch.tensor([0.1, 0.25], dtype=torch.float64) * 3, torch.tensor(1 / 3, dtype=torch.float64))
print(torch.tensor([1.23456789e-8, 5.0], dtype=torch.float64), torch.tensor([12345678.0, 1.5]))
