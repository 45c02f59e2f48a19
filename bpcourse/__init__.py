"""bpcourse: back-propagation the whole way down.

``import bpcourse as torch`` gives a numpy autograd with PyTorch's names (``Tensor``,
``tensor``, ``no_grad``, ``nn``, ``optim``); ``bpcourse.scalar`` is the micrograd-style
scalar engine. The engines know nothing of drawing, widgets or grading.
"""
__version__ = "0.1.0"
