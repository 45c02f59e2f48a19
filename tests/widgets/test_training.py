"""train_linear against the seed lecture and against the closed-form error recursion.

For y_hat = w x on x = [1, 2, 3], y = [2, 4, 6] the error e = w - 2 evolves linearly:
batch (mean squared error):  e <- (1 - lr * 28/3) e                (stable iff lr < 3/14)
SGD, one sample at a time:   e <- (1-2lr)(1-8lr)(1-18lr) e per epoch  (stable iff lr < 0.2040)
and the loss after an epoch is mean((w x - y)^2) = (14/3) e^2. So every number below is known.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from bpcourse.widgets import Problem, stability_limit, train, train_linear

SEED_OUT = Path(__file__).resolve().parents[1] / "data" / "lecture4_backprop.torch-2.13.0.out"
L0 = 14 / 3                                            # loss at w0 = 1


def epoch_factor(lr: float, mode: str) -> float:
    if mode == "batch":
        return 1 - lr * 28 / 3
    return (1 - 2 * lr) * (1 - 8 * lr) * (1 - 18 * lr)


def expected_loss(lr: float, mode: str, epochs: int) -> float:
    return L0 * epoch_factor(lr, mode) ** (2 * epochs)


def test_sgd_retraces_the_seed_lectures_first_epoch_and_prediction():
    text = SEED_OUT.read_text()
    grads = [float(g) for g in re.findall(r"grad: \S+ \S+ (\S+)", text)[:3]]
    w = 1.0
    for g in grads:                                    # the seed's own update, in float32 numbers
        w -= 0.01 * g
    result = train_linear(0.01, epochs=100)
    assert result.ws[1] == pytest.approx(w, rel=1e-6)
    predicted_after = float(re.search(r"predict \(after training\) 4 (\S+)", text).group(1))
    assert 4 * result.final_w == pytest.approx(predicted_after, abs=1e-5)


@pytest.mark.parametrize("mode", ["sgd", "batch"])
def test_lr_0_01_converges(mode):
    result = train_linear(0.01, epochs=100, mode=mode)
    assert result.status == "converged" and result.diverged_at is None
    assert result.final_loss == pytest.approx(expected_loss(0.01, mode, 100), rel=1e-6)
    assert result.message.startswith("converged: final loss")
    assert f"{result.final_loss:.3g}" in result.message


@pytest.mark.parametrize("mode", ["sgd", "batch"])
def test_lr_0_0005_is_slow(mode):
    result = train_linear(0.0005, epochs=100, mode=mode)
    assert result.status == "slow" and result.diverged_at is None
    assert result.final_loss == pytest.approx(expected_loss(0.0005, mode, 100), rel=1e-9)
    assert result.final_loss > 0.1                     # 0.281 (SGD), 1.83 (batch)
    assert result.message.startswith("slow: final loss") and "larger learning rate" in result.message


def test_the_stability_limits_are_the_derived_ones():
    assert stability_limit("batch") == pytest.approx(3 / 14, rel=1e-12)
    sgd = (49 - math.sqrt(385)) / 144                  # smaller root of 72 lr^2 - 49 lr + 7 = 0
    assert stability_limit("sgd") == pytest.approx(sgd, rel=1e-9)
    assert abs(epoch_factor(sgd, "sgd")) == pytest.approx(1.0, rel=1e-9)


@pytest.mark.parametrize("mode", ["sgd", "batch"])
def test_lr_0_2_is_still_below_the_limit_so_it_does_not_diverge(mode):
    # 0.2 < 0.2040 (SGD) and < 0.2143 (batch): the error shrinks by 0.936 and 0.867 per epoch
    result = train_linear(0.2, epochs=100, mode=mode)
    assert result.diverged_at is None
    assert result.final_loss == pytest.approx(expected_loss(0.2, mode, 100), rel=1e-6)
    if mode == "batch":                                # overshoots: w lands on alternate sides of 2
        e = result.ws[:6] - 2
        assert np.all(np.sign(e[1:]) == -np.sign(e[:-1]))


@pytest.mark.parametrize("mode, epoch", [("sgd", 7), ("batch", 13)])
def test_lr_0_25_diverges_at_the_predicted_epoch(mode, epoch):
    # the run stops at the first epoch whose loss passes 1000 x the starting loss:
    # |factor|^(2k) > 1000, k = ceil(ln 1000 / (2 ln|factor|))
    predicted = math.ceil(math.log(1000) / (2 * math.log(abs(epoch_factor(0.25, mode)))))
    assert predicted == epoch
    result = train_linear(0.25, epochs=100, mode=mode)
    assert result.diverged_at == epoch and result.status == "diverged"
    assert len(result.losses) == epoch + 1 and result.final_loss > 1000 * L0
    assert result.message.startswith(f"diverged at epoch {epoch}")


@pytest.mark.parametrize("mode", ["sgd", "batch"])
def test_just_above_the_limit_diverges_and_just_below_does_not(mode):
    limit = stability_limit(mode)
    assert train_linear(limit * 1.02, epochs=3000, mode=mode).diverged_at is not None
    below = train_linear(limit * 0.98, epochs=3000, mode=mode)
    assert below.diverged_at is None and below.final_loss < L0


def test_a_few_epochs_above_the_limit_report_a_rising_loss():
    result = train_linear(0.22, epochs=20, mode="batch")   # grows x1.11 per epoch: not blown up yet
    assert result.diverged_at is None and result.status == "diverging"
    assert result.message.startswith("diverging: the loss grew")


def test_overflow_is_caught_and_reported_without_warnings(recwarn, capfd):
    quartic = Problem(loss=lambda w, idx: w ** 4, grad=lambda w, idx: 4 * w ** 3, n_samples=1)
    result = train(quartic, lr=1.0, epochs=50, w0=10.0, blowup=np.inf)   # only overflow stops it
    assert result.diverged_at is not None and result.diverged_at <= 5
    assert np.all(np.isfinite(result.losses))
    assert not recwarn.list
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_bad_arguments_say_what_to_do():
    with pytest.raises(ValueError, match="mode must be 'batch' or 'sgd'"):
        train_linear(0.01, mode="adam")
    with pytest.raises(ValueError, match="equal-length"):
        train_linear(0.01, x=[1, 2], y=[1, 2, 3])
