"""Neural-network building blocks with torch's names: ``Module``, ``Parameter``, ``Linear``,
``Sequential``, activations and losses. They stand on the tensor engine only."""
from bpcourse.nn.module import Module, Parameter, Sequential, ModuleList
from bpcourse.nn.layers import (
    ELU, GELU, Dropout, Flatten, Identity, LeakyReLU, Linear, LogSoftmax, ReLU, SiLU, Sigmoid, Softmax, Softplus,
    Tanh,
)
from bpcourse.nn.loss import (
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss, NLLLoss, SmoothL1Loss,
)
from bpcourse.nn import functional, init

__all__ = [
    "Module", "Parameter", "Sequential", "ModuleList", "Linear", "ReLU", "Sigmoid", "Tanh", "Softmax",
    "LogSoftmax", "Flatten", "Identity", "MSELoss", "BCELoss", "CrossEntropyLoss", "NLLLoss",
    "functional", "init", "Dropout", "LeakyReLU", "L1Loss", "BCEWithLogitsLoss", "ELU", "GELU", "Softplus", "SiLU",
    "SmoothL1Loss", "HuberLoss", "KLDivLoss",
]


def __getattr__(name: str):  # noqa: ANN201
    """A torch.nn name bpcourse does not have (Conv2d, BatchNorm1d, LSTM, ...): say so."""
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"bpcourse does not implement torch.nn.{name}: bpcourse.nn has {', '.join(sorted(__all__))}; "
                         f"run models that need {name} with real torch")
