# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "intro"}, "editable": false, "deletable": false}
# # Exercises 07: PyTorch's autograd and its pitfalls
#
# These exercises go with `notebooks/07_pytorch_autograd.ipynb` and use real `torch`. Three of them
# start from a broken training loop, each with one of the seed lecture's pitfalls; you write the
# fixed function. The seed's loop, for reference:
#
# ```python
# for epoch in range(100):
#     for x, y in zip(x_data, y_data):
#         l = loss(x, y)          # (x * w - y) ** 2
#         l.backward()
#         w.data = w.data - 0.01 * w.grad.item()
#         w.grad.data.zero_()
# ```
#
# | question | kind | points |
# |---|---|---|
# | 1. the missing `grad.zero_()` | debug | 2 |
# | 2. the loss total that keeps the graph alive | debug | 2 |
# | 3. updating through `w` instead of `.data` / `no_grad` | debug | 2 |
# | 4. a custom `torch.autograd.Function` | implement | 2 |
# | 5. what accumulation does to `w`, by number | explain by number | 1 |

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "setup"}, "editable": false, "deletable": false}
import warnings

import torch

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q1_zero_grad_task"}, "editable": false, "deletable": false}
# ## Question 1: the missing `grad.zero_()` (2 points)
#
# `train_seed_broken` below is the seed's loop with one line missing. Run it and compare with the
# seed's printed output (the loss should fall to about $10^{-12}$). Then write `train_seed(w0, lr, epochs,
# x_data, y_data)` that does the seed's SGD correctly and returns `(w, losses)`: the final weight as a
# Python float, and for each epoch the loss of the **last** sample of that epoch (the seed's
# `progress` line), as Python floats.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q1_broken"}, "editable": false, "deletable": false}
def train_seed_broken(w0, lr, epochs, x_data, y_data):
    w = torch.tensor([w0], requires_grad=True)
    losses = []
    for epoch in range(epochs):
        for x, y in zip(x_data, y_data):
            l = (x * w - y) ** 2
            l.backward()
            w.data = w.data - lr * w.grad.item()
        losses.append(l.item())
    return w.item(), losses


w_broken, losses_broken = train_seed_broken(1.0, 0.01, 10, x_data, y_data)
print(f"broken: w = {w_broken:.4f}, losses[-3:] = {[round(v, 4) for v in losses_broken[-3:]]}")

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q1_zero_grad_answer"}}
def train_seed(w0, lr, epochs, x_data, y_data):
    ### BEGIN SOLUTION
    w = torch.tensor([w0], requires_grad=True)
    losses = []
    for epoch in range(epochs):
        for x, y in zip(x_data, y_data):
            l = (x * w - y) ** 2
            l.backward()
            w.data = w.data - lr * w.grad.item()
            w.grad.data.zero_()  # the fix: each sample's gradient starts from zero
        losses.append(l.item())
    return w.item(), losses
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q1_zero_grad", "points": 2}, "editable": false, "deletable": false}
w_fixed, losses_fixed = train_seed(1.0, 0.01, 100, x_data, y_data)
print(f"fixed: w = {w_fixed:.6f}, last loss = {losses_fixed[-1]:.3e}")
assert isinstance(w_fixed, float) and len(losses_fixed) == 100 and isinstance(losses_fixed[0], float), 'return (w, losses): a float and one float loss per epoch'
assert abs(w_fixed - 2.0) < 1e-5, "the seed's SGD should reach w = 2"  # the seed predicts 7.99999857 for x = 4
assert losses_fixed[-1] < 1e-9, "the last loss should be as small as the seed's (about 1e-12)"

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q2_graph_task"}, "editable": false, "deletable": false}
# ## Question 2: the loss total that keeps the graph alive (2 points)
#
# `mean_losses_broken` reports the mean loss of each epoch, but `total += l` adds **tensors**: `total`
# becomes a node whose graph holds every sample's graph of the epoch, and the returned values are
# tensors with a `grad_fn`. Write `mean_losses(w0, lr, epochs, x_data, y_data)` that runs the same SGD
# (with `zero_()`) and returns the mean loss per epoch as **Python floats** (losses measured before each
# sample's update, as in the broken version), so no graph outlives its step.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q2_broken"}, "editable": false, "deletable": false}
def mean_losses_broken(w0, lr, epochs, x_data, y_data):
    w = torch.tensor([w0], requires_grad=True)
    means = []
    for epoch in range(epochs):
        total = 0
        for x, y in zip(x_data, y_data):
            l = (x * w - y) ** 2
            total += l  # a tensor: the graph of every sample stays reachable from total
            l.backward()
            w.data = w.data - lr * w.grad.item()
            w.grad.data.zero_()
        means.append(total / len(x_data))
    return means


m = mean_losses_broken(1.0, 0.01, 3, x_data, y_data)
print(type(m[0]).__name__, "with grad_fn", type(m[0].grad_fn).__name__)

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q2_graph_answer"}}
def mean_losses(w0, lr, epochs, x_data, y_data):
    ### BEGIN SOLUTION
    w = torch.tensor([w0], requires_grad=True)
    means = []
    for epoch in range(epochs):
        total = 0.0
        for x, y in zip(x_data, y_data):
            l = (x * w - y) ** 2
            total += l.item()  # a Python float: nothing of the graph is kept
            l.backward()
            w.data = w.data - lr * w.grad.item()
            w.grad.data.zero_()
        means.append(total / len(x_data))
    return means
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q2_graph", "points": 2}, "editable": false, "deletable": false}
means = mean_losses(1.0, 0.01, 5, x_data, y_data)
assert len(means) == 5, 'expected one mean loss per epoch'
assert all(type(v) is float for v in means), f"expected Python floats, got {type(means[0]).__name__}"
assert all(a > b for a, b in zip(means, means[1:])), 'the mean loss should fall every epoch'  # SGD with lr = 0.01 lowers the loss every epoch
print([round(v, 4) for v in means])

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q3_update_task"}, "editable": false, "deletable": false}
# ## Question 3: updating through `w` instead of `.data` / `no_grad` (2 points)
#
# `gd_broken` does batch gradient descent on the MSE $\frac{1}{N}\sum_i (w x_i - y_i)^2$ but updates with
# `w = w - lr * w.grad`. That line is recorded in the graph: the new `w` is not a leaf, so the next
# `backward()` leaves its `.grad` empty and the loop fails (see the message below). Write
# `gd(w0, lr, epochs, x, y)` (`x`, `y` float32 tensors) that updates `w` **in place** without recording
# it (`with torch.no_grad():` or `.data`) and returns the tensor `w`: still a leaf, still `requires_grad`.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q3_broken"}, "editable": false, "deletable": false}
def gd_broken(w0, lr, epochs, x, y):
    w = torch.tensor([w0], requires_grad=True)
    for _ in range(epochs):
        loss = ((w * x - y) ** 2).mean()
        loss.backward()
        w = w - lr * w.grad  # recorded: w is now the output of a subtraction, not a leaf
        w.grad.zero_()
    return w


try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch also warns that .grad of a non-leaf is not populated
        gd_broken(1.0, 0.05, 3, torch.tensor(x_data), torch.tensor(y_data))
except AttributeError as error:
    print("gd_broken fails:", error)

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q3_update_answer"}}
def gd(w0, lr, epochs, x, y):
    ### BEGIN SOLUTION
    w = torch.tensor([w0], requires_grad=True)
    for _ in range(epochs):
        loss = ((w * x - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():  # the update is not part of the model: do not record it
            w -= lr * w.grad
        w.grad.zero_()
    return w
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q3_update", "points": 2}, "editable": false, "deletable": false}
w = gd(1.0, 0.05, 50, torch.tensor(x_data), torch.tensor(y_data))
assert isinstance(w, torch.Tensor) and w.is_leaf and w.requires_grad, 'return w as a leaf tensor that still requires grad'
assert abs(w.item() - 2.0) < 1e-3, 'gradient descent should reach w = 2'
print(f"w after 50 steps: {w.item():.6f}")

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q4_custom_task"}, "editable": false, "deletable": false}
# ## Question 4: a custom `torch.autograd.Function` (2 points)
#
# $$\operatorname{LeakyReLU}(x; \alpha) = \begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}, \qquad
# \frac{\partial}{\partial x} = \begin{cases} 1 & x > 0 \\ \alpha & x \le 0 \end{cases}$$
#
# Write `class LeakyReLU(torch.autograd.Function)` with `forward(ctx, x, slope)` (`slope` a Python float)
# and `backward(ctx, grad_output)`. Backward returns one gradient per input of forward: the float `slope`
# gets `None`. Store the slope on `ctx` (`ctx.slope = slope`) and save `x` with `ctx.save_for_backward`.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q4_custom_answer"}}
class LeakyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, slope):
        ### BEGIN SOLUTION
        ctx.save_for_backward(x)
        ctx.slope = slope
        return torch.where(x > 0, x, slope * x)
        ### END SOLUTION

    @staticmethod
    def backward(ctx, grad_output):
        ### BEGIN SOLUTION
        (x,) = ctx.saved_tensors
        local = torch.where(x > 0, torch.ones_like(x), torch.full_like(x, ctx.slope))
        return grad_output * local, None
        ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q4_custom", "points": 2}, "editable": false, "deletable": false}
x4 = torch.tensor([-2.0, -0.5, 0.5, 3.0], dtype=torch.float64, requires_grad=True)
y4 = LeakyReLU.apply(x4, 0.1)
assert torch.allclose(y4, torch.tensor([-0.2, -0.05, 0.5, 3.0], dtype=torch.float64)), "LeakyReLU's forward is wrong"
y4.sum().backward()
assert x4.grad.shape == x4.shape, "x.grad should have x's shape"
assert torch.autograd.gradcheck(lambda t: LeakyReLU.apply(t, 0.1), (x4.detach().requires_grad_(),),
                                raise_exception=False), "backward disagrees with finite differences (gradcheck)"
print("gradcheck passed")

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q5_accumulate_task"}, "editable": false, "deletable": false}
# ## Question 5: what accumulation does to `w`, by number (1 point)
#
# Run `train_seed_broken`'s loop by hand for the first **two** samples, from $w = 1$ with learning rate
# $0.01$: without `zero_()`, the second step uses the **sum** of the first two gradients
# ($\ell_i'(w) = 2x_i(x_i w - y_i)$). Store the weight after those two steps in `w_after_two` (a float).
# (The correct loop gives $1.0984$; yours should differ.) Work it out on paper; plain arithmetic is fine.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q5_accumulate_answer"}}
### BEGIN SOLUTION
g1 = 2 * 1.0 * (1.0 * 1.0 - 2.0)        # -2 at w = 1
w1 = 1.0 - 0.01 * g1                    # 1.02
g2 = 2 * 2.0 * (2.0 * w1 - 4.0)         # -7.84 at w = 1.02
w_after_two = w1 - 0.01 * (g1 + g2)     # the stale -2 is still in w.grad: 1.1184
### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q5_accumulate", "points": 1}, "editable": false, "deletable": false}
assert isinstance(w_after_two, float), 'w_after_two should be a Python float'
assert abs(w_after_two - 1.0984) > 1e-3, "that is the correct loop's weight; the broken loop keeps the old gradient"

# %% [markdown] meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "summary"}, "editable": false, "deletable": false}
# ## Summary
#
# Gradients accumulate until you zero them; a Python float (`.item()`) is how a loss leaves the graph;
# an update is not part of the model, so it goes through `torch.no_grad()` (or `.data`) and keeps `w` a
# leaf. A custom `torch.autograd.Function` returns one gradient per forward input, `None` for non-tensors.
# Next: `08_training_a_network`.
