"""The built-in operations, grouped by kind. Each op is an ``ArrayFunction``: its forward
formula and its derivative sit next to each other. Ops never see a Tensor: forward gets numpy
arrays; backward gets arrays too, or Tensors when the backward pass is itself recorded
(``create_graph=True``), which is why backward formulas use only + - * / @ and ``maths.py``.

* ``elementwise.py`` add, sub, mul, div, neg, reciprocal, pow, exp, log, sqrt, abs, sin, cos,
  sigmoid, tanh, relu, clamp, where, maximum, minimum, casts
* ``reduce.py``      sum, mean, max, min, norm, cumsum
* ``linalg.py``      matmul, linear (x @ W.T + b)
* ``shape.py``       view/reshape, transpose, permute, expand, indexing, cat, stack, flip
* ``softmax.py``     softmax, log_softmax
* ``loss.py``        mse_loss, binary_cross_entropy, nll_loss
* ``broadcast.py``   unbroadcast: the one place where broadcasting is undone in backward
* ``maths.py``       the functions backward formulas call, for arrays and for Tensors
"""
