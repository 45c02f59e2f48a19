# torch's tutorial "Double Backward with Custom Functions": a custom autograd.Function whose
# backward is written with differentiable tensor ops, so that create_graph=True gives second
# derivatives through it; gradcheck / gradgradcheck style checks done by hand.
import torch


class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 2

    @staticmethod
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        return grad_out * 2 * x


class MyExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        result = x.exp()
        ctx.save_for_backward(result)  # save the output: exp' = exp
        return result

    @staticmethod
    def backward(ctx, grad_out):
        result, = ctx.saved_tensors
        return grad_out * result


x = torch.tensor([1.0, -2.0, 0.5], dtype=torch.double, requires_grad=True)
y = Square.apply(x)
print("y:", y, type(y.grad_fn).__name__)
g, = torch.autograd.grad(y.sum(), x, create_graph=True)
print("dy/dx:", g, g.requires_grad)
gg, = torch.autograd.grad(g.sum(), x)
print("d2y/dx2:", gg)

z = MyExp.apply(x)
g, = torch.autograd.grad(z.sum(), x, create_graph=True)
gg, = torch.autograd.grad(g.sum(), x)
print("exp:", z.detach())
print("first:", g.detach())
print("second:", gg)
print("all equal:", torch.allclose(z, g) and torch.allclose(g, gg))

# composed with built-in ops
w = torch.tensor([0.3, -0.7], dtype=torch.double, requires_grad=True)
out = (MyExp.apply(Square.apply(w)) * torch.sin(w)).sum()
g, = torch.autograd.grad(out, w, create_graph=True)
h = torch.stack([torch.autograd.grad(g[i], w, retain_graph=True)[0] for i in range(2)])
print("gradient:", g)
print("Hessian:", h)
ref = torch.autograd.functional.hessian(lambda w: (torch.exp(w ** 2) * torch.sin(w)).sum(), w.detach())
print("matches the built-in ops:", torch.allclose(h, ref))

# finite differences of the first derivative, the gradgradcheck idea
eps = 1e-6
for i in range(2):
    e = torch.zeros(2, dtype=torch.double)
    e[i] = eps
    gp, = torch.autograd.grad((MyExp.apply(Square.apply(w + e)) * torch.sin(w + e)).sum(), w)
    gm, = torch.autograd.grad((MyExp.apply(Square.apply(w - e)) * torch.sin(w - e)).sum(), w)
    print(f"column {i}: finite difference close to autograd:", torch.allclose((gp - gm) / (2 * eps), h[:, i], atol=1e-6))
print("gradcheck:", torch.autograd.gradcheck(Square.apply, (x,)))
