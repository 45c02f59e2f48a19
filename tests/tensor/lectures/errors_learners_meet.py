# The errors a learner meets in the first autograd lessons, caught and reported the way
# course notebooks do: which kind of exception (bpcourse's messages add a hint to torch's
# wording, and its shape errors are a RuntimeError subclass, so the kind is compared).
import torch


def report(what, fn):
    try:
        result = fn()
        print(f"{what}: no error ->", result)
    except (RuntimeError, AttributeError, TypeError, ValueError, IndexError) as e:
        kind = next(k for k in (RuntimeError, AttributeError, TypeError, ValueError, IndexError) if isinstance(e, k))
        print(f"{what}: {kind.__name__}")


x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)

# backward twice through a freed graph
y = (x * x).sum()
y.backward()
report("backward twice", lambda: y.backward())

# backward of a vector without a gradient
report("backward of a vector", lambda: (x * 2).backward())

# a tensor that never required grad
report("backward without requires_grad", lambda: torch.tensor([1.0, 2.0]).sum().backward())

# in-place change of a leaf that requires grad
def inplace_leaf():
    x.add_(1)
report("in-place on a leaf", inplace_leaf)
with torch.no_grad():
    x.add_(1)
print("under no_grad it is allowed:", x)

# an in-place change of a tensor that backward still needs (exp saved its output)
def inplace_saved():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a.exp()
    b.add_(1)
    b.sum().backward()
report("in-place on a saved output", inplace_saved)


def inplace_used_later():  # allowed: b * 2 saved only the number 2
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1
    c = b * 2
    b.add_(1)
    (c.sum() + b.sum()).backward()
    return a.grad
report("in-place after a use that saved nothing of it", inplace_used_later)

# shapes that do not broadcast, and matrix products that do not fit
report("broadcast (3,) + (2,)", lambda: torch.ones(3) + torch.ones(2))
report("broadcast (2, 3) * (2,)", lambda: torch.ones(2, 3) * torch.ones(2))
print("broadcast (2, 3) * (3,):", (torch.ones(2, 3) * torch.tensor([1.0, 2.0, 3.0])).shape)
report("matmul (2, 3) @ (2, 3)", lambda: torch.ones(2, 3) @ torch.ones(2, 3))
report("view (2, 3) as (4, 2)", lambda: torch.ones(2, 3).view(4, 2))
report("mm of float and double", lambda: torch.ones(2, 2) @ torch.ones(2, 2, dtype=torch.float64))

# the gradient of something that is not a leaf
def non_leaf_grad():
    a = torch.tensor([1.0], requires_grad=True)
    b = a * 2
    b.sum().backward()
    return b.grad
import warnings
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    report("non-leaf .grad", non_leaf_grad)

# requires_grad on a computed tensor
def flag_on_non_leaf():
    a = torch.tensor([1.0], requires_grad=True)
    (a * 2).requires_grad = False
report("requires_grad=False on a non-leaf", flag_on_non_leaf)

# numpy() of a tensor in the graph, item() of a vector
report("numpy() with requires_grad", lambda: x.numpy())
report("item() of a vector", lambda: x.item())
print("detach().numpy():", x.detach().numpy())

# names torch does not have: the layers live in torch.nn
report("torch.Softmax", lambda: torch.Softmax)
report("torch.Linear", lambda: torch.Linear)
print("torch.nn.Softmax:", torch.nn.Softmax(dim=1))
print("torch.softmax:", torch.softmax(torch.tensor([1.0, 2.0]), dim=0))

# autograd.grad of an input that does not require grad
report("grad w.r.t. a constant", lambda: torch.autograd.grad((x * 2).sum(), torch.tensor([1.0])))

# a loss with the wrong target dtype
report("cross_entropy with float class labels",
       lambda: torch.nn.functional.cross_entropy(torch.ones(2, 3), torch.tensor([0.0, 1.0])))
print("cross_entropy with int64 labels:",
      torch.nn.functional.cross_entropy(torch.tensor([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]]), torch.tensor([1, 2])))
report("mse_loss with mismatched shapes (a warning in torch)",
       lambda: torch.nn.functional.mse_loss(torch.ones(3, 1), torch.ones(3)).shape)
