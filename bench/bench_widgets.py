"""How long a widget update takes, as a learner feels it (issue 15: lr_explorer < 50 ms per release).

lr_explorer: drives ``lr_explorer()`` headless, as a slider release would, over a range of
learning rates (converging, slow, diverging) in both modes, and prints the median training time
and redraw time (restore the background, draw what moved, encode the PNG) separately. The peer,
measured in the same run on the same figure: a full matplotlib Agg render + PNG of it (what every
update cost before the figure was blitted).

backward_stepper and TrainingProgress: the time of one step change and of one redraw.
Timings are wall-clock on this machine, and CPU time of this process ("cpu"): on a shared,
loaded machine the CPU time is close to what an idle one takes; the ratio to the peer stays put.
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
    print(f"{'mode':6s} {'train':>7s} {'redraw':>7s} {'update':>7s} {'max':>7s} {'cpu':>7s} {'cpu max':>8s} "
          f"{'full redraw (peer)':>19s} {'redraw/peer':>12s}  target")
    for mode in ["sgd", "batch"]:
        explorer.mode_toggle.value = mode
        train, draw, total, cpu, full = [], [], [], [], []
        for _ in range(rounds):
            for lr in RATES:
                start, start_cpu = time.perf_counter(), time.process_time()
                explorer.lr_slider.value = lr  # triggers the same update a release does
                total.append((time.perf_counter() - start) * 1e3)
                cpu.append((time.process_time() - start_cpu) * 1e3)
                train.append(explorer.timings["train"] * 1e3)
                draw.append(explorer.timings["draw"] * 1e3)
                start = time.perf_counter()
                figure_png(explorer.figure)     # the peer: the same figure drawn in full
                full.append((time.perf_counter() - start) * 1e3)
            explorer.lr_slider.value = 0.0123   # leave the rates, so the next round updates again
        update, update_cpu = statistics.median(total), statistics.median(cpu)
        verdict = "met" if update < TARGET_MS else "missed"
        verdict_cpu = "met" if update_cpu < TARGET_MS else "missed"
        print(f"{mode:6s} {statistics.median(train):7.1f} {statistics.median(draw):7.1f} {update:7.1f} "
              f"{max(total):7.1f} {update_cpu:7.1f} {max(cpu):8.1f} {statistics.median(full):19.1f} "
              f"{statistics.median(draw) / statistics.median(full):12.2f}  update < {TARGET_MS} ms: {verdict} "
              f"(cpu: {verdict_cpu})")


def bench_stepper() -> None:
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    d = (a * b + c).tanh() * a + b ** 2
    stepper = backward_stepper(d)
    passes = []
    for _ in range(2):      # the first pass draws each step; the second shows them again
        times, cpu = [], []
        for step in list(range(1, stepper.slider.max + 1)) + [0]:
            start, start_cpu = time.perf_counter(), time.process_time()
            stepper.go(step)
            times.append((time.perf_counter() - start) * 1e3)
            cpu.append((time.process_time() - start_cpu) * 1e3)
        passes.append((statistics.median(times), max(times), statistics.median(cpu)))
    (first, first_max, first_cpu), (again, again_max, again_cpu) = passes
    print(f"backward_stepper ({stepper.slider.max} steps): a new step {first:.1f} ms median, {first_max:.1f} max, "
          f"cpu {first_cpu:.1f} ms (graph layout + full Agg render + PNG at dpi 100); a step seen before "
          f"{again:.1f} ms, cpu {again_cpu:.1f} ms")


def bench_progress(rounds: int) -> None:
    times, cpu, full = [], [], []
    for _ in range(rounds):
        progress = TrainingProgress(100, display=False, every=1)
        for step in range(100):
            start, start_cpu = time.perf_counter(), time.process_time()
            progress.update(step, 1.0 / (step + 1))
            times.append((time.perf_counter() - start) * 1e3)
            cpu.append((time.process_time() - start_cpu) * 1e3)
            if step % 10 == 0:
                start = time.perf_counter()
                figure_png(progress.figure)     # the peer: the same figure drawn in full
                full.append((time.perf_counter() - start) * 1e3)
    print(f"TrainingProgress: one redraw {statistics.median(times):.1f} ms median, {max(times):.1f} max, "
          f"cpu {statistics.median(cpu):.1f} ms; full redraw (peer) {statistics.median(full):.1f} ms "
          f"(a run redraws about 25 times)")


def main() -> None:
    bench_lr_explorer(rounds=2)
    bench_stepper()
    bench_progress(rounds=1)


if __name__ == "__main__":
    main()
