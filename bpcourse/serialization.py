"""``torch.save`` / ``torch.load`` for bpcourse's own files: Python's pickle, read back safely.

    >>> bpcourse.save(model.state_dict(), "model.pth")          # doctest: +SKIP
    >>> model.load_state_dict(bpcourse.load("model.pth"))        # doctest: +SKIP

As in torch >= 2.6, ``load`` reads only weights by default (``weights_only=None`` means True):
tensors, numbers, strings, lists, tuples, dicts (OrderedDict, Counter) -- what a state_dict or a
checkpoint dict holds. Unpickling anything else runs code named by the file, so a file holding
a whole model, or any other class, is refused unless you pass ``weights_only=False`` for a file
you trust. bpcourse cannot read torch's files (a zip archive), nor torch bpcourse's.
"""
from __future__ import annotations

import io
import os
import pickle
from typing import Any

import numpy as np

from bpcourse.creation import from_numpy
from bpcourse.tensor import Tensor

__all__ = ["save", "load"]

WEIGHTS_ONLY_HELP = (
    "Weights only load failed. This file can still be loaded, to do so you have two options, do those "
    "steps only if you trust the source of the checkpoint. Re-running `load` with `weights_only` set to "
    "`False` will likely succeed, but it can result in arbitrary code execution. Or save only the "
    "weights: save(model.state_dict(), f) and model.load_state_dict(load(f))."
)


def _allowed_globals() -> dict[tuple[str, str], Any]:
    """What a weights-only file may name: bpcourse's tensor types, numpy arrays, plain containers."""
    from collections import Counter, OrderedDict, defaultdict

    from bpcourse.nn.module import Parameter

    sample = from_numpy(np.zeros(1, dtype=np.float32))
    classes = [Tensor, Parameter, type(sample.dtype), type(sample.shape), OrderedDict, Counter, defaultdict,
               np.ndarray, np.dtype, set, frozenset, complex, slice, range]
    allowed = {(c.__module__, c.__qualname__): c for c in classes}
    allowed.update({(c.__module__, c.__name__): c for c in type(np.dtype("f4")).__mro__ if c is not object})
    for module in ("numpy._core.multiarray", "numpy.core.multiarray"):  # numpy 2 and numpy 1 spell it so
        allowed[(module, "_reconstruct")] = np._core.multiarray._reconstruct
        allowed[(module, "scalar")] = np._core.multiarray.scalar
    for name in ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool_"):
        allowed[("numpy", name)] = getattr(np, name)
    allowed[("builtins", "bool")] = bool
    import codecs
    allowed[("_codecs", "encode")] = codecs.encode     # how pickle protocol 2 writes bytes (torch allows it too)
    return allowed


class WeightsUnpickler(pickle.Unpickler):
    """A pickle reader that builds only the allowed types and refuses every other global."""

    allowed: dict = {}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.allowed:
            return self.allowed[(module, name)]
        if module.startswith("numpy.dtypes") and name.endswith("DType"):    # numpy 2's dtype classes
            import numpy.dtypes
            return getattr(numpy.dtypes, name)
        raise pickle.UnpicklingError(f"{WEIGHTS_ONLY_HELP}\n\nWeightsUnpickler error: Unsupported global: GLOBAL "
                                     f"{module}.{name} was not an allowed global by default.")


def save(obj: Any, f: Any, pickle_module: Any = pickle, pickle_protocol: int = 2, **_torch_only: Any) -> None:
    """``torch.save(model.state_dict(), "model.pth")``: Python's pickle of ``obj`` (bpcourse's own format)."""
    if pickle_module is not pickle:
        raise NotImplementedError("save: pickle_module= other than pickle is not supported by bpcourse")
    unknown = set(_torch_only) - {"_use_new_zipfile_serialization", "_disable_byteorder_record"}
    if unknown:
        raise TypeError(f"save() got unexpected keyword argument(s): {', '.join(sorted(unknown))}")
    if hasattr(f, "write"):
        pickle.dump(obj, f, protocol=pickle_protocol)
    else:
        with open(f, "wb") as fh:
            pickle.dump(obj, fh, protocol=pickle_protocol)


def _default_weights_only() -> bool:
    """torch >= 2.6: True, unless TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD is set (and not overridden)."""
    if os.environ.get("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0") not in ("0", ""):
        return True
    return os.environ.get("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0") in ("0", "")


def load(f: Any, map_location: Any = None, pickle_module: Any = None, *, weights_only: bool | None = None,
         mmap: bool | None = None, **pickle_load_args: Any) -> Any:
    """Read back what ``bpcourse.save`` wrote.

    ``weights_only`` (default True, as torch >= 2.6): only tensors, numbers, strings and containers;
    a file naming any other class is refused. ``weights_only=False`` unpickles anything: only for
    files you trust. ``map_location`` may be None or the CPU (bpcourse has no other device).
    """
    if weights_only is None:
        weights_only = _default_weights_only()
    if pickle_module is not None:
        if weights_only:
            raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
        if pickle_module is not pickle:
            raise NotImplementedError("load: pickle_module= other than pickle is not supported by bpcourse")
    if mmap:
        raise NotImplementedError("load: mmap=True is not supported by bpcourse (its files are plain pickles)")
    _check_map_location(map_location)
    encoding = pickle_load_args.pop("encoding", "ASCII")
    if pickle_load_args:
        raise TypeError(f"load() got unexpected keyword argument(s): {', '.join(sorted(pickle_load_args))}")
    if hasattr(f, "read"):
        return _unpickle(f, weights_only, encoding)
    with open(f, "rb") as fh:
        if fh.read(2) == b"PK":
            raise RuntimeError(f"load: {f!r} was written by torch.save (a zip archive); bpcourse.load reads only "
                               f"files written by bpcourse.save")
        fh.seek(0)
        return _unpickle(fh, weights_only, encoding)


def _unpickle(fh: io.BufferedIOBase, weights_only: bool, encoding: str) -> Any:
    if not weights_only:
        return pickle.load(fh, encoding=encoding)
    unpickler = WeightsUnpickler(fh, encoding=encoding)
    unpickler.allowed = _allowed_globals()
    return unpickler.load()


def _check_map_location(map_location: Any) -> None:
    """bpcourse has only the CPU: None, "cpu", torch.device("cpu") or a dict/function mapping to it."""
    if map_location is None or callable(map_location):
        return
    if isinstance(map_location, dict):
        targets = list(map_location.values())
    else:
        targets = [map_location]
    for target in targets:
        name = target if isinstance(target, str) else getattr(target, "type", None)
        if not isinstance(name, str) or name.split(":")[0] != "cpu":
            raise RuntimeError(f"load: map_location={map_location!r}: bpcourse tensors live on the CPU only "
                               f"(use map_location='cpu' or leave it out)")
