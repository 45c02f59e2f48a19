"""The core reads top to bottom: imports run one way (no cycle, nothing imported at the bottom of
a file or inside a function), and tensor.py stays short enough to read in one sitting."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "bpcourse"
# bottom to top: a module may import only from the layers listed before it
LAYERS = [
    ["grad_mode.py", "graph.py", "dtypes.py", "random.py", "devices.py"],
    ["printing.py", "function.py"],
    ["ops/broadcast.py", "ops/maths.py", "ops/elementwise.py", "ops/reduce.py", "ops/shape.py", "ops/linalg.py",
     "ops/softmax.py", "ops/loss.py"],
    ["engine.py", "tensor_base.py"],
    ["inplace.py", "more_methods.py"],
    ["tensor.py"],
    ["creation.py", "functional.py", "tensor_graph.py", "autograd/function.py", "autograd/gradients.py"],
    ["autograd/functional.py"],
]
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def _module_file(dotted: str) -> str | None:
    parts = dotted.split(".")
    if parts[0] != "bpcourse" or len(parts) == 1:
        return None
    rel = "/".join(parts[1:])
    return rel + ".py" if (CORE / (rel + ".py")).exists() else None


def _imports(path: Path) -> list:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [f"{node.module}.{a.name}" for a in node.names]
            found.append((node, [node.module, *names]))
        elif isinstance(node, ast.Import):
            found.append((node, [a.name for a in node.names]))
    return found


@pytest.mark.parametrize("name", sorted(RANK))
def test_core_module_imports_only_from_layers_below_it(name: str) -> None:
    path = CORE / name
    for _, targets in _imports(path):
        for target in targets:
            rel = _module_file(target)
            if rel is not None and rel in RANK:
                assert RANK[rel] < RANK[name] or (rel.startswith("ops/") and name.startswith("ops/")), (
                    f"{name} imports {rel}, which is not below it")


@pytest.mark.parametrize("name", sorted(RANK))
def test_core_module_has_every_import_at_the_top(name: str) -> None:
    source = (CORE / name).read_text(encoding="utf-8")
    assert "noqa: E402" not in source and "noqa: PLC0415" not in source
    tree = ast.parse(source)
    first_definition = next((n.lineno for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))), None)
    for node, _ in _imports(CORE / name):
        assert first_definition is None or node.lineno < first_definition, (
            f"{name}:{node.lineno} imports after the first definition (an import at the bottom or in a function)")


def test_tensor_py_reads_in_one_sitting() -> None:
    assert len((CORE / "tensor.py").read_text(encoding="utf-8").splitlines()) <= 700
