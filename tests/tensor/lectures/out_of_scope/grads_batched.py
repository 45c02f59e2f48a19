# needs: is_grads_batched
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x ** 2
print(torch.autograd.grad(y, x, grad_outputs=torch.eye(2), is_grads_batched=True))
