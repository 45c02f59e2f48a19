"""Assertions the checks use to compare a learner's plain-data results with the grader's references.

Each raises ``AssertionError`` with a message that says what is wrong ("dW has shape (3, 2),
expected (2, 3)"), which the grader shows as the first line of a lost question's feedback.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np


def number(name: str, value) -> float:
    """value as a float; refuses bools, non-numbers, nan and inf."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AssertionError(f"{name} should be a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise AssertionError(f"{name} is {value}, expected a finite number")
    return float(value)


def close(name: str, got, want: float, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    got = number(name, got)
    if not abs(got - want) <= atol + rtol * abs(want):
        raise AssertionError(f"{name} = {got:.6g}, expected {want:.6g}")


def array(name: str, value, shape: tuple) -> np.ndarray:
    """value as a float array of the given shape, with finite entries."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(f"{name} is not an array of numbers") from None
    if arr.shape != tuple(shape):
        raise AssertionError(f"{name} has shape {arr.shape}, expected {tuple(shape)}")
    if not np.all(np.isfinite(arr)):
        raise AssertionError(f"{name} contains nan or inf")
    return arr


def array_close(name: str, got, want, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    want = np.asarray(want, dtype=float)
    got = array(name, got, want.shape)
    if not np.allclose(got, want, rtol=rtol, atol=atol):
        i = np.unravel_index(np.argmax(np.abs(got - want)), want.shape) if want.shape else ()
        raise AssertionError(f"{name} is wrong: at index {tuple(int(k) for k in i)} got {float(got[i]):.6g}, "
                             f"expected {float(want[i]):.6g}")


def one_per_case(result, cases: list, message: str) -> list:
    """result as a list holding one entry per case the probe ran; otherwise ``message`` is the failure."""
    if not isinstance(result, list) or len(result) != len(cases):
        raise AssertionError(message)
    return result


def record(name: str, result, keys: set) -> dict:
    """result as a dict holding at least these keys (what a probe sends back)."""
    if not isinstance(result, dict) or not keys <= set(result):
        raise AssertionError(f"could not read {name}")
    return result


def central_diff(f: Callable[[float], float], x: float, h: float = 1e-6) -> float:
    """(f(x + h) - f(x - h)) / 2h: the grader's own derivative, error O(h^2)."""
    return (f(x + h) - f(x - h)) / (2 * h)
