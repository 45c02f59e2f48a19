"""Checks for solutions/05_autograd_from_scratch_scalar.ipynb (bpcourse.scalar.Value).

Graphs are described here as plain data (a *spec*: leaf values, then ops that refer to earlier
nodes by index); the probe builds the graph with ``bpcourse.scalar.Value`` in the kernel and hands
back only numbers and labels. ``verify`` evaluates the spec itself in floats and differentiates by
central differences, so nothing the kernel computes is used as a reference.
"""
from __future__ import annotations

import math

import numpy as np

from bpcourse.grader.api import Check
from bpcourse.grader.expect import central_diff as _diff, close as _close, one_per_case


# ---------------------------------------------------------------- graph specs
def _random_spec(rng, n_leaves: int = 3, n_ops: int = 7) -> dict:
    """Leaves, then ops on earlier nodes; the same node may feed an op twice (a + a)."""
    leaves = rng.uniform(-1.5, 1.5, n_leaves).round(4).tolist()
    ops = []
    for k in range(n_ops):
        n_nodes = n_leaves + k
        kind = ["+", "*", "tanh", "*"][int(rng.integers(0, 4))]
        i = int(rng.integers(max(0, n_nodes - 4), n_nodes))  # keep recent nodes in use
        if kind == "tanh":
            ops.append([kind, i])
        else:
            ops.append([kind, i, int(rng.integers(0, n_nodes))])
    return {"leaves": leaves, "ops": ops}


def _evaluate(spec: dict, leaves: list[float]) -> float:
    values = list(leaves)
    for op in spec["ops"]:
        if op[0] == "+":
            values.append(values[op[1]] + values[op[2]])
        elif op[0] == "*":
            values.append(values[op[1]] * values[op[2]])
        else:
            values.append(math.tanh(values[op[1]]))
    return values[-1]


def _parents(spec: dict) -> dict[int, set[int]]:
    n_leaves = len(spec["leaves"])
    parents = {i: set() for i in range(n_leaves)}
    for k, op in enumerate(spec["ops"]):
        parents[n_leaves + k] = set(op[1:])
    return parents


def _reachable(spec: dict) -> set[int]:
    """Indices of the nodes the root (the last node) depends on, itself included."""
    parents = _parents(spec)
    root = len(parents) - 1
    reachable, todo = {root}, [root]
    while todo:
        for p in parents[todo.pop()]:
            if p not in reachable:
                reachable.add(p)
                todo.append(p)
    return reachable


_BUILD = """
from bpcourse.scalar import Value as _Value
def _build(spec):
    nodes = [_Value(v, label=f"n{i}") for i, v in enumerate(spec["leaves"])]
    for op in spec["ops"]:
        if op[0] == "+":
            out = nodes[op[1]] + nodes[op[2]]
        elif op[0] == "*":
            out = nodes[op[1]] * nodes[op[2]]
        else:
            out = nodes[op[1]].tanh()
        out.label = f"n{len(nodes)}"
        nodes.append(out)
    return nodes
"""


# ---------------------------------------------------------------- q4: softplus
def _q4_inputs(rng):
    xs = rng.uniform(-6, 6, 5).round(4).tolist() + [40.0, -40.0]
    return {"xs": xs, "scale": float(rng.uniform(0.5, 2.0)), "outer": float(rng.uniform(-2.0, 2.0))}


_Q4_PROBE = """
from bpcourse.scalar import Value as _Value
RESULT = []
for _x in INPUTS["xs"]:
    _a = _Value(_x)
    _inner = _a * INPUTS["scale"]
    _out = softplus(_inner)
    _root = _out * INPUTS["outer"]
    _root.backward()
    RESULT.append({"data": float(_out.data), "grad": float(_a.grad),
                   "is_new_node": isinstance(_out, _Value) and _out is not _inner,
                   "input_is_a": tuple(_out.parents) == (_inner,)})
"""


def _softplus(x: float) -> float:
    return x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))


def _q4_verify(inputs, result):
    one_per_case(result, inputs["xs"], "softplus did not give one result per input")
    s, k = inputs["scale"], inputs["outer"]
    for x, got in zip(inputs["xs"], result):
        if not isinstance(got, dict):
            raise AssertionError("could not read softplus's output node")
        if got.get("is_new_node") is not True:
            raise AssertionError("softplus must return a new Value node")
        if got.get("input_is_a") is not True:
            raise AssertionError("softplus's output node must have exactly its argument as input (.parents)")
        _close(f"softplus({x * s:.4g})", got.get("data"), _softplus(x * s), rtol=1e-9)
        want = _diff(lambda v: k * _softplus(v * s), x, 1e-5)
        _close(f"d/da of {k:.3g} * softplus({s:.3g} * a) at a = {x:.4g}", got.get("grad"), want,
               rtol=1e-5, atol=1e-8)


# ---------------------------------------------------------------- q3: topological order
def _q3_inputs(rng):
    return {"specs": [_random_spec(rng, int(rng.integers(2, 5)), int(rng.integers(4, 10))) for _ in range(4)]}


_Q3_PROBE = _BUILD + """
RESULT = [[getattr(_n, "label", "?") for _n in topo_order(_build(_spec)[-1])] for _spec in INPUTS["specs"]]
"""


def _check_order(labels, spec: dict) -> None:
    if not isinstance(labels, list) or not all(isinstance(s, str) for s in labels):
        raise AssertionError("topo_order should return a list of nodes")
    parents = _parents(spec)
    root = len(parents) - 1
    reachable = _reachable(spec)
    want = {f"n{i}" for i in reachable}
    if len(labels) != len(set(labels)):
        dup = next(s for s in labels if labels.count(s) > 1)
        raise AssertionError(f"node {dup} appears more than once (a reused node must be visited once)")
    if set(labels) != want:
        missing = sorted(want - set(labels))
        extra = sorted(set(labels) - want)
        raise AssertionError(f"topo_order has the wrong nodes: missing {missing[:5]}, unexpected {extra[:5]}")
    if labels[-1] != f"n{root}":
        raise AssertionError("the root must come last")
    position = {s: i for i, s in enumerate(labels)}
    for child in reachable:
        for p in parents[child]:
            if position[f"n{p}"] > position[f"n{child}"]:
                raise AssertionError(f"node n{p} comes after n{child}, which uses it")


def _q3_verify(inputs, result):
    one_per_case(result, inputs["specs"], "topo_order did not give one order per graph")
    for spec, labels in zip(inputs["specs"], result):
        _check_order(labels, spec)


def _q3_deep_inputs(rng):
    return {"length": int(rng.integers(3000, 4000))}


_Q3_DEEP_PROBE = """
from bpcourse.scalar import Value as _Value
_c = _Value(1.0, label="c")
_x = _Value(0.5, label="x0")
for _i in range(1, INPUTS["length"]):
    _x = _x * _c
    _x.label = f"x{_i}"
RESULT = [getattr(_n, "label", "?") for _n in topo_order(_x)]
"""


def _q3_deep_verify(inputs, result):
    n = inputs["length"]
    ops = [["*", 1, 0]] + [["*", k + 1, 0] for k in range(1, n - 1)]
    # leaves: n0 = c, n1 = x0; op k makes node k + 2 = x_{k+1} from node k + 1 and c
    spec = {"leaves": [1.0, 0.5], "ops": ops}
    if not isinstance(result, list) or not all(isinstance(s, str) for s in result):
        raise AssertionError("topo_order should return a list of nodes")
    rename = {"c": "n0", **{f"x{i}": f"n{i + 1}" for i in range(n)}}
    _check_order([rename.get(s, s) for s in result], spec)


# ---------------------------------------------------------------- q1: reused node by hand
_Q1_PROBE = "RESULT = float(a_grad)"


def _q1_verify(inputs, result):
    _close("a_grad", result, _diff(lambda a: (a + a) * a + a, 3.0), rtol=1e-6)


# ---------------------------------------------------------------- q5: forward mode
def _q5_inputs(rng):
    return {"specs": [_random_spec(rng, int(rng.integers(2, 5)), int(rng.integers(4, 10))) for _ in range(4)]}


_Q5_PROBE = _BUILD + """
RESULT = []
for _spec in INPUTS["specs"]:
    _nodes = _build(_spec)
    from bpcourse.scalar import topological_order as _topo
    _all = _topo(_nodes[-1])
    for _n in _all:
        _n.grad = 0.25  # a marker: tangent must leave .grad alone
    _dots = [float(tangent(_nodes[-1], _leaf)) for _leaf in _nodes[:len(_spec["leaves"])]]
    RESULT.append({"dots": _dots, "grads_untouched": all(_n.grad == 0.25 for _n in _all)})
"""


def _q5_verify(inputs, result):
    one_per_case(result, inputs["specs"], "tangent did not run on every graph")
    for spec, got in zip(inputs["specs"], result):
        if not isinstance(got, dict) or not isinstance(got.get("dots"), list) or len(got["dots"]) != len(spec["leaves"]):
            raise AssertionError("could not read tangent's derivatives")
        for i, value in enumerate(got["dots"]):
            def f(v, i=i):
                leaves = list(spec["leaves"])
                leaves[i] = v
                return _evaluate(spec, leaves)
            want = _diff(f, spec["leaves"][i], 1e-6)
            _close(f"tangent(root, leaf {i}) in a {len(spec['ops'])}-op graph", value, want, rtol=1e-5, atol=1e-7)
        if got.get("grads_untouched") is not True:
            raise AssertionError("tangent changed .grad of some node: keep the tangents in your own dict")


# ---------------------------------------------------------------- q2: predict two backward() calls
_Q2_PROBE = "RESULT = [float(predicted_a_grad), float(predicted_h_grad)]"


def _q2_verify(inputs, result):
    if not isinstance(result, list) or len(result) != 2:
        raise AssertionError("could not read predicted_a_grad and predicted_h_grad")
    a, b = 2.0, -1.5  # L = a * b + a: dL/da = b + 1, dL/dh = 1 in each pass
    if _close_enough(result[0], b + 1):
        raise AssertionError("predicted_a_grad is one pass's gradient: a leaf's .grad accumulates over both calls")
    _close("predicted_a_grad", result[0], 2 * (b + 1))
    if _close_enough(result[1], 2.0):
        raise AssertionError("predicted_h_grad is wrong: an intermediate node shows only this pass's gradient")
    _close("predicted_h_grad", result[1], 1.0)


def _close_enough(got, want: float) -> bool:
    return isinstance(got, (int, float)) and not isinstance(got, bool) and abs(got - want) < 1e-9


CHECKS = [
    Check(grade_id="q4_softplus", inputs=_q4_inputs, probe=_Q4_PROBE, verify=_q4_verify),
    Check(grade_id="q3_topo", inputs=_q3_inputs, probe=_Q3_PROBE, verify=_q3_verify),
    Check(grade_id="q3_topo", inputs=_q3_deep_inputs, probe=_Q3_DEEP_PROBE, verify=_q3_deep_verify),
    Check(grade_id="q1_reused", inputs=lambda rng: {}, probe=_Q1_PROBE, verify=_q1_verify),
    Check(grade_id="q5_tangent", inputs=_q5_inputs, probe=_Q5_PROBE, verify=_q5_verify),
    Check(grade_id="q2_predict", probe=_Q2_PROBE, verify=_q2_verify),
]
