"""Tensor methods beyond the lectures' core, which torch programs reach for: picking entries
(gather, index_select, masked_fill, sort, topk), splitting and tiling (chunk, split, repeat,
tril, triu), reductions with shared gradients (amax, amin, logsumexp) and functions exact near 0
(log1p, expm1) or needed by GELU (erf).

Most are built from the ops the lectures know, so their derivatives (and second derivatives)
come from those; each shows torch's node name in ``grad_fn=<...>``.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from bpcourse.function import node_class
from bpcourse.ops.elementwise import Erf, Expm1, Log1p, Where
from bpcourse.ops.reduce import Amax, Amin
from bpcourse.ops.shape import Gather
from bpcourse.tensor_base import MaxResult, TensorBase


def _named(t: Any, name: str) -> Any:
    """torch's node name on a result built from several ops (the graph underneath is unchanged)."""
    if t.grad_fn is not None:
        t.grad_fn.__class__ = node_class(name)
    return t


def _indices(index: Any, where: str) -> np.ndarray:
    array = index.array if isinstance(index, TensorBase) else np.asarray(index)
    if array.dtype.kind not in "iu":
        raise RuntimeError(f"{where}(): Expected dtype int64 for index, got {array.dtype} (use index.long())")
    return array


class MoreMethods:
    """Mixed into Tensor (``self`` is a Tensor)."""

    # --- functions exact near 0 ------------------------------------------------------------------
    def log1p(self) -> Any:
        return self._apply(Log1p, self)

    def expm1(self) -> Any:
        return self._apply(Expm1, self)

    def erf(self) -> Any:
        return self._apply(Erf, self)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Any:
        """self / other; rounding_mode='floor' or 'trunc' rounds the quotient down or toward 0 (a step
        function of the inputs: no gradient flows through it)."""
        if rounding_mode is None:
            return self / other
        if rounding_mode not in ("floor", "trunc"):
            raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                             f"'{rounding_mode}'")
        o = other.array if isinstance(other, TensorBase) else self._operand(other)
        if self.array.dtype.kind in "iu" and np.asarray(o).dtype.kind in "iu":
            q = np.floor_divide(self.array, o)
            if rounding_mode == "trunc":  # toward 0: one more where the signs differ and it did not divide
                q = q + ((q < 0) & (np.mod(self.array, o) != 0))
            return self._from_array(np.asarray(q, dtype=np.result_type(self.array, o)))
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.floor(self.array / o) if rounding_mode == "floor" else np.trunc(self.array / o)
        return self._from_array(np.asarray(q, dtype=np.result_type(self.array, o)))

    def clamp_min(self, min: Any) -> Any:  # noqa: A002 - torch's name
        return _named(self.clamp(min=min), "ClampMinBackward0")

    def clamp_max(self, max: Any) -> Any:  # noqa: A002
        return _named(self.clamp(max=max), "ClampMaxBackward0")

    # --- picking entries ---------------------------------------------------------------------------
    def gather(self, dim: int, index: Any) -> Any:
        """out[i][j] = self[index[i][j]][j] (dim 0), self[i][index[i][j]] (dim 1): e.g. the log-probability
        of each row's class, ``logp.gather(1, y.view(-1, 1))``."""
        return self._apply(Gather, self, dim, _indices(index, "gather").astype(np.int64))

    def index_select(self, dim: int, index: Any) -> Any:
        idx = _indices(index, "index_select")
        if idx.ndim > 1:
            raise IndexError(f"index_select(): Index is supposed to be a vector, got index.shape={idx.shape}")
        return _named(self[(slice(None),) * (dim % max(self.array.ndim, 1)) + (idx.reshape(-1),)],
                      "IndexSelectBackward0")

    def masked_fill(self, mask: Any, value: Any) -> Any:
        """value where mask is True, self elsewhere (the gradient reaches self only where mask is False)."""
        m = mask.array if isinstance(mask, TensorBase) else np.asarray(mask)
        if m.dtype != np.bool_:
            raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {m.dtype} "
                               f"(compare to get one: x > 0)")
        filler = value if isinstance(value, TensorBase) else np.asarray(value, dtype=self.array.dtype)
        if isinstance(filler, TensorBase) and filler.array.ndim:
            raise RuntimeError(f"masked_fill only supports a 0-dimensional value tensor, but got tensor with "
                               f"{filler.array.ndim} dimension(s)")
        out = self._apply(Where, np.broadcast_to(m, self.array.shape), filler, self)
        return _named(out, "MaskedFillBackward0")

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        """(values, indices): values sorted along dim (a stable sort, ties in their order)."""
        order = self.argsort(dim, descending)
        return MaxResult(_named(self.gather(dim, order), "SortBackward0"), order, "sort")

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        a = self.array
        order = np.argsort(-a if descending and a.dtype.kind != "b" else a, axis=dim, kind="stable")
        return self._from_array(order.astype(np.int64) if a.ndim else np.zeros((), dtype=np.int64))

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
        n = self.array.shape[dim] if self.array.ndim else 1
        if not 0 <= k <= n:
            raise RuntimeError(f"selected index k out of range (k={k}, the dimension has {n} entries)")
        order = self.argsort(dim, descending=largest)
        picked = order[(slice(None),) * (dim % max(self.array.ndim, 1)) + (slice(0, k),)] if self.array.ndim else order
        return MaxResult(_named(self.gather(dim, picked), "TopkBackward0"), picked, "topk")

    # --- splitting and tiling ----------------------------------------------------------------------
    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple:
        """Pieces of split_size along dim (the last may be smaller), or the sizes listed."""
        n = self.array.shape[dim]
        sizes = split_size_or_sections
        name = "SplitBackward0" if isinstance(sizes, int) else "SplitWithSizesBackward0"
        if isinstance(sizes, int):
            sizes = [min(sizes, n - start) for start in range(0, n, sizes)] if n else [0]
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                               f"dimension {dim}), but got split_sizes={list(sizes)}")
        lead = (slice(None),) * (dim % self.array.ndim)
        starts = np.cumsum([0, *sizes])
        return tuple(_named(self[lead + (slice(a, b),)], name) for a, b in zip(starts[:-1], starts[1:]))

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        return self.split(max(1, math.ceil(self.array.shape[dim] / chunks)), dim)

    def repeat(self, *sizes: Any) -> Any:
        """Tile the tensor sizes[i] times along dim i (extra leading sizes add dimensions)."""
        sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
        if len(sizes) < self.array.ndim:
            raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions "
                               f"of tensor (repeat{sizes} on a tensor of shape {tuple(self.array.shape)})")
        x = self.reshape((1,) * (len(sizes) - self.array.ndim) + self.array.shape)
        # each dim i becomes (sizes[i], n_i): expand along new axes, then merge them
        shape = x.array.shape
        tiled = x.reshape([v for n in shape for v in (1, n)]).expand(*[v for r, n in zip(sizes, shape) for v in (r, n)])
        return _named(tiled.reshape([r * n for r, n in zip(sizes, shape)]), "RepeatBackward0")

    def tril(self, diagonal: int = 0) -> Any:
        """The lower triangle (on and below the diagonal-th diagonal), +0 above it."""
        return self._keep_where(np.tri(*self.array.shape[-2:], diagonal, dtype=bool), "TrilBackward0")

    def triu(self, diagonal: int = 0) -> Any:
        return self._keep_where(~np.tri(*self.array.shape[-2:], diagonal - 1, dtype=bool), "TriuBackward0")

    def _keep_where(self, keep: np.ndarray, name: str) -> Any:
        zero = np.zeros((), dtype=self.array.dtype)
        return _named(self._apply(Where, np.broadcast_to(keep, self.array.shape), self, zero), name)

    # --- reductions whose gradient is shared ----------------------------------------------------
    def amax(self, dim: Any = (), keepdim: bool = False) -> Any:
        return self._apply(Amax, self, dim, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Any:
        return self._apply(Amin, self, dim, keepdim)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Any:
        """log(sum(exp(x))) along dim, computed as torch does: m + log(sum(exp(x - m))) with m the
        largest entry (0 where that is infinite), so that exp never overflows."""
        m = self.detach().amax(dim, keepdim=True)
        m.array[np.isinf(m.array)] = 0
        total = (self - m).exp().sum(dim, keepdim=True).log() + m
        return _named(total if keepdim else total.squeeze(dim), "LogsumexpBackward0")
