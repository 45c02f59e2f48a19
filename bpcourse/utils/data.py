"""Feeding data in mini-batches, with torch.utils.data's names.

    dataset = TensorDataset(x, y)                  # dataset[i] == (x[i], y[i])
    loader = DataLoader(dataset, batch_size=32, shuffle=True)
    for xb, yb in loader: ...                      # shuffled by bpcourse.manual_seed
"""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from bpcourse.random import _rng
from bpcourse.tensor import Tensor, _wrap


class Dataset:
    """Subclass and define ``__getitem__(i)`` and ``__len__()`` (as in Liu Er's lecture 8)."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class TensorDataset(Dataset):
    """Rows of tensors that share their first dimension."""

    def __init__(self, *tensors: Tensor) -> None:
        n = {t.shape[0] for t in tensors}
        if len(n) != 1:
            raise ValueError(f"TensorDataset: size mismatch between tensors: {[tuple(t.shape) for t in tensors]}")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


def default_collate(items: list) -> Any:
    """Stack a list of samples into one batch (tuples are stacked field by field)."""
    first = items[0]
    if isinstance(first, Tensor):
        return _wrap(np.stack([x.array for x in items]))
    if isinstance(first, np.ndarray):
        return _wrap(np.stack(items))
    if isinstance(first, np.generic):  # numpy numbers keep their dtype (np.float32 stays float32)
        return _wrap(np.array(items))
    if isinstance(first, (bool, np.bool_)):
        return _wrap(np.array(items, dtype=np.bool_))
    if isinstance(first, (int, np.integer)):
        return _wrap(np.array(items, dtype=np.int64))
    if isinstance(first, (float, np.floating)):
        return _wrap(np.array(items, dtype=np.float64))  # torch collates Python floats as float64
    if isinstance(first, (tuple, list)):
        return [default_collate(list(field)) for field in zip(*items)]
    if isinstance(first, dict):
        return {k: default_collate([d[k] for d in items]) for k in first}
    return items


class DataLoader:
    """Iterate over a dataset in batches (``num_workers`` is accepted and ignored)."""

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool = False,
                 drop_last: bool = False, num_workers: int = 0, collate_fn: Any = None, **_: Any) -> None:
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.collate_fn = collate_fn or default_collate

    def __len__(self) -> int:
        n = len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator:
        n = len(self.dataset)
        order = _rng().permutation(n) if self.shuffle else np.arange(n)
        if self.batch_size is None:
            for i in order:
                yield self.dataset[int(i)]
            return
        fast = isinstance(self.dataset, TensorDataset) and self.collate_fn is default_collate
        for start in range(0, n, self.batch_size):
            idx = order[start:start + self.batch_size]
            if self.drop_last and len(idx) < self.batch_size:
                return
            if fast:  # one fancy-index per tensor instead of one item at a time
                yield [_wrap(t.array[idx]) for t in self.dataset.tensors]
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in idx])
