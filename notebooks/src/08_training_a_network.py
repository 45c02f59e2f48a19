# %% [markdown] slide=slide
# # 8. Training a network, in bpcourse and in torch
#
# **What you will learn**
# - how to train a multi-layer network on a real data set (scikit-learn's 8x8 handwritten digits, bundled, no download):
#   mini-batches, cross-entropy loss, SGD with momentum, a train/test split;
# - that one training loop, written once, runs on `bpcourse` and on torch, and that from the **same initial weights**
#   both give the same loss curve;
# - how to read the result: test accuracy and a confusion matrix;
# - how the learning rate and the hidden layer's size change training (sliders, and the same numbers printed);
# - how fast each engine is on a network of this size.
#
# **What you need**: notebooks 06 and 07 (tensors, `nn`, `optim`, `zero_grad`/`backward`/`step`). Softmax and cross-entropy
# are explained below.

# %% slide=skip
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch
from threadpoolctl import threadpool_limits  # installed with scikit-learn

import bpcourse
from bpcourse.data import load_digits
from bpcourse.manual import numerical_grad, relative_error
from bpcourse.widgets import TrainingProgress

BLACK, ORANGE, SKY, GREEN, BLUE, VERMILLION, PURPLE = (  # Okabe-Ito, colour-blind safe
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7")
# One thread for both engines (torch's pool and numpy's BLAS): for a network this small, threads cost
# more than they save, and on a busy machine (2 cores shared) multithreaded matrix products can become
# 50 times slower. One thread also makes every sum run in one fixed order.
torch.set_num_threads(1)
blas_threads = threadpool_limits(1)  # applies now, for this notebook

# %% [markdown] slide=slide
# ## The data: 1,797 handwritten digits
#
# Each image has $8 \times 8 = 64$ pixels with grey levels scaled to $[0, 1]$, and a label $0$-$9$. We keep a fixed random
# 20% of the images aside as a **test set**: the network never trains on them, so its accuracy there tells us how well it
# generalises.

# %% slide=-
X, y = load_digits()
order = np.random.default_rng(0).permutation(len(y))
train_idx, test_idx = order[:1437], order[1437:]
print("X:", X.shape, X.dtype, " pixel range", (float(X.min()), float(X.max())), "  y:", y.shape, y.dtype)
print("train:", len(train_idx), " test:", len(test_idx), "  images per class (train):", np.bincount(y[train_idx]).tolist())
fig, axes = plt.subplots(2, 8, figsize=(8, 2.8), layout="constrained")
for ax, i in zip(axes.ravel(), train_idx[:16]):
    ax.imshow(X[i].reshape(8, 8), cmap="gray_r")
    ax.set(title=f"label {y[i]}", xticks=[], yticks=[])
fig.suptitle("The first 16 training images (8 x 8 pixels)")
plt.show()

# %% [markdown] slide=slide
# ## The network and its loss
#
# A multi-layer perceptron: $64 \to 32$ hidden units with ReLU (whose gradient does not vanish the way a stack of sigmoids'
# does, notebook 03) $\to 10$ scores $\mathbf{z}$, one per digit. **Softmax** turns the scores into probabilities, and the
# **cross-entropy** loss of one image is minus the log-probability of its class $c$:
#
# $$p_k = \frac{e^{z_k}}{\sum_j e^{z_j}}, \qquad \ell = -\log p_c = -z_c + \log \sum_j e^{z_j} .$$
#
# Its gradient takes two lines. The derivative of $\log\sum_j e^{z_j}$ with respect to $z_k$ is $e^{z_k}/\sum_j e^{z_j} = p_k$,
# and that of $-z_c$ is $-[k = c]$:
#
# $$\frac{\partial \ell}{\partial z_k} = p_k - [k = c], \qquad\text{that is}\qquad \frac{\partial \ell}{\partial \mathbf{z}} = \mathbf{p} - \text{onehot}(c) .$$
#
# A mini-batch's loss is the **mean** over its $N$ images, $L = \frac1N \sum_n \ell_n$, and image $n$'s scores appear only in
# $\ell_n$. So each row of the gradient is divided by $N$:
#
# $$\frac{\partial L}{\partial Z} = \frac{1}{N}\bigl(P - \text{onehot}(\mathbf{y})\bigr) .$$

# %% slide=fragment
Z = np.random.default_rng(1).normal(size=(5, 10))           # scores of a batch of N = 5 images
labels = np.array([3, 0, 9, 3, 7])
P = np.exp(Z)
P /= P.sum(axis=1, keepdims=True)                           # softmax, row by row
formula = (P - np.eye(10)[labels]) / len(labels)
for lib in (bpcourse, torch):
    scores = lib.tensor(Z, requires_grad=True)
    lib.nn.CrossEntropyLoss()(scores, lib.tensor(labels)).backward()
    print(f"{lib.__name__:8s} dL/dZ equals (P - onehot(y)) / N to 1e-12:", np.allclose(scores.grad.numpy(), formula, rtol=0, atol=1e-12))
mean_ce = lambda z: -np.mean(np.log(np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))[range(5), labels])  # noqa: E731
print("finite differences agree (rel. error < 1e-7):", relative_error(numerical_grad(mean_ce, Z), formula) < 1e-7)
print("row 0 of dL/dZ:", np.round(formula[0], 4), " (its sum is 0:", abs(formula[0].sum()) < 1e-15, ")")

# %% [markdown] slide=subslide
# ## Why the loss is fused: `log(softmax(z))` is not stable
#
# Written as two steps, $\log(\text{softmax}(\mathbf{z}))$ fails on large scores: $e^{1000}$ overflows to `inf` (and
# $\infty/\infty$ is `nan`), and a probability like $e^{-1000}$ underflows to $0$, whose log is $-\infty$. The fused
# `log_softmax` (inside `CrossEntropyLoss`) never forms $e^{z}$ of a large number. It subtracts the largest score
# $m = \max_j z_j$ first, which changes nothing mathematically:
#
# $$\log p_k = z_k - m - \log\sum_j e^{z_j - m}, \qquad\text{where every } e^{z_j - m} \le 1 \text{ and one of them is } 1 .$$

# %% slide=fragment
z = [[1000.0, 0.0, -1000.0]]
for lib in (bpcourse, torch):
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):   # numpy would warn about inf/nan; we print them
        scores = lib.tensor(z, requires_grad=True)
        two_steps = lib.log(lib.softmax(scores, dim=1))
        fused = lib.log_softmax(scores, dim=1)
        lib.nn.functional.cross_entropy(scores, lib.tensor([2])).backward()
    print(f"{lib.__name__:8s} log(softmax(z)) = {two_steps.detach().numpy().tolist()}   log_softmax(z) = {fused.detach().numpy().tolist()}")
    print(f"{'':8s} cross-entropy gradient for class 2 (fused): {scores.grad.numpy().tolist()}")
m = 1000.0
print("formula z - m - log(sum(exp(z - m))):", (np.array(z) - m - np.log(np.exp(np.array(z) - m).sum())).tolist())

# %% [markdown] slide=subslide
# ## Same initial weights in both engines
#
# We build the model in torch (seeded) and copy its weights into an identical `bpcourse` model with `load_state_dict`,
# so the two runs start from exactly the same point. The model code is the same for both engines: only `lib` differs.

# %% slide=-
def make_model(lib, hidden=32):
    return lib.nn.Sequential(lib.nn.Linear(64, hidden), lib.nn.ReLU(), lib.nn.Linear(hidden, 10))

def twin_models(hidden=32, seed=0):
    torch.manual_seed(seed)
    torch_model, bp_model = make_model(torch, hidden), make_model(bpcourse, hidden)
    bp_model.load_state_dict({k: bpcourse.tensor(v.numpy()) for k, v in torch_model.state_dict().items()})
    return bp_model, torch_model

bp_model, torch_model = twin_models()
for (name, p_bp), p_t in zip(bp_model.named_parameters(), torch_model.parameters()):
    print(f"{name:9s} shape {tuple(p_bp.shape)!s:9s} identical: {np.array_equal(p_bp.detach().numpy(), p_t.detach().numpy())}")

# %% [markdown] slide=slide
# ## One training loop for both engines
#
# Each epoch shuffles the training set (with a seeded generator, so both engines see the same batches), splits it with
# `np.array_split` into $1437 // 64 = 22$ nearly equal mini-batches (of 65 or 66 images, not 64: $22 \times 64 < 1437$),
# and takes one SGD step per mini-batch: `zero_grad()`, forward, `backward()`, `step()`. SGD with momentum $\mu = 0.9$
# keeps a running velocity: $v \leftarrow \mu v + \nabla L$, $\;\theta \leftarrow \theta - \eta\, v$.

# %% slide=fragment
def train(lib, model, lr=0.1, epochs=20, batch=64, seed=0, progress=None):
    optimizer = lib.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    loss_fn = lib.nn.CrossEntropyLoss()
    inputs, labels = lib.tensor(X[train_idx]), lib.tensor(y[train_idx])
    rng, losses = np.random.default_rng(seed), []
    for epoch in range(epochs):
        total = 0.0
        for idx in np.array_split(rng.permutation(len(train_idx)), len(train_idx) // batch):
            loss = loss_fn(model(inputs[idx]), labels[idx])
            optimizer.zero_grad(); loss.backward(); optimizer.step()  # noqa: E702
            total += loss.item() * len(idx)
        losses.append(total / len(train_idx))
        if progress is not None:
            progress.update(epoch, losses[-1])
    return losses

sizes = [len(part) for part in np.array_split(np.arange(len(train_idx)), len(train_idx) // 64)]
print(f"{len(sizes)} mini-batches per epoch, sizes {sorted(set(sizes))}: {sizes.count(65)} of 65 and {sizes.count(66)} of 66")

# %% [markdown] slide=subslide
# ## Training with bpcourse
#
# `TrainingProgress` shows a progress bar and a live loss plot while the loop runs. (It is a widget: in a static page you
# see nothing here; the numbers follow below.)

# %% slide=- tags=nbval-ignore-output
EPOCHS = 20
progress = TrainingProgress(EPOCHS, title="bpcourse: MLP 64-32-10", every=5)
bp_losses = train(bpcourse, bp_model, epochs=EPOCHS, progress=progress)
progress.done()

# %% [markdown] slide=subslide
# ## ... and with torch, from the same weights
#
# Same loop, same batches, same starting point. The two engines compute in `float32` with different libraries (numpy and
# torch's kernels round in different orders), so the curves may differ in the last digits, and no more.

# %% slide=-
torch_losses = train(torch, torch_model, epochs=EPOCHS)
print("epoch   bpcourse loss   torch loss")
for epoch in [0, 1, 2, 4, 9, 14, 19]:
    print(f"{epoch + 1:5d} {bp_losses[epoch]:15.4f} {torch_losses[epoch]:12.4f}")
diff = np.max(np.abs(np.array(bp_losses) - np.array(torch_losses)))
print("largest difference over all epochs below 1e-4:", bool(diff < 1e-4))

# %% slide=subslide
fig, ax = plt.subplots(figsize=(6, 3.5))
epochs = np.arange(1, EPOCHS + 1)
ax.semilogy(epochs, bp_losses, "-", color=BLUE, linewidth=4, alpha=0.6, label="bpcourse")
ax.semilogy(epochs, torch_losses, "--", color=VERMILLION, marker="o", markersize=3, label="torch")
ax.set(title="Training loss from the same initial weights", xlabel="epoch", ylabel="mean cross-entropy (log scale)")
ax.legend()
plt.show()

# %% [markdown] slide=slide
# ## How good is it? Test accuracy
#
# The prediction is the class with the largest score. On the 360 test images, which neither model trained on:

# %% slide=-
def predict(lib, model, idx):
    with lib.no_grad():
        return model(lib.tensor(X[idx])).argmax(dim=1).numpy()

bp_pred, torch_pred = predict(bpcourse, bp_model, test_idx), predict(torch, torch_model, test_idx)
print(f"test accuracy  bpcourse {np.mean(bp_pred == y[test_idx]):.4f}   torch {np.mean(torch_pred == y[test_idx]):.4f}")
print(f"train accuracy bpcourse {np.mean(predict(bpcourse, bp_model, train_idx) == y[train_idx]):.4f}")
print("the two models predict the same class for every test image:", bool(np.array_equal(bp_pred, torch_pred)))

# %% [markdown] slide=subslide
# ## Which digits get confused? The confusion matrix
#
# Row $i$, column $j$ counts the test images of digit $i$ that the model called $j$: the diagonal holds the correct answers,
# everything else is a mistake.

# %% slide=-
confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (y[test_idx], bp_pred), 1)
fig, ax = plt.subplots(figsize=(5.5, 4.5), layout="constrained")
image = ax.imshow(confusion, cmap="cividis")  # cividis: readable with colour-vision deficiencies
for i, j in zip(*np.nonzero(confusion)):
    ax.text(j, i, confusion[i, j], ha="center", va="center", color="black" if confusion[i, j] > 15 else "white", fontsize=8)
ax.set(title="Confusion matrix, bpcourse model, test set", xlabel="predicted digit", ylabel="true digit",
       xticks=range(10), yticks=range(10))
fig.colorbar(image, ax=ax, label="number of images")
plt.show()
print(confusion)
print("correct:", np.trace(confusion), "of", confusion.sum())

# %% [markdown] slide=slide
# ## Explore: learning rate and hidden size
#
# Move the sliders to retrain the `bpcourse` network (10 epochs, same seed) with another learning rate or another number of
# hidden units. Too small a rate learns slowly; too large a rate makes the loss jump or blow up. (Each release retrains once.
# In a static page the widget does not run; the next cell prints the numbers at fixed settings.)

# %% slide=- tags=nbval-ignore-output
def explore(lr=0.1, hidden=32):
    bpcourse.manual_seed(0)
    losses = train(bpcourse, make_model(bpcourse, hidden), lr=lr, epochs=10)
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.semilogy(np.arange(1, 11), losses, color=BLUE, marker="o")
    ax.set(title=f"lr = {lr:.3g}, hidden = {hidden}: final loss {losses[-1]:.4g}", xlabel="epoch",
           ylabel="training loss (log scale)")
    plt.show()

widgets.interact(explore, lr=widgets.FloatLogSlider(value=0.1, base=10, min=-3, max=0.5, step=0.25, continuous_update=False),
                 hidden=widgets.IntSlider(value=32, min=4, max=128, step=4, continuous_update=False));

# %% [markdown] slide=subslide
# The numbers behind the sliders, at fixed settings (10 epochs; final training loss / test accuracy). With momentum 0.9
# the effective step is about $\eta / (1 - \mu) = 10\,\eta$. At $\eta = 3$ the first steps are so large that every hidden
# ReLU ends up off for every image ("dead": zero output, zero gradient). Only the output bias still learns, so the network
# predicts one class for everything: a loss near $\ln 10 \approx 2.30$ and about 10% accuracy, whatever the hidden size.

# %% slide=-
print(f"{'lr':>6s} " + " ".join(f"{'hidden ' + str(h):>18s}" for h in (8, 32, 128)) + "   dead units (h=128)")
for lr in [0.003, 0.03, 0.3, 3.0]:
    row = []
    for hidden in (8, 32, 128):
        bpcourse.manual_seed(0)
        model = make_model(bpcourse, hidden)
        loss = train(bpcourse, model, lr=lr, epochs=10)[-1]
        accuracy = np.mean(predict(bpcourse, model, test_idx) == y[test_idx])
        row.append(f"{loss:7.4f} / {accuracy:5.3f}")
    with bpcourse.no_grad():  # hidden activations of the last model (hidden = 128) on the training set
        dead = (model[1](model[0](bpcourse.tensor(X[train_idx]))).numpy().max(axis=0) == 0).mean()
    print(f"{lr:6g} " + " ".join(f"{r:>18s}" for r in row) + f"   {dead:12.0%}")

# %% [markdown] slide=slide
# ## Speed, side by side
#
# Both engines train the same 20 epochs (440 steps of 65-66 images) from the same weights. These are wall-clock times on this machine, so
# nbval ignores the printed numbers; the cell asserts only that both runs reach the same loss. `bench/` has the careful
# benchmark (separate processes, several rounds, medians).

# %% slide=- tags=nbval-ignore-output
times = {}
for name, lib, model in zip(("bpcourse", "torch"), (bpcourse, torch), twin_models()):
    start = time.perf_counter()
    times[name] = (train(lib, model, epochs=EPOCHS)[-1], time.perf_counter() - start)
for name, (loss, seconds) in times.items():
    print(f"{name:8s}: {seconds:6.2f} s for {EPOCHS} epochs ({1000 * seconds / (EPOCHS * 22):.2f} ms per step), final loss {loss:.4f}")
print(f"bpcourse / torch time ratio: {times['bpcourse'][1] / times['torch'][1]:.2f}")
assert abs(times["bpcourse"][0] - times["torch"][0]) < 1e-4, times

# %% [markdown] slide=slide
# ## Gradient accumulation: why `backward()` adds
#
# `backward()` adds into `.grad` instead of overwriting it, and that is a feature. When a batch does not fit in memory, split
# it into micro-batches $B_1, \dots, B_m$. The batch's mean loss is a weighted sum of the micro-batches' mean losses,
#
# $$L = \frac1N\sum_{n=1}^{N} \ell_n = \sum_{i=1}^{m} \frac{|B_i|}{N}\,\underbrace{\frac{1}{|B_i|}\sum_{n \in B_i}\ell_n}_{L_i},
# \qquad\text{so}\qquad \nabla L = \sum_i \frac{|B_i|}{N}\,\nabla L_i .$$
#
# Calling `backward()` on each $\frac{|B_i|}{N} L_i$ in turn, **without** `zero_grad()` in between, leaves exactly $\nabla L$ in
# `.grad`: the big batch's gradient, with only one micro-batch's activations in memory at a time.

# %% slide=fragment
def accumulated_gradient(lib, model, micro_batches):
    inputs, labels = lib.tensor(X[train_idx]), lib.tensor(y[train_idx])
    model.zero_grad()
    for idx in micro_batches:
        share = len(idx) / len(train_idx)
        (share * lib.nn.CrossEntropyLoss()(model(inputs[idx]), labels[idx])).backward()  # adds into .grad
    return np.concatenate([p.grad.numpy().ravel() for p in model.parameters()])

everything = np.arange(len(train_idx))
for lib, model in zip((bpcourse, torch), twin_models()):
    whole = accumulated_gradient(lib, model, [everything])
    micro = accumulated_gradient(lib, model, np.array_split(everything, 4))   # 360 + 359 + 359 + 359 images
    print(f"{lib.__name__:8s}: 1 batch of 1437 vs 4 accumulated micro-batches: largest difference < 1e-6:",
          np.abs(whole - micro).max() < 1e-6, f"(gradient norm {np.linalg.norm(whole):.4f})")

# %% [markdown] slide=slide
# ## Beyond the gradient: second derivatives
#
# `backward()` normally records nothing while it computes. With `create_graph=True` it records the gradient's own
# computation as a graph, so the gradient is a tensor with a `grad_fn` and can be differentiated again.
# `torch.autograd.grad(outputs, inputs)` returns the gradients instead of adding them into `.grad`; `bpcourse.autograd.grad`
# does the same, with the same arguments, so every cell below runs on both engines. For the seed's loss:
#
# $$\ell(w) = (xw - y)^2, \qquad \frac{d\ell}{dw} = 2x(xw - y), \qquad \frac{d^2\ell}{dw^2} = 2x^2 .$$

# %% slide=fragment
def seed_derivatives(lib, w0=1.0):
    w = lib.tensor([w0], dtype=lib.float64, requires_grad=True)
    for x_i, y_i in zip([1.0, 2.0, 3.0], [2.0, 4.0, 6.0]):
        (g,) = lib.autograd.grad((x_i * w - y_i) ** 2, w, create_graph=True)   # g = 2x(xw - y), with a graph
        (h,) = lib.autograd.grad(g, w)                                          # its derivative
        print(f"{lib.__name__:8s} x = {x_i}: dl/dw = {g.item():6.1f} (2x(xw-y) = {2 * x_i * (x_i * w0 - y_i):6.1f}),"
              f"  d2l/dw2 = {h.item():5.1f} (2x^2 = {2 * x_i**2:5.1f}),  g.grad_fn: {g.grad_fn.name()}")

for lib in (torch, bpcourse):
    seed_derivatives(lib)

# %% [markdown] slide=subslide
# ## Newton's step: one step for the seed problem
#
# Gradient descent steps by $-\eta L'$ and needs a good $\eta$. **Newton's method** uses the curvature as well,
# $w \leftarrow w - L'(w)/L''(w)$: it jumps to the bottom of the parabola that matches $L$, $L'$ and $L''$ at $w$. The
# seed's mean loss *is* a parabola, $L(w) = \frac{14}{3}(w - 2)^2$ with $L'' = \frac{28}{3}$ (notebook 01), so from
# $w = 1$ one Newton step lands on $w = 2$ exactly, where gradient descent at the seed's $\eta = 0.01$ needs a hundred and
# more steps (each shrinks $w - 2$ by $1 - 0.01 \cdot \frac{28}{3}$).

# %% slide=fragment
def newton_and_descent(lib):
    x_t, y_t = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64), lib.tensor([2.0, 4.0, 6.0], dtype=lib.float64)
    mean_loss = lambda w: ((x_t * w - y_t) ** 2).mean()  # noqa: E731
    w = lib.tensor(1.0, dtype=lib.float64, requires_grad=True)
    (g,) = lib.autograd.grad(mean_loss(w), w, create_graph=True)
    (h,) = lib.autograd.grad(g, w)
    print(f"{lib.__name__:8s} L'(1) = {g.item():.6f} (-28/3 = {-28 / 3:.6f}),  L''(1) = {h.item():.6f} (28/3),"
          f"  one Newton step: w = 1 - L'/L'' = {(w - g / h).item():.15f}")
    w_gd, steps = lib.tensor(1.0, dtype=lib.float64, requires_grad=True), 0
    while abs(w_gd.item() - 2) > 1e-6:
        (g_gd,) = lib.autograd.grad(mean_loss(w_gd), w_gd)
        with lib.no_grad():
            w_gd -= 0.01 * g_gd
        steps += 1
    print(f"{lib.__name__:8s} gradient descent, lr 0.01: {steps} steps to |w - 2| < 1e-6;"
          f"  expected ceil(log(1e-6) / log(1 - 0.28/3)) = {int(np.ceil(np.log(1e-6) / np.log(1 - 0.28 / 3)))}")

for lib in (torch, bpcourse):
    newton_and_descent(lib)

# %% [markdown] slide=subslide
# For a network, $L''$ becomes the $n \times n$ Hessian (for this notebook's 2,410 parameters, 5.8 million entries, each
# column one more backward pass), which is why training uses gradients, and second derivatives are used in smaller doses.
#
# ## A gradient penalty
#
# A practical dose: penalise how fast the loss changes with the *input*, $R = \frac1N\sum_n \lVert \partial\ell_n/\partial \mathbf{x}_n\rVert^2$,
# to make a model smoother (a variant keeps GANs stable). Training on $L + \lambda R$ needs $\partial R/\partial\theta$, the
# derivative of a gradient: `create_graph=True` on the inner gradient, then an ordinary `backward()`. A directional finite
# difference checks it, in float64.

# %% slide=fragment
torch.manual_seed(0)
start_weights = [p.detach().numpy() for p in make_model(torch).parameters()]   # notebook's model, seed 0
images_np, targets_np = X[train_idx[:64]], y[train_idx[:64]]
D = np.random.default_rng(2).normal(size=(32, 64))                           # a direction in W1's space

def penalty(lib, W1, b1, W2, b2, create_graph):
    images = lib.tensor(images_np, dtype=lib.float64, requires_grad=True)
    scores = lib.relu(images @ W1.T + b1) @ W2.T + b2
    summed = lib.nn.functional.cross_entropy(scores, lib.tensor(targets_np), reduction="sum")  # one l_n per image
    (d_images,) = lib.autograd.grad(summed, images, create_graph=create_graph)                # row n: d l_n / d x_n
    return (d_images ** 2).sum(dim=1).mean()

def check_penalty_gradient(lib):
    W1, b1, W2, b2 = (lib.tensor(w, dtype=lib.float64, requires_grad=True) for w in start_weights)
    R = penalty(lib, W1, b1, W2, b2, create_graph=True)
    R.backward()                                                   # through the inner gradient: double backward
    shifted = lambda s: penalty(lib, lib.tensor(start_weights[0] + s * D, dtype=lib.float64), b1, W2, b2,  # noqa: E731
                                create_graph=False).item()
    numeric, analytic = (shifted(1e-5) - shifted(-1e-5)) / 2e-5, float((W1.grad.numpy() * D).sum())
    print(f"{lib.__name__:8s} R = {R.item():.6f};  dR/dW1 along a random direction: double backward {analytic:.6f},"
          f" finite diff. {numeric:.6f}, rel. error < 1e-6: {relative_error(analytic, numeric) < 1e-6}")

for lib in (torch, bpcourse):
    check_penalty_gradient(lib)

# %% [markdown] slide=slide
# ## Summary
#
# - A training loop is always the same four lines per batch: forward, `zero_grad()`, `backward()`, `step()`, around a model,
#   a loss (cross-entropy, whose gradient is $(P - \text{onehot}(\mathbf{y}))/N$ for a batch of $N$, computed through the
#   stable fused `log_softmax`) and an optimiser (SGD with momentum).
# - Written once against `lib`, the loop runs on `bpcourse` and on torch; from the same initial weights and batches the loss
#   curves agree to float32 rounding, and the trained models make the same predictions.
# - The 64-32-10 network reaches about 98% accuracy on held-out digits; the confusion matrix shows which digits it mixes up.
# - The learning rate changes the outcome most: too small learns slowly; too large (with momentum) kills every ReLU, and the
#   network predicts one class for everything. At a good rate, a wider hidden layer learns faster.
# - `backward()` adds into `.grad`, so micro-batches weighted by their share give exactly the big batch's gradient.
# - `create_graph=True` makes a gradient differentiable: $d^2\ell/dw^2 = 2x^2$ for the seed's loss, a Newton step that
#   solves the seed problem in one step (gradient descent at $\eta = 0.01$ takes 142), and a gradient penalty.
#
# This is the end of the course's main line. **Practise:** [exercises for this notebook](../exercises/08_training_a_network.ipynb).
