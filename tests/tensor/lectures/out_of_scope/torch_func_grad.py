# needs: torch.func
# functorch-style transforms, from the newer autograd tutorials.
import torch

df = torch.func.grad(lambda x: (x ** 3).sum())
print(df(torch.tensor([1.0, 2.0])))
