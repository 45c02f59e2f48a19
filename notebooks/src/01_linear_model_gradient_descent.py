# %% [markdown] slide=slide
# # 1. The linear model and gradient descent
#
# **What you will learn**
# - the seed lecture's problem: fit $\hat y = w x$ to three points with the mean squared error;
# - how to derive the gradient $\partial L / \partial w$ by hand, and how to *check* it with finite differences;
# - batch gradient descent versus stochastic gradient descent (SGD), and how to reproduce the lecture's printed numbers exactly;
# - why a learning rate that is too large makes training explode, and the largest safe value for this problem, derived and confirmed.
#
# **What you need**: derivatives of polynomials, a little Python and numpy. Run the cells from top to bottom (Shift+Enter).

# %% slide=skip
import matplotlib.pyplot as plt
import numpy as np

from bpcourse.manual import mse, mse_grad, numerical_grad, relative_error, sample_grad, sample_loss

# Okabe-Ito: a palette that stays distinguishable with every common colour-vision deficiency.
BLACK, ORANGE, SKY, GREEN, BLUE, VERMILLION, PURPLE = (
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7")

# %% [markdown] slide=slide
# ## The data and the model
#
# The lecture's data are three points that lie exactly on the line $y = 2x$. The model has a single
# parameter, the slope $w$, and no bias:
#
# $$\hat y = w\,x .$$
#
# Training means finding the $w$ that makes the predictions $\hat y_i$ close to the targets $y_i$.
# We already know the answer ($w = 2$); the point is to watch an algorithm *find* it. Like the lecture, we start at $w = 1$.

# %% slide=fragment
x_data = np.array([1.0, 2.0, 3.0])
y_data = np.array([2.0, 4.0, 6.0])
w0 = 1.0
print("   x      y   y_hat = w0*x")
for xi, yi in zip(x_data, y_data):
    print(f"{xi:4.1f} {yi:6.1f} {w0 * xi:10.1f}")
print("predict (before training)", 4, w0 * 4, "   lecture printed: 4 4.0")

# %% [markdown] slide=subslide
# ## The loss: mean squared error
#
# One example's loss is the squared error $\ell_i(w) = (x_i w - y_i)^2$, and the loss of the whole
# data set is their mean:
#
# $$L(w) = \frac{1}{N}\sum_{i=1}^{N} (x_i w - y_i)^2
#        = \underbrace{\tfrac{1}{N}\textstyle\sum x_i^2}_{14/3}\, w^2
#        - 2\,\underbrace{\tfrac{1}{N}\textstyle\sum x_i y_i}_{28/3}\, w
#        + \underbrace{\tfrac{1}{N}\textstyle\sum y_i^2}_{56/3}
#        = \frac{14}{3}\,(w - 2)^2 .$$
#
# For this data the loss is a parabola with its minimum, zero, at $w = 2$. Let's verify the closed form.

# %% slide=fragment
for w in [0.0, 1.0, 2.0, 3.5]:
    print(f"w = {w:3.1f}   mse = {mse(w, x_data, y_data):8.4f}   14/3 (w-2)^2 = {14 / 3 * (w - 2) ** 2:8.4f}")

# %% [markdown] slide=subslide
# ## The loss curve over $w$
#
# Plotting $L(w)$ shows the whole problem at once: one valley, bottom at $w = 2$. The orange line is
# the tangent at the starting point $w = 1$; its slope is the gradient we derive next.

# %% slide=subslide
ws = np.linspace(-0.5, 4.5, 201)
losses = [mse(w, x_data, y_data) for w in ws]
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(ws, losses, color=BLUE, label="$L(w)$")
ax.plot(ws, mse(w0, x_data, y_data) + mse_grad(w0, x_data, y_data) * (ws - w0), "--", color=ORANGE,
        label="tangent at $w=1$")
ax.plot([w0, 2.0], [mse(w0, x_data, y_data), 0.0], "o", color=VERMILLION)
ax.set(title="Mean squared error of $\\hat y = w x$", xlabel="weight $w$", ylabel="loss $L(w)$", ylim=(-2, 30))
ax.legend()
plt.show()
print("minimum of the plotted curve at w =", ws[int(np.argmin(losses))], "with L =", min(losses))

# %% [markdown] slide=slide
# ## The gradient, derived by hand
#
# One example's loss is a composition: $u = x w - y$, then $\ell = u^2$. The chain rule multiplies the
# two local derivatives, $\frac{d\ell}{du} = 2u$ and $\frac{du}{dw} = x$:
#
# $$\frac{d\ell}{dw} = \frac{d\ell}{du}\,\frac{du}{dw} = 2\,x\,(x w - y).$$
#
# The gradient of the mean is the mean of the gradients:
#
# $$\frac{dL}{dw} = \frac{1}{N}\sum_i 2\,x_i\,(x_i w - y_i) = \frac{28}{3}\,(w - 2),$$
#
# which is also the derivative of $\frac{14}{3}(w-2)^2$. At $w = 1$ the per-example gradients are $-2, -8, -18$ and their mean is $-28/3$.

# %% [markdown] slide=subslide
# ## Checking a gradient without deriving it
#
# A derivation can be wrong; a numeric check catches it. The **central difference** nudges $w$ a
# little either way:
#
# $$\frac{dL}{dw} \approx \frac{L(w + \varepsilon) - L(w - \varepsilon)}{2\varepsilon},$$
#
# with an error of order $\varepsilon^2$ (the one-sided $\frac{L(w+\varepsilon) - L(w)}{\varepsilon}$ errs by order $\varepsilon$).
# `numerical_grad(f, x, eps)` does this, and `relative_error(a, b)` says how far apart two answers are.

# %% slide=fragment
print(" x   y  hand 2x(xw-y)  finite diff.  rel. error")
for xi, yi in zip(x_data, y_data):
    hand = sample_grad(w0, xi, yi)
    numeric = numerical_grad(lambda w: sample_loss(w, xi, yi), w0)
    print(f"{xi:2.0f} {yi:3.0f} {hand:14.6f} {numeric:13.6f} {relative_error(hand, numeric):11.1e}")
hand = mse_grad(w0, x_data, y_data)
numeric = numerical_grad(lambda w: mse(w, x_data, y_data), w0)
print(f"mean: {hand:13.6f} {numeric:13.6f} {relative_error(hand, numeric):11.1e}   expected -28/3 = {-28 / 3:.6f}")

# %% [markdown] slide=fragment
# How small should $\varepsilon$ be? Too large and the approximation is poor; too small and rounding
# in $L(w\pm\varepsilon)$ dominates. For a parabola the central difference is exact in exact arithmetic, so
# its remaining error is pure rounding; the one-sided difference errs by $\frac{14}{3}\varepsilon$.

# %% slide=fragment
L = lambda w: mse(w, x_data, y_data)  # noqa: E731  (a one-line function of w)
print("   eps    one-sided error   central error")
for eps in [1e-1, 1e-3, 1e-6, 1e-9]:
    one_sided = (L(w0 + eps) - L(w0)) / eps
    central = numerical_grad(L, w0, eps)
    print(f"{eps:6.0e} {abs(one_sided - hand):16.2e} {abs(central - hand):15.2e}")
print("expected one-sided error at eps=0.1: 14/3 * 0.1 =", round(14 / 3 * 0.1, 6))

# %% [markdown] slide=slide
# ## Gradient descent: batch and stochastic
#
# Gradient descent steps downhill, against the gradient, with a step size called the **learning rate** $\eta$:
#
# $$w \leftarrow w - \eta\,\frac{dL}{dw}.$$
#
# - **Batch gradient descent** uses the gradient of the mean loss over all examples: one step per epoch.
# - **Stochastic gradient descent** (the lecture's loop) steps after *every example* with that example's
#   gradient $2x_i(x_i w - y_i)$: three steps per epoch here, in a fixed order.
#
# Both with the lecture's $\eta = 0.01$ and 100 epochs, from $w = 1$.

# %% slide=fragment
def batch_gd(lr, epochs=100, w=1.0):
    """One step per epoch with the mean gradient; returns the loss after each epoch and the final w."""
    history = []
    for epoch in range(epochs):
        w = w - lr * mse_grad(w, x_data, y_data)
        history.append(mse(w, x_data, y_data))
    return np.array(history), w

batch_losses, w_batch = batch_gd(0.01)
print(f"batch GD: w = {w_batch:.8f}, L = {batch_losses[-1]:.3e}")
print(f"closed form: w = 2 - (1 - 0.01*28/3)**100 = {2 - (1 - 0.01 * 28 / 3) ** 100:.8f}")

# %% [markdown] slide=subslide
# Batch GD shrinks the error $w - 2$ by the same factor every epoch, because
# $w_{k+1} - 2 = w_k - 2 - \eta\,\tfrac{28}{3}(w_k - 2) = (1 - \tfrac{28}{3}\eta)(w_k - 2)$. That is the closed form printed above.
#
# Now SGD, written to match the lecture's torch program *exactly*: torch stores `w` as a 32-bit float
# (`float32`), so we do every forward and backward operation in `np.float32`, in the same order as torch.

# %% slide=fragment
f32 = np.float32
w = f32(1.0)
for epoch in range(100):
    for xi, yi in zip(x_data, y_data):
        diff = f32(xi) * w - f32(yi)            # forward: y_hat - y
        l = diff * diff                         # this example's loss
        grad = f32(2) * diff * f32(xi)          # backward: 2 (x w - y) x
        if epoch == 0:
            print("\t grad:", xi, yi, float(grad))
        w = f32(w - f32(0.01 * float(grad)))    # w.data - 0.01 * w.grad.item()
print("progress:", epoch, float(l), "  lecture printed: 9.094947017729282e-13")
print("predict (after training)", 4, float(f32(4) * w), "  lecture printed: 7.999998569488525")

# %% [markdown] slide=subslide
# Every printed digit matches the lecture's output (its epoch-0 gradients were −2.0, −7.840000152587891,
# −16.228801727294922). Notice that the lecture's loss stops changing after epoch 50: the update
# $0.01 \cdot 2x(xw-y) \approx 5.7\times10^{-8}$ is smaller than half the gap between neighbouring
# `float32` numbers near $w = 2$, so $w - \text{update}$ rounds back to $w$. In float64 the same loop keeps going:

# %% slide=fragment
def sgd(lr, epochs=100, w=1.0):
    """Three steps per epoch (one per example, in order); returns the loss after each epoch and w."""
    history = []
    for epoch in range(epochs):
        for xi, yi in zip(x_data, y_data):
            w = w - lr * sample_grad(w, xi, yi)
        history.append(mse(w, x_data, y_data))
    return np.array(history), w

sgd_losses, w_sgd = sgd(0.01)
print(f"SGD float64: w = {w_sgd:.12f}, L = {sgd_losses[-1]:.3e}")
print(f"last float32 update {0.01 * abs(float(grad)):.2e}"
      f" < half the float32 spacing at w: {np.spacing(w) / 2:.2e}")

# %% [markdown] slide=subslide
# SGD takes three steps per epoch, so with the same learning rate it gets further per epoch than batch GD.
# On a log scale the loss of each falls on a straight line: a constant factor per epoch.

# %% slide=subslide
epochs = np.arange(1, 101)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogy(epochs, batch_losses, color=BLUE, label="batch GD (1 step/epoch)")
ax.semilogy(epochs, sgd_losses, "--", color=VERMILLION, label="SGD (3 steps/epoch)")
ax.set(title="Loss during training, learning rate 0.01", xlabel="epoch", ylabel="mean squared error (log scale)")
ax.legend()
plt.show()
for k in [1, 10, 50, 100]:
    print(f"epoch {k:3d}: batch {batch_losses[k - 1]:.3e}   SGD {sgd_losses[k - 1]:.3e}")

# %% [markdown] slide=slide
# ## The largest stable learning rate (batch GD)
#
# The loss is a parabola with second derivative $L'' = \frac{2}{N}\sum_i x_i^2 = 2\cdot\frac{14}{3} = \frac{28}{3}$,
# so $\frac{dL}{dw} = L''\,(w - 2)$ and one step maps the error $e = w - 2$ to
#
# $$e_{k+1} = (1 - \eta L'')\, e_k .$$
#
# The error shrinks if and only if $|1 - \eta L''| < 1$, that is
#
# $$0 < \eta < \frac{2}{L''} = \frac{2}{28/3} = \frac{3}{14} \approx 0.2143 .$$
#
# Below $1/L'' = 3/28 \approx 0.107$ the error shrinks without changing sign; at exactly $3/28$ one step lands
# on $w = 2$; between $3/28$ and $3/14$ it overshoots and oscillates while still shrinking; above $3/14$ every step
# overshoots by more than it corrects, and training **diverges**.

# %% [markdown] slide=subslide
# The four regimes side by side: the path of $w$ for the first 15 epochs of batch GD at four learning rates.

# %% slide=subslide
fig, ax = plt.subplots(figsize=(6, 3.5))
runs = [(0.05, BLUE, "-"), (3 / 28, GREEN, "-."), (0.19, ORANGE, "--"), (0.225, VERMILLION, ":")]
for lr, colour, style in runs:
    path = [1.0]
    for epoch in range(15):
        path.append(path[-1] - lr * mse_grad(path[-1], x_data, y_data))
    ax.plot(path, style, marker="o", markersize=3, color=colour, label=f"lr = {lr:.3f}")
    print(f"lr = {lr:.3f}: w after 1, 2, 15 epochs = {path[1]:.4f}, {path[2]:.4f}, {path[15]:.4f}")
ax.axhline(2.0, color=BLACK, linewidth=0.8)
ax.set(title="Batch GD: smooth, one-step, oscillating, diverging", xlabel="epoch", ylabel="weight $w$")
ax.legend(fontsize=8)
plt.show()

# %% [markdown] slide=subslide
# ## The same question for SGD
#
# One SGD step on example $i$ maps the error to $e \leftarrow (1 - 2\eta x_i^2)\,e$ (since $y_i = 2x_i$).
# Each single step shrinks the error if $|1 - 2\eta x_i^2| < 1$, i.e. $\eta < 1/x_i^2$; for every example,
# the largest $x$ decides:
#
# $$\eta < \frac{1}{\max_i x_i^2} = \frac{1}{9} \approx 0.111 .$$
#
# That condition is safe but not the exact limit: an epoch multiplies the error by
# $q(\eta) = (1-2\eta)(1-8\eta)(1-18\eta)$, and what matters over many epochs is $|q(\eta)| < 1$,
# which holds up to $\eta \approx 0.2040$ (the root of $q(\eta) = 1$), even though single steps grow the error above $1/9$.

# %% slide=fragment
L2 = 2 * np.mean(x_data ** 2)
print(f"L'' = {L2:.6f}  expected 28/3 = {28 / 3:.6f}")
print(f"batch limit 2/L'' = {2 / L2:.6f}  expected 3/14 = {3 / 14:.6f}")
print(f"SGD per-step limit 1/max(x^2) = {1 / np.max(x_data ** 2):.6f}  expected 1/9 = {1 / 9:.6f}")
q = np.poly1d([-2, 1]) * np.poly1d([-8, 1]) * np.poly1d([-18, 1])   # q(lr) as a polynomial
roots = np.sort((q - 1).roots.real)
print(f"SGD epoch limit (first root of q = 1 above 0): {roots[1]:.6f}")

# %% [markdown] slide=subslide
# ### Confirmed numerically
#
# Just below and just above each limit, 100 epochs from $w = 1$. "grows" means the final loss is larger than the starting loss $14/3$.

# %% slide=fragment
for name, train, limit in [("batch GD", batch_gd, 3 / 14), ("SGD", sgd, roots[1])]:
    for factor in [0.95, 1.05]:
        lr = factor * limit
        history, w_end = train(lr)
        verdict = "converges" if history[-1] < 1e-6 else ("grows" if history[-1] > 14 / 3 else "slow")
        print(f"{name:8s} lr = {lr:.4f} ({factor:.2f} x limit): final loss {history[-1]:.3e}  {verdict}")

# %% [markdown] slide=slide
# ## Explore the learning rate yourself
#
# The explorer below trains the same model while you move the sliders: the learning rate (log scale), the number
# of epochs and the starting weight, with a toggle between batch GD and SGD (it starts in SGD mode, like the lecture).
# It draws the loss curve, the fitted line and the path of $w$ on the loss parabola, and says in words when training
# diverges. Try rates just below and just above the limits: $3/14 \approx 0.214$ for batch GD, $0.204$ for SGD.
# (Sliders retrain when you release them. In a static page, such as the slides or GitHub, widgets do not run: the
# cell after it prints the same numbers as text.)

# %% tags=nbval-ignore-output slide=subslide
from bpcourse.widgets import lr_explorer, stability_limit, train_linear

lr_explorer()

# %% [markdown] slide=subslide
# The numbers the explorer shows, at three fixed settings (batch GD, 100 epochs, $w_0 = 1$):
# a fast rate, a slow rate and one beyond the limit. `train_linear` is the function behind the explorer.

# %% slide=fragment
for lr in [0.1, 0.001, 0.25]:
    result = train_linear(lr, epochs=100, w0=1.0, mode="batch")
    below = np.flatnonzero(result.losses < 1e-6)
    reached = f"loss < 1e-6 after {below[0]} epochs" if below.size else "loss never below 1e-6"
    where = "never" if result.diverged_at is None else f"at epoch {result.diverged_at}"
    print(f"lr = {lr:<6} {result.status:9s} final loss {result.final_loss:.4e}  {reached};  diverged: {where}")

# %% [markdown] slide=subslide
# ### The limits, confirmed by the explorer's numbers
#
# Scan learning rates in steps of 0.001 with 300 epochs and report the first one at which the loss ends higher than it
# started. It should sit just above the derived limits $3/14 \approx 0.2143$ (batch) and $0.2040$ (SGD).

# %% slide=fragment
for mode, derived in [("batch", 3 / 14), ("sgd", roots[1])]:
    for lr in np.arange(0.190, 0.230, 0.001):
        result = train_linear(lr, epochs=300, w0=1.0, mode=mode)
        if result.status in ("diverging", "diverged"):
            break
    print(f"{mode:5s}: first unstable lr on the grid {lr:.3f};  derived limit {derived:.4f};"
          f"  widgets.stability_limit {stability_limit(mode):.4f}")

# %% [markdown] slide=slide
# ## Summary
#
# - The seed problem $\hat y = wx$ with the mean squared error has the loss $L(w) = \frac{14}{3}(w-2)^2$, a parabola.
# - The gradient follows from the chain rule: $\frac{d}{dw}(xw-y)^2 = 2x(xw-y)$; a central finite difference confirms it to about 10 digits.
# - Batch GD takes one step per epoch with the mean gradient; SGD takes one per example. In `float32` our loop reproduces the lecture's numbers digit for digit.
# - Gradient descent on this parabola is stable only for $\eta < 2/L'' = 3/14 \approx 0.214$ (batch). SGD's real limit is
#   $\eta \approx 0.204$, where one epoch's factor $|(1-2\eta)(1-8\eta)(1-18\eta)|$ reaches 1; the per-step bound
#   $\eta < 1/\max x_i^2 = 1/9$ is only the safe range in which *every single step* shrinks the error.
#
# **Next:** [02 — the chain rule and computational graphs](02_chain_rule_computational_graphs.ipynb).
# **Practise:** [exercises for this notebook](../exercises/01_linear_model_gradient_descent.ipynb) (check your answers with `bpcourse grade exercises/01_linear_model_gradient_descent.ipynb`).
