# Module forward hooks, as the nn.Module tutorial and "visualise the activations" posts use
# them: collect intermediate activations in a dict, change a layer's input with a pre-hook,
# change its output with a forward hook, then remove the hooks with their handles.
import torch
import torch.nn as nn

torch.manual_seed(42)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


model = Net()
x = torch.tensor([[1.0, -2.0, 0.5], [0.0, 1.0, 1.0]])

activations = {}


def get_activation(name):
    def hook(module, inputs, output):
        activations[name] = output.detach()
        print(f"forward hook {name}: {type(module).__name__}, {len(inputs)} input(s) of shape "
              f"{tuple(inputs[0].shape)} -> {tuple(output.shape)}")
    return hook


handles = [model.fc1.register_forward_hook(get_activation("fc1")),
           model.act.register_forward_hook(get_activation("relu"))]
out = model(x)
print("out", out)
print(sorted(activations))
print("fc1", activations["fc1"])
print("relu", activations["relu"])
print("detached:", activations["fc1"].requires_grad, "out still has a graph:", out.requires_grad)
for h in handles:
    h.remove()
activations.clear()
model(x)
print("after remove:", activations)


# a pre-hook sees (and may replace) the inputs
def double_input(module, inputs):
    print("pre-hook on", type(module).__name__, "got a", type(inputs).__name__)
    return (inputs[0] * 2,)


pre = model.fc1.register_forward_pre_hook(double_input)
doubled = model(x)
pre.remove()
print("with the input doubled:", doubled)
print("equals model(2 * x):", torch.allclose(doubled, model(2 * x)))


# a forward hook that returns something replaces the output
def clip_low_logits(module, inputs, output):
    return output.clamp(min=-0.3)


h = model.register_forward_hook(clip_low_logits)
clipped = model(x)
print("clipped", clipped)
loss = clipped.sum()
loss.backward()
print("fc2.bias.grad", model.fc2.bias.grad)
h.remove()
print("hook removed:", model(x))

# hooks on every child, named
for name, layer in model.named_children():
    layer.register_forward_hook(lambda m, i, o, name=name: print(f"  {name:4s} -> {list(o.shape)}"))
with torch.no_grad():
    model(torch.ones(5, 3))
