"""The seed's warning, with numbers: summing ``loss`` keeps every graph alive, ``loss.item()`` does not.

Measured with the process's resident memory (psutil) around 100,000 iterations; asserted
qualitatively (no growth vs. tens of megabytes), not timed.
"""
from __future__ import annotations

import gc

import psutil

import bpcourse

N = 100_000


def _growth_mb(keep_graph: bool) -> float:
    proc = psutil.Process()
    w = bpcourse.tensor([1.0], requires_grad=True)
    total = 0
    gc.collect()
    before = proc.memory_info().rss
    for _ in range(N):
        loss = (w * 2.0 - 3.0) ** 2
        total += loss if keep_graph else loss.item()
    gc.collect()
    after = proc.memory_info().rss
    del total, loss
    gc.collect()
    return (after - before) / 1e6


def test_total_of_items_does_not_grow_but_total_of_losses_does() -> None:
    flat = _growth_mb(keep_graph=False)
    growing = _growth_mb(keep_graph=True)
    assert flat < 5, f"total += loss.item() grew memory by {flat:.1f} MB"
    assert growing > 50, f"total += loss grew memory by only {growing:.1f} MB"
    assert growing > 20 * max(flat, 1.0)
