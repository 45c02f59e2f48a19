# %% [markdown] slide=slide
# # 3. Matrix calculus and back-propagation by hand
#
# **What you will learn**
# - a layer as $W\mathbf{x} + \mathbf{b}$, on one vector and on a batch of vectors, with every shape written down;
# - how to derive $\partial L/\partial W$, $\partial L/\partial \mathbf{b}$ and $\partial L/\partial \mathbf{x}$ from index notation, and the shape rule that lets you check them at a glance;
# - the handful of Matrix Cookbook identities back-propagation needs, each checked numerically;
# - a two-layer sigmoid network back-propagated by hand in numpy, checked by finite differences and then trained;
# - the largest stable learning rate from the Hessian, and why deep sigmoid networks have vanishing gradients.
#
# **What you need**: notebooks 01 and 02 (the chain rule, finite differences), matrix multiplication and numpy shapes.

# %% slide=skip
import inspect

import matplotlib.pyplot as plt
import numpy as np

from bpcourse.manual import (init_mlp, linear_backward, linear_forward, mlp_backward, mlp_forward,
                             numerical_grad, relative_error, sigmoid, sigmoid_grad)

np.set_printoptions(precision=4, suppress=True)
BLUE, ORANGE, VERMILLION, BLACK = "#0072B2", "#E69F00", "#D55E00", "#000000"  # Okabe-Ito

# %% [markdown] slide=slide
# ## A layer on one vector: $\mathbf{y} = W\mathbf{x} + \mathbf{b}$
#
# A linear layer with $d_\text{in}$ inputs and $d_\text{out}$ outputs has a weight matrix $W$ of shape
# $(d_\text{out}, d_\text{in})$ (PyTorch's convention) and a bias $\mathbf{b}$ of shape $(d_\text{out},)$:
#
# $$y_i = \sum_{j} W_{ij}\,x_j + b_i, \qquad \underbrace{\mathbf{y}}_{(d_\text{out},)} = \underbrace{W}_{(d_\text{out},\,d_\text{in})}\,\underbrace{\mathbf{x}}_{(d_\text{in},)} + \underbrace{\mathbf{b}}_{(d_\text{out},)} .$$

# %% slide=fragment
rng = np.random.default_rng(0)
W, b = rng.normal(size=(2, 3)), rng.normal(size=2)
x = rng.normal(size=3)
y = linear_forward(W, b, x)
by_index = [sum(W[i, j] * x[j] for j in range(3)) + b[i] for i in range(2)]
print("shapes: W", W.shape, " x", x.shape, " b", b.shape, " y", y.shape)
print("y from W x + b :", y)
print("y from the sums:", np.array(by_index))

# %% [markdown] slide=subslide
# ## A layer on a batch: $Y = X W^\top + \mathbf{b}$
#
# A batch stacks $n$ examples as the **rows** of $X$, shape $(n, d_\text{in})$. Applying the layer to every row at once is
#
# $$Y_{ki} = \sum_j X_{kj} W_{ij} + b_i, \qquad \underbrace{Y}_{(n,\,d_\text{out})} = \underbrace{X}_{(n,\,d_\text{in})}\,\underbrace{W^\top}_{(d_\text{in},\,d_\text{out})} + \underbrace{\mathbf{b}}_{(d_\text{out},)},$$
#
# where numpy *broadcasts* $\mathbf{b}$: it is added to every row.

# %% slide=fragment
X = rng.normal(size=(4, 3))
Y = linear_forward(W, b, X)
rows = np.stack([W @ X[k] + b for k in range(4)])
print("shapes: X", X.shape, " Y", Y.shape)
print("batch equals one row at a time:", np.allclose(Y, rows), "  expected True")

# %% [markdown] slide=slide
# ## Deriving the gradients of a layer
#
# The loss $L$ is a single number computed from $Y$. Back-propagation hands the layer the **upstream gradient**
# $G = \partial L/\partial Y$ (same shape as $Y$) and asks for the gradients of its inputs. By the chain rule, summing over
# every $Y_{ki}$ that depends on the variable:
#
# $$\frac{\partial L}{\partial W_{ij}} = \sum_{k} \frac{\partial L}{\partial Y_{ki}}\frac{\partial Y_{ki}}{\partial W_{ij}} = \sum_k G_{ki} X_{kj}
# \quad\Rightarrow\quad \frac{\partial L}{\partial W} = G^\top X$$
#
# $$\frac{\partial L}{\partial b_i} = \sum_k G_{ki}
# \quad\Rightarrow\quad \frac{\partial L}{\partial \mathbf{b}} = \textstyle\sum_\text{rows} G,
# \qquad
# \frac{\partial L}{\partial X_{kj}} = \sum_i G_{ki} W_{ij}
# \quad\Rightarrow\quad \frac{\partial L}{\partial X} = G\,W .$$

# %% [markdown] slide=subslide
# ## The shape rule
#
# A gradient has the shape of the thing it is the gradient of, and there is usually only one way to multiply the
# available matrices to get that shape. That makes shapes a quick check on a derivation:
#
# | gradient | formula | shapes |
# |---|---|---|
# | $\partial L/\partial W$ | $G^\top X$ | $(d_\text{out}, n)(n, d_\text{in}) = (d_\text{out}, d_\text{in})$ |
# | $\partial L/\partial \mathbf{b}$ | $\sum_\text{rows} G$ | $(n, d_\text{out}) \to (d_\text{out},)$ |
# | $\partial L/\partial X$ | $G\,W$ | $(n, d_\text{out})(d_\text{out}, d_\text{in}) = (n, d_\text{in})$ |
#
# For one vector ($n = 1$): $\partial L/\partial W = \mathbf{g}\,\mathbf{x}^\top$ (an outer product), $\partial L/\partial\mathbf{b} = \mathbf{g}$, $\partial L/\partial\mathbf{x} = W^\top\mathbf{g}$.

# %% [markdown] slide=subslide
# Shapes also catch mistakes. Writing $\partial L/\partial W$ as $G X$ instead of $G^\top X$ is not just wrong, it cannot
# even be computed: numpy refuses, and its message names the two sizes that disagree.

# %% slide=fragment
G = np.ones_like(Y)                                      # an upstream gradient, shape (4, 2)
try:
    G @ X                                                # (4, 2) @ (4, 3): inner sizes 2 and 4 differ
except ValueError as error:
    print("ValueError:", error)
print("G^T X has shape", (G.T @ X).shape, "= W.shape", W.shape)

# %% [markdown] slide=subslide
# To check these we need a loss whose upstream gradient is a chosen $G$: $L = \sum_{k,i} G_{ki} Y_{ki}$ has exactly
# $\partial L/\partial Y = G$. Then we compare `linear_backward` with finite differences, for a batch and for one vector.
# The exact size of the disagreement (around $10^{-10}$) is rounding noise that differs between machines, so we print
# whether it is below $10^{-7}$: a wrong formula misses that by many orders of magnitude.

# %% slide=fragment
for name, inputs in [("batch", X), ("vector", x)]:
    G = rng.normal(size=linear_forward(W, b, inputs).shape)
    loss = lambda W_, b_, X_: np.sum(G * linear_forward(W_, b_, X_))  # noqa: E731
    dX, dW, db = linear_backward(G, W, inputs)
    checks = [("dL/dW", dW, numerical_grad(lambda a: loss(a, b, inputs), W)),
              ("dL/db", db, numerical_grad(lambda a: loss(W, a, inputs), b)),
              ("dL/dX", dX, numerical_grad(lambda a: loss(W, b, a), inputs))]
    for what, hand, numeric in checks:
        err = relative_error(hand, numeric)
        print(f"{name:6s} {what}: shape {str(hand.shape):7s} agrees with finite diff. (rel. error < 1e-7): {err < 1e-7}")

# %% [markdown] slide=slide
# ## Identities from the Matrix Cookbook
#
# Petersen and Pedersen's *The Matrix Cookbook* collects derivatives of scalar expressions with respect to vectors and
# matrices. With the convention that $\partial f/\partial X$ has the shape of $X$ (the Cookbook's, and PyTorch's `.grad`), these
# are the ones back-propagation uses most:
#
# | expression $f$ | $\partial f / \partial(\cdot)$ | used for |
# |---|---|---|
# | $\mathbf{a}^\top\mathbf{x}$ | $\mathbf{a}$ | a neuron's weighted sum |
# | $\mathbf{x}^\top B\,\mathbf{x}$ | $(B + B^\top)\,\mathbf{x}$ | quadratic losses |
# | $\mathbf{a}^\top X\,\mathbf{b}$ | $\mathbf{a}\,\mathbf{b}^\top$ | $\partial L/\partial W = \mathbf{g}\mathbf{x}^\top$ |
# | $\operatorname{tr}(A X)$ | $A^\top$ | $\sum_{k,i} G_{ki}Y_{ki} = \operatorname{tr}(G^\top Y)$, the check above |
# | $\lVert A\mathbf{x} - \mathbf{b}\rVert^2$ | $2A^\top(A\mathbf{x} - \mathbf{b})$ | least squares (notebook 01 in matrix form) |
# | $\sum_i f(z_i)$ | $f'(\mathbf{z})$ elementwise | activations |

# %% slide=fragment
a, v, c = rng.normal(size=3), rng.normal(size=3), rng.normal(size=4)
B, A, M = rng.normal(size=(3, 3)), rng.normal(size=(3, 4)), rng.normal(size=(4, 3))
identities = [  # (name, f, point, formula for the gradient at that point)
    ("a^T x", lambda t: a @ t, v, a),
    ("x^T B x", lambda t: t @ B @ t, v, (B + B.T) @ v),
    ("a^T X b", lambda T: a @ T @ c, A, np.outer(a, c)),
    ("tr(A X)", lambda T: np.trace(A @ T), M, A.T),
    ("||A x - b||^2", lambda t: np.sum((M @ t - c) ** 2), v, 2 * M.T @ (M @ v - c)),
    ("sum sigmoid(z)", lambda t: np.sum(sigmoid(t)), v, sigmoid_grad(v)),
]
for name, f, point, formula in identities:
    err = relative_error(formula, numerical_grad(f, point))
    print(f"{name:15s} gradient shape {str(np.shape(formula)):7s} rel. error < 1e-7: {err < 1e-7}")

# %% [markdown] slide=slide
# ## A two-layer sigmoid network
#
# Now the whole network, on a batch $X$ of shape $(n, d)$, with $h$ hidden units and $o$ outputs:
#
# $$Z_1 = X W_1^\top + \mathbf{b}_1, \qquad H = \sigma(Z_1), \qquad \hat Y = H W_2^\top + \mathbf{b}_2, \qquad L = \frac{1}{n\,o}\sum_{k,i} (\hat Y_{ki} - Y_{ki})^2 .$$
#
# Without the sigmoid the two layers would collapse into one (notebook 02); $\sigma(z) = 1/(1 + e^{-z})$ applies to every entry.
# Its derivative needs only its output:
#
# $$\sigma'(z) = \frac{e^{-z}}{(1 + e^{-z})^2} = \sigma(z)\,\bigl(1 - \sigma(z)\bigr).$$

# %% slide=fragment
for z in [-2.0, 0.0, 3.0]:
    s = sigmoid(z)
    print(f"z = {z:4.1f}: s(1-s) = {s * (1 - s):.8f}   finite diff. = {numerical_grad(sigmoid, z):.8f}")

# %% [markdown] slide=subslide
# ## Back-propagation, one line per step
#
# Go backwards through the forward equations. Each line is a layer rule from above or an elementwise rule:
#
# $$\begin{aligned}
# \partial L/\partial \hat Y &= \tfrac{2}{n\,o}(\hat Y - Y) && (n, o)\\
# \partial L/\partial W_2 &= (\partial L/\partial \hat Y)^\top H, \quad \partial L/\partial \mathbf{b}_2 = \textstyle\sum_\text{rows}\partial L/\partial \hat Y && (o, h),\ (o,)\\
# \partial L/\partial H &= (\partial L/\partial \hat Y)\, W_2 && (n, h)\\
# \partial L/\partial Z_1 &= \partial L/\partial H \odot H \odot (1 - H) && (n, h)\\
# \partial L/\partial W_1 &= (\partial L/\partial Z_1)^\top X, \quad \partial L/\partial \mathbf{b}_1 = \textstyle\sum_\text{rows}\partial L/\partial Z_1 && (h, d),\ (h,)
# \end{aligned}$$
#
# `bpcourse.manual.mlp_backward` is exactly these lines:

# %% slide=fragment
print(inspect.getsource(mlp_backward))

# %% [markdown] slide=subslide
# ### Checked by finite differences
#
# A small regression problem: learn $y = \sin x$ on $[-3, 3]$ with 8 hidden units. Every parameter's hand gradient is
# compared with central differences of the loss (one forward pass per nudge: 2 × 25 of them).

# %% slide=fragment
x_train = np.linspace(-3, 3, 40).reshape(-1, 1)
y_train = np.sin(x_train)
params = init_mlp(1, 8, 1, seed=0)
L0, cache = mlp_forward(params, x_train, y_train)
grads = mlp_backward(params, cache)
print(f"loss at initialisation: {L0:.6f}")
for name, value in params.items():
    numeric = numerical_grad(lambda p: mlp_forward({**params, name: p}, x_train, y_train)[0], value)
    err = relative_error(grads[name], numeric)
    print(f"dL/d{name}: shape {str(value.shape):6s} rel. error < 1e-7: {err < 1e-7}")

# %% [markdown] slide=slide
# ## Training with our own gradients
#
# With correct gradients, plain gradient descent trains the network: $\theta \leftarrow \theta - \eta\,\partial L/\partial\theta$
# for each parameter, 3000 full-batch steps with $\eta = 0.5$. No autograd anywhere.

# %% slide=fragment
trained = {k: v.copy() for k, v in params.items()}
history, snapshots = [], {}
for step in range(3000):
    if step in (0, 3, 5, 100, 2999):
        snapshots[step] = {k: v.copy() for k, v in trained.items()}   # for the curvature, below
    loss_value, cache = mlp_forward(trained, x_train, y_train)
    history.append(loss_value)
    for name, grad in mlp_backward(trained, cache).items():
        trained[name] -= 0.5 * grad
for step in [0, 1, 2, 100, 1000, 2999]:
    print(f"step {step:4d}: loss {history[step]:.6f}")
print(f"largest loss on the way: {max(history):.2f} at step {int(np.argmax(history))}")

# %% [markdown] slide=subslide
# ## Beyond the edge of stability
#
# The loss first *jumps* (from 2.2 to 38.6 at step 3) and then falls. Why? Near parameters $\theta$ the loss is close to
# a quadratic, $L(\theta + \delta) \approx L + \mathbf{g}^\top\delta + \tfrac12\,\delta^\top H\,\delta$, with the
# **Hessian** $H$ (all second derivatives, $25 \times 25$ here). Along an eigenvector of $H$ with eigenvalue $\lambda$, a
# gradient step multiplies the distance to the bottom by $1 - \eta\lambda$, exactly as $1 - \eta L''$ did in notebook 01. So
# gradient descent is stable only if
#
# $$\eta < \frac{2}{\lambda_\max} .$$
#
# We build $H$ column by column from central differences of our hand gradient, $H_{:,j} \approx \bigl(\mathbf{g}(\theta + \varepsilon e_j) - \mathbf{g}(\theta - \varepsilon e_j)\bigr)/2\varepsilon$,
# and check its top eigenvalue with a second difference of the loss along its eigenvector $\mathbf{u}$:
# $\bigl(L(\theta + h\mathbf{u}) - 2L(\theta) + L(\theta - h\mathbf{u})\bigr)/h^2 \approx \lambda_\max$.

# %% slide=fragment
def flat(p):
    return np.concatenate([a.ravel() for a in p.values()])

def unflat(v, like):
    pieces = np.split(v, np.cumsum([a.size for a in like.values()])[:-1])
    return {k: piece.reshape(a.shape) for (k, a), piece in zip(like.items(), pieces)}

def hessian(p, eps=1e-5):
    """Column j: central difference of the hand gradient (mlp_backward) along parameter j; then symmetrised."""
    gradient = lambda v: flat(mlp_backward(unflat(v, p), mlp_forward(unflat(v, p), x_train, y_train)[1]))  # noqa: E731
    steps = eps * np.eye(flat(p).size)
    H = np.column_stack([(gradient(flat(p) + e) - gradient(flat(p) - e)) / (2 * eps) for e in steps])
    return (H + H.T) / 2

eigenvalues, eigenvectors = np.linalg.eigh(hessian(params))
top, u, h = eigenvalues[-1], eigenvectors[:, -1], 1e-3
L_along_u = lambda s: mlp_forward(unflat(flat(params) + s * u, params), x_train, y_train)[0]  # noqa: E731
print(f"lambda_max at initialisation {top:.4f};  second difference along its eigenvector "
      f"{(L_along_u(h) - 2 * L_along_u(0) + L_along_u(-h)) / h**2:.4f}")
print(f"largest stable learning rate 2 / lambda_max = {2 / top:.4f}   (we used 0.5)")

# %% [markdown] slide=subslide
# So $\eta = 0.5$ is not close to the edge at the start: it is well **beyond** it ($2/\lambda_\max \approx 0.31$), and the
# first steps do blow up along the top direction. Training recovers only because the curvature is not fixed, unlike
# notebook 01's parabola: the big steps carry the network to a flatter region, where $\lambda_\max < 2/0.5 = 4$, and from
# there $\eta = 0.5$ is stable. The curvature then creeps up again as the fit improves, staying just under 4. With
# $\eta = 0.2 < 0.31$ there is no jump (but a slower fit).

# %% slide=fragment
print("step   loss       lambda_max   2/lambda_max   is 0.5 stable there?")
for step, snapshot in snapshots.items():
    lam = np.linalg.eigvalsh(hessian(snapshot))[-1]
    print(f"{step:4d} {history[step]:9.4f} {lam:12.4f} {2 / lam:14.4f}   {0.5 < 2 / lam}")

# %% slide=subslide
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.3))
ax1.semilogy(history, color=BLUE)
ax1.set(title="Training loss", xlabel="step", ylabel="mean squared error (log scale)")
fitted = mlp_forward(trained, x_train, y_train)[1]["Yh"]
ax2.plot(x_train, y_train, "o", color=BLACK, markersize=3, label="data: sin x")
ax2.plot(x_train, fitted, color=VERMILLION, label="network")
ax2.set(title="Fit after 3000 steps", xlabel="x", ylabel="y")
ax2.legend()
fig.tight_layout()
plt.show()

# %% [markdown] slide=slide
# ## Going deep: ten sigmoid layers
#
# Stack $D$ layers $H_k = \sigma(Z_k)$, $Z_k = H_{k-1} W_k^\top$. Backward applies the same two rules per layer, from the
# top down, so the gradient reaching layer $k$ has been multiplied by every layer above it:
#
# $$\frac{\partial L}{\partial Z_k} = \Bigl(\frac{\partial L}{\partial Z_{k+1}}\, W_{k+1}\Bigr) \odot \sigma'(Z_k), \qquad \frac{\partial L}{\partial W_k} = \Bigl(\frac{\partial L}{\partial Z_k}\Bigr)^{\!\top} H_{k-1} .$$
#
# Each step multiplies by a $W$ and by $\sigma'$, and $\sigma'$ is small. With $s = \sigma(z) \in (0, 1)$:
#
# $$\sigma'(z) = s(1 - s) = \tfrac14 - \bigl(s - \tfrac12\bigr)^2 \le \tfrac14, \quad\text{with equality only at } z = 0 .$$
#
# So unless the weights make up for it, the gradient shrinks by a factor of at least 4 per sigmoid layer: after ten
# layers, by $4^{10} \approx 10^6$. This is the **vanishing gradient**.

# %% slide=fragment
z = np.linspace(-8, 8, 16001)
print(f"max of sigmoid'(z) on [-8, 8]: {sigmoid_grad(z).max():.6f} at z = {z[np.argmax(sigmoid_grad(z))]:.3f};"
      f"  expected 1/4 at z = 0;  4**10 = {4**10:,}")

# %% [markdown] slide=subslide
# ### The deep network, back-propagated by hand
#
# Ten hidden layers of 32 units (no biases, to keep it short), one linear output, the mean squared error on a batch of
# 64 random inputs and targets. The activation is the sigmoid or the ReLU, $\max(0, z)$, whose derivative is $0$ or $1$.
# The weights start random with a standard deviation that depends on the layer's sizes: **Xavier** (Glorot)
# $\sqrt{2/(d_\text{in} + d_\text{out})}$, made for the sigmoid and tanh, and **He** $\sqrt{2/d_\text{in}}$, made for the
# ReLU (which zeroes half its inputs, so the variance needs doubling). The backward loop is the two lines above. A
# directional finite difference per layer checks it (two forward passes per layer).

# %% slide=fragment
ACTIVATIONS = {"sigmoid": (sigmoid, sigmoid_grad), "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0) * 1.0)}
INITS = {"Xavier": lambda d_in, d_out: np.sqrt(2 / (d_in + d_out)), "He": lambda d_in, d_out: np.sqrt(2 / d_in),
         "std 1": lambda d_in, d_out: 1.0}
X_deep, Y_deep = rng.normal(size=(64, 32)), rng.normal(size=(64, 1))

def deep_weights(init, depth=10, width=32, seed=0):
    r = np.random.default_rng(seed)
    sizes = [(width, width)] * depth + [(1, width)]
    return [r.normal(scale=INITS[init](d_in, d_out), size=(d_out, d_in)) for d_out, d_in in sizes]

def deep_loss_and_grads(weights, activation):
    f, f_prime = ACTIVATIONS[activation]
    H, Zs, Hs = X_deep, [], [X_deep]
    for W in weights[:-1]:                          # forward, keeping what backward needs
        Zs.append(H @ W.T)
        H = f(Zs[-1])
        Hs.append(H)
    out = H @ weights[-1].T
    dZ = 2 * (out - Y_deep) / out.size              # dL/d out for the mean squared error
    grads = [dZ.T @ Hs[-1]]
    for k in range(len(weights) - 2, -1, -1):       # backward: times W, times f'(Z), top down
        dZ = (dZ @ weights[k + 1]) * f_prime(Zs[k])
        grads.insert(0, dZ.T @ Hs[k])
    return np.mean((out - Y_deep) ** 2), grads

weights = deep_weights("Xavier")
loss0, grads = deep_loss_and_grads(weights, "sigmoid")
for k in (0, 4, 10):
    D = rng.normal(size=weights[k].shape)         # a random direction in layer k's weights
    shifted = lambda s: deep_loss_and_grads(weights[:k] + [weights[k] + s * D] + weights[k + 1:], "sigmoid")[0]  # noqa: E731
    numeric = (shifted(1e-4) - shifted(-1e-4)) / 2e-4
    print(f"layer {k + 1:2d}: hand sum(dL/dW * D) = {np.sum(grads[k] * D): .3e}, finite diff. {numeric: .3e}, "
          f"rel. error < 1e-5: {relative_error(np.sum(grads[k] * D), numeric) < 1e-5}")

# %% [markdown] slide=subslide
# ### Gradient norms, layer by layer
#
# The size $\lVert\partial L/\partial W_k\rVert$ of each layer's gradient, from the first layer (next to the input) to the
# output layer (11), for the sigmoid and the ReLU, each with its own initialisation and with a too-large one (std 1).

# %% slide=fragment
runs = [("sigmoid", "Xavier"), ("relu", "He"), ("sigmoid", "std 1"), ("relu", "std 1")]
norms = {run: [np.linalg.norm(g) for g in deep_loss_and_grads(deep_weights(run[1]), run[0])[1]] for run in runs}
print("layer " + "".join(f"{a + ', ' + i:>17s}" for a, i in runs))
for k in range(11):
    print(f"{k + 1:5d} " + "".join(f"{norms[run][k]:17.2e}" for run in runs))
print("first / last layer:" + "".join(f"{norms[run][0] / norms[run][-1]:12.1e}" for run in runs))

# %% slide=subslide
fig, ax = plt.subplots(figsize=(6, 3.5))
for (run, values), colour, style in zip(norms.items(), [BLUE, VERMILLION, ORANGE, BLACK], ["-", "-", "--", ":"]):
    ax.semilogy(range(1, 12), values, style, marker="o", markersize=3, color=colour, label=f"{run[0]}, {run[1]}")
ax.set(title="Gradient norm per layer, 10 hidden layers", xlabel="layer (1 = next to the input)",
       ylabel="norm of dL/dW (log scale)")
ax.legend(fontsize=8)
plt.show()

# %% [markdown] slide=subslide
# - **Sigmoid, Xavier**: every layer down divides the gradient by about 2 to 5 (the $\le \frac14$ of $\sigma'$, partly
#   offset by $W$); the first layer gets a few millionths of the output layer's gradient, so it hardly learns.
# - **ReLU, He**: $\text{ReLU}' \in \{0, 1\}$ and He's scale keeps the signal's size, so every layer gets a gradient of
#   the same order.
# - **The initial scale matters as much**: with std 1 the ReLU network's activations grow by about $\sqrt{32/2} = 4$ per
#   layer, so its output and every gradient **explode** (about $10^{13}$); the sigmoid saturates instead, and its first
#   layer still gets the smallest gradient.
#
# This is why the networks from notebook 05 on use the ReLU (with torch's default initialisation, which for these
# shallow networks is enough), where the seed lecture drew a sigmoid.

# %% [markdown] slide=slide
# ## Summary
#
# - A layer is $Y = XW^\top + \mathbf{b}$; given $G = \partial L/\partial Y$ its gradients are $G^\top X$, $\sum_\text{rows} G$ and $GW$. Shapes alone almost determine them.
# - The Matrix Cookbook identities ($\mathbf{a}^\top\mathbf{x}$, $\mathbf{x}^\top B\mathbf{x}$, $\mathbf{a}^\top X\mathbf{b}$, $\operatorname{tr}(AX)$, least squares) all check out numerically.
# - Back-propagation through a two-layer sigmoid network is five lines of numpy, each a layer rule or $\sigma' = \sigma(1-\sigma)$; finite differences agree to a relative error below $10^{-7}$.
# - Gradient descent is stable only for $\eta < 2/\lambda_\max$ of the Hessian: $\approx 0.31$ at this network's start, so $\eta = 0.5$ is beyond the edge; it recovers because the curvature changes.
# - In a deep stack the gradient is multiplied by $W$ and $\sigma' \le \frac14$ once per layer: ten sigmoid layers shrink it about $10^6$-fold, ReLU with He's initialisation keeps it, a too-large initial scale makes it explode.
# - Writing these by hand for every new network is tedious and error-prone: the next notebooks build an engine that does it automatically.
#
# **Next:** [04 — why reverse mode](04_why_reverse_mode.ipynb).
# **Practise:** [exercises for this notebook](../exercises/03_matrix_calculus_backprop.ipynb) (check with `bpcourse grade exercises/03_matrix_calculus_backprop.ipynb`).
