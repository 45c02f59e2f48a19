"""A scalar autograd engine: micrograd's ``Value``, with every local derivative stored at forward time.

Rules (y = the op's output, x / a, b = its inputs; each is stored in ``_local`` as dy/dinput):

    a + b  -> (1, 1)          a - b  -> (1, -1)         a * b  -> (b, a)
    a / b  -> (1/b, -a/b^2)   x ** n -> (n x^(n-1),)    -x     -> (-1,)
    relu   -> (1 if y > 0)    tanh   -> (1 - y^2,)      sigmoid -> (y (1 - y),)
    exp    -> (y,)            log    -> (1/x,)

``backward()`` then needs no per-op code at all: walking the graph from the output back to the
inputs, every node hands ``local * node.grad`` to each of its parents (the chain rule).

    >>> x = Value(-4.0); y = (2 * x + 2 + x).relu() + x * x; y.backward()
    >>> y.data, x.grad
    (16.0, -8.0)
"""
from __future__ import annotations

import gc
import math
from typing import Iterator

__all__ = ["Value", "topological_order", "zero_grad", "collector_paused"]


class collector_paused:
    """``with collector_paused():`` -- pause Python's *cyclic* garbage collector, then restore it.

    Why: a training step builds ~65,000 ``Value`` objects that stay alive until ``backward()``.
    Every 700 new objects CPython runs its cycle collector, and the longer collections re-scan all
    live nodes, again and again (in micrograd that is ~89% of a step). Our graphs contain no
    reference cycles (no closures, parents never point back to children), so plain reference
    counting frees every node the moment the graph is dropped: the collector has nothing to find.
    The library therefore pauses it only around its *own* bulk work (``backward()``, a model's
    forward pass) and restores the previous state afterwards, even on an error. Your interpreter
    is not changed outside those calls; collections that came due run right after.
    """

    __slots__ = ("was_enabled",)

    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info: object) -> None:
        if self.was_enabled:
            gc.enable()


class Value:
    """A scalar with a gradient. ``Value(2.0, label="w")``; ``.data``, ``.grad`` (0.0 at creation)."""

    # __slots__: no per-node dict (smaller, faster attribute access), and typos raise AttributeError.
    __slots__ = ("data", "grad", "label", "_prev", "_local", "_op")
    __array_ufunc__ = None  # `numpy_float * Value` defers to Value.__rmul__ instead of making an array

    def __init__(self, data: float, label: str = "") -> None:
        try:
            self.data = float(data)
        except (TypeError, ValueError):
            raise TypeError(f"Value: data must be a real number, got {data!r} ({type(data).__name__})") from None
        self.grad = 0.0
        self.label = label
        self._prev: tuple[Value, ...] = ()  # the inputs, in operand order; () for a leaf
        self._local: tuple[float, ...] = ()  # d self / d input, one per input, computed in the forward pass
        self._op = ""

    @staticmethod
    def _result(data: float, prev: tuple[Value, ...], local: tuple[float, ...], op: str) -> Value:
        """The output node of an op: its value, inputs, local derivatives and name."""
        out = Value.__new__(Value)
        out.data, out.grad, out.label, out._prev, out._local, out._op = data, 0.0, "", prev, local, op
        return out

    # ---- graph protocol (what bpcourse.viz and the widgets read) ----
    @property
    def op(self) -> str:
        return self._op

    @property
    def parents(self) -> tuple[Value, ...]:
        return self._prev

    # ---- binary ops: forward value, then the local derivatives beside it ----
    def __add__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value._result(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __sub__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value._result(self.data - other.data, (self, other), (1.0, -1.0), "-")

    def __mul__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value._result(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __truediv__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        a, b = self.data, other.data
        if b == 0.0:
            raise ZeroDivisionError(f"/: division by zero: {self!r} / {other!r}")
        return Value._result(a / b, (self, other), (1.0 / b, -a / (b * b)), "/")

    def __pow__(self, n: float) -> Value:
        if isinstance(n, Value):
            raise TypeError(f"**: the exponent must be a number, not a Value ({self!r} ** {n!r}); "
                            "for a variable exponent write (n * x.log()).exp(), which needs x > 0")
        if not isinstance(n, (int, float)):
            raise TypeError(f"**: the exponent must be an int or float, got {n!r} ({type(n).__name__})")
        x = self.data
        if x < 0.0 and n != int(n):
            raise ValueError(f"**: {self!r} ** {n} is not a real number (negative base, non-integer exponent)")
        if x == 0.0 and n < 1 and n != 0:
            raise ValueError(f"**: {self!r} ** {n}: the derivative n * x**(n-1) is infinite at x = 0")
        return Value._result(x**n, (self,), (n * x ** (n - 1) if n != 0 else 0.0,), f"**{n}")

    def __rpow__(self, base: float) -> Value:
        raise TypeError(f"**: the exponent must be a number, not a Value ({base!r} ** {self!r}); "
                        "for a variable exponent write (x * math.log(base)).exp(), which needs base > 0")

    # ---- unary ops ----
    def __neg__(self) -> Value:
        return Value._result(-self.data, (self,), (-1.0,), "neg")

    def relu(self) -> Value:
        y = self.data if self.data > 0.0 else 0.0
        return Value._result(y, (self,), (1.0 if y > 0.0 else 0.0,), "ReLU")  # micrograd's op name

    def tanh(self) -> Value:
        y = math.tanh(self.data)
        return Value._result(y, (self,), (1.0 - y * y,), "tanh")  # tanh' = 1 - tanh^2: needs only y

    def sigmoid(self) -> Value:
        x = self.data
        # 1 / (1 + e^-x), written so that exp never overflows
        y = 1.0 / (1.0 + math.exp(-x)) if x >= 0.0 else math.exp(x) / (1.0 + math.exp(x))
        return Value._result(y, (self,), (y * (1.0 - y),), "sigmoid")

    def exp(self) -> Value:
        y = math.exp(self.data)
        return Value._result(y, (self,), (y,), "exp")  # exp' = exp: the local derivative is the output

    def log(self) -> Value:
        x = self.data
        if x <= 0.0:
            raise ValueError(f"log: input must be positive, got {self!r}; log is only defined for x > 0")
        return Value._result(math.log(x), (self,), (1.0 / x,), "log")

    # ---- a number on the left: 2 + x, 2 - x, 2 * x, 2 / x ----
    def __radd__(self, other: float) -> Value:
        return Value(other) + self

    def __rsub__(self, other: float) -> Value:
        return Value(other) - self

    def __rmul__(self, other: float) -> Value:
        return Value(other) * self

    def __rtruediv__(self, other: float) -> Value:
        return Value(other) / self

    # ---- backpropagation ----
    def backward(self) -> None:
        """Fill ``.grad`` of every node in this graph with d self / d node.

        A second ``backward()`` *accumulates* into the leaves (the inputs and parameters), as torch
        does with ``retain_graph=True``: call ``model.zero_grad()`` or ``zero_grad(root)`` between
        steps. Intermediate nodes always show this pass's gradient.
        """
        with collector_paused():
            topo = topological_order(self)
            for node in topo:  # intermediate grads start from 0 each pass; leaves keep accumulating
                if node._prev:
                    node.grad = 0.0
            self.grad += 1.0  # d self / d self
            # Outputs before inputs: when we reach a node, every use of it has added its share.
            for node in reversed(topo):
                for parent, local in zip(node._prev, node._local):
                    parent.grad += local * node.grad  # chain rule

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data}, grad={self.grad}{label})"


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, inputs first and ``root`` last. Iterative: any depth.

    Depth-first search with an explicit stack: a node is appended after all of its parents.
    """
    order: list[Value] = []
    visited = {root}
    stack: list[tuple[Value, Iterator[Value]]] = [(root, iter(root._prev))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:  # resume where we left off with this node
            if parent not in visited:
                visited.add(parent)
                stack.append((parent, iter(parent._prev)))
                break
        else:  # all parents done
            stack.pop()
            order.append(node)
    return order


def zero_grad(root: Value) -> None:
    """Set ``.grad = 0.0`` on every node of ``root``'s graph."""
    for node in topological_order(root):
        node.grad = 0.0
