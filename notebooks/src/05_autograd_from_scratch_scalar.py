# %% [markdown] slide=slide
# # 5. Autograd from scratch, one number at a time
#
# **What you will learn**
# - how `bpcourse.scalar.Value` works: a number that remembers where it came from, and the local derivative of
#   each operation stored right beside its formula (we read the library's own code, not a copy);
# - how `backward()` applies the chain rule over the whole graph, and why it must visit nodes in
#   **topological order**: a naive recursion gets reused nodes (`b = a + a`) wrong, and we show the wrong number;
# - how to look at a graph: pictures with data and grad, and a stepper that walks the backward pass one node at a time;
# - how this small engine, unchanged, trains a neural network on the two-moons data set.
#
# **What you need**: the chain rule on computational graphs (notebook 02) and a little Python (classes, operator
# overloading such as `__add__`).

# %% slide=skip
import math

import matplotlib.pyplot as plt
import numpy as np

from bpcourse.course import show_source
from bpcourse.data import make_moons
from bpcourse.scalar import Value, backward_steps, topological_order
from bpcourse.scalar.nn import MLP, Neuron
from bpcourse.viz import draw_graph
from bpcourse.widgets import backward_stepper

BLACK, ORANGE, SKY, GREEN, BLUE, VERMILLION, PURPLE = (  # Okabe-Ito, colour-blind safe
    "#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7")

# %% [markdown] slide=slide
# ## A number that remembers
#
# A `Value` holds a float `data` and a float `grad` (the derivative of the final output with respect to this
# number, $0$ until `backward()` fills it). A value computed by an operation also records the operation's name, its
# inputs and, one per input, the **local derivative** $\partial\,\text{out} / \partial\,\text{input}$, computed right
# away in the forward pass. (An operation has at most two inputs, so they sit in the node's own slots; the properties
# `parents` and `local_grads` hand them out as tuples.) Here is the constructor, printed from the installed library:

# %% slide=-
show_source(Value.__init__)

# %% [markdown] slide=subslide
# ## An operation: forward value and local derivatives side by side
#
# For $y = a\,b$ the local derivatives are $\frac{\partial y}{\partial a} = b$ and $\frac{\partial y}{\partial b} = a$.
# `__mul__` computes the product and stores exactly these two numbers, in operand order, in the same line.
# (`_result` just fills in a new node's fields.)

# %% slide=-
show_source(Value.__mul__)
a, b = Value(2.0, label="a"), Value(-3.0, label="b")
y = a * b
print("\ny.data =", y.data, "  y.op =", repr(y.op), "  inputs:", [p.label for p in y.parents])
print("y.local_grads =", y.local_grads, "  expected (b, a) =", (b.data, a.data))

# %% [markdown] slide=subslide
# ## A nonlinearity: `tanh`
#
# For $y = \tanh x$, $\;\frac{dy}{dx} = 1 - \tanh^2 x = 1 - y^2$: the local derivative needs only the output.
# We check the stored number against a central finite difference $\frac{\tanh(x+\varepsilon) - \tanh(x-\varepsilon)}{2\varepsilon}$.

# %% slide=-
show_source(Value.tanh)
x = Value(0.5, label="x")
t = x.tanh()
eps = 1e-6
print(f"\nstored local derivative {t.local_grads[0]:.8f}   finite difference "
      f"{(math.tanh(0.5 + eps) - math.tanh(0.5 - eps)) / (2 * eps):.8f}")

# %% [markdown] slide=slide
# ## `backward()`: the chain rule over the whole graph
#
# If node $n$ was computed from parent $p$, then by the chain rule the output $L$ depends on $p$ through $n$ with
#
# $$\frac{\partial L}{\partial p} \mathrel{+}= \frac{\partial n}{\partial p}\cdot\frac{\partial L}{\partial n}
#   \qquad(\texttt{parent.grad += local * node.grad}).$$
#
# The sum (`+=`) is over every node that uses $p$. `backward()` seeds $\partial L/\partial L = 1$ and then applies the rule
# at each node, **outputs first**, so that a node's `grad` is complete before it is passed on.

# %% slide=-
show_source(Value.backward)

# %% [markdown] slide=subslide
# ## Topological order, without recursion
#
# "Outputs first" means the reverse of a **topological order**: a list in which every node comes after all of its inputs.
# `topological_order` builds it with a depth-first search that keeps its own stack, so a graph a million operations deep
# works at Python's default recursion limit.

# %% slide=-
show_source(topological_order)

# %% [markdown] slide=slide
# ## The seed's loss as a graph
#
# The lecture's loss for one example, $\ell = (x w - y)^2$, at $x = 2,\ y = 4,\ w = 1$:
# $\ell = (2 - 4)^2 = 4$ and, by hand, $\frac{\partial \ell}{\partial w} = 2(xw - y)\,x = 2\cdot(-2)\cdot 2 = -8$,
# $\frac{\partial \ell}{\partial x} = 2(xw-y)\,w = -4$. Each box shows a node's label, data and grad; the yellow bubble is the
# operation that made it. Before `backward()` every grad is $0$:

# %% slide=-
x, w, y = Value(2.0, label="x"), Value(1.0, label="w"), Value(4.0, label="y")
xw = x * w; xw.label = "xw"                         # noqa: E702
r = xw - y; r.label = "r"                           # noqa: E702
loss = r ** 2; loss.label = "loss"                  # noqa: E702
draw_graph(loss, title="loss = (x w - y)^2, before backward()")

# %% slide=subslide
loss.backward()
print(f"loss = {loss.data}   w.grad = {w.grad} (by hand -8.0)   x.grad = {x.grad} (by hand -4.0)   y.grad = {y.grad} (by hand 4.0)")
draw_graph(loss, title="after backward(): every node's grad filled in")

# %% [markdown] slide=slide
# ## Why the order matters: reused nodes
#
# Take $a = x\cdot x$ and $b = a + a$, so $b = 2x^2$ and $\frac{db}{dx} = 4x = 12$ at $x = 3$. The node $a$ is used **twice**.
# A tempting "naive" backward recurses into each parent as soon as it has added its share. Then $a$ passes its gradient on
# twice, the first time when it has received only half of it: $x$ gets $6 + 12 = 18$ instead of $12$.

# %% slide=-
def naive_backward(node):
    """Recursive backward, WRONG for reused nodes: a parent passes its grad on before it is complete."""
    for parent, local in zip(node.parents, node.local_grads):
        parent.grad += local * node.grad
        naive_backward(parent)

x = Value(3.0, label="x"); a = x * x; a.label = "a"; b = a + a; b.label = "b"  # noqa: E702
b.grad = 1.0
naive_backward(b)
print("naive recursion:   x.grad =", x.grad, "  a.grad =", a.grad)
x.grad = 0.0  # leaves accumulate over backward() calls: start x from zero again
b.backward()
print("topological order: x.grad =", x.grad, "  a.grad =", a.grad, "  expected 4x =", 4 * 3.0)

# %% [markdown] slide=subslide
# The graph of $b = a + a$: two edges run from $a$ into the same `+`. The correct backward adds both contributions
# ($1 + 1 = 2$) into `a.grad` first, and only then passes $2 \cdot \frac{\partial a}{\partial x} = 2 \cdot 6 = 12$ on to $x$.
# (The other classic bug, writing `parent.grad = ...` instead of `+=`, would keep only one of the two contributions: $a$'s grad would be 1.)

# %% slide=-
draw_graph(b, title="b = a + a with a = x * x: a is used twice")

# %% [markdown] slide=subslide
# ## Recursion depth
#
# micrograd, the engine this one is modelled on, builds its topological order recursively. Python stops recursion at
# about 1,000 calls, so a long chain of operations fails. Here is that recursive version next to the library's.

# %% slide=fragment
def recursive_order(root):
    order, seen = [], set()
    def visit(v):                              # micrograd's build_topo
        if v not in seen:
            seen.add(v)
            for p in v.parents:
                visit(p)
            order.append(v)
    visit(root)
    return order

chain = Value(1.0)
for _ in range(5_000):
    chain = chain * 1.0001
try:
    recursive_order(chain)
except RecursionError as error:
    print("recursive order, 5,000-deep chain:", error)
print("iterative order:", len(topological_order(chain)), "nodes; expected 2 * 5000 + 1 =", 2 * 5000 + 1)

# %% [markdown] slide=slide
# ## Step through the backward pass
#
# The stepper below applies the chain rule one node at a time, outputs first, for the seed's loss graph. The node
# being processed is outlined in vermillion, the inputs receiving gradient in dashed blue, and the table shows
# `local grad × node.grad = added`. Use **Next ▶** or the slider. (In a static page the widget does not run; the
# cell after it prints every step as text.)

# %% slide=- tags=nbval-ignore-output
backward_stepper(loss)

# %% [markdown] slide=subslide
# The same steps as text, from `bpcourse.scalar.backward_steps`, the generator the stepper uses. Exhausting it
# leaves exactly the grads of `loss.backward()`.

# %% slide=-
steps = [step for step in backward_steps(loss) if step.contributions]  # leaves pass nothing on
for k, step in enumerate(steps, start=1):
    added = ", ".join(f"{p.label}.grad += {local:g} * {step.node.grad:g} = {add:g}" for p, local, add in step.contributions)
    print(f"step {k}: at {step.node.label} ({step.node.op}): {added}")
print("final grads: ", {v.label: v.grad for v in topological_order(loss) if not v.op})
print("by hand:     ", {"x": -4.0, "w": -8.0, "y": 4.0})

# %% [markdown] slide=slide
# ## From Values to a neural network
#
# A neuron computes $\text{act} = b + \sum_i w_i x_i$ and (in hidden layers) $\text{ReLU}(\text{act})$, with plain `Value`
# arithmetic. A `Layer` is a list of neurons; an `MLP` a list of layers. Autograd needs nothing new: the network's output
# is just a bigger graph. (The ReLU, not the seed's sigmoid: its derivative is 0 or 1, where the sigmoid's is at most
# 1/4 and shrinks the gradient in every layer it passes, as notebook 03 measured on ten layers.)

# %% slide=-
show_source(Neuron.__call__)
model = MLP(2, [16, 16, 1], seed=1)
print("\nMLP(2, [16, 16, 1]):", len(model.parameters()), "parameters; expected 2*16+16 + 16*16+16 + 16+1 =",
      2 * 16 + 16 + 16 * 16 + 16 + 16 + 1)

# %% [markdown] slide=subslide
# ## The two-moons data
#
# 100 points in two interleaving half circles with noise (`bpcourse.data.make_moons`, the same construction and,
# for the same seed, the same numbers as scikit-learn's). The classes are $y \in \{-1, +1\}$ here, as the loss below wants.

# %% slide=-
X, labels = make_moons(100, noise=0.1, seed=1)
Y = 2 * labels - 1
fig, ax = plt.subplots(figsize=(5, 3.5))
for cls, colour, marker in [(-1, BLUE, "o"), (1, ORANGE, "s")]:
    ax.scatter(*X[Y == cls].T, c=colour, marker=marker, edgecolors=BLACK, linewidths=0.5, label=f"class {cls:+d}")
ax.set(title="Two moons (100 points, noise 0.1)", xlabel="$x_1$", ylabel="$x_2$")
ax.legend()
plt.show()
print("points per class:", {int(c): int((Y == c).sum()) for c in (-1, 1)}, " first point:", np.round(X[0], 4), Y[0])

# %% [markdown] slide=subslide
# ## Loss: max-margin plus L2
#
# micrograd's demo loss: the network outputs a score $s_i$, and a point costs nothing once it is on the right side
# with margin 1, $\max(0,\ 1 - y_i s_i)$. A small penalty on the weights keeps them from growing:
#
# $$L = \frac{1}{N}\sum_{i=1}^{N} \text{ReLU}(1 - y_i s_i) \;+\; \alpha \sum_j \theta_j^2, \qquad \alpha = 10^{-4}.$$
#
# A point counts as correct when the sign of $s_i$ is its class.

# %% slide=-
def loss_and_accuracy(model):
    scores = [model([Value(x1), Value(x2)]) for x1, x2 in X]
    data_loss = sum((1 - int(yi) * s).relu() for yi, s in zip(Y, scores)) * (1.0 / len(Y))
    reg = 1e-4 * sum(p * p for p in model.parameters())
    accuracy = np.mean([(s.data > 0) == (yi > 0) for yi, s in zip(Y, scores)])
    return data_loss + reg, accuracy

total, acc = loss_and_accuracy(model)
print(f"untrained: loss {total.data:.4f}, accuracy {acc:.2f};  graph of the loss: {len(topological_order(total))} nodes")

# %% [markdown] slide=slide
# ## Training
#
# Gradient descent on all 337 parameters: zero the grads, `backward()`, step against the gradient, with a learning rate
# that decays from 1.0. Each step builds and back-propagates a graph of about 66,000 nodes.

# %% slide=-
history = []
for step in range(30):
    total, acc = loss_and_accuracy(model)
    model.zero_grad()
    total.backward()
    lr = 1.0 - 0.9 * step / 100
    for p in model.parameters():
        p.data -= lr * p.grad
    history.append((total.data, acc))
    if step % 5 == 0 or step == 29:
        print(f"step {step:2d}  loss {total.data:.4f}  accuracy {acc:.2f}")

# %% [markdown] slide=subslide
# ## The decision boundary
#
# We evaluate the trained network on a grid over the plane and colour each region by the sign of its score: the
# boundary curls between the moons. The left panel shows the loss and accuracy of the 30 steps.

# %% slide=-
g1, g2 = np.meshgrid(np.linspace(-1.5, 2.5, 30), np.linspace(-1.0, 1.5, 30))
score = np.array([model([Value(a), Value(b)]).data for a, b in zip(g1.ravel(), g2.ravel())]).reshape(g1.shape)
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 3.8))
ax0.plot([h[0] for h in history], color=BLUE, label="loss")
ax0.plot([h[1] for h in history], "--", color=VERMILLION, label="accuracy")
ax0.set(title="Training MLP(2, [16, 16, 1])", xlabel="step", ylabel="loss / accuracy")
ax0.legend()
ax1.contourf(g1, g2, score > 0, levels=[-0.5, 0.5, 1.5], colors=[SKY, ORANGE], alpha=0.35)
ax1.contour(g1, g2, score, levels=[0.0], colors=BLACK, linewidths=1.2)
for cls, colour, marker in [(-1, BLUE, "o"), (1, ORANGE, "s")]:
    ax1.scatter(*X[Y == cls].T, c=colour, marker=marker, edgecolors=BLACK, linewidths=0.5, label=f"class {cls:+d}")
ax1.set(title="Decision boundary (score = 0) after 30 steps", xlabel="$x_1$", ylabel="$x_2$")
ax1.legend(loc="lower left")
plt.show()
print(f"final loss {history[-1][0]:.4f}, accuracy {history[-1][1]:.2f}; grid points with score > 0: {(score > 0).mean():.2f}")

# %% [markdown] slide=slide
# ## Why this engine is fast: nothing for the cycle collector to find
#
# CPython frees an object the moment nothing refers to it (reference counting). A second mechanism, the *cyclic*
# garbage collector, exists for groups of objects that refer to each other; it runs every few hundred new objects and
# its full passes walk every live object. micrograd stores each node's backward rule as a closure that refers back to
# the node, so every node sits in a reference cycle: its graphs can only be freed by that collector, which also keeps
# re-scanning the ~66,000 live nodes of a training step. `bpcourse.scalar` stores the local derivatives as plain numbers
# on the node (no closures, inputs never point to outputs), so a dropped graph is freed at once and the collector finds
# nothing. The library also pauses the collector around its own bulk work (`backward()`, a model's forward pass) and
# restores it after: see `bpcourse/scalar/collector.py`.

# %% slide=-
import gc
from micrograd.engine import Value as MicrogradValue  # micrograd 0.1.0, installed with the course for comparison

def wide_graph(V, n=200):  # sum_i relu(0.5 x_i): ~5n nodes, shallow enough for micrograd's recursion
    total = V(0.0)
    for i in range(n):
        total = total + (V(0.01 * i) * 0.5).relu()
    return total

for name, V in [("bpcourse", Value), ("micrograd", MicrogradValue)]:
    gc.collect()
    out = wide_graph(V)
    out.backward()
    del out
    print(f"{name:9s}: objects left for the cycle collector after dropping the graph: {gc.collect()}")

# %% [markdown] slide=-
# The same design measured on the training step above (`make bench`, `bench/bench_scalar.py`; figures in the README,
# measured on a 2-core x86-64 machine): micrograd spends most of each step in the cycle collector, bpcourse almost none,
# and a whole step is more than ten times faster.

# %% [markdown] slide=slide
# ## Summary
#
# - A `Value` stores its data, its inputs, its operation and the **local derivative** for each input, computed in the
#   forward pass beside the formula.
# - `backward()` seeds $\partial L/\partial L = 1$ and applies `parent.grad += local * node.grad` at every node, outputs
#   first (reverse topological order); the sum handles nodes used more than once. A naive recursion passes a reused node's
#   gradient on before it is complete (18 instead of 12 above), and a recursive sort fails on deep graphs.
# - Pictures and the stepper show data and grad at every node; `backward_steps` gives the same numbers as text.
# - With nothing but these pieces, an `MLP(2, [16, 16, 1])` learns to separate the two moons.
# - Local derivatives stored as numbers (no closures) leave no reference cycles, so graphs are freed at once and
#   Python's cycle collector has nothing to do: the reason this engine is fast.
#
# **Next:** [06 — tensor autograd](06_tensor_autograd.ipynb).
# **Practise:** [exercises for this notebook](../exercises/05_autograd_from_scratch_scalar.ipynb).
