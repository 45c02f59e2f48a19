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
# A multi-layer perceptron: $64 \to 32$ hidden units with ReLU $\to 10$ scores $z$, one per digit. Softmax turns scores into
# probabilities and the **cross-entropy** loss is minus the log-probability of the right class $c$:
#
# $$p_k = \frac{e^{z_k}}{\sum_j e^{z_j}}, \qquad \ell = -\log p_c, \qquad \frac{\partial \ell}{\partial z_k} = p_k - [k = c].$$
#
# The gradient is simply "predicted probability minus the truth". Both engines have `nn.CrossEntropyLoss`, which takes the raw
# scores and the labels. We check the formula for the gradient on one example:

# %% slide=-
z = np.array([[2.0, -1.0, 0.5]])
for lib in (bpcourse, torch):
    scores = lib.tensor(z, requires_grad=True)
    lib.nn.CrossEntropyLoss()(scores, lib.tensor([0])).backward()
    print(f"{lib.__name__:8s} d loss / d z =", np.round(scores.grad.numpy(), 6).tolist())
p = np.exp(z) / np.exp(z).sum()
print("p - onehot     =", np.round(p - np.array([[1.0, 0.0, 0.0]]), 6).tolist())

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
# Each epoch shuffles the training set (with a seeded generator, so both engines see the same batches) and takes one
# SGD step per mini-batch of 64 images: `zero_grad()`, forward, `backward()`, `step()`. SGD with momentum $\mu = 0.9$
# keeps a running velocity: $v \leftarrow \mu v + \nabla L$, $\;\theta \leftarrow \theta - \eta\, v$.

# %% slide=-
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
# Both engines train the same 20 epochs (440 steps of 64-65 images) from the same weights. These are wall-clock times on this machine, so
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
# ## Summary
#
# - A training loop is always the same four lines per batch: forward, `zero_grad()`, `backward()`, `step()`, around a model,
#   a loss (cross-entropy, whose gradient is $p - \text{onehot}$) and an optimiser (SGD with momentum).
# - Written once against `lib`, the loop runs on `bpcourse` and on torch; from the same initial weights and batches the loss
#   curves agree to float32 rounding, and the trained models make the same predictions.
# - The 64-32-10 network reaches about 98% accuracy on held-out digits; the confusion matrix shows which digits it mixes up.
# - The learning rate changes the outcome most: too small learns slowly; too large (with momentum) kills every ReLU, and the
#   network predicts one class for everything. At a good rate, a wider hidden layer learns faster.
#
# This is the end of the course's main line. **Practise:** [exercises for this notebook](../exercises/08_training_a_network.ipynb).
