"""torch.save / torch.load for bpcourse objects (Python's pickle; not torch's file format)."""
from __future__ import annotations

from typing import Any


def save(obj: Any, f: Any) -> None:
    """``torch.save(model.state_dict(), "model.pth")``: Python's pickle of ``obj`` (bpcourse's own
    format: ``bpcourse.load`` reads it back; torch cannot, and bpcourse cannot read torch's files)."""
    import pickle

    if hasattr(f, "write"):
        pickle.dump(obj, f)
    else:
        with open(f, "wb") as fh:
            pickle.dump(obj, fh)


def load(f: Any, map_location: Any = None, weights_only: Any = None, **_: Any) -> Any:
    """Read back what ``bpcourse.save`` wrote (``map_location`` / ``weights_only`` are accepted and ignored)."""
    import pickle

    if hasattr(f, "read"):
        return pickle.load(f)
    with open(f, "rb") as fh:
        head = fh.read(2)
        if head[:2] == b"PK":
            raise RuntimeError(f"load: {f!r} was written by torch.save (a zip archive); bpcourse.load reads only "
                               f"files written by bpcourse.save")
        fh.seek(0)
        return pickle.load(fh)
