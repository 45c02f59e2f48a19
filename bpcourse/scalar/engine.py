"""A scalar autograd engine: micrograd's ``Value``, with every local derivative stored at forward time.

Rules (y = the op's output, x / a, b = its inputs; stored in ``_da``, ``_db`` as dy/da, dy/db):

    a + b  -> (1, 1)          a - b  -> (1, -1)         a * b  -> (b, a)
    a / b  -> (1/b, -a/b^2)   x ** n -> (n x^(n-1),)    -x     -> (-1,)
    relu   -> (y > 0 ? 1 : 0) tanh   -> (1 - y^2,)      sigmoid -> (y (1 - y),)
    exp    -> (y,)            log    -> (1/x,)

``backward()`` then needs no per-op code at all: walking the graph from the output back to the
inputs, every node hands ``local * node.grad`` to each of its (at most two) inputs: the chain rule.

    >>> x = Value(-4.0); y = (2 * x + 2 + x).relu() + x * x; y.backward()
    >>> y.data, x.grad
    (16.0, -8.0)
"""
from __future__ import annotations

import math

from .collector import collector_paused

__all__ = ["Value", "topological_order", "zero_grad"]


class Value:
    """A scalar with a gradient. ``Value(2.0, label="w")``; ``.data``, ``.grad`` (0.0 at creation)."""

    # One node = ONE object: the inputs and local derivatives live in the node's own slots rather
    # than in tuples, so the garbage collector tracks a single object per node and the floats not at
    # all (see collector.py). __slots__ also means no per-node dict, and typos raise AttributeError.
    __slots__ = ("data", "grad", "label", "_op", "_a", "_da", "_b", "_db")
    __array_ufunc__ = None  # `numpy_float * Value` defers to Value.__rmul__ instead of making an array

    def __init__(self, data: float, label: str = "") -> None:
        try:
            if isinstance(data, str):
                raise TypeError  # float("3.5") would accept text
            self.data = float(data)
        except (TypeError, ValueError):
            kind = type(data).__name__
            raise TypeError(f"Value: data must be a real number, got {data!r} ({kind})") from None
        self.grad = 0.0
        self.label = label
        self._op = ""  # the op that made this node; "" for a leaf
        self._a: Value | None = None  # first input (None for a leaf)
        self._da = 0.0  # d self / d _a, computed in the forward pass
        self._b: Value | None = None  # second input (None for a leaf or a one-input op)
        self._db = 0.0  # d self / d _b

    @staticmethod
    def _result(data: float, op: str, a: Value, da: float, b: Value | None = None, db: float = 0.0) -> Value:
        """The output node of an op: its value, name, inputs and their local derivatives."""
        out = Value.__new__(Value)
        out.data, out.grad, out.label, out._op = data, 0.0, "", op
        out._a, out._da, out._b, out._db = a, da, b, db
        return out

    # ---- graph protocol (what bpcourse.viz and the widgets read) ----
    @property
    def op(self) -> str:
        return self._op

    @property
    def parents(self) -> tuple[Value, ...]:
        """The inputs, in operand order; () for a leaf."""
        if self._a is None:
            return ()
        return (self._a,) if self._b is None else (self._a, self._b)

    _prev = parents  # micrograd's name

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d self / d input, one per entry of ``parents``."""
        return (self._da, self._db)[: len(self.parents)]

    # ---- binary ops: forward value, then the local derivatives beside it ----
    def __add__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value._result(self.data + other.data, "+", self, 1.0, other, 1.0)

    def __sub__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value._result(self.data - other.data, "-", self, 1.0, other, -1.0)

    def __mul__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value._result(self.data * other.data, "*", self, other.data, other, self.data)

    def __truediv__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        a, b = self.data, other.data
        if b == 0.0:
            raise ZeroDivisionError(f"/: division by zero: {self!r} / {other!r}")
        return Value._result(a / b, "/", self, 1.0 / b, other, -a / (b * b))

    def __pow__(self, n: float) -> Value:
        if isinstance(n, Value):
            raise TypeError(f"**: the exponent must be a number, not a Value ({self!r} ** {n!r}); "
                            "for a variable exponent write (n * x.log()).exp(), which needs x > 0")
        if not isinstance(n, (int, float)):
            raise TypeError(f"**: the exponent must be an int or float, got {n!r} ({type(n).__name__})")
        x = self.data
        if x < 0.0 and not float(n).is_integer():
            raise ValueError(f"**: {self!r} ** {n} is not a real number "
                             "(negative base, non-integer exponent)")
        if x == 0.0 and n < 1 and n != 0:
            raise ValueError(f"**: {self!r} ** {n}: the derivative n * x**(n-1) is infinite at x = 0")
        return Value._result(x**n, f"**{n}", self, n * x ** (n - 1) if n != 0 else 0.0)

    def __rpow__(self, base: float) -> Value:
        raise TypeError(f"**: the exponent must be a number, not a Value ({base!r} ** {self!r}); "
                        "for a variable exponent write (x * math.log(base)).exp(), which needs base > 0")

    # ---- unary ops ----
    def __neg__(self) -> Value:
        return Value._result(-self.data, "neg", self, -1.0)

    def relu(self) -> Value:
        y = self.data if self.data > 0.0 else 0.0
        return Value._result(y, "ReLU", self, 1.0 if y > 0.0 else 0.0)  # micrograd's op name

    def tanh(self) -> Value:
        y = math.tanh(self.data)
        return Value._result(y, "tanh", self, 1.0 - y * y)  # tanh' = 1 - tanh^2: needs only y

    def sigmoid(self) -> Value:
        x = self.data
        # 1 / (1 + e^-x), written so that exp never overflows
        y = 1.0 / (1.0 + math.exp(-x)) if x >= 0.0 else math.exp(x) / (1.0 + math.exp(x))
        return Value._result(y, "sigmoid", self, y * (1.0 - y))

    def exp(self) -> Value:
        y = math.exp(self.data)
        return Value._result(y, "exp", self, y)  # exp' = exp: the local derivative is the output

    def log(self) -> Value:
        x = self.data
        if x <= 0.0:
            raise ValueError(f"log: input must be positive, got {self!r}; log is only defined for x > 0")
        return Value._result(math.log(x), "log", self, 1.0 / x)

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
        steps. Intermediate nodes always show this pass's gradient. The local derivatives were
        computed when each op ran: after changing a leaf's ``.data``, build the graph again.
        """
        with collector_paused:
            topo = topological_order(self)
            for node in topo:  # intermediate grads start from 0 each pass; leaves keep accumulating
                if node._a is not None:
                    node.grad = 0.0
            self.grad += 1.0  # d self / d self
            # Outputs before inputs: when we reach a node, every use of it has added its share.
            for node in reversed(topo):
                if node._a is not None:
                    node._a.grad += node._da * node.grad  # chain rule: dL/da += dnode/da * dL/dnode
                if node._b is not None:
                    node._b.grad += node._db * node.grad

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data}, grad={self.grad}{label})"


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, inputs first and ``root`` last. Iterative: any depth.

    Depth-first search with an explicit stack (no recursion): the top node waits until its inputs
    have been visited (first ``_a``, then ``_b``), and is appended to ``order`` after them.
    """
    order: list[Value] = []
    visited = {root}
    stack = [root]
    while stack:
        node = stack[-1]
        a, b = node._a, node._b
        if a is not None and a not in visited:
            visited.add(a)
            stack.append(a)
        elif b is not None and b not in visited:
            visited.add(b)
            stack.append(b)
        else:  # both inputs are in `order` already (a graph has no cycles)
            order.append(stack.pop())
    return order


def zero_grad(root: Value) -> None:
    """Set ``.grad = 0.0`` on every node of ``root``'s graph."""
    for node in topological_order(root):
        node.grad = 0.0
