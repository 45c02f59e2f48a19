"""The learning-rate explorer: train ``y_hat = w * x`` again each time a slider is released.

    >>> explorer = lr_explorer()          # last line of a cell: shows the sliders and the plots
    >>> explorer.lr_slider.value = 0.25   # from Python too: same update, state readable
    >>> explorer.message
    'diverged at epoch 7: the loss blew up; ...'

Three pictures: the loss per epoch (log scale), the data with the fitted line, and the loss as a
function of w with the path that w took on it -- small steps creep down one side, good steps
land near the bottom, too-large steps jump from side to side and climb out.
"""
from __future__ import annotations

import time
from typing import Any, Callable

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatter, NullFormatter

from ..viz.draw import OKABE_ITO
from ..i18n import tr, tr_figure
from ._blit import BlitFigure, LeanTicks
from ._figures import show_png, widget_bundle
from .training import Problem, TrainResult, linear_problem, train

STATUS_COLOUR = {"converged": OKABE_ITO["bluish green"], "slow": OKABE_ITO["orange"],
                 "diverging": OKABE_ITO["vermillion"], "diverged": OKABE_ITO["vermillion"]}


class LRExplorer:
    """Sliders for the learning rate (log scale), epochs and initial w, a batch/SGD toggle, and
    the figure they drive. Attributes: ``widget`` (the box to display), ``lr_slider``,
    ``epochs_slider``, ``w0_slider``, ``mode_toggle``, ``result`` (the last ``TrainResult``),
    ``message`` (its sentence), ``redraws`` (how many times the figure was drawn), ``figure``,
    ``last_update_seconds`` and ``timings`` (the last update's training and drawing time).
    """

    def __init__(self, problem: Problem, *, lr: float = 0.01, epochs: int = 100, w0: float = 1.0,
                 mode: str = "sgd", lr_range: tuple[float, float] = (1e-4, 1.0),
                 w0_range: tuple[float, float] = (-2.0, 6.0)) -> None:
        self.problem = problem
        self.redraws = 0
        self.result: TrainResult | None = None
        self.message = ""
        self.last_update_seconds = 0.0
        self.timings: dict[str, float] = {}
        lo, hi = np.log10(lr_range[0]), np.log10(lr_range[1])
        style = {"description_width": "initial"}
        layout = widgets.Layout(width="420px")
        self.lr_slider = widgets.FloatLogSlider(
            value=lr, base=10, min=lo, max=hi, step=0.05, description=tr("learning rate"),
            readout_format=".3g", continuous_update=False, style=style, layout=layout)
        self.epochs_slider = widgets.IntSlider(
            value=epochs, min=1, max=500, step=1, description=tr("epochs"), continuous_update=False,
            style=style, layout=layout)
        self.w0_slider = widgets.FloatSlider(
            value=w0, min=w0_range[0], max=w0_range[1], step=0.1, description=tr("initial w"),
            readout_format=".1f", continuous_update=False, style=style, layout=layout)
        self.mode_toggle = widgets.ToggleButtons(
            options=[("SGD", "sgd"), (tr("batch GD"), "batch")], value=mode, description=tr("update"),
            tooltips=[tr("one step per sample, in order (the seed lecture's loop)"),
                      tr("one step per epoch on the mean loss over all samples")], style=style)
        self.status = widgets.HTML()
        self.output = widgets.Output(layout=widgets.Layout(min_height="300px"))
        controls = widgets.VBox([self.lr_slider, self.epochs_slider, self.w0_slider,
                                 self.mode_toggle])
        self.widget = widgets.VBox([controls, self.status, self.output])
        self.widget.add_class("bpcourse-lr-explorer")
        # fixed margins, not a layout engine: constrained layout draws the figure twice per update
        self.figure = Figure(figsize=(12, 3.6), dpi=80)
        self.figure.subplots_adjust(left=0.07, right=0.985, bottom=0.14, top=0.9, wspace=0.24)
        for control in (self.lr_slider, self.epochs_slider, self.w0_slider, self.mode_toggle):
            control.observe(self._on_change, names="value")
        self.update()

    # ----- updating -----
    def _on_change(self, change: dict) -> None:
        self.update()

    def update(self) -> TrainResult:
        """Train with the controls' current values and redraw (what releasing a slider does)."""
        start = time.perf_counter()
        self.result = train(self.problem, self.lr_slider.value, epochs=self.epochs_slider.value,
                            w0=self.w0_slider.value, mode=self.mode_toggle.value)
        trained = time.perf_counter()
        self.message = self.result.message
        colour = STATUS_COLOUR[self.result.status]
        self.status.value = (f'<div class="bpcourse-message" style="font-size:1.05em; '
                             f'padding:2px 0; color:{colour}; font-weight:bold">'
                             f'{_html(self.message)}</div>')
        self._draw()
        # the loss panel's epoch axis is drawn into the background: only the epochs slider moves it
        show_png(self.output, self.blit.render_png(static_key=self.ax_loss.get_xlim()), alt=self.message)
        self.redraws += 1
        done = time.perf_counter()
        self.last_update_seconds = done - start
        self.timings = {"train": trained - start, "draw": done - trained}
        return self.result

    # ----- drawing -----
    # The axes, lines and legends are made once, and drawn once into a background (BlitFigure);
    # an update changes data, limits and titles and redraws only those: the lines, the ticks of
    # the two panels whose limits move (LeanTicks), the titles and the legends over the lines.
    # (A full draw per update cost ~130 ms, mostly matplotlib's tick and title layout.)
    def _build_figure(self) -> None:
        p, fig = self.problem, self.figure
        self.blit = blit = BlitFigure(fig)
        self.ax_loss, self.ax_fit, self.ax_path = fig.subplots(1, 3)
        ax = self.ax_loss
        (self.loss_line,) = ax.plot([], [], color=OKABE_ITO["blue"], lw=2)
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(LogFormatter(labelOnlyBase=True))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(tr_figure("epoch"))
        ax.grid(True, axis="x", alpha=0.3)
        self.loss_ticks = [LeanTicks(ax, "y", tr_figure("loss (MSE)"), grid=True)]
        self.diverged_line = ax.axvline(0, color=OKABE_ITO["vermillion"], ls="--", visible=False)
        ax.set_title(" ", y=1.0)        # a fixed place: no search for a free spot on every draw
        blit.add_moving(*[a for t in self.loss_ticks for a in t.grid_artists()], self.loss_line,
                        self.diverged_line, *[a for t in self.loss_ticks for a in t.artists()], ax.title)

        ax = self.ax_fit
        if p.x is not None and p.y is not None and p.predict is not None:
            ax.scatter(p.x, p.y, color=OKABE_ITO["black"], zorder=3, label=tr_figure("data"))
            span = np.ptp(p.x) if len(p.x) > 1 else 1.0
            self.fit_xs = np.linspace(min(0.0, p.x.min()), p.x.max() + 0.25 * span, 50)
            (self.start_line,) = ax.plot([], [], color=OKABE_ITO["sky blue"], ls=":", lw=2,
                                         label=tr_figure("start"))
            (self.fit_line,) = ax.plot([], [], color=OKABE_ITO["orange"], lw=2.5,
                                       label=tr_figure("after training"))
            y_lo, y_hi = min(0.0, p.y.min()), p.y.max()
            pad = 0.3 * (y_hi - y_lo or 1.0)
            ax.set_xlim(self.fit_xs[0], self.fit_xs[-1])
            ax.set_ylim(y_lo - pad, y_hi + pad)
            ax.set_xlabel("x")
            ax.set_ylabel("y")
            blit.keep_on_top(ax.legend(loc="upper left", fontsize=9))
            ax.set_title(" ", y=1.0)
            blit.add_moving(self.start_line, self.fit_line, ax.title)
        else:
            self.fit_line = None
            ax.set_axis_off()
            self.fit_text = ax.text(0.5, 0.5, "", ha="center", va="center",
                                    transform=ax.transAxes, fontsize=12)
            blit.add_moving(self.fit_text)

        ax = self.ax_path
        (self.curve_line,) = ax.plot([], [], color=OKABE_ITO["black"], lw=1.2, label="loss(w)")
        (self.path_line,) = ax.plot([], [], color=OKABE_ITO["vermillion"], lw=1, alpha=0.7,
                                    marker="o", markersize=4, markerfacecolor=OKABE_ITO["orange"],
                                    markeredgecolor="black", markeredgewidth=0.5,
                                    label=tr_figure("w after each epoch"))
        (self.start_point,) = ax.plot([], [], marker="s", markersize=8, ls="",
                                      color=OKABE_ITO["sky blue"], markeredgecolor="black",
                                      label=tr_figure("start"))
        self.path_ticks = [LeanTicks(ax, "x", "w"), LeanTicks(ax, "y", tr_figure("loss"))]
        ax.set_title(tr_figure("path of w on the loss curve"), y=1.0)
        blit.keep_on_top(ax.legend(loc="upper center", fontsize=9))
        blit.add_moving(self.curve_line, self.path_line, self.start_point,
                        *[a for t in self.path_ticks for a in t.artists()])

    def _draw(self) -> None:
        r, p = self.result, self.problem
        if not hasattr(self, "ax_loss"):
            self._build_figure()
        ax = self.ax_loss
        losses = np.maximum(r.losses, 1e-32)
        self.loss_line.set_data(np.arange(len(losses)), losses)
        ax.set_xlim(0, max(r.epochs, 1))
        lo, hi = float(losses.min()), float(losses.max())
        ax.set_ylim(lo / 3, hi * 3)
        if r.diverged_at is not None:
            self.diverged_line.set_xdata([r.diverged_at, r.diverged_at])
            self.diverged_line.set_visible(True)
            ax.title.set_text(tr_figure("loss per epoch: diverged at epoch {epoch}", epoch=r.diverged_at))
            ax.title.set_color(OKABE_ITO["vermillion"])
        else:
            self.diverged_line.set_visible(False)
            ax.title.set_text(tr_figure("loss per epoch: final {loss}", loss=f"{r.final_loss:.3g}"))
            ax.title.set_color("black")
        for ticks in self.loss_ticks:
            ticks.update()

        if self.fit_line is not None:
            self.start_line.set_data(self.fit_xs, p.predict(r.w0, self.fit_xs))
            self.fit_line.set_data(self.fit_xs, p.predict(r.final_w, self.fit_xs))
            self.ax_fit.title.set_text(tr_figure("{name}: w from {w0} to {w}", name=p.name, w0=f"{r.w0:.2f}",
                                                 w=f"{r.final_w:.4f}"))
        else:
            self.fit_text.set_text(tr_figure("{name}\nfinal w = {w}", name=p.name, w=f"{r.final_w:.4g}"))

        path, path_loss = r.ws[:41], r.losses[:41]
        centre = p.best_w if p.best_w is not None else r.final_w
        reach = max(float(np.abs(path - centre).max()), abs(r.w0 - centre), 0.5) * 1.15
        grid = np.linspace(centre - reach, centre + reach, 121)
        every = np.arange(p.n_samples)
        with np.errstate(over="ignore", invalid="ignore"):
            curve = np.array([p.loss(w, every) for w in grid])
        self.curve_line.set_data(grid, curve)
        self.path_line.set_data(path, path_loss)
        self.start_point.set_data(path[:1], path_loss[:1])
        self.ax_path.set_xlim(grid[0], grid[-1])
        top = float(np.nanmax(np.concatenate([curve, path_loss])))
        bottom = min(0.0, float(np.nanmin(curve)))
        self.ax_path.set_ylim(bottom, top * 1.35 if top > 0 else 1.0)
        for ticks in self.path_ticks:
            ticks.update()

    # ----- display -----
    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        return widget_bundle(self.widget, f"lr_explorer: {self.message}", **kwargs)

    def __repr__(self) -> str:
        return f"<LRExplorer lr={self.lr_slider.value:.3g}: {self.message}>"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def lr_explorer(problem: Problem | None = None, *, loss: Callable | None = None,
                grad: Callable | None = None, n_samples: int | None = None,
                lr: float = 0.01, epochs: int = 100, w0: float = 1.0, mode: str = "sgd",
                **kwargs: Any) -> LRExplorer:
    """An explorer for the seed's ``y_hat = w * x`` (default), or for your own one-parameter model.

    Your own model: pass ``problem=Problem(...)``, or just ``loss(w, idx)``, ``grad(w, idx)`` and
    ``n_samples`` (mean loss and d loss/dw over the sample indices ``idx``):

        >>> x = np.array([0.5, 1.0, 1.5]); y = np.sin(x)
        >>> lr_explorer(loss=lambda w, i: np.mean((np.sin(w * x[i]) - y[i]) ** 2),
        ...             grad=lambda w, i: np.mean(2 * (np.sin(w * x[i]) - y[i]) * np.cos(w * x[i]) * x[i]),
        ...             n_samples=3)

    Put it last in a cell (or ``display(...)`` it) to see it.
    """
    if problem is None:
        if loss is None and grad is None:
            problem = linear_problem()
        elif loss is None or grad is None or n_samples is None:
            raise TypeError("lr_explorer: give loss=, grad= and n_samples= together "
                            "(or problem=Problem(...))")
        else:
            problem = Problem(loss=loss, grad=grad, n_samples=int(n_samples))
    return LRExplorer(problem, lr=lr, epochs=epochs, w0=w0, mode=mode, **kwargs)
