# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "intro"}, "editable": false, "deletable": false}
# # Exercises 06: tensor autograd
#
# These exercises go with `notebooks/06_tensor_autograd.ipynb` and use `bpcourse`'s tensors with
# PyTorch's names (`import bpcourse as torch`). A custom op is a `bpcourse.autograd.Function`
# with the same contract as `torch.autograd.Function`: `forward(ctx, ...)` computes the output and
# saves what backward needs with `ctx.save_for_backward(...)`; `backward(ctx, grad_output)` reads
# `ctx.saved_tensors` and returns one gradient per input; you call `MyFunction.apply(...)`.
#
# | question | kind | points |
# |---|---|---|
# | 1. a two-input `Function`: hypot | implement | 3 |
# | 2. summing a gradient back to its input's shape | implement | 2 |
# | 3. a broadcast gradient by hand | derive and compute | 2 |
# | 4. a numerical gradient | implement | 2 |
# | 5. which backward is wrong? (gradcheck) | debug | 1 |

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "setup"}, "editable": false, "deletable": false}
import numpy as np

import bpcourse as torch
from bpcourse.autograd import Function

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q1_hypot_task"}, "editable": false, "deletable": false}
# ## Question 1: a two-input `Function`, hypot (3 points)
#
# $$h(a, b) = \sqrt{a^2 + b^2} \quad \text{(elementwise)}, \qquad
# \frac{\partial h}{\partial a} = \frac{a}{h}, \qquad \frac{\partial h}{\partial b} = \frac{b}{h}.$$
#
# Write `class Hypot(Function)` with a `forward(ctx, a, b)` and a `backward(ctx, grad_output)` that
# returns the gradients for `a` and `b` (chain rule: multiply by `grad_output`). Save the output in
# forward and reuse it in backward rather than recomputing the square root. `a` and `b` have the same shape.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q1_hypot_answer"}}
class Hypot(Function):
    @staticmethod
    def forward(ctx, a, b):
        ### BEGIN SOLUTION
        h = (a * a + b * b).sqrt()
        ctx.save_for_backward(a, b, h)
        return h
        ### END SOLUTION

    @staticmethod
    def backward(ctx, grad_output):
        ### BEGIN SOLUTION
        a, b, h = ctx.saved_tensors
        return grad_output * a / h, grad_output * b / h
        ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q1_hypot", "points": 3}, "editable": false, "deletable": false}
a = torch.tensor([3.0, 5.0], dtype=torch.float64, requires_grad=True)
b = torch.tensor([4.0, 12.0], dtype=torch.float64, requires_grad=True)
h = Hypot.apply(a, b)
print("h =", h.detach().numpy())
assert np.allclose(h.detach().numpy(), [5.0, 13.0]), "Hypot's forward is wrong"
h.sum().backward()
assert a.grad.shape == a.shape and b.grad.shape == b.shape, "each gradient should have its input's shape"
assert np.allclose(a.grad.numpy() ** 2 + b.grad.numpy() ** 2, 1.0), 'with grad_output = 1 the gradient (a/h, b/h) should have length 1'  # the gradient of a norm is a unit vector

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q2_sum_to_shape_task"}, "editable": false, "deletable": false}
# ## Question 2: summing a gradient back to its input's shape (2 points)
#
# When forward broadcasts an input of shape `shape` up to the output's shape, each input entry is used
# several times, so backward must **sum** the output gradient over the broadcast axes. Write
# `sum_to_shape(grad, shape)` (numpy in, numpy out) that returns an array of exactly `shape`:
# first sum over the leading axes broadcasting added, then (keeping dimensions) over every axis
# where `shape` has size 1 and `grad` has more.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q2_sum_to_shape_answer"}}
def sum_to_shape(grad, shape):
    ### BEGIN SOLUTION
    shape = tuple(shape)
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q2_sum_to_shape", "points": 2}, "editable": false, "deletable": false}
g = np.ones((2, 3, 4))
assert sum_to_shape(g, (2, 3, 4)).shape == (2, 3, 4), 'with nothing broadcast the shape should not change'  # nothing was broadcast
assert sum_to_shape(g, (4,)).shape == (4,) and np.all(sum_to_shape(g, (4,)) == 6), 'sum the two leading axes for shape (4,)'
assert sum_to_shape(g, (3, 1)).shape == (3, 1), 'the result should have exactly the requested shape'
assert sum_to_shape(g, ()).shape == (), 'for shape () the result should be 0-dimensional'  # a scalar used everywhere collects all 24 entries
### BEGIN HIDDEN TESTS
assert float(sum_to_shape(g, ())) == 24.0, 'a scalar should collect all 24 entries'
assert np.all(sum_to_shape(g, (1, 3, 1)) == 8), 'sum over every axis of size 1 too'
### END HIDDEN TESTS

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q3_broadcast_task"}, "editable": false, "deletable": false}
# ## Question 3: a broadcast gradient by hand (2 points)
#
# With the fixed `A5` (shape $(2, 3)$) and `c5` (shape $(3,)$) below, $L = \sum_{ij} (A_{ij} c_j)^2$:
# `c5` is broadcast over the two rows. Derive $\partial L / \partial c_j$ (a sum over rows), and store
# it as a numpy array of shape $(3,)$ in `dL_dc5`. Compute it with numpy from your formula, not with autograd.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q3_data"}, "editable": false, "deletable": false}
A5 = np.array([[1.0, -2.0, 0.5], [3.0, 1.0, -1.0]])
c5 = np.array([0.5, -1.0, 2.0])

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q3_broadcast_answer"}}
### BEGIN SOLUTION
# dL/dc_j = sum_i 2 (A_ij c_j) A_ij = 2 c_j sum_i A_ij^2
dL_dc5 = 2 * c5 * (A5 ** 2).sum(axis=0)
### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q3_broadcast", "points": 2}, "editable": false, "deletable": false}
assert np.shape(dL_dc5) == (3,), f"dL_dc5 has shape {np.shape(dL_dc5)}, expected (3,): sum over the broadcast rows"
# Autograd agrees (bpcourse sums the broadcast gradient for you):
c_t = torch.tensor(c5, requires_grad=True)
((torch.tensor(A5) * c_t) ** 2).sum().backward()
print("autograd:", c_t.grad.numpy(), " by hand:", np.asarray(dL_dc5))
assert np.allclose(c_t.grad.numpy(), dL_dc5), 'dL_dc5 disagrees with autograd'

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q4_numerical_grad_task"}, "editable": false, "deletable": false}
# ## Question 4: a numerical gradient (2 points)
#
# `gradcheck` compares a backward pass with central differences,
# $\dfrac{\partial f}{\partial x_i} \approx \dfrac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2\varepsilon}$.
# Write `numerical_grad(f, x, eps=1e-6)`: `f` maps a float64 numpy array to a float, `x` is a numpy
# array of any shape; return an array of `x`'s shape. Do not change `x` itself (work on a copy).

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q4_numerical_grad_answer"}}
def numerical_grad(f, x, eps=1e-6):
    ### BEGIN SOLUTION
    x = np.array(x, dtype=np.float64)  # a copy
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old - eps
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q4_numerical_grad", "points": 2}, "editable": false, "deletable": false}
x4 = np.array([[1.0, 2.0], [3.0, -1.0]])
g4 = numerical_grad(lambda v: float(np.sum(v ** 2)), x4)
assert g4.shape == (2, 2) and np.allclose(g4, 2 * x4, atol=1e-6), 'the numerical gradient of sum(x^2) should be 2x'
assert np.all(x4 == [[1.0, 2.0], [3.0, -1.0]]), "numerical_grad changed its input"

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q5_gradcheck_task"}, "editable": false, "deletable": false}
# ## Question 5: which backward is wrong? (1 point)
#
# The three `Function`s below each claim a derivative. Exactly one backward is wrong. Run
# `torch.gradcheck(fn.apply, [x])` on each (`x` a float64 tensor with `requires_grad=True`); it
# compares backward with central differences and returns a result whose `.passed` is `False` when
# they disagree. Store the **name of the class** whose backward is wrong in `broken` (a string,
# e.g. `"Cube"`).

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q5_mysteries"}, "editable": false, "deletable": false}
class Cube(Function):
    """x^3, derivative 3 x^2."""
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 3 * x * x


class Swish(Function):
    """x sigmoid(x), derivative sigmoid(x) (1 + x (1 - sigmoid(x)))."""
    @staticmethod
    def forward(ctx, x):
        s = x.sigmoid()
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, grad_output):
        x, s = ctx.saved_tensors
        return grad_output * s


class LogCosh(Function):
    """log(cosh(x)), derivative tanh(x)."""
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ((x.exp() + (-x).exp()) * 0.5).log()

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x.tanh()

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q5_gradcheck_answer"}}
### BEGIN SOLUTION
x5 = torch.tensor([-1.5, -0.3, 0.4, 2.0], dtype=torch.float64, requires_grad=True)
results = {fn.__name__: torch.gradcheck(fn.apply, [x5]).passed for fn in (Cube, Swish, LogCosh)}
print(results)
broken = next(name for name, ok in results.items() if not ok)
### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q5_gradcheck", "points": 1}, "editable": false, "deletable": false}
assert broken in ("Cube", "Swish", "LogCosh"), "broken should be one of the three class names"

# %% [markdown] meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "summary"}, "editable": false, "deletable": false}
# ## Summary
#
# A tensor op is a `Function`: forward plus saved values, backward returning one gradient per input.
# Broadcasting in forward means summing in backward, back to the input's shape; and a central
# difference is the independent referee that `gradcheck` uses to catch a wrong backward.
# Next: `07_pytorch_autograd`.
