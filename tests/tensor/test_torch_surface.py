"""The torch names learners reach for in Liu Er's lectures 2-9 and d2l's autograd chapter: each
agrees with torch, or fails with an error that names the feature and what to do instead."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import bpcourse
from bpcourse.optim.optimizer import add_scaled


def same(ours: bpcourse.Tensor, theirs: torch.Tensor) -> None:
    assert str(ours.dtype) == str(theirs.dtype), f"dtype {ours.dtype} vs torch {theirs.dtype}"
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6, atol=1e-6)


# ----- dtypes: torch's promotion, not numpy's ---------------------------------------------
PROMOTIONS = [
    ("float32 + int64", lambda m: m.ones(2) + m.tensor([1, 2])),
    ("int64 * float32", lambda m: m.tensor([1, 2]) * m.tensor([0.5, 0.5])),
    ("int64 / int64", lambda m: m.tensor([1, 2]) / m.tensor([2, 2])),
    ("bool + int", lambda m: m.tensor([True, False]) + 1),
    ("bool * float", lambda m: m.tensor([True, False]) * 1.5),
    ("int + python float", lambda m: m.tensor(3) + 2.5),
    ("0-d float64 with float32", lambda m: m.ones(2) + m.tensor(1.0, dtype=m.float64)),
    ("float64 with float32", lambda m: m.zeros(2, dtype=m.float64) + m.ones(2)),
    ("0-d float with int vector", lambda m: m.tensor(2.0) * m.tensor([1, 2])),
    ("int32 + int64", lambda m: m.tensor([1], dtype=m.int32) + m.tensor([1])),
    ("numpy float64 in a list", lambda m: m.tensor([np.float64(1.0), 2.0])),
    ("numpy float32 in a list", lambda m: m.tensor([np.float32(1.0), 2.0])),
    ("numpy float64 scalar", lambda m: m.tensor(np.float64(1.5))),
    ("floor division", lambda m: m.tensor([3, 7]) // 2),
    ("modulo", lambda m: m.tensor([3.5, 7.0]) % 2),
    ("legacy LongTensor", lambda m: m.LongTensor([1, 2])),
    ("legacy FloatTensor", lambda m: m.FloatTensor([1, 2])),
    ("type(LongTensor)", lambda m: m.tensor([1.5]).type(m.LongTensor)),
    ("type('torch.DoubleTensor')", lambda m: m.tensor([1]).type("torch.DoubleTensor")),
]


@pytest.mark.parametrize("name, f", PROMOTIONS, ids=[p[0] for p in PROMOTIONS])
def test_result_dtypes_are_torchs(name: str, f) -> None:
    same(f(bpcourse), f(torch))


def test_legacy_type_names_and_isinstance() -> None:
    for cast in ("float", "double", "long", "int", "bool"):
        assert getattr(bpcourse.ones(1), cast)().type() == getattr(torch.ones(1), cast)().type()
    assert isinstance(bpcourse.ones(1), bpcourse.FloatTensor)
    assert not isinstance(bpcourse.ones(1).long(), bpcourse.FloatTensor)
    assert repr(bpcourse.LongTensor) == repr(torch.LongTensor)


def test_integer_results_carry_no_gradient() -> None:
    x = bpcourse.tensor([1.5, 2.5], requires_grad=True)
    assert x.long().grad_fn is None and not x.long().requires_grad
    assert repr(x.long()) == repr(torch.tensor([1.5, 2.5], requires_grad=True).long())


# ----- results with names: max/min(dim), norms ------------------------------------------------
def test_max_and_min_over_a_dim_print_as_torch_return_types() -> None:
    a = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], dtype=np.float32)
    for name in ("max", "min"):
        ours = getattr(bpcourse.from_numpy(a), name)(dim=1)
        theirs = getattr(torch.from_numpy(a), name)(dim=1)
        assert repr(ours) == repr(theirs)
        values, indices = ours
        assert indices is ours.indices and values is ours.values


@pytest.mark.parametrize("expr", [
    lambda m, x: x.norm(), lambda m, x: x.norm(dim=1), lambda m, x: m.norm(x, p=1),
    lambda m, x: x.std(), lambda m, x: x.var(dim=0, unbiased=False), lambda m, x: x.min(),
    lambda m, x: m.dot(x[0], x[1]), lambda m, x: m.mv(x, x[0]), lambda m, x: x.square().sum(),
    lambda m, x: m.maximum(x, m.zeros(2, 2)).sum(), lambda m, x: x.sign().sum() + x.sum(),
    lambda m, x: m.nn.functional.leaky_relu(x, 0.1).sum(),
    lambda m, x: m.nn.functional.binary_cross_entropy_with_logits(x, m.ones(2, 2)),
    lambda m, x: m.nn.functional.cross_entropy(x, m.tensor([[0.3, 0.7], [1.0, 0.0]])),
    lambda m, x: m.nn.L1Loss()(x, m.zeros(2, 2)),
])
def test_new_ops_forward_backward_and_grad_fn_match_torch(expr) -> None:
    a = np.array([[0.5, -1.25], [2.0, 0.75]], dtype=np.float32)
    x, xt = bpcourse.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, yt = expr(bpcourse, x), expr(torch, xt)
    same(y, yt)
    assert (y.grad_fn is None) == (yt.grad_fn is None)
    y.sum().backward()
    yt.sum().backward()
    same(x.grad, xt.grad)


def test_predicates() -> None:
    x = bpcourse.tensor([[1.0, -2.0], [0.0, 3.0]])
    assert repr((x > 0).all(dim=1)) == repr((torch.tensor(x.numpy()) > 0).all(dim=1))
    assert (x > -5).all().item() and not (x > 5).any().item()
    assert x.equal(x.clone()) and x.allclose(x + 1e-9) and bpcourse.equal(x, x)


# ----- printing -----------------------------------------------------------------------------
def test_parameters_and_modules_print_as_torch() -> None:
    p, pt = bpcourse.nn.Parameter(bpcourse.tensor([1.0, 2.0])), torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    assert str(p) == str(pt) and repr(p) == repr(pt)
    for make in (lambda m: m.nn.Flatten(), lambda m: m.nn.Dropout(0.2), lambda m: m.nn.LeakyReLU(0.1),
                 lambda m: m.nn.Sequential(m.nn.Linear(2, 3), m.nn.ReLU(), m.nn.Linear(3, 1, bias=False))):
        assert repr(make(bpcourse)) == repr(make(torch))


# ----- the optimiser step rounds once, as torch's does ----------------------------------------
def test_add_scaled_is_a_fused_multiply_add() -> None:
    rng = np.random.default_rng(0)
    p = rng.standard_normal(1000).astype(np.float32)
    g = rng.standard_normal(1000).astype(np.float32)
    expected = torch.from_numpy(p.copy()).add_(torch.from_numpy(g), alpha=-0.01).numpy()
    assert np.array_equal(add_scaled(p, -0.01, g), expected)
    assert not np.array_equal(p - np.float32(0.01) * g, expected)  # two roundings differ somewhere


@pytest.mark.parametrize("shape", [(1,), (10,), (31,), (32,), (33,), (100,), (128,), (10, 128), (4096,), (3, 2)])
def test_small_in_place_updates_are_torchs_bits_whichever_way_they_go(shape: tuple) -> None:
    """add_scaled_ on small tensors (every digit of them is printed in the lectures): BLAS where
    it is seen to round once at that size, the float64 update elsewhere; torch's bits either way."""
    from bpcourse.optim.optimizer import add_scaled_

    rng = np.random.default_rng(sum(shape))
    p = rng.standard_normal(shape).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    for alpha in (-0.01, 0.7, -1e-3):
        ours = p.copy()
        add_scaled_(ours, alpha, g)
        expected = torch.from_numpy(p.copy()).add_(torch.from_numpy(g), alpha=alpha).numpy()
        assert np.array_equal(ours, expected), f"{shape}, alpha={alpha}"


def test_blas_takes_a_small_update_only_where_the_probe_saw_one_rounding_at_that_size(monkeypatch) -> None:
    """rounds_once(n) tries the kernel on n numbers where one rounding and two differ at every
    position. A kernel that rounds twice (anywhere), or returns a copy instead of changing p, is
    refused, and add_scaled_ then takes the float64 update; the probe runs once per size."""
    from bpcourse.optim import axpy
    from bpcourse.optim.optimizer import add_scaled_

    def two_roundings(x, y, a):
        y += np.float32(a) * x
        return y

    def one_rounding_but_the_last(x, y, a):
        exact = (y.astype(np.float64) + float(np.float32(a)) * x.astype(np.float64)).astype(np.float32)
        y[:-1] = exact[:-1]
        y[-1:] += np.float32(a) * x[-1:]
        return y

    def one_rounding_in_a_copy(x, y, a):
        return (y.astype(np.float64) + float(np.float32(a)) * x.astype(np.float64)).astype(np.float32)

    def one_rounding(x, y, a):
        y[...] = (y.astype(np.float64) + float(np.float32(a)) * x.astype(np.float64)).astype(np.float32)
        return y

    calls = []
    for kernel, accepted in [(two_roundings, False), (one_rounding_but_the_last, False),
                             (one_rounding_in_a_copy, False), (one_rounding, True)]:
        def spy(x, y, a, kernel=kernel):
            calls.append(y.size)
            return kernel(x, y, a)

        monkeypatch.setattr(axpy, "_small_saxpy", spy)
        monkeypatch.setattr(axpy, "_ROUNDS_ONCE", {})
        assert axpy.rounds_once(96) is accepted, kernel.__name__
        probes = len(calls)
        assert probes >= 1
        p, g = np.ones(96, np.float32), np.full(96, 0.5, np.float32)
        add_scaled_(p, -0.01, g)
        assert np.all(p == np.float32(1 + float(np.float32(-0.01)) * 0.5))
        assert len(calls) == probes + accepted  # the update itself went through BLAS only if accepted
        assert axpy.rounds_once(96) is accepted and len(calls) == probes + accepted  # no second probe
        calls.clear()


def test_a_zero_step_changes_what_torch_changes() -> None:
    """OpenBLAS returns at once for alpha == 0; torch still adds 0 * g (-0 becomes +0, inf becomes
    nan), so a zero learning rate never goes through BLAS."""
    from bpcourse.optim.optimizer import add_scaled_

    for n in (128, 5000):
        p = np.full(n, -0.0, np.float32)
        g = np.ones(n, np.float32)
        g[0] = np.inf
        ours = p.copy()
        with np.errstate(invalid="ignore"):  # numpy says so when 0 * inf makes nan; torch does not
            add_scaled_(ours, 0.0, g)
        expected = torch.from_numpy(p.copy()).add_(torch.from_numpy(g), alpha=0.0).numpy()
        assert np.isnan(ours[0]) and np.isnan(expected[0])
        assert np.array_equal(np.signbit(ours[1:]), np.signbit(expected[1:])) and not np.signbit(ours[1])


def _openblas_kernel() -> str:
    from threadpoolctl import threadpool_info

    return next((p.get("architecture") or "" for p in threadpool_info()
                 if p["internal_api"] == "openblas" and "numpy" in p["filepath"]), "")  # numpy's, not torch's


def test_large_updates_go_through_blas_axpy_in_one_rounding_or_numpy_where_there_is_none(monkeypatch) -> None:
    """Above FUSED_ROUNDING_MAX_SIZE the update is BLAS's saxpy from numpy's own OpenBLAS: one
    pass; with an FMA kernel (x86-64 since Haswell) one rounding, torch's bits. Without that
    library, numpy's two roundings: the same numbers but for a few last bits."""
    from bpcourse.optim import axpy
    from bpcourse.optim.optimizer import FUSED_ROUNDING_MAX_SIZE, add_scaled_

    rng = np.random.default_rng(2)
    p = rng.standard_normal((128, 784)).astype(np.float32)
    g = rng.standard_normal((128, 784)).astype(np.float32)
    assert p.size > FUSED_ROUNDING_MAX_SIZE
    expected = torch.from_numpy(p.copy()).add_(torch.from_numpy(g), alpha=-0.01).numpy()
    blas = p.copy()
    add_scaled_(blas, -0.01, g)
    np.testing.assert_allclose(blas, expected, rtol=1e-6, atol=1e-7)
    monkeypatch.setattr(axpy, "_saxpy", None)
    plain = p.copy()
    add_scaled_(plain, -0.01, g)
    np.testing.assert_allclose(plain, expected, rtol=1e-6, atol=1e-7)
    assert 0 < np.mean(plain != expected) < 0.05  # two roundings: a few last bits differ
    # BLAS is never further from torch than numpy; with OpenBLAS's Haswell kernel (explicit FMA
    # instructions; AMD EPYC, 2026-11-30) it is torch's bits exactly. Other kernels leave the
    # contraction to their compiler, so equality is asserted only where that kernel runs.
    assert np.mean(blas == expected) >= np.mean(plain == expected)
    if axpy.available() and _openblas_kernel() in ("Haswell", "Zen"):
        assert np.array_equal(blas, expected)
    # what BLAS cannot take is left to numpy: float64, non-contiguous, broadcast gradients
    monkeypatch.undo()
    p64, col = p.astype(np.float64), np.asfortranarray(g)
    for target, grad in [(p64, g.astype(np.float64)), (p.copy(), col), (p.copy(), g[:1])]:
        before = target.copy()
        add_scaled_(target, -0.01, grad)
        np.testing.assert_allclose(target, before - 0.01 * grad, rtol=1e-6, atol=1e-7)
    assert not axpy.axpy_(p.copy(), -0.01, col) and not axpy.axpy_(p64, -0.01, g.astype(np.float64))


@pytest.mark.parametrize("name, kwargs", [
    ("SGD", dict(lr=0.1)), ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)), ("Adam", dict(lr=0.05)),
    ("Adagrad", dict(lr=0.1)), ("RMSprop", dict(lr=0.01)), ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
    ("Adamax", dict(lr=0.05)), ("Rprop", dict(lr=0.01)),
])
def test_optimisers_follow_torch(name: str, kwargs: dict) -> None:
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal((3, 2)).astype(np.float32)
    x = rng.standard_normal((5, 3)).astype(np.float32)
    results = []
    for m in (bpcourse, torch):
        w = m.tensor(w0.copy(), requires_grad=True)
        opt = getattr(m.optim, name)([w], **kwargs)
        for _ in range(20):
            loss = ((m.tensor(x) @ w).tanh() ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
        results.append(w.detach().numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-6)


# ----- what bpcourse does not have says so -----------------------------------------------------
@pytest.mark.parametrize("get, words", [
    (lambda: bpcourse.fft, "torch.fft"), (lambda: bpcourse.hub, "torch.hub"),
    (lambda: bpcourse.nn.Conv2d, "torch.nn.Conv2d"), (lambda: bpcourse.nn.functional.conv2d, "conv2d"),
    (lambda: bpcourse.optim.LBFGS, "torch.optim.LBFGS"), (lambda: bpcourse.ones(1).stft, "stft"),
])
def test_missing_names_say_what_is_missing(get, words: str) -> None:
    with pytest.raises(AttributeError, match=words):
        get()


@pytest.mark.parametrize("call, words", [
    (lambda m: m.ones(1).cuda(), "CPU only"),
    (lambda m: m.nn.MSELoss()(m.tensor([1, 2]), m.tensor([1, 2])), "mse_loss: input must be floating point"),
    (lambda m: m.tensor(1.5)[0], "invalid index of a 0-dim tensor"),
    (lambda m: m.mm(m.ones(2, 2), m.ones(2)), "mm: .*matrix"),
    (lambda m: m.dot(m.ones(2, 2), m.ones(2)), "dot: 1D tensors expected"),
    (lambda m: m.ones(2).norm(p=3), "norm: p=3"),
    (lambda m: m.set_printoptions(profile="long"), "set_printoptions: profile must be one of"),
    (lambda m: m.ones(2).max(m.ones(2)), "torch.maximum"),
])
def test_unsupported_uses_fail_clearly(call, words: str) -> None:
    with pytest.raises((RuntimeError, NotImplementedError, IndexError, TypeError, ValueError), match=words):
        call(bpcourse)


# ----- spellings from d2l and numpy --------------------------------------------------------
@pytest.mark.parametrize("expr", [
    lambda m, x: x.sum(axis=0), lambda m, x: x.sum(axis=1, keepdims=True), lambda m, x: x.mean(axis=[0, 1]),
    lambda m, x: m.sum(x, axis=0), lambda m, x: x.max(axis=1)[0], lambda m, x: x.cumsum(axis=0),
    lambda m, x: m.cumsum(x, dim=1) * 2,
])
def test_numpy_keyword_spellings(expr) -> None:
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    x, xt = bpcourse.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, yt = expr(bpcourse, x), expr(torch, xt)
    same(y, yt)
    assert y.grad_fn.name() == yt.grad_fn.name()
    y.sum().backward()
    yt.sum().backward()
    same(x.grad, xt.grad)


def test_creation_takes_size_keyword() -> None:
    for name in ("zeros", "ones", "rand", "randn", "empty"):
        assert getattr(bpcourse, name)(size=(2, 3)).shape == getattr(torch, name)(size=(2, 3)).shape
    assert bpcourse.ones(size=(), requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="CPU only"):
        bpcourse.zeros(2, device="cuda")


def test_type_and_optimizer_print_as_torch() -> None:
    assert str(type(bpcourse.ones(1))) == str(type(torch.ones(1)))
    assert str(type(bpcourse.nn.Parameter(bpcourse.ones(1)))) == str(type(torch.nn.Parameter(torch.ones(1))))
    for name, kw in [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(lr=0.01)), ("Adagrad", {}), ("RMSprop", {})]:
        ours = getattr(bpcourse.optim, name)(bpcourse.nn.Linear(2, 1).parameters(), **kw)
        theirs = getattr(torch.optim, name)(torch.nn.Linear(2, 1).parameters(), **kw)
        assert repr(ours) == repr(theirs)


def test_data_loader_keeps_numpy_number_dtypes() -> None:
    class Rows(bpcourse.utils.data.Dataset):
        def __getitem__(self, i):
            return np.float32(i) / 2, np.int32(i)

        def __len__(self):
            return 4

    xb, yb = next(iter(bpcourse.utils.data.DataLoader(Rows(), batch_size=4)))
    assert xb.dtype == bpcourse.float32 and yb.dtype == bpcourse.int32


@pytest.mark.parametrize("call, words", [
    (lambda m: m.nn.Linear(3, 1)(m.from_numpy(np.ones((2, 3)))), "same dtype"),
    (lambda m: m.from_numpy(np.ones((2, 3))) @ m.ones(3, 1), "same dtype"),
    (lambda m: m.nn.BCELoss()(m.ones(2, dtype=m.float64) * 0.5, m.ones(2)), "Found dtype"),
    (lambda m: m.nn.functional.cross_entropy(m.ones(2, 3), m.tensor([0, 1], dtype=m.int32)), "Long"),
])
def test_mixed_dtypes_fail_as_in_torch(call, words: str) -> None:
    with pytest.raises(RuntimeError):
        call(torch)
    with pytest.raises(RuntimeError, match=words):
        call(bpcourse)


def test_save_and_load_a_state_dict(tmp_path) -> None:
    model = bpcourse.nn.Sequential(bpcourse.nn.Linear(2, 3), bpcourse.nn.ReLU(), bpcourse.nn.Linear(3, 1))
    bpcourse.save(model.state_dict(), tmp_path / "model.pth")
    other = bpcourse.nn.Sequential(bpcourse.nn.Linear(2, 3), bpcourse.nn.ReLU(), bpcourse.nn.Linear(3, 1))
    other.load_state_dict(bpcourse.load(tmp_path / "model.pth"))
    x = bpcourse.ones(4, 2)
    assert bpcourse.equal(model(x), other(x))
    torch.save({"w": torch.ones(1)}, tmp_path / "torch.pth")
    with pytest.raises(RuntimeError, match="written by torch.save"):
        bpcourse.load(tmp_path / "torch.pth")


# ----- issue 15: the bugs a learner met, each against torch -----------------------------------
GRAD_FN_PROGRAMS = [
    lambda t, x: x + 1, lambda t, x: x * x, lambda t, x: x.mean(), lambda t, x: x.sum(), lambda t, x: x.sum(0),
    lambda t, x: x.mean(dim=1), lambda t, x: x @ x.T, lambda t, x: x.exp(), lambda t, x: x.tanh(),
    lambda t, x: x.relu(), lambda t, x: x.sigmoid(), lambda t, x: x[0], lambda t, x: x[:, 1:], lambda t, x: x.view(-1),
    lambda t, x: x.unsqueeze(0), lambda t, x: x.t(), lambda t, x: 2 - x, lambda t, x: x / 2, lambda t, x: x ** 2,
    lambda t, x: x.max(), lambda t, x: x.softmax(1), lambda t, x: t.maximum(x, x * 2), lambda t, x: t.where(x > 0, x, 0.0),
    lambda t, x: t.cat([x, x]), lambda t, x: x.clamp(min=0), lambda t, x: x.abs(), lambda t, x: x.flip(0),
]


@pytest.mark.parametrize("k", range(len(GRAD_FN_PROGRAMS)))
def test_grad_fn_type_names_are_torchs(k: int) -> None:
    import torch

    names = []
    for t in (bpcourse, torch):
        x = t.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
        z = GRAD_FN_PROGRAMS[k](t, x)
        names.append((type(z.grad_fn).__name__, repr(z).split("grad_fn=")[-1]))
    assert names[0] == names[1]


def test_maximum_minimum_and_where_keep_infinities_and_pass_gradients_like_torch() -> None:
    import torch

    results = []
    for t in (bpcourse, torch):
        inf = float("inf")
        a = t.tensor([-inf, 1.0, 2.0, 3.0], requires_grad=True)
        b = t.tensor([0.0, inf, 2.0, -1.0], requires_grad=True)
        m = t.maximum(a, b)
        n = t.minimum(a, b)
        w = t.where(a > b, a, b)
        (m.sum() + 10 * n.sum() + 100 * w.sum()).backward()
        results.append((m.tolist(), n.tolist(), w.tolist(), a.grad.tolist(), b.grad.tolist(),
                        t.maximum(t.tensor([-inf]), t.tensor([0.0])).tolist()))
    assert results[0] == results[1]
    assert results[0][-1] == [0.0]


def test_random_fills_bump_the_version_counter_so_backward_refuses_stale_values() -> None:
    import torch

    for t in (bpcourse, torch):
        x = t.ones(3, requires_grad=True)
        h = x * 2
        y = (h * h).sum()
        before = h._version
        with t.no_grad():
            h.normal_()
            h.uniform_()
        assert h._version == before + 2
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward()


def test_nn_init_fills_bump_the_version_counter() -> None:
    w = bpcourse.nn.Linear(3, 2).weight
    before = w._version
    bpcourse.nn.init.uniform_(w, -1, 1)
    bpcourse.nn.init.normal_(w)
    bpcourse.nn.init.constant_(w, 0.5)
    assert w._version == before + 3


def test_bpcourse_exports_only_torch_names_plus_its_three_course_tools() -> None:
    import types

    import torch

    public = {n for n in dir(bpcourse) if not n.startswith("_") and not isinstance(getattr(bpcourse, n), types.ModuleType)}
    public.discard("COURSE_TOOLS")
    extras = set(bpcourse.COURSE_TOOLS)
    assert public == set(bpcourse.__all__) - {"autograd", "nn", "optim", "utils", "__version__"}
    assert {n for n in public if not hasattr(torch, n)} == extras
    for leaked in ("Softmax", "Cat", "Stack", "Any", "annotations", "LogSoftmax", "Function"):
        with pytest.raises(AttributeError, match=f"bpcourse does not implement torch.{leaked}"):
            getattr(bpcourse, leaked)
    namespace: dict = {}
    exec("from bpcourse import *", namespace)
    assert "Tensor" in namespace and "Softmax" not in namespace and "Any" not in namespace
