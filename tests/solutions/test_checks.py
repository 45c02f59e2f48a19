"""Every grader check accepts the reference solution and rejects wrong answers.

The solution source runs in-process (its grade cells, hidden tests included, must pass), each
check's probe runs in that namespace on inputs from a few seeds, and ``verify`` must accept the
result. Perturbed results, garbage results and the buggy functions the debug questions start from
must all be rejected with an AssertionError (a failure message for the learner, not a crash).
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from _solutions_support import STEMS, load_checks, perturb, probe, run_solution

SEEDS = [0, 1, 2]

# Wrong answers a learner could plausibly hand in: code run in the solution's namespace that
# replaces the answer, keyed by (notebook, grade_id). Every check of that question must reject it.
WRONG = {
    ("01_linear_model_gradient_descent", "q1_mse_loss"):
        "def mse_loss(w, x, y):\n    return float(np.sum((w * x - y) ** 2))",
    ("01_linear_model_gradient_descent", "q2_grad_at_start"): "dL_dw_at_start = -49.0  # the sum, not the mean",
    ("01_linear_model_gradient_descent", "q3_mse_grad"):
        "def mse_grad(w, x, y):\n    return float(np.mean(2 * x * (y - w * x)))",
    ("01_linear_model_gradient_descent", "q4_gradient_descent"):
        "def gradient_descent(w0, lr, epochs, x, y):\n"
        "    ws = [w0]\n"
        "    for _ in range(epochs):\n"
        "        ws.append(ws[-1] - lr * float(np.sum(2 * x * (ws[-1] * x - y))))\n"
        "    return ws",
    ("01_linear_model_gradient_descent", "q5_sgd_epoch"):
        "def sgd_epoch(w, lr, x, y):\n    return w - lr * float(np.sum(2 * x * (w * x - y)))",
    ("01_linear_model_gradient_descent", "q6_largest_stable_lr"):
        "def largest_stable_lr(x):\n    return float(0.5 / np.mean(np.asarray(x) ** 2))\n"
        "lr_max = 0.1",
    ("02_chain_rule_computational_graphs", "q2_affine_graph"): "dL_dw, dL_db = 3.0, 3.0",
    ("02_chain_rule_computational_graphs", "q3_sigmoid"):
        "def sigmoid_grad(z):\n    return sigmoid(z) * (1 + sigmoid(z))",
    ("02_chain_rule_computational_graphs", "q5_two_layer"):
        "_right = two_layer_grads\n"
        "def two_layer_grads(w1, b1, w2, b2, x, y):\n"
        "    g = _right(w1, b1, w2, b2, x, y)\n"
        "    return {**g, 'w1': g['b1']}  # forgot the factor x",
    ("02_chain_rule_computational_graphs", "q4_collapse"):
        "def collapse(W1, b1, W2, b2):\n    return W2 @ W1, b1 + b2 if len(b1) == len(b2) else W2 @ b1",
    ("02_chain_rule_computational_graphs", "q1_three_nodes"): "df_dx = float(df_dx / 3)",
    ("03_matrix_calculus_backprop", "q2_linear_vector"):
        "def linear_backward(W, x, grad_y):\n    return np.outer(x, grad_y), grad_y, W.T @ grad_y",
    ("03_matrix_calculus_backprop", "q4_linear_batch"):
        "def linear_backward_batch(W, X, grad_Y):\n    return grad_Y.T @ X, grad_Y, grad_Y @ W",
    ("03_matrix_calculus_backprop", "q3_squared_norm"): "dL_dW3 = np.outer(r3, x3)",
    ("03_matrix_calculus_backprop", "q6_mlp"):
        "_right4 = mlp_backward\n"
        "def mlp_backward(W1, b1, W2, b2, X, Y):\n"
        "    out = _right4(W1, b1, W2, b2, X, Y)\n"
        "    H = 1 / (1 + np.exp(-(X @ W1.T + b1)))\n"
        "    dA = (2 * (H @ W2.T + b2 - Y) / len(X)) @ W2  # forgot sigma'\n"
        "    return {**out, 'W1': dA.T @ X}",
    ("03_matrix_calculus_backprop", "q1_bilinear"):
        "def bilinear_grad(a, X, b):\n    return np.outer(b, a).T * 2",
    ("03_matrix_calculus_backprop", "q5_softmax_ce"):
        "_right6 = softmax_ce\n"
        "def softmax_ce(Z, y):\n"
        "    loss, dZ = _right6(Z, y)\n"
        "    return loss, dZ * len(Z)  # forgot the 1/N of the mean",
    ("04_why_reverse_mode", "q1_jacobian"): "J1 = J1.T.copy()",
    ("04_why_reverse_mode", "q2_passes"):
        "def pass_counts(n_in, n_out):\n"
        "    return {'central_differences': n_in, 'forward_mode': n_in, 'reverse_mode': n_out}\n"
        "cheaper = 'reverse_mode'",
    ("04_why_reverse_mode", "q3_normalize_vjp"):
        "def normalize_vjp(x, v):\n    return v / np.linalg.norm(x)  # forgot the projection",
    ("04_why_reverse_mode", "q4_checkpoint"):
        "def checkpoint_cost(n, k):\n"
        "    return (n, 0) if k >= n else (n // k + k, n - k)  # floor instead of ceil\n"
        "def best_segment(n):\n    return int(np.sqrt(n)) + 1\n"
        "k_best = best_segment(10_000)\ncost_best = checkpoint_cost(10_000, k_best)",
    ("04_why_reverse_mode", "q5_jvp_vjp"):
        "def vjp(A, B, x, v):\n    return B.T @ (A.T @ v)  # forgot tanh'",
    ("05_autograd_from_scratch_scalar", "q4_softplus"):
        "def softplus(a):\n"
        "    return Value._result(math.log1p(math.exp(a.data)), 'softplus', a, math.exp(a.data))",
    ("05_autograd_from_scratch_scalar", "q3_topo"):
        "def topo_order(root):\n"
        "    order = []\n"
        "    def visit(v):\n"
        "        for p in v.parents:\n"
        "            visit(p)\n"
        "        order.append(v)  # no visited set: a reused node appears twice\n"
        "    visit(root)\n"
        "    return order",
    ("05_autograd_from_scratch_scalar", "q1_reused"): "a_grad = 7.0",
    ("05_autograd_from_scratch_scalar", "q5_tangent"):
        "def tangent(root, leaf):\n"
        "    dots = {}\n"
        "    for node in topological_order(root):\n"
        "        dots[node] = 1.0 if node is leaf else 0.0\n"
        "        for p, d in zip(node.parents, node.local_grads):\n"
        "            dots[node] = d * dots[p]  # overwrites: only the last input counts\n"
        "    return dots[root]",
    ("05_autograd_from_scratch_scalar", "q2_predict"): "predicted_a_grad = -0.5",
    ("06_tensor_autograd", "q5_hypot"):
        "class Hypot(Function):\n"
        "    @staticmethod\n"
        "    def forward(ctx, a, b):\n"
        "        h = (a * a + b * b).sqrt()\n"
        "        ctx.save_for_backward(a, b, h)\n"
        "        return h\n"
        "    @staticmethod\n"
        "    def backward(ctx, grad_output):\n"
        "        a, b, h = ctx.saved_tensors\n"
        "        return a / h, b / h  # forgot grad_output",
    ("06_tensor_autograd", "q2_max_backward"):
        "def max_backward(x, grad_y, axis):\n"
        "    return (x == x.max(axis=axis, keepdims=True)) * 1.0  # forgot grad_y",
    ("06_tensor_autograd", "q3_broadcast"): "dL_dc5 = 2 * A5 ** 2 * c5",
    ("06_tensor_autograd", "q4_directional"):
        "def directional_errors(f, grad, x, directions, eps=1e-6):\n"
        "    out = []\n"
        "    for u in directions:\n"
        "        x += eps * u  # changes the caller's array, and a one-sided difference\n"
        "        up = f(x)\n"
        "        x -= eps * u\n"
        "        num, ana = (up - f(x)) / eps, float(np.sum(grad * u))\n"
        "        out.append(abs(num - ana) / max(abs(num), abs(ana), 1e-12))\n"
        "    return out",
    ("06_tensor_autograd", "q1_gradcheck"): "broken = 'LogCosh'",
    ("06_tensor_autograd", "q6_matmul"):
        "class MatMul(Function):\n"
        "    @staticmethod\n"
        "    def forward(ctx, a, b):\n"
        "        ctx.save_for_backward(a, b)\n"
        "        return a @ b\n"
        "    @staticmethod\n"
        "    def backward(ctx, grad_output):\n"
        "        a, b = ctx.saved_tensors  # right values, but not summed back to the inputs' shapes\n"
        "        return grad_output @ b.transpose(-1, -2), a.transpose(-1, -2) @ grad_output",
    ("07_pytorch_autograd", "q3_micro_batches"):
        "def train_micro_batches(w0, lr, epochs, k, x_data, y_data):\n"
        "    w = torch.tensor([float(w0)], requires_grad=True)\n"
        "    for _ in range(epochs):\n"
        "        for seen, (xi, yi) in enumerate(zip(x_data, y_data), start=1):\n"
        "            ((xi * w - yi) ** 2).backward()  # the sum of k gradients, not their mean\n"
        "            if seen % k == 0:\n"
        "                with torch.no_grad():\n"
        "                    w -= lr * w.grad\n"
        "                w.grad = None\n"
        "    return w.item()",
    ("07_pytorch_autograd", "q4_log"): "loss_log = loss_log_broken",
    ("07_pytorch_autograd", "q5_update"):
        "def gd(w0, lr, epochs, x, y):\n"
        "    w = torch.tensor([w0], requires_grad=True)\n"
        "    for _ in range(epochs):\n"
        "        loss = ((w * x - y) ** 2).mean()\n"
        "        loss.backward()\n"
        "        w = (w - lr * w.grad).detach().requires_grad_()  # right numbers, but w is rebuilt\n"
        "    return w * 1.0",
    ("07_pytorch_autograd", "q6_custom"):
        "class LeakyReLU(torch.autograd.Function):\n"
        "    @staticmethod\n"
        "    def forward(ctx, x, slope):\n"
        "        ctx.save_for_backward(x)\n"
        "        return torch.where(x > 0, x, slope * x)\n"
        "    @staticmethod\n"
        "    def backward(ctx, grad_output):\n"
        "        (x,) = ctx.saved_tensors\n"
        "        return grad_output * (x > 0), None  # forgot the slope",
    ("07_pytorch_autograd", "q1_accumulate"): "w_after_two = 1.0984",
    ("07_pytorch_autograd", "q2_predict"): "predicted_grad, predicted_after_zero_grad = 17.0, 0.0",
    ("07_pytorch_autograd", "q7_newton"):
        "def first_and_second(f, w0):\n"
        "    w = torch.tensor(float(w0), dtype=torch.float64, requires_grad=True)\n"
        "    (d1,) = torch.autograd.grad(f(w), w, create_graph=True)\n"
        "    h = 1e-3  # the second derivative by a coarse finite difference of the first\n"
        "    w2 = torch.tensor(float(w0) + h, dtype=torch.float64, requires_grad=True)\n"
        "    (d1h,) = torch.autograd.grad(f(w2), w2)\n"
        "    return d1.item(), (d1h.item() - d1.item()) / h",
    ("08_training_a_network", "q1_accuracy"):
        "def accuracy(logits, labels):\n    return float(np.mean(np.argmin(logits, axis=1) == labels))",
    ("08_training_a_network", "q2_confusion"):
        "_right_cm = confusion_matrix\n"
        "def confusion_matrix(pred, labels, n_classes):\n    return _right_cm(labels, pred, n_classes)",
    ("08_training_a_network", "q4_step"):
        "def train_step(model, optimizer, loss_fn, X, y):\n"
        "    loss = loss_fn(model(X), y)  # never zeroes the gradients\n"
        "    loss.backward()\n"
        "    optimizer.step()\n"
        "    return loss.item()",
    ("08_training_a_network", "q5_lr"):
        "def largest_stable_lr(X):\n"
        "    return float(2.0 / np.trace(2.0 / len(X) * (X.T @ X)))  # the mean curvature, not the largest\n"
        "lr_max = largest_stable_lr(X4)",
    ("08_training_a_network", "q3_predict"): "predicted_largest, predicted_smallest = 1, 8",
    ("08_training_a_network", "q6_micro_step"):
        "def accumulated_step(model, optimizer, loss_fn, X, y, n_micro):\n"
        "    n, size = len(X), -(-len(X) // n_micro)\n"
        "    optimizer.zero_grad()\n"
        "    total = 0.0\n"
        "    for start in range(0, n, size):\n"
        "        loss = loss_fn(model(X[start:start + size]), y[start:start + size]) / n_micro  # equal weights\n"
        "        loss.backward()\n"
        "        total += loss.item()\n"
        "    optimizer.step()\n"
        "    return total",
}


def _params():
    for stem in STEMS:
        yield stem


@pytest.fixture(scope="module", params=list(_params()))
def notebook(request):
    stem = request.param
    return stem, run_solution(stem), load_checks(stem)


def test_checks_accept_the_reference_solution(notebook):
    stem, namespace, checks = notebook
    assert checks, f"{stem}: no CHECKS"
    for check in checks:
        for seed in SEEDS:
            inputs = check.inputs(np.random.default_rng(seed))
            assert json.loads(json.dumps(inputs)) == inputs, f"{check.grade_id}: inputs are not plain JSON"
            check.verify(inputs, probe(namespace, check, inputs))


def test_checks_are_deterministic(notebook):
    stem, namespace, checks = notebook
    for check in checks:
        a = check.inputs(np.random.default_rng(7))
        b = check.inputs(np.random.default_rng(7))
        assert a == b, f"{stem}:{check.grade_id}: inputs differ for the same seed"
        assert probe(namespace, check, a) == probe(namespace, check, b)


def test_checks_reject_perturbed_results(notebook):
    stem, namespace, checks = notebook
    for check in checks:
        inputs = check.inputs(np.random.default_rng(0))
        wrong = perturb(probe(namespace, check, inputs))
        with pytest.raises(AssertionError):
            check.verify(inputs, wrong)


@pytest.mark.parametrize("garbage", [None, "42", [], {}, float("nan"), True])
def test_checks_reject_garbage_with_a_message(notebook, garbage):
    stem, namespace, checks = notebook
    for check in checks:
        inputs = check.inputs(np.random.default_rng(0))
        with pytest.raises(AssertionError) as caught:
            check.verify(inputs, garbage)
        assert str(caught.value), f"{stem}:{check.grade_id}: rejected {garbage!r} without a message"


def test_checks_reject_plausible_wrong_answers(notebook):
    stem, solved, checks = notebook
    keys = [key for key in WRONG if key[0] == stem]
    assert keys, f"{stem}: no wrong answers listed to test against"
    for _, grade_id in keys:
        namespace = dict(solved)  # the wrong answer replaces the right one in a copy of the namespace
        exec(WRONG[(stem, grade_id)], namespace)
        mine = [c for c in checks if c.grade_id == grade_id]
        assert mine, f"{stem}: no check for {grade_id}"
        rejected = 0
        for check in mine:
            inputs = check.inputs(np.random.default_rng(0))
            try:
                result = probe(namespace, check, inputs)
            except Exception:  # noqa: BLE001 - a probe that cannot even run also scores 0
                rejected += 1
                continue
            try:
                check.verify(inputs, result)
            except AssertionError:
                rejected += 1
        assert rejected >= 1, f"{stem}:{grade_id}: the wrong answer passed every check"
