# detach(), detach_(), torch.no_grad() as a block and as a decorator, enable_grad inside
# no_grad, set_grad_enabled, requires_grad_(), and .data vs .detach(): what the d2l
# autograd chapter and the lecture notes print.
import torch

x = torch.arange(4.0, requires_grad=True)
print(x, x.requires_grad, x.is_leaf, x.grad_fn)

# detach: u is a constant with y's numbers (d2l's "detaching computation")
y = x * x
u = y.detach()
z = u * x
z.sum().backward()
print("u:", u, u.requires_grad, u.is_leaf, u.grad_fn)
print("x.grad == u:", x.grad == u)
x.grad.zero_()
y.sum().backward()
print("x.grad == 2 * x:", x.grad == 2 * x)

# detach shares memory with the original
a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = a.detach()
b[0] = 100.0
print("a after writing into a.detach():", a)
print("b:", b)

# detach_ turns a non-leaf into a leaf in place
c = a * 2
print("before detach_:", c.grad_fn is not None, c.is_leaf, c.requires_grad)
c.detach_()
print("after detach_:", c.grad_fn, c.is_leaf, c.requires_grad)

# no_grad as a block
w = torch.tensor([0.5, -0.5], requires_grad=True)
with torch.no_grad():
    v = w * 2
    print("inside no_grad:", v.requires_grad, torch.is_grad_enabled())
    with torch.enable_grad():
        e = w * 3
        print("enable_grad inside no_grad:", e.requires_grad, e.grad_fn)
print("outside:", torch.is_grad_enabled(), (w * 2).requires_grad)


# no_grad and enable_grad as decorators
@torch.no_grad()
def predict(inp):
    return inp @ w


@torch.enable_grad()
def forward_with_grad(inp):
    return inp @ w


inp = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
p = predict(inp)
print("decorated no_grad:", p, p.requires_grad)
with torch.no_grad():
    q = forward_with_grad(inp)
print("decorated enable_grad under no_grad:", q, q.requires_grad)
print("name kept:", predict.__name__, forward_with_grad.__name__)

# set_grad_enabled as a switch, the way evaluation loops write it
for is_train in (True, False):
    with torch.set_grad_enabled(is_train):
        out = (inp @ w).sum()
    print("train" if is_train else "eval", out, out.requires_grad)
torch.set_grad_enabled(False)
print("globally off:", (w * 1).requires_grad)
torch.set_grad_enabled(True)
print("globally on:", (w * 1).requires_grad)

# requires_grad_() on a tensor made without it
t = torch.ones(2, 2)
print(t.requires_grad)
t.requires_grad_()
print(t.requires_grad, t.is_leaf)
s = (t * t + 3).mean()
s.backward()
print(t.grad)
t.requires_grad_(False)
print(t.requires_grad, t.grad)

# .data: the numbers without autograd (the older lectures' spelling)
w = torch.tensor([1.0], requires_grad=True)
l = (2.0 * w - 4.0) ** 2
l.backward()
w.data = w.data - 0.1 * w.grad.data
print(w, w.grad, w.data, w.is_leaf)
w.grad.data.zero_()
print(w.grad)

# in-place update under no_grad keeps w a leaf
w = torch.tensor([1.0, 2.0], requires_grad=True)
loss = (w ** 2).sum()
loss.backward()
with torch.no_grad():
    w -= 0.1 * w.grad
    w.grad.zero_()
print(w, w.is_leaf, w.grad, w.requires_grad)

# inference_mode, newer tutorials' spelling of no_grad
with torch.inference_mode():
    r = w * 2
print(r, r.requires_grad)

# detach().numpy() and .tolist()
print(w.detach().numpy(), w.tolist(), type(w.detach().numpy()).__name__)
try:
    w.numpy()
except RuntimeError as e:
    print("RuntimeError:", e)
