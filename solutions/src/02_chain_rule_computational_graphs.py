# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "intro"}, "editable": false, "deletable": false}
# # Exercises 02: the chain rule on computational graphs
#
# These exercises go with `notebooks/02_chain_rule_computational_graphs.ipynb`: local gradients,
# the chain rule on small graphs, the sigmoid, and why two linear layers collapse into one.
# Write each answer where the notebook marks it (replace `raise NotImplementedError()`), then run
# the test cell below it. `bpcourse grade exercises/02_chain_rule_computational_graphs.ipynb`
# checks your answers on new data in a fresh kernel.
#
# | question | kind | points |
# |---|---|---|
# | 1. one number through three nodes | derive and compute | 1 |
# | 2. the graph of $(wx + b - y)^2$ by hand | derive and compute | 2 |
# | 3. the sigmoid and its derivative | implement | 2 |
# | 4. two linear layers collapse into one | derive and implement | 2 |
# | 5. a two-layer network with a sigmoid, backward by hand | derive and implement | 3 |

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "setup"}, "editable": false, "deletable": false}
import numpy as np


def central_difference(f, x, h=1e-6):
    """(f(x + h) - f(x - h)) / 2h: the slope of a scalar function, for checking derivations."""
    return (f(x + h) - f(x - h)) / (2 * h)

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q1_three_nodes_task"}, "editable": false, "deletable": false}
# ## Question 1: one number through three nodes (1 point)
#
# $f(x) = \sigma(3x - 1)^2$ is the graph $u = 3x - 1$, $s = \sigma(u)$, $f = s^2$.
# Multiply the three local derivatives and evaluate $\dfrac{df}{dx}$ at $x = 0.5$.
# Store it as a float in `df_dx`.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q1_three_nodes_answer"}}
### BEGIN SOLUTION
u = 3 * 0.5 - 1
s = 1 / (1 + np.exp(-u))
df_dx = float(2 * s * (s * (1 - s)) * 3)  # df/ds * ds/du * du/dx
### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q1_three_nodes", "points": 1}, "editable": false, "deletable": false}
assert isinstance(df_dx, float), 'df_dx should be a Python float'
# f increases with x here (sigma is increasing and positive), and sigma' <= 1/4 bounds the slope.
assert 0 < df_dx < 2 * 1 * 0.25 * 3, 'df_dx should be positive and below 2 * 1 * (1/4) * 3'

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q2_affine_graph_task"}, "editable": false, "deletable": false}
# ## Question 2: the graph of $(wx + b - y)^2$ by hand (2 points)
#
# The graph has three nodes: $z = w x$, then $\hat y = z + b$, then $L = (\hat y - y)^2$.
# Take $w = 1.5$, $x = 2$, $b = 0.5$, $y = 2$.
#
# Fill in the forward table ($z$, $\hat y$, $L$). Then fill in the backward table right to left:
# write down each node's local derivatives, and find which product of them gives
# $\partial L / \partial b$ and which gives $\partial L / \partial w$ (follow the path from $L$ back to
# each parameter).
#
# Store the two gradients as floats in `dL_dw` and `dL_db`.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q2_affine_graph_answer"}}
### BEGIN SOLUTION
w, x, b, y = 1.5, 2.0, 0.5, 2.0
z = w * x              # 3.0
y_hat = z + b          # 3.5
dL_dy_hat = 2 * (y_hat - y)  # 3.0
dL_db = dL_dy_hat * 1.0      # 3.0
dL_dw = dL_dy_hat * 1.0 * x  # 6.0
### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q2_affine_graph", "points": 2}, "editable": false, "deletable": false}
assert isinstance(dL_dw, float) and isinstance(dL_db, float), 'dL_dw and dL_db should be Python floats'
# The prediction is too large, so both gradients are positive (lowering w or b lowers the loss).
assert dL_dw > 0 and dL_db > 0, 'the prediction is too large here, so both gradients should be positive'
# Along this graph dL/dw is dL/db times x.
assert abs(dL_dw - 2.0 * dL_db) < 1e-12, 'along this graph dL/dw should be dL/db times x (x = 2)'

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q3_sigmoid_task"}, "editable": false, "deletable": false}
# ## Question 3: the sigmoid and its derivative (2 points)
#
# $$\sigma(z) = \frac{1}{1 + e^{-z}}, \qquad \sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr).$$
#
# Write `sigmoid(z)` and `sigmoid_grad(z)` for numpy arrays (elementwise, same shape out as in).
# `sigmoid_grad` must use the formula on the right, not a finite difference.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q3_sigmoid_answer"}}
def sigmoid(z):
    ### BEGIN SOLUTION
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))
    ### END SOLUTION


def sigmoid_grad(z):
    ### BEGIN SOLUTION
    s = sigmoid(z)
    return s * (1.0 - s)
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q3_sigmoid", "points": 2}, "editable": false, "deletable": false}
z = np.linspace(-4, 4, 9)
assert sigmoid(z).shape == z.shape and sigmoid_grad(z).shape == z.shape, "sigmoid and sigmoid_grad should keep the input's shape"
assert abs(sigmoid(np.array(0.0)) - 0.5) < 1e-12, 'sigmoid(0) should be 0.5'
assert abs(sigmoid_grad(np.array(0.0)) - 0.25) < 1e-12, 'sigmoid_grad(0) should be 0.25'  # the steepest point
# Symmetry: sigma(-z) = 1 - sigma(z), and the derivative is even.
assert np.allclose(sigmoid(-z), 1 - sigmoid(z)) and np.allclose(sigmoid_grad(-z), sigmoid_grad(z)), 'expected sigma(-z) = 1 - sigma(z) and an even derivative'
### BEGIN HIDDEN TESTS
assert np.allclose(sigmoid_grad(z), [central_difference(sigmoid, v) for v in z], atol=1e-8), 'sigmoid_grad disagrees with finite differences'
### END HIDDEN TESTS

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q4_collapse_task"}, "editable": false, "deletable": false}
# ## Question 4: two linear layers collapse into one (2 points)
#
# Without a non-linearity, two layers $h = W_1 x + b_1$ and $\hat y = W_2 h + b_2$ compute
# $\hat y = W x + b$ for a single $W$ and $b$. Derive them, then write
# `collapse(W1, b1, W2, b2)` returning the tuple `(W, b)` as numpy arrays.
# Shapes: `W1` is $(h, d)$, `b1` is $(h,)$, `W2` is $(k, h)$, `b2` is $(k,)$.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q4_collapse_answer"}}
def collapse(W1, b1, W2, b2):
    ### BEGIN SOLUTION
    # W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2)
    return W2 @ W1, W2 @ b1 + b2
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q4_collapse", "points": 2}, "editable": false, "deletable": false}
rng = np.random.default_rng(0)
W1, b1, W2, b2 = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(2, 4)), rng.normal(size=2)
W, b = collapse(W1, b1, W2, b2)
assert W.shape == (2, 3) and b.shape == (2,), 'W should have shape (k, d) = (2, 3) and b shape (k,) = (2,)'
# The single layer gives the same output as the two layers, for any input.
x_test = rng.normal(size=3)
assert np.allclose(W @ x_test + b, W2 @ (W1 @ x_test + b1) + b2), 'the single layer should give the same output as the two layers'

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q5_two_layer_task"}, "editable": false, "deletable": false}
# ## Question 5: a two-layer network with a sigmoid, backward by hand (3 points)
#
# A network with one hidden unit, on one sample $(x, y)$:
#
# $$a = w_1 x + b_1, \quad h = \sigma(a), \quad \hat y = w_2 h + b_2, \quad L = (\hat y - y)^2 .$$
#
# Write `two_layer_grads(w1, b1, w2, b2, x, y)` returning a dict with the four gradients
# `{"w1": dL/dw1, "b1": dL/db1, "w2": dL/dw2, "b2": dL/db2}` (floats), computed by the chain rule:
# go backward through the graph once, reusing $\partial L / \partial \hat y$ and $\partial L / \partial a$.
# (Define the sigmoid inside your function, so this question stands on its own.)

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q5_two_layer_answer"}}
def two_layer_grads(w1, b1, w2, b2, x, y):
    ### BEGIN SOLUTION
    a = w1 * x + b1
    h = 1.0 / (1.0 + np.exp(-a))
    y_hat = w2 * h + b2
    dL_dy_hat = 2.0 * (y_hat - y)
    dL_dh = dL_dy_hat * w2
    dL_da = dL_dh * h * (1.0 - h)
    return {"w1": float(dL_da * x), "b1": float(dL_da), "w2": float(dL_dy_hat * h), "b2": float(dL_dy_hat)}
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q5_two_layer", "points": 3}, "editable": false, "deletable": false}
g = two_layer_grads(0.5, -0.2, 1.5, 0.1, 2.0, 1.0)
assert sorted(g) == ["b1", "b2", "w1", "w2"]
# dL/db2 is simply 2 (y_hat - y); dL/dw1 is dL/db1 times x.
assert abs(g["w1"] - 2.0 * g["b1"]) < 1e-12, 'dL/dw1 should be dL/db1 times x (x = 2)'
# Check one gradient against a central difference of the loss.
def _loss_w2(w2):
    h = 1 / (1 + np.exp(-(0.5 * 2.0 - 0.2)))
    return (w2 * h + 0.1 - 1.0) ** 2
assert abs(g["w2"] - central_difference(_loss_w2, 1.5)) < 1e-6, 'dL/dw2 disagrees with a finite difference'
print({k: round(v, 6) for k, v in g.items()})

# %% [markdown] meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "summary"}, "editable": false, "deletable": false}
# ## Summary
#
# A gradient on a graph is the product of local derivatives along the path from the loss back to the
# parameter; shared prefixes ($\partial L/\partial \hat y$, $\partial L/\partial a$) are computed once.
# The sigmoid's derivative needs only its output, and without a non-linearity two linear layers are
# no more expressive than one. Next: `03_matrix_calculus_backprop`.
