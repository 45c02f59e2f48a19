# Module full backward hooks, as the nn.Module tutorial and Grad-CAM posts use them: print the
# gradients flowing into and out of each layer, scale a layer's grad_input (per-layer gradient
# clipping), and the warning torch gives when no input of a layer requires grad.
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
order = []


def show(name):
    def hook(module, grad_input, grad_output):
        order.append(name)
        print(name, type(module).__name__, [None if g is None else tuple(g.shape) for g in grad_input],
              [tuple(g.shape) for g in grad_output])
        print("  grad_output", grad_output[0])
        print("  grad_input", grad_input[0])
    return hook


handles = [model[0].register_full_backward_hook(show("fc1")),
           model[1].register_full_backward_hook(show("relu")),
           model[2].register_full_backward_hook(show("fc2"))]
x = torch.tensor([[1.0, -1.0, 0.5], [0.2, 0.3, -2.0]])
model(x).sum().backward()
print("hooks ran in the order", order)
print(model[0].weight.grad)
for h in handles:
    h.remove()

# halve the gradient that leaves the ReLU (its grad_input)
model.zero_grad()
halve = model[1].register_full_backward_hook(lambda m, gin, gout: (gin[0] * 0.5,))
model(x).sum().backward()
print("with the ReLU's grad_input halved:", model[0].weight.grad)

# when the input requires grad, the first layer's grad_input is d loss / d x
xi = x.clone().requires_grad_(True)
model[0].register_full_backward_hook(lambda m, gin, gout: print("fc1 grad_input", gin[0]))
model(xi).sum().backward()
print("xi.grad", xi.grad)

# Grad-CAM's recipe: keep the activation (forward hook) and its gradient (backward hook)
store = {}
model[1].register_forward_hook(lambda m, i, o: store.update(activation=o.detach()))
model[1].register_full_backward_hook(lambda m, gin, gout: store.update(gradient=gout[0].detach()))
halve.remove()
model.zero_grad()
model(x).sum().backward()
weights = store["gradient"].mean(dim=0)
print("activation", store["activation"])
print("channel weights", weights)
print("weighted", torch.relu((store["activation"] * weights).sum(dim=1)))

# a hook must return as many grad_input as the module has inputs
try:
    model[2].register_full_backward_hook(lambda m, gin, gout: (gin[0], gin[0]))
    model(xi).sum().backward()
except RuntimeError as e:
    print("RuntimeError:", e)
