"""The table of op cases shared by the torch-parity and gradcheck tests.

Each case is written once against a module namespace ``t`` (bpcourse or torch), so the very
same expression runs on both engines. ``args`` says how to draw each input:
  "x"   any real, "pos" positive, "unit" in (0, 1), "nz" away from 0,
  "cls" class indices for the last input of a loss.
``shapes`` draws the input shapes (broadcastable for binary ops).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import hypothesis.strategies as st
import numpy as np
from hypothesis.extra import numpy as hnp


@dataclass(frozen=True)
class Case:
    name: str
    fn: Callable[..., Any]
    args: tuple
    shapes: Any


def one(min_dims: int = 0, max_dims: int = 3, min_side: int = 1) -> Any:
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=4).map(lambda s: (s,))


def broadcast_pair(min_dims: int = 0) -> Any:
    return hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=min_dims, max_dims=3, max_side=4).map(
        lambda b: b.input_shapes)


@st.composite
def matmul_shapes(draw: Any) -> tuple:
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    kind = draw(st.sampled_from(["mm", "mv", "vm", "dot", "bmm", "broadcast"]))
    if kind == "mm":
        return (n, k), (k, m)
    if kind == "mv":
        return (n, k), (k,)
    if kind == "vm":
        return (k,), (k, m)
    if kind == "dot":
        return (k,), (k,)
    b = draw(st.integers(1, 3))
    return ((b, n, k), (b, k, m)) if kind == "bmm" else ((b, n, k), (k, m))


@st.composite
def matrix(draw: Any, min_rows: int = 1) -> tuple:
    return ((draw(st.integers(min_rows, 4)), draw(st.integers(1, 4))),)


@st.composite
def linear_shapes(draw: Any) -> tuple:
    n, i, o = (draw(st.integers(1, 4)) for _ in range(3))
    return (n, i), (o, i), (o,)


@st.composite
def same_pair(draw: Any) -> tuple:
    s = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    return s, s


@st.composite
def logits_and_classes(draw: Any) -> tuple:
    return (draw(st.integers(1, 5)), draw(st.integers(2, 5))), (-1,)


@st.composite
def with_dim(draw: Any) -> tuple:
    s = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    return (s,)


def _dim(x: Any) -> int:
    return x.dim() - 1


def _reversed_positions(t: Any, a: Any) -> Any:
    """An index for gather along the last dim: each row's positions backwards."""
    return t.from_numpy(np.indices(tuple(a.shape))[-1][..., ::-1].copy())


CASES = [
    # ----- binary, broadcasting
    Case("add", lambda t, a, b: a + b, ("x", "x"), broadcast_pair()),
    Case("sub", lambda t, a, b: a - b, ("x", "x"), broadcast_pair()),
    Case("mul", lambda t, a, b: a * b, ("x", "x"), broadcast_pair()),
    Case("div", lambda t, a, b: a / b, ("x", "nz"), broadcast_pair()),
    Case("pow_tensor", lambda t, a, b: a ** b, ("pos", "x"), broadcast_pair()),
    Case("scalar_ops", lambda t, a: (2.5 - a) * 3 / (1.5 + a * a) - 1, ("x",), one()),
    Case("rsub_rdiv", lambda t, a: 1 - 2 / a, ("nz",), one()),
    # ----- unary
    Case("neg", lambda t, a: -a, ("x",), one()),
    Case("exp", lambda t, a: t.exp(a), ("x",), one()),
    Case("log", lambda t, a: t.log(a), ("pos",), one()),
    Case("sqrt", lambda t, a: t.sqrt(a), ("pos",), one()),
    Case("abs", lambda t, a: a.abs(), ("nz",), one()),
    Case("sin", lambda t, a: t.sin(a), ("x",), one()),
    Case("cos", lambda t, a: t.cos(a), ("x",), one()),
    Case("sigmoid", lambda t, a: t.sigmoid(a), ("x",), one()),
    Case("tanh", lambda t, a: t.tanh(a), ("x",), one()),
    Case("relu", lambda t, a: t.relu(a), ("nz",), one()),
    Case("pow2", lambda t, a: a ** 2, ("x",), one()),
    Case("pow3", lambda t, a: a ** 3, ("x",), one()),
    Case("pow_half", lambda t, a: a ** 0.5, ("pos",), one()),
    Case("pow_neg", lambda t, a: a ** -1.5, ("pos",), one()),
    Case("clamp", lambda t, a: a.clamp(min=-0.5123, max=0.7531), ("nz",), one()),
    # ----- reductions
    Case("sum", lambda t, a: a.sum(), ("x",), one()),
    Case("sum_dim", lambda t, a: a.sum(dim=-1), ("x",), one(min_dims=1)),
    Case("sum_keepdim", lambda t, a: a.sum(0, keepdim=True), ("x",), one(min_dims=1)),
    Case("sum_dims", lambda t, a: a.sum(dim=(0, -1)), ("x",), one(min_dims=2)),
    Case("mean", lambda t, a: a.mean(), ("x",), one()),
    Case("mean_dim", lambda t, a: a.mean(dim=0), ("x",), one(min_dims=1)),
    Case("max", lambda t, a: a.max(), ("x",), one()),
    Case("max_dim", lambda t, a: a.max(dim=-1)[0], ("x",), one(min_dims=1)),
    # ----- linear algebra
    Case("matmul", lambda t, a, b: a @ b, ("x", "x"), matmul_shapes()),
    Case("linear", lambda t, x, w, b: t.nn.functional.linear(x, w, b), ("x", "x", "x"), linear_shapes()),
    # ----- shapes
    Case("reshape", lambda t, a: a.reshape(-1), ("x",), one()),
    Case("view", lambda t, a: a.view(a.shape[0], -1), ("x",), one(min_dims=1)),
    Case("transpose", lambda t, a: a.transpose(0, -1), ("x",), one(min_dims=1)),
    Case("T", lambda t, a: a.T * 1, ("x",), one(min_dims=2, max_dims=2)),
    Case("t", lambda t, a: a.t(), ("x",), one(max_dims=2)),
    Case("permute", lambda t, a: a.permute(2, 0, 1), ("x",), one(min_dims=3)),
    Case("unsqueeze", lambda t, a: a.unsqueeze(0).squeeze(0), ("x",), one()),
    Case("flatten", lambda t, a: a.flatten(), ("x",), one()),
    Case("index_int", lambda t, a: a[0], ("x",), one(min_dims=1)),
    Case("index_slice", lambda t, a: a[1:, ..., :2], ("x",), one(min_dims=2)),
    Case("index_array", lambda t, a: a[t.tensor([0, 0, -1])], ("x",), one(min_dims=1)),
    Case("index_mask", lambda t, a: a[a > 0], ("nz",), one(min_dims=1)),  # "nz": the mask must not flip within gradcheck's eps
    Case("cat", lambda t, a, b: t.cat([a, b * 2], dim=0), ("x", "x"), same_pair()),
    Case("stack", lambda t, a, b: t.stack([a, b], dim=1), ("x", "x"), same_pair()),
    Case("expand", lambda t, a: a.unsqueeze(0).expand(3, *a.shape), ("x",), one()),
    # ----- softmax and losses
    Case("softmax", lambda t, a: t.softmax(a, dim=_dim(a)), ("x",), with_dim()),
    Case("log_softmax", lambda t, a: t.log_softmax(a, dim=0), ("x",), with_dim()),
    Case("mse_loss", lambda t, a, b: t.nn.functional.mse_loss(a, b), ("x", "x"), same_pair()),
    Case("mse_loss_sum", lambda t, a, b: t.nn.MSELoss(reduction="sum")(a, b), ("x", "x"), same_pair()),
    Case("bce_loss", lambda t, a, b: t.nn.functional.binary_cross_entropy(a, b), ("unit", "unit"), same_pair()),
    Case("bce_sum", lambda t, a, b: t.nn.BCELoss(reduction="sum")(a, b), ("unit", "unit"), same_pair()),
    Case("cross_entropy", lambda t, a, c: t.nn.functional.cross_entropy(a, c), ("x", "cls"), logits_and_classes()),
    Case("cross_entropy_sum", lambda t, a, c: t.nn.CrossEntropyLoss(reduction="sum")(a, c), ("x", "cls"),
         logits_and_classes()),
    # ----- what torch programs reach for beyond the lectures (bpcourse/more_methods.py, nn.functional)
    Case("log1p", lambda t, a: t.log1p(a), ("pos",), one()),
    Case("expm1", lambda t, a: t.expm1(a), ("x",), one()),
    Case("erf", lambda t, a: t.erf(a), ("x",), one()),
    Case("gather", lambda t, a: a.gather(-1, _reversed_positions(t, a)), ("x",), one(min_dims=1)),
    Case("gather_twice", lambda t, a: a.gather(0, t.zeros((2,) + tuple(a.shape[1:]), dtype=t.int64)), ("x",),
         one(min_dims=1)),
    Case("index_select", lambda t, a: a.index_select(0, t.tensor([0, 0])), ("x",), one(min_dims=1)),
    Case("masked_fill", lambda t, a: a.masked_fill(a > 0, 0.5), ("nz",), one()),
    Case("logsumexp", lambda t, a: a.logsumexp(-1), ("x",), one(min_dims=1)),
    Case("amax", lambda t, a: a.amax(-1), ("x",), one(min_dims=1)),
    Case("amin_all", lambda t, a: t.amin(a), ("x",), one()),
    Case("sort", lambda t, a: a.sort(-1, descending=True)[0], ("x",), one(min_dims=1)),
    Case("topk", lambda t, a: a.topk(1)[0], ("x",), one(min_dims=1)),
    Case("split", lambda t, a: a.split(1)[-1] * a.split([a.shape[0] - 1, 1])[0].sum(), ("x",), one(min_dims=1)),
    Case("repeat", lambda t, a: a.repeat(2, *([1] * a.dim())), ("x",), one()),
    Case("tril_triu", lambda t, a: a.tril() * 2 + a.triu(1), ("x",), one(min_dims=2, max_dims=2)),
    Case("outer", lambda t, a: t.outer(a.flatten(), a.flatten().sin()), ("x",), one()),
    Case("softplus", lambda t, a: t.nn.functional.softplus(a * 8, beta=0.5, threshold=10), ("nz",), one()),
    Case("elu", lambda t, a: t.nn.functional.elu(a, alpha=0.7), ("nz",), one()),
    Case("gelu", lambda t, a: t.nn.functional.gelu(a), ("x",), one()),
    Case("gelu_tanh", lambda t, a: t.nn.functional.gelu(a, approximate="tanh"), ("x",), one()),
    Case("silu", lambda t, a: t.nn.functional.silu(a), ("x",), one()),
    Case("smooth_l1", lambda t, a, b: t.nn.functional.smooth_l1_loss(a, b, beta=0.5), ("x", "x"), same_pair()),
    Case("huber", lambda t, a, b: t.nn.HuberLoss(reduction="sum", delta=0.7)(a, b), ("x", "x"), same_pair()),
    Case("kl_div", lambda t, a, b: t.nn.functional.kl_div(t.log_softmax(a, -1), t.softmax(b, -1), reduction="batchmean"),
         ("x", "x"), same_pair()),
    # ----- compositions (the graph engine: reuse of a tensor, deep chains)
    Case("reuse", lambda t, a: (a * a + a).sum() * a, ("x",), one()),
    Case("mlp", lambda t, x, w: t.tanh(x @ w).sum(dim=0).sigmoid(), ("x", "x"), matmul_shapes()),
]

ELEMENTS = {
    "x": st.floats(-3, 3),
    "pos": st.floats(0.2, 3),
    "unit": st.floats(0.05, 0.95),
    "nz": st.one_of(st.floats(-3, -0.2), st.floats(0.2, 3)),
}


@st.composite
def case_inputs(draw: Any, case: Case, dtype: Any = np.float64) -> list:
    """Draw numpy inputs for ``case`` (class indices fit the logits drawn before them)."""
    shapes = draw(case.shapes)
    arrays = []
    for kind, shape in zip(case.args, shapes):
        if kind == "cls":
            n, c = arrays[-1].shape
            arrays.append(np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)), dtype=np.int64))
        else:
            a = draw(hnp.arrays(np.float64, shape, elements=ELEMENTS[kind]))
            if case.name in ("max", "max_dim", "amax", "amin_all", "sort", "topk"):  # distinct values: no ties
                a = np.asarray(a + np.arange(a.size).reshape(a.shape) * 1e-3)
            arrays.append(np.asarray(a, dtype=dtype))
    return arrays
