# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "intro"}, "editable": false, "deletable": false}
# # Exercises 07: PyTorch's autograd and its pitfalls
#
# These exercises go with `notebooks/07_pytorch_autograd.ipynb` and use real `torch`. Several of them
# start from a training loop with one of the seed lecture's pitfalls, or turn a pitfall into a tool.
# The seed's loop, for reference:
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
# | 1. what accumulation does to `w`, by number | explain by number | 1 |
# | 2. two `backward()` calls and `zero_grad()`: predict, then run | predict | 1 |
# | 3. accumulating on purpose: micro-batches | implement | 2 |
# | 4. a loss log that keeps every graph alive | debug | 2 |
# | 5. updating through `w` instead of `.data` / `no_grad` | debug | 2 |
# | 6. a custom `torch.autograd.Function` | implement | 2 |
# | 7. a second derivative and a Newton step | implement | 3 |

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "setup"}, "editable": false, "deletable": false}
import warnings

import torch

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q1_accumulate_task"}, "editable": false, "deletable": false}
# ## Question 1: what accumulation does to `w`, by number (1 point)
#
# Run the seed's loop **without** `w.grad.data.zero_()` by hand for the first **two** samples, from
# $w = 1$ with learning rate $0.01$: without `zero_()`, the second step uses the **sum** of the first two gradients
# ($\ell_i'(w) = 2x_i(x_i w - y_i)$). Store the weight after those two steps in `w_after_two` (a float).
# (The correct loop gives $1.0984$; yours should differ.) Work it out on paper; plain arithmetic is fine.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q1_accumulate_answer"}}
### BEGIN SOLUTION
g1 = 2 * 1.0 * (1.0 * 1.0 - 2.0)        # -2 at w = 1
w1 = 1.0 - 0.01 * g1                    # 1.02
g2 = 2 * 2.0 * (2.0 * w1 - 4.0)         # -7.84 at w = 1.02
w_after_two = w1 - 0.01 * (g1 + g2)     # the stale -2 is still in w.grad: 1.1184
### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q1_accumulate", "points": 1}, "editable": false, "deletable": false}
assert isinstance(w_after_two, float), 'w_after_two should be a Python float'
assert abs(w_after_two - 1.0984) > 1e-3, "that is the correct loop's weight; the broken loop keeps the old gradient"

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q2_predict_task"}, "editable": false, "deletable": false}
# ## Question 2: two `backward()` calls and `zero_grad()`: predict, then run (1 point)
#
# Read the next locked cell but **do not run it yet**:
#
# ```python
# w = torch.tensor(2.0, requires_grad=True)
# (w ** 3).backward()
# (5 * w - 1).backward()
# grad_after_two = w.grad.item()
# torch.optim.SGD([w], lr=0.1).zero_grad()
# grad_after_zero_grad = w.grad
# ```
#
# Predict `grad_after_two` (a float) and `grad_after_zero_grad` (torch 2.13: a tensor of zeros, or
# `None`?) and write your predictions into `predicted_grad` (a float) and `predicted_after_zero_grad`
# (`0.0` if you expect zeros, `None` if you expect `None`). Then run the cells. Graded on the prediction.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q2_predict_answer"}}
### BEGIN SOLUTION
predicted_grad = 3 * 2.0 ** 2 + 5.0   # two graphs, one leaf: their gradients add up, 12 + 5
predicted_after_zero_grad = None      # since torch 2.0, zero_grad() sets .grad to None by default
### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q2_predict", "points": 1}, "editable": false, "deletable": false}
w = torch.tensor(2.0, requires_grad=True)
(w ** 3).backward()
(5 * w - 1).backward()
grad_after_two = w.grad.item()
torch.optim.SGD([w], lr=0.1).zero_grad()
grad_after_zero_grad = w.grad
print(f"w.grad after two backward(): predicted {predicted_grad}, got {grad_after_two}")
print(f"w.grad after zero_grad(): predicted {predicted_after_zero_grad}, got {grad_after_zero_grad}")
assert predicted_grad == grad_after_two, 'your prediction of w.grad after two backward() calls was off'
assert (predicted_after_zero_grad is None) == (grad_after_zero_grad is None), 'your prediction of zero_grad() was off'

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q3_micro_batches_task"}, "editable": false, "deletable": false}
# ## Question 3: accumulating on purpose, micro-batches (2 points)
#
# Without `zero_()`, `w.grad` keeps the sum of every gradient since the last zeroing. In the seed's
# loop that is a bug; chosen on purpose it is a feature: backward on each sample's loss **divided by
# $k$**, then one step and one zeroing every $k$ samples, is exactly mini-batch gradient descent on
# batches of $k$ consecutive samples, with the memory of one sample.
#
# Write `train_micro_batches(w0, lr, epochs, k, x_data, y_data)`: $w$ a one-element leaf tensor
# starting at `w0`, per-sample loss $(x w - y)^2$, the samples visited in order in every epoch, one
# update $w \leftarrow w - \eta\, \text{w.grad}$ (not recorded in the graph) after every $k$-th sample.
# `k` divides the number of samples. Return the final weight as a Python float. (With $k = 1$ this is
# the seed's SGD; with $k = N$ batch gradient descent on the mean loss.)

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q3_micro_batches_answer"}}
def train_micro_batches(w0, lr, epochs, k, x_data, y_data):
    ### BEGIN SOLUTION
    w = torch.tensor([float(w0)], requires_grad=True)
    for _ in range(epochs):
        for seen, (xi, yi) in enumerate(zip(x_data, y_data), start=1):
            ((xi * w - yi) ** 2 / k).backward()  # adds this sample's share of the batch mean to w.grad
            if seen % k == 0:                     # a whole micro-batch is in: one step, then start afresh
                with torch.no_grad():
                    w -= lr * w.grad
                w.grad = None
    return w.item()
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q3_micro_batches", "points": 2}, "editable": false, "deletable": false}
w_k1 = train_micro_batches(1.0, 0.01, 100, 1, x_data, y_data)
w_k3 = train_micro_batches(1.0, 0.01, 1, 3, x_data, y_data)
print(f"k = 1, 100 epochs: w = {w_k1:.6f};  k = 3, one epoch: w = {w_k3:.6f}")
assert isinstance(w_k1, float), 'return the weight as a Python float'
assert abs(w_k1 - 2.0) < 1e-5, "with k = 1 this is the seed's SGD, which reaches w = 2"
# One epoch with k = N is one step of batch gradient descent on the mean loss: 1 - 0.01 * (-28/3).
assert abs(w_k3 - (1.0 + 0.01 * 28 / 3)) < 1e-6, 'with k = 3 one epoch should be one batch gradient step'

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q4_log_task"}, "editable": false, "deletable": false}
# ## Question 4: a loss log that keeps every graph alive (2 points)
#
# `loss_log_broken` runs batch gradient descent and returns the loss of every step as one 1-D tensor,
# for plotting. But each logged `loss` is a tensor with a `grad_fn`: the log keeps every step's graph
# reachable, and `torch.stack` records one more node on top. Write `loss_log(w0, lr, steps, x, y)` that
# runs the same descent and returns the same numbers as a 1-D tensor **without a graph**
# (`requires_grad` False, no `grad_fn`).

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q4_broken"}, "editable": false, "deletable": false}
def loss_log_broken(w0, lr, steps, x, y):
    w = torch.tensor([w0], requires_grad=True)
    log = []
    for _ in range(steps):
        loss = ((w * x - y) ** 2).mean()
        log.append(loss)  # a tensor with grad_fn: this step's graph stays reachable from the log
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
    return torch.stack(log)


log = loss_log_broken(1.0, 0.05, 3, torch.tensor(x_data), torch.tensor(y_data))
print("the log:", log.tolist(), " grad_fn:", type(log.grad_fn).__name__)

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q4_log_answer"}}
def loss_log(w0, lr, steps, x, y):
    ### BEGIN SOLUTION
    w = torch.tensor([w0], requires_grad=True)
    values = []
    for _ in range(steps):
        loss = ((w * x - y) ** 2).mean()
        values.append(loss.detach())  # the number only: no graph behind it
        loss.backward()
        with torch.no_grad():
            w.sub_(lr * w.grad)
        w.grad = None
    return torch.stack(values)
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q4_log", "points": 2}, "editable": false, "deletable": false}
log = loss_log(1.0, 0.05, 5, torch.tensor(x_data), torch.tensor(y_data))
assert isinstance(log, torch.Tensor) and log.shape == (5,), 'return one 1-D tensor with one loss per step'
assert log.grad_fn is None and not log.requires_grad, 'the log still carries a graph'
assert all(a > b for a, b in zip(log.tolist(), log.tolist()[1:])), 'the loss should fall at every step'
print([round(v, 4) for v in log.tolist()])

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q5_update_task"}, "editable": false, "deletable": false}
# ## Question 5: updating through `w` instead of `.data` / `no_grad` (2 points)
#
# `gd_broken` does batch gradient descent on the MSE $\frac{1}{N}\sum_i (w x_i - y_i)^2$ but updates with
# `w = w - lr * w.grad`. That line is recorded in the graph: the new `w` is the output of a
# subtraction, not a leaf, so its `.grad` is `None`, and the very next line, `w.grad.zero_()`, fails
# (see the message below). Write
# `gd(w0, lr, epochs, x, y)` (`x`, `y` float32 tensors) that updates `w` **in place** without recording
# it (`with torch.no_grad():` or `.data`) and returns the tensor `w`: still a leaf, still `requires_grad`.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q5_broken"}, "editable": false, "deletable": false}
def gd_broken(w0, lr, epochs, x, y):
    w = torch.tensor([w0], requires_grad=True)
    for _ in range(epochs):
        loss = ((w * x - y) ** 2).mean()
        loss.backward()
        w = w - lr * w.grad  # recorded: w is now the output of a subtraction, not a leaf
        w.grad.zero_()  # fails here: a non-leaf's .grad is None
    return w


try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch also warns that .grad of a non-leaf is not populated
        gd_broken(1.0, 0.05, 3, torch.tensor(x_data), torch.tensor(y_data))
except AttributeError as error:
    print("gd_broken fails:", error)

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q5_update_answer"}}
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

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q5_update", "points": 2}, "editable": false, "deletable": false}
w = gd(1.0, 0.05, 50, torch.tensor(x_data), torch.tensor(y_data))
assert isinstance(w, torch.Tensor) and w.is_leaf and w.requires_grad, 'return w as a leaf tensor that still requires grad'
assert abs(w.item() - 2.0) < 1e-3, 'gradient descent should reach w = 2'
print(f"w after 50 steps: {w.item():.6f}")

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q6_custom_task"}, "editable": false, "deletable": false}
# ## Question 6: a custom `torch.autograd.Function` (2 points)
#
# $$\operatorname{LeakyReLU}(x; \alpha) = \begin{cases} x & x > 0 \\ \alpha x & x \le 0 \end{cases}, \qquad
# \frac{\partial}{\partial x} = \begin{cases} 1 & x > 0 \\ \alpha & x \le 0 \end{cases}$$
#
# Write `class LeakyReLU(torch.autograd.Function)` with `forward(ctx, x, slope)` (`slope` a Python float)
# and `backward(ctx, grad_output)`. Backward returns one gradient per input of forward: the float `slope`
# gets `None`. Store the slope on `ctx` (`ctx.slope = slope`) and save `x` with `ctx.save_for_backward`.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q6_custom_answer"}}
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

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q6_custom", "points": 2}, "editable": false, "deletable": false}
x4 = torch.tensor([-2.0, -0.5, 0.5, 3.0], dtype=torch.float64, requires_grad=True)
y4 = LeakyReLU.apply(x4, 0.1)
assert torch.allclose(y4, torch.tensor([-0.2, -0.05, 0.5, 3.0], dtype=torch.float64)), "LeakyReLU's forward is wrong"
y4.sum().backward()
assert x4.grad.shape == x4.shape, "x.grad should have x's shape"
assert torch.autograd.gradcheck(lambda t: LeakyReLU.apply(t, 0.1), (x4.detach().requires_grad_(),),
                                raise_exception=False), "backward disagrees with finite differences (gradcheck)"
print("gradcheck passed")

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q7_newton_task"}, "editable": false, "deletable": false}
# ## Question 7: a second derivative and a Newton step (3 points)
#
# `torch.autograd.grad(out, w, create_graph=True)` returns $\partial\,\text{out}/\partial w$ as a tensor that
# is itself part of a graph, so it can be differentiated again.
#
# 1. Write `first_and_second(f, w0)`: `f` maps a 0-dim float64 tensor to a 0-dim tensor, `w0` is a float.
#    Return $(f'(w_0), f''(w_0))$ as two Python floats, both from autograd (no finite differences).
# 2. Write `newton_step(w0, x, y)` for the seed's loss $L(w) = \frac{1}{N}\sum_i (w x_i - y_i)^2$ (`x`, `y`
#    float64 tensors): one Newton step $w_1 = w_0 - L'(w_0) / L''(w_0)$ with both derivatives from
#    `first_and_second`, returned as a float. On this parabola one step lands on the minimum from any
#    start, where gradient descent needs many.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q7_newton_answer"}}
def first_and_second(f, w0):
    ### BEGIN SOLUTION
    w = torch.tensor(float(w0), dtype=torch.float64, requires_grad=True)
    (slope,) = torch.autograd.grad(f(w), w, create_graph=True)  # slope is a graph node too
    (curvature,) = torch.autograd.grad(slope, w)
    return slope.item(), curvature.item()
    ### END SOLUTION


def newton_step(w0, x, y):
    ### BEGIN SOLUTION
    slope, curvature = first_and_second(lambda w: ((w * x - y) ** 2).mean(), w0)
    return w0 - slope / curvature
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q7_newton", "points": 3}, "editable": false, "deletable": false}
d1, d2 = first_and_second(lambda w: w ** 3, 2.0)
assert isinstance(d1, float) and isinstance(d2, float), 'return two Python floats'
assert abs(d1 - 12.0) < 1e-12 and abs(d2 - 12.0) < 1e-12, "for w^3 at 2: f' = 3 w^2 = 12 and f'' = 6 w = 12"
x7, y7 = torch.tensor(x_data, dtype=torch.float64), torch.tensor(y_data, dtype=torch.float64)
w1 = newton_step(1.0, x7, y7)
print(f"one Newton step from w = 1: {w1:.12f};  L''(w) = 2 mean(x^2) = {first_and_second(lambda w: ((w * x7 - y7) ** 2).mean(), 1.0)[1]:.6f}")
assert abs(w1 - 2.0) < 1e-12, 'one Newton step on the seed loss should land on w = 2'

# %% [markdown] meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "summary"}, "editable": false, "deletable": false}
# ## Summary
#
# Gradients accumulate until you zero them, which makes micro-batches possible; `.detach()` or `.item()`
# is how a logged loss leaves the graph;
# an update is not part of the model, so it goes through `torch.no_grad()` (or `.data`) and keeps `w` a
# leaf. A custom `torch.autograd.Function` returns one gradient per forward input, `None` for non-tensors.
# With `create_graph=True` a derivative is a graph again: differentiate it for the curvature, and a
# Newton step solves the seed's problem in one step.
# Next: `08_training_a_network`.
