"""How long a widget update takes, as a learner feels it (issue 15: lr_explorer < 50 ms per release).

lr_explorer: drives ``lr_explorer()`` headless, as a slider release would, over a range of
learning rates (converging, slow, diverging) in both modes, and prints the median training time
and redraw time (restore the background, draw what moved, encode the PNG) separately. The peer,
measured in the same run on the same figure: a full matplotlib Agg render + PNG of it (what every
update cost before the figure was blitted).

backward_stepper and TrainingProgress: the time of one step change and of one redraw.
Timings are wall-clock on this machine; the ratio to the peer is what stays put under load.
"""
from __future__ import annotations

import statistics
import time

from bpcourse.scalar import Value
from bpcourse.widgets import TrainingProgress, backward_stepper, lr_explorer
from bpcourse.widgets._figures import figure_png

RATES = [0.001, 0.005, 0.01, 0.05, 0.1, 0.15, 0.2, 0.21, 0.25, 0.3]
TARGET_MS = 50


def bench_lr_explorer(rounds: int) -> None:
    explorer = lr_explorer()
    explorer.update()  # the first draw builds the axes and the background; not what a release costs
    print(f"lr_explorer update over {len(RATES)} learning rates, 100 epochs, {rounds} rounds (ms)")
    print(f"{'mode':6s} {'train':>7s} {'redraw':>7s} {'update':>7s} {'max':>7s} "
          f"{'full redraw (peer)':>19s} {'redraw/peer':>12s}  target")
    for mode in ["sgd", "batch"]:
        explorer.mode_toggle.value = mode
        train, draw, total, full = [], [], [], []
        for _ in range(rounds):
            for lr in RATES:
                start = time.perf_counter()
                explorer.lr_slider.value = lr  # triggers the same update a release does
                total.append((time.perf_counter() - start) * 1e3)
                train.append(explorer.timings["train"] * 1e3)
                draw.append(explorer.timings["draw"] * 1e3)
                start = time.perf_counter()
                figure_png(explorer.figure)     # the peer: the same figure drawn in full
                full.append((time.perf_counter() - start) * 1e3)
            explorer.lr_slider.value = 0.0123   # leave the rates, so the next round updates again
        update = statistics.median(total)
        verdict = "met" if update < TARGET_MS else "missed"
        print(f"{mode:6s} {statistics.median(train):7.1f} {statistics.median(draw):7.1f} {update:7.1f} "
              f"{max(total):7.1f} {statistics.median(full):19.1f} "
              f"{statistics.median(draw) / statistics.median(full):12.2f}  update < {TARGET_MS} ms: {verdict}")


def bench_stepper(rounds: int) -> None:
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    d = (a * b + c).tanh() * a + b ** 2
    stepper = backward_stepper(d)
    times = []
    for _ in range(rounds):
        for step in list(range(1, stepper.slider.max + 1)) + [0]:
            start = time.perf_counter()
            stepper.go(step)
            times.append((time.perf_counter() - start) * 1e3)
    print(f"backward_stepper ({stepper.slider.max} steps): one step {statistics.median(times):.1f} ms median, "
          f"{max(times):.1f} max (graph layout + full Agg render + PNG at dpi 100)")


def bench_progress(rounds: int) -> None:
    times = []
    for _ in range(rounds):
        progress = TrainingProgress(100, display=False, every=1)
        for step in range(100):
            start = time.perf_counter()
            progress.update(step, 1.0 / (step + 1))
            times.append((time.perf_counter() - start) * 1e3)
    print(f"TrainingProgress: one redraw {statistics.median(times):.1f} ms median, {max(times):.1f} max "
          f"(a run redraws about 25 times)")


def main() -> None:
    bench_lr_explorer(rounds=2)
    bench_stepper(rounds=1)
    bench_progress(rounds=1)


if __name__ == "__main__":
    main()
