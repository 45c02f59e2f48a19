"""Arguments of nn, nn.functional, grad mode and save/load that used to be accepted and ignored:
each now works as in torch (checked against torch) or is refused with its name."""
from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

import bpcourse
from bpcourse import serialization

LOGITS = np.array([[1.0, 2.0, 0.5, -1.0], [0.3, -0.2, 2.2, 0.1], [-1.5, 0.4, 0.0, 1.1],
                   [0.9, 0.8, -0.7, 0.2], [2.0, -1.0, 0.3, 0.3]], dtype=np.float32)
TARGETS = np.array([1, 2, -100, 3, 2], dtype=np.int64)
WEIGHT = np.array([0.5, 2.0, 1.0, 3.0], dtype=np.float32)


def same_loss_and_grad(make_loss, atol: float = 1e-6) -> None:
    """make_loss(m, x) builds the loss in library m from logits x; values and d/dx must agree."""
    results = []
    for m in (bpcourse, torch):
        x = m.tensor(LOGITS.copy(), requires_grad=True)
        loss = make_loss(m, x)
        loss.sum().backward()
        results.append((loss.detach().numpy(), x.grad.numpy()))
    (ours, our_grad), (theirs, their_grad) = results
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=atol)
    np.testing.assert_allclose(our_grad, their_grad, rtol=1e-5, atol=atol)


# ----- grad mode ------------------------------------------------------------------------------
def test_enable_grad_as_a_decorator_turns_gradients_on() -> None:
    for m in (bpcourse, torch):
        @m.enable_grad()
        def double(x):
            return x * 2

        @m.no_grad()
        def triple(x):
            return x * 3

        x = m.ones(2, requires_grad=True)
        with m.no_grad():
            assert double(x).requires_grad, f"{m.__name__}: enable_grad decorator inside no_grad"
        assert not triple(x).requires_grad
        assert m.is_grad_enabled()


# ----- cross entropy: ignore_index, weight, label_smoothing -----------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("kwargs", [
    {}, {"ignore_index": 2}, {"weight": True}, {"weight": True, "ignore_index": 3},
    {"label_smoothing": 0.1}, {"label_smoothing": 0.2, "ignore_index": 2},
    {"label_smoothing": 0.3, "weight": True}, {"label_smoothing": 0.15, "weight": True, "ignore_index": 3},
])
def test_cross_entropy_arguments_match_torch(kwargs: dict, reduction: str) -> None:
    def targets(m):     # -100 is out of range when another class is the ignored one (in torch too)
        return m.tensor(TARGETS if "ignore_index" not in kwargs else np.where(TARGETS < 0, 0, TARGETS))

    def options(m):
        opts = dict(kwargs, reduction=reduction)
        if opts.get("weight"):
            opts["weight"] = m.tensor(WEIGHT)
        return opts

    same_loss_and_grad(lambda m, x: m.nn.functional.cross_entropy(x, targets(m), **options(m)))
    same_loss_and_grad(lambda m, x: m.nn.CrossEntropyLoss(**options(m))(x, targets(m)))
    if "label_smoothing" not in kwargs:
        same_loss_and_grad(lambda m, x: m.nn.functional.nll_loss(m.nn.functional.log_softmax(x, 1), targets(m),
                                                                 **options(m)))
        same_loss_and_grad(lambda m, x: m.nn.NLLLoss(**options(m))(m.nn.functional.log_softmax(x, 1), targets(m)))


def test_default_ignore_index_drops_minus_100_targets_from_the_mean() -> None:
    """torch's default ignore_index=-100 is active: the mean is over the 4 other rows."""
    same_loss_and_grad(lambda m, x: m.nn.CrossEntropyLoss()(x, m.tensor(TARGETS)))
    x = bpcourse.tensor(LOGITS)
    kept = TARGETS != -100
    assert bpcourse.nn.CrossEntropyLoss()(x, bpcourse.tensor(TARGETS)).item() == pytest.approx(
        bpcourse.nn.CrossEntropyLoss()(bpcourse.tensor(LOGITS[kept]), bpcourse.tensor(TARGETS[kept])).item())


def test_cross_entropy_with_probabilities_and_smoothing_or_weight() -> None:
    probs = np.random.default_rng(0).dirichlet(np.ones(4), size=5).astype(np.float32)
    for kwargs in ({"label_smoothing": 0.2}, {"weight": WEIGHT}, {"weight": WEIGHT, "reduction": "sum"}):
        same_loss_and_grad(lambda m, x: m.nn.functional.cross_entropy(
            x, m.tensor(probs), **{k: m.tensor(v) if k == "weight" else v for k, v in kwargs.items()}))


def test_a_target_out_of_range_is_an_error_not_a_wrapped_index() -> None:
    for m in (bpcourse, torch):
        with pytest.raises((IndexError, RuntimeError), match="out of bounds"):
            m.nn.functional.cross_entropy(m.tensor(LOGITS), m.tensor([1, 2, -1, 3, 2]))


@pytest.mark.parametrize("targets", [[1, 2, 4, 3, 2], [1, 2, -2, 3, 2], [0, 1, 2, 3, 2**40]])
@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_the_usual_call_still_checks_every_target(loss: str, targets: list) -> None:
    """The usual call (class indices, no weight, ignore_index, smoothing) checks its targets with one
    max; one past the last class, a negative index or a huge one must still be refused, as in torch."""
    for m in (bpcourse, torch):
        with pytest.raises((IndexError, RuntimeError), match=r"Target -?\d+ is out of bounds"):  # not numpy's
            getattr(m.nn.functional, loss)(m.tensor(LOGITS), m.tensor(targets))


def test_the_usual_call_with_an_ignored_class_inside_the_range_matches_torch() -> None:
    """ignore_index naming a real class takes the masked path even when every target is a class."""
    for reduction in ("mean", "sum", "none"):
        same_loss_and_grad(lambda m, x: m.nn.functional.cross_entropy(x, m.tensor([1, 2, 0, 3, 2]), ignore_index=2,
                                                                      reduction=reduction))


@pytest.mark.parametrize("call, words", [
    (lambda m: m.nn.functional.cross_entropy(m.tensor(LOGITS), m.tensor(TARGETS), label_smoothing=1.5),
     "label_smoothing must be between 0.0 and 1.0"),
    (lambda m: m.nn.functional.cross_entropy(m.tensor(LOGITS), m.tensor(LOGITS), ignore_index=1),
     "ignore_index is not supported for floating point target"),
])
def test_bad_cross_entropy_arguments_fail_as_in_torch(call, words: str) -> None:
    for m in (bpcourse, torch):
        with pytest.raises(RuntimeError, match=words):
            call(m)


# ----- the other losses' weight arguments -------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_loss_weights_match_torch(reduction: str) -> None:
    target = (np.random.default_rng(1).random(LOGITS.shape) > 0.5).astype(np.float32)
    w = np.linspace(0.5, 2.0, 4, dtype=np.float32)
    pw = np.array([1.0, 3.0, 0.5, 2.0], dtype=np.float32)
    w_full = np.broadcast_to(w, LOGITS.shape).copy()
    for make in [
        lambda m, x: m.nn.functional.binary_cross_entropy(x.sigmoid(), m.tensor(target), m.tensor(w),
                                                          reduction=reduction),
        lambda m, x: m.nn.BCELoss(weight=m.tensor(w), reduction=reduction)(x.sigmoid(), m.tensor(target)),
        lambda m, x: m.nn.functional.binary_cross_entropy_with_logits(x, m.tensor(target), m.tensor(w),
                                                                      reduction=reduction, pos_weight=m.tensor(pw)),
        lambda m, x: m.nn.BCEWithLogitsLoss(pos_weight=m.tensor(pw), reduction=reduction)(x, m.tensor(target)),
        lambda m, x: m.nn.functional.mse_loss(x, m.tensor(target), reduction=reduction, weight=m.tensor(w_full)),
        lambda m, x: m.nn.functional.l1_loss(x, m.tensor(target), reduction=reduction, weight=m.tensor(w_full)),
    ]:
        same_loss_and_grad(make)
    for m in (bpcourse, torch):     # these two want one weight per element
        with pytest.raises(ValueError, match="Weights and input must have the same size"):
            m.nn.functional.mse_loss(m.tensor(LOGITS), m.tensor(target), weight=m.tensor(w))


# ----- inplace=True -----------------------------------------------------------------------------
@pytest.mark.parametrize("layer", ["ReLU", "LeakyReLU"])
def test_inplace_activation_in_a_model_matches_torch(layer: str) -> None:
    results = []
    for m in (bpcourse, torch):
        m.manual_seed(0)
        act = getattr(m.nn, layer)(inplace=True) if layer == "ReLU" else m.nn.LeakyReLU(0.2, inplace=True)
        model = m.nn.Sequential(m.nn.Linear(4, 3), act, m.nn.Linear(3, 1))
        x = m.tensor(LOGITS)
        y = model(x)
        y.sum().backward()
        results.append((repr(model), y.detach().numpy(), model[0].weight.grad.numpy()))
    assert results[0][0] == results[1][0]
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(results[0][2], results[1][2], rtol=1e-5, atol=1e-6)


def test_inplace_relu_changes_its_input_as_torch() -> None:
    for m in (bpcourse, torch):
        x = m.tensor([-1.0, 2.0, -3.0])
        y = m.nn.functional.relu(x, inplace=True)
        assert y is x and x.tolist() == [0.0, 2.0, 0.0] and x._version == 1
        h = m.tensor([[-1.0, 2.0]], requires_grad=True) * 1     # a non-leaf: recorded
        m.nn.functional.relu(h, inplace=True)
        assert type(h.grad_fn).__name__ == "ReluBackward0" or h.grad_fn.name() == "ReluBackward0"
        leaf = m.tensor([1.0, -1.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            m.nn.functional.relu(leaf, inplace=True)


def test_dropout_inplace_zeroes_its_input_and_prints_as_torch() -> None:
    x = bpcourse.ones(1000)
    y = bpcourse.nn.functional.dropout(x, 0.5, inplace=True)
    assert y is x and 400 < int((x.numpy() == 0).sum()) < 600 and set(np.unique(x.numpy())) <= {0.0, 2.0}
    assert repr(bpcourse.nn.Dropout(0.3, inplace=True)) == repr(torch.nn.Dropout(0.3, inplace=True))


# ----- modules: device, dtype, load_state_dict --------------------------------------------------
def test_linear_device_and_module_to_dtype() -> None:
    for m in (bpcourse, torch):
        layer = m.nn.Linear(2, 3, device="cpu")
        layer.to(m.float64)
        assert layer.weight.dtype == m.float64
        layer.float()
        assert layer.weight.dtype == m.float32
        layer.to(m.device("cpu") if hasattr(m, "device") else "cpu", dtype=m.float64)
        assert layer.bias.dtype == m.float64
    with pytest.raises(RuntimeError, match="CPU only"):
        bpcourse.nn.Linear(2, 3, device="cuda")
    with pytest.raises(RuntimeError, match="CPU only"):
        bpcourse.nn.Linear(2, 3).to("cuda:0")


def test_load_state_dict_strict_and_shapes_as_torch() -> None:
    for m in (bpcourse, torch):
        layer = m.nn.Linear(2, 3)
        with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "bias"'):
            layer.load_state_dict({"weight": m.ones(3, 2)})
        with pytest.raises(RuntimeError, match='Unexpected key\\(s\\) in state_dict: "extra"'):
            layer.load_state_dict({"weight": m.ones(3, 2), "bias": m.ones(3), "extra": m.ones(1)})
        with pytest.raises(RuntimeError, match="size mismatch for bias: copying a param with shape "
                                               "torch.Size\\(\\[1\\]\\) from checkpoint, the shape in current "
                                               "model is torch.Size\\(\\[3\\]\\)"):
            layer.load_state_dict({"weight": m.ones(3, 2), "bias": m.ones(1)})
        result = layer.load_state_dict({"weight": m.ones(3, 2), "extra": m.ones(1)}, strict=False)
        assert (result.missing_keys, result.unexpected_keys) == (["bias"], ["extra"])
        assert layer.weight.detach().numpy().tolist() == [[1.0, 1.0]] * 3
        assert repr(layer.load_state_dict(layer.state_dict())) == "<All keys matched successfully>"


def test_init_functions_take_torch_arguments_and_count_versions() -> None:
    w = bpcourse.empty(64, 32)
    bpcourse.nn.init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu")
    bound = np.sqrt(2.0) * np.sqrt(3.0 / 64)
    assert np.abs(w.numpy()).max() <= bound and np.abs(w.numpy()).max() > 0.9 * bound
    assert w._version == 1
    bpcourse.nn.init.normal_(w)
    assert w._version == 2
    assert bpcourse.nn.init.calculate_gain("tanh") == torch.nn.init.calculate_gain("tanh")
    assert bpcourse.nn.init.calculate_gain("leaky_relu", 0.2) == torch.nn.init.calculate_gain("leaky_relu", 0.2)
    with pytest.raises(NotImplementedError, match="generator="):
        bpcourse.nn.init.uniform_(w, generator=object())
    for m in (bpcourse, torch):
        with pytest.raises(ValueError, match="fewer than 2 dimensions"):
            m.nn.init.kaiming_uniform_(m.empty(5))


# ----- save / load ------------------------------------------------------------------------------
class Net(bpcourse.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = bpcourse.nn.Linear(2, 1)


def test_weights_only_load_reads_state_dicts_and_checkpoints(tmp_path) -> None:
    model = Net()
    opt = bpcourse.optim.Adam(model.parameters(), lr=0.01)
    model.fc(bpcourse.ones(3, 2)).sum().backward()
    opt.step()
    sched = bpcourse.optim.lr_scheduler.MultiStepLR(opt, [2, 4])
    checkpoint = {"epoch": 3, "model": model.state_dict(), "optimizer": opt.state_dict(),
                  "scheduler": sched.state_dict(), "losses": [0.5, 0.25],
                  "shape": bpcourse.ones(2, 3).shape, "numbers": np.arange(3), "note": "run 1"}
    serialization.save(checkpoint, tmp_path / "ckpt.pth")
    for weights_only in (None, True, False):
        back = serialization.load(tmp_path / "ckpt.pth", weights_only=weights_only, map_location="cpu")
        assert back["epoch"] == 3 and back["losses"] == [0.5, 0.25] and back["note"] == "run 1"
        assert back["scheduler"] == sched.state_dict()
        assert back["model"]["fc.weight"].tolist() == model.fc.weight.tolist()
        assert back["shape"] == (2, 3) and back["numbers"].tolist() == [0, 1, 2]
        fresh = Net()
        fresh.load_state_dict(back["model"])
        opt2 = bpcourse.optim.Adam(fresh.parameters(), lr=0.01)
        opt2.load_state_dict(back["optimizer"])
        assert float(opt2.state[fresh.fc.weight]["step"]) == 1.0


def test_weights_only_refuses_other_classes_as_torch(tmp_path) -> None:
    serialization.save(Net(), tmp_path / "model.pth")          # a whole model, not its weights
    with pytest.raises(pickle.UnpicklingError, match="(?s)Weights only load failed.*Net"):
        serialization.load(tmp_path / "model.pth")
    with pytest.raises(pickle.UnpicklingError, match="weights_only"):
        serialization.load(tmp_path / "model.pth", weights_only=True)
    assert isinstance(serialization.load(tmp_path / "model.pth", weights_only=False), Net)

    class Boom:
        def __reduce__(self):
            return (print, ("this ran while loading",))

    with open(tmp_path / "evil.pth", "wb") as fh:
        pickle.dump({"w": Boom()}, fh)
    with pytest.raises(pickle.UnpicklingError, match="builtins.print was not an allowed global"):
        serialization.load(tmp_path / "evil.pth")


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(map_location="cuda:0"), RuntimeError, "CPU only"),
    (dict(mmap=True), NotImplementedError, "mmap=True"),
    (dict(pickle_module=pickle), RuntimeError, "explicit pickle_module"),
    (dict(weights_only=True, surprise=1), TypeError, "surprise"),
])
def test_load_arguments_are_checked(tmp_path, kwargs: dict, error: type, words: str) -> None:
    serialization.save({"w": bpcourse.ones(1)}, tmp_path / "w.pth")
    with pytest.raises(error, match=words):
        serialization.load(tmp_path / "w.pth", **kwargs)


def test_load_with_a_trusted_pickle_module_and_a_file_object(tmp_path) -> None:
    serialization.save({"w": bpcourse.ones(2)}, tmp_path / "w.pth")
    with open(tmp_path / "w.pth", "rb") as fh:
        assert serialization.load(fh)["w"].tolist() == [1.0, 1.0]
    assert serialization.load(tmp_path / "w.pth", pickle_module=pickle, weights_only=False)["w"].tolist() == [1, 1]


@pytest.mark.parametrize("shape", [(4,), (2, 3), (2, 3, 4)])
def test_softmax_without_dim_picks_torchs_dim_and_warns(shape: tuple) -> None:
    x = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    results = []
    for m in (bpcourse, torch):
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
            results.append(m.nn.functional.softmax(m.tensor(x)).numpy())
        with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
            results.append(m.nn.LogSoftmax()(m.tensor(x)).numpy())
    np.testing.assert_allclose(results[0], results[2], rtol=1e-6)
    np.testing.assert_allclose(results[1], results[3], rtol=1e-5, atol=1e-6)
