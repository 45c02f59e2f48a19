# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "intro"}, "editable": false, "deletable": false}
# # Exercises 04: why reverse mode
#
# These exercises go with `notebooks/04_why_reverse_mode.ipynb`: Jacobians, the vector-Jacobian
# product (VJP) that every backward step computes, what finite differences, forward mode and
# reverse mode each cost, and what reverse mode pays in memory. Everything here is plain numpy.
# Write each answer where the notebook marks it (replace `raise NotImplementedError()`), then run
# the test cell below it. `bpcourse grade exercises/04_why_reverse_mode.ipynb` checks your answers
# on new data in a fresh kernel.
#
# | question | kind | points |
# |---|---|---|
# | 1. a Jacobian by hand | derive and compute | 1 |
# | 2. counting passes | explain by number | 2 |
# | 3. the VJP of a normalisation, without its Jacobian | derive and implement | 2 |
# | 4. what checkpointing trades | explain by number | 2 |
# | 5. forward and reverse mode through two layers | derive and implement | 3 |

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "setup"}, "editable": false, "deletable": false}
import math

import numpy as np


def jacobian_by_differences(f, x, h=1e-6):
    """The Jacobian of f: R^n -> R^m at x, one column per input from central differences (for checking)."""
    x = np.array(x, dtype=float)
    columns = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        columns.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))
    return np.stack(columns, axis=-1)

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q1_jacobian_task"}, "editable": false, "deletable": false}
# ## Question 1: a Jacobian by hand (1 point)
#
# $$f(x_0, x_1) = \begin{pmatrix} x_0\, e^{x_1} \\ x_0^2 + x_1 \\ \cos(x_0 x_1) \end{pmatrix}$$
#
# maps $\mathbb{R}^2$ to $\mathbb{R}^3$. Its Jacobian $J_{ij} = \partial f_i / \partial x_j$ has one row
# per output and one column per input. Derive the six partial derivatives and store $J$ at
# $x = (1.5, -0.5)$ in `J1`, a numpy array of shape $(3, 2)$. (Compute it from your formulas; the
# test cell compares it with `jacobian_by_differences`.)

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q1_jacobian_answer"}}
### BEGIN SOLUTION
x0, x1 = 1.5, -0.5
J1 = np.array([
    [math.exp(x1), x0 * math.exp(x1)],
    [2 * x0, 1.0],
    [-x1 * math.sin(x0 * x1), -x0 * math.sin(x0 * x1)],
])
### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q1_jacobian", "points": 1}, "editable": false, "deletable": false}
assert np.shape(J1) == (3, 2), f"J1 has shape {np.shape(J1)}: one row per output (3), one column per input (2)"
_f1 = lambda v: np.array([v[0] * np.exp(v[1]), v[0] ** 2 + v[1], np.cos(v[0] * v[1])])  # noqa: E731
# The middle row is the easiest to check: d(x0^2 + x1)/dx1 = 1.
assert abs(J1[1][1] - 1.0) < 1e-12, 'row 2 is f_1 = x0^2 + x1: its derivative in x1 is 1'
### BEGIN HIDDEN TESTS
assert np.allclose(J1, jacobian_by_differences(_f1, [1.5, -0.5]), atol=1e-6), 'J1 disagrees with finite differences'
### END HIDDEN TESTS

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q2_passes_task"}, "editable": false, "deletable": false}
# ## Question 2: counting passes (2 points)
#
# Take $f: \mathbb{R}^{n} \to \mathbb{R}^{m}$ and count the passes needed for its **whole** Jacobian:
# central differences evaluate $f$ (one forward pass each); forward mode pushes one tangent vector
# through the graph per pass (a JVP, $J u$); reverse mode pulls one cotangent back per pass (a VJP,
# $v^\top J$). One JVP gives one column of $J$, one VJP one row.
#
# 1. Write `pass_counts(n_in, n_out)` returning the dict
#    `{"central_differences": ..., "forward_mode": ..., "reverse_mode": ...}` (ints): forward passes
#    of $f$ for central differences, JVPs for forward mode, VJPs for reverse mode.
# 2. An MNIST classifier `Linear(784, 128) -> ReLU -> Linear(128, 64) -> ReLU -> Linear(64, 10)` with
#    a scalar loss. Store in `n_params` its number of parameters (weights and biases), and in
#    `fd_passes` how many forward passes central differences need for the gradient of the loss with
#    respect to all of them (reverse mode needs one backward pass).
# 3. Store in `cheaper` the name of the mode (`"forward_mode"` or `"reverse_mode"`) that needs
#    fewer passes for the Jacobian of a function from $\mathbb{R}^{3}$ to $\mathbb{R}^{1000}$.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q2_passes_answer"}}
def pass_counts(n_in, n_out):
    ### BEGIN SOLUTION
    # two evaluations per input for central differences; a JVP per column; a VJP per row
    return {"central_differences": 2 * n_in, "forward_mode": n_in, "reverse_mode": n_out}
    ### END SOLUTION


### BEGIN SOLUTION
sizes = [784, 128, 64, 10]
n_params = sum(n_in * n_out + n_out for n_in, n_out in zip(sizes, sizes[1:]))  # weights + biases per layer
fd_passes = pass_counts(n_params, 1)["central_differences"]
counts = pass_counts(3, 1000)
cheaper = min(("forward_mode", "reverse_mode"), key=counts.get)
### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q2_passes", "points": 2}, "editable": false, "deletable": false}
c = pass_counts(5, 1)
assert sorted(c) == ["central_differences", "forward_mode", "reverse_mode"], 'return a dict with the three keys'
assert c["reverse_mode"] == 1, 'a scalar output needs a single VJP for its whole gradient'
assert cheaper in ("forward_mode", "reverse_mode"), 'cheaper should be "forward_mode" or "reverse_mode"'
assert isinstance(n_params, int) and isinstance(fd_passes, int), 'n_params and fd_passes should be ints'
print(f"{n_params} parameters: {fd_passes} forward passes by central differences, 1 backward pass by reverse mode")

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q3_normalize_vjp_task"}, "editable": false, "deletable": false}
# ## Question 3: the VJP of a normalisation, without its Jacobian (2 points)
#
# The op $y = x / \lVert x \rVert$ maps $\mathbb{R}^n$ to the unit sphere. Its Jacobian is an
# $n \times n$ matrix, but backward only ever needs $v^\top J$ for the upstream gradient $v$.
# Derive $J$ (differentiate $y_i = x_i (\sum_k x_k^2)^{-1/2}$), then simplify $v^\top J$ to an
# expression in $x$, $y$ and $v$ that costs $O(n)$. Write `normalize_vjp(x, v)` returning it
# (shape $(n,)$). Do **not** build $J$: the grader calls it with $n = 20{,}000$, where $J$ would
# take 3.2 GB.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q3_normalize_vjp_answer"}}
def normalize_vjp(x, v):
    ### BEGIN SOLUTION
    # J = (I - y y^T) / |x| is symmetric, so v^T J = (v - y (y . v)) / |x|
    x, v = np.asarray(x, dtype=float), np.asarray(v, dtype=float)
    r = np.sqrt(np.dot(x, x))
    y = x / r
    return (v - y * np.dot(y, v)) / r
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q3_normalize_vjp", "points": 2}, "editable": false, "deletable": false}
rng = np.random.default_rng(3)
x3, v3 = rng.normal(size=4), rng.normal(size=4)
g3 = normalize_vjp(x3, v3)
assert np.shape(g3) == (4,), 'the VJP has the shape of the input x'
# Scaling x does not move y, so the VJP is orthogonal to x.
assert abs(np.dot(g3, x3)) < 1e-10, 'v^T J should be orthogonal to x (scaling x leaves y unchanged)'
### BEGIN HIDDEN TESTS
assert np.allclose(g3, v3 @ jacobian_by_differences(lambda t: t / np.linalg.norm(t), x3), atol=1e-6), 'normalize_vjp disagrees with finite differences'
### END HIDDEN TESTS

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q4_checkpoint_task"}, "editable": false, "deletable": false}
# ## Question 4: what checkpointing trades (2 points)
#
# Reverse mode keeps every layer's activation from the forward pass until backward reaches it: a
# chain of $n$ layers holds $n$ activations at its peak. Checkpointing splits the chain into
# segments of $k$ layers (the last one may be shorter) and keeps only each segment's input (its
# checkpoint) during the forward pass. Backward handles one segment at a time, last first: it
# recomputes the segment's activations from its checkpoint, back-propagates through them and frees
# them. Model the cost this way:
#
# - at the peak, every checkpoint is held plus the $k$ activations of one recomputed segment;
# - every segment except the last is recomputed once (the last one's activations are kept from the
#   forward pass); with $k \ge n$ there is one segment: peak $n$, nothing recomputed.
#
# 1. Write `checkpoint_cost(n, k)` returning `(peak, extra)`: the peak number of activations held
#    and the number of layer evaluations spent recomputing (ints).
# 2. Write `best_segment(n)`: the `k` in `1..n` with the smallest peak (the smallest such `k` if
#    several tie).
# 3. Store `best_segment(10_000)` in `k_best` and its `checkpoint_cost` in `cost_best`.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q4_checkpoint_answer"}}
def checkpoint_cost(n, k):
    ### BEGIN SOLUTION
    if k >= n:
        return n, 0
    segments = -(-n // k)             # ceil(n / k) checkpoints
    last = n - (segments - 1) * k     # the last segment is not recomputed
    return segments + k, n - last
    ### END SOLUTION


def best_segment(n):
    ### BEGIN SOLUTION
    return min(range(1, n + 1), key=lambda k: (checkpoint_cost(n, k)[0], k))
    ### END SOLUTION


k_best = best_segment(10_000)
cost_best = checkpoint_cost(10_000, k_best)

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q4_checkpoint", "points": 2}, "editable": false, "deletable": false}
print(f"n = 10,000 layers: a checkpoint every {k_best} layers; peak {cost_best[0]} activations instead of "
      f"10,000, {cost_best[1]} layer evaluations recomputed")
assert checkpoint_cost(50, 50) == (50, 0) and checkpoint_cost(50, 100) == (50, 0), 'one segment: peak n, nothing recomputed'
assert cost_best[0] < 10_000 // 20, 'the best segment length should cut the peak by far more than 20x'
assert cost_best[1] < 10_000, 'each layer is recomputed at most once'

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q5_jvp_vjp_task"}, "editable": false, "deletable": false}
# ## Question 5: forward and reverse mode through two layers (3 points)
#
# $$f(x) = A \tanh(B x), \qquad x \in \mathbb{R}^{n},\ B \in \mathbb{R}^{h \times n},\ A \in \mathbb{R}^{m \times h}.$$
#
# Write both modes without forming $J$:
#
# - `jvp(A, B, x, u)`: $J u$ (shape $(m,)$), pushing the tangent $u$ **forward** through the layers,
#   in the order the forward pass runs;
# - `vjp(A, B, x, v)`: $v^\top J$ (shape $(n,)$), pulling $v$ **back** through the layers in reverse order.
#
# The test cell then builds $J$ twice, from $n$ JVPs (columns) and from $m$ VJPs (rows).

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q5_jvp_vjp_answer"}}
def jvp(A, B, x, u):
    ### BEGIN SOLUTION
    a = B @ x
    a_dot = B @ u                          # tangent of the pre-activation
    h_dot = (1 - np.tanh(a) ** 2) * a_dot  # tanh' scales it entry by entry
    return A @ h_dot
    ### END SOLUTION


def vjp(A, B, x, v):
    ### BEGIN SOLUTION
    a = B @ x
    h_bar = A.T @ v                        # cotangent of the hidden layer
    a_bar = (1 - np.tanh(a) ** 2) * h_bar
    return B.T @ a_bar
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q5_jvp_vjp", "points": 3}, "editable": false, "deletable": false}
rng = np.random.default_rng(5)
A5, B5, x5 = rng.normal(size=(2, 3)), rng.normal(size=(3, 5)), rng.normal(size=5)
J_columns = np.stack([jvp(A5, B5, x5, e) for e in np.eye(5)], axis=1)   # 5 JVPs
J_rows = np.stack([vjp(A5, B5, x5, e) for e in np.eye(2)], axis=0)      # 2 VJPs
assert J_columns.shape == (2, 5) and J_rows.shape == (2, 5), 'jvp should return shape (m,) and vjp shape (n,)'
assert np.allclose(J_columns, J_rows), 'the Jacobians built by forward and by reverse mode differ'
print("5 JVPs and 2 VJPs give the same 2 x 5 Jacobian")
### BEGIN HIDDEN TESTS
assert np.allclose(J_rows, jacobian_by_differences(lambda t: A5 @ np.tanh(B5 @ t), x5), atol=1e-6), 'the Jacobian disagrees with finite differences'
### END HIDDEN TESTS

# %% [markdown] meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "summary"}, "editable": false, "deletable": false}
# ## Summary
#
# A Jacobian has a row per output and a column per input; backward never builds it, it computes
# $v^\top J$ op by op. A JVP costs about one forward pass and gives one column, a VJP about one
# backward pass and gives one row, so a scalar loss needs a single backward pass for every parameter
# where central differences need two forward passes per parameter; forward mode wins only when
# inputs are few and outputs many. Reverse mode pays in memory, and checkpointing buys most of it
# back with about one extra forward pass. Next: `05_autograd_from_scratch_scalar`.
