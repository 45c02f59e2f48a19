"""Module: a callable that owns Parameters and sub-Modules.

Assigning ``self.linear = Linear(1, 1)`` or ``self.w = Parameter(...)`` in ``__init__``
registers it (``__setattr__`` below), so ``model.parameters()`` finds every weight, however
deeply nested. ``model(x)`` calls ``model.forward(x)``.
"""
from __future__ import annotations

import os
import sys
import warnings
from collections import OrderedDict
from typing import Any, Iterator, NamedTuple

import numpy as np

from bpcourse.devices import check_device
from bpcourse.function import RemovableHandle, numbers_changed
from bpcourse.grad_mode import is_grad_enabled
from bpcourse.tensor import Tensor, tensor_repr


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(..., strict=False)`` could not match (torch's ``_IncompatibleKeys``)."""

    missing_keys: list
    unexpected_keys: list

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"


def _size(shape: tuple) -> str:
    return f"torch.Size([{', '.join(str(n) for n in shape)}])"


class Parameter(Tensor):
    """A leaf tensor that a Module registers as a weight (requires_grad=True by default)."""

    __slots__ = ()
    torch_name = "torch.nn.parameter.Parameter"

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        array = np.zeros(0, dtype=np.float32) if data is None else (
            data.array if isinstance(data, Tensor) else np.asarray(data, dtype=np.float32))
        self.array = array  # shares memory with data, as in torch
        self._requires_grad = False
        self._grad = None
        self.grad_fn = None
        self.label = ""
        self._retains_grad = False
        self._version_counter = None  # made on the first in-place change (bpcourse/inplace.py)
        self._hooks = None
        self.requires_grad = requires_grad

    def __repr__(self) -> str:
        return "Parameter containing:\n" + tensor_repr(self)

    __str__ = __repr__  # print(p) too (Tensor binds __str__ to its own __repr__)


def _first_frame_outside_bpcourse() -> int:
    """The stacklevel of the learner's line (``loss.backward()``), for a warning raised deep inside."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _BackwardHooks:
    """One call of a module with full backward hooks: hooks on its outputs collect grad_output,
    an identity node on its input yields grad_input (as torch's BackwardHookFunction does), and
    the module's hooks run when grad_input is known (or, if no input requires grad, when the
    outputs' gradients are)."""

    def __init__(self, module: "Module", args: tuple) -> None:
        self.module = module
        tensors = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        needing = [k for k, i in enumerate(tensors) if args[i].requires_grad]
        if len(needing) > 1:
            raise NotImplementedError(
                f"not implemented in bpcourse: full backward hooks on a module called with {len(needing)} inputs "
                f"that require grad ({type(module).__name__}); register_hook on each input tensor instead")
        self.n_inputs, self.position = len(tensors), (needing[0] if needing else None)
        self.grad_output: list = []
        self.waiting: set = set()
        args = list(args)
        if needing:
            i = tensors[needing[0]]
            args[i] = args[i].view_as(args[i])
            args[i].register_hook(self._on_input)
        self.inputs = tuple(args)

    def watch(self, output: Any) -> None:
        outputs = [o for o in (output if isinstance(output, tuple) else (output,)) if isinstance(o, Tensor)]
        self.grad_output = [None] * len(outputs)
        for j, o in enumerate(outputs):
            if o.requires_grad:
                self.waiting.add(j)
                o.register_hook(lambda g, j=j: self._on_output(j, g))

    def _on_output(self, j: int, g: Any) -> None:
        self.grad_output[j] = g
        self.waiting.discard(j)
        if self.position is None and not self.waiting:
            warnings.warn("Full backward hook is firing when gradients are computed with respect to module outputs "
                          "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
                          "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.",
                          UserWarning, stacklevel=_first_frame_outside_bpcourse())
            self._run([None] * self.n_inputs)

    def _on_input(self, g: Any) -> Any:
        return self._run([g if k == self.position else None for k in range(self.n_inputs)])[self.position]

    def _run(self, grad_input: list) -> list:
        for hook in list(self.module._backward_hooks.values()):
            changed = hook(self.module, tuple(grad_input), tuple(self.grad_output))
            if changed is not None:
                if not isinstance(changed, (tuple, list)) or len(changed) != len(grad_input):
                    raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got "
                                       f"{len(changed) if isinstance(changed, (tuple, list)) else 1}, but expected "
                                       f"{len(grad_input)}")
                grad_input = list(changed)
        return grad_input


class Module:
    """Base class of every layer and model (subclass it and write ``forward``)."""

    _hooked = False  # True once a hook was registered (set by _add_hook): __call__ checks the hooks then

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_backward_hooks", OrderedDict())

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, (Parameter, Module)) and "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {'parameters' if isinstance(value, Parameter) else 'module'} before "
                f"Module.__init__() call: call super().__init__() first in {type(self).__name__}.__init__"
            )
        if "_parameters" in self.__dict__:  # (a name already there keeps its place: model[1] = nn.Tanh())
            if name in self._buffers and (value is None or (isinstance(value, Tensor) and not isinstance(value, Parameter))):
                self._buffers[name] = value  # self.running_mean = new tensor: still a buffer
            elif isinstance(value, Parameter):
                self._modules.pop(name, None)
                self._parameters[name] = value
            elif isinstance(value, Module):
                self._parameters.pop(name, None)
                self._modules[name] = value
            else:
                self._parameters.pop(name, None)
                self._modules.pop(name, None)
            if isinstance(value, (Parameter, Module)):
                self._buffers.pop(name, None)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._buffers.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """A tensor the module keeps that is not trained (a running mean, a fixed mask): it follows
        ``.double()`` and, if persistent, is saved in ``state_dict()``; ``parameters()`` skip it."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f'buffer name should be a non-empty string without ".", got {name!r}')
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)
        object.__setattr__(self, name, tensor)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if param is None:
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, param)

    def add_module(self, name: str, module: "Module") -> None:
        setattr(self, name, module)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self._hooked:  # the common case: one attribute read, not three dict lookups per call
            return self.forward(*args, **kwargs)
        for hook in list(self._forward_pre_hooks.values()):
            changed = hook(self, args)  # may replace the positional inputs
            if changed is not None:
                args = changed if isinstance(changed, tuple) else (changed,)
        backward = _BackwardHooks(self, args) if self._backward_hooks and is_grad_enabled() else None
        if backward is not None:
            args = backward.inputs
        output = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            changed = hook(self, args, output)  # may replace the output
            if changed is not None:
                output = changed
        if backward is not None:
            backward.watch(output)
        return output

    # --- hooks: torch's forward hooks and full backward hooks -----------------------------------
    def register_forward_pre_hook(self, hook: Any, *, prepend: bool = False, with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args)`` before ``forward``; a returned value replaces ``args``."""
        return self._add_hook(self._forward_pre_hooks, hook, prepend, with_kwargs, "register_forward_pre_hook")

    def register_forward_hook(self, hook: Any, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after ``forward``; a returned value replaces the output.
        ``handle = layer.register_forward_hook(fn)``; ``handle.remove()`` takes it off again."""
        if always_call:
            raise NotImplementedError("not implemented in bpcourse: register_forward_hook(always_call=True); "
                                      "call the hook yourself in a try/finally around model(x)")
        return self._add_hook(self._forward_hooks, hook, prepend, with_kwargs, "register_forward_hook")

    def _add_hook(self, hooks: OrderedDict, hook: Any, prepend: bool, with_kwargs: bool, name: str) -> RemovableHandle:
        if with_kwargs:
            raise NotImplementedError(f"not implemented in bpcourse: {name}(with_kwargs=True); the hook gets the "
                                      f"positional inputs only, so pass inputs positionally")
        handle = RemovableHandle(hooks, hook)
        object.__setattr__(self, "_hooked", True)
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_hook(self, hook: Any, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` once the gradients w.r.t. the module's
        tensor inputs are known; a returned tuple replaces grad_input. bpcourse handles modules
        with at most one input that requires grad (every layer it has)."""
        return self._add_hook(self._backward_hooks, hook, prepend, False, "register_full_backward_hook")

    def register_backward_hook(self, hook: Any) -> RemovableHandle:
        raise NotImplementedError(
            "not implemented in bpcourse: Module.register_backward_hook (deprecated in torch too); use a forward "
            "hook that calls output.register_hook(fn) to see the gradient of a layer's output")

    def register_full_backward_pre_hook(self, hook: Any, prepend: bool = False) -> RemovableHandle:
        raise NotImplementedError(
            "not implemented in bpcourse: Module.register_full_backward_pre_hook; use a forward hook that calls "
            "output.register_hook(fn), which may return a replacement gradient")

    # --- walking the tree ---------------------------------------------------------------------
    def named_modules(self, prefix: str = "") -> Iterator[tuple]:
        seen = set()
        stack = [(prefix, self)]
        while stack:
            name, m = stack.pop(0)
            if id(m) in seen:
                continue
            seen.add(id(m))
            yield name, m
            stack[0:0] = [(f"{name}.{n}" if name else n, c) for n, c in m._modules.items()]

    def modules(self) -> Iterator["Module"]:
        return (m for _, m in self.named_modules())

    def children(self) -> Iterator["Module"]:
        return iter(self._modules.values())

    def named_children(self) -> Iterator[tuple]:
        return iter(self._modules.items())

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple]:
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for mname, m in modules:
            for pname, p in m._parameters.items():
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{mname}.{pname}" if mname else pname), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        return (p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple]:
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for mname, m in modules:
            for bname, b in m._buffers.items():
                if b is not None:
                    yield (f"{mname}.{bname}" if mname else bname), b

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        return (b for _, b in self.named_buffers(recurse=recurse))

    def _saved_tensors(self) -> "OrderedDict[str, Tensor]":
        """What state_dict holds, in torch's order: each module's parameters, then its persistent
        buffers, module by module from the top."""
        found: OrderedDict = OrderedDict()
        for mname, m in self.named_modules():
            for name, t in list(m._parameters.items()) + [(n, b) for n, b in m._buffers.items()
                                                          if n not in m._non_persistent]:
                if t is not None:
                    found[f"{mname}.{name}" if mname else name] = t
        return found

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the accumulated gradients (``None``, torch 2's default, or zeros)."""
        for p in self.parameters():
            if set_to_none:
                p._grad = None
            elif p._grad is not None:
                p._grad.array.fill(0)

    def to(self, *args: Any, **kwargs: Any) -> "Module":
        """``model.to("cpu")`` checks the device (bpcourse has only the CPU); ``model.to(torch.float64)``
        (or ``to(tensor)``) converts the floating-point parameters, as torch does."""
        dtype = kwargs.pop("dtype", None)
        check_device(kwargs.pop("device", None))
        kwargs.pop("non_blocking", None)        # no copy between devices, so nothing to wait for
        if kwargs:
            raise TypeError(f"to() got unexpected keyword argument(s) {', '.join(kwargs)}")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif hasattr(a, "is_floating_point") and hasattr(a, "numpy"):   # a bpcourse dtype
                dtype = a
            else:
                check_device(a)
        if dtype is not None:
            if not dtype.is_floating_point:
                raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype}")
            self._cast_floats(dtype.numpy)
        return self

    def _cast_floats(self, numpy_dtype: Any) -> "Module":
        for p in list(self.parameters()) + list(self.buffers()):
            if p.array.dtype.kind == "f":
                p.array = p.array.astype(numpy_dtype)
                if p._grad is not None:
                    p._grad.array = p._grad.array.astype(numpy_dtype)
                numbers_changed()  # a graph that saved p reads the new numbers (function.check_versions)
        return self

    def double(self) -> "Module":
        return self._cast_floats(np.float64)

    def float(self) -> "Module":  # noqa: A003
        return self._cast_floats(np.float32)

    def train(self, mode: bool = True) -> "Module":
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def state_dict(self) -> "OrderedDict[str, Tensor]":
        return OrderedDict((n, p.detach()) for n, p in self._saved_tensors().items())

    def load_state_dict(self, state_dict: dict, strict: bool = True, assign: bool = False) -> "IncompatibleKeys":
        """Copy saved weights into this model's parameters (same names, same shapes).

        ``strict=True`` (torch's default): a missing or an unexpected name is an error;
        ``strict=False`` loads what matches and returns the names that did not."""
        if assign:
            raise NotImplementedError("load_state_dict: assign=True is not supported by bpcourse (it copies into "
                                      "the existing parameters; leave assign=False)")
        params = dict(self._saved_tensors())
        missing = [name for name in params if name not in state_dict]
        unexpected = [name for name in state_dict if name not in params]
        errors = []
        if strict:
            if unexpected:
                errors.append("Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ". ")
            if missing:
                errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ")
        for name, value in state_dict.items():
            if name not in params:
                continue
            array = value.array if isinstance(value, Tensor) else np.asarray(value)
            if array.shape != params[name].array.shape:
                errors.append(f"size mismatch for {name}: copying a param with shape {_size(array.shape)} from "
                              f"checkpoint, the shape in current model is {_size(params[name].array.shape)}.")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors))
        for name, value in state_dict.items():
            if name in params:
                params[name].array[...] = value.array if isinstance(value, Tensor) else np.asarray(value)
                params[name]._bump_version()
        return IncompatibleKeys(missing, unexpected)

    def apply(self, fn: Any) -> "Module":
        """fn(m) for every submodule, children before their parent, in order (torch's order, which
        decides which layer an init function's random numbers go to)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # --- printing like torch -----------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"({name}): " + repr(m).replace("\n", "\n  ") for name, m in self._modules.items()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: indexing, ``len``, iteration and list-like changes
    (``model[2] = nn.Tanh()``, ``del model[0]``, ``append``, ``insert``, ``extend``, ``pop``),
    with the modules numbered 0, 1, 2, ... again after a change that moves them, as torch does."""

    def _index(self, i: int) -> str:
        """The name of the module at position i (negative counts from the end)."""
        n = len(self._modules)
        if not -n <= i < n:
            raise IndexError(f"index {i} is out of range (this {type(self).__name__} has {n} modules)")
        return list(self._modules)[i % n]

    def _renumber(self, modules: list) -> None:
        for name in list(self._modules):
            delattr(self, name)
        for k, m in enumerate(modules):
            self.add_module(str(k), m)

    def __setitem__(self, i: int, module: Module) -> None:
        setattr(self, self._index(i), module)

    def __delitem__(self, i: Any) -> None:
        modules = list(self._modules.values())
        if isinstance(i, slice):
            del modules[i]
        else:
            del modules[list(self._modules).index(self._index(i))]
        self._renumber(modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> "_ModuleSequence":
        self.add_module(str(len(self)), module)
        return self

    def insert(self, index: int, module: Module) -> "_ModuleSequence":
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._renumber(modules)
        return self

    def extend(self, modules: Any) -> "_ModuleSequence":
        for m in modules:
            self.append(m)
        return self

    def pop(self, i: int = -1) -> Module:
        module = self[i]
        del self[i]
        return module


class Sequential(_ModuleSequence):
    """Modules applied one after another: ``Sequential(Linear(8, 6), Sigmoid(), ...)``."""

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, m in modules[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(modules):
                self.add_module(str(i), m)

    def forward(self, x: Any) -> Any:
        for m in self._modules.values():
            x = m(x)
        return x

    def __getitem__(self, i: Any) -> Module:
        if isinstance(i, slice):  # a Sequential of those modules, under their names (as torch)
            return Sequential(OrderedDict(list(self._modules.items())[i]))
        return self._modules[self._index(i)]


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters the parent module finds."""

    def __init__(self, modules: Any = ()) -> None:
        super().__init__()
        for m in modules:
            self.append(m)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return ModuleList(list(self._modules.values())[i])
        return self._modules[self._index(i)]

    def __repr__(self) -> str:
        """As torch prints a ModuleList: a run of equal modules once, ``(0-2): 3 x Linear(...)``."""
        if not self._modules:
            return "ModuleList()"
        runs: list = []  # [first, last, repr]
        for k, m in enumerate(self._modules.values()):
            text = repr(m)
            if runs and runs[-1][2] == text:
                runs[-1][1] = k
            else:
                runs.append([k, k, text])
        lines = [(f"({a}): {text}" if a == b else f"({a}-{b}): {b - a + 1} x {text}").replace("\n", "\n  ")
                 for a, b, text in runs]
        return "ModuleList(\n  " + "\n  ".join(lines) + "\n)"
