"""Random numbers: one stream, as torch has.

A Mersenne Twister (MT19937) seeded the way torch seeds its CPU generator, so uniform draws
(``rand``, ``uniform_``, nn.Linear's initial weights) equal torch's for the same ``manual_seed``.
Other distributions (randn, shuffling, dropout) come from numpy's Generator on the same stream:
seeded and repeatable, but not torch's numbers.
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
    generator = np.random.Generator(bits)


def generator() -> np.random.Generator:
    """The generator behind randn, shuffling and dropout (seeded by manual_seed)."""
    return _RNG.generator


def uniform(shape: tuple, a: float, b: float, dtype: Any) -> np.ndarray:
    """torch's CPU uniform_: 24 random bits (53 for float64) of each draw scaled into [a, b).

    As torch: a and b are first rounded to the tensor's dtype, the scaling is done in float64, and
    the result rounded once to the dtype.
    """
    dtype = np.dtype(dtype)
    n = math.prod(shape)
    if dtype == np.float64:
        hi = _RNG.bits.random_raw(2 * n).astype(np.uint64)
        raw = (hi[0::2] << np.uint64(32)) | hi[1::2]  # torch's random64(): two 32-bit draws
        x = (raw & np.uint64((1 << 53) - 1)).astype(np.float64) * 2.0 ** -53
    else:
        raw = _RNG.bits.random_raw(n).astype(np.uint64)
        x = (raw & np.uint64((1 << 24) - 1)).astype(np.float64) * 2.0 ** -24
    lo, hi_ = dtype.type(a), dtype.type(b)
    return (x * np.float64(hi_ - lo) + np.float64(lo)).astype(dtype).reshape(shape)


def manual_seed(seed: int) -> np.random.Generator:
    """Seed bpcourse's random numbers, as torch.manual_seed seeds torch's.

    rand, uniform_ and nn.Linear's initial weights then equal torch's for the same seed; randn,
    DataLoader shuffling and dropout are seeded and repeatable but differ from torch's numbers.
    """
    _RNG.bits = _torch_seeded_mt19937(int(seed))
    _RNG.generator = np.random.Generator(_RNG.bits)
    return _RNG.generator



def seed() -> int:
    """Seed the generator from the operating system's entropy, as torch.seed(); returns the seed."""
    value = np.random.SeedSequence().entropy & 0xFFFFFFFF
    manual_seed(value)
    return value


_rng, _uniform = generator, uniform  # the names nn.init and utils.data import
