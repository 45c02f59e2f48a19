"""In-place changes and the version counter, against torch: each scenario is one small program,
run under ``torch`` and under ``bpcourse``; both must end the same way (the same values, or the
same exception with the same message up to torch's "Hint:").

What is checked: ``detach()`` and views share the counter (an in-place change through them is
noticed by a backward that saved the original), ``.data`` does not (the change goes unnoticed,
and the gradient is silently wrong in both), ops that save their output notice when it is
changed, ops save only what their derivative reads (``w * 2`` lets ``w`` change), and in-place
changes of leaves are refused.
"""
from __future__ import annotations

import copy
import pickle
from typing import Any, Callable

import numpy as np
import pytest
import torch

import bpcourse

LIBS = (torch, bpcourse)


def _plain(value: Any) -> Any:
    """Tensors as nested lists (what the two libraries can be compared on)."""
    if isinstance(value, (torch.Tensor, bpcourse.Tensor)):
        return value.detach().tolist()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def outcome(program: Callable[[Any], Any], lib: Any) -> tuple:
    """("ok", what the program returned) or (exception type, message up to torch's hint)."""
    try:
        return ("ok", _plain(program(lib)))
    except Exception as exc:  # noqa: BLE001 - the exception is the outcome compared
        return (type(exc).__name__, str(exc).split(" Hint:")[0])


def assert_same_outcome(program: Callable[[Any], Any]) -> tuple:
    expected, got = outcome(program, torch), outcome(program, bpcourse)
    assert got[0] == expected[0], f"torch: {expected}\nbpcourse: {got}"
    if expected[0] == "ok":
        np.testing.assert_allclose(np.array(got[1], dtype=object).astype(float) if _numeric(got[1]) else 0,
                                   np.array(expected[1], dtype=object).astype(float) if _numeric(expected[1]) else 0,
                                   rtol=1e-5, err_msg=f"torch: {expected}\nbpcourse: {got}")
        assert _shape_of(got[1]) == _shape_of(expected[1]), f"torch: {expected}\nbpcourse: {got}"
    else:
        assert got[1] == expected[1], f"torch: {expected}\nbpcourse: {got}"
    return expected


def _numeric(value: Any) -> bool:
    try:
        np.array(value, dtype=float)
        return True
    except (TypeError, ValueError):
        return False


def _shape_of(value: Any) -> Any:
    """The structure of a result, with its non-numbers (names, flags) kept for an exact compare."""
    if isinstance(value, list):
        return [_shape_of(v) for v in value]
    return value if isinstance(value, (str, bool)) or value is None else "number"


MODIFIED = "one of the variables needed for gradient computation has been modified by an inplace operation"


# ----- detach() shares the counter ------------------------------------------------------------------

def detach_add_then_backward_through_mul(torch: Any) -> Any:
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    z = (x * x).sum()  # saves x
    x.detach().add_(1)
    z.backward()


def detach_setitem_then_backward_through_log(torch: Any) -> Any:
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    z = x.log().sum()  # saves x
    y = x.detach()
    y[0] = 5
    assert x._version == y._version == 1
    z.backward()


def detach_zero_of_a_tanh_output(torch: Any) -> Any:
    x = torch.tensor([0.5, -1.0], requires_grad=True)
    h = x.tanh()  # saves its output h
    h.detach().zero_()
    h.sum().backward()


def detach_zero_of_the_input_of_sigmoid_is_fine(torch: Any) -> Any:
    x = torch.tensor([0.5, -1.0], requires_grad=True)
    s = x.sigmoid()  # saves its output, not x: changing x afterwards does not matter
    x.detach().zero_()
    s.sum().backward()
    return x.grad, x, x._version


def detach_of_a_non_leaf_names_the_node(torch: Any) -> Any:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = (y * y).sum()
    d = y.detach()
    d.add_(1)
    assert (y._version, d._version) == (1, 1)
    z.backward()


def detach_sees_a_recorded_inplace_change(torch: Any) -> Any:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    d = h.detach()
    h.add_(1)
    return d, h._version, d._version


@pytest.mark.parametrize("program", [
    detach_add_then_backward_through_mul, detach_setitem_then_backward_through_log, detach_zero_of_a_tanh_output,
    detach_zero_of_the_input_of_sigmoid_is_fine, detach_of_a_non_leaf_names_the_node,
    detach_sees_a_recorded_inplace_change,
], ids=lambda p: p.__name__)
def test_detach_shares_the_version_counter_like_torch(program: Callable) -> None:
    assert_same_outcome(program)


def test_detach_errors_are_torchs_error() -> None:
    kind, message = assert_same_outcome(detach_zero_of_a_tanh_output)
    assert kind == "RuntimeError" and message.startswith(MODIFIED) and "output 0 of Tanh" in message


# ----- views share the counter, copies do not ----------------------------------------------------

VIEWS = {
    "x[0]": lambda x: x[0],
    "x[1, 2]": lambda x: x[1, 2],
    "x[:, 1:]": lambda x: x[:, 1:],
    "x[..., 0]": lambda x: x[..., 0],
    "x.view(6)": lambda x: x.view(6),
    "x.view(-1, 2)": lambda x: x.view(-1, 2),
    "x.reshape(3, 2)": lambda x: x.reshape(3, 2),
    "x.t()": lambda x: x.t(),
    "x.T": lambda x: x.T,
    "x.transpose(0, 1)": lambda x: x.transpose(0, 1),
    "x.permute(1, 0)": lambda x: x.permute(1, 0),
    "x.unsqueeze(0)": lambda x: x.unsqueeze(0),
    "x.unsqueeze(0).squeeze()": lambda x: x.unsqueeze(0).squeeze(),
    "x.flatten()": lambda x: x.flatten(),
    "x.view_as(x)": lambda x: x.view_as(x),
    "x.detach()[0]": lambda x: x.detach()[0],
    # copies: their own counter, the change is not seen
    "x[[0, 1]]": lambda x: x[[0, 1]],
    "x[x > 2]": lambda x: x[x > 2],
    "x.flip(0)": lambda x: x.flip(0),
    "x.clone()": lambda x: x.clone(),
    "x.t().reshape(6)": lambda x: x.t().reshape(6),
    "x.data": lambda x: x.data,
}


@pytest.mark.parametrize("change", ["add_", "mul_", "zero_", "setitem"])
@pytest.mark.parametrize("view", list(VIEWS))
def test_a_change_through_a_view_is_seen_as_in_torch(view: str, change: str) -> None:
    def program(torch: Any) -> Any:
        x = torch.arange(1.0, 7.0).reshape(2, 3).requires_grad_()
        z = (x * x).sum()  # saves x
        with torch.no_grad():
            v = VIEWS[view](x)
            if change == "setitem":
                v[...] = 9.0
            elif change == "zero_":
                v.zero_()
            else:
                getattr(v, change)(2.0)
        versions = (x._version, v._version)
        z.backward()
        return x.grad, x, versions

    assert_same_outcome(program)


def test_an_inplace_change_of_a_view_of_a_leaf_is_refused() -> None:
    def program(torch: Any) -> Any:
        x = torch.ones(2, 3, requires_grad=True)
        x[0].add_(1)

    kind, message = assert_same_outcome(program)
    assert message == "a view of a leaf Variable that requires grad is being used in an in-place operation."


# ----- .data: same numbers, its own counter (notebook 07's lesson) -----------------------------------

@pytest.mark.parametrize("change", [
    lambda d: d.add_(1), lambda d: d.mul_(2), lambda d: d.__setitem__(0, 5.0), lambda d: d.zero_(),
], ids=["add_", "mul_", "setitem", "zero_"])
def test_a_change_through_data_goes_unnoticed_and_the_gradient_is_wrong_in_both(change: Callable) -> None:
    def program(torch: Any) -> Any:
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x.exp()  # saves its output y
        z = (x * x).sum() + y.sum()  # saves x
        change(x.data)
        change(y.data)
        z.backward()
        return x.grad, x._version, y._version, x.data._version

    result = assert_same_outcome(program)
    x = np.array([1.0, 2.0, 3.0])
    assert not np.allclose(result[1][0], 2 * x + np.exp(x))  # silently wrong: not d/dx (x^2 + e^x)


# ----- ops that save their output ------------------------------------------------------------------

OUTPUT_SAVING = {
    "exp": lambda x: x.exp(),
    "sigmoid": lambda x: x.sigmoid(),
    "tanh": lambda x: x.tanh(),
    "relu": lambda x: x.relu(),
    "sqrt": lambda x: x.sqrt(),
    "reciprocal": lambda x: x.reciprocal(),
    "softmax": lambda x: x.softmax(0),
    "log_softmax": lambda x: x.log_softmax(0),
    "F.relu": lambda x: torch_or_bpcourse(x).nn.functional.relu(x),
    "torch.sigmoid": lambda x: torch_or_bpcourse(x).sigmoid(x),
    "sum().exp()": lambda x: x.sum().exp(),
    "max (saves x and its output)": lambda x: x.max(),
}
INPUT_SAVING = {  # these do not save their output, so changing it does not matter
    "2 / x (the output is mul's)": lambda x: 2 / x,
    "log": lambda x: x.log(),
    "x ** 2": lambda x: x ** 2,
    "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(),
    "abs": lambda x: x.abs(),
    "clamp": lambda x: x.clamp(0.5, 2.5),
    "x * 3": lambda x: x * 3,
    "x + 1": lambda x: x + 1,
    "sum": lambda x: x.sum(),
    "mean": lambda x: x.mean(),
}


def torch_or_bpcourse(x: Any) -> Any:
    return bpcourse if isinstance(x, bpcourse.Tensor) else torch


@pytest.mark.parametrize("change", ["add_ (recorded)", "mul_ under no_grad", "detach().zero_()", "setitem under no_grad"])
@pytest.mark.parametrize("op", list(OUTPUT_SAVING) + list(INPUT_SAVING))
def test_changing_an_ops_output_in_place_is_refused_only_if_the_op_saved_it(op: str, change: str) -> None:
    ops = {**OUTPUT_SAVING, **INPUT_SAVING}

    def program(torch: Any) -> Any:
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = ops[op](x)
        if change == "add_ (recorded)":
            y.add_(1)
        elif change == "detach().zero_()":
            y.detach().zero_()
        else:
            with torch.no_grad():
                if change.startswith("setitem"):
                    y[...] = 0.5
                else:
                    y.mul_(2)
        (y * torch.tensor(2.0)).sum().backward()
        return x.grad, y._version

    kind, message = assert_same_outcome(program)
    if op in OUTPUT_SAVING:
        assert kind == "RuntimeError" and message.startswith(MODIFIED)
    else:
        assert kind == "ok"


def test_the_message_names_the_shape_dtype_node_and_versions() -> None:
    def program(torch: Any) -> Any:
        x = torch.ones(2, 3, dtype=torch.float64, requires_grad=True)
        y = x.sigmoid()
        y.add_(1)
        y.add_(1)
        y.sum().backward()

    kind, message = assert_same_outcome(program)
    assert message == (MODIFIED + ": [torch.DoubleTensor [2, 3]], which is output 0 of Sigmoid, is at version 2; "
                                  "expected version 0 instead.")
    with pytest.raises(RuntimeError, match="SigmoidBackward0 saved this value") as info:
        program(bpcourse)
    assert "x = x + 1 rather than x += 1" in str(info.value)  # and says what to do instead


# ----- ops save only what their derivative reads: updates between two backwards ------------------------

SAVES_NO_W = {  # torch saves no tensor w: w may change before the second backward
    "w * 2": lambda w, x: w * 2,
    "2 * w": lambda w, x: 2 * w,
    "w * x": lambda w, x: w * x,
    "x * w": lambda w, x: x * w,
    "w / 2": lambda w, x: w / 2,
    "2 / w (saves its output)": lambda w, x: 2 / w,
    "w + x": lambda w, x: w + x,
    "x - w": lambda w, x: x - w,
    "-w": lambda w, x: -w,
    "x @ w": lambda w, x: x @ w.view(3, 1),
    "w.sum() * x": lambda w, x: w.sum() * x,
    "w.mean()": lambda w, x: w.mean(),
    "w.exp()": lambda w, x: w.exp(),
    "w.max(0)": lambda w, x: w.max(0)[0],
    "F.linear(x, w)": lambda w, x: torch_or_bpcourse(w).nn.functional.linear(x, w.view(1, 3)),
}
SAVES_W = {
    "w * w": lambda w, x: w * w,
    "w * v": lambda w, x: w * (x * 1).requires_grad_(),
    "x / w": lambda w, x: x / w,
    "w ** 2": lambda w, x: w ** 2,
    "w.log()": lambda w, x: w.log(),
    "w @ w": lambda w, x: w @ w,
    "x.requires_grad_() @ w": lambda w, x: x.view(1, 3).requires_grad_() @ w.view(3, 1),
    "w.max()": lambda w, x: w.max(),
    "w.norm()": lambda w, x: w.norm(),
    "w.clamp(0, 2)": lambda w, x: w.clamp(0, 2),
    "w.abs()": lambda w, x: w.abs(),
}


@pytest.mark.parametrize("update", ["w -= 0.1 * w.grad", "w.data -= 0.1 * w.grad", "w.data = w.data - 0.1 * w.grad",
                                    "w.add_(1)"])
@pytest.mark.parametrize("model", list(SAVES_NO_W) + list(SAVES_W))
def test_a_no_grad_update_between_two_backwards_is_refused_only_if_w_was_saved(model: str, update: str) -> None:
    models = {**SAVES_NO_W, **SAVES_W}

    def program(torch: Any) -> Any:
        w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        x = torch.tensor([0.5, -1.0, 2.0])
        loss = models[model](w, x).sum()
        loss.backward(retain_graph=True)
        with torch.no_grad():
            if update == "w.add_(1)":
                w.add_(1)
            elif update.startswith("w.data -="):
                w.data -= 0.1 * w.grad
            elif update.startswith("w.data ="):
                w.data = w.data - 0.1 * w.grad  # new numbers: a graph that saved w reads them (torch too)
            else:
                w -= 0.1 * w.grad
        loss.backward()
        return w.grad, w._version

    kind, _ = assert_same_outcome(program)
    if update.startswith("w.data") or model in SAVES_NO_W:
        assert kind == "ok"
    else:
        assert kind == "RuntimeError"


@pytest.mark.parametrize("model", ["w * x", "x * w", "x @ w", "x.view(3) * w"])
def test_changing_the_saved_constant_operand_is_refused(model: str) -> None:
    def program(torch: Any) -> Any:
        w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        x = torch.tensor([0.5, -1.0, 2.0])
        y = {"w * x": lambda: w * x, "x * w": lambda: x * w, "x @ w": lambda: x @ w,
             "x.view(3) * w": lambda: x.view(3) * w}[model]()
        x.add_(1)  # x does not require grad: allowed, but mul / matmul saved it for w's gradient
        y.sum().backward()

    kind, message = assert_same_outcome(program)
    assert kind == "RuntimeError" and message.startswith(MODIFIED)


def test_an_optimizer_step_between_two_backwards_of_an_mlp() -> None:
    """The second layer saved its weight for the gradient of its input: the step changed it.
    (torch saves the weight's transpose, so the shape in the message differs; the rest is the same.)"""
    def program(torch: Any) -> Any:
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        loss = net(torch.ones(2, 3)).sum()
        loss.backward(retain_graph=True)
        opt.step()
        loss.backward()

    results = [outcome(program, lib) for lib in LIBS]
    for kind, message in results:
        assert kind == "RuntimeError"
        assert message.startswith(MODIFIED) and message.endswith("is at version 2; expected version 1 instead.")


def test_an_optimizer_step_is_fine_when_only_the_first_layer_saw_the_weight() -> None:
    def program(torch: Any) -> Any:
        torch.manual_seed(0)
        net = torch.nn.Linear(3, 1)
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
        loss = net(torch.ones(2, 3)).sum()  # the input needs no gradient: only it is saved
        loss.backward(retain_graph=True)
        opt.step()
        loss.backward()
        return net.weight.grad, net.bias.grad, net.weight._version

    assert assert_same_outcome(program)[0] == "ok"


# ----- leaves, retain_graph, recorded in-place ops -------------------------------------------------------

LEAF_CHANGES = {
    "x += 1": lambda x: x.__iadd__(1),
    "x -= 1": lambda x: x.__isub__(1),
    "x *= 2": lambda x: x.__imul__(2),
    "x /= 2": lambda x: x.__itruediv__(2),
    "x.add_(1)": lambda x: x.add_(1),
    "x.zero_()": lambda x: x.zero_(),
    "x.fill_(2)": lambda x: x.fill_(2.0),
    "x.copy_(y)": lambda x: x.copy_(x.detach() * 2),
    "x.clamp_(0, 1)": lambda x: x.clamp_(0, 1),
    "x.normal_()": lambda x: x.normal_(),
    "x[0] = 1": lambda x: x.__setitem__(0, 1.0),
    "x[[0, 1]] = 1": lambda x: x.__setitem__([0, 1], 1.0),
    "x[0].add_(1)": lambda x: x[0].add_(1),
    "x.detach().requires_grad_().add_(1)": lambda x: x.detach().requires_grad_().add_(1),
}


@pytest.mark.parametrize("change", list(LEAF_CHANGES))
def test_an_inplace_change_of_a_leaf_that_requires_grad_is_refused(change: str) -> None:
    def program(torch: Any) -> Any:
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        LEAF_CHANGES[change](x)

    kind, message = assert_same_outcome(program)
    assert kind == "RuntimeError" and "leaf Variable that requires grad is being used in an in-place" in message


@pytest.mark.parametrize("change", list(LEAF_CHANGES))
def test_the_same_changes_under_no_grad_move_the_version_as_in_torch(change: str) -> None:
    def program(torch: Any) -> Any:
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        torch.manual_seed(0)
        with torch.no_grad():
            LEAF_CHANGES[change](x)
        return x._version, x.requires_grad, x.is_leaf

    assert_same_outcome(program)


def test_retain_graph_then_an_inplace_change_then_a_second_backward() -> None:
    def program(torch: Any) -> Any:
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        loss = (y * y).sum()
        loss.backward(retain_graph=True)
        first = x.grad.clone()
        with torch.no_grad():
            y.add_(1)
        try:
            loss.backward()
        except RuntimeError as exc:
            return first, x.grad, str(exc).split(" Hint:")[0]
        return first, x.grad, "no error"

    result = assert_same_outcome(program)
    assert "which is output 0 of Mul, is at version 1" in result[1][2]


def test_retain_graph_then_a_change_nothing_saved_gives_two_equal_gradients() -> None:
    def program(torch: Any) -> Any:
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        loss = (y.exp() * 3).sum()  # saves exp's output, not y
        loss.backward(retain_graph=True)
        with torch.no_grad():
            y.add_(1)
        loss.backward()
        return x.grad, y._version

    assert assert_same_outcome(program)[0] == "ok"


def test_a_freed_graph_raises_the_second_backward_error_before_the_version_error() -> None:
    def program(torch: Any) -> Any:
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        y.sum().backward()
        with torch.no_grad():
            y.add_(1)
        y.sum().backward()

    kind, message = assert_same_outcome(program)
    assert "backward through the graph a second time" in message


RECORDED = {
    "h.add_(1); h.exp()": lambda h, x: h.add_(1).exp(),
    "h.mul_(x)": lambda h, x: h.mul_(x),
    "h.mul_(h2)": lambda h, x: h.mul_(x * 3),
    "h.div_(x)": lambda h, x: h.div_(x),
    "h -= x": lambda h, x: h.__isub__(x),
    "h.zero_() + x": lambda h, x: h.zero_() + x,
    "h.fill_(2) * x": lambda h, x: h.fill_(2.0) * x,
    "h.copy_(x * 3)": lambda h, x: h.copy_(x * 3),
    "h.clamp_(0, 3)": lambda h, x: h.clamp_(0, 3),
    "acc += x * 2 (acc needs no grad)": lambda h, x: h.detach().__iadd__(x * 2),
}


@pytest.mark.parametrize("change", list(RECORDED))
def test_an_inplace_op_inside_a_graph_is_recorded_as_in_torch(change: str) -> None:
    def program(torch: Any) -> Any:
        x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
        h = x * 2
        out = RECORDED[change](h, x)
        out.sum().backward()
        return x.grad, out, type(out.grad_fn).__name__, out.is_leaf

    assert_same_outcome(program)


def test_a_saved_input_changed_by_a_recorded_op_names_that_op() -> None:
    def program(torch: Any) -> Any:
        x = torch.ones(2, 2, requires_grad=True)
        h = x * 2
        z = h * h
        h.add_(1)
        z.sum().backward()

    kind, message = assert_same_outcome(program)
    assert "which is output 0 of Add, is at version 1" in message


def test_version_numbers_follow_torch() -> None:
    def program(torch: Any) -> Any:
        x = torch.ones(3, requires_grad=True)
        seen = [x._version]
        x.data.add_(1)
        seen.append(x._version)
        with torch.no_grad():
            x.add_(1)
            x.mul_(2)
        seen.append(x._version)
        d = x.detach()
        seen.append(d._version)
        d[0] = 5
        seen += [x._version, d._version, x.data._version, (x * 1)._version, x.t()._version]
        return seen

    assert_same_outcome(program)


def test_pickle_and_deepcopy_keep_numbers_and_start_a_counter_of_their_own() -> None:
    x = bpcourse.tensor([1.0, 2.0])
    with bpcourse.no_grad():
        x.add_(1)
    for copied in (pickle.loads(pickle.dumps(x)), copy.deepcopy(x)):
        assert copied.tolist() == [2.0, 3.0]
        copied.add_(1)
        assert x._version == 1 and x.tolist() == [2.0, 3.0]  # the copy's change is its own


def test_only_saved_values_are_checked_so_backward_stays_cheap() -> None:
    """Ops that save nothing (add, sum, views) record no versions to check."""
    x = bpcourse.tensor([1.0, 2.0], requires_grad=True)
    assert (x + 1).grad_fn.versions is None and x.sum().grad_fn.versions is None
    assert (x * 2).grad_fn.versions is None  # saved only the 2, which nobody can change
    assert len((x * x).grad_fn.versions) == 2 and len(x.exp().grad_fn.versions) == 1


CHANGES = {  # every way a saved tensor's numbers can move or be swapped between forward and backward
    "h.add_(1) (no_grad)": lambda h, w, model: _under_no_grad(lambda: h.add_(1)),
    "h.detach().mul_(2)": lambda h, w, model: h.detach().mul_(2),
    "h[0] = 5 (no_grad)": lambda h, w, model: _under_no_grad(lambda: h.__setitem__(0, 5.0)),
    "h._version += 1": lambda h, w, model: setattr(h, "_version", h._version + 1),
    "h.data = h.data * 2": lambda h, w, model: setattr(h, "data", h.data * 2),
    "w.data = w.data + 1": lambda h, w, model: setattr(w, "data", w.data + 1),
    "model.double()": lambda h, w, model: model.double(),
    "optimizer step": lambda h, w, model: bpcourse.optim.SGD([w], lr=0.1).step(),
}


def _under_no_grad(change: Callable) -> None:
    with bpcourse.no_grad():
        change()


@pytest.mark.parametrize("change", list(CHANGES))
def test_backward_skips_the_version_check_only_while_nothing_anywhere_has_changed(change: str, monkeypatch) -> None:
    """The check of saved versions runs for a node only if the program's change clock moved since
    the node saved its values; every kind of change moves it, so every check still runs when it
    could matter (and finds what it finds with or without the clock: the torch comparisons above)."""
    from bpcourse import engine, function

    checked = []
    real_check = function.check_versions
    monkeypatch.setattr(engine, "check_versions", lambda ctx: (checked.append(ctx), real_check(ctx)))

    def forward():
        model = bpcourse.nn.Linear(2, 1)
        w = model.weight
        w.grad = bpcourse.zeros_like(w)  # (so that an optimizer step has something to apply)
        h = bpcourse.tensor([[1.0, -2.0]], requires_grad=True).exp()  # exp saves h, linear saves h and w
        return model, w, h, model(h).sum()

    model, w, h, loss = forward()
    loss.backward()
    assert checked == []  # nothing changed: no node checked (the usual training step)

    model, w, h, loss = forward()
    before = function.ChangeClock.ticks
    CHANGES[change](h, w, model)
    assert function.ChangeClock.ticks > before
    try:
        loss.backward()
    except RuntimeError as error:  # a change the check refuses (it ran: that is the point)
        assert "modified by an inplace operation" in str(error)
    assert checked, f"{change}: backward did not check the saved versions"


INPLACE_ACTIVATIONS = {
    "F.relu(h, inplace=True); h.add_(1)": lambda F, nn, h: F.relu(h, inplace=True).add_(1),
    "F.relu(h, inplace=True) * h": lambda F, nn, h: F.relu(h, inplace=True) * h,
    "nn.ReLU(inplace=True)(h)": lambda F, nn, h: nn.ReLU(inplace=True)(h) * 3,
    "F.leaky_relu(h, 0.1, inplace=True); under no_grad h *= 2": lambda F, nn, h: _no_grad_double(
        F.leaky_relu(h, 0.1, inplace=True)),
}


def _no_grad_double(h: Any) -> Any:
    with torch_or_bpcourse(h).no_grad():
        h.mul_(2)
    return h


@pytest.mark.parametrize("program", list(INPLACE_ACTIVATIONS))
def test_inplace_activations_save_the_tensor_they_overwrite(program: str) -> None:
    def run(torch: Any) -> Any:
        x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
        h = x * 2
        out = INPLACE_ACTIVATIONS[program](torch.nn.functional, torch.nn, h)
        out.sum().backward()
        return x.grad, h, h._version

    assert_same_outcome(run)


def test_an_inplace_relu_after_its_input_was_saved_is_refused() -> None:
    def program(torch: Any) -> Any:
        x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
        h = x * 2
        z = h * h  # saves h
        torch.nn.functional.relu(h, inplace=True)
        z.sum().backward()

    kind, message = assert_same_outcome(program)
    assert "which is output 0 of Relu, is at version 1; expected version 0" in message


@pytest.mark.parametrize("slope", [0.1, -0.5])
def test_an_inplace_leaky_relu_saves_its_result_and_refuses_a_negative_slope_in_backward(slope: float) -> None:
    def program(torch: Any) -> Any:
        x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
        h = x * 2
        out = torch.nn.functional.leaky_relu(h, slope, inplace=True)
        name = type(out.grad_fn).__name__
        out.sum().backward()
        return x.grad, name

    if slope > 0:
        assert_same_outcome(program)
        return
    (kind, message), (got_kind, got_message) = outcome(program, torch), outcome(program, bpcourse)
    assert got_kind == kind == "RuntimeError" and message.startswith(got_message)  # (less torch's "File an issue")


SETITEM_IN_A_GRAPH = {
    "y = x * 2; y[0] = 5": lambda torch, x: _set(x * 2, 0, 5.0),
    "out = zeros(3); out[0] = x[0] * 2": lambda torch, x: _set(torch.zeros(3), 0, x[0] * 2),
    "out = zeros(2, 3); out[1] = x": lambda torch, x: _set(torch.zeros(2, 3), 1, x),
    "out = zeros(3, 2); out[:, 1] = x * 10": lambda torch, x: _set(torch.zeros(3, 2), (slice(None), 1), x * 10),
    "out = zeros(5); out[[0, 4]] = x[1:]": lambda torch, x: _set(torch.zeros(5), [0, 4], x[1:]),
    "out = zeros(3); out[out == 0] = x.sum()": lambda torch, x: _set(torch.zeros(3), "mask", x.sum()),
    "y = x.exp(); y[1] = 0 (exp saved y)": lambda torch, x: _set(x.exp(), 1, 0.0),
}


def _set(target: Any, index: Any, value: Any) -> Any:
    target[target == 0 if isinstance(index, str) else index] = value
    return target


@pytest.mark.parametrize("program", list(SETITEM_IN_A_GRAPH))
def test_assigning_into_a_tensor_inside_a_graph_is_recorded_as_in_torch(program: str) -> None:
    def run(torch: Any) -> Any:
        x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
        out = SETITEM_IN_A_GRAPH[program](torch, x)
        weights = torch.arange(1.0, out.numel() + 1.0).reshape(out.shape)
        (out * weights).sum().backward()
        return x.grad, out, type(out.grad_fn).__name__, out._version

    assert_same_outcome(run)


def _grid(torch: Any) -> tuple:
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    return x, x * 2


USED_BEFORE_CHANGED = {  # an op used h (or its slice) before h changed in place: it keeps the old value
    "y2 = h * 3; h.mul_(5)": lambda torch, x, h: _then(h * 3, lambda: h.mul_(5), h),
    "s = h.sum(); h.add_(1)": lambda torch, x, h: _then(h.sum(), lambda: h.add_(1), h),
    "s = h.sum(); h.mul_(3); h.add_(1); h[0] = 7": lambda torch, x, h: _then(
        h.sum(), lambda: (h.mul_(3), h.add_(1), h.__setitem__(0, 7.0)), h),
    "h[:, 0] += 1": lambda torch, x, h: _then(h.sum() * 0, lambda: h.__setitem__(
        (slice(None), 0), h[:, 0].__iadd__(1)), h),
    "v = h[0]; v.mul_(x[1])": lambda torch, x, h: _then(h.sum() * 0, lambda: h[0].mul_(x[1]), h),
    "v = h[1, 1:]; v.zero_(); v.add_(3)": lambda torch, x, h: _then(h.sum() * 0, lambda: h[1, 1:].zero_().add_(3), h),
    "v = h[0]; s = v.sum(); v.add_(1)": lambda torch, x, h: _slice_used_then_changed(h),
    "F.relu(h[0], inplace=True)": lambda torch, x, h: _then(h.sum() * 0, lambda: torch.nn.functional.relu(
        h[0], inplace=True), h),
}


def _then(before: Any, change: Callable, h: Any) -> Any:
    change()
    return before.sum() + (h * h).sum()


def _slice_used_then_changed(h: Any) -> Any:
    v = h[0]
    s = v.sum() * 3
    v.add_(1)
    return s + (v * v).sum() + h.sum()


@pytest.mark.parametrize("program", list(USED_BEFORE_CHANGED))
def test_an_op_that_used_a_tensor_before_an_inplace_change_keeps_its_old_value(program: str) -> None:
    def run(torch: Any) -> Any:
        x, h = _grid(torch)
        out = USED_BEFORE_CHANGED[program](torch, x, h)
        out.backward()
        return x.grad, h, h._version, type(h.grad_fn).__name__

    assert_same_outcome(run)


@pytest.mark.parametrize("grad_of", ["backward", "autograd.grad", "backward with a leaf hook"])
def test_the_old_value_is_kept_on_every_backward_path(grad_of: str) -> None:
    def run(torch: Any) -> Any:
        x = torch.ones(3, requires_grad=True)
        y = x * 2
        s = y.sum()
        y.mul_(3)
        loss = s + y.sum()
        if grad_of == "autograd.grad":
            return torch.autograd.grad(loss, x)
        if grad_of.endswith("hook"):
            x.register_hook(lambda g: g * 10)
        loss.backward()
        return x.grad

    assert_same_outcome(run)


VIEWS_CHANGED_IN_A_GRAPH = {
    "h.t().add_(1)": lambda torch, x, h: h.t().add_(1),
    "v = h.view(-1); v += x.view(-1) * 3": lambda torch, x, h: h.view(-1).__iadd__(x.view(-1) * 3),
    "v = h.permute(1, 0); v.mul_(2); v[0] = 1": lambda torch, x, h: h.permute(1, 0).mul_(2).__setitem__(0, 1.0),
    "h.unsqueeze(0).zero_()": lambda torch, x, h: h.unsqueeze(0).zero_(),
    "h.T.clamp_(3, 9)": lambda torch, x, h: h.T.clamp_(3, 9),
    "v = h.reshape(3, 2); relu_(v - 5); v.sub_(5); relu_(v)": lambda torch, x, h: torch.nn.functional.relu(
        h.reshape(3, 2).sub_(5), inplace=True),
    "h.t()[0].add_(10) (a view of a view)": lambda torch, x, h: h.t()[0].add_(10),
    "h.transpose(0, 1)[1:].copy_(x.t()[1:] * 5)": lambda torch, x, h: h.transpose(0, 1)[1:].copy_(x.t()[1:] * 5),
}


@pytest.mark.parametrize("program", list(VIEWS_CHANGED_IN_A_GRAPH))
def test_an_inplace_change_of_any_view_inside_a_graph_is_written_back_into_its_base(program: str) -> None:
    def run(torch: Any) -> Any:
        x, h = _grid(torch)
        VIEWS_CHANGED_IN_A_GRAPH[program](torch, x, h)
        (h * torch.arange(6.0).reshape(2, 3)).sum().backward()
        return x.grad, h, h._version, type(h.grad_fn).__name__

    assert_same_outcome(run)


def test_an_inplace_change_of_an_expanded_view_is_refused() -> None:
    def run(torch: Any) -> Any:
        x, h = _grid(torch)
        h[0:1].expand(3, 3).add_(1)

    kind, message = assert_same_outcome(run)
    assert message.startswith("unsupported operation: more than one element of the written-to tensor")


VIEW_THEN_BASE_CHANGED = {  # a view made before its base changed in place shows the new value, and its gradient too
    "v = h[0]; h.mul_(3)": lambda h, x: (h[0], lambda: h.mul_(3)),
    "v = h.view(-1); h.t().mul_(2)": lambda h, x: (h.view(-1), lambda: h.t().mul_(2)),
    "v = h.t(); h[1] = x[0] * 5": lambda h, x: (h.t(), lambda: h.__setitem__(1, x[0] * 5)),
    "v = h.t()[0]; h.sub_(3).relu_()": lambda h, x: (h.t()[0], lambda: h.sub_(3).relu_()),
    "v = h[:, 1:]; h.t()[0].add_(x[:, 2])": lambda h, x: (h[:, 1:], lambda: h.t()[0].add_(x[:, 2])),
}


@pytest.mark.parametrize("program", list(VIEW_THEN_BASE_CHANGED))
def test_a_view_made_before_its_base_changed_follows_the_new_value(program: str) -> None:
    def run(torch: Any) -> Any:
        x, h = _grid(torch)
        view, change = VIEW_THEN_BASE_CHANGED[program](h, x)
        used_before = view.sum() * 7  # an op that used the view before the change keeps the old value
        change()
        (used_before + (view * view).sum()).backward()
        return x.grad, view, type(view.grad_fn).__name__, view._version

    assert_same_outcome(run)


# ----- random programs: ops, views and in-place changes in every mode, against torch ---------------------

_RANDOM_OPS = {
    "exp": lambda v: v.exp(), "tanh": lambda v: v.tanh(), "sigmoid": lambda v: v.sigmoid(), "relu": lambda v: v.relu(),
    "v * v": lambda v: v * v, "v * 2": lambda v: v * 2, "v + 1": lambda v: v + 1, "v.t()": lambda v: v.t() if v.dim() == 2 else v,
    "v.reshape(-1)": lambda v: v.reshape(-1), "v[0]": lambda v: v[0], "v[..., 0]": lambda v: v[..., 0],
    "v ** 2": lambda v: v ** 2, "v.sum(0)": lambda v: v.sum(0), "v.clone()": lambda v: v.clone(), "-v": lambda v: -v,
    "v / (|v| + 1)": lambda v: v / (v.abs() + 1),
}
_CHANGES = {
    "add_": lambda v, vs: v.add_(1), "mul_": lambda v, vs: v.mul_(2), "zero_": lambda v, vs: v.zero_(),
    "v[...] = 0.5": lambda v, vs: v.__setitem__(Ellipsis, 0.5), "clamp_": lambda v, vs: v.clamp_(-0.5, 0.5),
    "add_(tensor)": lambda v, vs: v.add_(vs[1].sum() * 0.1),
}


def _random_program(seed: int) -> list:
    import random

    r = random.Random(seed)
    steps, count = [], 2
    for _ in range(r.randint(2, 7)):
        if r.random() < 0.5:
            steps.append(("op", r.choice(list(_RANDOM_OPS)), r.randrange(count)))
            count += 1
        else:
            steps.append(("change", r.choice(list(_CHANGES)), r.randrange(count),
                          r.choice(["recorded", "no_grad", "detach()", ".data"]), r.choice(["v", "v[0]", "v.t()"])))
    return steps


def _run_random_program(torch: Any, steps: list) -> Any:
    x = torch.tensor([[0.5, -1.0, 2.0], [1.5, -0.3, 0.7]], requires_grad=True)
    vs = [x, x * 2]
    for step in steps:
        if step[0] == "op":
            vs.append(_RANDOM_OPS[step[1]](vs[step[2]]))
            continue
        _, change, i, mode, through = step
        v = vs[i].detach() if mode == "detach()" else vs[i].data if mode == ".data" else vs[i]
        v = v[0] if through == "v[0]" and v.dim() >= 1 else v.t() if through == "v.t()" and v.dim() == 2 else v
        if mode == "no_grad":
            with torch.no_grad():
                _CHANGES[change](v, vs)
        else:
            _CHANGES[change](v, vs)
    sum(v.sum() * (i + 1) for i, v in enumerate(vs) if v.requires_grad).backward()
    return x.grad, vs, [v._version for v in vs]


@pytest.mark.parametrize("first", range(0, 400, 50))
def test_random_programs_of_views_and_inplace_changes_end_as_in_torch(first: int) -> None:
    for seed in range(first, first + 50):
        steps = _random_program(seed)
        try:
            assert_same_outcome(lambda torch: _run_random_program(torch, steps))
        except AssertionError as exc:
            raise AssertionError(f"program {seed}: {steps}\n{exc}") from None


@pytest.mark.parametrize("method", ["relu_", "sigmoid_", "tanh_", "exp_"])
@pytest.mark.parametrize("then", ["backward", "change it again, then backward", "under no_grad"])
def test_inplace_activation_methods_save_their_result_as_torch(method: str, then: str) -> None:
    def run(torch: Any) -> Any:
        x, h = _grid(torch)
        if then == "under no_grad":
            with torch.no_grad():
                out = getattr(h, method)()
        else:
            out = getattr(h, method)()
        name = type(out.grad_fn).__name__
        if then.startswith("change"):
            out.add_(1)
        (out * torch.arange(6.0).reshape(2, 3)).sum().backward()
        return x.grad, out, name, out._version, out is h

    assert_same_outcome(run)


@pytest.mark.parametrize("order", ["retain_grad, then mul_", "mul_, then retain_grad"])
def test_retain_grad_gives_the_gradient_of_the_value_after_an_inplace_change(order: str) -> None:
    def run(torch: Any) -> Any:
        x = torch.ones(3, requires_grad=True)
        y = x * 2
        if order.startswith("retain"):
            y.retain_grad()
            y.mul_(3)
        else:
            y.mul_(3)
            y.retain_grad()
        (y * y).sum().backward()
        return x.grad, y.grad

    assert_same_outcome(run)
