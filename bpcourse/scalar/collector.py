"""Why and how the scalar engine pauses Python's cyclic garbage collector around its own work."""
from __future__ import annotations

import gc

__all__ = ["collector_paused"]


class _CollectorPause:
    """``with collector_paused:`` -- pause Python's *cyclic* garbage collector, then restore it.

    Why: CPython frees an object as soon as nothing refers to it (reference counting). The cyclic
    collector exists only for groups of objects that refer to each other; it runs every 700 new
    objects and its older-generation passes walk every live object. A training step keeps ~65,000
    nodes alive until ``backward()``, so in micrograd (whose backward closures form cycles) ~89% of
    a step is this collector. Our nodes form no cycles (inputs never point back to outputs, no
    closures) and each is one object, so reference counting frees a graph the moment it is dropped:
    the collector has nothing to find. The library therefore pauses it around its *own* bulk work
    only (``backward()``, a model's forward pass) and restores the previous state afterwards, even on
    an error. Outside those calls, in your own loops of ``Value`` arithmetic, Python behaves as
    usual; collections that came due run at the next allocation.

    Measured (bench/bench_scalar.py, "ablation" row): most of the gain over micrograd comes from the
    node design itself (no cycles, one object per node): garbage dies at once, so the collector's
    expensive full passes rarely come due. The pause then cuts its runs in micrograd's demo step
    from ~93 to ~2 and its time by a few more per cent; one pass over the new graph remains.

    One shared object, with its state on the class and static ``__enter__``/``__exit__``: entering
    the ``with`` then allocates nothing (a bound method is an object the collector counts), so the
    pause cannot itself set off a collection. Nested pauses count depth. One thread at a time.
    """

    depth = 0
    was_enabled = False

    @staticmethod
    def __enter__() -> None:
        if _CollectorPause.depth == 0:
            _CollectorPause.was_enabled = gc.isenabled()
            gc.disable()
        _CollectorPause.depth += 1

    @staticmethod
    def __exit__(*exc_info: object) -> None:
        _CollectorPause.depth -= 1
        if _CollectorPause.depth == 0 and _CollectorPause.was_enabled:
            gc.enable()


collector_paused = _CollectorPause()
