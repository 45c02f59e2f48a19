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
# | 1. a new op: softplus | implement a backward rule | 3 |
# | 2. topological order without recursion | implement | 2 |
# | 3. a reused node, by hand | derive and compute | 1 |
# | 4. the backward pass | implement | 2 |

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "setup"}, "editable": false, "deletable": false}
import inspect
import math

from bpcourse.scalar import Value, topological_order

print(inspect.getsource(Value.tanh))

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q1_softplus_task"}, "editable": false, "deletable": false}
# ## Question 1: a new op, softplus (3 points)
#
# $$\operatorname{softplus}(a) = \log(1 + e^{a}), \qquad \frac{d}{da}\operatorname{softplus}(a) = ?$$
#
# Derive the derivative (it is a function you met in notebook 02), then write `softplus(a)` that
# takes a `Value` and returns a new `Value` node whose input is `a` and whose local derivative is
# stored for `backward()`. Compute the forward value without overflow for $a$ up to 50 (e.g. use
# `math.log1p` and, for large $a$, $\log(1 + e^a) = a + \log(1 + e^{-a})$).

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q1_softplus_answer"}}
def softplus(a):
    ### BEGIN SOLUTION
    x = a.data
    y = x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))
    local = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))  # sigmoid(x)
    return Value._result(y, "softplus", a, local)
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q1_softplus", "points": 3}, "editable": false, "deletable": false}
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

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q2_topo_task"}, "editable": false, "deletable": false}
# ## Question 2: topological order without recursion (2 points)
#
# Write `topo_order(root)` that returns a list of every node `root` depends on, each node exactly
# once, each node after all of its inputs, `root` last. Use an explicit stack, not recursion: it
# must work on a chain of 5,000 nodes (Python's recursion limit is 1,000). Do not call the
# library's `topological_order` (the grader checks your function against the graph, not against it).

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q2_topo_answer"}}
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

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q2_topo", "points": 2}, "editable": false, "deletable": false}
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

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q3_reused_task"}, "editable": false, "deletable": false}
# ## Question 3: a reused node, by hand (1 point)
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

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q3_reused_answer"}}
### BEGIN SOLUTION
# c = 2a * a + a: path through b (dc/db * db/da = a * 2), the direct factor in b*a (b = 2a), and "+ a" (1)
a_grad = 3.0 * 2 + 2 * 3.0 + 1.0  # 13
### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q3_reused", "points": 1}, "editable": false, "deletable": false}
assert isinstance(a_grad, float), 'a_grad should be a Python float'
# A learner who overwrites instead of accumulating finds a smaller number; the test does not say which.
assert a_grad > 1.0, 'add the contributions of every path from c to a'

# %% [markdown] slide=slide meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "q4_backward_task"}, "editable": false, "deletable": false}
# ## Question 4: the backward pass (2 points)
#
# Write `backward(root)` that fills `.grad` of every node of the graph with $\partial\,\text{root}/\partial\,\text{node}$,
# as `root.backward()` does on a fresh graph: set every grad to 0, seed `root.grad = 1.0`, then visit the
# nodes outputs-first (reverse topological order; you may use the library's `topological_order`) and
# hand `local * node.grad` to each input. Do not call `root.backward()`.

# %% meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": true, "locked": false, "grade_id": "q4_backward_answer"}}
def backward(root):
    ### BEGIN SOLUTION
    order = topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):  # outputs first: a node's grad is complete before it is passed on
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * node.grad
    ### END SOLUTION

# %% meta={"nbgrader": {"schema_version": 3, "grade": true, "solution": false, "locked": true, "grade_id": "q4_backward", "points": 2}, "editable": false, "deletable": false}
x, w = Value(2.0), Value(-3.0)
y = (x * w).tanh() + x
backward(y)
assert y.grad == 1.0, "the root's grad should be seeded with 1.0"
assert abs(x.grad - ((1 - math.tanh(-6.0) ** 2) * -3.0 + 1.0)) < 1e-12, 'x.grad is wrong: x feeds two paths, add both'
### BEGIN HIDDEN TESTS
p = Value(0.7)
q = p * p * p  # p reused: dq/dp = 3 p^2
backward(q)
assert abs(p.grad - 3 * 0.49) < 1e-12, 'dq/dp is wrong: p is used three times'
backward(q)  # a second call starts from zero, it does not accumulate
assert abs(p.grad - 3 * 0.49) < 1e-12, 'dq/dp is wrong: p is used three times'
### END HIDDEN TESTS

# %% [markdown] meta={"nbgrader": {"schema_version": 3, "grade": false, "solution": false, "locked": true, "grade_id": "summary"}, "editable": false, "deletable": false}
# ## Summary
#
# An op is its forward value plus its local derivative; `backward()` is one topological sort and one
# loop of `parent.grad += local * node.grad`, outputs first. The `+=` is what makes a reused node right,
# and an explicit stack makes the sort work at any depth. Next: `06_tensor_autograd`.
