"""nn, optim and utils.data against torch: registration, init, losses, SGD, DataLoader."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import bpcourse
from bpcourse import nn


class TwoLayer(nn.Module):
    def __init__(self):
        super(TwoLayer, self).__init__()  # the older lectures' spelling
        self.hidden = nn.Linear(3, 4)
        self.out = nn.Sequential(nn.ReLU(), nn.Linear(4, 2))
        self.scale = nn.Parameter(bpcourse.ones(1))

    def forward(self, x):
        return self.out(self.hidden(x)) * self.scale


def test_module_registers_parameters_and_submodules() -> None:
    model = TwoLayer()
    names = [n for n, _ in model.named_parameters()]
    assert names == ["scale", "hidden.weight", "hidden.bias", "out.1.weight", "out.1.bias"]
    assert len(list(model.parameters())) == 5
    assert all(p.requires_grad and p.is_leaf for p in model.parameters())
    model(bpcourse.randn(5, 3)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    assert "(hidden): Linear(in_features=3, out_features=4, bias=True)" in repr(model)


def test_assigning_a_parameter_before_init_is_explained() -> None:
    class Broken(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(bpcourse.ones(1))

    with pytest.raises(AttributeError, match="super\\(\\).__init__\\(\\)"):
        Broken()


def test_linear_init_is_seeded_and_within_torch_bounds() -> None:
    bpcourse.manual_seed(0)
    a = nn.Linear(64, 10)
    bpcourse.manual_seed(0)
    b = nn.Linear(64, 10)
    assert np.array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())
    bound = 1 / math.sqrt(64)
    assert a.weight.dtype == bpcourse.float32 and a.weight.shape == (10, 64) and a.bias.shape == (10,)
    w = a.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(a.bias.detach().numpy()).max() <= bound


def _copy_weights(ours: nn.Module, theirs: torch.nn.Module) -> None:
    with torch.no_grad():
        for p, q in zip(ours.parameters(), theirs.parameters()):
            q.copy_(torch.from_numpy(p.detach().numpy().copy()))


@pytest.mark.parametrize("optimizer", ["sgd", "sgd_momentum", "adam"])
def test_training_matches_torch(optimizer: str) -> None:
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((16, 3)).astype(np.float32), rng.integers(0, 2, 16)
    ours = bpcourse.nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    _copy_weights(ours, theirs)
    runs = []
    for lib, model in ((bpcourse, ours), (torch, theirs)):
        if optimizer == "adam":
            opt = lib.optim.Adam(model.parameters(), lr=0.01)
        else:
            opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9 if optimizer == "sgd_momentum" else 0.0)
        loss_fn = lib.nn.CrossEntropyLoss()
        losses = []
        for _ in range(20):
            loss = loss_fn(model(lib.tensor(x)), lib.tensor(y))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        runs.append(losses)
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-5)


@pytest.mark.parametrize("loss_name", ["MSELoss", "BCELoss"])
def test_size_average_false_means_sum(loss_name: str) -> None:
    p = bpcourse.tensor([0.2, 0.7, 0.9])
    t = bpcourse.tensor([0.0, 1.0, 1.0])
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        old = getattr(nn, loss_name)(size_average=False)(p, t)
    new = getattr(nn, loss_name)(reduction="sum")(p, t)
    mean = getattr(nn, loss_name)()(p, t)
    assert old.item() == new.item() and mean.item() == pytest.approx(new.item() / 3)


def test_functional_matches_torch() -> None:
    x = np.random.default_rng(2).standard_normal((4, 5))
    for name in ("relu", "sigmoid", "tanh"):
        r = bpcourse.compare_with_torch(lambda t, a: getattr(t.nn.functional, name)(a), [x])
        assert r.passed, f"{name}\n{r!r}"
    for name in ("softmax", "log_softmax"):
        r = bpcourse.compare_with_torch(lambda t, a: getattr(t.nn.functional, name)(a, dim=1), [x])
        assert r.passed, f"{name}\n{r!r}"


def test_dataloader_batches_and_seeded_shuffle() -> None:
    x = bpcourse.arange(10.0).view(10, 1)
    y = bpcourse.arange(10)
    ds = bpcourse.utils.data.TensorDataset(x, y)
    assert len(ds) == 10 and ds[3][1].item() == 3
    loader = bpcourse.utils.data.DataLoader(ds, batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and [b[0].shape[0] for b in batches] == [4, 4, 2]
    assert batches[0][1].tolist() == [0, 1, 2, 3]

    def order(seed):
        bpcourse.manual_seed(seed)
        return [v for _, yb in bpcourse.utils.data.DataLoader(ds, batch_size=3, shuffle=True) for v in yb.tolist()]

    assert order(5) == order(5) and sorted(order(5)) == list(range(10)) and order(5) != list(range(10))


def test_custom_dataset_is_collated() -> None:
    class Squares(bpcourse.utils.data.Dataset):
        def __getitem__(self, i):
            return bpcourse.tensor([float(i)]), i * i

        def __len__(self):
            return 5

    xb, yb = next(iter(bpcourse.utils.data.DataLoader(Squares(), batch_size=5)))
    assert xb.shape == (5, 1) and yb.tolist() == [0, 1, 4, 9, 16] and yb.dtype == bpcourse.int64


def test_compare_with_torch_reports_differences() -> None:
    x = np.array([0.5, -1.0, 2.0])
    same = bpcourse.compare_with_torch(lambda t, a: (a * a).sum(), [x])
    assert same.passed and same.value_diff == 0.0 and same.grad_diffs == [0.0]
    assert "same" in repr(same) and "<table>" in same._repr_html_()
    # a function that differs between the engines is reported
    differ = bpcourse.compare_with_torch(lambda t, a: a.sum() * (2 if t is bpcourse else 3), [x])
    assert not differ.passed and "DIFFERENT" in repr(differ)
