# The less common corners of the autograd API that tutorials and forum answers use:
# backward(inputs=...), torch.autograd.backward with several roots, grad of several outputs,
# grad_outputs with None, hooks under create_graph, .grad with a graph, and retain_grad on
# tensors that live in a second-order graph.
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
w = torch.tensor([0.5, -1.0], requires_grad=True)
y = (x * w).sum() + (w ** 2).sum()

# backward only into some leaves
y.backward(inputs=[w], retain_graph=True)
print("inputs=[w]:", x.grad, w.grad)
y.backward(inputs=[x])
print("inputs=[x]:", x.grad, w.grad)

# torch.autograd.backward with two roots and their gradients
x.grad = None
w.grad = None
a = x * 3
b = (x * w).sum()
torch.autograd.backward([a, b], [torch.tensor([1.0, 0.5]), torch.tensor(2.0)])
print("two roots:", x.grad, w.grad)

# grad of two outputs at once adds their gradients; grad_outputs may hold None for a scalar
y1 = (x ** 2).sum()
y2 = (x * w).sum()
print(torch.autograd.grad([y1, y2], x, retain_graph=True))
print(torch.autograd.grad([y1, y2], [x, w], grad_outputs=[None, torch.tensor(3.0)]))

# a hook on an intermediate tensor, under create_graph: the gradient it sees has a graph
z = torch.tensor([0.3, -0.2], requires_grad=True)
h = z.sin()
seen = []
h.register_hook(lambda g: seen.append((g.requires_grad, g.grad_fn is not None)) or g * 2)
out = (h ** 2).sum()
gz, = torch.autograd.grad(out, z, create_graph=True)
print("hook saw requires_grad, grad_fn:", seen)
print("gz:", gz)
g2, = torch.autograd.grad(gz.sum(), z)
print("second derivative with the doubling hook:", g2)

# backward(create_graph=True): .grad has a graph; differentiate it again
p = torch.tensor([1.5, -0.5], requires_grad=True)
loss = (p ** 3).sum()
loss.backward(create_graph=True)
print(p.grad, p.grad.requires_grad, type(p.grad.grad_fn).__name__)
first = p.grad.clone()
p.grad = None
first.sum().backward()
print("d/dp sum(3 p^2):", p.grad)

# retain_grad on an intermediate of a second-order graph
q = torch.tensor([2.0], requires_grad=True)
r = q * q
r.retain_grad()
s = r * q
gq, = torch.autograd.grad(s, q, create_graph=True)
gq.backward()
print("q.grad:", q.grad, "r.grad:", r.grad)

# no_grad inside a create_graph computation cuts the second-order path
u = torch.tensor([1.0, 2.0], requires_grad=True)
v = (u ** 2).sum()
gu, = torch.autograd.grad(v, u, create_graph=True)
with torch.no_grad():
    scaled = gu * 10
print(scaled, scaled.requires_grad, gu.requires_grad)

# grad of a non-scalar with create_graph and a ones_like grad_outputs, then a Jacobian-trace
m = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
f = m.exp() * m
gm, = torch.autograd.grad(f, m, grad_outputs=torch.ones_like(f), create_graph=True)
trace = gm.diagonal().sum() if hasattr(gm, "diagonal") else gm[0, 0] + gm[1, 1]
trace.backward()
print("gm:", gm)
print("d trace / dm:", m.grad)
print("is_leaf:", m.is_leaf, gm.is_leaf, f.is_leaf, "requires_grad:", gm.requires_grad)
