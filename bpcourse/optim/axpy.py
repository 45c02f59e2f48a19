"""p += alpha * g in one pass, with the BLAS that numpy already ships.

numpy has no fused multiply-add: ``p += alpha * g`` reads g, writes a temporary as large as p,
reads p and the temporary again, and rounds twice. BLAS's ``saxpy`` does it in one pass, rounding
once where the kernel uses FMA instructions (OpenBLAS's Haswell and Zen kernels do so explicitly;
others leave it to their compiler), which is what torch's ``p.add_(g, alpha=-lr)`` does; the last few elements (past a multiple of the kernel's block)
go through plain C and round twice, as numpy does. On the 100,352 weights of a 784-128 layer it
takes 11-19 us where numpy takes 28 us (AMD EPYC, OpenBLAS Haswell kernel, 2026-11-30).

Small tensors, whose every digit the lecture programs print, must round once at every position.
``axpy_once_`` uses BLAS for them only where this machine's kernel is seen to do that at their
size (``rounds_once``: a probe, once per size); elsewhere ``optimizer.add_scaled_`` keeps its exact
float64 update. On the Haswell kernel that is every multiple of 32: a 128-bias takes 1.0 us (0.4 us
of it the call) where the float64 update takes 2.9 us (AMD EPYC, 2026-12-01).

numpy's Linux wheels bundle OpenBLAS (``numpy.libs/libscipy_openblas64_*.so``, 64-bit integers);
loading that file again returns the library numpy has loaded, with its thread settings. Where it
is not there (another platform, a numpy built on another BLAS), ``axpy_`` returns False and the
caller uses numpy.
"""
from __future__ import annotations

import ctypes
import glob
import os
from typing import Any

import numpy as np

_F32 = np.dtype(np.float32)


def _bundled_saxpy() -> Any:
    """cblas_saxpy of numpy's bundled OpenBLAS (ILP64 interface), or None."""
    libs = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
    for path in sorted(glob.glob(os.path.join(libs, "*openblas64*"))):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in ("scipy_cblas_saxpy64_", "cblas_saxpy64_"):
            saxpy = getattr(lib, name, None)
            if saxpy is not None:
                saxpy.restype = None  # void cblas_saxpy(n, alpha, x, incx, y, incy): y += alpha * x
                saxpy.argtypes = [ctypes.c_int64, ctypes.c_float, ctypes.c_void_p, ctypes.c_int64,
                                  ctypes.c_void_p, ctypes.c_int64]
                return saxpy
    return None


_saxpy = _bundled_saxpy()


def axpy_(p: np.ndarray, alpha: float, g: np.ndarray) -> bool:
    """p += alpha * g in place through BLAS, for float32 arrays of one shape, both C-contiguous;
    False (p unchanged) if BLAS cannot do it here. (OpenBLAS skips alpha == 0 altogether, where
    p + 0 * g can still change p: -0 becomes +0, an inf in g makes nan; numpy does that one.)"""
    if _saxpy is None or not _blas_can_take(p, alpha, g):
        return False
    _saxpy(p.size, alpha, _address(g), 1, _address(p), 1)
    return True


def _blas_can_take(p: np.ndarray, alpha: float, g: np.ndarray) -> bool:
    """float32 arrays of one shape, both C-contiguous, p writable, and a step that is not 0."""
    return bool(alpha) and p.dtype == _F32 and g.dtype == _F32 and p.shape == g.shape and (
        p.flags.c_contiguous and g.flags.c_contiguous and p.flags.writeable)


def axpy_once_(p: np.ndarray, alpha: float, g: np.ndarray) -> bool:
    """p += alpha * g in place, for a small float32 p, only where BLAS is seen to round each of
    p's numbers once at this size (``rounds_once``); False (p unchanged) otherwise, and the
    caller rounds once its own way. Through scipy's wrapper of its own OpenBLAS's saxpy: 0.5 us
    a call, where ctypes takes 2.5 us (most of it converting the arguments). Below 10,000
    numbers OpenBLAS runs axpy on one thread (interface/axpy.c), so no thread pool is involved."""
    ok = _ROUNDS_ONCE.get(p.size)
    if ok is None:
        ok = rounds_once(p.size)
    if not ok or type(alpha) is not float or not _blas_can_take(p, alpha, g):
        return False
    if p.ndim != 1:  # the wrapper takes vectors (it would copy a matrix, not change it)
        p, g = p.reshape(-1), g.reshape(-1)
    _small_saxpy(g, p, a=alpha)  # p is a contiguous float32 vector: changed in place
    return True


def _small_saxpy_function() -> Any:
    """scipy's f2py wrapper ``saxpy(x, y, a=alpha)`` (y += alpha * x in place for a contiguous
    float32 vector y), or the same through ctypes where scipy is missing; None if neither."""
    try:
        from scipy.linalg.blas import saxpy
    except ImportError:
        saxpy = None
    if saxpy is not None:
        return saxpy
    if _saxpy is None:
        return None

    def ctypes_saxpy(x: np.ndarray, y: np.ndarray, a: float) -> np.ndarray:
        _saxpy(y.size, a, _address(x), 1, _address(y), 1)
        return y

    return ctypes_saxpy


_small_saxpy: Any = None  # loaded with the first probe: importing scipy.linalg takes 0.16 s
_ROUNDS_ONCE: dict = {}  # size -> whether _small_saxpy rounds once at every position (probed)
_PROBE_ALPHA = float(np.float32(0.70710677))  # a float32 with a full mantissa: alpha * g has up to 48 bits


def rounds_once(n: int) -> bool:
    """Whether ``_small_saxpy``, on n numbers, computes every ``p + alpha * g`` with one rounding
    (a fused multiply-add), as torch's ``add_`` does. Kernels work in blocks (32 numbers on
    Haswell) and leave the rest to C, which may round twice; which positions are which depends
    on the kernel and n, so it is tried once per n, on numbers where one rounding and two give
    different results at every position, at three alignments (a kernel that first stepped to an
    aligned address would round those first numbers its own way)."""
    global _small_saxpy
    if n not in _ROUNDS_ONCE:
        if _small_saxpy is None:
            _small_saxpy = _small_saxpy_function()
        _ROUNDS_ONCE[n] = _small_saxpy is not None and _probe(n)
    return _ROUNDS_ONCE[n]


def _probe(n: int) -> bool:
    p, g, once = _probe_numbers(n)
    for shift in (0, 1, 3):
        room_p, room_g = np.empty(n + 4, _F32), np.empty(n + 4, _F32)
        p_at, g_at = room_p[shift:shift + n], room_g[3 - shift:3 - shift + n]
        p_at[...], g_at[...] = p, g
        if _small_saxpy(g_at, p_at, a=_PROBE_ALPHA) is not p_at or not np.array_equal(p_at, once):
            return False
    return True


def _probe_numbers(n: int) -> tuple:
    """n pairs (p, g) in [1, 2) where p + alpha * g rounded once differs from numpy's two
    roundings, and the once-rounded results. The exact sum has at most 50 bits (both terms near
    1), so float64 holds it and one rounding to float32 is the single rounding."""
    def once(p: np.ndarray, g: np.ndarray) -> np.ndarray:
        return (p.astype(np.float64) + _PROBE_ALPHA * g.astype(np.float64)).astype(np.float32)

    rng = np.random.default_rng(n)
    ps, gs = [], []
    while sum(len(x) for x in ps) < n:  # about one pair in five differs
        p = rng.uniform(1, 2, 8 * n + 64).astype(np.float32)
        g = rng.uniform(1, 2, 8 * n + 64).astype(np.float32)
        differ = once(p, g) != p + np.float32(_PROBE_ALPHA) * g
        ps.append(p[differ])
        gs.append(g[differ])
    p, g = np.concatenate(ps)[:n], np.concatenate(gs)[:n]
    return p, g, once(p, g)


def _address(a: np.ndarray) -> int:
    """Where a's numbers start. Through the buffer protocol for a writable array: a third of the time
    of ``a.__array_interface__["data"][0]``, which builds a dict on every call."""
    if a.flags.writeable and a.size:  # (ctypes refuses an empty buffer)
        return ctypes.addressof(ctypes.c_char.from_buffer(a))
    return a.__array_interface__["data"][0]


def available() -> bool:
    return _saxpy is not None
