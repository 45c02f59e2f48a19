# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "intro"}, "editable": false, "deletable": false}
# # Exercises 08: training a network
#
# These exercises go with `notebooks/08_training_a_network.ipynb`: a training step that works with
# both `torch` and `bpcourse` (`import bpcourse as torch`), measuring a classifier, choosing a
# learning rate from the data rather than by trial and error, why deep sigmoid stacks learn slowly,
# and a big batch's step taken in micro-batches.
#
# | question | kind | points |
# |---|---|---|
# | 1. accuracy | implement | 1 |
# | 2. the confusion matrix | implement | 1 |
# | 3. gradients in a deep sigmoid stack: predict, then run | predict | 1 |
# | 4. one training step, for both engines | implement | 3 |
# | 5. the largest stable learning rate of a linear model | explain by number | 3 |
# | 6. one step from micro-batches, for both engines | implement | 3 |

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "setup"}, "editable": false, "deletable": false}
import numpy as np
import torch

import bpcourse

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q1_accuracy_task"}, "editable": false, "deletable": false}
# ## Question 1: accuracy (1 point)
#
# A classifier outputs one score (logit) per class; its prediction is the class with the largest score.
# Write `accuracy(logits, labels)`: `logits` is a numpy array of shape $(N, C)$, `labels` integers of
# shape $(N,)$; return the fraction of correct predictions as a Python float in $[0, 1]$.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q1_accuracy_answer"}}
def accuracy(logits, labels):
    ### BEGIN SOLUTION
    return float(np.mean(np.argmax(logits, axis=1) == labels))
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q1_accuracy", "points": 1}, "editable": false, "deletable": false}
logits = np.array([[2.0, 0.1, -1.0], [0.0, 3.0, 1.0], [0.5, 0.2, 0.9], [1.0, 0.0, 0.0]])
assert accuracy(logits, np.array([0, 1, 2, 0])) == 1.0, 'every prediction is right here: accuracy should be 1'
assert accuracy(logits, np.array([1, 0, 0, 1])) == 0.0, 'every prediction is wrong here: accuracy should be 0'
assert isinstance(accuracy(logits, np.array([0, 0, 0, 0])), float), 'return a Python float'

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q2_confusion_task"}, "editable": false, "deletable": false}
# ## Question 2: the confusion matrix (1 point)
#
# Write `confusion_matrix(pred, labels, n_classes)` returning an integer array $M$ of shape
# `(n_classes, n_classes)` where $M_{ij}$ counts the samples whose **true** class is $i$ and whose
# **predicted** class is $j$ (rows: truth, columns: prediction, as in scikit-learn).

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q2_confusion_answer"}}
def confusion_matrix(pred, labels, n_classes):
    ### BEGIN SOLUTION
    M = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(M, (labels, pred), 1)
    return M
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q2_confusion", "points": 1}, "editable": false, "deletable": false}
M = confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 1, 1, 2]), 3)
assert M.shape == (3, 3) and np.array_equal(M, np.diag([1, 2, 1])), 'when every prediction is right only the diagonal counts'  # all correct: only the diagonal
M = confusion_matrix(np.array([1, 1, 0]), np.array([0, 1, 2]), 3)
assert M.sum() == 3 and np.trace(M) == 1, '3 samples, 1 correct: the entries should sum to 3 and the diagonal to 1'

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q3_predict_task"}, "editable": false, "deletable": false}
# ## Question 3: gradients in a deep sigmoid stack: predict, then run (1 point)
#
# The next locked cell builds 8 linear layers of width 16 (weights drawn with standard deviation
# $1/\sqrt{16}$, no biases) with a sigmoid after each but the last, runs a batch of 64 random inputs
# through it, takes $L = $ the mean of the squared outputs, and prints $\lVert \partial L / \partial W_l \rVert$
# for each layer $l = 1$ (next to the input) to $8$ (the output layer). **Before running it**, think about
# what each sigmoid does to the gradient that passes back through it ($\sigma' \le 1/4$), and write
# your predictions into `predicted_largest` and `predicted_smallest`: the layer numbers (ints from 1
# to 8) whose weight gradient has the largest and the smallest norm. Graded on the prediction.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q3_predict_answer"}}
### BEGIN SOLUTION
# Going back, every sigmoid multiplies the gradient by sigma' <= 1/4 (and the weights have norm about 1):
# the layer next to the loss gets the most, the one next to the input the least.
predicted_largest = 8
predicted_smallest = 1
### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q3_predict", "points": 1}, "editable": false, "deletable": false}
rng = np.random.default_rng(0)
weights = [torch.tensor(rng.normal(0, 1 / np.sqrt(16), (16, 16)), requires_grad=True) for _ in range(8)]
h = torch.tensor(rng.normal(size=(64, 16)))
for layer, W in enumerate(weights, start=1):
    h = h @ W.T
    if layer < 8:
        h = torch.sigmoid(h)
(h ** 2).mean().backward()
norms = [W.grad.norm().item() for W in weights]
print("layer:        " + "  ".join(f"{k:8d}" for k in range(1, 9)))
print("|dL/dW_l|:    " + "  ".join(f"{v:8.1e}" for v in norms))
actual_largest, actual_smallest = int(np.argmax(norms)) + 1, int(np.argmin(norms)) + 1
print(f"largest: predicted {predicted_largest}, got {actual_largest};  smallest: predicted {predicted_smallest}, got {actual_smallest}")
assert predicted_largest == actual_largest and predicted_smallest == actual_smallest, 'your prediction was off: look at the printed norms'

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q4_step_task"}, "editable": false, "deletable": false}
# ## Question 4: one training step, for both engines (3 points)
#
# Write `train_step(model, optimizer, loss_fn, X, y)`: clear the old gradients, run the model on the
# batch `X`, compute `loss_fn(output, y)`, back-propagate, take one optimizer step, and return the loss
# **before** the step as a Python float. Use only what `torch` and `bpcourse` share (`model(X)`,
# `optimizer.zero_grad()`, `.backward()`, `optimizer.step()`, `.item()`), so the same function trains a
# `torch.nn` model and a `bpcourse.nn` model.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q4_step_answer"}}
def train_step(model, optimizer, loss_fn, X, y):
    ### BEGIN SOLUTION
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q4_step", "points": 3}, "editable": false, "deletable": false}
rng = np.random.default_rng(3)
X3 = rng.normal(size=(32, 4)).astype(np.float32)
y3 = (X3[:, 0] + X3[:, 1] > 0).astype(np.int64)
for engine in (torch, bpcourse):
    engine.manual_seed(0)
    model = engine.nn.Sequential(engine.nn.Linear(4, 8), engine.nn.Tanh(), engine.nn.Linear(8, 2))
    optimizer = engine.optim.SGD(model.parameters(), lr=0.5)
    losses = [train_step(model, optimizer, engine.nn.CrossEntropyLoss(), engine.tensor(X3), engine.tensor(y3))
              for _ in range(20)]
    assert isinstance(losses[0], float), 'train_step should return the loss as a Python float'
    assert losses[-1] < 0.5 * losses[0], f"{engine.__name__}: the loss did not fall: {losses[0]:.3f} -> {losses[-1]:.3f}"
    print(f"{engine.__name__:8s} loss {losses[0]:.4f} -> {losses[-1]:.4f}")

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q5_lr_task"}, "editable": false, "deletable": false}
# ## Question 5: the largest stable learning rate of a linear model (3 points)
#
# For a linear model $\hat y = X w$ with $L(w) = \frac{1}{N} \lVert X w - y \rVert^2$, the Hessian is
# constant, $H = \frac{2}{N} X^\top X$, and full-batch gradient descent $w \leftarrow w - \eta \nabla L$
# converges from every start exactly when $\eta < 2 / \lambda_{max}(H)$ (the same argument as notebook
# 01, along each eigenvector of $H$).
#
# 1. Write `largest_stable_lr(X)` returning $2 / \lambda_{max}(H)$ as a float (`np.linalg.eigvalsh` helps).
# 2. The answer cell then stores its value for the features `X4` below in `lr_max`.
# 3. The test cell justifies it numerically: 300 steps at $0.95\,\eta_{max}$ stay bounded and lower the
#    loss, at $1.05\,\eta_{max}$ they blow up. Note that a column with a large scale sets the limit.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q5_data"}, "editable": false, "deletable": false}
rng = np.random.default_rng(7)
X4 = rng.normal(size=(60, 3)) * np.array([1.0, 3.0, 0.5])  # features on different scales
y4 = X4 @ np.array([0.5, -1.0, 2.0]) + 0.1 * rng.normal(size=60)


def gd_losses(lr, steps=300):
    """Full-batch gradient descent on the MSE of the linear model, from w = 0; the loss at every step."""
    w, losses = np.zeros(3), []
    for _ in range(steps):
        r = X4 @ w - y4
        losses.append(float(np.mean(r ** 2)))
        w = w - lr * (2 / len(X4)) * (X4.T @ r)
    return losses

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q5_lr_answer"}}
def largest_stable_lr(X):
    ### BEGIN SOLUTION
    H = 2.0 / len(X) * (X.T @ X)
    return float(2.0 / np.linalg.eigvalsh(H)[-1])
    ### END SOLUTION


lr_max = largest_stable_lr(X4)

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q5_lr", "points": 3}, "editable": false, "deletable": false}
stable, unstable = gd_losses(0.95 * lr_max), gd_losses(1.05 * lr_max)
print(f"lr_max = {lr_max:.5f}")
print(f"0.95 lr_max: loss {stable[0]:.3f} -> {stable[-1]:.5f}")
print(f"1.05 lr_max: loss {unstable[0]:.3f} -> {unstable[-1]:.3e}")
assert stable[-1] < 0.1 * stable[0] and max(stable) <= stable[0], 'at 0.95 lr_max the loss should fall and stay bounded'
assert unstable[-1] > 1e3 * unstable[0], 'at 1.05 lr_max the loss should blow up'
# Scaling every feature by 2 multiplies the Hessian by 4.
assert abs(largest_stable_lr(2 * X4) - lr_max / 4) < 1e-12, 'scaling X by 2 multiplies the Hessian by 4, so the limit should shrink by 4'

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q6_micro_step_task"}, "editable": false, "deletable": false}
# ## Question 6: one step from micro-batches, for both engines (3 points)
#
# A batch too big for memory can still take one exact step: split it into micro-batches, back-propagate
# each one's loss (the gradients add up in `.grad`), then step once. The catch is the weighting: the
# loss functions return each micro-batch's **mean**, and micro-batches need not have equal sizes
# (1,437 samples in 22 parts give parts of 65 and 66). For the step to equal the full batch's, the
# micro-batch of $n_j$ samples out of $N$ must count with weight $n_j / N$.
#
# Write `accumulated_step(model, optimizer, loss_fn, X, y, n_micro)`: clear the gradients, split `X`
# and `y` into `n_micro` consecutive parts whose sizes differ by at most one (the larger ones first,
# as `np.array_split` does), back-propagate every part's weighted loss, take one `optimizer.step()`,
# and return the full batch's mean loss before the step as a Python float. Use only what `torch` and
# `bpcourse` share (slicing `X[a:b]`, `len(X)`, the calls of question 4).

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q6_micro_step_answer"}}
def accumulated_step(model, optimizer, loss_fn, X, y, n_micro):
    ### BEGIN SOLUTION
    n_total = len(X)
    base, extra = divmod(n_total, n_micro)
    optimizer.zero_grad()
    start, total = 0, 0.0
    for part in range(n_micro):
        stop = start + base + (1 if part < extra else 0)
        share = (stop - start) / n_total                  # this part's weight in the full-batch mean
        weighted = loss_fn(model(X[start:stop]), y[start:stop]) * share
        weighted.backward()                               # adds into every parameter's .grad
        total += weighted.item()
        start = stop
    optimizer.step()
    return total
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q6_micro_step", "points": 3}, "editable": false, "deletable": false}
rng = np.random.default_rng(6)
X6 = rng.normal(size=(23, 4)).astype(np.float32)
y6 = rng.integers(0, 3, 23)
for engine in (torch, bpcourse):
    steps = []
    for n_micro in (1, 5):  # one part, then 5 parts of 5, 5, 5, 4, 4
        engine.manual_seed(0)
        model = engine.nn.Sequential(engine.nn.Linear(4, 8), engine.nn.Tanh(), engine.nn.Linear(8, 3))
        optimizer = engine.optim.SGD(model.parameters(), lr=0.5)
        loss = accumulated_step(model, optimizer, engine.nn.CrossEntropyLoss(), engine.tensor(X6), engine.tensor(y6), n_micro)
        steps.append((loss, [p.detach().numpy().copy() for p in model.parameters()]))
    (loss1, params1), (loss5, params5) = steps
    assert isinstance(loss5, float), 'accumulated_step should return the loss as a Python float'
    assert abs(loss1 - loss5) < 1e-5, f"{engine.__name__}: the weighted micro-batch losses should add up to the full batch's loss"
    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(params1, params5)), f"{engine.__name__}: 5 micro-batches should give the same step as one batch"
    print(f"{engine.__name__:8s} loss {loss1:.6f} in one batch, {loss5:.6f} from 5 micro-batches; same step")

# %% [markdown] meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "summary"}, "editable": false, "deletable": false}
# ## Summary
#
# A training step is five lines that read the same in `torch` and `bpcourse`: zero the gradients,
# forward, loss, backward, step. Accuracy and the confusion matrix say how the classifier errs, and the
# largest stable learning rate is $2/\lambda_{max}$ of the loss's curvature, which the feature with
# the largest scale dominates. Every sigmoid shrinks the gradient passing back through it, so the layers
# near the input of a deep sigmoid stack learn slowest; and gradient accumulation, weighted by each
# micro-batch's share, takes a big batch's exact step in small pieces. This is the last exercise notebook.
