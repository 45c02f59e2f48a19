"""backward and grad: run the backward pass from Python (``engine.py`` does the work)."""
from __future__ import annotations

from typing import Any

import numpy as np

from bpcourse import engine
from bpcourse.tensor import Tensor, _wrap


def _as_list(x: Any) -> list:
    return [x] if isinstance(x, Tensor) or x is None else list(x)


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None, create_graph: bool = False,
             inputs: Any = None) -> None:
    """``torch.autograd.backward(l)`` is ``l.backward()``; several roots are summed."""
    roots = _as_list(tensors)
    grads = _as_list(grad_tensors) if grad_tensors is not None else [None] * len(roots)
    seeds = [engine.initial_gradient(r, g, "backward", _wrap) for r, g in zip(roots, grads)]
    engine.backward(roots, seeds, _wrap, retain_graph=create_graph if retain_graph is None else retain_graph,
                    create_graph=create_graph, inputs=None if inputs is None else _as_list(inputs), accumulate=True)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple:
    """d outputs / d inputs, returned (one per input) instead of accumulated into ``.grad``.

    ``grad_outputs`` weights the outputs (needed for an output that is not a single number);
    ``create_graph=True`` records the computation, for higher derivatives (``retain_graph``
    then defaults to True); ``allow_unused=True`` returns None for an input the outputs do not
    depend on (else that is an error); ``materialize_grads=True`` returns zeros instead.
    """
    if is_grads_batched:
        raise NotImplementedError("grad: is_grads_batched=True is not supported by bpcourse (loop over the "
                                  "rows of grad_outputs instead)")
    roots = _as_list(outputs)
    targets = _as_list(inputs)
    grads = _as_list(grad_outputs) if grad_outputs is not None else [None] * len(roots)
    if len(grads) != len(roots):
        raise RuntimeError(f"grad requires one grad_output per output: got {len(grads)} grad_outputs and "
                           f"{len(roots)} outputs")
    for t in targets:
        if not isinstance(t, Tensor) or not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    seeds = [engine.initial_gradient(r, g, "grad", _wrap) for r, g in zip(roots, grads)]
    found = engine.backward(roots, seeds, _wrap, retain_graph=create_graph if retain_graph is None else retain_graph,
                            create_graph=create_graph, inputs=targets, accumulate=False)
    result = []
    for i, (t, g) in enumerate(zip(targets, found)):
        if g is None:
            if materialize_grads:
                g = np.zeros_like(t.array)
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
            else:
                result.append(None)
                continue
        if isinstance(g, Tensor):
            result.append(g)
        else:  # a fresh, writable array of the input's shape (g may be a broadcast view)
            result.append(_wrap(np.array(np.broadcast_to(g, t.array.shape), dtype=t.array.dtype)))
    return tuple(result)


def Variable(data: Any, requires_grad: bool = False) -> Tensor:  # noqa: N802 - torch's old name
    """``Variable(tensor, requires_grad=True)`` from older lectures: today just a Tensor."""
    t = data if isinstance(data, Tensor) else _wrap(np.asarray(data))
    if requires_grad:
        t.requires_grad = True
    return t
