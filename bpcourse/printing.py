"""How a tensor prints: a port of torch/_tensor_str.py (default print options), so that
``print(x)`` shows the same text under ``import torch`` and ``import bpcourse as torch``."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from bpcourse import dtypes

_PRECISION, _THRESHOLD, _EDGEITEMS, _LINEWIDTH = 4, 1000, 3, 80


class _Formatter:
    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if not self.floating:
            for v in values.ravel().tolist():
                self.max_width = max(self.max_width, len(f"{v}"))
            return
        flat = values.ravel()
        vals = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if vals.size == 0:
            return
        absv = np.abs(vals)
        lo, hi = absv.min(), absv.max()
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        for v in vals.tolist():
            if self.sci_mode:
                w = len(f"{v:.{_PRECISION}e}")
            elif self.int_mode:
                w = len(f"{v:.0f}") + 1
            else:
                w = len(f"{v:.{_PRECISION}f}")
            self.max_width = max(self.max_width, w)

    def format(self, value: Any) -> str:
        if self.floating:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{_PRECISION}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{_PRECISION}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _summarized(a: np.ndarray) -> np.ndarray:
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        return np.concatenate((a[:_EDGEITEMS], a[-_EDGEITEMS:])) if a.shape[0] > 2 * _EDGEITEMS else a
    rows = list(range(_EDGEITEMS)) + list(range(a.shape[0] - _EDGEITEMS, a.shape[0])) \
        if a.shape[0] > 2 * _EDGEITEMS else range(a.shape[0])
    return np.stack([_summarized(a[i]) for i in rows])


def _vector_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    element_length = fmt.max_width + 2
    per_line = max(1, math.floor((_LINEWIDTH - indent) / element_length))
    if summarize and a.shape[0] > 2 * _EDGEITEMS:
        data = [fmt.format(v) for v in a[:_EDGEITEMS].tolist()] + [" ..."] + \
               [fmt.format(v) for v in a[-_EDGEITEMS:].tolist()]
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    if summarize and a.shape[0] > 2 * _EDGEITEMS:
        slices = [_tensor_str(a[i], indent + 1, summarize, fmt) for i in range(_EDGEITEMS)] + ["..."] + \
                 [_tensor_str(a[i], indent + 1, summarize, fmt) for i in range(a.shape[0] - _EDGEITEMS, a.shape[0])]
    else:
        slices = [_tensor_str(a[i], indent + 1, summarize, fmt) for i in range(a.shape[0])]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def tensor_repr(t: Any) -> str:
    """torch's text for a tensor: ``tensor([1.0000, 2.5000], requires_grad=True)``."""
    a = t.array
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    dt = dtypes.BY_NUMPY.get(a.dtype)
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append("size=" + str(tuple(a.shape)))
        if a.dtype != dtypes.F32:
            suffixes.append(f"dtype={dt}")
        body = "[]"
    else:
        if dt not in (dtypes.float32, dtypes.int64, dtypes.bool):
            suffixes.append(f"dtype={dt}")
        summarize = a.size > _THRESHOLD
        fmt = _Formatter(_summarized(a) if summarize else a)
        body = _tensor_str(a, indent, summarize, fmt)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    out = [prefix + body]
    last_line_len = len(out[0]) - out[0].rfind("\n") + 1
    for s in suffixes:
        if last_line_len + len(s) + 2 > _LINEWIDTH:
            out.append(",\n" + " " * indent + s)
            last_line_len = indent + len(s)
        else:
            out.append(", " + s)
            last_line_len += len(s) + 2
    out.append(")")
    return "".join(out)

