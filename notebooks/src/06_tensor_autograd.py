# %% [markdown] slide=slide
# # 6. Tensor autograd
#
# **What you will learn**
# - why autograd on whole arrays (tensors) beats autograd on single numbers, counted in graph nodes;
# - how a tensor operation is a `Function` with `forward(ctx, ...)` and `backward(ctx, grad)` next to each other,
#   and what the context `ctx` keeps between them (the same contract as `torch.autograd.Function`);
# - broadcasting, and why every gradient must be **summed back to its input's shape**, with numbers;
# - how `gradcheck` catches a wrong backward, and how `compare_with_torch` checks an engine against torch;
# - that the seed lecture's program runs **unchanged** with `import bpcourse as torch` and prints exactly what torch prints.
#
# **What you need**: notebook 03 (the matrix form of backprop, $\frac{\partial L}{\partial W} = G^\top X$) and
# notebook 05 (the scalar engine: local derivatives, topological order, reused nodes).

# %% slide=skip
import numpy as np
import torch

import bpcourse
from bpcourse import engine
from bpcourse.course import SEED_PROGRAM, run_both, show_source, side_by_side
from bpcourse.ops.broadcast import unbroadcast
from bpcourse.ops.elementwise import Mul
from bpcourse.scalar import Value, topological_order
from bpcourse.scalar.nn import MLP
from bpcourse.tensor_graph import topological_order as tensor_order
from bpcourse.viz import draw_graph

# %% [markdown] slide=slide
# ## From numbers to arrays
#
# In notebook 05 every multiplication inside the network was its own graph node: one forward pass of `MLP(2, [16, 16, 1])`
# over 100 points built about 65,000 `Value`s. Written with matrices, a layer is $H = \text{ReLU}(X W^\top + b)$ for
# all 100 points at once: a handful of nodes, each doing its work in one numpy call.

# %% slide=-
X = np.random.default_rng(0).normal(size=(100, 2))
scalar_model = MLP(2, [16, 16, 1], seed=1)
scalar_loss = sum(scalar_model([Value(a), Value(b)]) for a, b in X)
W1, W2, W3 = (bpcourse.randn(m, n, requires_grad=True) for m, n in [(16, 2), (16, 16), (1, 16)])
b1, b2, b3 = (bpcourse.zeros(n, requires_grad=True) for n in [16, 16, 1])
H = bpcourse.relu(bpcourse.tensor(X, dtype=bpcourse.float32) @ W1.T + b1)
tensor_loss = (bpcourse.relu(H @ W2.T + b2) @ W3.T + b3).sum()
nodes = tensor_order(tensor_loss)
print("graph nodes, scalar engine:", len(topological_order(scalar_loss)))
print("graph nodes, tensor engine:", len(nodes), "=", sum(not n.op for n in nodes), "inputs and parameters +",
      sum(bool(n.op) for n in nodes), "operations:", [n.op for n in nodes if n.op])

# %% [markdown] slide=subslide
# ## `bpcourse.Tensor` looks like `torch.Tensor`
#
# A tensor holds a numpy array (`float32` unless asked otherwise, as in torch), a `requires_grad` flag, a `grad`,
# and for a computed tensor a `grad_fn`: the recorded operation, named as torch names it. Even the printed form
# is torch's.

# %% slide=-
for lib in (bpcourse, torch):
    a = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = (a * a).sum()
    y.backward()
    print(f"--- {lib.__name__}\n{a!r}\n{y!r}\n{a.grad!r}\n{a.dtype}  grad_fn of y: {y.grad_fn.name()}")
print("\nexpected grad 2a =", (2 * np.array([[1.0, 2.0], [3.0, 4.0]])).tolist())

# %% [markdown] slide=slide
# ## An operation is a `Function`: forward and backward side by side
#
# For $Y = A \odot B$ (elementwise) the chain rule gives, with $G = \frac{\partial L}{\partial Y}$,
#
# $$\frac{\partial L}{\partial A} = G \odot B, \qquad \frac{\partial L}{\partial B} = G \odot A .$$
#
# So forward must **save** $A$ and $B$ for backward: that is what the context `ctx` is for. Here is the library's `Mul`:

# %% slide=-
show_source(Mul)

# %% [markdown] slide=subslide
# `unbroadcast` (next section) sums a gradient back to its input's shape; `needs_input_grad` skips gradients nobody
# asked for. `apply` records the call in the graph: the output's `grad_fn` *is* the context, holding the inputs and
# the saved arrays. After `backward()` the saved arrays are freed, which is why a second backward fails (notebook 07).

# %% slide=-
a = bpcourse.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = bpcourse.tensor([4.0, 5.0, 6.0], requires_grad=True)
y = a * b
ctx = y.grad_fn
print("grad_fn:", ctx.name(), "  inputs are a and b:", ctx.inputs[0] is a and ctx.inputs[1] is b)
print("saved for backward:", [s.tolist() for s in ctx.saved_tensors])
y.sum().backward()
print("a.grad =", a.grad.tolist(), " expected b =", b.tolist(), "   b.grad =", b.grad.tolist(), " expected a =", a.tolist())
print("saved values after backward:", ctx.saved)

# %% [markdown] slide=subslide
# ## The backward pass
#
# The same loop as the scalar engine, one array per node: seed $\partial L/\partial L = 1$, visit the operations outputs
# first, let each op's `backward` turn the output's gradient into one gradient per input, and **add** the gradients of a
# tensor that is used more than once (`prev + gx`), exactly the rule that fixed `b = a + a` in notebook 05. The loop is
# `_backward_default` in `bpcourse/engine.py`, which `loss.backward()` runs. Read the `while ready` loop: as in
# torch's engine, an op waits in a queue from the moment it receives its first gradient, and the op created last
# runs next, so every op that used a tensor has sent its share before the op that made the tensor runs. The general
# `backward` beside it runs the same steps and also handles leaf hooks, `grad(..., inputs)` and `create_graph=True`
# (second derivatives, notebook 08).

# %% slide=-
show_source(engine._backward_default)

# %% [markdown] slide=slide
# ## Broadcasting, and why gradients are summed back
#
# Adding a bias to a batch, $Y = X + b$ with $X$ of shape $(3, 4)$ and $b$ of shape $(4,)$, **broadcasts** $b$: numpy
# behaves as if $b$ were copied into each of the 3 rows, $Y_{ij} = X_{ij} + b_j$. So each $b_j$ is *used 3 times*, and
# like any reused node it collects one gradient per use:
#
# $$\frac{\partial L}{\partial b_j} = \sum_{i=1}^{3} \frac{\partial L}{\partial Y_{ij}}\,\frac{\partial Y_{ij}}{\partial b_j}
#   = \sum_{i} G_{ij}, \qquad\text{i.e. } \frac{\partial L}{\partial b} = G \text{ summed over axis } 0 .$$
#
# Check it with $L = \sum_{ij} G_{ij} Y_{ij}$ for a known $G$, whose $\frac{\partial L}{\partial Y}$ is exactly $G$:

# %% slide=-
G = np.arange(12.0).reshape(3, 4)
for lib in (bpcourse, torch):
    x = lib.tensor(np.ones((3, 4)), requires_grad=True)
    b = lib.zeros(4, dtype=lib.float64, requires_grad=True)
    ((x + b) * lib.tensor(G)).sum().backward()
    print(f"{lib.__name__:8s} b.grad = {b.grad.tolist()}  shape {tuple(b.grad.shape)}   x.grad shape {tuple(x.grad.shape)}")
print("G summed over axis 0 =", G.sum(axis=0).tolist())

# %% [markdown] slide=subslide
# Without the sum, the "gradient" of $b$ would have the output's shape $(3, 4)$, and it could not even be used: the
# update $b \leftarrow b - \eta\,\frac{\partial L}{\partial b}$ has nowhere to put 12 numbers in 4 places.

# %% slide=-
b_values = np.zeros(4)
try:
    b_values -= 0.1 * G            # a (3, 4) "gradient" for a (4,) parameter
except ValueError as error:
    print("ValueError:", error)
b_values -= 0.1 * G.sum(axis=0)    # the true gradient has b's shape
print("after one step with the summed gradient:", b_values.tolist())

# %% [markdown] slide=subslide
# ## One helper undoes broadcasting for every op
#
# Broadcasting can add leading axes ($(4,) \to (3, 4)$) and stretch axes of size 1 ($(3, 1) \to (3, 4)$). `unbroadcast`
# undoes both: sum over the added leading axes, then over the stretched ones (keeping them as size 1). Every binary op
# calls it, so no op has to think about shapes.

# %% slide=-
show_source(unbroadcast)
g = np.ones((2, 3, 4))
print("\n(2, 3, 4) -> (4,):  ", unbroadcast(g, (4,)).tolist(), "  expected 2*3 = 6 each")
print("(2, 3, 4) -> (3, 1):", unbroadcast(g, (3, 1)).tolist(), "  expected 2*4 = 8 each")

# %% [markdown] slide=slide
# ## gradcheck: trust, but verify
#
# A backward formula can be wrong. `bpcourse.gradcheck(fn, inputs)` compares it with central differences in float64,
#
# $$\frac{\partial L}{\partial x_j} \approx \frac{L(x + \varepsilon e_j) - L(x - \varepsilon e_j)}{2\varepsilon},$$
#
# and judges the relative error with CS231n's rule of thumb: below $10^{-7}$ correct, above $10^{-2}$ wrong. A layer
# with broadcasting, a softmax and a reused input all pass:

# %% slide=- tags=nbval-ignore-output
rng = np.random.default_rng(1)
x, W, bias = (bpcourse.tensor(rng.normal(size=s), dtype=bpcourse.float64, requires_grad=True) for s in [(5, 3), (4, 3), (4,)])
checks = {"sigmoid(x W^T + b)": bpcourse.gradcheck(lambda x, W, bias: bpcourse.sigmoid(x @ W.T + bias), [x, W, bias]),
          "softmax(x, dim=1)": bpcourse.gradcheck(lambda x: bpcourse.softmax(x, dim=1), [x]),
          "tanh(x * x + x)": bpcourse.gradcheck(lambda x: (x * x + x).tanh(), [x])}
checks["sigmoid(x W^T + b)"]

# %% [markdown] slide=fragment
# The table's last digits depend on the CPU's maths library, so here are the verdicts, which do not:

# %% slide=-
for name, result in checks.items():
    print(f"{name:20s} passed: {result.passed}   verdicts: {[c.verdict for c in result.checks]}   "
          f"all relative errors < 1e-7: {max(result.rel_errors) < 1e-7}")

# %% [markdown] slide=subslide
# Now a sigmoid whose backward forgets one factor: it returns $g\,y$ instead of $g\,y(1-y)$. gradcheck says so.

# %% slide=-
class WrongSigmoid(bpcourse.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = bpcourse.sigmoid(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * y          # BUG: should be grad_output * y * (1 - y)

wrong = bpcourse.gradcheck(WrongSigmoid.apply, [x])
print("passed:", wrong.passed, "  verdict:", wrong.checks[0].verdict, f"  relative error {wrong.rel_errors[0]:.2f}")

# %% [markdown] slide=subslide
# ## compare_with_torch: the same function in both engines
#
# `compare_with_torch(fn, inputs)` calls `fn(bpcourse, ...)` and `fn(torch, ...)` with the same numbers and reports the
# largest differences of the value and of each input's gradient. The function is written once, against a module
# argument `t`:

# %% slide=-
def two_layers(t, x, W1, b1, W2):
    return t.tanh(t.relu(x @ W1.T + b1) @ W2.T).mean()

inputs = [rng.normal(size=s).astype(np.float32) for s in [(8, 3), (5, 3), (5,), (2, 5)]]
comparison = bpcourse.compare_with_torch(two_layers, inputs)
print("bpcourse and torch agree (float32: rtol 1e-4, atol 1e-5):", comparison.passed)
print("largest gradient difference below 1e-6:", max(comparison.grad_diffs) < 1e-6)

# %% [markdown] slide=slide
# ## The seed program, unchanged
#
# The headline: take the lecture's program, replace `import torch` by `import bpcourse as torch`, change nothing else,
# and run both. `run_both` does exactly that (and nothing more: the rewrite touches only the import line). Left, bpcourse;
# right, torch; `=` marks identical lines.

# %% slide=-
outputs = run_both(SEED_PROGRAM)
print(side_by_side(outputs.bpcourse, outputs.torch, head=9, tail=2))

# %% slide=fragment
lines = outputs.torch.splitlines()
print(f"{len(lines)} lines printed by each; lines that differ: {outputs.differing_lines()}")
assert outputs.identical, outputs.differing_lines()
print("byte for byte identical:", outputs.bpcourse == outputs.torch)

# %% [markdown] slide=subslide
# Identical to the last digit is possible because bpcourse does what torch does in the same order and precision:
# `w` is `float32`, `x * w` is computed in `float32`, and `w.grad.item()` converts the float32 gradient to a Python
# float (`-7.840000152587891` is the float32 number nearest to $-7.84$).

# %% slide=-
print("float32 nearest to -7.84:", float(np.float32(-7.84)), "   the seed printed -7.840000152587891")

# %% [markdown] slide=slide
# ## A tensor graph, drawn
#
# The seed's loss for one example, $\ell = (x w - y)^2$ at $x = 2$, $y = 4$, built from tensors. Each node shows its value
# (or shape) and its grad; the same picture code draws scalar and tensor graphs. Two differences from the scalar picture,
# both torch's rules: the Python numbers $x$ and $y$ are not tensors, so they are not nodes; and only leaves keep their
# `.grad` (an intermediate tensor shows `None` unless you call `.retain_grad()` on it, as we do for $x w$).

# %% slide=-
w = bpcourse.tensor([1.0], requires_grad=True)
xw = 2.0 * w
xw.retain_grad()
l = (xw - 4.0) ** 2
w.label, xw.label, l.label = "w", "xw", "loss"
l.backward()
print("w.grad =", w.grad.item(), "  by hand 2 (x w - y) x =", 2 * (2.0 - 4.0) * 2.0,
      "   xw.grad =", xw.grad.item(), "  by hand 2 (x w - y) =", 2 * (2.0 - 4.0))
draw_graph(l, title="loss = (x w - y)^2 with tensors, after backward()")

# %% [markdown] slide=slide
# ## Summary
#
# - A tensor engine records one node per array operation, not per number: 19 nodes instead of about 65,000 for the same MLP.
# - Each op is a `Function`: `forward(ctx, ...)` computes and saves what backward needs in the context; `backward(ctx, grad)`
#   returns one gradient per input. The output's `grad_fn` is that context. Torch's `autograd.Function` has the same contract.
# - Broadcasting reuses an input along the stretched axes, so its gradient is the **sum** over those axes, back to the input's
#   shape; one helper, `unbroadcast`, does it for every op.
# - `gradcheck` compares backward with central differences and flags a wrong formula; `compare_with_torch` checks both
#   engines agree.
# - The seed program prints byte for byte the same output with `import bpcourse as torch`.
#
# **Next:** [07 — torch.autograd, line by line](07_pytorch_autograd.ipynb).
# **Practise:** [exercises for this notebook](../exercises/06_tensor_autograd.ipynb).
