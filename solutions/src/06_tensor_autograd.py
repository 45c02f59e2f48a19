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
# | 1. which backward is wrong? (gradcheck) | debug | 1 |
# | 2. the backward of a maximum along an axis | implement | 2 |
# | 3. a broadcast gradient by hand | derive and compute | 2 |
# | 4. a gradient check in two evaluations per direction | implement | 2 |
# | 5. a two-input `Function`: hypot | implement | 3 |
# | 6. a broadcasting matmul `Function` | implement | 3 |

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "setup"}, "editable": false, "deletable": false}
import numpy as np

import bpcourse as torch
from bpcourse.autograd import Function

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q1_gradcheck_task"}, "editable": false, "deletable": false}
# ## Question 1: which backward is wrong? (1 point)
#
# The three `Function`s below each claim a derivative. Exactly one backward is wrong. Run
# `torch.gradcheck(fn.apply, [x])` on each (`x` a float64 tensor with `requires_grad=True`); it
# compares backward with central differences and returns a result whose `.passed` is `False` when
# they disagree. Store the **name of the class** whose backward is wrong in `broken` (a string,
# e.g. `"Cube"`).

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q1_mysteries"}, "editable": false, "deletable": false}
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

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q1_gradcheck_answer"}}
### BEGIN SOLUTION
x5 = torch.tensor([-1.5, -0.3, 0.4, 2.0], dtype=torch.float64, requires_grad=True)
results = {fn.__name__: torch.gradcheck(fn.apply, [x5]).passed for fn in (Cube, Swish, LogCosh)}
print(results)
broken = next(name for name, ok in results.items() if not ok)
### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q1_gradcheck", "points": 1}, "editable": false, "deletable": false}
assert broken in ("Cube", "Swish", "LogCosh"), "broken should be one of the three class names"

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q2_max_backward_task"}, "editable": false, "deletable": false}
# ## Question 2: the backward of a maximum along an axis (2 points)
#
# $y = \max_{\text{axis}} x$ (numpy's `x.max(axis=axis)`, the axis dropped) picks one entry of each
# slice. A small change of any other entry does not change $y$, so its gradient is 0; the winning
# entry passes the upstream gradient through unchanged. Write `max_backward(x, grad_y, axis)` (numpy
# in, numpy out) that returns $\partial L / \partial x$, an array of `x`'s shape, for any `axis`
# (negative ones included) and any number of dimensions. Assume no ties.
# (`np.argmax`, `np.expand_dims` and `np.put_along_axis` help; a Python loop over the slices is fine too.)

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q2_max_backward_answer"}}
def max_backward(x, grad_y, axis):
    ### BEGIN SOLUTION
    winners = np.expand_dims(np.argmax(x, axis=axis), axis)   # index of the maximum, axis kept
    grad_x = np.zeros(np.shape(x), dtype=float)
    np.put_along_axis(grad_x, winners, np.expand_dims(grad_y, axis), axis=axis)
    return grad_x
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q2_max_backward", "points": 2}, "editable": false, "deletable": false}
x2 = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
g_rows = max_backward(x2, np.array([10.0, 20.0]), axis=1)
assert np.shape(g_rows) == (2, 3), "the gradient should have x's shape"
assert np.array_equal(g_rows, [[0, 10, 0], [20, 0, 0]]), 'only the largest entry of each row gets the upstream gradient'
# Autograd agrees, along the other axis too:
x_t = torch.tensor(x2, requires_grad=True)
(x_t.max(dim=0).values * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
assert np.array_equal(max_backward(x2, np.array([1.0, 2.0, 3.0]), axis=0), x_t.grad.numpy()), 'axis 0 disagrees with autograd'

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

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q4_directional_task"}, "editable": false, "deletable": false}
# ## Question 4: a gradient check in two evaluations per direction (2 points)
#
# Checking a gradient entry by entry costs two evaluations of $f$ per entry. Along a direction $u$
# one central difference checks all entries at once: it must match the directional derivative
# $\nabla f(x) \cdot u$,
#
# $$\frac{f(x + \varepsilon u) - f(x - \varepsilon u)}{2 \varepsilon} \approx \nabla f(x) \cdot u .$$
#
# Write `directional_errors(f, grad, x, directions, eps=1e-6)`: `f` maps a float64 array of `x`'s
# shape to a float, `grad` is the claimed $\nabla f(x)$ (same shape), `directions` a list of arrays of
# that shape. Return, for each direction, the relative error
# $|d_{num} - d_{claimed}| / \max(|d_{num}|, |d_{claimed}|, 10^{-12})$ as a list of floats.
# Leave `x` unchanged.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q4_directional_answer"}}
def directional_errors(f, grad, x, directions, eps=1e-6):
    ### BEGIN SOLUTION
    x, grad = np.asarray(x, dtype=np.float64), np.asarray(grad, dtype=np.float64)
    errors = []
    for u in directions:
        u = np.asarray(u, dtype=np.float64)
        along = (f(x + eps * u) - f(x - eps * u)) / (2 * eps)  # new arrays: x stays as it was
        claimed = float(np.sum(grad * u))
        errors.append(abs(along - claimed) / max(abs(along), abs(claimed), 1e-12))
    return [float(e) for e in errors]
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q4_directional", "points": 2}, "editable": false, "deletable": false}
x4 = np.array([[1.0, 2.0], [3.0, -1.0]])
dirs = [np.random.default_rng(k).normal(size=(2, 2)) for k in range(3)]
right = directional_errors(lambda v: float(np.sum(v ** 2)), 2 * x4, x4, dirs)
wrong = directional_errors(lambda v: float(np.sum(v ** 2)), x4, x4, dirs)  # a gradient off by a factor 2
print("right gradient:", [f"{e:.1e}" for e in right], " wrong gradient:", [f"{e:.2f}" for e in wrong])
assert len(right) == 3 and all(e < 1e-6 for e in right), 'the right gradient should give tiny relative errors'
assert all(e > 0.1 for e in wrong), 'a gradient off by a factor 2 should give large relative errors'
assert np.all(x4 == [[1.0, 2.0], [3.0, -1.0]]), "directional_errors changed its input"

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q5_hypot_task"}, "editable": false, "deletable": false}
# ## Question 5: a two-input `Function`, hypot (3 points)
#
# $$h(a, b) = \sqrt{a^2 + b^2} \quad \text{(elementwise)}, \qquad
# \frac{\partial h}{\partial a} = \frac{a}{h}, \qquad \frac{\partial h}{\partial b} = \frac{b}{h}.$$
#
# Write `class Hypot(Function)` with a `forward(ctx, a, b)` and a `backward(ctx, grad_output)` that
# returns the gradients for `a` and `b` (chain rule: multiply by `grad_output`). Save the output in
# forward and reuse it in backward rather than recomputing the square root. `a` and `b` have the same shape.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q5_hypot_answer"}}
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

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q5_hypot", "points": 3}, "editable": false, "deletable": false}
a = torch.tensor([3.0, 5.0], dtype=torch.float64, requires_grad=True)
b = torch.tensor([4.0, 12.0], dtype=torch.float64, requires_grad=True)
h = Hypot.apply(a, b)
print("h =", h.detach().numpy())
assert np.allclose(h.detach().numpy(), [5.0, 13.0]), "Hypot's forward is wrong"
h.sum().backward()
assert a.grad.shape == a.shape and b.grad.shape == b.shape, "each gradient should have its input's shape"
assert np.allclose(a.grad.numpy() ** 2 + b.grad.numpy() ** 2, 1.0), 'with grad_output = 1 the gradient (a/h, b/h) should have length 1'  # the gradient of a norm is a unit vector

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q6_matmul_task"}, "editable": false, "deletable": false}
# ## Question 6: a broadcasting matmul `Function` (3 points)
#
# `a @ b` multiplies the last two axes as matrices and **broadcasts** the leading (batch) axes: `a` of
# shape $(B, n, k)$ times `b` of shape $(k, m)$ uses the same `b` for every batch entry, and
# $(2, 1, n, k) @ (5, k, m)$ gives $(2, 5, n, m)$. For one pair of matrices, $C = AB$ has
# $\partial L / \partial A = G B^\top$ and $\partial L / \partial B = A^\top G$ with $G = \partial L / \partial C$
# (notebook 03). Write `class MatMul(Function)` whose `forward(ctx, a, b)` returns `a @ b` and whose
# `backward(ctx, grad_output)` returns the two gradients **each with exactly its input's shape**: an
# input that was broadcast was used once per batch entry, so its gradient sums over those axes.
# Both inputs have at least two axes. (`t.transpose(-1, -2)` swaps a tensor's last two axes;
# `t.sum(dim, keepdim=True)` sums.) The grader calls your `backward` directly and checks the shapes.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q6_matmul_answer"}}
class MatMul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ### BEGIN SOLUTION
        ctx.save_for_backward(a, b)
        return a @ b
        ### END SOLUTION

    @staticmethod
    def backward(ctx, grad_output):
        ### BEGIN SOLUTION
        a, b = ctx.saved_tensors

        def reduce_to(g, shape):
            # batch axes the input did not have, then batch axes where it had size 1
            while g.dim() > len(shape):
                g = g.sum(0)
            for axis in range(len(shape) - 2):
                if shape[axis] == 1 and g.shape[axis] != 1:
                    g = g.sum(axis, keepdim=True)
            return g

        grad_a = grad_output @ b.transpose(-1, -2)
        grad_b = a.transpose(-1, -2) @ grad_output
        return reduce_to(grad_a, tuple(a.shape)), reduce_to(grad_b, tuple(b.shape))
        ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q6_matmul", "points": 3}, "editable": false, "deletable": false}
rng = np.random.default_rng(6)
a6 = torch.tensor(rng.normal(size=(2, 1, 3, 4)), requires_grad=True)
b6 = torch.tensor(rng.normal(size=(5, 4, 2)), requires_grad=True)
out6 = MatMul.apply(a6, b6)
assert tuple(out6.shape) == (2, 5, 3, 2), f"the output has shape {tuple(out6.shape)}, expected (2, 5, 3, 2)"
g6 = torch.tensor(rng.normal(size=(2, 5, 3, 2)))
ga6, gb6 = MatMul.backward(out6.grad_fn, g6)
print("gradient shapes:", tuple(ga6.shape), tuple(gb6.shape))
assert tuple(ga6.shape) == (2, 1, 3, 4) and tuple(gb6.shape) == (5, 4, 2), "each gradient should have its input's shape"
# The built-in @ is the referee:
a_ref, b_ref = a6.detach().requires_grad_(), b6.detach().requires_grad_()
((a_ref @ b_ref) * g6).sum().backward()
assert np.allclose(ga6.detach().numpy(), a_ref.grad.numpy()) and np.allclose(gb6.detach().numpy(), b_ref.grad.numpy()), 'the gradients disagree with the built-in matmul'

# %% [markdown] meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "summary"}, "editable": false, "deletable": false}
# ## Summary
#
# A tensor op is a `Function`: forward plus saved values, backward returning one gradient per input.
# A maximum routes its gradient to the winner only; broadcasting in forward means summing in
# backward, back to the input's shape, for a matmul's batch axes as for any op; and a central
# difference, entry by entry or along a direction, is the independent referee that catches a wrong
# backward.
# Next: `07_pytorch_autograd`.
