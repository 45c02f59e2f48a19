# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "intro"}, "editable": false, "deletable": false}
# # Exercises 03: matrix calculus and back-propagation in numpy
#
# These exercises go with `notebooks/03_matrix_calculus_backprop.ipynb`. Conventions, as in the
# notebook: a layer maps a vector $x \in \mathbb{R}^{d}$ to $y = W x + b$ with $W$ of shape
# $(k, d)$; on a batch the samples are the **rows** of $X$ (shape $(N, d)$) and $Y = X W^\top + b$
# (shape $(N, k)$). A gradient always has the shape of what it is the gradient with respect to.
#
# | question | kind | points |
# |---|---|---|
# | 1. a Matrix Cookbook identity | derive and implement | 1 |
# | 2. linear layer backward, one vector | derive and implement | 2 |
# | 3. the gradient of $\lVert Wx - t \rVert^2$ | derive and compute | 2 |
# | 4. linear layer backward, a batch | derive and implement | 3 |
# | 5. softmax and cross-entropy, backward in one step | derive and implement | 3 |
# | 6. a two-layer sigmoid MLP, backward in numpy | implement | 4 |

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "setup"}, "editable": false, "deletable": false}
import numpy as np


def numerical_grad(f, A, h=1e-6):
    """Central differences of a scalar function f at every entry of the array A (for checking)."""
    A = np.array(A, dtype=float)
    grad = np.zeros_like(A)
    for i in np.ndindex(A.shape):
        old = A[i]
        A[i] = old + h
        up = f(A)
        A[i] = old - h
        down = f(A)
        A[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q1_bilinear_task"}, "editable": false, "deletable": false}
# ## Question 1: a Matrix Cookbook identity (1 point)
#
# For vectors $a$ $(m,)$, $b$ $(n,)$ and a matrix $X$ $(m, n)$, the scalar $f(X) = a^\top X b$ has
# a gradient $\partial f / \partial X$ of shape $(m, n)$. Derive it (write $f = \sum_{ij} a_i X_{ij} b_j$)
# and write `bilinear_grad(a, X, b)` returning it.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q1_bilinear_answer"}}
def bilinear_grad(a, X, b):
    ### BEGIN SOLUTION
    return np.outer(a, b)
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q1_bilinear", "points": 1}, "editable": false, "deletable": false}
rng = np.random.default_rng(5)
a5, X5, b5 = rng.normal(size=2), rng.normal(size=(2, 3)), rng.normal(size=3)
assert np.shape(bilinear_grad(a5, X5, b5)) == (2, 3), 'the gradient should have the shape of X, (2, 3)'
### BEGIN HIDDEN TESTS
assert np.allclose(bilinear_grad(a5, X5, b5), numerical_grad(lambda X_: a5 @ X_ @ b5, X5)), 'bilinear_grad disagrees with finite differences'
### END HIDDEN TESTS

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q2_linear_vector_task"}, "editable": false, "deletable": false}
# ## Question 2: linear layer backward, one vector (2 points)
#
# For $y = W x + b$ and an upstream gradient $g = \partial L / \partial y$ (shape $(k,)$), derive
#
# $$\frac{\partial L}{\partial W} = ?\ (k, d), \qquad \frac{\partial L}{\partial b} = ?\ (k,), \qquad
# \frac{\partial L}{\partial x} = ?\ (d,)$$
#
# (hint: $y_i = \sum_j W_{ij} x_j + b_i$, so $\partial y_i / \partial W_{ij} = x_j$), and write
# `linear_backward(W, x, grad_y)` returning the tuple `(dW, db, dx)` of numpy arrays.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q2_linear_vector_answer"}}
def linear_backward(W, x, grad_y):
    ### BEGIN SOLUTION
    dW = np.outer(grad_y, x)  # dL/dW_ij = g_i x_j
    db = np.array(grad_y, dtype=float)
    dx = W.T @ grad_y         # dL/dx_j = sum_i g_i W_ij
    return dW, db, dx
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q2_linear_vector", "points": 2}, "editable": false, "deletable": false}
rng = np.random.default_rng(1)
W, b, x_vec, g = rng.normal(size=(2, 3)), rng.normal(size=2), rng.normal(size=3), rng.normal(size=2)
dW, db, dx = linear_backward(W, x_vec, g)
assert dW.shape == (2, 3) and db.shape == (2,) and dx.shape == (3,), 'expected shapes dW (2, 3), db (2,), dx (3,)'
# With L = g . y, the numerical gradient of L w.r.t. b is g itself.
assert np.allclose(numerical_grad(lambda b_: g @ (W @ x_vec + b_), b), db), 'db disagrees with finite differences'
### BEGIN HIDDEN TESTS
assert np.allclose(numerical_grad(lambda W_: g @ (W_ @ x_vec + b), W), dW), 'dW disagrees with finite differences'
assert np.allclose(numerical_grad(lambda x_: g @ (W @ x_ + b), x_vec), dx), 'dx disagrees with finite differences'
### END HIDDEN TESTS

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q3_squared_norm_task"}, "editable": false, "deletable": false}
# ## Question 3: the gradient of $\lVert W x - t \rVert^2$ (2 points)
#
# For the fixed `W3`, `x3`, `t3` below and $L = \lVert W x - t \rVert^2 = r^\top r$ with $r = Wx - t$,
# derive $\partial L / \partial W$ and $\partial L / \partial x$ (use $\partial L / \partial r = 2r$ and
# question 2), then store them as numpy arrays in `dL_dW3` (shape $(2, 3)$) and `dL_dx3` (shape $(3,)$).

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q3_data"}, "editable": false, "deletable": false}
W3 = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
x3 = np.array([2.0, 1.0, -1.0])
t3 = np.array([1.0, 0.5])

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q3_squared_norm_answer"}}
### BEGIN SOLUTION
r3 = W3 @ x3 - t3
dL_dW3 = 2 * np.outer(r3, x3)
dL_dx3 = 2 * W3.T @ r3
### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q3_squared_norm", "points": 2}, "editable": false, "deletable": false}
assert np.shape(dL_dW3) == (2, 3), f"dL_dW3 has shape {np.shape(dL_dW3)}, expected (2, 3)"
assert np.shape(dL_dx3) == (3,), 'dL_dx3 should have the shape of x3, (3,)'
# Moving W a little along -dL/dW lowers the loss.
_L3 = lambda W_: float(np.sum((W_ @ x3 - t3) ** 2))  # noqa: E731
assert _L3(W3 - 1e-3 * dL_dW3) < _L3(W3), 'a small step along -dL_dW3 should lower the loss'

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q4_linear_batch_task"}, "editable": false, "deletable": false}
# ## Question 4: linear layer backward, a batch (3 points)
#
# On a batch, $Y = X W^\top + b$ where $b$ is broadcast to every row, and the upstream gradient
# $G = \partial L / \partial Y$ has shape $(N, k)$. The parameters are shared by all samples, so
# their gradients **sum** over the batch. Write `linear_backward_batch(W, X, grad_Y)` returning
# `(dW, dB, dX)` with shapes $(k, d)$, $(k,)$, $(N, d)$, using matrix products (no Python loop over samples).

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q4_linear_batch_answer"}}
def linear_backward_batch(W, X, grad_Y):
    ### BEGIN SOLUTION
    dW = grad_Y.T @ X          # sum over samples of outer(g_n, x_n)
    dB = grad_Y.sum(axis=0)    # b was broadcast to every row: sum the rows back
    dX = grad_Y @ W            # row n: W^T g_n
    return dW, dB, dX
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q4_linear_batch", "points": 3}, "editable": false, "deletable": false}
rng = np.random.default_rng(2)
W, b, X, G = rng.normal(size=(2, 3)), rng.normal(size=2), rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
dW, dB, dX = linear_backward_batch(W, X, G)
assert dW.shape == (2, 3), f"dW has shape {dW.shape}, expected (2, 3)"
assert dB.shape == (2,) and dX.shape == (5, 3), 'expected shapes dB (2,) and dX (5, 3)'
# A batch of one sample is the vector case: dW = outer(g, x).
dW1, dB1, dX1 = linear_backward_batch(W, X[:1], G[:1])
assert np.allclose(dW1, np.outer(G[0], X[0])) and np.allclose(dB1, G[0]), 'a batch of one sample should give the vector case of question 2'
### BEGIN HIDDEN TESTS
L = lambda W_, b_, X_: np.sum(G * (X_ @ W_.T + b_))  # noqa: E731
assert np.allclose(numerical_grad(lambda W_: L(W_, b, X), W), dW), 'dW disagrees with finite differences'
assert np.allclose(numerical_grad(lambda b_: L(W, b_, X), b), dB), 'dB disagrees with finite differences'
assert np.allclose(numerical_grad(lambda X_: L(W, b, X_), X), dX), 'dX disagrees with finite differences'
### END HIDDEN TESTS

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q5_softmax_ce_task"}, "editable": false, "deletable": false}
# ## Question 5: softmax and cross-entropy, backward in one step (3 points)
#
# A classifier's scores $Z$ (shape $(N, C)$, one row per sample) become probabilities
# $P_{nc} = e^{Z_{nc}} / \sum_{c'} e^{Z_{nc'}}$, and the loss is the mean cross-entropy
# $L = -\frac{1}{N} \sum_n \log P_{n, y_n}$ for the integer labels $y$ (shape $(N,)$).
#
# 1. Derive $\partial L / \partial Z$ without going through the softmax's $C \times C$ Jacobian: write
#    $-\log P_{n, y_n}$ as $\log \sum_{c} e^{Z_{nc}} - Z_{n, y_n}$ and differentiate that (mind the $1/N$).
# 2. Write `softmax_ce(Z, y)` returning `(loss, dZ)`: the loss as a float and the gradient as an array
#    of `Z`'s shape. It must stay finite for scores as large as $\pm 1000$ (where `np.exp(1000)` is `inf`):
#    subtract each row's maximum first, which changes neither $P$ nor the loss.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q5_softmax_ce_answer"}}
def softmax_ce(Z, y):
    ### BEGIN SOLUTION
    Z = np.asarray(Z, dtype=float)
    n_samples = Z.shape[0]
    shifted = Z - Z.max(axis=1, keepdims=True)            # the largest score of each row becomes 0
    log_norm = np.log(np.exp(shifted).sum(axis=1))         # log sum_c exp, per row
    picked = shifted[np.arange(n_samples), y]
    loss = float(np.mean(log_norm - picked))
    dZ = np.exp(shifted - log_norm[:, None])               # the probabilities P ...
    dZ[np.arange(n_samples), y] -= 1.0                     # ... minus the one-hot labels
    return loss, dZ / n_samples                            # the mean contributes 1/N
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q5_softmax_ce", "points": 3}, "editable": false, "deletable": false}
rng = np.random.default_rng(6)
Z6, y6 = rng.normal(size=(4, 3)), np.array([0, 2, 1, 2])
loss6, dZ6 = softmax_ce(Z6, y6)
assert np.shape(dZ6) == (4, 3), 'dZ should have the shape of Z'
# Each row of P sums to 1 and each one-hot row too, so every row of dZ sums to 0.
assert np.allclose(np.sum(dZ6, axis=1), 0.0), 'every row of dL/dZ should sum to 0'
# Uniform scores give the loss log C.
assert abs(softmax_ce(np.zeros((2, 5)), np.array([1, 3]))[0] - np.log(5)) < 1e-12, 'equal scores should give the loss log C'
loss_big, dZ_big = softmax_ce(np.array([[1000.0, 0.0, -1000.0]]), np.array([1]))
assert np.isfinite(loss_big) and np.all(np.isfinite(dZ_big)), 'softmax_ce overflows for scores of 1000'
print(f"loss = {loss6:.6f}; for the scores (1000, 0, -1000) and label 1: loss = {loss_big:.1f}")
### BEGIN HIDDEN TESTS
assert np.allclose(dZ6, numerical_grad(lambda Z_: softmax_ce(Z_, y6)[0], Z6), atol=1e-6), 'dZ disagrees with finite differences'
### END HIDDEN TESTS

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q6_mlp_task"}, "editable": false, "deletable": false}
# ## Question 6: a two-layer sigmoid MLP, backward in numpy (4 points)
#
# $$H = \sigma(X W_1^\top + b_1), \qquad \hat Y = H W_2^\top + b_2, \qquad
# L = \frac{1}{N} \sum_{n=1}^{N} \lVert \hat Y_n - Y_n \rVert^2$$
#
# with $X$ $(N, d)$, $W_1$ $(h, d)$, $b_1$ $(h,)$, $W_2$ $(k, h)$, $b_2$ $(k,)$, $Y$ $(N, k)$.
# Write `mlp_backward(W1, b1, W2, b2, X, Y)` returning a dict
# `{"loss": L, "W1": dL/dW1, "b1": ..., "W2": ..., "b2": ...}` (the loss a float, the gradients
# arrays of the parameters' shapes). Go backward once: $\partial L / \partial \hat Y = \frac{2}{N}(\hat Y - Y)$,
# then the second layer (question 4), then through the sigmoid ($\sigma' = H(1 - H)$), then the first layer.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q6_mlp_answer"}}
def mlp_backward(W1, b1, W2, b2, X, Y):
    ### BEGIN SOLUTION
    N = X.shape[0]
    H = 1.0 / (1.0 + np.exp(-(X @ W1.T + b1)))
    Y_hat = H @ W2.T + b2
    loss = float(np.sum((Y_hat - Y) ** 2) / N)
    dY_hat = 2.0 * (Y_hat - Y) / N
    dW2, db2, dH = dY_hat.T @ H, dY_hat.sum(axis=0), dY_hat @ W2
    dA = dH * H * (1.0 - H)
    dW1, db1 = dA.T @ X, dA.sum(axis=0)
    return {"loss": loss, "W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q6_mlp", "points": 4}, "editable": false, "deletable": false}
rng = np.random.default_rng(4)
params = {"W1": rng.normal(size=(4, 3)), "b1": rng.normal(size=4), "W2": rng.normal(size=(2, 4)), "b2": rng.normal(size=2)}
X4, Y4 = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
out = mlp_backward(params["W1"], params["b1"], params["W2"], params["b2"], X4, Y4)
for name, value in params.items():
    assert np.shape(out[name]) == value.shape, f"d{name} has shape {np.shape(out[name])}, expected {value.shape}"
print(f"loss = {out['loss']:.6f}")
# Check dL/db2 numerically (the other three are checked by the grader on new data).
def _loss_b2(b2):
    H = 1 / (1 + np.exp(-(X4 @ params["W1"].T + params["b1"])))
    return np.sum((H @ params["W2"].T + b2 - Y4) ** 2) / len(X4)
assert np.allclose(numerical_grad(_loss_b2, params["b2"]), out["b2"], atol=1e-6), 'dL/db2 disagrees with finite differences'

# %% [markdown] meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "summary"}, "editable": false, "deletable": false}
# ## Summary
#
# A linear layer's backward pass gives three gradients, each with the shape of its variable (the
# quickest check on a derivation); on a batch, the parameters' gradients sum over the samples. A
# two-layer MLP's backward pass is the layer rule twice with the sigmoid's derivative in between,
# and softmax with cross-entropy back-propagates as $(P - \text{onehot}(y))/N$ without ever forming
# the softmax's Jacobian. Next: `04_why_reverse_mode`.
