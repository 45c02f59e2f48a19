# %% [markdown] slide=slide
# # 0. Start here: back-propagation, the whole way down
#
# **What you will learn** in this notebook: how the course works, how to check that your setup is ready, how to use
# the interactive widgets, how your exercises are checked, and where each topic lives.
#
# **What you need**: this folder opened in JupyterLab (`make lab` does it), and about ten minutes.
#
# The course grows out of one lecture on back-propagation (Liu Er's PyTorch lecture 4): a linear model $\hat y = w x$
# trained on three points with `torch.autograd`. We take that program apart: first by hand (notebooks 01–03), then we
# ask why back-propagation is *the* algorithm for gradients (04), build our own autograd engine (05–06), and finally go
# back to PyTorch (07–08), where everything you built has a name.

# %% [markdown] slide=slide
# ## How the course works
#
# Every notebook follows the same rhythm, one idea at a time:
#
# 1. a few sentences saying **why**;
# 2. the **maths**, derived step by step;
# 3. a **short code cell** that imports the formula from the `bpcourse` package (read the code there: it is written to be read);
# 4. a **check**: the number the code computes printed next to the number we expected.
#
# If a check disagrees, something is wrong, and that is worth finding out. Run cells from top to bottom with
# Shift+Enter, or use *Run → Run All Cells*. The stored outputs you see are exactly what the code produces: the
# course's tests re-run every notebook and compare.
#
# Three folders hold the course: `notebooks/` (what you read, these), `exercises/` (what you do) and `solutions/`
# (for instructors). The package `bpcourse/` holds all the code the notebooks import.

# %% [markdown] slide=slide
# ## Check your setup: `bpcourse doctor`
#
# In a terminal, from the course folder, run `bpcourse doctor` (or `make doctor`). It lists the versions the course
# was tested with and says what to fix. The same check from Python is below; its output depends on your machine
# (paths, versions), so yours may look different. Every line should start with `[ok ]`.

# %% tags=nbval-ignore-output slide=fragment
from bpcourse.doctor import run_doctor

problems = run_doctor()

# %% [markdown] slide=fragment
# The packages the notebooks need import, and `bpcourse` finds its parts:

# %% slide=fragment
import importlib

for name in ["numpy", "matplotlib", "ipywidgets", "bpcourse.manual", "bpcourse.scalar", "bpcourse.viz",
             "bpcourse.widgets"]:
    importlib.import_module(name)
    print(f"import {name:18s} ok")

# %% [markdown] slide=slide
# ## Using the widgets
#
# Some cells show **widgets**: sliders, buttons and toggles that re-run a computation when you change them. To use them:
#
# - run the cell (widgets appear only after their cell has run in *your* kernel);
# - drag a slider and **release** it: the course's widgets recompute once on release, not while you drag;
# - click a slider's handle and use the arrow keys for single steps (Page Up/Down for bigger ones).
#
# If you see text such as `HBox(...)` or a message instead of a slider, the widget front-end is missing: `bpcourse doctor`
# says how to fix it. In a static view (GitHub, the slides) widgets never move, so each widget cell is followed by a cell
# that prints the same numbers as text. Try it: move $w$ and watch the loss of the lecture's model.

# %% tags=nbval-ignore-output slide=subslide
import ipywidgets as widgets

from bpcourse.manual import mse

w_slider = widgets.FloatSlider(value=1.0, min=0.0, max=4.0, step=0.1, description="w", continuous_update=False)
readout = widgets.Label()

def show_loss(change=None):
    readout.value = f"loss of y_hat = w*x on the lecture's data: {mse(w_slider.value, [1, 2, 3], [2, 4, 6]):.4f}"

w_slider.observe(show_loss, names="value")
show_loss()
widgets.HBox([w_slider, readout])

# %% [markdown] slide=fragment
# Widgets also work from Python: setting the slider's value runs the same update. This is how the course tests them,
# and how this cell prints what the widget would show at three settings.

# %% slide=fragment
for value in [1.0, 2.0, 3.0]:
    w_slider.value = value
    print(f"w = {value}: {readout.value}")

# %% [markdown] slide=slide
# ## How exercises are checked
#
# Each notebook 01–08 has an exercise notebook in `exercises/` with the same name. In it:
#
# 1. Find the cells that say `# YOUR CODE HERE` and `raise NotImplementedError()`; replace those two lines with your answer.
# 2. Run the **test cell** under each answer. Its `assert`s show what is expected; if one fails, the message says what is wrong.
# 3. When you are done, save the notebook and grade it from a terminal in the course folder:
#
# ```
# bpcourse grade exercises/01_linear_model_gradient_descent.ipynb
# ```
#
# The grader runs your notebook from the top in a fresh kernel (so it must run cleanly from start to finish), then calls
# your functions on **new inputs** it draws itself and compares them with its own reference (numpy, finite differences,
# torch). It prints the points for each question and, for a wrong answer, what was wrong. A question scores only if its
# test cell ran without error *and* every hidden check passed, so hard-coding the visible examples does not work.

# %% [markdown] slide=slide
# ## The map of the course
#
# | # | notebook | what happens | exercises |
# |---|---|---|---|
# | 00 | [Start here](00_start_here.ipynb) | this page | – |
# | 01 | [The linear model and gradient descent](01_linear_model_gradient_descent.ipynb) | the lecture's $\hat y = wx$, MSE, the gradient by hand, batch GD vs SGD, the largest stable learning rate | [01](../exercises/01_linear_model_gradient_descent.ipynb) |
# | 02 | [The chain rule and computational graphs](02_chain_rule_computational_graphs.ipynb) | graphs for $wx$, $wx+b$ and a sigmoid network; forward and backward tables by hand; why linear layers collapse | [02](../exercises/02_chain_rule_computational_graphs.ipynb) |
# | 03 | [Matrix calculus and back-propagation](03_matrix_calculus_backprop.ipynb) | $W\mathbf{x} + \mathbf{b}$ on batches, $\partial L/\partial W$ with shapes, Matrix Cookbook identities, a two-layer MLP by hand | [03](../exercises/03_matrix_calculus_backprop.ipynb) |
# | 04 | [Why reverse mode](04_why_reverse_mode.ipynb) | the upstream gradient is a vector and every backward is a vector-Jacobian product; finite differences vs forward vs reverse mode, counted and timed; the memory reverse mode pays, and checkpointing | [04](../exercises/04_why_reverse_mode.ipynb) |
# | 05 | [Autograd from scratch: scalars](05_autograd_from_scratch_scalar.ipynb) | build a `Value` engine that records the graph and back-propagates for you; topological order; the backward stepper; a small MLP on two moons | [05](../exercises/05_autograd_from_scratch_scalar.ipynb) |
# | 06 | [Autograd on tensors](06_tensor_autograd.ipynb) | from scalars to `bpcourse.Tensor`: `Function` with forward/backward, broadcasting, gradcheck; the lecture's program with `import bpcourse as torch` | [06](../exercises/06_tensor_autograd.ipynb) |
# | 07 | [PyTorch's autograd](07_pytorch_autograd.ipynb) | the lecture's torch code line by line: the dynamic graph, `.data`, `.item()`, the `sum += l` pitfall, `grad.zero_()`, a custom `autograd.Function` | [07](../exercises/07_pytorch_autograd.ipynb) |
# | 08 | [Training a network](08_training_a_network.ipynb) | a network trained on the 8×8 digits with `bpcourse` and with torch from the same initial weights | [08](../exercises/08_training_a_network.ipynb) |

# %% [markdown] slide=slide
# ## The seed lecture, claim by claim
#
# The course grew out of one Chinese study note on Liu Er's lecture 4 (*反向传播算法 Back-Propagation*, kept in
# `tests/data/lecture-notes.zh.txt`). Every claim it makes is quoted below, in Chinese 「like this」, with an English
# rendering, the section of the course that shows it with running code, and a correction where the note is loose.
# The map goes in the order of the note: first the mathematics, then its explanation of PyTorch, then the comments of
# its program.

# %% [markdown] slide=subslide
# ### The mathematics
#
# | note says | in English | shown in | correction |
# |---|---|---|---|
# | 「对于普通的简单的神经网络层,我们还能通过推导计算得到梯度表达式」 | For a simple layer we can still derive the gradient's formula by hand. | [01 · The gradient, derived by hand](01_linear_model_gradient_descent.ipynb#The-gradient,-derived-by-hand) | – |
# | 「权重w个数多,无法直接对权重w进行解析式求导」 | With many weights, the gradient cannot be derived analytically weight by weight. | [04 · A gradient, three ways, on notebook 08's network](04_why_reverse_mode.ipynb#A-gradient,-three-ways,-on-notebook-08's-network) | Not impossible, but costly and error-prone: notebook 03 derives a two-layer network by hand. Back-propagation computes the same exact derivatives, organised so that all of them together cost about two forward passes (04). |
# | 「通过形成计算图在图上传播梯度,利用链式法则对各个节点的梯度进行求解」 | Build a computational graph and propagate gradients over it, solving each node's gradient with the chain rule. | [02 · A computation is a graph](02_chain_rule_computational_graphs.ipynb#A-computation-is-a-graph) | More precisely: each node multiplies the upstream gradient, a vector, by its local Jacobian (a vector-Jacobian product, [04](04_why_reverse_mode.ipynb#The-upstream-gradient-is-a-vector;-each-backward-is-a-VJP)), and nodes are visited in reverse topological order ([05](05_autograd_from_scratch_scalar.ipynb#Why-the-order-matters:-reused-nodes)). |
# | 「应该以矩阵思维看待,w权重矩阵+b偏置量,将参数和输入输出都视为向量或者矩阵」 | Think of a layer in matrices: a weight matrix W plus a bias b, with parameters, inputs and outputs as vectors or matrices. | [03 · Deriving the gradients of a layer](03_matrix_calculus_backprop.ipynb#Deriving-the-gradients-of-a-layer) | – |
# | 「Matrix cookbook 是主要矩阵运算的参考资料」 | The Matrix Cookbook is the reference for matrix derivatives. | [03 · Identities from the Matrix Cookbook](03_matrix_calculus_backprop.ipynb#Identities-from-the-Matrix-Cookbook) | – |
# | 「会导致多个线性层直接连接与单一线性层的功能相同,无法表示足够的网络复杂程度」 | Linear layers connected directly do what a single linear layer does, which is not expressive enough. | [02 · Why the sigmoid? Two linear layers collapse into one](02_chain_rule_computational_graphs.ipynb#Why-the-sigmoid?-Two-linear-layers-collapse-into-one) | – |
# | 「在各个层之间连接处加入激活函数Sigmoid」 | So put a sigmoid activation between the layers. | [02 · A two-layer network with a sigmoid](02_chain_rule_computational_graphs.ipynb#A-two-layer-network-with-a-sigmoid) | Fine for two layers; in a deep stack each sigmoid multiplies the gradient by at most 1/4, so from notebook 05 on the course uses the ReLU ([03 · Going deep](03_matrix_calculus_backprop.ipynb#Going-deep:-ten-sigmoid-layers)). |
# | 「激活函数的本质是非线性映射」 | An activation function is, in essence, a non-linear map. | [02 · Why the sigmoid? Two linear layers collapse into one](02_chain_rule_computational_graphs.ipynb#Why-the-sigmoid?-Two-linear-layers-collapse-into-one) | – |
# | 「sigmoid: x -> 1/1+e^(-x1)」 | The sigmoid is x ↦ 1/1+e^(-x1). | [02 · A two-layer network with a sigmoid](02_chain_rule_computational_graphs.ipynb#A-two-layer-network-with-a-sigmoid) | Missing brackets and a typo: σ(x) = 1/(1 + e^(−x)). Its derivative is σ(x)(1 − σ(x)) ≤ 1/4. |
# | 「通过链式法则,累计求导,实际上就是高数中的复合函数求导和求偏导的相关知识」 | Then apply the chain rule and accumulate derivatives: the calculus of composite functions and partial derivatives. | [02 · Then the chain rule, from right to left](02_chain_rule_computational_graphs.ipynb#Then-the-chain-rule,-from-right-to-left) | "Accumulate" is exact: when a value feeds several nodes, its gradients are added ([05 · Why the order matters: reused nodes](05_autograd_from_scratch_scalar.ipynb#Why-the-order-matters:-reused-nodes)). |
# | 「首先前馈计算出loss函数,之后根据loss函数,之后反向求loss与输出Z导数」 | First compute the loss forward, then go backwards from the loss to the output Z's derivative. | [02 · The loss graph and its forward table](02_chain_rule_computational_graphs.ipynb#The-loss-graph-and-its-forward-table) | – |
# | 「因此可以求出loss与x和w的导数」 | So the loss's derivatives with respect to x and w can both be found. | [02 · The backward table: local gradients, then the chain rule](02_chain_rule_computational_graphs.ipynb#The-backward-table:-local-gradients,-then-the-chain-rule) | Only for tensors that require grad: in the seed's program x is a Python float and gets no gradient ([06 · A tensor graph, drawn](06_tensor_autograd.ipynb#A-tensor-graph,-drawn)). |
# | 「而x输入为固定,则根据w关于loss导数动态调整w进行更新」 | The input x is fixed, so w is updated using the loss's derivative with respect to w. | [01 · Gradient descent: batch and stochastic](01_linear_model_gradient_descent.ipynb#Gradient-descent:-batch-and-stochastic) | – |
# | 「pytorch是将导数存储在输入单元x中,而非运算模块f=x*w中」 | PyTorch stores the derivative in the input x, not in the operation f = x*w. | [07 · l.backward() and w.grad](07_pytorch_autograd.ipynb#l.backward()-and-w.grad) | Gradients live in `.grad` of **leaf tensors with `requires_grad=True`**: here `w`. In the seed's program `x` is a Python float and has no `.grad`. The operation's node (`grad_fn`) keeps the values its backward needs, not a derivative ([06 · A tensor graph, drawn](06_tensor_autograd.ipynb#A-tensor-graph,-drawn)). |
# | 「其中注意wx与wx+b的区别」 | Note the difference between wx and wx + b. | [02 · Adding a bias](02_chain_rule_computational_graphs.ipynb#Adding-a-bias) | – |

# %% [markdown] slide=subslide
# ### PyTorch, as the note explains it
#
# | note says | in English | shown in | correction |
# |---|---|---|---|
# | 「Pytorch基本数据类型tensor,用于储存所有数值(标量,向量,矩阵,高维矩阵)」 | The tensor is PyTorch's basic type and holds every kind of number: scalar, vector, matrix, higher-dimensional. | [06 · bpcourse.Tensor looks like torch.Tensor](06_tensor_autograd.ipynb#bpcourse.Tensor-looks-like-torch.Tensor) | – |
# | 「主要成员:data保存权重本身值+grad损失函数对权重的导数」 | Its main members: data, the weight's value, and grad, the loss's derivative with respect to it. | [07 · The update: w.data = w.data - 0.01 * w.grad.item()](07_pytorch_autograd.ipynb#The-update:-w.data-=-w.data---0.01-*-w.grad.item()) | `grad` is itself a tensor, `None` until the first `backward()`; a tensor also has `requires_grad`, `grad_fn` and `is_leaf`. |
# | 「tensor数据类型默认不进行梯度求导以节省运算」 | By default a tensor does not track gradients, to save computation; set w's flag to true. | [07 · torch.Tensor and requires_grad](07_pytorch_autograd.ipynb#w-=-torch.Tensor([1.0])-and-w.requires_grad-=-True) | – |
# | 「将x自动进行数据转化变换为tensor类型」 | Operator overloading converts x to a tensor automatically. | [06 · A tensor graph, drawn](06_tensor_autograd.ipynb#A-tensor-graph,-drawn) | x is used as a constant: it is not a node of the graph and gets no gradient. |
# | 「则该计算模块x*w也自动将梯度计算的表示符转化为true」 | Because w requires grad, the result x*w requires grad too. | [07 · torch.Tensor and requires_grad](07_pytorch_autograd.ipynb#w-=-torch.Tensor([1.0])-and-w.requires_grad-=-True) | – |
# | 「每进行一次调用和运行,就动态生成一次计算图」 | Every call builds the computational graph anew, dynamically. | [07 · The forward pass records a graph, every time](07_pytorch_autograd.ipynb#The-forward-pass-records-a-graph,-every-time) | – |
# | 「.backward()函数将整条计算链上的梯度全部进行计算并存储」 | `.backward()` computes and stores the gradients along the whole chain. | [07 · l.backward() and w.grad](07_pytorch_autograd.ipynb#l.backward()-and-w.grad) | Computed along the whole chain, but **stored only in leaves**; an intermediate tensor keeps no `.grad` unless you call `retain_grad()` ([06 · A tensor graph, drawn](06_tensor_autograd.ipynb#A-tensor-graph,-drawn)). |
# | 「在进行一次backward后,将之前生成的计算图进行清除释放」 | After one backward the graph is cleared and freed. | [07 · The graph is freed by backward()](07_pytorch_autograd.ipynb#The-graph-is-freed-by-backward()) | Precisely: the values saved for backward are freed, so a second `backward()` raises unless `retain_graph=True`. |
# | 「通过.data运算是直接运算其中的存储数据进行标量计算,而不构建计算图」 | Computing through `.data` works on the stored numbers directly, as scalar arithmetic, without building a graph. | [07 · .data can corrupt a gradient without a word](07_pytorch_autograd.ipynb#.data-can-corrupt-a-gradient-without-a-word) | Not scalar arithmetic: `w.data` is a tensor sharing `w`'s storage, without history. A change through it escapes the version counter and can corrupt a gradient silently; today updates go inside `torch.no_grad()`. |
# | 「如果使用w直接进行计算将在运算过程中构建计算图,产生大量冗余计算」 | Computing with w itself builds a graph: much redundant computation. | [07 · What goes wrong with w = w - 0.01 * w.grad](07_pytorch_autograd.ipynb#What-goes-wrong-with-w-=-w---0.01-*-w.grad) | Worse than redundant: the new `w` is no longer a leaf, its `.grad` is `None`, and the seed's next line fails. |
# | 「在计算中不可以定义sum使用sum += l将loss值累加」 | Do not add up the loss with `sum += l`: l is a tensor, so a graph is built; write `sum += l.item()`. | [07 · The sum += l pitfall, counted](07_pytorch_autograd.ipynb#The-sum-+=-l-pitfall,-counted) | Allowed, but it keeps every iteration's graph alive: 4 nodes per iteration, tens of MB for 20,000 ([07 · ... and measured in memory](07_pytorch_autograd.ipynb#...-and-measured-in-memory)). |

# %% [markdown] slide=subslide
# ### The comments of the seed's program
#
# | note says | in English | shown in | correction |
# |---|---|---|---|
# | 「预测模型的参数w应当作为tensor量进行定义」 (`w = torch.Tensor([1.0])`) | The model's parameter w should be defined as a tensor. | [07 · torch.Tensor and requires_grad](07_pytorch_autograd.ipynb#w-=-torch.Tensor([1.0])-and-w.requires_grad-=-True) | `torch.Tensor` is the legacy constructor; today: `torch.tensor([1.0], requires_grad=True)`. |
# | 「将tensor中的求导标识符定义为True,默认为False」 | Set the tensor's gradient flag to True; the default is False. | [07 · torch.Tensor and requires_grad](07_pytorch_autograd.ipynb#w-=-torch.Tensor([1.0])-and-w.requires_grad-=-True) | – |
# | 「注意:此时由于w是tensor张量,在进行乘法时自动讲x转换为张量,进行张量乘法」 | Because w is a tensor, x is converted to a tensor for the multiplication. | [06 · A tensor graph, drawn](06_tensor_autograd.ipynb#A-tensor-graph,-drawn) | As above: x becomes a constant of the operation, not a node with a gradient. |
# | 「计算梯度,注意此时进行的是计算图运算」 | Compute the gradient: this runs over the computational graph. | [07 · l.backward() and w.grad](07_pytorch_autograd.ipynb#l.backward()-and-w.grad) | – |
# | 「w属于张量,运算将生成计算图,因此用item函数调用标量数据」 | w is a tensor and computing with it builds a graph, so use `item()` to get the plain number. | [07 · The update: w.data = w.data - 0.01 * w.grad.item()](07_pytorch_autograd.ipynb#The-update:-w.data-=-w.data---0.01-*-w.grad.item()) | `w.grad` has no history, so printing it builds no graph; `.item()` simply turns a one-element tensor into a Python float. |
# | 「梯度清零」 | Zero the gradient (`w.grad.data.zero_()`). | [07 · Forgetting w.grad.data.zero_()](07_pytorch_autograd.ipynb#Forgetting-w.grad.data.zero_()) | `w.grad.zero_()` is enough (no `.data` needed); `optimizer.zero_grad()` sets gradients to `None` ([07 · The modern idioms](07_pytorch_autograd.ipynb#The-modern-idioms)). |
# | 「调用forward函数计算预测值」, 「返回损失」, 「计算损失函数」 | Call forward to predict; return the loss; compute the loss. | [01 · The loss: mean squared error](01_linear_model_gradient_descent.ipynb#The-loss:-mean-squared-error) | – |
# | 「输出未训练的结果」, 「输出训练预测值」 | Print the prediction before and after training. | [07 · The seed program](07_pytorch_autograd.ipynb#The-seed-program) | – |

# %% [markdown] slide=slide
# ## Summary
#
# - Each notebook: why, then maths, then a short cell, then a printed check against the expected value.
# - `bpcourse doctor` (or the cell above) says whether your setup is ready and what to fix.
# - Widgets update when you release a slider; the cell after each widget prints the same numbers as text.
# - Exercises: replace `raise NotImplementedError()`, run the test cells, then `bpcourse grade exercises/NN_topic.ipynb`.
# - Every claim of the seed lecture's note is mapped above to the section that shows it, with corrections where it is loose.
#
# **Next:** [01 — the linear model and gradient descent](01_linear_model_gradient_descent.ipynb).
