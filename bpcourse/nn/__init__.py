"""Neural-network building blocks with torch's names: ``Module``, ``Parameter``, ``Linear``,
``Sequential``, activations and losses. They stand on the tensor engine only."""
from bpcourse.nn.module import Module, Parameter, Sequential, ModuleList
from bpcourse.nn.layers import Flatten, Identity, Linear, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from bpcourse.nn.loss import BCELoss, CrossEntropyLoss, MSELoss, NLLLoss
from bpcourse.nn import functional, init

__all__ = [
    "Module", "Parameter", "Sequential", "ModuleList", "Linear", "ReLU", "Sigmoid", "Tanh", "Softmax",
    "LogSoftmax", "Flatten", "Identity", "MSELoss", "BCELoss", "CrossEntropyLoss", "NLLLoss",
    "functional", "init",
]
