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
# ## Summary
#
# - Each notebook: why, then maths, then a short cell, then a printed check against the expected value.
# - `bpcourse doctor` (or the cell above) says whether your setup is ready and what to fix.
# - Widgets update when you release a slider; the cell after each widget prints the same numbers as text.
# - Exercises: replace `raise NotImplementedError()`, run the test cells, then `bpcourse grade exercises/NN_topic.ipynb`.
#
# **Next:** [01 — the linear model and gradient descent](01_linear_model_gradient_descent.ipynb).
