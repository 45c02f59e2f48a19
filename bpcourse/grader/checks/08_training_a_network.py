"""Checks for solutions/08_training_a_network.ipynb (training step, metrics, learning rate, deep sigmoid stacks, micro-batches).

The learner's ``train_step`` runs in the kernel on a small MLP whose weights come from the grader's
inputs, once with ``torch`` and once with ``bpcourse``; ``verify`` replays the same SGD steps here
with a hand-written numpy forward and backward (tanh MLP, softmax cross-entropy) in float64.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from bpcourse.grader.api import Check
from bpcourse.grader.expect import (array as _array, array_close as _array_close, close, number as _number,
                                    one_per_case, record as _dict)

_close = partial(close, rtol=1e-6, atol=1e-9)  # this notebook's tolerance


# ---------------------------------------------------------------- q1: accuracy
def _q1_inputs(rng):
    cases = []
    for _ in range(4):
        n, c = int(rng.integers(5, 30)), int(rng.integers(2, 6))
        cases.append({"logits": rng.normal(size=(n, c)).round(4).tolist(), "labels": rng.integers(0, c, n).tolist()})
    return {"cases": cases}


_Q1_PROBE = """
import numpy as _np
RESULT = [float(accuracy(_np.array(_c["logits"]), _np.array(_c["labels"]))) for _c in INPUTS["cases"]]
"""


def _q1_verify(inputs, result):
    one_per_case(result, inputs["cases"], "accuracy did not return one number per call")
    for c, got in zip(inputs["cases"], result):
        logits, labels = np.array(c["logits"]), np.array(c["labels"])
        correct = sum(1 for row, t in zip(logits, labels) if max(range(len(row)), key=lambda j: row[j]) == t)
        want = correct / len(labels)
        if abs(_number("accuracy", got) - correct) < 1e-12 and correct > 1:
            raise AssertionError("accuracy returned the number of correct predictions; divide by N for the fraction")
        _close(f"accuracy on {len(labels)} samples", got, want)


# ---------------------------------------------------------------- q2: confusion matrix
def _q2_inputs(rng):
    cases = []
    for _ in range(4):
        n, c = int(rng.integers(5, 40)), int(rng.integers(2, 6))
        labels = rng.integers(0, c, n)
        pred = np.where(rng.random(n) < 0.6, labels, rng.integers(0, c, n))
        cases.append({"pred": pred.tolist(), "labels": labels.tolist(), "n_classes": c})
    return {"cases": cases}


_Q2_PROBE = """
import numpy as _np
RESULT = [_np.asarray(confusion_matrix(_np.array(_c["pred"]), _np.array(_c["labels"]), _c["n_classes"])).tolist()
          for _c in INPUTS["cases"]]
"""


def _q2_verify(inputs, result):
    one_per_case(result, inputs["cases"], "confusion_matrix did not return one matrix per call")
    for c, got in zip(inputs["cases"], result):
        k = c["n_classes"]
        want = np.zeros((k, k))
        for p, t in zip(c["pred"], c["labels"]):
            want[t, p] += 1
        got = _array("confusion_matrix", got, (k, k))
        if not np.array_equal(got, want):
            if np.array_equal(got, want.T):
                raise AssertionError("confusion_matrix is transposed: rows are the true class, columns the prediction")
            raise AssertionError(f"confusion_matrix is wrong for {len(c['pred'])} samples and {k} classes")


# ---------------------------------------------------------------- q4: one training step
def _q4_inputs(rng, engine: str):
    n, d, h, k = int(rng.integers(8, 20)), int(rng.integers(2, 5)), int(rng.integers(3, 7)), int(rng.integers(2, 4))
    params = [rng.normal(0, 0.7, (h, d)), rng.normal(0, 0.3, h), rng.normal(0, 0.7, (k, h)), rng.normal(0, 0.3, k)]
    return {"engine": engine, "sizes": [d, h, k], "lr": float(rng.uniform(0.1, 0.8)), "steps": 3,
            "params": [p.astype(np.float32).tolist() for p in params],
            "X": rng.normal(size=(n, d)).astype(np.float32).tolist(), "y": rng.integers(0, k, n).tolist()}


_Q4_PROBE = """
import importlib as _importlib
import numpy as _np
_eng = _importlib.import_module(INPUTS["engine"])
_d, _h, _k = INPUTS["sizes"]
_model = _eng.nn.Sequential(_eng.nn.Linear(_d, _h), _eng.nn.Tanh(), _eng.nn.Linear(_h, _k))
with _eng.no_grad():
    for _p, _v in zip(_model.parameters(), INPUTS["params"]):
        _p.copy_(_eng.tensor(_np.array(_v, dtype=_np.float32)))
_opt = _eng.optim.SGD(_model.parameters(), lr=INPUTS["lr"])
_X = _eng.tensor(_np.array(INPUTS["X"], dtype=_np.float32))
_y = _eng.tensor(_np.array(INPUTS["y"], dtype=_np.int64))
_losses = [train_step(_model, _opt, _eng.nn.CrossEntropyLoss(), _X, _y) for _ in range(INPUTS["steps"])]
RESULT = {"types": [type(_l).__name__ for _l in _losses],
          "losses": [float(_l.detach()) if hasattr(_l, "detach") else float(_l) for _l in _losses],
          "params": [_p.detach().numpy().astype(float).tolist() for _p in _model.parameters()]}
"""


def _mlp_loss_and_grads(params: list[np.ndarray], X: np.ndarray, y: np.ndarray):
    W1, b1, W2, b2 = params
    H = np.tanh(X @ W1.T + b1)
    Z = H @ W2.T + b2
    Z = Z - Z.max(axis=1, keepdims=True)
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    n = len(y)
    loss = float(-np.mean(np.log(P[np.arange(n), y])))
    dZ = P.copy()
    dZ[np.arange(n), y] -= 1.0
    dZ /= n
    dH = dZ @ W2
    dA = dH * (1.0 - H ** 2)
    return loss, [dA.T @ X, dA.sum(axis=0), dZ.T @ H, dZ.sum(axis=0)]


def _q4_verify(inputs, result):
    r = _dict("train_step's losses and the model's parameters", result, {"types", "losses", "params"})
    engine = inputs["engine"]
    if not isinstance(r["types"], list) or any(t != "float" for t in r["types"]):
        raise AssertionError(f"with {engine}, train_step should return the loss as a Python float (.item())")
    params = [np.array(p, dtype=float) for p in inputs["params"]]
    X, y = np.array(inputs["X"], dtype=float), np.array(inputs["y"])
    losses = []
    for _ in range(inputs["steps"]):
        loss, grads = _mlp_loss_and_grads(params, X, y)
        losses.append(loss)
        params = [p - inputs["lr"] * g for p, g in zip(params, grads)]
    if not isinstance(r["losses"], list) or len(r["losses"]) != len(losses):
        raise AssertionError("could not read the losses")
    for step, (got, want) in enumerate(zip(r["losses"], losses)):
        _close(f"with {engine}, the loss returned by step {step + 1}", got, want, rtol=1e-4, atol=1e-6)
    if not isinstance(r["params"], list) or len(r["params"]) != 4:
        raise AssertionError("could not read the model's parameters")
    for name, got, want in zip(("W1", "b1", "W2", "b2"), r["params"], params):
        got = _array(f"{name} after {inputs['steps']} steps", got, want.shape)
        if not np.allclose(got, want, rtol=1e-4, atol=1e-5):
            raise AssertionError(f"with {engine}, {name} after {inputs['steps']} steps is not what SGD gives "
                                 "(zero the gradients before each backward, and step once)")


# ---------------------------------------------------------------- q5: largest stable lr
def _q5_inputs(rng):
    xs = []
    for _ in range(4):
        n, d = int(rng.integers(10, 40)), int(rng.integers(1, 5))
        xs.append((rng.normal(size=(n, d)) * rng.uniform(0.2, 4.0, d)).tolist())
    return {"Xs": xs}


_Q5_FN_PROBE = """
import numpy as _np
RESULT = [float(largest_stable_lr(_np.array(_X))) for _X in INPUTS["Xs"]]
"""


def _reference_lr(X: np.ndarray) -> float:
    H = 2.0 / len(X) * (X.T @ X)
    return 2.0 / float(np.max(np.linalg.eigvalsh(H)))


def _q5_fn_verify(inputs, result):
    one_per_case(result, inputs["Xs"], "largest_stable_lr did not return one number per call")
    for X, got in zip(inputs["Xs"], result):
        X = np.array(X)
        _close(f"largest_stable_lr for X of shape {X.shape}", got, _reference_lr(X), rtol=1e-6)


_Q5_VALUE_PROBE = "RESULT = float(lr_max)"


def _q5_value_verify(inputs, result):
    rng = np.random.default_rng(7)  # the notebook's X4, rebuilt here
    X4 = rng.normal(size=(60, 3)) * np.array([1.0, 3.0, 0.5])
    _close("lr_max for X4", result, _reference_lr(X4), rtol=1e-3)



# ---------------------------------------------------------------- q3: predict the sigmoid stack
def _sigmoid_stack_norms() -> list[float]:
    """The question's network in numpy: 8 layers of width 16, sigmoid between, L = mean(out^2)."""
    rng = np.random.default_rng(0)
    weights = [rng.normal(0, 1 / np.sqrt(16), (16, 16)) for _ in range(8)]
    h = rng.normal(size=(64, 16))
    inputs, sig = [], []
    for layer, W in enumerate(weights, start=1):
        inputs.append(h)
        h = h @ W.T
        if layer < 8:
            h = 1 / (1 + np.exp(-h))
            sig.append(h)
    grad = 2 * h / h.size  # dL/d(output)
    norms = [0.0] * 8
    for layer in range(8, 0, -1):
        if layer < 8:
            s = sig[layer - 1]
            grad = grad * s * (1 - s)  # back through the sigmoid after this layer
        norms[layer - 1] = float(np.linalg.norm(grad.T @ inputs[layer - 1]))
        grad = grad @ weights[layer - 1]
    return norms


_Q3_PROBE = "RESULT = {'largest': predicted_largest, 'smallest': predicted_smallest}"


def _q3_verify(inputs, result):
    r = _dict("predicted_largest and predicted_smallest", result, {"largest", "smallest"})
    norms = _sigmoid_stack_norms()
    largest, smallest = int(np.argmax(norms)) + 1, int(np.argmin(norms)) + 1
    for name, got, want in (("predicted_largest", r["largest"], largest), ("predicted_smallest", r["smallest"], smallest)):
        if isinstance(got, bool) or not isinstance(got, (int, float)) or got != want:
            raise AssertionError(f"{name} = {got!r} is not the layer the gradient norms point to "
                                 "(each sigmoid passed on the way back multiplies the gradient by at most 1/4)")


# ---------------------------------------------------------------- q6: one step from micro-batches
def _q6_inputs(rng):
    n_micro, d, c = int(rng.integers(2, 6)), int(rng.integers(2, 5)), int(rng.integers(2, 4))
    n = n_micro * int(rng.integers(2, 5)) + int(rng.integers(1, n_micro))  # uneven parts: weighting matters
    return {"X": rng.normal(size=(n, d)).round(3).tolist(), "y": rng.integers(0, c, n).tolist(),
            "W": (0.5 * rng.normal(size=(c, d))).round(3).tolist(), "b": (0.1 * rng.normal(size=c)).round(3).tolist(),
            "lr": float(rng.uniform(0.1, 1.0)), "n_micro": n_micro}


_Q6_PROBE = """
import numpy as _np
import torch as _torch
import bpcourse as _bp
RESULT = {}
for _e in (_torch, _bp):
    _W, _b = _np.array(INPUTS["W"], dtype=_np.float32), _np.array(INPUTS["b"], dtype=_np.float32)
    _model = _e.nn.Linear(_W.shape[1], _W.shape[0])
    with _e.no_grad():
        _model.weight.copy_(_e.tensor(_W))
        _model.bias.copy_(_e.tensor(_b))
    _opt = _e.optim.SGD(_model.parameters(), lr=INPUTS["lr"])
    _loss = accumulated_step(_model, _opt, _e.nn.CrossEntropyLoss(), _e.tensor(_np.array(INPUTS["X"], dtype=_np.float32)),
                             _e.tensor(_np.array(INPUTS["y"])), INPUTS["n_micro"])
    RESULT[_e.__name__] = {"loss": float(_loss), "W": _model.weight.detach().numpy().tolist(),
                           "b": _model.bias.detach().numpy().tolist()}
"""


def _ce_and_grads(W, b, X, y):
    Z = X @ W.T + b
    Z = Z - Z.max(axis=1, keepdims=True)
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    loss = float(-np.mean(np.log(P[np.arange(len(y)), y])))
    dZ = (P - np.eye(W.shape[0])[y]) / len(y)
    return loss, dZ.T @ X, dZ.sum(axis=0)


def _q6_verify(inputs, result):
    if not isinstance(result, dict) or set(result) != {"torch", "bpcourse"}:
        raise AssertionError("could not read accumulated_step's results for torch and bpcourse")
    X, y = np.array(inputs["X"]), np.array(inputs["y"])
    W, b, lr = np.array(inputs["W"]), np.array(inputs["b"]), inputs["lr"]
    loss, dW, db = _ce_and_grads(W, b, X, y)
    # the mistake to name: every micro-batch's mean counted with the same weight 1 / n_micro
    parts = np.array_split(np.arange(len(y)), inputs["n_micro"])
    uneven = len({len(p) for p in parts}) > 1
    eq_W = W - lr * sum(_ce_and_grads(W, b, X[p], y[p])[1] for p in parts) / len(parts)
    for engine in ("torch", "bpcourse"):
        r = _dict(f"accumulated_step with {engine}", result[engine], {"loss", "W", "b"})
        if uneven and isinstance(r["W"], list) and np.shape(r["W"]) == W.shape and \
                np.allclose(np.asarray(r["W"], dtype=float), eq_W, atol=1e-5) and not np.allclose(eq_W, W - lr * dW, atol=1e-5):
            raise AssertionError(f"{engine}: every micro-batch counted equally; weight each by its share n_j / N")
        _close(f"{engine}: the returned loss", r["loss"], loss, rtol=1e-5, atol=1e-6)
        _array_close(f"{engine}: the weight after the step ({len(y)} samples, {inputs['n_micro']} micro-batches)",
                     r["W"], W - lr * dW, rtol=1e-4, atol=1e-5)
        _array_close(f"{engine}: the bias after the step", r["b"], b - lr * db, rtol=1e-4, atol=1e-5)

CHECKS = [
    Check(grade_id="q1_accuracy", inputs=_q1_inputs, probe=_Q1_PROBE, verify=_q1_verify),
    Check(grade_id="q2_confusion", inputs=_q2_inputs, probe=_Q2_PROBE, verify=_q2_verify),
    Check(grade_id="q4_step", inputs=lambda rng: _q4_inputs(rng, "torch"), probe=_Q4_PROBE, verify=_q4_verify,
          name="train_step with torch"),
    Check(grade_id="q4_step", inputs=lambda rng: _q4_inputs(rng, "bpcourse"), probe=_Q4_PROBE, verify=_q4_verify,
          name="train_step with bpcourse"),
    Check(grade_id="q5_lr", inputs=_q5_inputs, probe=_Q5_FN_PROBE, verify=_q5_fn_verify),
    Check(grade_id="q5_lr", inputs=lambda rng: {}, probe=_Q5_VALUE_PROBE, verify=_q5_value_verify),
    Check(grade_id="q3_predict", probe=_Q3_PROBE, verify=_q3_verify),
    Check(grade_id="q6_micro_step", inputs=_q6_inputs, probe=_Q6_PROBE, verify=_q6_verify),
]
