"""Matrix products (G is the incoming gradient, shaped like Y):

    matmul  Y = A @ B            dA = G @ B.T     dB = A.T @ G
    linear  Y = X @ W.T + b      dX = G @ W       dW = G.T @ X     db = sum of G over rows

1-D operands are treated as a row (on the left) or a column (on the right) and the extra
axis removed again, as numpy and torch do; batched operands broadcast their leading axes.
As in torch, A is saved only if B needs a gradient and B only if A does (X and W likewise).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from bpcourse import graph_edges
from bpcourse.function import ArrayFunction, Context, ShapeError, node_class
from bpcourse.ops.broadcast import unbroadcast
from bpcourse.ops.maths import expand_dims, swapaxes


_TORCH_TYPE = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
               "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def check_same_dtype(op: str, a: np.ndarray, b: np.ndarray) -> None:
    """torch multiplies matrices of one dtype only (numpy would quietly promote float32 to float64)."""
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"{op}: expected both operands to have the same dtype, but got {_TORCH_TYPE.get(a.dtype.name, a.dtype)} "
            f"and {_TORCH_TYPE.get(b.dtype.name, b.dtype)} (a.dtype={a.dtype}, b.dtype={b.dtype}); convert one "
            f"with .float() (data from np.loadtxt / from_numpy is often float64: use dtype=np.float32)"
        )


def _check_matmul(a: np.ndarray, b: np.ndarray) -> None:
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul: both arguments need to be at least 1-D: a.shape={a.shape}, b.shape={b.shape}")
    check_same_dtype("matmul", a, b)
    k_a = a.shape[-1]
    k_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        raise ShapeError(
            f"matmul: inner dimensions differ: a.shape={a.shape}, b.shape={b.shape} ({k_a} != {k_b})"
        )


class MatMul(ArrayFunction):
    """Y = A @ B"""

    @classmethod
    def node_name(cls, a: np.ndarray, b: np.ndarray) -> str:
        if a.ndim == 1 or b.ndim == 1:
            return "DotBackward0" if a.ndim == b.ndim == 1 else "MvBackward0" if b.ndim == 1 else "SqueezeBackward4"
        if a.ndim > 2 or b.ndim > 2:
            return "BmmBackward0" if a.ndim == b.ndim == 3 else "UnsafeViewBackward0"
        return "MmBackward0"

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_matmul(a, b)
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)  # dA reads B, dB reads A
        ctx.shapes = (a.shape, b.shape)
        return a @ b

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        need_a, need_b = ctx.needs_input_grad
        if len(sa) == 2 and len(sb) == 2:  # the common case, no reshaping
            return (g @ b.T if need_a else None), (a.T @ g if need_b else None)
        # 1-D operands: A as a row (1, n), B as a column (n, 1); G gets the axes back
        sa2 = (1, sa[0]) if len(sa) == 1 else sa
        sb2 = (sb[0], 1) if len(sb) == 1 else sb
        g2 = g
        if len(sb) == 1:
            g2 = expand_dims(g2, -1)
        if len(sa) == 1:
            g2 = expand_dims(g2, -2)
        ga = gb = None
        if need_a:
            b2 = b.reshape(sb2)
            ga = unbroadcast(g2 @ swapaxes(b2, -1, -2), sa2).reshape(sa)
        if need_b:
            a2 = a.reshape(sa2)
            gb = unbroadcast(swapaxes(a2, -1, -2) @ g2, sb2).reshape(sb)
        return ga, gb


class Linear(ArrayFunction):
    """Y = X @ W.T + b (torch.nn.functional.linear), one node instead of three"""

    @classmethod
    def node_name(cls, x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> str:
        if x.ndim == 1:
            return "ViewBackward0" if b is not None else "SqueezeBackward4"
        if x.ndim == 2:
            return "AddmmBackward0" if b is not None else "MmBackward0"
        return "ViewBackward0" if b is not None else "UnsafeViewBackward0"

    @staticmethod
    def torch_inputs(ctx: Context) -> list:
        """next_functions as torch records linear: addmm(b, x, W.t()), viewed for other than 2-d x."""
        x, w, b = ctx.inputs
        flat_x = x  # torch's addmm/mm sees x as a matrix: a view of x, for other than 2-d x
        if x.array.ndim != 2 and x.requires_grad:
            flat_x = graph_edges.synthetic_node(
                node_class("UnsqueezeBackward0" if x.array.ndim == 1 and b is None else "ViewBackward0"), x)
        inputs = ([] if b is None else [b]) + [flat_x, graph_edges.synthetic_node(node_class("TBackward0"), w)]
        if x.array.ndim == 2:
            return inputs
        mm = object.__new__(node_class("AddmmBackward0" if b is not None else "MmBackward0"))
        mm.fn, mm.inputs = None, ()
        mm.__dict__["_torch_inputs"] = inputs
        mm.fn = Linear  # (its torch_inputs is the cached list above)
        return [graph_edges.Node(mm)]

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
        if x.dtype != w.dtype:
            check_same_dtype("linear (mat1 and mat2 must have the same dtype)", x, w)
        if x.shape[-1] != w.shape[-1]:
            raise ShapeError(
                f"linear: input features differ from the weight's: x.shape={x.shape}, "
                f"weight.shape={w.shape} ({x.shape[-1]} != {w.shape[-1]}); "
                f"mat1 and mat2 shapes cannot be multiplied"
            )
        need_x, need_w, _ = ctx.needs_input_grad
        ctx.save_for_backward(x if need_w else None, w if need_x else None)  # dX reads W, dW reads X
        y = x @ w.T
        if b is not None:
            y += b  # y is a fresh array: adding in place saves one temporary
        return y

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        gx = g @ w if need_x else None
        gw = gb = None
        if need_w:
            if x.ndim == 2:  # a batch of rows, the usual case
                gw = g.T @ x
            elif x.ndim == 1:
                gw = g.reshape(-1, 1) @ x.reshape(1, -1)
            else:  # collapse batch axes: dW = sum over all rows of g_row^T x_row
                g2 = g.reshape(-1, g.shape[-1])
                gw = g2.T @ x.reshape(-1, x.shape[-1])
        if need_b:
            if type(g) is np.ndarray and g.ndim == 2:  # a batch of rows: np.add.reduce is .sum() without its wrapper
                gb = np.add.reduce(g, axis=0)
            else:  # (g may be a Tensor: create_graph)
                gb = g.reshape(-1, g.shape[-1]).sum(axis=0) if g.ndim > 1 else g
        return gx, gw, gb


class Addmm(Linear):
    """Linear on a batch of rows with a bias, the usual case, which torch records as one addmm: a
    node whose name is fixed, so apply names it once, where Linear's name is asked at every call."""

    torch_name = "AddmmBackward0"
    node_name = ArrayFunction.__dict__["node_name"]  # the base class's: torch_name, fixed
