# %% [markdown] slide=slide
# # 7. torch.autograd, line by line
#
# **What you will learn**
# - what every line of the seed lecture's torch program does: `requires_grad`, the graph built by the forward
#   pass, `backward()`, `.grad`, `.data`, `.item()` and `grad.zero_()`;
# - that the graph is rebuilt on every forward pass and freed by `backward()` (and the error a second `backward()` raises);
# - why the update must go through `.data` or `torch.no_grad()`, why `.data` can corrupt a gradient silently where
#   `.detach()` and the version counter raise, and why `total += l` instead of `total += l.item()` makes a program
#   slower and hungrier, *measured*;
# - the torch 2.x idioms (`torch.tensor` rather than the legacy `torch.Tensor`, `torch.no_grad()`,
#   `optimizer.zero_grad()`, which sets gradients to `None`) and a custom `torch.autograd.Function`;
# - that hand derivation, `bpcourse` and torch give the same gradients.
#
# **What you need**: notebooks 01-06 (the linear model, the chain rule, the matrix form of backprop, and the
# `bpcourse` engines). Every cell runs the same idea in torch and, where useful, in `bpcourse`, side by side.

# %% slide=skip
import textwrap
import warnings

import numpy as np
import torch

import bpcourse
from bpcourse.course import SEED_PROGRAM, count_graph_nodes, graph_ops, memory_growth, run_program

x_data, y_data = [1.0, 2.0, 3.0], [2.0, 4.0, 6.0]

# %% [markdown] slide=slide
# ## The seed program
#
# This is the lecture's program, unchanged: the model $\hat y = w x$, the loss $\ell = (\hat y - y)^2$ per example,
# and stochastic gradient descent with learning rate $0.01$ for 100 epochs. We print its text, run it, and then
# take it apart line by line.

# %% slide=fragment
print(SEED_PROGRAM)

# %% slide=subslide
seed_output = run_program(SEED_PROGRAM, "torch").splitlines()
print("\n".join(seed_output[:5] + ["..."] + seed_output[-2:]))
print(f"({len(seed_output)} lines printed)")

# %% [markdown] slide=slide
# ## `w = torch.Tensor([1.0])` and `w.requires_grad = True`
#
# `torch.Tensor([1.0])` makes a one-element `float32` tensor. By default torch records nothing about how tensors
# are computed (that saves time and memory); setting `requires_grad = True` marks `w` as a **leaf** whose gradient we
# want. Any result computed from a tensor that requires grad also requires grad, and remembers the operation that
# made it in `grad_fn`. The Python number `4` is turned into a tensor on the fly.
#
# `torch.Tensor(...)` is the **legacy** constructor: it always makes `float32`, and given a number instead of a list it
# makes an *uninitialised* tensor of that length. Today's code writes `torch.tensor([1.0], requires_grad=True)`, which
# infers the dtype from the data (`torch.tensor([1])` holds integers) and makes the leaf in one call.

# %% slide=-
w = torch.Tensor([1.0])
print("before:", w.dtype, "requires_grad =", w.requires_grad, " is_leaf =", w.is_leaf, " grad =", w.grad)
w.requires_grad = True
y_hat = 4 * w
print("after: ", w.dtype, "requires_grad =", w.requires_grad, " is_leaf =", w.is_leaf, " grad =", w.grad)
print("4 * w =", y_hat, " is_leaf =", y_hat.is_leaf)
print("4 * a tensor without requires_grad:", 4 * torch.Tensor([1.0]))
print("legacy torch.Tensor([1]) ->", torch.Tensor([1]).dtype, "  torch.tensor([1]) ->", torch.tensor([1]).dtype,
      "  torch.Tensor(2) -> shape", tuple(torch.Tensor(2).shape), "(uninitialised values)")
print("today:", torch.tensor([1.0], requires_grad=True))

# %% [markdown] slide=slide
# ## The forward pass records a graph, every time
#
# `loss(x, y)` computes $\ell = (x w - y)^2$ in three operations, and torch records each one as a node of a graph,
# pointing back to the nodes of its inputs (`grad_fn.next_functions`). The leaf `w` appears as `AccumulateGrad`:
# the node that adds the arriving gradient into `w.grad`. The graph is **dynamic**: it is recorded anew by each
# call, so ordinary Python control flow (an `if`, a loop) decides its shape.

# %% slide=-
def forward(x):
    return x * w

def loss(x, y):
    y_pred = forward(x)
    return (y_pred - y) ** 2

l = loss(1.0, 2.0)
print("graph of l, output first:", graph_ops(l))
print("a second call builds a new graph:", loss(1.0, 2.0).grad_fn is not l.grad_fn)
def loss_with_if(x, y):
    r = forward(x) - y
    return r.abs() if x < 2 else r ** 2   # Python decides which operation is recorded
print("with an `if`, x = 1:", graph_ops(loss_with_if(1.0, 2.0)), " x = 3:", graph_ops(loss_with_if(3.0, 6.0))[0])

# %% [markdown] slide=subslide
# ## `l.backward()` and `w.grad`
#
# `backward()` walks the recorded graph from `l` back to `w`, applying the chain rule at each node. By hand
# (notebook 01):
#
# $$\frac{\partial \ell}{\partial w} = 2\,(x w - y)\,x, \qquad \text{at } x=1,\ y=2,\ w=1:\quad 2\cdot(1-2)\cdot 1 = -2 .$$

# %% slide=-
l.backward()
print("w.grad =", w.grad, "  w.grad.item() =", w.grad.item(), "  by hand:", 2 * (1.0 * 1.0 - 2.0) * 1.0)

# %% [markdown] slide=subslide
# ## The graph is freed by `backward()`
#
# To compute the gradient, the graph kept the values it needed (here $x$ and $x w - y$). `backward()` frees
# them as soon as they are used, so memory does not pile up across iterations. Calling `backward()` on the same `l`
# a second time therefore fails. We catch the error and print its message; `bpcourse` raises the same one.

# %% slide=-
def second_backward_message(lib):
    v = lib.tensor([1.0], requires_grad=True)
    out = (1.0 * v - 2.0) ** 2
    out.backward()
    try:
        out.backward()
    except RuntimeError as error:
        return str(error)
    return "no error"

message = second_backward_message(torch)
print(textwrap.fill(message, 100))
print("\nbpcourse raises the same message:", second_backward_message(bpcourse) == message)

# %% [markdown] slide=fragment
# `backward(retain_graph=True)` keeps the saved values. A second `backward()` then works, and **adds** its gradient to
# the one already in `w.grad`: $-2 + (-2) = -4$. Gradients always accumulate; that is why the seed zeroes them.

# %% slide=-
w.grad.zero_()
l = loss(1.0, 2.0)
l.backward(retain_graph=True)
l.backward()
print("w.grad after two backward passes:", w.grad.item(), "  expected -2 + -2 =", -4.0)

# %% [markdown] slide=slide
# ## The update: `w.data = w.data - 0.01 * w.grad.item()`
#
# - `w.grad.item()` turns the one-element gradient into a Python `float`: no tensor, no graph.
# - `w.data` is the same numbers as `w` (same storage) but without history: computing with it records nothing, and
#   assigning to it changes `w`'s values while `w` stays the *same leaf*.
#
# So after the update `w` is still a leaf, with no `grad_fn`, ready for the next iteration.

# %% slide=-
w.grad.zero_()
l = loss(1.0, 2.0)
l.backward()
w.data = w.data - 0.01 * w.grad.item()
print("w =", w.item(), "  expected 1 - 0.01 * (-2) =", 1 - 0.01 * (-2.0))
print("still a leaf:", w.is_leaf, "  grad_fn:", w.grad_fn, "  requires_grad:", w.requires_grad)
print("type of w.grad.item():", type(w.grad.item()).__name__, "  w.data has history:", w.data.requires_grad)

# %% [markdown] slide=subslide
# ## What goes wrong with `w = w - 0.01 * w.grad`
#
# Written with `w` itself, the update is one more recorded operation: the new `w` is the *output* of a subtraction,
# no longer a leaf. Torch fills `.grad` only on leaves, so the new `w.grad` is `None` (torch warns when you read it;
# we catch that warning and print it), and the seed's next line `w.grad.item()` would crash. The new `w` also
# carries a graph (`SubBackward0` back to the old `w`) that every further update of this kind would extend.

# %% slide=-
v = torch.tensor([1.0], requires_grad=True)
for step in range(3):
    l = (x_data[0] * v - y_data[0]) ** 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        l.backward()
        grad = v.grad
    if grad is None:
        print(f"step {step}: v.grad is None. torch warned: {str(caught[0].message)[:92]}...")
        break
    v = v - 0.01 * grad
    print(f"step {step}: v = {v.item():.4f}  is_leaf = {v.is_leaf}  grad_fn = {v.grad_fn.name()}  "
          f"nodes behind v: {count_graph_nodes(v)}")

# %% [markdown] slide=slide
# ## `.data` can corrupt a gradient without a word
#
# Backward uses values that forward **saved**: the sigmoid saves its output $y$, because $\sigma' = y(1 - y)$. If a saved
# tensor is changed in place before `backward()`, the gradient is computed from the wrong numbers. torch guards against
# this with a **version counter** on every tensor: each in-place change increments it, and backward raises if a saved
# tensor's version moved. `.detach()` shares the counter, so a change through it is caught. `.data` does **not**: a
# change through `.data` goes unnoticed, and the gradient is silently wrong. The same holds for an update: through
# `w.data` it is invisible to a graph that saved `w`; inside `torch.no_grad()` it is counted, and misuse raises.

# %% slide=fragment
def change_saved_output(through):
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = a.sigmoid()                        # sigmoid saves y for backward
    (y.data if through == ".data" else y.detach()).zero_()
    try:
        y.sum().backward()
        return f"no error, a.grad = {a.grad.tolist()}"
    except RuntimeError as error:
        return f"RuntimeError: {str(error)[:96]}..."

s = torch.sigmoid(torch.tensor([1.0, 2.0, 3.0]))
print("correct gradient y(1 - y):", [round(v, 4) for v in (s * (1 - s)).tolist()])
for through in (".data", ".detach()"):
    print(f"saved output zeroed through {through:9s}: {change_saved_output(through)}")
for lib in (torch, bpcourse):                      # w ** 2 saves w; then the update changes w in place
    for update in ("w.data -= 0.5", "no_grad: w -= 0.5"):
        w = lib.tensor([1.0], requires_grad=True)
        l = w ** 2
        if update.startswith("w.data"):
            w.data -= 0.5
        else:
            with lib.no_grad():
                w -= 0.5
        try:
            l.backward()
            outcome = f"dl/dw = {w.grad.item()} (wrong: at w = 1 it is 2.0), no error"
        except RuntimeError as error:
            outcome = f"RuntimeError: {str(error)[:60]}..."
        print(f"{lib.__name__:8s} {update:18s} -> {outcome}")

# %% [markdown] slide=slide
# ## The `sum += l` pitfall, counted
#
# The lecture warns: to add up the losses, write `total += l.item()`, not `total += l`. With the tensor `l`,
# `total` becomes a tensor whose graph holds **every** iteration's graph: per iteration the four nodes
# $\times$, $-$, $(\cdot)^2$ and $+$. So after $N$ iterations $4N$ nodes stay alive (plus the one `AccumulateGrad`
# node of `w`, which both libraries count), and none of them can be freed, because `total` may still be differentiated.

# %% slide=-
def add_up_losses(lib, n, use_item):
    w = lib.tensor([1.0], requires_grad=True)
    total = 0
    for i in range(n):
        x, y = x_data[i % 3], y_data[i % 3]
        l = (x * w - y) ** 2
        total += l.item() if use_item else l
    return total

print("    N   torch: += l   += l.item()   bpcourse: += l   += l.item()   expected 4N (+1)")
for n in [1, 10, 100, 1000]:
    counts = [count_graph_nodes(add_up_losses(lib, n, item)) for lib in (torch, bpcourse) for item in (False, True)]
    print(f"{n:5d} {counts[0]:13d} {counts[1]:13d} {counts[2]:16d} {counts[3]:13d}   {4 * n} (+1)")

# %% [markdown] slide=subslide
# ## ... and measured in memory
#
# Each kept node holds small tensors, and they add up. We measure how much the process's resident memory grows
# while 20,000 iterations run and the result is kept (a warm-up run first, so that one-time allocations do not count).
# The exact megabytes differ from machine to machine (so nbval ignores this cell's output), but the cell
# asserts the claim itself: the graph grows memory by tens of megabytes, `.item()` by almost nothing.

# %% slide=- tags=nbval-ignore-output
N, kept = 20_000, []  # graphs stay alive until the end, so freed memory is not reused and hidden
for lib in (torch, bpcourse):
    add_up_losses(lib, 1000, use_item=True)  # warm-up: allocator pools, lazily imported code
    _, mb_item = memory_growth(lambda: add_up_losses(lib, N, use_item=True))
    total, mb_graph = memory_growth(lambda: add_up_losses(lib, N, use_item=False))
    kept.append(total)
    print(f"{lib.__name__:8s}: total += l grows memory by {mb_graph:5.1f} MB ({count_graph_nodes(total)} nodes, "
          f"{mb_graph * 2**20 / N:5.0f} bytes per iteration); total += l.item() by {mb_item:4.1f} MB")
    assert mb_graph > 10 and mb_item < 5, (mb_graph, mb_item)
del kept, total

# %% [markdown] slide=slide
# ## Forgetting `w.grad.data.zero_()`
#
# `backward()` *adds* into `w.grad`. Without zeroing, the gradient printed in the second step is the sum of the
# first two examples' gradients, $-2 + (-7.84) = -9.84$, and every later update uses a stale, growing sum.
# Here is the first epoch of the seed loop with and without the `zero_()` line.

# %% slide=fragment
def first_epoch(zero):
    w = torch.tensor([1.0], requires_grad=True)
    grads = []
    for x, y in zip(x_data, y_data):
        l = (x * w - y) ** 2
        l.backward()
        grads.append(w.grad.item())
        w.data = w.data - 0.01 * w.grad.item()
        if zero:
            w.grad.data.zero_()
    return grads

with_zero, without_zero = first_epoch(True), first_epoch(False)
for k in range(3):
    print(f"example {k + 1}: grad with zero_() {with_zero[k]:12.6f}   without {without_zero[k]:12.6f}")
print("second step without zero_() is the sum of the first two:", np.isclose(without_zero[1], with_zero[0] + with_zero[1]))

# %% [markdown] slide=slide
# ## The modern idioms
#
# Today's torch code writes the same loop differently, with the same effect:
#
# - `w = torch.tensor([1.0], requires_grad=True)` makes the leaf in one line;
# - `with torch.no_grad(): w -= lr * w.grad` updates in place without recording (instead of `.data`);
# - `optimizer.zero_grad()`, `loss.backward()`, `optimizer.step()` let `torch.optim.SGD` do the update and the zeroing.
#   Since torch 2.0, `zero_grad()` sets each `.grad` to `None` (`set_to_none=True` is the default) instead of filling it
#   with zeros: no memory is touched, and the next `backward()` simply creates the gradient.
#
# All three styles, in torch and in `bpcourse` (which follows the same rules), predict the same value for $x = 4$.

# %% slide=fragment
def train(lib, style, epochs=100, lr=0.01):
    w = lib.tensor([1.0], requires_grad=True)
    optimizer = lib.optim.SGD([w], lr=lr)
    for epoch in range(epochs):
        for x, y in zip(x_data, y_data):
            l = (x * w - y) ** 2
            if style == "optimizer":
                optimizer.zero_grad(); l.backward(); optimizer.step()  # noqa: E702
                continue
            l.backward()
            if style == "seed (.data)":
                w.data = w.data - lr * w.grad.item()
            else:
                with lib.no_grad():
                    w -= lr * w.grad
            w.grad.zero_()
    return (4 * w).item()

# %% slide=fragment
print(f"{'style':14s} {'torch':>20s} {'bpcourse':>20s}")
for style in ["seed (.data)", "no_grad", "optimizer"]:
    print(f"{style:14s} {train(torch, style):20.15f} {train(bpcourse, style):20.15f}")
print("the seed printed: predict (after training) 4 7.999998569488525")
for lib in (torch, bpcourse):
    w = lib.tensor([1.0], requires_grad=True)
    optimizer = lib.optim.SGD([w], lr=0.01)
    (2 * w).backward()
    optimizer.zero_grad()
    after_default = w.grad
    (2 * w).backward()
    optimizer.zero_grad(set_to_none=False)
    print(f"{lib.__name__:8s} after zero_grad(): w.grad = {after_default};  after zero_grad(set_to_none=False): {w.grad.tolist()}")

# %% [markdown] slide=slide
# ## A custom `torch.autograd.Function`
#
# Every operation in both engines is a `Function`: `forward(ctx, x)` computes the output and saves what backward
# needs with `ctx.save_for_backward`; `backward(ctx, grad_output)` returns the gradient for each input; you call
# `apply`, never `forward`. Here is `bpcourse`'s own sigmoid, which saves its output because
# $\sigma'(x) = \sigma(x)\,(1 - \sigma(x))$ needs only $y = \sigma(x)$. (The built-in ops are `ArrayFunction`s: for
# speed they see the numpy arrays inside the tensors. A `Function` you write sees tensors, exactly as in torch.)

# %% slide=-
from bpcourse.course import show_source  # noqa: E402
from bpcourse.ops.elementwise import Sigmoid  # noqa: E402

show_source(Sigmoid)

# %% [markdown] slide=subslide
# Torch's contract is the same, so one class body serves both engines. We write the sigmoid as a custom function
# once, and create it on top of `torch.autograd.Function` and of `bpcourse.autograd.Function`:

# %% slide=-
def make_sigmoid(Function):
    class MySigmoid(Function):
        @staticmethod
        def forward(ctx, x):
            y = 1 / (1 + (-x).exp())
            ctx.save_for_backward(y)          # save the output: sigma' = y (1 - y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            (y,) = ctx.saved_tensors
            return grad_output * y * (1 - y)
    return MySigmoid

TorchSigmoid, BpSigmoid = make_sigmoid(torch.autograd.Function), make_sigmoid(bpcourse.autograd.Function)

# %% [markdown] slide=subslide
# The check: the custom function's value and gradient against the built-in `sigmoid`, the gradient against the
# formula $\sigma(x)(1-\sigma(x))$, and `gradcheck` (central differences in float64) in both engines.

# %% slide=-
xs = [-2.0, 0.0, 0.5, 3.0]
for lib, MySigmoid in [(torch, TorchSigmoid), (bpcourse, BpSigmoid)]:
    x = lib.tensor(xs, dtype=lib.float64, requires_grad=True)
    MySigmoid.apply(x).sum().backward()
    s = 1 / (1 + np.exp(-np.array(xs)))
    print(f"{lib.__name__:8s} grad:", np.round(x.grad.numpy(), 6), " formula:", np.round(s * (1 - s), 6),
          " built-in sigmoid equal:", np.allclose(MySigmoid.apply(x).detach().numpy(), lib.sigmoid(x).detach().numpy()))
x64 = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
print("torch.autograd.gradcheck:", torch.autograd.gradcheck(TorchSigmoid.apply, (x64,)))
print("bpcourse.gradcheck passed:", bool(bpcourse.gradcheck(BpSigmoid.apply, [bpcourse.tensor(xs, dtype=bpcourse.float64, requires_grad=True)])))

# %% [markdown] slide=slide
# ## Three ways to the same gradients
#
# Last, the two-layer network of notebook 03, $\hat Y = \sigma(X W_1^\top + b_1)\, W_2^\top + b_2$ with the mean squared
# error, whose backward pass we derived by hand there (`bpcourse.manual.mlp_backward`). The same parameters go to
# `bpcourse` and to torch in float64; each engine computes the gradients by autograd.

# %% slide=-
from bpcourse.manual import init_mlp, mlp_backward, mlp_forward  # noqa: E402

rng = np.random.default_rng(0)
X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
params = init_mlp(3, 4, 2, seed=0)
hand = mlp_backward(params, mlp_forward(params, X, Y)[1])

def autograd_grads(lib):
    p = {k: lib.tensor(v, dtype=lib.float64, requires_grad=True) for k, v in params.items()}
    H = lib.sigmoid(lib.tensor(X, dtype=lib.float64) @ p["W1"].T + p["b1"])
    loss = ((H @ p["W2"].T + p["b2"] - lib.tensor(Y, dtype=lib.float64)) ** 2).mean()
    loss.backward()
    return {k: v.grad.numpy() for k, v in p.items()}

bp, pt = autograd_grads(bpcourse), autograd_grads(torch)

# %% slide=subslide
print(f"{'param':6s} {'shape':8s} {'first entry: hand':>18s} {'bpcourse':>13s} {'torch':>13s}   all entries agree to 1e-12")
for k in ["W1", "b1", "W2", "b2"]:
    agree = np.allclose(bp[k], hand[k], rtol=0, atol=1e-12) and np.allclose(pt[k], hand[k], rtol=0, atol=1e-12)
    print(f"{k:6s} {str(hand[k].shape):8s} {hand[k].flat[0]:18.10f} {bp[k].flat[0]:13.10f} {pt[k].flat[0]:13.10f}   {agree}")
for x, y in zip(x_data, y_data):
    bw, tw = bpcourse.tensor([1.0], requires_grad=True), torch.tensor([1.0], requires_grad=True)
    ((x * bw - y) ** 2).backward(); ((x * tw - y) ** 2).backward()  # noqa: E702
    print(f"seed dl/dw at x={x}: hand 2x(xw-y) = {2 * x * (x - y):6.1f}   bpcourse {bw.grad.item():6.1f}   torch {tw.grad.item():6.1f}")

# %% [markdown] slide=slide
# ## Summary
#
# - `requires_grad = True` marks a leaf; every result computed from it records its operation in `grad_fn`. The graph is
#   recorded anew on every forward pass (so Python control flow shapes it) and freed by `backward()`: a second
#   `backward()` raises unless `retain_graph=True`.
# - `backward()` **adds** into `.grad`: zero it every step (`w.grad.zero_()` or `optimizer.zero_grad()`), or gradients pile up.
# - Update inside `torch.no_grad()` (the seed's `.data` works too, but a change through `.data` escapes the version counter
#   and can corrupt a gradient silently; `.detach()` and `no_grad` updates are caught). Updating with `w` itself makes `w`
#   a non-leaf whose `.grad` is `None`.
# - `optimizer.zero_grad()` sets gradients to `None` (torch 2.0 on); `torch.tensor` is today's constructor, `torch.Tensor`
#   the legacy one.
# - `total += l` keeps every iteration's graph alive (4 nodes per iteration here, tens of MB for 20,000 iterations);
#   `total += l.item()` keeps nothing.
# - A custom `torch.autograd.Function` has the same contract as `bpcourse`'s `Function`; hand derivation, `bpcourse`
#   and torch agree to rounding error.
#
# **Next:** [08 — training a network](08_training_a_network.ipynb).
# **Practise:** [exercises for this notebook](../exercises/07_pytorch_autograd.ipynb).
