"""Load solution sources and grader checks in-process, for the tests of tests/solutions/.

The real grader executes a notebook in a kernel; here the solution's code cells run with ``exec``
in one namespace, which is enough to see that each check's ``verify`` accepts the reference
solution's outputs and rejects wrong ones.
"""
from __future__ import annotations

import copy
import importlib.util
import json
import math
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
STEMS = [
    "01_linear_model_gradient_descent",
    "02_chain_rule_computational_graphs",
    "03_matrix_calculus_backprop",
    "04_why_reverse_mode",
    "05_autograd_from_scratch_scalar",
    "06_tensor_autograd",
    "07_pytorch_autograd",
    "08_training_a_network",
]


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def notebook_tool() -> ModuleType:
    return _load("_bpcourse_tools_notebooks", ROOT / "tools" / "notebooks.py")


def load_checks(stem: str) -> list:
    """The CHECKS list of bpcourse/grader/checks/<stem>.py, loaded by file path as the grader does."""
    return _load(f"_checks_{stem}", ROOT / "bpcourse" / "grader" / "checks" / f"{stem}.py").CHECKS


def source_cells(stem: str):
    return notebook_tool().read_source(ROOT / "solutions" / "src" / f"{stem}.py").cells


def run_solution(stem: str) -> dict:
    """Execute every code cell of the solution source (grade cells included) in one namespace."""
    namespace: dict = {"__name__": "__main__"}
    for cell in source_cells(stem):
        if cell.cell_type == "code":
            exec(compile(cell.source, f"<{stem}:{cell.metadata['nbgrader']['grade_id']}>", "exec"), namespace)
    return namespace


def probe(namespace: dict, check, inputs) -> object:
    """Run a check's probe as the grader would: INPUTS is plain JSON, RESULT must be plain data."""
    namespace["INPUTS"] = json.loads(json.dumps(inputs))
    namespace.pop("RESULT", None)
    exec(compile(check.probe, f"<probe {check.grade_id}>", "exec"), namespace)
    assert "RESULT" in namespace, f"probe for {check.grade_id} did not assign RESULT"
    return json.loads(json.dumps(namespace["RESULT"], allow_nan=False))


def perturb(value):
    """A copy of a probe result with its first number, bool or string changed: a wrong answer."""
    value = copy.deepcopy(value)

    def change(v):
        if isinstance(v, bool):
            return True, (not v)
        if isinstance(v, (int, float)):
            return True, v + 0.37 * (1.0 + abs(v)) if math.isfinite(v) else 0.0
        if isinstance(v, str):
            return True, v + "_wrong"
        if isinstance(v, list):
            for i, item in enumerate(v):
                done, new = change(item)
                if done:
                    v[i] = new
                    return True, v
        if isinstance(v, dict):
            for key in sorted(v):
                done, new = change(v[key])
                if done:
                    v[key] = new
                    return True, v
        return False, v

    changed, value = change(value)
    assert changed, "nothing to perturb in the result"
    return value
