"""The built-in operations, grouped by kind. Each op is an ``ArrayFunction``: its forward
formula and its derivative sit next to each other, both on numpy arrays.

* ``elementwise.py`` add, sub, mul, div, neg, reciprocal, pow, exp, log, sqrt, abs, sin, cos,
  sigmoid, tanh, relu, clamp, casts
* ``reduce.py``      sum, mean, max
* ``linalg.py``      matmul, linear (x @ W.T + b)
* ``shape.py``       view/reshape, transpose, permute, expand, indexing, cat, stack
* ``softmax.py``     softmax, log_softmax
* ``loss.py``        mse_loss, binary_cross_entropy, nll_loss
* ``broadcast.py``   unbroadcast: the one place where broadcasting is undone in backward
"""
