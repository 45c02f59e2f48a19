"""What a check module declares: ``CHECKS = [Check(...), ...]``.

A check asks the learner's kernel for one result and judges it in the grader's own process::

    from bpcourse.grader.api import Check

    def inputs(rng):                      # the grader's seeded RNG; return JSON data
        return {"x": rng.normal(size=5).tolist()}

    def verify(inputs, result):           # runs in the grader, never in the kernel
        x = np.array(inputs["x"])
        s = 1 / (1 + np.exp(-x))
        want = s * (1 - s)
        got = np.asarray(result, dtype=float)
        assert got.shape == want.shape, f"sigmoid_grad returned shape {got.shape}, expected {want.shape}"
        assert np.allclose(got, want), f"sigmoid_grad(x) = {got}, expected {want}"

    CHECKS = [Check(grade_id="q1_sigmoid_grad", inputs=inputs,
                    probe="RESULT = sigmoid_grad(np.array(INPUTS['x']))", verify=verify)]

``probe`` runs in the learner's kernel right after the question's grade cell, with ``INPUTS``
(the JSON from ``inputs``) defined; it must assign ``RESULT`` (JSON data and numpy arrays, torch or
bpcourse tensors are turned into arrays). ``verify`` gets the ``inputs`` object and the decoded
result and raises ``AssertionError("what is wrong")`` on a wrong answer; its first line is what the
learner sees.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


def no_inputs(rng: np.random.Generator) -> None:
    """The ``inputs`` of a check that needs none (the probe reads a variable, say)."""
    return None


@dataclass(frozen=True)
class Check:
    """One result pulled out of the learner's kernel and judged by the grader.

    grade_id: the grade cell (question) this check belongs to.
    inputs:   ``fn(rng) -> JSON data``; ``rng`` is ``numpy.random.default_rng`` with a seed fixed
              per check, so every submission gets the same inputs.
    probe:    Python code run in the kernel with ``INPUTS`` defined; it must assign ``RESULT``.
    verify:   ``fn(inputs, result)``, run in the grader; raises ``AssertionError`` if wrong.
    name:     a short label for feedback (defaults to the probe's first line).
    """

    grade_id: str
    probe: str
    verify: Callable[[Any, Any], None]
    inputs: Callable[[np.random.Generator], Any] = field(default=no_inputs)
    name: str = ""

    def label(self) -> str:
        return self.name or self.probe.strip().splitlines()[0][:60]
