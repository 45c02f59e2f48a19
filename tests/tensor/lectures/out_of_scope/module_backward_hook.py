# needs: register_full_backward_hook
# Grad-CAM style: a module backward hook records the gradient flowing out of a layer.
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
seen = {}
model[0].register_full_backward_hook(lambda m, grad_in, grad_out: seen.update(out=grad_out[0]))
model(torch.ones(2, 3)).sum().backward()
print(seen["out"].shape)
