"""A progress bar with a live loss plot, for training loops that take a while.

    progress = TrainingProgress(epochs)          # shows itself in a notebook
    for epoch in range(epochs):
        loss = train_one_epoch()
        progress.update(epoch, loss)             # the bar moves; the plot is redrawn now and then
    progress.done()

Outside a notebook (a script, a test) nothing is shown, but ``steps``, ``losses`` and the figure
are kept the same way, so the loop needs no changes.
"""
from __future__ import annotations

import math
import time
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from ..viz.draw import OKABE_ITO
from ..i18n import tr, tr_figure
from ._blit import BlitFigure, LeanTicks
from ._figures import in_kernel, show_png, widget_bundle


class TrainingProgress:
    """``update(step, loss)`` after each step or epoch (``step`` counts from 0 up to total - 1).

    ``every``: redraw the plot every this many updates (default: about 25 redraws per run; the
    last update always redraws). ``display``: show the widget now (default: only in a notebook).
    """

    def __init__(self, total: int, *, title: str = "training", every: int | None = None,
                 display: bool | None = None, log_scale: bool = True) -> None:
        if total < 1:
            raise ValueError(f"TrainingProgress: total must be >= 1, got {total}")
        self.total = int(total)
        self.every = every or max(1, self.total // 25)
        self.title = title
        self.log_scale = log_scale
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.redraws = 0
        self._started = time.perf_counter()
        self._since_draw = 0
        self.bar = widgets.IntProgress(value=0, min=0, max=self.total, description=tr(title),
                                       bar_style="info", style={"description_width": "initial"},
                                       layout=widgets.Layout(width="420px"))
        self.label = widgets.HTML(value=f"0 / {self.total}")
        self.output = widgets.Output()
        self.widget = widgets.VBox([widgets.HBox([self.bar, self.label]), self.output])
        self.widget.add_class("bpcourse-training-progress")
        # fixed margins, axes made once and blitted: a redraw draws the curve, the y ticks and the
        # title over a saved background (a constrained layout rebuilt each time cost ~10x more)
        self.figure = Figure(figsize=(6.5, 2.8), dpi=80)
        self.figure.subplots_adjust(left=0.14, right=0.97, bottom=0.19, top=0.89)
        self._build_figure()
        if display if display is not None else in_kernel():
            from IPython.display import display as show
            show(self)

    def update(self, step: int, loss: float) -> None:
        """Record ``loss`` at ``step`` and move the bar to ``step + 1`` of ``total``."""
        self.steps.append(int(step))
        self.losses.append(float(loss))
        self.bar.value = min(self.total, int(step) + 1)
        elapsed = time.perf_counter() - self._started
        self.label.value = (f"{self.bar.value} / {self.total} &nbsp; " + tr("loss {loss}", loss=f"{loss:.4g}")
                            + f" &nbsp; {elapsed:.1f} s")
        if not math.isfinite(loss):
            self.bar.bar_style = "danger"
        self._since_draw += 1
        if self._since_draw >= self.every or self.bar.value == self.total:
            self.redraw()

    def done(self) -> None:
        """Finish: colour the bar and draw the final plot."""
        if self.bar.bar_style != "danger":
            self.bar.bar_style = "success"
        self.redraw()

    def _build_figure(self) -> None:
        self.ax = ax = self.figure.add_subplot()
        (self.line,) = ax.plot([], [], color=OKABE_ITO["blue"], lw=1.8)
        ax.set_xlim(0, self.total)
        ax.set_xlabel(tr_figure("step"))
        ax.grid(True, axis="x", alpha=0.3)
        self.blit = BlitFigure(self.figure)
        self.y_ticks = LeanTicks(ax, "y", tr_figure("loss"), grid=True)
        ax.set_title(" ", y=1.0)
        self.blit.add_moving(*self.y_ticks.grid_artists(), self.line, *self.y_ticks.artists(), ax.title)

    def redraw(self) -> None:
        self._since_draw = 0
        ax = self.ax
        losses = np.asarray(self.losses, dtype=float)
        finite = np.isfinite(losses)
        positive = bool(finite.any() and (losses[finite] > 0).all())
        scale = "log" if self.log_scale and positive else "linear"
        if ax.get_yscale() != scale:
            ax.set_yscale(scale)
            if scale == "log":
                ax.yaxis.set_minor_formatter(NullFormatter())
        self.line.set_data(np.asarray(self.steps)[finite], losses[finite])
        if finite.any():
            lo, hi = float(losses[finite].min()), float(losses[finite].max())
            if scale == "log":      # matplotlib's 5% margins, in log space
                span = np.log10(hi / lo) or 1.0
                ax.set_ylim(lo / 10 ** (0.05 * span), hi * 10 ** (0.05 * span))
            else:
                span = (hi - lo) or abs(hi) or 1.0
                ax.set_ylim(lo - 0.05 * span, hi + 0.05 * span)
        last = f"{losses[-1]:.4g}" if len(losses) else "-"
        ax.title.set_text(tr_figure("{title}: loss {loss}", title=tr_figure(self.title), loss=last))
        self.y_ticks.update()
        show_png(self.output, self.blit.render_png(static_key=scale),
                 alt=tr("{title}: loss {loss}", title=tr(self.title), loss=last))
        self.redraws += 1

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        return widget_bundle(self.widget, f"{self.title}: {len(self.steps)} / {self.total}", **kwargs)

    def __repr__(self) -> str:
        return f"<TrainingProgress {len(self.steps)} / {self.total}>"
