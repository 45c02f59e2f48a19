# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "intro"}, "editable": false, "deletable": false}
# # Exercises 05: autograd from scratch, on scalars
#
# These exercises go with `notebooks/05_autograd_from_scratch_scalar.ipynb` and use
# `bpcourse.scalar.Value`. Recall how the engine stores a graph: every node has `.data`, `.grad`,
# its inputs as `.parents` (a tuple, in operand order; `()` for a leaf) and, computed in the forward
# pass, the local derivatives $\partial\,\text{node} / \partial\,\text{input}$ as `.local_grads`, one per
# parent. An op makes its output node with `Value._result(data, op_name, a, da)` (one input `a` with
# local derivative `da`; a two-input op adds `b, db`). The setup cell prints `tanh` as an example.
# `backward()` walks the graph outputs-first doing `parent.grad += local * node.grad`.
#
# | question | kind | points |
# |---|---|---|
# | 1. a reused node, by hand | derive and compute | 1 |
# | 2. two `backward()` calls: predict, then run | predict | 1 |
# | 3. topological order without recursion | implement | 2 |
# | 4. a new op: softplus | implement a backward rule | 3 |
# | 5. forward mode on the same graph | implement | 3 |

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "setup"}, "editable": false, "deletable": false}
import inspect
import math

from bpcourse.scalar import Value, topological_order

print(inspect.getsource(Value.tanh))

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q1_reused_task"}, "editable": false, "deletable": false}
# ## Question 1: a reused node, by hand (1 point)
#
# ```python
# a = Value(3.0)
# b = a + a
# c = b * a + a
# ```
#
# `a` feeds three edges. Apply the chain rule along each path from `c` back to `a` and **add** the
# contributions (this is why `backward()` uses `+=`). Store $\partial c / \partial a$ at $a = 3$ in
# `a_grad` (a float). Do not call `backward()` for this: the test does that for you.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q1_reused_answer"}}
### BEGIN SOLUTION
# c = 2a * a + a: path through b (dc/db * db/da = a * 2), the direct factor in b*a (b = 2a), and "+ a" (1)
a_grad = 3.0 * 2 + 2 * 3.0 + 1.0  # 13
### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q1_reused", "points": 1}, "editable": false, "deletable": false}
assert isinstance(a_grad, float), 'a_grad should be a Python float'
# A learner who overwrites instead of accumulating finds a smaller number; the test does not say which.
assert a_grad > 1.0, 'add the contributions of every path from c to a'

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q2_predict_task"}, "editable": false, "deletable": false}
# ## Question 2: two `backward()` calls: predict, then run (1 point)
#
# Read the code in the next locked cell but **do not run it yet**. It builds
# $h = a \cdot b$, $L = h + a$ with `bpcourse.scalar` and calls `L.backward()` **twice**, without zeroing.
# Predict what the second call leaves in `a.grad` (a leaf) and in `h.grad` (an intermediate node),
# and write your predictions as floats into `predicted_a_grad` and `predicted_h_grad`. Then run the
# cells. (Graded on your prediction; `help(Value.backward)` says what the engine promises.)
#
# ```python
# a, b = Value(2.0), Value(-1.5)
# h = a * b
# L = h + a
# L.backward()
# L.backward()
# ```

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q2_predict_answer"}}
### BEGIN SOLUTION
# dL/da = b + 1 = -0.5 per pass, and a leaf accumulates over both passes: -1.0.
# An intermediate node shows this pass's dL/dh = 1.0, not a sum.
predicted_a_grad = -1.0
predicted_h_grad = 1.0
### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q2_predict", "points": 1}, "editable": false, "deletable": false}
a, b = Value(2.0), Value(-1.5)
h = a * b
L = h + a
L.backward()
L.backward()
print(f"a.grad: predicted {predicted_a_grad}, got {a.grad};  h.grad: predicted {predicted_h_grad}, got {h.grad}")
assert isinstance(predicted_a_grad, float) and isinstance(predicted_h_grad, float), 'write your predictions as floats'
assert predicted_a_grad == a.grad, 'your prediction of a.grad differs from what the engine did; read the docstring of Value.backward'
assert predicted_h_grad == h.grad, 'your prediction of h.grad differs from what the engine did'

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q3_topo_task"}, "editable": false, "deletable": false}
# ## Question 3: topological order without recursion (2 points)
#
# Write `topo_order(root)` that returns a list of every node `root` depends on, each node exactly
# once, each node after all of its inputs, `root` last. Use an explicit stack, not recursion: it
# must work on a chain of 5,000 nodes (Python's recursion limit is 1,000). Do not call the
# library's `topological_order` (the grader checks your function against the graph, not against it).

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q3_topo_answer"}}
def topo_order(root):
    ### BEGIN SOLUTION
    order, visited = [], {root}
    stack = [(root, iter(root.parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent not in visited:
                visited.add(parent)
                stack.append((parent, iter(parent.parents)))
                break
        else:  # every input of node is already in the order
            stack.pop()
            order.append(node)
    return order
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q3_topo", "points": 2}, "editable": false, "deletable": false}
a, b = Value(2.0, label="a"), Value(-1.0, label="b")
c = a * b
c.label = "c"
d = c + a
d.label = "d"  # a is used twice
order = topo_order(d)
assert [n.label for n in order][-1] == "d" and len(order) == 4, 'expected the 4 nodes once each, root last'
assert order.index(a) < order.index(c) < order.index(d) and order.index(b) < order.index(c), 'every node must come after its inputs'
# A long chain: no RecursionError.
x = Value(1.0)
for _ in range(5000):
    x = x * 1.0
assert len(topo_order(x)) == 10001, 'expected every node of the long chain exactly once'  # 5001 chain nodes + 5000 constants

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q4_softplus_task"}, "editable": false, "deletable": false}
# ## Question 4: a new op, softplus (3 points)
#
# $$\operatorname{softplus}(a) = \log(1 + e^{a}), \qquad \frac{d}{da}\operatorname{softplus}(a) = ?$$
#
# Derive the derivative (it is a function you met in notebook 02), then write `softplus(a)` that
# takes a `Value` and returns a new `Value` node whose input is `a` and whose local derivative is
# stored for `backward()`. Compute the forward value without overflow for $a$ up to 50 (e.g. use
# `math.log1p` and, for large $a$, $\log(1 + e^a) = a + \log(1 + e^{-a})$).

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q4_softplus_answer"}}
def softplus(a):
    ### BEGIN SOLUTION
    x = a.data
    y = x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))
    local = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))  # sigmoid(x)
    return Value._result(y, "softplus", a, local)
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q4_softplus", "points": 3}, "editable": false, "deletable": false}
a = Value(0.0)
out = softplus(a)
assert isinstance(out, Value) and out is not a, 'softplus should return a new Value node'
assert abs(out.data - math.log(2.0)) < 1e-12, 'softplus(0) should be log 2'
out.backward()
assert abs(a.grad - 0.5) < 1e-12, 'after backward, a.grad should be the slope of softplus at 0'  # the slope at 0
# The op must be part of the graph: a gradient flows through it inside a bigger expression.
b = Value(1.5)
loss = softplus(b * 2.0) * 3.0
loss.backward()
assert b.grad > 0, 'no gradient reached b: is the output node linked to its input?'
print(f"softplus(0) = {out.data:.6f}, d/da at 0 = {a.grad}")

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q5_tangent_task"}, "editable": false, "deletable": false}
# ## Question 5: forward mode on the same graph (3 points)
#
# `backward()` walks the graph outputs-first and gives $\partial\,\text{root} / \partial\,\text{leaf}$ for
# every leaf at once. Forward mode walks it **inputs-first** and gives the derivative with respect to
# **one** input: seed that input with the tangent $\dot{x} = 1$ (every other leaf gets $0$), and give each
# node the tangent
#
# $$\dot{n} = \sum_{\text{inputs } p \text{ of } n} \frac{\partial n}{\partial p}\, \dot{p} .$$
#
# Write `tangent(root, leaf)` returning $\partial\,\text{root} / \partial\,\text{leaf}$ as a float, computed this
# way from `.parents` and `.local_grads` (you may use `topological_order`). Keep the tangents in your
# own dict: do not call `backward()` and do not change any node's `.grad`.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q5_tangent_answer"}}
def tangent(root, leaf):
    ### BEGIN SOLUTION
    dots = {}
    for node in topological_order(root):  # inputs first: every input's tangent is ready
        if node is leaf:
            dots[node] = 1.0
        else:
            dots[node] = sum(d * dots[p] for p, d in zip(node.parents, node.local_grads))
    return float(dots.get(root, 0.0))
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q5_tangent", "points": 3}, "editable": false, "deletable": false}
x, w = Value(0.5), Value(-1.2)
y = (x * w).tanh() * x + w
dy_dx, dy_dw = tangent(y, x), tangent(y, w)
assert isinstance(dy_dx, float), 'tangent should return a Python float'
assert x.grad == 0.0 and w.grad == 0.0 and y.grad == 0.0, 'tangent must not touch .grad (no backward())'
y.backward()
print(f"forward mode: dy/dx = {dy_dx:.6f}, dy/dw = {dy_dw:.6f}; reverse mode: {x.grad:.6f}, {w.grad:.6f}")
assert abs(dy_dx - x.grad) < 1e-12 and abs(dy_dw - w.grad) < 1e-12, 'forward and reverse mode should agree'
### BEGIN HIDDEN TESTS
p = Value(0.7)
q = p * p * p  # p reused: dq/dp = 3 p^2
assert abs(tangent(q, p) - 3 * 0.49) < 1e-12, 'dq/dp is wrong: p is used three times'
### END HIDDEN TESTS

# %% [markdown] meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "summary"}, "editable": false, "deletable": false}
# ## Summary
#
# An op is its forward value plus its local derivative; `backward()` is one topological sort and one
# loop of `parent.grad += local * node.grad`, outputs first. The `+=` is what makes a reused node right,
# and an explicit stack makes the sort work at any depth. Walking the same graph inputs-first gives
# forward mode: one input's derivative per pass, where backward gives every leaf's in one.
# Next: `06_tensor_autograd`.
