"""Helpers for the course notebooks: show the library's own code, compare two programs' outputs.

The notebooks never paste library code; they print it from the installed package, so what a
learner reads is exactly what runs:

    >>> from bpcourse.scalar import Value
    >>> show_source(Value.__mul__)            # prints "# bpcourse/scalar/engine.py" and the method

``run_program(text, "bpcourse")`` runs a torch program with ``import bpcourse as torch`` in place
of ``import torch`` and returns what it printed; ``side_by_side`` lays two outputs next to each
other and marks the lines that differ; ``count_graph_nodes`` counts the operations a tensor's
graph keeps alive (works for torch and bpcourse tensors alike, through ``grad_fn.next_functions``).
"""
from __future__ import annotations

import contextlib
import gc
import inspect
import io
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .seed import SEED_PROGRAM

__all__ = ["source_of", "show_source", "run_program", "run_both", "ProgramOutputs", "side_by_side",
           "count_graph_nodes", "graph_ops", "rss_mb", "memory_growth", "SEED_PROGRAM"]

_PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # the folder holding bpcourse/


def source_of(obj: Any) -> str:
    """The source text of a function, method, class or module, dedented."""
    target = obj.fget if isinstance(obj, property) else obj
    return textwrap.dedent(inspect.getsource(target))


def show_source(obj: Any, *, header: bool = True) -> None:
    """Print ``obj``'s source, preceded by the file it lives in (``# bpcourse/scalar/engine.py``).

    The path is relative to the installed package, so the output is the same on every machine.
    """
    target = obj.fget if isinstance(obj, property) else obj
    if header:
        path = Path(inspect.getsourcefile(target) or "?").resolve()
        try:
            shown = path.relative_to(_PACKAGE_ROOT.parent).as_posix()
        except ValueError:
            shown = path.name
        print(f"# {shown}")
    print(source_of(obj).rstrip("\n"))


# ----- running one program on two engines -----------------------------------------------

_IMPORT_LINE = re.compile(r"^(?P<indent>[ \t]*)(?P<stmt>import torch\b.*|from torch\b.*)$", re.MULTILINE)


def to_bpcourse(program: str) -> str:
    """Rewrite a program's ``import torch`` lines to use bpcourse; everything else is unchanged.

    ``import torch`` -> ``import bpcourse as torch``; ``import torch.nn as nn`` ->
    ``import bpcourse.nn as nn``; ``from torch.x import y`` -> ``from bpcourse.x import y``.
    """
    def rewrite(match: re.Match) -> str:
        stmt = match.group("stmt")
        if re.fullmatch(r"import torch\s*(#.*)?", stmt):
            stmt = stmt.replace("import torch", "import bpcourse as torch", 1)
        else:
            stmt = re.sub(r"^(import|from) torch\b", r"\1 bpcourse", stmt)
        return match.group("indent") + stmt

    rewritten, count = _IMPORT_LINE.subn(rewrite, program)
    if count == 0:
        raise ValueError("to_bpcourse: the program has no `import torch` / `from torch ...` line to replace")
    return rewritten


def run_program(program: str, engine: str = "torch") -> str:
    """Execute ``program`` (as a script, ``__name__ == "__main__"``) and return what it printed.

    ``engine="bpcourse"`` runs it with its torch imports rewritten by ``to_bpcourse``.
    """
    if engine not in ("torch", "bpcourse"):
        raise ValueError(f"run_program: engine must be 'torch' or 'bpcourse', got {engine!r}")
    text = to_bpcourse(program) if engine == "bpcourse" else program
    buffer = io.StringIO()
    namespace: dict[str, Any] = {"__name__": "__main__"}
    with contextlib.redirect_stdout(buffer):
        exec(compile(text, f"<program run with {engine}>", "exec"), namespace)
    return buffer.getvalue()


@dataclass(frozen=True)
class ProgramOutputs:
    """What one program printed under each engine."""

    bpcourse: str
    torch: str

    @property
    def identical(self) -> bool:
        return self.bpcourse == self.torch

    def differing_lines(self) -> list[int]:
        """1-based numbers of the lines that differ (a missing line counts as different)."""
        a, b = self.bpcourse.splitlines(), self.torch.splitlines()
        return [i + 1 for i in range(max(len(a), len(b)))
                if i >= len(a) or i >= len(b) or a[i] != b[i]]


def run_both(program: str) -> ProgramOutputs:
    """Run a torch program twice: with ``import bpcourse as torch``, then with torch itself."""
    return ProgramOutputs(bpcourse=run_program(program, "bpcourse"), torch=run_program(program, "torch"))


def side_by_side(left: str, right: str, titles: tuple[str, str] = ("bpcourse", "torch"),
                 width: int = 44, head: int | None = None, tail: int = 0) -> str:
    """Two texts in two columns; the middle column says ``=`` where the lines agree, ``!`` where not.

    ``head``/``tail``: show only the first ``head`` and last ``tail`` lines (with a count of the
    lines left out and how many of those differ).
    """
    a, b = left.expandtabs(4).splitlines(), right.expandtabs(4).splitlines()
    n = max(len(a), len(b))
    a += [""] * (n - len(a))
    b += [""] * (n - len(b))

    def row(i: int) -> str:
        mark = "=" if a[i] == b[i] else "!"
        return f"{a[i][:width]:<{width}} {mark} {b[i][:width]}"

    lines = [f"{titles[0]:<{width}}   {titles[1]}", f"{'-' * width}   {'-' * width}"]
    if head is None or head + tail >= n:
        lines += [row(i) for i in range(n)]
    else:
        hidden = range(head, n - tail)
        differ = sum(a[i] != b[i] for i in hidden)
        lines += [row(i) for i in range(head)]
        lines.append(f"... {len(hidden)} more lines, {differ} of them different ...")
        lines += [row(i) for i in range(n - tail, n)]
    return "\n".join(line.rstrip() for line in lines)


# ----- looking at a tensor's graph and its memory -----------------------------------------

def _next_functions(fn: Any) -> list[Any]:
    return [f for f, _ in getattr(fn, "next_functions", ()) if f is not None]


def count_graph_nodes(tensor: Any) -> int:
    """How many backward nodes ``tensor.grad_fn`` keeps reachable (0 for a tensor with no history).

    Follows ``grad_fn.next_functions`` iteratively (graphs may be millions deep) and counts
    each node once, as torch's own graph walk does. The leaves' ``AccumulateGrad`` nodes are
    counted too (bpcourse shows one per leaf in ``next_functions``, as torch does).
    """
    root = getattr(tensor, "grad_fn", None)
    if root is None:
        return 0
    seen = {id(root)}
    keep = [root]  # keep the objects alive so ids stay unique while we walk
    stack = [root]
    while stack:
        for parent in _next_functions(stack.pop()):
            if id(parent) not in seen:
                seen.add(id(parent))
                keep.append(parent)
                stack.append(parent)
    return len(seen)


def _fn_name(fn: Any) -> str:
    name = fn.name() if hasattr(fn, "name") else type(fn).__name__
    return name.rsplit(".", 1)[-1].rsplit("::", 1)[-1]


def graph_ops(tensor: Any) -> list[str]:
    """The names of the backward nodes of ``tensor``'s graph, from the output towards the inputs
    (breadth first, each node once): e.g. ``['PowBackward0', 'SubBackward0', 'MulBackward0', ...]``."""
    root = getattr(tensor, "grad_fn", None)
    if root is None:
        return []
    seen, order, frontier = {id(root)}, [root], [root]
    while frontier:
        nxt = []
        for fn in frontier:
            for parent in _next_functions(fn):
                if id(parent) not in seen:
                    seen.add(id(parent))
                    order.append(parent)
                    nxt.append(parent)
        frontier = nxt
    return [_fn_name(fn) for fn in order]


def rss_mb() -> float:
    """This process's resident memory in MB (what the operating system has given it)."""
    import psutil  # a dependency of bpcourse; imported here because only memory cells need it

    return psutil.Process().memory_info().rss / 2**20


def memory_growth(fn: Callable[[], Any]) -> tuple[Any, float]:
    """Call ``fn()`` and return ``(its result, growth of resident memory in MB)``.

    The result is kept alive while measuring, so whatever graph it holds is counted.
    """
    gc.collect()
    before = rss_mb()
    result = fn()
    gc.collect()
    return result, rss_mb() - before
