# backward(gradient=..., retain_graph=True) twice and the accumulation it causes, leaves made
# with torch.eye / torch.zeros / torch.ones_like(requires_grad=True), x.grad.zero_(), and
# optimizer.zero_grad(set_to_none=True / False): the "why must I zero the gradients" lesson.
import torch

# eye(requires_grad=True) as a learnable matrix
W = torch.eye(3, requires_grad=True)
print(W)
print(W.dtype, W.requires_grad, W.is_leaf, W.shape)
x = torch.tensor([1.0, 2.0, 3.0])
y = W @ x
print(y, y.grad_fn.name())
y.backward(gradient=torch.tensor([1.0, 0.0, -1.0]), retain_graph=True)
print("after one backward:\n", W.grad)
y.backward(gradient=torch.tensor([1.0, 0.0, -1.0]), retain_graph=True)
print("after two (accumulated):\n", W.grad)
W.grad.zero_()
y.backward(torch.ones_like(y))
print("after zero_ and ones:\n", W.grad)

# a vector-Jacobian product with gradient= equals the Jacobian transposed times v
x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
y = torch.exp(x) * x
v = torch.tensor([0.1, 1.0, 0.0001])
y.backward(gradient=v, retain_graph=True)
print("x.grad:", x.grad)
print("by hand:", v * (torch.exp(x) * (x + 1)).detach())
y.backward(gradient=v)
print("twice:", x.grad)
try:
    y.backward(gradient=v)
except RuntimeError as e:
    print("third backward without retain_graph: RuntimeError")
try:
    y2 = x * 2
    y2.backward(gradient=torch.ones(2))
except RuntimeError as e:
    print("wrong gradient shape: RuntimeError")

# zeros(..., requires_grad=True) as the weights of a tiny linear model; forgetting zero_()
w = torch.zeros(2, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
X = torch.tensor([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]])
Y = torch.tensor([5.0, 4.0, 9.0])
for step in range(3):
    loss = ((X @ w + b - Y) ** 2).mean()
    loss.backward()
    print(f"step {step} loss {loss.item():.4f} w.grad {w.grad.tolist()} b.grad {b.grad.tolist()}")
print("gradients kept adding up without zero_()")
w.grad.zero_()
b.grad.zero_()
lr = 0.05
for step in range(5):
    loss = ((X @ w + b - Y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad.zero_()
    b.grad.zero_()
    print(f"step {step} loss {loss.item():.6f}")
print(w, b)

# optimizer.zero_grad(set_to_none=...)
torch.manual_seed(1)
model = torch.nn.Linear(2, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
model(X).sum().backward()
print("grad:", model.weight.grad)
opt.zero_grad(set_to_none=False)
print("set_to_none=False:", model.weight.grad, model.bias.grad)
model(X).sum().backward()
opt.zero_grad()
print("default (None):", model.weight.grad, model.bias.grad)
model(X).sum().backward()
model.zero_grad(set_to_none=False)
print("model.zero_grad(set_to_none=False):", model.weight.grad)

# gradient accumulation over micro-batches equals one big batch
torch.manual_seed(1)
model = torch.nn.Linear(2, 1)
big = torch.nn.functional.mse_loss(model(X).squeeze(1), Y)
big.backward()
g_big = model.weight.grad.clone()
model.zero_grad()
for i in range(3):
    part = (model(X[i:i + 1]).squeeze(1) - Y[i:i + 1]) ** 2 / 3
    part.sum().backward()
print(g_big, model.weight.grad, torch.allclose(g_big, model.weight.grad))

# ones_like / zeros_like keep the dtype and do not require grad unless asked
d = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
o = torch.ones_like(d)
print(o, o.dtype, o.requires_grad)
o2 = torch.ones_like(d, requires_grad=True)
print(o2.requires_grad, o2.is_leaf)
(d * o2).sum().backward()
print(d.grad, o2.grad)
