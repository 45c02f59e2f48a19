# Tensor hooks as the autograd tutorials show them: a hook that prints, one that scales,
# one that replaces the gradient, removing a hook with its handle, hooks on intermediate
# tensors, retain_grad(), and the order in which hooks and accumulation happen.
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * x          # intermediate tensor
z = y.mean()


def print_grad(name):
    def hook(grad):
        print(f"hook on {name}: {grad}")
    return hook


h_x = x.register_hook(print_grad("x"))
h_y = y.register_hook(print_grad("y"))
print("is_leaf:", x.is_leaf, y.is_leaf, z.is_leaf)
print("requires_grad:", x.requires_grad, y.requires_grad, z.requires_grad)
z.backward(retain_graph=True)
print("x.grad:", x.grad)
print("y.grad is None:", y.grad is None)

# remove the printing hooks; double the gradient reaching y instead
h_x.remove()
h_y.remove()
h_double = y.register_hook(lambda g: g * 2)
x.grad.zero_()
z.backward(retain_graph=True)
print("x.grad with y's gradient doubled:", x.grad)
h_double.remove()

# a hook that returns a brand new gradient
y.register_hook(lambda g: torch.ones_like(g))
x.grad = None
z.backward(retain_graph=True)
print("x.grad with y's gradient replaced by ones:", x.grad)

# retain_grad keeps the gradient of a non-leaf
a = torch.tensor([[1.0, -1.0], [2.0, 0.5]], requires_grad=True)
b = a.exp()
b.retain_grad()
c = b * torch.tensor([[1.0, 2.0], [3.0, 4.0]])
c.retain_grad()
loss = c.sum()
loss.backward()
print("b.grad:", b.grad)
print("c.grad:", c.grad)
print("a.grad:", a.grad)
print("retains_grad:", b.retains_grad, a.retains_grad)

# a leaf hook sees the gradient before it is accumulated into .grad
w = torch.tensor([1.0, 2.0], requires_grad=True)
w.grad = torch.tensor([100.0, 100.0])


def show_then_clip(g):
    print("leaf hook sees:", g)
    return g.clamp(-1.0, 1.0)


handle = w.register_hook(show_then_clip)
(w * torch.tensor([5.0, -0.5])).sum().backward()
print("w.grad after accumulation:", w.grad)
handle.remove()
(w * torch.tensor([5.0, -0.5])).sum().backward()
print("w.grad after removing the hook:", w.grad)

# hooks collected in a dict, the way people inspect a network
grads = {}


def save_grad(name):
    def hook(grad):
        grads[name] = grad
    return hook


W1 = torch.tensor([[0.5, -0.2], [0.1, 0.4]], requires_grad=True)
W2 = torch.tensor([[1.0, -1.0]], requires_grad=True)
inp = torch.tensor([[1.0], [2.0]])
h1 = W1 @ inp
h1.register_hook(save_grad("h1"))
a1 = torch.relu(h1)
a1.register_hook(save_grad("a1"))
out = W2 @ a1
out.register_hook(save_grad("out"))
out.backward()
for name in ["out", "a1", "h1"]:
    print(name, grads[name].shape, grads[name].flatten().tolist())
print("W1.grad", W1.grad)

# a hook on a tensor that does not require grad
try:
    torch.tensor([1.0]).register_hook(lambda g: g)
except RuntimeError as e:
    print("RuntimeError:", e)
