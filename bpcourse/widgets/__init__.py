"""Widgets that make back-propagation move: the learning-rate explorer, the backward stepper and
a training-progress display. Each works in a notebook and headless (drive it from Python: set a
slider's ``.value`` and read the state back).
"""
from .lr_explorer import LRExplorer, lr_explorer
from .progress import TrainingProgress
from .stepper import BackwardStepper, backward_stepper
from .training import Problem, TrainResult, linear_problem, stability_limit, train, train_linear

__all__ = ["lr_explorer", "LRExplorer", "backward_stepper", "BackwardStepper", "TrainingProgress",
           "train_linear", "train", "TrainResult", "Problem", "linear_problem", "stability_limit"]
