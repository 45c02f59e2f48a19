# %% [markdown] slide=slide
# # 2. The chain rule and computational graphs
#
# **What you will learn**
# - to draw a computation as a graph of elementary operations, for $w x$, $w x + b$ and a two-layer network with a sigmoid;
# - to fill in its **forward table** (values) and **backward table** (local gradients, then the chain rule) by hand;
# - why two linear layers without a non-linearity in between collapse into one;
# - to check every hand-derived gradient against finite differences.
#
# **What you need**: notebook 01 (the loss $(xw - y)^2$, its gradient, finite differences) and the chain rule for $f(g(x))$.

# %% slide=skip
import matplotlib.pyplot as plt
import numpy as np

from bpcourse.manual import linear_forward, numerical_grad, relative_error, sigmoid, text_table
from bpcourse.scalar import Value
from bpcourse.viz import draw_graph

BLUE, ORANGE, VERMILLION = "#0072B2", "#E69F00", "#D55E00"  # Okabe-Ito, colour-blind safe

# %% [markdown] slide=slide
# ## A computation is a graph
#
# Every formula is built from elementary operations: multiply, add, square, sigmoid. Drawn as a graph, each **node**
# holds one value and the operation that produced it, and each **edge** says "this value is an input of that one".
# The simplest graph is the lecture's model $\hat y = w \cdot x$. We use one example of the seed data, $x = 2,\ y = 4$, and $w = 1$.
#
# `Value` (from `bpcourse.scalar`, built in notebook 05) records these graphs; `draw_graph` draws them.

# %% slide=subslide
w, x = Value(1.0, label="w"), Value(2.0, label="x")
y_hat = w * x
y_hat.label = "y_hat"
draw_graph(y_hat, title="y_hat = w * x")

# %% [markdown] slide=subslide
# ## The loss graph and its forward table
#
# The loss $\ell = (\hat y - y)^2$ adds two nodes: the residual $r = \hat y - y$ and its square. The **forward
# pass** computes the nodes from left to right; by hand:

# %% slide=fragment
y = Value(4.0, label="y")
r = y_hat - y
r.label = "r"
loss = r ** 2
loss.label = "loss"
rows = [["w", "input", 1.0], ["x", "input", 2.0], ["y", "input", 4.0],
        ["y_hat", "w * x", 1.0 * 2.0], ["r", "y_hat - y", 2.0 - 4.0], ["loss", "r ** 2", (2.0 - 4.0) ** 2]]
print(text_table(["node", "operation", "by hand"], rows))
print("engine:", "y_hat =", y_hat.data, " r =", r.data, " loss =", loss.data)

# %% [markdown] slide=slide
# ## The backward table: local gradients, then the chain rule
#
# Each operation knows its **local gradient**, the derivative of its output with respect to each input, using only
# numbers from the forward pass:
#
# $$\frac{\partial \ell}{\partial r} = 2r, \qquad \frac{\partial r}{\partial \hat y} = 1, \qquad \frac{\partial \hat y}{\partial w} = x .$$
#
# The **backward pass** starts from $\partial\ell/\partial\ell = 1$ and walks right to left. Each node's gradient is the
# **upstream gradient** times the local gradient (the chain rule):
#
# $$\frac{\partial \ell}{\partial w} = \underbrace{\frac{\partial \ell}{\partial \hat y}}_{\text{upstream}}\ \underbrace{\frac{\partial \hat y}{\partial w}}_{\text{local}} = (2r \cdot 1)\cdot x = 2x(xw - y),$$
#
# which is notebook 01's formula.

# %% slide=fragment
rr, xx = -2.0, 2.0                      # r and x from the forward table
rows = [["loss", "d loss/d loss", 1.0, 1.0, 1.0],
        ["r", "d loss/d r = 2r", 2 * rr, 1.0, 2 * rr * 1.0],
        ["y_hat", "d r/d y_hat = 1", 1.0, 2 * rr, 1.0 * 2 * rr],
        ["w", "d y_hat/d w = x", xx, 2 * rr, xx * 2 * rr]]
print(text_table(["node", "local gradient", "value", "upstream", "grad = local x upstream"], rows))
loss.backward()
print("engine: w.grad =", w.grad, "  expected 2x(xw - y) =", 2 * 2.0 * (2.0 * 1.0 - 4.0))
print("finite differences:", round(numerical_grad(lambda v: (v * 2.0 - 4.0) ** 2, 1.0), 8))

# %% [markdown] slide=subslide
# After `backward()` the picture shows every node's gradient under its value. The gradient of $x$ and $y$ is computed too
# (an engine does not know which inputs are data); we simply do not use them.

# %% slide=subslide
draw_graph(loss, title="loss = (w*x - y)**2 after backward()")

# %% [markdown] slide=slide
# ## Adding a bias
#
# With a bias the model is $\hat y = w x + b$: one more input, one more node. A `+` node has local gradient 1 for both
# inputs, so it hands its upstream gradient **unchanged** to each:
#
# $$\frac{\partial \ell}{\partial b} = \frac{\partial \ell}{\partial \hat y}\cdot 1 = 2(\hat y - y), \qquad
# \frac{\partial \ell}{\partial w} = \frac{\partial \ell}{\partial \hat y}\cdot\frac{\partial (wx)}{\partial w} = 2(\hat y - y)\,x .$$
#
# With $w = 1, b = 0.5, x = 2, y = 4$: $\hat y = 2.5$, $\partial\ell/\partial\hat y = -3$, so $\partial\ell/\partial b = -3$ and $\partial\ell/\partial w = -6$.

# %% slide=subslide
w, b, x, y = Value(1.0, label="w"), Value(0.5, label="b"), Value(2.0, label="x"), Value(4.0, label="y")
wx = w * x
y_hat = wx + b
r = y_hat - y
loss = r ** 2
for node, name in [(wx, "wx"), (y_hat, "y_hat"), (r, "r"), (loss, "loss")]:
    node.label = name
loss.backward()
f = lambda w_, b_: (w_ * 2.0 + b_ - 4.0) ** 2  # noqa: E731  (the same loss as plain Python)
fd_w, fd_b = numerical_grad(lambda v: f(v, 0.5), 1.0), numerical_grad(lambda v: f(1.0, v), 0.5)
print(f"dl/dw: hand {2 * (2.5 - 4) * 2:5.1f}  engine {w.grad:5.1f}  finite diff. {fd_w:.6f}")
print(f"dl/db: hand {2 * (2.5 - 4):5.1f}  engine {b.grad:5.1f}  finite diff. {fd_b:.6f}")
draw_graph(loss, title="loss = (w*x + b - y)**2 after backward()")

# %% [markdown] slide=slide
# ## A two-layer network with a sigmoid
#
# One input, one hidden unit, one output: two linear layers with a sigmoid $\sigma(z) = 1/(1+e^{-z})$ between them.
#
# $$z_1 = w_1 x + b_1, \qquad h = \sigma(z_1), \qquad z_2 = w_2 h + b_2, \qquad \ell = (z_2 - y)^2 .$$
#
# The values: $x = 1.5$, $y = 1$, $w_1 = 0.8$, $b_1 = -0.2$, $w_2 = 1.5$, $b_2 = 0.1$.

# %% slide=subslide
x, y = Value(1.5, label="x"), Value(1.0, label="y")
w1, b1 = Value(0.8, label="w1"), Value(-0.2, label="b1")
w2, b2 = Value(1.5, label="w2"), Value(0.1, label="b2")
w1x = w1 * x
z1 = w1x + b1
h = z1.sigmoid()
w2h = w2 * h
z2 = w2h + b2
r = z2 - y
net_loss = r ** 2
for node, name in [(w1x, "w1*x"), (z1, "z1"), (h, "h"), (w2h, "w2*h"), (z2, "z2"), (r, "r"), (net_loss, "loss")]:
    node.label = name
draw_graph(net_loss, title="two-layer network, before backward()")

# %% [markdown] slide=subslide
# ### Forward table, by hand

# %% slide=fragment
X, Y, W1, B1, W2, B2 = 1.5, 1.0, 0.8, -0.2, 1.5, 0.1
Z1 = W1 * X + B1
H = float(sigmoid(Z1))
Z2 = W2 * H + B2
L = (Z2 - Y) ** 2
print(text_table(["node", "formula", "by hand", "engine"],
                 [["z1", "w1*x + b1", Z1, z1.data], ["h", "sigmoid(z1)", H, h.data],
                  ["z2", "w2*h + b2", Z2, z2.data], ["loss", "(z2 - y)**2", L, net_loss.data]], digits=6))

# %% [markdown] slide=subslide
# ### Backward table: local gradients
#
# $$\frac{\partial \ell}{\partial z_2} = 2(z_2 - y), \quad \frac{\partial z_2}{\partial w_2} = h, \quad \frac{\partial z_2}{\partial b_2} = 1, \quad
# \frac{\partial z_2}{\partial h} = w_2, \quad \frac{\partial h}{\partial z_1} = \sigma(z_1)\bigl(1 - \sigma(z_1)\bigr) = h(1-h), \quad
# \frac{\partial z_1}{\partial w_1} = x, \quad \frac{\partial z_1}{\partial b_1} = 1 .$$
#
# The sigmoid's derivative: $\sigma'(z) = \frac{e^{-z}}{(1+e^{-z})^2} = \frac{1}{1+e^{-z}}\cdot\frac{e^{-z}}{1+e^{-z}} = \sigma(z)(1-\sigma(z))$,
# so the backward pass needs only the forward output $h$.
#
# ### Then the chain rule, from right to left
#
# $$\frac{\partial \ell}{\partial w_1} = \underbrace{2(z_2 - y)}_{\partial\ell/\partial z_2}\cdot w_2 \cdot h(1-h) \cdot x .$$

# %% slide=fragment
d_z2 = 2 * (Z2 - Y)
d_h = d_z2 * W2
d_z1 = d_h * H * (1 - H)
hand = {"w2": d_z2 * H, "b2": d_z2 * 1.0, "w1": d_z1 * X, "b1": d_z1 * 1.0}
rows = [["z2", "2(z2 - y)", 2 * (Z2 - Y), 1.0, d_z2], ["w2", "h", H, d_z2, hand["w2"]],
        ["b2", "1", 1.0, d_z2, hand["b2"]], ["h", "w2", W2, d_z2, d_h],
        ["z1", "h(1 - h)", H * (1 - H), d_h, d_z1], ["w1", "x", X, d_z1, hand["w1"]],
        ["b1", "1", 1.0, d_z1, hand["b1"]]]
print(text_table(["node", "local", "value", "upstream", "grad = local x upstream"], rows, digits=6))

# %% [markdown] slide=subslide
# ### Checked twice: by the engine and by finite differences
#
# `backward()` on the graph must give the same numbers as the table, and so must nudging each parameter of a plain
# Python version of the network.

# %% slide=fragment
net_loss.backward()
def loss_of(p):                       # p = [w1, b1, w2, b2]
    return (p[2] * float(sigmoid(p[0] * X + p[1])) + p[3] - Y) ** 2
numeric = numerical_grad(loss_of, [W1, B1, W2, B2])
engine = {"w1": w1.grad, "b1": b1.grad, "w2": w2.grad, "b2": b2.grad}
rows = [[k, hand[k], engine[k], numeric[i], str(relative_error(hand[k], numeric[i]) < 1e-7)]
        for i, k in enumerate(["w1", "b1", "w2", "b2"])]
print(text_table(["param", "hand", "engine", "finite diff.", "rel. error < 1e-7"], rows, digits=8))

# %% slide=subslide
draw_graph(net_loss, title="two-layer network after backward()")

# %% [markdown] slide=slide
# ## Why the sigmoid? Two linear layers collapse into one
#
# Without a non-linearity, stacking layers adds nothing. Substitute the first layer into the second:
#
# $$W_2\,(W_1\mathbf{x} + \mathbf{b}_1) + \mathbf{b}_2 = \underbrace{(W_2 W_1)}_{W}\,\mathbf{x} + \underbrace{(W_2\mathbf{b}_1 + \mathbf{b}_2)}_{\mathbf{b}} .$$
#
# The result is again one linear layer $W\mathbf{x} + \mathbf{b}$, however many layers we stack (for scalars:
# $w_2(w_1x + b_1) + b_2 = (w_2w_1)x + (w_2b_1 + b_2)$). Numerically, with random 3 → 4 → 2 layers:

# %% slide=fragment
rng = np.random.default_rng(0)
W1m, b1m, W2m, b2m = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(2, 4)), rng.normal(size=2)
Xb = rng.normal(size=(5, 3))                             # a batch of 5 inputs, one per row
two_layers = linear_forward(W2m, b2m, linear_forward(W1m, b1m, Xb))
one_layer = linear_forward(W2m @ W1m, W2m @ b1m + b2m, Xb)
print("max |two layers - one layer| < 1e-12:", np.max(np.abs(two_layers - one_layer)) < 1e-12, "  expected True")
with_sigmoid = linear_forward(W2m, b2m, sigmoid(linear_forward(W1m, b1m, Xb)))
print("max |with sigmoid - one layer| =", f"{np.max(np.abs(with_sigmoid - one_layer)):.2f}", "  (no longer equal)")

# %% [markdown] slide=subslide
# With the sigmoid no single linear layer can do the same job. On a line of inputs, two linear layers draw a straight line,
# while the sigmoid network draws a curve that the best-fitting straight line (least squares) cannot match.

# %% slide=fragment
xs = np.linspace(-4, 4, 81).reshape(-1, 1)
Wa, ba = np.array([[2.0], [-1.5], [1.0]]), np.array([1.0, 0.5, -2.0])   # 1 -> 3
Wb, bb = np.array([[1.5, 1.0, -2.0]]), np.array([0.2])                   # 3 -> 1
linear_net = linear_forward(Wb, bb, linear_forward(Wa, ba, xs)).ravel()
sigmoid_net = linear_forward(Wb, bb, sigmoid(linear_forward(Wa, ba, xs))).ravel()
design = np.hstack([xs, np.ones_like(xs)])              # best straight line a*x + c by least squares
for name, out in [("two linear layers", linear_net), ("with sigmoid", sigmoid_net)]:
    coef = np.linalg.lstsq(design, out, rcond=None)[0]
    print(f"{name:18s}: max distance to the best straight line = {np.max(np.abs(design @ coef - out)):.3f}")

# %% slide=subslide
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(xs, linear_net, color=BLUE, label="linear, linear")
ax.plot(xs, sigmoid_net, "--", color=VERMILLION, label="linear, sigmoid, linear")
ax.set(title="Two layers (3 hidden units): with and without a sigmoid", xlabel="input x", ylabel="output")
ax.legend()
plt.show()

# %% [markdown] slide=slide
# ## Summary
#
# - A computation is a graph of elementary operations; the forward pass fills in the values from inputs to output.
# - The backward pass starts from $\partial\ell/\partial\ell = 1$ and multiplies, node by node, the upstream gradient by the local gradient: the chain rule. A `+` passes gradients through unchanged, a `*` multiplies by the *other* input, $\sigma$ by $h(1-h)$.
# - For the two-layer network, the hand table, the engine and finite differences agree to 8 decimals (relative error below $10^{-7}$).
# - Two linear layers are one linear layer ($W = W_2W_1$, $\mathbf{b} = W_2\mathbf{b}_1 + \mathbf{b}_2$); a non-linearity such as the sigmoid is what makes depth useful.
#
# **Next:** [03 — matrix calculus and back-propagation](03_matrix_calculus_backprop.ipynb).
# **Practise:** [exercises for this notebook](../exercises/02_chain_rule_computational_graphs.ipynb) (check with `bpcourse grade exercises/02_chain_rule_computational_graphs.ipynb`).
