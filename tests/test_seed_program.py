"""The course's headline demonstration: the seed lecture's torch program, with
``import bpcourse as torch`` in place of ``import torch``, prints byte for byte what torch 2.13
prints. Then the modern idioms, and more lecture-style programs, run under both."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
LECTURES = Path(__file__).parent / "tensor" / "lectures"


def start_program(source: str, engine: str, tmp_path: Path) -> subprocess.Popen:
    """Start ``source`` in a fresh interpreter with ``import torch`` bound to ``engine``."""
    if engine == "bpcourse":
        source = re.sub(r"^import torch$", "import bpcourse as torch", source, flags=re.M)
        source = re.sub(r"^from torch(\.| )", r"from bpcourse\1", source, flags=re.M)
        source = re.sub(r"^import torch\.(\S+) as ", r"import bpcourse.\1 as ", source, flags=re.M)
    path = tmp_path / f"program_{engine}.py"
    path.write_text(source, encoding="utf-8")
    # one thread each: these programs are tiny, and idle OpenMP threads spin on a busy machine
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def finish(proc: subprocess.Popen, engine: str) -> str:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, f"{engine} run failed:\n{err}"
    return out


def run_program(source: str, engine: str, tmp_path: Path) -> str:
    return finish(start_program(source, engine, tmp_path), engine)


def run_both(source: str, tmp_path: Path) -> tuple:
    """bpcourse's and torch's output of the same program (run side by side)."""
    ours = start_program(source, "bpcourse", tmp_path)
    theirs = start_program(source, "torch", tmp_path)
    return finish(ours, "bpcourse"), finish(theirs, "torch")


def test_seed_program_prints_what_torch_prints(tmp_path: Path) -> None:
    source = (DATA / "lecture4_backprop.py").read_text(encoding="utf-8")
    assert "import torch\n" in source
    expected = (DATA / "lecture4_backprop.torch-2.13.0.out").read_bytes().decode("utf-8")
    got = run_program(source, "bpcourse", tmp_path)
    assert got.count("\n") == expected.count("\n") == 402
    if got != expected:
        first = next(i for i, (a, b) in enumerate(zip(got.splitlines(), expected.splitlines())) if a != b)
        pytest.fail(f"line {first + 1} differs:\n bpcourse: {got.splitlines()[first]!r}\n "
                    f"torch:    {expected.splitlines()[first]!r}")
    assert got == expected


MODERN = '''\
import torch
x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]
w = torch.tensor([1.0], requires_grad=True)
lr = 0.01
print("predict (before training)", 4, (4 * w).item())
for epoch in range(100):
    for x, y in zip(x_data, y_data):
        l = (x * w - y) ** 2
        l.backward()
        print("\\t grad:", x, y, w.grad.item())
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
    print("progress:", epoch, l.item())
print("predict (after training)", 4, (4 * w).item())
print(w)
print(l)
print(w.grad, w.is_leaf, l.is_leaf, l.requires_grad)
'''


def test_modern_idioms_print_what_torch_prints(tmp_path: Path) -> None:
    ours, theirs = run_both(MODERN, tmp_path)
    assert ours == theirs


def _numbers(text: str) -> list:
    return [float(m) for m in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", text)]


@pytest.mark.parametrize("name", sorted(p.name for p in LECTURES.glob("*.py")))
def test_lecture_programs_match_torch(name: str, tmp_path: Path) -> None:
    """Same printed numbers to float32 tolerance (same initial weights, set in the program)."""
    source = (LECTURES / name).read_text(encoding="utf-8")
    ours, theirs = run_both(source, tmp_path)
    a, b = _numbers(ours), _numbers(theirs)
    assert len(a) == len(b) > 5, f"{name}: printed different things:\n{ours[:500]}\n---\n{theirs[:500]}"
    for i, (x, y) in enumerate(zip(a, b)):
        assert abs(x - y) <= 1e-4 + 1e-4 * abs(y), f"{name}: number {i}: bpcourse {x} vs torch {y}"
    # the words are the same too (only digits may differ in the last places)
    assert re.sub(r"-?\d+\.\d+(?:e-?\d+)?", "#", ours) == re.sub(r"-?\d+\.\d+(?:e-?\d+)?", "#", theirs)
