"""torch.device, and the one device bpcourse has: the CPU.

``torch.device("cuda" if torch.cuda.is_available() else "cpu")`` is how lectures start, so a
device object can name any device, as in torch; only using another device than the CPU (a tensor
created on it, ``.to(device)``) is refused, with a message that says what to do instead.
"""
from __future__ import annotations

from typing import Any


class device:  # noqa: N801 - torch's name
    """``torch.device("cpu")``, ``torch.device("cuda:0")``, ``torch.device("cpu", 0)``."""

    def __init__(self, type: Any = "cpu", index: int | None = None) -> None:  # noqa: A002 - torch's name
        if isinstance(type, device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f"device() expects a string such as 'cpu', got {type!r}")
        name, _, number = type.partition(":")
        self.type = name
        self.index = int(number) if number else index

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"

    def __eq__(self, other: Any) -> bool:  # (torch: device("cpu") == "cpu" is False)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def check_device(where: Any, where_from: str = "") -> None:
    """Refuse any device but the CPU: ``None``, "cpu", "cpu:0" and ``torch.device("cpu")`` pass."""
    if where is None:
        return
    name = where if isinstance(where, str) else getattr(where, "type", None)
    if not isinstance(name, str) or name.split(":")[0] != "cpu":
        raise RuntimeError(f"bpcourse tensors live on the CPU only ({where_from}asked for device={where!r}); "
                           f"use device='cpu' or leave it out")
