# needs: register_full_backward_pre_hook
# A backward pre-hook that rescales the gradient reaching a layer's output.
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
model[2].register_full_backward_pre_hook(lambda m, grad_out: (grad_out[0] * 0.1,))
model(torch.ones(2, 3)).sum().backward()
print(model[0].weight.grad)
