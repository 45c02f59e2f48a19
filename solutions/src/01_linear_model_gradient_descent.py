# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "intro"}, "editable": false, "deletable": false}
# # Exercises 01: the linear model and gradient descent
#
# These exercises go with `notebooks/01_linear_model_gradient_descent.ipynb`. You work with the seed
# lecture's data $x = [1, 2, 3]$, $y = [2, 4, 6]$ and the model $\hat y = w x$.
#
# **How this works.** Write your answer between the lines the notebook marks for you (replace
# `raise NotImplementedError()`), then run the test cell below it. The test cells show what is
# expected; they do not give the answer away. `bpcourse grade exercises/01_linear_model_gradient_descent.ipynb`
# re-runs your notebook in a fresh kernel and checks each answer on new data.
#
# | question | kind | points |
# |---|---|---|
# | 1. the MSE loss | implement | 1 |
# | 2. the gradient at $w = 0.25$ | derive and compute | 1 |
# | 3. the gradient for any data | derive and implement | 2 |
# | 4. batch gradient descent | implement | 2 |
# | 5. one epoch of SGD (the seed's loop) | implement | 2 |
# | 6. the largest stable learning rate | explain by number | 3 |

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "setup"}, "editable": false, "deletable": false}
import numpy as np

x = np.array([1.0, 2.0, 3.0])
y = np.array([2.0, 4.0, 6.0])

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q1_mse_loss_task"}, "editable": false, "deletable": false}
# ## Question 1: the MSE loss (1 point)
#
# The mean squared error of the model $\hat y = w x$ on $N$ samples is
#
# $$L(w) = \frac{1}{N} \sum_{i=1}^{N} (w x_i - y_i)^2 .$$
#
# Write `mse_loss(w, x, y)`: `w` is a float, `x` and `y` are 1-D numpy arrays of the same length.
# Return a Python `float`.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q1_mse_loss_answer"}}
def mse_loss(w, x, y):
    ### BEGIN SOLUTION
    return float(np.mean((w * x - y) ** 2))
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q1_mse_loss", "points": 1}, "editable": false, "deletable": false}
# The perfect weight w = 2 fits the seed data exactly, so its loss is zero.
assert mse_loss(2.0, x, y) == 0.0, 'the loss of the perfect weight w = 2 should be 0'
# The loss is never negative and grows as w moves away from 2.
assert 0.0 < mse_loss(2.5, x, y) < mse_loss(3.0, x, y), 'the loss should be positive and grow as w moves away from 2'
assert isinstance(mse_loss(1.0, x, y), float), 'return a Python float (float(...))'
### BEGIN HIDDEN TESTS
assert abs(mse_loss(1.0, x, y) - 14.0 / 3.0) < 1e-12, 'mse_loss(1, x, y) is wrong: the mean of the squared errors'
### END HIDDEN TESTS

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q2_grad_at_start_task"}, "editable": false, "deletable": false}
# ## Question 2: the gradient at $w = 0.25$, by hand (1 point)
#
# Differentiate $L(w)$ by hand (chain rule on each square, then the mean) and evaluate
# $\dfrac{dL}{dw}$ at $w = 0.25$ on the seed data $x = [1, 2, 3]$, $y = [2, 4, 6]$.
# Store the number in `dL_dw_at_start` (a float). Work it out on paper first; you may use numpy for
# the arithmetic.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q2_grad_at_start_answer"}}
### BEGIN SOLUTION
# dL/dw = (1/N) sum 2 x_i (w x_i - y_i); with y = 2x that is 2 (w - 2) mean(x^2) = 2 * (-1.75) * 14/3
dL_dw_at_start = float(np.mean(2 * x * (0.25 * x - y)))
### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q2_grad_at_start", "points": 1}, "editable": false, "deletable": false}
# At w = 0.25 the model predicts too little, so increasing w lowers the loss: the slope is negative.
assert isinstance(dL_dw_at_start, float), 'dL_dw_at_start should be a Python float'
assert dL_dw_at_start < 0, 'at w = 0.25 the slope should be negative (increasing w lowers the loss)'

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q3_mse_grad_task"}, "editable": false, "deletable": false}
# ## Question 3: the gradient for any data (2 points)
#
# Turn your derivation into a function `mse_grad(w, x, y)` that returns $\dfrac{dL}{dw}$ as a
# `float` for any `w` and any data arrays. Do not use finite differences here: use the formula.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q3_mse_grad_answer"}}
def mse_grad(w, x, y):
    ### BEGIN SOLUTION
    return float(np.mean(2 * x * (w * x - y)))
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q3_mse_grad", "points": 2}, "editable": false, "deletable": false}
# At the minimum (w = 2) the slope is zero; it changes sign across the minimum.
assert mse_grad(2.0, x, y) == 0.0, 'the gradient at the minimum w = 2 should be 0'
assert mse_grad(1.5, x, y) < 0 < mse_grad(2.5, x, y), 'the gradient should be negative left of the minimum and positive right of it'
# Compare with a central finite difference of the loss (written out here so this test
# does not depend on your answer to question 1).
def _loss(w):
    return np.mean((w * x - y) ** 2)
_h = 1e-6
assert abs(mse_grad(0.3, x, y) - (_loss(0.3 + _h) - _loss(0.3 - _h)) / (2 * _h)) < 1e-5, 'mse_grad disagrees with a finite difference of the MSE'

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q4_gradient_descent_task"}, "editable": false, "deletable": false}
# ## Question 4: batch gradient descent (2 points)
#
# Batch gradient descent uses the gradient of the loss over **all** samples at every step:
#
# $$w_{t+1} = w_t - \eta \, \frac{dL}{dw}(w_t) .$$
#
# Write `gradient_descent(w0, lr, epochs, x, y)` that starts at `w0`, takes `epochs` steps with
# learning rate `lr` on the MSE loss and returns the list of all weights `[w0, w1, ..., w_epochs]`
# (length `epochs + 1`, Python floats). Write the gradient inside the function (or copy your
# `mse_grad` into it), so this question stands on its own.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q4_gradient_descent_answer"}}
def gradient_descent(w0, lr, epochs, x, y):
    ### BEGIN SOLUTION
    ws = [float(w0)]
    w = float(w0)
    for _ in range(epochs):
        w = w - lr * float(np.mean(2 * x * (w * x - y)))
        ws.append(w)
    return ws
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q4_gradient_descent", "points": 2}, "editable": false, "deletable": false}
ws = gradient_descent(1.0, 0.01, 100, x, y)
assert len(ws) == 101 and ws[0] == 1.0, 'return [w0, w1, ..., w_epochs]: epochs + 1 weights starting with w0'
# With a small learning rate the weight moves steadily towards 2 and never overshoots.
assert all(a < b for a, b in zip(ws, ws[1:])), 'with lr = 0.01 the weight should increase towards 2 at every step'
assert 1.9 < ws[-1] < 2.0, 'after 100 steps with lr = 0.01 the weight should be just below 2'
print(f"w after 100 steps with lr=0.01: {ws[-1]:.6f}")

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q5_sgd_epoch_task"}, "editable": false, "deletable": false}
# ## Question 5: one epoch of stochastic gradient descent (2 points)
#
# The seed lecture updates `w` after **every** sample, with the per-sample loss
# $\ell_i(w) = (w x_i - y_i)^2$:
#
# ```python
# for x, y in zip(x_data, y_data):
#     l = loss(x, y)
#     l.backward()
#     w.data = w.data - 0.01 * w.grad.item()
#     w.grad.data.zero_()
# ```
#
# Write `sgd_epoch(w, lr, x, y)` that does the same in plain Python/numpy: visit the samples in
# the given order, take one step $w \leftarrow w - \eta\, \ell_i'(w)$ per sample, and return the
# weight after the whole pass (a float).

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q5_sgd_epoch_answer"}}
def sgd_epoch(w, lr, x, y):
    ### BEGIN SOLUTION
    w = float(w)
    for xi, yi in zip(x, y):
        w = w - lr * float(2 * xi * (w * xi - yi))
    return w
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q5_sgd_epoch", "points": 2}, "editable": false, "deletable": false}
# A zero learning rate leaves w alone; at w = 2 every per-sample gradient is zero.
assert sgd_epoch(1.0, 0.0, x, y) == 1.0, 'with lr = 0 the weight must not change'
assert sgd_epoch(2.0, 0.01, x, y) == 2.0, 'at w = 2 every per-sample gradient is 0, so w must not change'
# One sample, one step: w - lr * 2 * x * (w x - y).
assert abs(sgd_epoch(0.0, 0.1, np.array([1.0]), np.array([1.0])) - 0.2) < 1e-12, 'one sample, one step: w - lr * 2 x (w x - y)'
# On noisy data the order of the samples matters in SGD (it does not in batch gradient descent).
_xn, _yn = np.array([1.0, 2.0, 3.0]), np.array([3.0, 3.0, 7.0])
assert sgd_epoch(1.0, 0.05, _xn, _yn) != sgd_epoch(1.0, 0.05, _xn[::-1], _yn[::-1]), 'SGD should update w after each sample (then the order matters)'
### BEGIN HIDDEN TESTS
_w = 1.0
for _ in range(100):
    _w = sgd_epoch(_w, 0.01, x, y)
assert abs(_w - 2.0) < 1e-6, '100 epochs of SGD with lr = 0.01 should reach w = 2, as the seed program does'  # the seed program's final weight
### END HIDDEN TESTS

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q6_largest_stable_lr_task"}, "editable": false, "deletable": false}
# ## Question 6: the largest stable learning rate (3 points)
#
# The MSE loss is a parabola in $w$ with its minimum at $w^*$. Take one step of batch gradient
# descent from $w_t$ and write the new error $e_{t+1} = w_{t+1} - w^*$ in terms of $e_t = w_t - w^*$:
# it is $e_t$ times a factor that depends on $\eta$ and on the data (differentiate $L$ twice, or
# expand $L'(w)$ around $w^*$). Gradient descent converges exactly when that factor has absolute
# value below 1.
#
# 1. Write `largest_stable_lr(x)`: the supremum of the learning rates for which batch gradient
#    descent on this loss converges, for any data `x` (a float). (It does not depend on `y`.)
# 2. The answer cell then stores its value for the data `x6` below in `lr_max`.
# 3. Justify it numerically: `gd_final_error(lr)` (given below) runs 200 steps on `x6`, `y6` from
#    $w_0 = 1$ and returns $|w_{200} - 2|$. The test cell shows that it is tiny at $0.95\,\eta_{max}$
#    and huge at $1.05\,\eta_{max}$.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q6_helper"}, "editable": false, "deletable": false}
x6 = np.array([0.5, 1.5, 4.0])
y6 = 2.0 * x6


def gd_final_error(lr, steps=200):
    """|w_steps - 2| after batch gradient descent from w0 = 1 on x6, y6."""
    w = 1.0
    for _ in range(steps):
        w = w - lr * float(np.mean(2 * x6 * (w * x6 - y6)))
    return abs(w - 2.0)

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q6_largest_stable_lr_answer"}}
def largest_stable_lr(x):
    ### BEGIN SOLUTION
    # e_{t+1} = (1 - lr L'') e_t with L'' = 2 mean(x^2); |1 - lr L''| < 1 <=> lr < 2 / L''
    # = 1 / mean(x^2)
    return float(1.0 / np.mean(np.asarray(x, dtype=float) ** 2))
    ### END SOLUTION


lr_max = largest_stable_lr(x6)

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q6_largest_stable_lr", "points": 3}, "editable": false, "deletable": false}
print(f"lr_max = {lr_max:.6f}")
print(f"|w_200 - 2| at 0.95 lr_max: {gd_final_error(0.95 * lr_max):.3e}")
print(f"|w_200 - 2| at 1.05 lr_max: {gd_final_error(1.05 * lr_max):.3e}")
assert gd_final_error(0.95 * lr_max) < 1e-6, 'gradient descent should converge just below lr_max'
assert gd_final_error(1.05 * lr_max) > 1e3, 'gradient descent should diverge just above lr_max'
# The bound depends only on x: scaling x by 2 multiplies the curvature by 4.
assert abs(largest_stable_lr(2 * x) - largest_stable_lr(x) / 4) < 1e-12, 'scaling x by 2 multiplies the curvature by 4, so the limit should shrink by 4'

# %% [markdown] meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "summary"}, "editable": false, "deletable": false}
# ## Summary
#
# You wrote the MSE loss, derived its gradient by hand, ran batch gradient descent and the seed's
# SGD loop, and found the largest stable learning rate from the curvature of the loss, then
# confirmed it by running gradient descent on both sides of it.
# Next: `02_chain_rule_computational_graphs`.
