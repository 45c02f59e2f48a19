"""Feeding data in mini-batches, with torch.utils.data's names.

    dataset = TensorDataset(x, y)                  # dataset[i] == (x[i], y[i])
    loader = DataLoader(dataset, batch_size=32, shuffle=True)
    for xb, yb in loader: ...                      # shuffled by bpcourse.manual_seed
"""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from bpcourse.random import seed_draw, shuffled
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


def _unchanged(item: Any) -> Any:
    return item


class DataLoader:
    """Iterate over a dataset in batches, in the main process.

    ``num_workers``, ``pin_memory``, ``timeout``, ``prefetch_factor`` and the other settings of
    how torch loads (not what it loads) are accepted and change nothing here: the batches are the
    same. ``sampler`` (any iterable of indices) and ``batch_sampler`` (an iterable of index lists)
    work as in torch; ``generator=`` is refused (bpcourse has one random stream: manual_seed).
    """

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Any = None, batch_sampler: Any = None, num_workers: int = 0, collate_fn: Any = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0, worker_init_fn: Any = None,
                 multiprocessing_context: Any = None, generator: Any = None, *, prefetch_factor: int | None = None,
                 persistent_workers: bool = False, pin_memory_device: str = "", in_order: bool = True) -> None:
        if generator is not None:
            raise NotImplementedError("not implemented in bpcourse: DataLoader(generator=...): bpcourse has one "
                                      "random stream; call torch.manual_seed(seed) before the epoch instead")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
            raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                             "and drop_last")
        self.dataset = dataset
        self.batch_size = None if batch_sampler is not None else batch_size
        self.shuffle = bool(shuffle)
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.drop_last = drop_last
        self.num_workers = num_workers
        self.batched = batch_size is not None or batch_sampler is not None
        self.collate_fn = collate_fn or (default_collate if self.batched else _unchanged)

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator:
        seed_draw()  # torch's iterator draws its workers' base seed from the stream (one per epoch)
        return self._batches()

    def _batches(self) -> Iterator:
        if not self.batched:  # batch_size=None: the items one by one
            for i in self._order():
                yield self.collate_fn(self.dataset[int(i)])
            return
        fast = isinstance(self.dataset, TensorDataset) and self.collate_fn is default_collate
        for idx in self._index_batches():
            if fast:  # one fancy-index per tensor instead of one item at a time
                yield [_wrap(t.array[idx]) for t in self.dataset.tensors]
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in idx])

    def _order(self) -> np.ndarray:
        """The order of the items this epoch: the sampler's, shuffled as torch would, or as they are."""
        if self.sampler is not None:
            return np.asarray([int(i) for i in self.sampler], dtype=np.int64)
        return shuffled(len(self.dataset)) if self.shuffle else np.arange(len(self.dataset))  # torch's order

    def _index_batches(self) -> Iterator:
        """The indices of each batch."""
        if self.batch_sampler is not None:
            for batch in self.batch_sampler:
                yield np.asarray(list(batch), dtype=np.int64)
            return
        order = self._order()
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            if self.drop_last and len(idx) < self.batch_size:
                return
            yield idx
