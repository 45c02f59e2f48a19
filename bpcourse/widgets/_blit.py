"""Redrawing a widget's figure fast: draw what never changes once, then only what moves.

A full matplotlib draw of a three-panel figure costs ~130 ms, most of it in the axes' tick
machinery (one Tick object per tick, each with its lines, texts and bounding boxes) and in
placing titles and axis labels around them. A slider move changes only the data, the limits and
the titles. So a ``BlitFigure`` renders the static part (frames, fixed axes, axis labels) once
into a saved background; an update restores that background and draws the moving artists on it
-- the lines, and ``LeanTicks``: the tick marks as one marker line per axis and the labels from a
small pool of texts, placed where matplotlib's own axis would put them.
"""
from __future__ import annotations

import io
import re
from typing import Any

import numpy as np
from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import TICKDOWN, TICKLEFT, Line2D
from matplotlib.text import Text
from matplotlib.transforms import ScaledTranslation
from PIL import Image


class LeanTicks:
    """One axis's ticks, grid and tick labels, drawn from its locator and formatter without
    matplotlib's Tick objects. The Axis itself is hidden; its label is a plain text instead."""

    def __init__(self, ax: Axes, which: str, label: str, grid: bool = False, max_labels: int = 12) -> None:
        self.ax, self.which = ax, which
        self.axis = ax.xaxis if which == "x" else ax.yaxis
        self.axis.set_visible(False)                  # matplotlib's Tick machinery stays idle
        self.axis.set_label_text(label)               # kept for reading back; drawn by self.label
        pad = rcParams["xtick.major.pad"]
        if which == "x":
            tick_transform, marker = ax.get_xaxis_transform(), TICKDOWN
            text_transform, va, ha = ax.get_xaxis_text1_transform(pad)
        else:
            tick_transform, marker = ax.get_yaxis_transform(), TICKLEFT
            text_transform, va, ha = ax.get_yaxis_text1_transform(pad)
        size = rcParams["xtick.labelsize"]
        self.major = Line2D([], [], transform=tick_transform, marker=marker, linestyle="None",
                            markersize=rcParams["xtick.major.size"], markeredgewidth=rcParams["xtick.major.width"],
                            color=rcParams["xtick.color"], animated=True)
        self.minor = Line2D([], [], transform=tick_transform, marker=marker, linestyle="None",
                            markersize=rcParams["xtick.minor.size"], markeredgewidth=rcParams["xtick.minor.width"],
                            color=rcParams["xtick.color"], animated=True)
        self.grid = Line2D([], [], transform=tick_transform, color=rcParams["grid.color"],
                           linewidth=rcParams["grid.linewidth"], alpha=0.3, animated=True) if grid else None
        self.labels = [Text(0, 0, "", transform=text_transform, va=va, ha=ha, fontsize=size, animated=True)
                       for _ in range(max_labels)]
        # children of the axes, so that savefig (which draws animated artists too) shows them
        for artist in [self.major, self.minor, *self.labels]:
            ax.add_artist(artist)
            artist.set_clip_on(False)
        if self.grid is not None:
            self.grid.set_zorder(1.5)       # under the lines, as matplotlib's grid
            ax.add_artist(self.grid)
        # the offset or exponent a ScalarFormatter moves out of the labels ("1e12" over the axis)
        if which == "x":
            self.offset = Text(1, 0, "", transform=ax.transAxes, ha="right", va="top", fontsize=size, animated=True)
        else:
            self.offset = Text(0, 1.01, "", transform=ax.transAxes, ha="left", va="bottom", fontsize=size,
                               animated=True)
        ax.add_artist(self.offset)
        self.offset.set_clip_on(False)
        # the axis label, about where matplotlib puts it: past the tick (3.5 points), the pad
        # (3.5), the tick labels and the label pad (4); a y label follows the labels' width
        fontsize = rcParams["axes.labelsize"]
        if which == "x":
            shift = ScaledTranslation(0, -20 / 72, ax.figure.dpi_scale_trans)
            self.label = Text(0.5, 0, label, transform=ax.transAxes + shift, ha="center", va="top",
                              fontsize=fontsize)
            ax.add_artist(self.label)       # static: drawn into the background
            self.label.set_clip_on(False)   # (add_artist clips to the axes, and it lies outside)
        else:
            self.label = Text(0, 0.5, label, ha="right", va="center", rotation=90, fontsize=fontsize,
                              animated=True)
            ax.add_artist(self.label)
            self.label.set_clip_on(False)

    def _in_view(self, values: np.ndarray) -> np.ndarray:
        lo, hi = sorted(self.axis.get_view_interval())
        transform = self.axis.get_transform()
        t_lo, t_hi = transform.transform([lo, hi])
        with np.errstate(invalid="ignore", divide="ignore"):
            t = transform.transform(np.asarray(values, dtype=float))
        tol = 1e-10 * max(abs(t_hi - t_lo), 1e-300)
        return np.asarray(values)[(t >= t_lo - tol) & (t <= t_hi + tol)]

    def update(self) -> None:
        """Ticks and labels for the axis's current limits (call after set_xlim/set_ylim)."""
        locs = self._in_view(self.axis.get_major_locator()())
        formatter = self.axis.get_major_formatter()
        texts = formatter.format_ticks(locs) if len(locs) else []
        minor = self._in_view(self.axis.get_minor_locator()())
        minor = minor[~np.isin(minor, locs)] if len(minor) else minor
        zeros = np.zeros(len(locs))
        if self.which == "x":
            self.major.set_data(locs, zeros)
            self.minor.set_data(minor, np.zeros(len(minor)))
        else:
            self.major.set_data(zeros, locs)
            self.minor.set_data(np.zeros(len(minor)), minor)
        if self.grid is not None:
            across = np.tile([0.0, 1.0, np.nan], len(locs))
            along = np.repeat(locs, 3)
            self.grid.set_data((along, across) if self.which == "x" else (across, along))
        for i, text in enumerate(self.labels):
            if i < len(locs):
                text.set_text(texts[i])
                text.set_position((locs[i], 0) if self.which == "x" else (0, locs[i]))
                text.set_visible(True)
            else:
                text.set_visible(False)
        self.offset.set_text(formatter.get_offset() if hasattr(formatter, "get_offset") else "")
        if self.which == "y":   # about 6.4 points per character of DejaVu Sans at 10 points
            widest = max((len(re.sub(r"\\mathdefault|[${}^]", "", t)) for t in texts), default=1)
            shift = ScaledTranslation(-(11 + 6.4 * widest) / 72, 0, self.ax.figure.dpi_scale_trans)
            self.label.set_transform(self.ax.transAxes + shift)

    def grid_artists(self) -> list:
        return [self.grid] if self.grid is not None else []

    def artists(self) -> list:
        """The moving artists, for BlitFigure.add_moving (hidden labels are skipped when drawing)."""
        moving = [self.minor, self.major, *self.labels, self.offset]
        return moving + [self.label] if self.which == "y" else moving


class BlitFigure:
    """A figure drawn once in full, then updated by redrawing only its ``animated`` artists.

    ``moving`` lists, in drawing order, the artists an update changes; they are marked animated,
    so the full draw that makes the background leaves them out.
    """

    def __init__(self, figure: Figure) -> None:
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self.background = None
        self.moving: list = []
        self.on_top: list = []

    def keep_on_top(self, *artists: Any) -> None:
        """Static artists that lie over moving ones (legends over lines): drawn into the background,
        then their pixels are put back over the moving artists (they hide what passes under them)."""
        self.on_top.extend(artists)

    def add_moving(self, *artists: Any) -> None:
        for artist in artists:
            artist.set_animated(True)
            self.moving.append(artist)

    def render_png(self, static_key: Any = None) -> bytes:
        """The figure as PNG bytes. ``static_key``: what the background depends on (the epochs of
        a loss plot's x axis, say); when it changes, the background is drawn again."""
        if static_key != getattr(self, "static_key", None):
            self.background, self.static_key = None, static_key
        if self.background is None:
            self.canvas.draw()          # everything but the moving artists
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
            renderer = self.canvas.get_renderer()
            self.top_boxes = [a.get_window_extent(renderer).padded(1) for a in self.on_top]
        else:
            self.canvas.restore_region(self.background)
        renderer = self.canvas.get_renderer()
        for artist in self.moving:
            if artist.get_visible():
                artist.draw(renderer)
        height = self.figure.bbox.height
        for box in self.top_boxes:      # pixel rows counted from the top; xy: where the saved
            x0, x1 = int(box.x0), int(np.ceil(box.x1))      # region's corner goes (it is the whole figure)
            y0, y1 = int(height - np.ceil(box.y1)), int(height - box.y0)
            self.canvas.restore_region(self.background, bbox=(x0, y0, x1, y1), xy=(0, 0))
        rgba = np.asarray(self.canvas.buffer_rgba())
        buffer = io.BytesIO()
        # RGB (the figure is opaque white) and zlib level 1: a few kB more, several ms less
        Image.fromarray(rgba[..., :3]).save(buffer, format="png", compress_level=1)
        return buffer.getvalue()
