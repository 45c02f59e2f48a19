# needs: with_kwargs=True
import torch

layer = torch.nn.Linear(2, 2)
layer.register_forward_hook(lambda m, args, kwargs, out: out, with_kwargs=True)
print(layer(torch.ones(1, 2)).shape)
