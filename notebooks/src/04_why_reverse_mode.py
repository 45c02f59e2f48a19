# %% [markdown] slide=slide
# # 4. Why reverse mode
#
# **What you will learn**
# - that the "upstream gradient" of notebooks 02 and 03 is a **vector**, and that every operation's backward is a
#   **vector-Jacobian product** (VJP): for $W\mathbf{x}$, for elementwise functions and for a sum, by hand, without ever
#   building the Jacobian;
# - what a gradient costs on notebook 08's network (2,410 parameters), counted and timed three ways: finite differences
#   (two forward passes per parameter), forward mode (one pass per parameter) and reverse mode (one backward pass);
# - when forward mode wins instead (few inputs, many outputs);
# - the price of reverse mode: the memory for saved activations, measured as the network gets deeper, and what
#   checkpointing trades for it.
#
# **What you need**: notebook 03 (a layer's gradients $G^\top X$, $GW$, and the shape rule). We use torch and `bpcourse`
# tensors as calculators here; notebooks 05-07 open them up.

# %% slide=skip
import time

import numpy as np
import torch
from torch.func import jacfwd, jvp, vjp
from torch.utils.checkpoint import checkpoint

import bpcourse
from bpcourse.course.measure import format_seconds, machine_summary, median_seconds, saved_activation_bytes
from bpcourse.data import load_digits

torch.set_num_threads(1)  # one thread for both engines: small problems, a shared machine, a fixed order of sums
from threadpoolctl import threadpool_limits  # noqa: E402  (installed with scikit-learn)

blas_threads = threadpool_limits(1)
np.set_printoptions(precision=4, suppress=True)

# %% [markdown] slide=slide
# ## The gradient is a product of Jacobians
#
# A function $f: \mathbb{R}^n \to \mathbb{R}^m$ has a **Jacobian**, the $m \times n$ matrix of all its partial
# derivatives, $J_{ij} = \partial f_i / \partial x_j$. The chain rule for a composition says the Jacobians multiply:
#
# $$J_{g \circ f}(\mathbf{x}) = J_g\bigl(f(\mathbf{x})\bigr)\; J_f(\mathbf{x}) .$$
#
# A network followed by a loss is a chain $\theta \mapsto \mathbf{y}_1 \mapsto \mathbf{y}_2 \mapsto L$ ending in **one**
# number, so its Jacobian is a single row, the gradient:
#
# $$\underbrace{\nabla L^\top}_{1 \times n} = \underbrace{J_L}_{1 \times m_2}\;\underbrace{J_2}_{m_2 \times m_1}\;\underbrace{J_1}_{m_1 \times n} .$$
#
# Matrix products can be evaluated in any order. **Reverse mode** starts at the left, with the row $J_L$, and only ever
# multiplies a *row vector* by a matrix. **Forward mode** starts at the right, and must push a whole matrix (or one
# column of it per pass) through.

# %% slide=fragment
rng = np.random.default_rng(0)
W = torch.tensor(rng.normal(size=(4, 3)))
x = torch.tensor(rng.normal(size=3), requires_grad=True)
J1 = torch.autograd.functional.jacobian(lambda t: W @ t, x)                     # (4, 3): y1 = W x
J2 = torch.autograd.functional.jacobian(torch.sigmoid, W @ x)                    # (4, 4): y2 = sigmoid(y1)
JL = torch.autograd.functional.jacobian(lambda t: t.sum(), torch.sigmoid(W @ x))  # (4,):   L = sum(y2)
torch.sigmoid(W @ x).sum().backward()
print("shapes of the Jacobians:", tuple(JL.shape), tuple(J2.shape), tuple(J1.shape))
print("J_L J_2 J_1           =", (JL @ J2 @ J1).numpy())
print("x.grad from backward()=", x.grad.numpy())

# %% [markdown] slide=slide
# ## The upstream gradient is a vector; each backward is a VJP
#
# In notebooks 02 and 03 each operation $\mathbf{y} = f(\mathbf{x})$ received the **upstream gradient**
# $\mathbf{v} = \partial L/\partial \mathbf{y}$ and returned $\partial L/\partial \mathbf{x}$. In Jacobian terms that is
# one row vector times one Jacobian, a **vector-Jacobian product**:
#
# $$\frac{\partial L}{\partial \mathbf{x}}^{\!\top} = \mathbf{v}^\top J_f(\mathbf{x}) .$$
#
# The rules every network needs, each worked out without writing $J$ down:
#
# | operation | Jacobian | VJP $\mathbf{v}^\top J$ | cost |
# |---|---|---|---|
# | $\mathbf{y} = W\mathbf{x}$, w.r.t. $\mathbf{x}$ | $W$ | $W^\top\mathbf{v}$ | one matrix-vector product |
# | $\mathbf{y} = W\mathbf{x}$, w.r.t. $W$ | $\partial y_i/\partial W_{kj} = [i = k]\,x_j$ | $\mathbf{v}\,\mathbf{x}^\top$ | an outer product |
# | $y_i = \sigma(x_i)$ | $\operatorname{diag}\bigl(\sigma'(\mathbf{x})\bigr)$ | $\mathbf{v} \odot \sigma'(\mathbf{x})$ | $n$ multiplications |
# | $y = \sum_i x_i$ | $\mathbf{1}^\top$ (a $1 \times n$ row) | $v\,\mathbf{1}$: the scalar $v$ copied $n$ times | $n$ copies |

# %% [markdown] slide=subslide
# We check each rule three ways: the formula, the product with the explicitly built Jacobian, and the engines.
# `torch.autograd.grad(y, x, grad_outputs=v)` and `y.backward(v)` take the upstream vector $\mathbf{v}$ as an argument:
# that *is* a VJP.

# %% slide=fragment
Wt, xt = torch.tensor(rng.normal(size=(4, 3)), requires_grad=True), torch.tensor(rng.normal(size=3), requires_grad=True)
v, u = torch.tensor(rng.normal(size=4)), torch.tensor(rng.normal(size=3))
checks = [  # (rule, by hand, v^T J with the Jacobian built, torch's VJP)
    ("W x, d/dx", Wt.T @ v, v @ torch.autograd.functional.jacobian(lambda t: Wt @ t, xt),
     torch.autograd.grad(Wt @ xt, xt, grad_outputs=v)[0]),
    ("W x, d/dW", torch.outer(v, xt), torch.einsum("i,ikj->kj", v, torch.autograd.functional.jacobian(lambda M: M @ xt, Wt)),
     torch.autograd.grad(Wt @ xt, Wt, grad_outputs=v)[0]),
    ("sigmoid(x)", u * torch.sigmoid(xt) * (1 - torch.sigmoid(xt)), u @ torch.autograd.functional.jacobian(torch.sigmoid, xt),
     torch.autograd.grad(torch.sigmoid(xt), xt, grad_outputs=u)[0]),
    ("sum(x)", 2.5 * torch.ones(3, dtype=torch.float64), 2.5 * torch.autograd.functional.jacobian(torch.sum, xt),
     torch.autograd.grad(xt.sum(), xt, grad_outputs=torch.tensor(2.5, dtype=torch.float64))[0]),
]
for rule, hand, with_jacobian, engine in checks:
    agree = torch.allclose(hand, with_jacobian) and torch.allclose(hand, engine)
    print(f"{rule:11s} shape {str(tuple(hand.shape)):7s} hand = v^T J = torch VJP: {agree}")

# %% [markdown] slide=fragment
# `bpcourse` does the same: `y.backward(v)` seeds the backward pass with $\mathbf{v}$ instead of $1$.

# %% slide=fragment
Wb = bpcourse.tensor(Wt.detach().numpy(), requires_grad=True)
xb = bpcourse.tensor(xt.detach().numpy(), requires_grad=True)
(Wb @ xb).backward(bpcourse.tensor(v.numpy()))
print("bpcourse W x, d/dx:", np.allclose(xb.grad.numpy(), (Wt.T @ v).detach().numpy()),
      "  d/dW:", np.allclose(Wb.grad.numpy(), torch.outer(v, xt).detach().numpy()))

# %% [markdown] slide=slide
# ## Never build the Jacobian
#
# The Jacobian of a layer is mostly zeros, and huge. For a batch $Y = XW^\top$ with $X$ of shape $(64, 64)$ and $W$ of
# shape $(32, 64)$ (the first layer of notebook 08's network on a mini-batch), $\partial Y/\partial W$ has
# $(64 \cdot 32) \times (32 \cdot 64) = 4{,}194{,}304$ entries, of which only one in 32 is not zero (output $Y_{ki}$ depends
# only on row $i$ of $W$). The VJP $G^\top X$ of notebook 03 gives the same $32 \times 64$ numbers with
# $64 \cdot 32 \cdot 64$ multiply-adds and no big array.

# %% slide=fragment
X64 = torch.tensor(rng.normal(size=(64, 64)))
W1 = torch.tensor(rng.normal(size=(32, 64)))
G = torch.tensor(rng.normal(size=(64, 32)))
J = torch.autograd.functional.jacobian(lambda M: X64 @ M.T, W1, vectorize=True)   # shape (64, 32, 32, 64)
print("Jacobian dY/dW: shape", tuple(J.shape), f"= {J.numel():,} entries, {J.numel() * 8 / 2**20:.0f} MiB in float64;",
      f"non-zero: {int((J != 0).sum()):,} (1 in {J.numel() // int((J != 0).sum())})")
print("VJP G^T X: shape", tuple((G.T @ X64).shape), " equals the contraction of G with the Jacobian:",
      torch.allclose(torch.einsum("ki,kiab->ab", G, J), G.T @ X64))

# %% [markdown] slide=slide
# ## A gradient, three ways, on notebook 08's network
#
# Notebook 08 trains a $64 \to 32 \to 10$ MLP with ReLU on the 8×8 digits, with the cross-entropy loss on mini-batches
# of about 64 images. It has $64\cdot 32 + 32 + 32 \cdot 10 + 10 = 2{,}410$ parameters. We want $\nabla L$, all 2,410
# partial derivatives, for one mini-batch of 64 images, and count what each method needs:
#
# | method | what it computes per pass | passes for the whole gradient |
# |---|---|---|
# | finite differences | $L(\theta \pm \varepsilon e_j)$: one partial derivative per two forward passes | $2 \times 2{,}410 = 4{,}820$ forward passes |
# | forward mode | one JVP $J\,\mathbf{u}$: a directional derivative $\nabla L \cdot \mathbf{u}$, one per direction $\mathbf{u} = e_j$ | $2{,}410$ JVPs |
# | reverse mode | one VJP $1 \cdot J$: the whole row $\nabla L^\top$ | $1$ forward + $1$ backward |
#
# We use the same weights in both engines (made by torch with seed 0, as in notebook 08) in float64, because finite
# differences need the extra digits.

# %% slide=fragment
X, y = load_digits()
order = np.random.default_rng(0).permutation(len(y))      # notebook 08's shuffle: its first 1,437 images train
torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
theta = {lib: [lib.tensor(p.detach().numpy(), dtype=lib.float64) for p in net.parameters()] for lib in (torch, bpcourse)}
data = {(lib, n): (lib.tensor(X[order[:n]], dtype=lib.float64), lib.tensor(y[order[:n]]))
        for lib in (torch, bpcourse) for n in (64, 1437)}

def loss(lib, W1, b1, W2, b2, n_images=64):
    """Notebook 08's network and loss on its first n_images training images, written once for both engines."""
    images, labels = data[lib, n_images]
    return lib.nn.functional.cross_entropy(lib.relu(images @ W1.T + b1) @ W2.T + b2, labels)

n_params = sum(p.numel() for p in theta[torch])
print("parameters:", [tuple(p.shape) for p in theta[torch]], "=", n_params)
print(f"loss at the initial weights: torch {loss(torch, *theta[torch]).item():.6f}   "
      f"bpcourse {loss(bpcourse, *theta[bpcourse]).item():.6f}")

# %% [markdown] slide=subslide
# ### Reverse mode: one backward pass
#
# First the reference answer. Reverse mode runs the network forward once (keeping what backward needs), then back once.

# %% slide=fragment
def reverse_mode(lib):
    params = [p.detach().clone().requires_grad_() for p in theta[lib]]
    loss(lib, *params).backward()
    return np.concatenate([p.grad.numpy().ravel() for p in params])

grad = {lib: reverse_mode(lib) for lib in (torch, bpcourse)}
print("gradient entries:", grad[torch].size, "  torch and bpcourse agree to 1e-12:",
      np.allclose(grad[torch], grad[bpcourse], rtol=0, atol=1e-12))

# %% [markdown] slide=subslide
# ### Finite differences: two forward passes per parameter
#
# Nudge one parameter at a time: $\partial L/\partial\theta_j \approx \bigl(L(\theta + \varepsilon e_j) - L(\theta - \varepsilon e_j)\bigr)/2\varepsilon$.
# Every pass below goes through a counter, so the count is measured, not assumed.

# %% slide=fragment
def finite_differences(lib, eps=1e-6):
    params, passes, estimate = theta[lib], 0, []
    with lib.no_grad():
        for p in params:
            flat = p.numpy().reshape(-1)            # a view: writing into it changes the parameter
            for j in range(flat.size):
                old = flat[j]
                flat[j] = old + eps
                up = loss(lib, *params).item()
                flat[j] = old - eps
                down = loss(lib, *params).item()
                flat[j] = old
                passes += 2
                estimate.append((up - down) / (2 * eps))
    return np.array(estimate), passes

fd, fd_seconds = {}, {}
for lib in (torch, bpcourse):
    start = time.perf_counter()                     # timed once (it is long); printed in the bill below
    fd[lib] = finite_differences(lib)
    fd_seconds[lib] = time.perf_counter() - start
    estimate, passes = fd[lib]
    print(f"{lib.__name__:8s}: {passes} forward passes; largest |finite diff. - backward| < 1e-8:",
          np.abs(estimate - grad[lib]).max() < 1e-8)

# %% [markdown] slide=subslide
# ### Forward mode: one JVP per parameter
#
# Forward mode carries a **tangent** alongside every value: for a direction $\mathbf{u}$ in parameter space, each
# operation computes its output *and* its output's derivative along $\mathbf{u}$ (for $\mathbf{y} = W\mathbf{x}$,
# $\dot{\mathbf{y}} = \dot W \mathbf{x} + W \dot{\mathbf{x}}$). One pass gives $\nabla L \cdot \mathbf{u}$, one number.
# With $\mathbf{u} = e_j$ that is one entry of the gradient, so the whole gradient takes 2,410 passes. `torch.func.jvp`
# does one; `bpcourse` has no forward mode. `torch.func.jacfwd` runs all 2,410 directions at once (vectorised): the
# same arithmetic in fewer, wider array operations.

# %% slide=fragment
def forward_mode_one_entry(j):
    tangent = torch.zeros(n_params, dtype=torch.float64)
    tangent[j] = 1.0
    tangents = torch.split(tangent, [p.numel() for p in theta[torch]])
    return jvp(lambda *ps: loss(torch, *ps), tuple(theta[torch]), tuple(t.view(p.shape) for t, p in zip(tangents, theta[torch])))[1]

first_entries = np.array([forward_mode_one_entry(j).item() for j in range(100)])
all_entries = torch.cat([g.reshape(-1) for g in jacfwd(lambda *ps: loss(torch, *ps), argnums=(0, 1, 2, 3))(*theta[torch])])
print("first 100 entries, one JVP each, equal backward's to 1e-12:",
      np.allclose(first_entries, grad[torch][:100], rtol=0, atol=1e-12))
print("jacfwd: 2,410 directions at once, equal to backward's to 1e-12:",
      np.allclose(all_entries.numpy(), grad[torch], rtol=0, atol=1e-12))

# %% [markdown] slide=slide
# ## The bill, side by side
#
# Now the clock. Each time is the median of many runs (51 for a pass), so that a moment of load from another program
# does not count; the long computations (finite differences, 100 JVPs) were timed once. Forward mode with one JVP per
# entry is timed on 100 entries and multiplied by 24.1 (an estimate, marked as such). The stored times were measured on the machine named in
# the next cell (a shared machine, its load included); yours will differ, the counts will not.

# %% tags=nbval-ignore-output slide=fragment
blas_threads = threadpool_limits(1)   # once more: loading the digits brought in scikit-learn's own BLAS
print(machine_summary())

# %% slide=fragment
def forward_only(lib, n_images):
    with lib.no_grad():
        return loss(lib, *theta[lib], n_images=n_images)

def forward_and_backward(lib, n_images):
    params = [p.requires_grad_() for p in theta[lib]]
    loss(lib, *params, n_images=n_images).backward()
    for p in params:
        p.requires_grad_(False)
        p.grad = None

time_of = {(lib, what, n): format_seconds(median_seconds(lambda: fn(lib, n), repeat=51))
           for lib in (torch, bpcourse) for what, fn in [("fwd", forward_only), ("rev", forward_and_backward)]
           for n in (64, 1437)}
jvp_estimate = median_seconds(lambda: [forward_mode_one_entry(j) for j in range(100)], repeat=1) * n_params / 100
jacfwd_seconds = median_seconds(lambda: jacfwd(lambda *ps: loss(torch, *ps), argnums=(0, 1, 2, 3))(*theta[torch]), repeat=3, warmup=0)
rows = [("one forward pass, no gradient", "1 fwd", time_of[torch, "fwd", 64], time_of[bpcourse, "fwd", 64]),
        ("finite differences", f"{fd[torch][1]} fwd", format_seconds(fd_seconds[torch]), format_seconds(fd_seconds[bpcourse])),
        ("forward mode, one JVP at a time", f"{n_params} JVPs", format_seconds(jvp_estimate) + " (estimate)", "-"),
        ("forward mode, jacfwd (vectorised)", f"{n_params} JVPs", format_seconds(jacfwd_seconds), "-"),
        ("reverse mode: backward()", "1 fwd + 1 bwd", time_of[torch, "rev", 64], time_of[bpcourse, "rev", 64]),
        ("1,437 images: one forward pass", "1 fwd", time_of[torch, "fwd", 1437], time_of[bpcourse, "fwd", 1437]),
        ("1,437 images: reverse mode", "1 fwd + 1 bwd", time_of[torch, "rev", 1437], time_of[bpcourse, "rev", 1437])]
print(f"{'64 images unless said':34s} {'passes':>14s} {'torch':>20s} {'bpcourse':>10s}")
for method, passes, torch_time, bpcourse_time in rows:
    print(f"{method:34s} {passes:>14s} {torch_time:>20s} {bpcourse_time:>10s}")

# %% [markdown] slide=subslide
# ### Why reverse mode costs "a few forward passes"
#
# Count the multiply-adds of the matrix products, which dominate. For a batch of $N$ images the forward pass does
# $N(64\cdot 32 + 32 \cdot 10)$. Backward does, per layer, $G^\top X$ (the weight gradient, as many as the layer's forward
# product) and $G W$ (the input gradient, as many again), except that nobody needs the gradient of the images:
#
# $$\text{backward} = N\,(64\cdot 32) + 2\,N\,(32\cdot 10) \quad\Rightarrow\quad \frac{\text{forward} + \text{backward}}{\text{forward}} = \frac{2 \cdot 2048 + 3 \cdot 320}{2368} \approx 2.14 .$$
#
# Whatever the number of parameters, the gradient costs about two to three forward passes: two matrix products per
# layer instead of one, plus bookkeeping. On the reference machine (the table above) forward + backward took about 2.5
# forward passes on all 1,437 images in both engines; on 64 images it took 3 to 4, because at that size the fixed
# cost of each call (Python, recording the graph) weighs as much as the arithmetic.

# %% slide=fragment
N = 64
forward_madds = N * (64 * 32 + 32 * 10)
backward_madds = N * 64 * 32 + 2 * N * 32 * 10     # layer 1: G^T X only; layer 2: G^T H and G W2
print(f"forward {forward_madds:,} multiply-adds, backward {backward_madds:,};"
      f" (forward + backward) / forward = {(forward_madds + backward_madds) / forward_madds:.3f}")
print(f"finite differences need {fd[torch][1] * forward_madds:,} multiply-adds: "
      f"{fd[torch][1] * forward_madds / (forward_madds + backward_madds):,.0f} times reverse mode")

# %% [markdown] slide=slide
# ## When forward mode wins: few inputs, many outputs
#
# For $f: \mathbb{R}^n \to \mathbb{R}^m$, the full Jacobian costs $n$ JVPs (one per input direction, forward mode) or
# $m$ VJPs (one per output row, reverse mode). A loss has $m = 1$, so reverse mode wins by a factor of $n$. The
# opposite case: a model $f(t) = a \sin(b t)$ sampled at 1,000 times $t$ has $n = 2$ inputs $(a, b)$ and $m = 1{,}000$
# outputs; fitting it by Gauss-Newton needs all $2{,}000$ derivatives:
#
# $$\frac{\partial f(t_k)}{\partial a} = \sin(b t_k), \qquad \frac{\partial f(t_k)}{\partial b} = a\,t_k \cos(b t_k).$$

# %% slide=fragment
t = torch.linspace(0, 10, 1000, dtype=torch.float64)
ab = torch.tensor([1.5, 0.7], dtype=torch.float64)
curve = lambda p: p[0] * torch.sin(p[1] * t)  # noqa: E731  (f: R^2 -> R^1000)
by_hand = torch.stack([torch.sin(ab[1] * t), ab[0] * t * torch.cos(ab[1] * t)], dim=1)

def jacobian_forward():   # one JVP per input: 2 passes
    return torch.stack([jvp(curve, (ab,), (e,))[1] for e in torch.eye(2, dtype=torch.float64)], dim=1)

def jacobian_reverse():   # one VJP per output: 1,000 backward passes through one recorded graph
    out, pullback = vjp(curve, ab)
    return torch.stack([pullback(e)[0] for e in torch.eye(1000, dtype=torch.float64)])

for name, fn, passes in [("forward mode", jacobian_forward, "2 JVPs"), ("reverse mode", jacobian_reverse, "1,000 VJPs")]:
    start = time.perf_counter()
    J_curve = fn()
    print(f"{name}: {passes:>10s}, {format_seconds(time.perf_counter() - start):>9s};"
          f" equals the formula: {torch.allclose(J_curve, by_hand)}")
for strategy in ("forward-mode", "reverse-mode"):   # torch.autograd.functional.jacobian offers both
    J_curve = torch.autograd.functional.jacobian(curve, ab, strategy=strategy, vectorize=True)
    print(f"torch.autograd.functional.jacobian(strategy={strategy!r}): shape {tuple(J_curve.shape)},"
          f" equals the formula: {torch.allclose(J_curve, by_hand)}")

# %% [markdown] slide=slide
# ## The price of reverse mode: memory
#
# Backward needs numbers from forward: $G^\top X$ needs each layer's input $X$, a ReLU needs to know where its input
# was positive. So reverse mode **keeps every layer's activations** from the forward pass until backward has used them.
# Finite differences and forward mode keep nothing: they can forget each layer as soon as the next is computed.
#
# `saved_activation_bytes` counts exactly what autograd saved, in both engines (parameters and the input batch are not
# counted: they are in memory anyway). A stack of `Linear(256, 256)` + ReLU layers on a batch of 64, float32:

# %% slide=fragment
def deep_net(lib, depth, width=256, seed=0):
    lib.manual_seed(seed)
    layers = []
    for _ in range(depth):
        layers += [lib.nn.Linear(width, width), lib.nn.ReLU()]
    return lib.nn.Sequential(*layers)

batch_in = np.random.default_rng(1).normal(size=(64, 256)).astype(np.float32)
print(f"{'depth':>5s} {'torch KiB':>10s} {'bpcourse KiB':>13s} {'per layer (torch)':>18s}")
for depth in [1, 2, 4, 8, 16, 32]:
    kib = {}
    for lib in (torch, bpcourse):
        net_d, inputs = deep_net(lib, depth), lib.tensor(batch_in)
        kib[lib] = saved_activation_bytes(lib, lambda: net_d(inputs).sum())[1] / 1024
    print(f"{depth:5d} {kib[torch]:10.0f} {kib[bpcourse]:13.0f} {kib[torch] / depth:18.0f}")
print("one activation of 64 x 256 float32:", 64 * 256 * 4 // 1024, "KiB")

# %% [markdown] slide=subslide
# ## Checkpointing: recompute instead of remember
#
# `torch.utils.checkpoint` cuts the network into segments and, during forward, keeps only each segment's **input**.
# During backward it runs each segment forward again (this time keeping its activations), back-propagates through it and
# drops them. The trade, for 32 layers in 4 segments of 8:
#
# - memory: the segment inputs ($3 \times 64$ KiB; the first is the input batch) plus one segment's activations during
#   backward ($8 \times 64$ KiB), instead of all $32 \times 64$ KiB;
# - time: one more forward pass, counted below in module calls (torch stops recomputing a segment once it has what
#   backward needs, so each segment's last ReLU is not run again: $64 + 4 \cdot 15 = 124$);
# - the gradients: the same numbers, bit for bit.

# %% slide=fragment
depth, segment = 32, 8
net_32 = deep_net(torch, depth)
calls = {"n": 0}
for module in net_32:
    module.register_forward_hook(lambda *_: calls.__setitem__("n", calls["n"] + 1))
inputs = torch.tensor(batch_in)

def plain():
    return net_32(inputs).sum()

def checkpointed():
    h = inputs
    for start in range(0, len(net_32), 2 * segment):
        h = checkpoint(net_32[start:start + 2 * segment], h, use_reentrant=False)
    return h.sum()

results = {}
one_segment = saved_activation_bytes(torch, lambda: net_32[:2 * segment](inputs).sum())[1]
for name, fn in [("plain", plain), ("checkpointed", checkpointed)]:
    net_32.zero_grad()
    calls["n"] = 0
    out, saved = saved_activation_bytes(torch, fn)
    out.backward()
    grads = [p.grad.clone() for p in net_32.parameters()]
    results[name] = grads
    print(f"{name:12s}: saved {saved / 1024:6.0f} KiB, {calls['n']} module calls (forward + recomputation)")
print(f"during backward, one segment's activations at a time: {one_segment / 1024:.0f} KiB")
print("same gradients:", all(torch.equal(a, b) for a, b in zip(results["plain"], results["checkpointed"])))

# %% [markdown] slide=slide
# ## Summary
#
# - A network's gradient is a product of Jacobians that ends in a row ($1 \times n$). Each operation's backward
#   multiplies the incoming row, the **upstream gradient**, by its Jacobian without ever building it: $W^\top\mathbf{v}$
#   and $\mathbf{v}\mathbf{x}^\top$ for $W\mathbf{x}$, $\mathbf{v}\odot\sigma'(\mathbf{x})$ for an elementwise function,
#   $v\mathbf{1}$ for a sum.
# - On notebook 08's network (2,410 parameters), finite differences took 4,820 forward passes, forward mode 2,410 JVPs,
#   reverse mode one forward and one backward pass: about two forward passes' worth of arithmetic (2.14 counted), however
#   many parameters there are. All three agree.
# - Forward mode wins when there are few inputs and many outputs ($n = 2$, $m = 1{,}000$ above).
# - Reverse mode pays in memory: the activations it saves grow linearly with depth. Checkpointing keeps only segment
#   boundaries and recomputes the rest in backward: less memory, one more forward pass, the same gradients.
#
# **Next:** [05 — autograd from scratch](05_autograd_from_scratch_scalar.ipynb).
# **Practise:** [exercises for this notebook](../exercises/04_why_reverse_mode.ipynb).
