"""The widgets driven from Python, with no browser: setting a control's value runs the same update
a slider release does, and the state (numbers, text, figure) can be read back."""
from __future__ import annotations

import io
import warnings
from pathlib import Path

import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np

import pytest
from micrograd.engine import Value as MicroValue

from bpcourse.scalar import Value, zero_grad
from bpcourse.widgets import TrainingProgress, backward_stepper, lr_explorer, train_linear
from bpcourse.widgets._figures import shown_png


def ink_fraction(png: bytes) -> float:
    rgb = matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3]
    return float((rgb.min(axis=-1) < 0.85).mean())


@pytest.fixture
def explorer():
    return lr_explorer()


def test_explorer_starts_with_the_seed_run(explorer):
    assert explorer.lr_slider.value == 0.01 and explorer.mode_toggle.value == "sgd"
    assert explorer.lr_slider.continuous_update is False
    assert explorer.redraws == 1
    assert explorer.message == train_linear(0.01).message
    assert explorer.message.startswith("converged: final loss")
    assert ink_fraction(shown_png(explorer.output)) > 0.03


@pytest.mark.parametrize("lr, start, diverged_at", [
    (0.01, "converged: final loss", None),
    (0.0005, "slow: final loss", None),
    (0.25, "diverged at epoch 7", 7),
])
def test_moving_the_learning_rate_retrains_and_redraws(explorer, lr, start, diverged_at):
    explorer.lr_slider.value = 0.05                     # somewhere else first
    before_png, before_redraws = shown_png(explorer.output), explorer.redraws
    explorer.lr_slider.value = lr
    assert explorer.redraws == before_redraws + 1
    assert explorer.result.lr == pytest.approx(lr)
    assert explorer.message.startswith(start) and explorer.result.diverged_at == diverged_at
    assert explorer.result.final_loss == train_linear(lr).final_loss
    assert start.split(":")[0] in explorer.status.value
    after_png = shown_png(explorer.output)
    assert after_png != before_png and ink_fraction(after_png) > 0.03


def test_the_other_controls_retrain_too(explorer):
    explorer.mode_toggle.value = "batch"
    assert explorer.result.mode == "batch" and explorer.redraws == 2
    explorer.lr_slider.value = 0.25
    assert explorer.result.diverged_at == 13
    explorer.epochs_slider.value = 5
    assert explorer.result.epochs == 5 and explorer.result.status == "diverging"
    explorer.w0_slider.value = 2.0                     # starting at the answer: nothing to learn
    assert explorer.result.final_loss == 0.0 and explorer.message.startswith("converged")
    assert explorer.redraws == 5


def test_a_model_of_your_own_through_loss_and_grad():
    x = np.array([0.5, 1.0, 1.5])
    y = np.sin(1.3 * x)

    def loss(w, i):
        return float(np.mean((np.sin(w * x[i]) - y[i]) ** 2))

    def grad(w, i):
        return float(np.mean(2 * (np.sin(w * x[i]) - y[i]) * np.cos(w * x[i]) * x[i]))

    mine = lr_explorer(loss=loss, grad=grad, n_samples=3, lr=0.5, epochs=300, mode="batch")
    assert mine.result.final_w == pytest.approx(1.3, abs=1e-3)
    assert mine.message.startswith("converged")
    mine.lr_slider.value = 1e-4
    assert mine.message.startswith("slow") and mine.redraws == 2
    with pytest.raises(TypeError, match="together"):
        lr_explorer(loss=loss)


def test_widgets_print_nothing_and_leave_no_pyplot_figures(capfd, recwarn):
    explorer = lr_explorer()
    explorer.lr_slider.value = 0.25
    a = Value(2.0, label="a")
    stepper = backward_stepper(a * a)
    stepper.go(1)
    progress = TrainingProgress(10)
    for step in range(10):
        progress.update(step, 1.0 / (step + 1))
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    # A library deprecating another's API (matplotlib 3.8 calls pyparsing 3.3's old names) is hidden
    # from learners as Python hides every DeprecationWarning outside __main__; anything else counts.
    shown = [w for w in recwarn.list if not (issubclass(w.category, DeprecationWarning)
                                             and "bpcourse" not in Path(w.filename).parts)]
    assert [str(w.message) for w in shown] == []
    assert plt.get_fignums() == []


def test_display_text_is_the_message_not_a_repr(explorer):
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == f"lr_explorer: {explorer.message}"
    assert "object at" not in repr(explorer) and "0x" not in repr(explorer)


def neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def test_stepper_ends_with_the_grads_of_backward():
    o = neuron()
    stepper = backward_stepper(o)
    inner = [node for node in stepper.nodes if node.parents]
    assert stepper.slider.max == len(inner) == 5         # one step per node with inputs
    assert stepper.step == 0 and stepper.grads[-1] == 1.0 and sum(map(abs, stepper.grads)) == 1.0
    stepper.slider.value = stepper.slider.max
    stepped = stepper.grads
    zero_grad(o)
    o.backward()
    assert stepped == [node.grad for node in stepper.nodes]
    assert "done: these are the grads root.backward() gives" in stepper.table


def test_each_step_applies_the_chain_rule_at_one_node():
    o = neuron()
    stepper = backward_stepper(o)
    order = []
    for k in range(1, stepper.slider.max + 1):
        before = stepper.grads
        redraws = stepper.redraws
        stepper.next_button.click()
        assert stepper.step == k and stepper.redraws == redraws + 1
        node = stepper.current
        order.append(stepper.nodes.index(node))
        step = stepper.steps[k]
        for j, local, added in step.contributions:
            assert added == pytest.approx(local * node.grad)
            assert stepper.grads[j] == pytest.approx(before[j] + added)
            assert f"{added:.4f}" in stepper.table
        assert node.label in stepper.table
    assert order == sorted(order, reverse=True)           # outputs first: reverse topological order
    o_node = stepper.nodes[-1]
    tanh_step = stepper.steps[1]
    assert tanh_step.contributions[0][1] == pytest.approx(1 - o_node.data ** 2)
    assert stepper.next_button.disabled
    stepper.prev_button.click()
    assert stepper.step == stepper.slider.max - 1 and not stepper.next_button.disabled


def test_stepper_picture_highlights_the_current_node():
    o = neuron()
    stepper = backward_stepper(o)
    first = shown_png(stepper.output)
    stepper.go(2)
    second = shown_png(stepper.output)
    assert first != second and ink_fraction(second) > 0.03
    assert stepper.current.label == "n"


def test_stepper_also_steps_a_micrograd_graph():
    a, b = MicroValue(2.0), MicroValue(-3.0)
    c = (a * b + a).relu() + b ** 2
    stepper = backward_stepper(c)
    stepper.go(stepper.slider.max)
    stepped = stepper.grads
    for node in stepper.nodes:
        node.grad = 0
    c.backward()
    assert stepped == pytest.approx([node.grad for node in stepper.nodes])


def test_training_progress_works_in_a_plain_loop():
    progress = TrainingProgress(100, title="fit")
    for step in range(100):
        progress.update(step, 10.0 * 0.95 ** step)
    assert progress.bar.value == 100 and len(progress.losses) == 100
    assert progress.redraws == 25                        # every 4th update, the last one included
    assert ink_fraction(shown_png(progress.output)) > 0.01
    assert "100 / 100" in progress.label.value
    progress.done()
    assert progress.bar.bar_style == "success"


def test_training_progress_marks_a_blown_up_loss():
    progress = TrainingProgress(3)
    progress.update(0, 1.0)
    progress.update(1, float("nan"))
    assert progress.bar.bar_style == "danger"
    progress.done()
    assert progress.bar.bar_style == "danger" and progress.redraws >= 1


def test_stepper_explains_what_it_needs():
    import bpcourse
    x = bpcourse.ones(2, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # refused before it touches the tensor's nodes (no .grad warning)
        with pytest.raises(TypeError, match="needs a bpcourse.scalar.Value"):
            backward_stepper((x * x).sum())
