"""How long one learning-rate explorer update takes (issue 7: < 100 ms of compute per release).

Drives ``lr_explorer()`` headless, as a slider release would, over a range of learning rates
(converging, slow, diverging) and both modes; prints the median training time and the median
redraw time (matplotlib Agg render + PNG encode) separately, since only the first is the model's
compute.
"""
from __future__ import annotations

import statistics

from bpcourse.widgets import lr_explorer

RATES = [0.001, 0.005, 0.01, 0.05, 0.1, 0.15, 0.2, 0.21, 0.25, 0.3]


def main() -> None:
    explorer = lr_explorer()
    explorer.update()  # the first draw builds the axes; not what a slider release costs
    rows = []
    for mode in ["sgd", "batch"]:
        explorer.mode_toggle.value = mode
        train, draw = [], []
        for lr in RATES:
            explorer.lr_slider.value = lr  # triggers the same update a release does
            train.append(explorer.timings["train"] * 1e3)
            draw.append(explorer.timings["draw"] * 1e3)
        rows.append((mode, statistics.median(train), max(train), statistics.median(draw), max(draw)))
    print(f"lr_explorer update over {len(RATES)} learning rates, 100 epochs (ms)")
    print(f"{'mode':6s} {'train median':>13s} {'train max':>10s} {'redraw median':>14s} {'redraw max':>11s}  target")
    for mode, tm, tx, dm, dx in rows:
        verdict = "met" if tx < 100 else "missed"
        print(f"{mode:6s} {tm:13.1f} {tx:10.1f} {dm:14.1f} {dx:11.1f}  compute < 100 ms: {verdict}; "
              f"with redraw {tm + dm:.0f} ms")


if __name__ == "__main__":
    main()
