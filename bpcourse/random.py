"""Random numbers: one stream, as torch has.

A Mersenne Twister (MT19937) seeded the way torch seeds its CPU generator, and torch's recipes
on top of it, so that for the same ``manual_seed`` these give torch's numbers:

* uniform draws (``rand``, ``uniform_``, nn.Linear's initial weights): 24 random bits per float32;
* normal draws (``randn``, ``normal``, ``normal_``): the Box-Muller transform as torch's CPU
  kernel applies it (below 16 numbers one pair at a time in float64, the second number of a pair
  kept for the next draw; from 16 numbers on in blocks of 16); torch computes the large blocks'
  logarithms and sines in float32 with CPU-specific code, so there the last bit can differ;
* ``randint`` (a 32-bit draw modulo the range) and ``randperm`` (torch's swaps), hence a
  DataLoader's shuffled order.

and dropout's masks (torch's bernoulli_: one 53-bit draw per element).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

def _torch_seeded_mt19937(seed: int) -> np.random.MT19937:
    """MT19937 in the state torch's manual_seed(seed) gives it (Matsumoto-Nishimura init_genrand)."""
    key = np.empty(624, dtype=np.uint32)
    key[0] = seed & 0xFFFFFFFF  # torch seeds its 32-bit Mersenne Twister with the seed's low 32 bits
    for i in range(1, 624):
        prev = int(key[i - 1])
        key[i] = (1812433253 * (prev ^ (prev >> 30)) + i) & 0xFFFFFFFF
    bits = np.random.MT19937(0)
    bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": 624}}
    return bits


class _RNG:
    bits = _torch_seeded_mt19937(np.random.SeedSequence().entropy & 0xFFFFFFFF)  # unseeded: random, as torch
    next_normal: float | None = None  # the second number of torch's last Box-Muller pair (float64 path)


def uniform(shape: tuple, a: float, b: float, dtype: Any) -> np.ndarray:
    """torch's CPU uniform_: 24 random bits (53 for float64) of each draw scaled into [a, b).

    As torch: a and b are first rounded to the tensor's dtype, the scaling is done in float64, and
    the result rounded once to the dtype.
    """
    dtype = np.dtype(dtype)
    n = math.prod(shape)
    if dtype == np.float64:
        x = (_random64(n) & np.uint64((1 << 53) - 1)).astype(np.float64) * 2.0 ** -53
    else:
        raw = _RNG.bits.random_raw(n).astype(np.uint64)
        x = (raw & np.uint64((1 << 24) - 1)).astype(np.float64) * 2.0 ** -24
    lo, hi_ = dtype.type(a), dtype.type(b)
    return (x * np.float64(hi_ - lo) + np.float64(lo)).astype(dtype).reshape(shape)


def _random64(n: int) -> np.ndarray:
    """torch's random64(): two 32-bit draws, the first one the high half."""
    raw = _RNG.bits.random_raw(2 * n).astype(np.uint64)
    return (raw[0::2] << np.uint64(32)) | raw[1::2]


def _uniform53() -> float:
    """One float64 in [0, 1) from 53 random bits (torch's uniform_real_distribution<double>)."""
    return int(_random64(1)[0] & np.uint64((1 << 53) - 1)) * 2.0 ** -53


def normal(shape: tuple, mean: float, std: float, dtype: Any) -> np.ndarray:
    """torch's CPU normal_(mean, std), numbers and order of draws (see the module's docstring)."""
    dtype = np.dtype(dtype)
    n = math.prod(shape)
    if n < 16:
        return np.array([_normal_pair_draw(mean, std) for _ in range(n)], dtype=np.float64).astype(dtype).reshape(shape)
    # 16 or more: uniform draws, then Box-Muller on each block of 16 (u1 from the first 8, u2 from
    # the last 8); a partial last block is redone on the last 16 places with 16 fresh draws.
    data = uniform((n,), 0.0, 1.0, dtype)
    blocks = n // 16
    data[:blocks * 16] = _box_muller_16(data[:blocks * 16].reshape(blocks, 16), mean, std).ravel()
    if n % 16:
        data[n - 16:] = _box_muller_16(uniform((1, 16), 0.0, 1.0, dtype), mean, std).ravel()
    return data.reshape(shape)


def _normal_pair_draw(mean: float, std: float) -> float:
    """torch's normal_distribution<double>: a pair (r cos t, r sin t) from two uniform draws, the
    second number kept for the next call."""
    if _RNG.next_normal is not None:
        z, _RNG.next_normal = _RNG.next_normal, None
        return z * std + mean
    u1, u2 = _uniform53(), _uniform53()
    r = math.sqrt(-2.0 * math.log1p(-u2))
    theta = 2.0 * math.pi * u1
    _RNG.next_normal = r * math.sin(theta)
    return r * math.cos(theta) * std + mean


def _box_muller_16(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Rows of 16 uniform numbers -> 16 normal ones: u1 = 1 - u[:8] (so that log sees (0, 1]),
    u2 = u[8:], radius sqrt(-2 log u1), angle 2 pi u2; cos to the first 8, sin to the last 8.
    Each step in u's dtype, as torch's kernel (log, cos and sin rounded once from float64 here)."""
    dt = u.dtype
    u1, u2 = dt.type(1) - u[:, :8], u[:, 8:]
    radius = np.sqrt(dt.type(-2) * _rounded(np.log, u1))
    theta = dt.type(2 * math.pi) * u2
    z = np.concatenate([radius * _rounded(np.cos, theta), radius * _rounded(np.sin, theta)], axis=1)
    if std == 1 and mean == 0:
        return z
    # z * std + mean, rounded once (torch: a fused multiply-add)
    return (z.astype(np.float64) * float(dt.type(std)) + float(dt.type(mean))).astype(dt)


def _rounded(f: Any, x: np.ndarray) -> np.ndarray:
    return f(x.astype(np.float64)).astype(x.dtype)


def randint(low: int, high: int, shape: tuple) -> np.ndarray:
    """torch's random_(low, high): a 32-bit draw modulo the range (64 bits for ranges of 2^32 or more)."""
    span = high - low
    if span <= 0:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    n = math.prod(shape)
    raw = _random64(n) if span >= 1 << 32 else _RNG.bits.random_raw(n).astype(np.uint64)
    return ((raw % np.uint64(span)).astype(np.int64) + low).reshape(shape)


def randperm(n: int, bits: np.random.MT19937 | None = None) -> np.ndarray:
    """torch's randperm on the CPU: start from 0..n-1, swap place i with a place drawn from i..n-1."""
    order = np.arange(n, dtype=np.int64)
    if n > 1:
        raw = (bits or _RNG.bits).random_raw(n - 1).astype(np.uint64)
        draws = raw % np.arange(n, 1, -1, dtype=np.uint64)
        for i, z in enumerate(draws.tolist()):
            j = i + z
            order[i], order[j] = order[j], order[i]
    return order


def bernoulli(shape: tuple, prob: float) -> np.ndarray:
    """torch's bernoulli_(prob): 1.0 where a float64 draw from 53 random bits is below prob."""
    n = math.prod(shape)
    u = (_random64(n) & np.uint64((1 << 53) - 1)).astype(np.float64) * 2.0 ** -53
    return (u < prob).astype(np.float64).reshape(shape)


def seed_draw() -> int:
    """torch's ``torch.empty((), dtype=torch.int64).random_()``: 63 random bits (a DataLoader draws
    one such seed for its workers each epoch, and RandomSampler one for its own generator)."""
    return int(_random64(1)[0] % np.uint64(1 << 63))


def shuffled(n: int) -> np.ndarray:
    """RandomSampler's order for one epoch, as torch draws it: a seed from the stream, a generator
    of its own seeded with it, and randperm from that generator."""
    return randperm(n, _torch_seeded_mt19937(seed_draw()))


def manual_seed(seed: int) -> np.random.MT19937:
    """Seed bpcourse's random numbers, as torch.manual_seed seeds torch's.

    rand, randn, randint, randperm, dropout, DataLoader's shuffling and nn.Linear's initial
    weights then equal torch's for the same seed.
    """
    _RNG.bits = _torch_seeded_mt19937(int(seed))
    _RNG.next_normal = None
    return _RNG.bits


def seed() -> int:
    """Seed the generator from the operating system's entropy, as torch.seed(); returns the seed."""
    value = np.random.SeedSequence().entropy & 0xFFFFFFFF
    manual_seed(value)
    return value

