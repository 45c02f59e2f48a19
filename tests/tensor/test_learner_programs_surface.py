"""What the PyTorch tutorials' programs ("Learning PyTorch with Examples", the 60-minute blitz,
the tensors quickstart) reach for, found by running them with ``import bpcourse as torch``:
torch's random numbers for the same seed, devices, editing a Sequential, ``out=``, ``alpha=``,
and the DataLoader's settings. Each checked against torch itself."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import bpcourse


def _both(program):
    """program(t) run on bpcourse and on torch from the same seed: both results, as numpy arrays."""
    results = []
    for t in (bpcourse, torch):
        t.manual_seed(11)
        results.append([np.asarray(r.detach().numpy() if hasattr(r, "detach") else r) for r in program(t)])
    return results


def _ulps(a: np.ndarray, b: np.ndarray) -> int:
    wide = np.int32 if a.dtype == np.float32 else np.int64
    return int(np.abs(a.view(wide).astype(np.int64) - b.view(wide).astype(np.int64)).max(initial=0))


# ----- random numbers: torch's for the same seed ------------------------------------------------
SMALL_DRAWS = {  # below 16 numbers torch draws each pair in float64: every bit is torch's
    "randn scalar, vector, matrix": lambda t: [t.randn(()), t.randn(1), t.randn(3), t.randn(2, 3)],
    "float64": lambda t: [t.randn(5, dtype=t.float64), t.randn(2, 2, dtype=t.float64)],
    "the kept second number": lambda t: [t.randn(3), t.rand(2), t.randn(1), t.randn(20, dtype=t.float64), t.randn(1)],
    "normal with numbers": lambda t: [t.normal(2.0, 3.0, size=(5,)), t.normal(0, 0.01, (2, 3))],
    "normal with tensors": lambda t: [t.normal(t.zeros(3), t.ones(3) * 2), t.normal(t.arange(4.0), 0.5),
                                      t.normal(1.0, t.full((2,), 0.5))],
    "normal_ and init.normal_": lambda t: [t.empty(5).normal_(1, 2), t.nn.init.normal_(t.empty(3, 4), 0, 0.01)],
    "randint": lambda t: [t.randint(0, 10, (8,)), t.randint(5, (3,)), t.randint(-3, 3, (2, 2)),
                          t.randint(0, 2 ** 40, (3,)), t.randint(0, 2, (4,), dtype=t.float32)],
    "randperm": lambda t: [t.randperm(10), t.randperm(1), t.randperm(0), t.randperm(300)],
    "randn_like and rand_like": lambda t: [t.randn_like(t.zeros(2, 2)), t.rand_like(t.zeros(3))],
    "dropout": lambda t: [t.nn.functional.dropout(t.ones(40), 0.3), t.nn.Dropout(0.5)(t.ones(3, 7))],
}


@pytest.mark.parametrize("name", SMALL_DRAWS)
def test_random_draws_are_torchs_bits_and_keep_the_stream_in_step(name):
    ours, theirs = _both(lambda t: SMALL_DRAWS[name](t) + [t.rand(4)])  # the next draw: still in step?
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("n", [16, 17, 31, 64, 1000, 4099])
@pytest.mark.parametrize("mean, std", [(0.0, 1.0), (0.5, 0.01)])
def test_large_randn_is_torchs_to_the_last_bits(n, mean, std):
    """From 16 numbers on torch computes in float32 with code of its own for log, sin and cos
    (chosen by CPU); bpcourse rounds each from float64: float64 draws are every bit torch's,
    float32 ones within a few units in the last place, and the stream stays in step either way."""
    ours, theirs = _both(lambda t: [t.randn(n), t.randn(n, dtype=t.float64), t.empty(n).normal_(mean, std), t.rand(3)])
    assert _ulps(ours[0], theirs[0]) <= 4 and _ulps(ours[2], theirs[2]) <= 4
    np.testing.assert_array_equal(ours[1], theirs[1])
    np.testing.assert_array_equal(ours[3], theirs[3])


def test_dataloader_shuffles_as_torch_epoch_after_epoch():
    def epochs(t):
        data = t.utils.data.TensorDataset(t.arange(10.0).reshape(10, 1), t.arange(10))
        orders = [t.cat([y for _, y in t.utils.data.DataLoader(data, batch_size=4, shuffle=True)]) for _ in range(3)]
        plain = t.cat([y for _, y in t.utils.data.DataLoader(data, batch_size=3)])  # draws a seed too
        return orders + [plain, t.rand(2)]

    ours, theirs = _both(epochs)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)


def test_random_arguments_bpcourse_lacks_are_refused_by_name():
    with pytest.raises(NotImplementedError, match="generator"):
        bpcourse.randperm(3, generator=object())
    with pytest.raises(TypeError, match="size"):
        bpcourse.randint(3)
    with pytest.raises(RuntimeError, match="from=5 >= to=5"):
        bpcourse.randint(5, 5, (2,))


# ----- devices ----------------------------------------------------------------------------------
def test_devices_print_and_compare_as_torchs():
    for t in (bpcourse, torch):
        d = t.device("cpu")
        x = t.ones(2)
        seen = [str(d), repr(d), d == "cpu", d == t.device("cpu"), d.type, d.index, str(t.device("cuda:0")),
                repr(t.device("cpu", 0)), str(x.device), x.device == d, x.is_cuda, x.is_cpu,
                x.to(d).dtype == x.dtype, x.to(t.zeros(1, dtype=t.float64)).dtype == t.float64]
        if t is bpcourse:
            ours = seen
    assert ours == seen


@pytest.mark.parametrize("make", [
    lambda t, d: t.linspace(0, 1, 5, device=d), lambda t, d: t.arange(4, device=d),
    lambda t, d: t.eye(3, device=d), lambda t, d: t.tensor([1.0, 2.0], device=d),
    lambda t, d: t.full((2,), 3.0, device=d), lambda t, d: t.zeros(2, device=d),
    lambda t, d: t.ones_like(t.zeros(2), device=d), lambda t, d: t.randn(2, device=d),
    lambda t, d: t.randint(0, 3, (2,), device=d), lambda t, d: t.nn.Linear(2, 1, device=d).weight,
])
def test_creation_functions_take_the_cpu_device_and_refuse_others(make):
    for d in ("cpu", bpcourse.device("cpu")):
        assert make(bpcourse, d).device == bpcourse.device("cpu")
    with pytest.raises(RuntimeError, match="CPU only.*cuda"):
        make(bpcourse, bpcourse.device("cuda"))
    with pytest.raises(RuntimeError, match="CPU only.*cuda"):
        bpcourse.ones(2).to("cuda:0")


# ----- editing a Sequential, a ModuleList -------------------------------------------------------
def test_sequential_and_modulelist_edit_and_print_as_torchs():
    def edits(t):
        nn = t.nn
        m = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        m[1] = nn.Tanh()  # replaced in place: keeps its position
        shots = [repr(m), repr(m[1:]), repr(m[-1])]
        del m[0]
        m.append(nn.Sigmoid())
        m.insert(0, nn.ReLU())
        shots += [repr(m), len(m), repr(m.pop(1)), repr(m)]
        m.extend(nn.Sequential(nn.Tanh()))
        shots += [repr(m), len(list(m.parameters()))]
        layers = nn.ModuleList([nn.Linear(1, 1) for _ in range(3)] + [nn.ReLU()])
        del layers[1]
        shots += [repr(layers), repr(layers[-2:]), len(layers)]
        return shots

    assert edits(bpcourse) == edits(torch)
    with pytest.raises(IndexError, match="out of range"):
        bpcourse.nn.Sequential(bpcourse.nn.ReLU())[3]


# ----- out= and alpha= ----------------------------------------------------------------------------
def test_out_writes_into_the_tensor_given_as_torch_does():
    def program(t):
        a, b = t.ones(2, 3), t.full((2, 3), 2.0)
        c = t.empty(2, 3)
        same = t.add(a, b, out=c) is c
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            d = t.zeros(2, 2)
            t.mul(a, b, out=d)  # resized, with torch's warning
            e = t.empty(0)
            t.exp(a, out=e)  # resized quietly: it had no numbers
        resized = [str(w.message)[:40] for w in caught]
        return [c, d, e, t.cat([a, b], out=t.empty(4, 3)), t.matmul(a, b.T, out=t.empty(2, 2)),
                t.sum(a, 1, out=t.empty(2)), np.array([same]), np.array(resized)]

    ours, theirs = _both(program)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)
    w = bpcourse.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="out=.* don't support automatic differentiation"):
        bpcourse.mul(w, 2, out=bpcourse.empty(2))
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        bpcourse.mul(bpcourse.ones(2), 2.5, out=bpcourse.zeros(2, dtype=bpcourse.long))


def test_add_with_alpha_rounds_once_as_torchs_and_records_a_graph():
    rng = np.random.default_rng(4)
    p = rng.standard_normal(300).astype(np.float32)
    g = rng.standard_normal(300).astype(np.float32)
    for t in (bpcourse, torch):
        x, y = t.tensor(p), t.tensor(g)
        got = [x.add(y, alpha=-0.01), x.sub(y, alpha=0.3), t.add(x, y, alpha=0.7), t.sub(x, 2, alpha=0.5)]
        z = x.clone()
        z.add_(y, alpha=-0.01)
        z.sub_(y, alpha=1e-3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's deprecation warning for the alpha-first order
            z.add_(-0.5, y)
        w = t.ones(2, requires_grad=True)
        (w.add(w * 2, alpha=3)).sum().backward()
        got += [z, w.grad]
        if t is bpcourse:
            ours = [v.detach().numpy().copy() for v in got]
    for a, b in zip(ours, [v.detach().numpy() for v in got]):
        np.testing.assert_array_equal(a, b)


# ----- DataLoader's settings ----------------------------------------------------------------------
def test_dataloader_settings_work_as_torchs_or_are_refused():
    def program(t):
        data = t.utils.data.TensorDataset(t.arange(10.0).reshape(10, 1), t.arange(10))
        loader = t.utils.data.DataLoader
        seen = [len(loader(data, batch_size=3)), len(loader(data, batch_size=3, drop_last=True)),
                len(loader(data, batch_sampler=[[0, 1], [2]]))]
        seen += [y.tolist() for _, y in loader(data, batch_size=4, pin_memory=True, num_workers=0, timeout=0)]
        seen += [(x.tolist(), int(y)) for x, y in loader(data, batch_size=None, sampler=[9, 0, 3])]
        seen += [y.tolist() for _, y in loader(data, batch_sampler=[[0, 1], [5, 6, 7]])]
        seen += [y.tolist() for _, y in loader(data, batch_size=2, sampler=range(9, 4, -1), drop_last=True)]
        return seen

    assert program(bpcourse) == program(torch)
    data = bpcourse.utils.data.TensorDataset(bpcourse.arange(4.0))
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        bpcourse.utils.data.DataLoader(data, sampler=[0], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        bpcourse.utils.data.DataLoader(data, batch_size=2, batch_sampler=[[0]])
    with pytest.raises(NotImplementedError, match="generator"):
        bpcourse.utils.data.DataLoader(data, generator=object())
    with pytest.raises(TypeError, match="unexpected keyword"):
        bpcourse.utils.data.DataLoader(data, batchsize=2)  # a misspelt setting is no longer swallowed


# ----- buffers, apply's order, state_dict -----------------------------------------------------------
def test_buffers_state_dict_and_apply_order_are_torchs():
    def program(t):
        nn = t.nn
        t.manual_seed(5)

        class Scaled(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
                self.register_buffer("scale", t.ones(3) * 2)
                self.register_buffer("scratch", t.zeros(2), persistent=False)

            def forward(self, x):
                return self.layers(x) * self.scale

        def init(m):  # torch visits children before parents, in order: the random numbers land alike
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.normal_(m.bias, 0, 0.1)

        m = Scaled().apply(init)
        m.scale = m.scale + 1  # still a buffer
        state = m.state_dict()
        seen = [list(state), [n for n, _ in m.named_buffers()], len(list(m.parameters())),
                m.layers[0].weight.detach().numpy().tolist(), m.layers[2].bias.detach().numpy().tolist(),
                np.round(m(t.ones(2, 4)).detach().numpy(), 5).tolist()]  # (a matrix product: float32 rounding)
        m.double()
        seen.append(str(m.scale.dtype))
        other = Scaled()
        other.load_state_dict(state)
        seen.append(other.scale.tolist())
        return seen

    assert program(bpcourse) == program(torch)
    m = bpcourse.nn.Module()
    with pytest.raises(TypeError, match="cannot assign 'int' object to buffer 'b'"):
        m.register_buffer("b", 3)
    with pytest.raises(KeyError, match="buffer name"):
        m.register_buffer("a.b", bpcourse.ones(1))


# ----- masks, integer division, in-place functions ----------------------------------------------------
def test_masks_rounding_division_and_in_place_functions_are_torchs():
    def program(t):
        a, b = t.tensor([5, -3, 7, -8]), t.tensor([2, 2, -2, -3])
        x, y = t.tensor([5.5, -3.0, 7.25, -0.5]), t.tensor([2.0, 2.0, -2.0, 0.0])
        m = a > 0
        seen = [a.div(b, rounding_mode="floor"), t.div(a, b, rounding_mode="trunc"), a / b,
                x.div(y, rounding_mode="floor"), t.div(x, y, rounding_mode="trunc"), x.div(y),
                m & (b > 0), m | (b > 0), m ^ (b > 0), ~m, ~a, a & 6, t.logical_and(m, b > 0), t.logical_or(m, b > 0),
                t.logical_not(m), m.logical_xor(b > 0), x.clamp_min(0), x.clamp_max(1),
                x.clone().abs_(), x.abs().log_(), x.abs().sqrt_(), x.clone().neg_()]
        return [s.numpy() for s in seen]

    ours, theirs = program(bpcourse), program(torch)
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=2e-7)  # (log: torch's float32 log is 1 ulp off now and then)
    with pytest.raises(RuntimeError, match="not implemented for 'Float'"):
        bpcourse.ones(2) & bpcourse.ones(2)
    with pytest.raises(ValueError, match="rounding_mode"):
        bpcourse.ones(2).div(2, rounding_mode="round")
    w = bpcourse.tensor([1.5, -2.0], requires_grad=True)
    w.clamp_min(0).sum().backward()
    assert w.grad.tolist() == [1.0, 0.0]
