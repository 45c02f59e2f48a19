"""Checks shipped with the course: one module per notebook, ``NN_topic.py``, defining ``CHECKS``.

They are unseen, not secret: the solutions are public for self-study. For graded use an instructor
adds a private folder with more modules of the same names (``bpcourse grade --hidden DIR``).

    >>> load_checks("01_linear_model_gradient_descent")          # doctest: +SKIP
    [Check(grade_id='q1_...', ...), ...]
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from bpcourse.grader.api import Check

HERE = Path(__file__).resolve().parent


def _load_module(path: Path, name: str) -> list[Check]:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load checks from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up by name
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    checks = getattr(module, "CHECKS", None)
    if not isinstance(checks, (list, tuple)) or not all(isinstance(c, Check) for c in checks):
        raise TypeError(f"{path}: CHECKS must be a list of bpcourse.grader.api.Check")
    return list(checks)


def load_checks(stem: str, hidden: list[Path] | tuple[Path, ...] = (), builtin: Path | None = HERE) -> list[Check]:
    """The checks for notebook ``stem``: the course's own (``builtin`` folder), then each hidden folder's.

    A folder without ``<stem>.py`` adds nothing. Hidden checks are loaded under private module
    names, so a hidden ``01_x.py`` never shadows the course's.
    """
    checks: list[Check] = []
    folders = ([("bpcourse.grader.checks", builtin)] if builtin is not None else []) + [
        (f"bpcourse_hidden_checks_{i}", Path(d)) for i, d in enumerate(hidden)]
    for prefix, folder in folders:
        path = Path(folder) / f"{stem}.py"
        if path.is_file():
            name = f"{prefix}.{stem}" if folder == HERE else f"{prefix}_{abs(hash(str(path.resolve())))}_{stem}"
            checks.extend(_load_module(path, name))
    return checks
