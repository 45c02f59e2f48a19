"""bpcourse: back-propagation the whole way down.

``import bpcourse as torch`` gives a numpy autograd with PyTorch's names (``Tensor``,
``tensor``, ``no_grad``, ``nn``, ``optim``); ``bpcourse.scalar`` is the micrograd-style
scalar engine. The engines know nothing of drawing, widgets or grading.

Where things are, bottom to top (imports run one way): ``dtypes.py``, ``printing.py``,
``random.py``, ``graph.py`` (the one graph walk), ``function.py`` (Context, the op contract),
``ops/`` (every op's forward and backward, on arrays), ``engine.py`` (the backward pass),
``tensor.py`` (Tensor and ``apply``), ``creation.py``, ``functional.py`` (torch.exp and
friends), ``autograd/`` (Function, grad, jacobian, hessian), then ``nn/``, ``optim/``,
``utils/data.py``, ``gradcheck.py``, ``compare.py``.

Only torch's names are exported (``__all__``), plus four course tools: ``gradcheck``,
``compare_with_torch``, ``topological_order`` and ``set_language``. Any other torch name says
it is missing.
"""
__version__ = "0.1.0"

from bpcourse.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from bpcourse.dtypes import (  # noqa: A004 - torch's names, on purpose
    bool, double, dtype, float, float16, float32, float64, half, int, int8, int16, int32, int64,
    long, short, uint8,
)
from bpcourse.random import manual_seed, seed
from bpcourse.tensor import Tensor
from bpcourse.tensor_base import Size
from bpcourse.creation import (
    BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor, IntTensor,
    LongTensor, ShortTensor, arange, as_tensor, empty, empty_like, eye, from_numpy, full,
    full_like, is_tensor, linspace, normal, ones, ones_like, rand, rand_like, randint, randn,
    randn_like, randperm, tensor, zeros, zeros_like,
)
from bpcourse.functional import (  # noqa: A004 - torch's names, on purpose
    abs, add, all, allclose, any, argmax, argmin, cat, ceil, clamp, clip, concat, cos, cuda, cumsum,
    device, div, dot, eq, equal, exp, flatten, flip, floor, ge, get_default_dtype, gt,
    inference_mode, isfinite, isinf, isnan, le, log, log1p, log_softmax, lt, matmul, max, maximum,
    mean, min, minimum, mm, mul, mv, ne, neg, norm, numel, permute, pow, relu, reshape, round,
    set_default_dtype, sigmoid, sign, sin, softmax, sqrt, square, squeeze, stack, std, sub, sum, t,
    tanh, transpose, unsqueeze, var, where, logical_and, logical_or, logical_xor, logical_not,
    addmm, amax, amin, argsort, bmm, chunk, erf, expm1, gather, index_select, isclose, logsumexp,
    masked_fill, outer, sort, split, topk, tril, triu,
)
from bpcourse import autograd, nn, optim, utils
from bpcourse.gradcheck import gradcheck
from bpcourse.compare import compare_with_torch
from bpcourse.tensor_graph import topological_order
from bpcourse.serialization import load, save
from bpcourse.printing import set_printoptions
from bpcourse.i18n import set_language

__all__ = [
    "__version__", "abs", "add", "addmm", "all", "allclose", "amax", "amin", "any", "arange",
    "argmax", "argmin", "argsort", "as_tensor", "autograd", "bmm", "bool", "BoolTensor",
    "ByteTensor", "cat", "ceil", "CharTensor", "chunk", "clamp", "clip", "concat", "cos", "cuda",
    "cumsum", "device", "div", "dot", "double", "DoubleTensor", "dtype", "empty", "empty_like",
    "enable_grad", "eq", "equal", "erf", "exp", "expm1", "eye", "flatten", "flip", "float",
    "float16", "float32", "float64", "FloatTensor", "floor", "from_numpy", "full", "full_like",
    "gather", "ge", "get_default_dtype", "gt", "half", "HalfTensor", "index_select",
    "inference_mode", "int", "int16", "int32", "int64", "int8", "IntTensor", "is_grad_enabled",
    "is_tensor", "isclose", "isfinite", "isinf", "isnan", "le", "linspace", "load", "log", "log1p",
    "log_softmax", "logical_and", "logical_not", "logical_or", "logical_xor", "logsumexp", "long",
    "LongTensor", "lt", "manual_seed", "masked_fill", "matmul", "max", "maximum", "mean", "min",
    "minimum", "mm", "mul", "mv", "ne", "neg", "nn", "no_grad", "norm", "normal", "numel", "ones",
    "ones_like", "optim", "outer", "permute", "pow", "rand", "rand_like", "randint", "randn",
    "randn_like", "randperm", "relu", "reshape", "round", "save", "seed", "set_default_dtype",
    "set_grad_enabled", "set_printoptions", "short", "ShortTensor", "sigmoid", "sign", "sin",
    "Size", "softmax", "sort", "split", "sqrt", "square", "squeeze", "stack", "std", "sub", "sum",
    "t", "tanh", "Tensor", "tensor", "topk", "transpose", "tril", "triu", "uint8", "unsqueeze",
    "utils", "var", "where", "zeros", "zeros_like",
]
# bpcourse's own, not torch's: two checks, the tensor graph walk, the course's language switch
COURSE_TOOLS = ("gradcheck", "compare_with_torch", "topological_order", "set_language")
__all__ += COURSE_TOOLS


def __getattr__(name: str) -> "object":
    """A torch name bpcourse does not have: say so, instead of a bare AttributeError."""
    if name.startswith("__"):
        raise AttributeError(name)
    hint = "write it from the ops bpcourse has, or run this part with real torch"
    raise AttributeError(f"bpcourse does not implement torch.{name}: {hint} "
                         f"(dir(bpcourse) lists what it has)")
