"""Showing matplotlib figures inside ipywidgets without pyplot.

Widgets draw into ``matplotlib.figure.Figure`` objects they own (never ``plt.figure()``), so
nothing leaks into a notebook's output as an extra figure and nothing needs closing. The PNG is
put into an ``ipywidgets.Output`` by setting its ``outputs`` directly: that works the same in a
running kernel, under nbclient and in a plain Python test (where there is no display at all).
"""
from __future__ import annotations

import base64
import io
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

DPI = 80


def figure_png(figure: Figure, dpi: int = DPI) -> bytes:
    buffer = io.BytesIO()
    # compress_level 1: a few kB bigger, several ms faster than the default 6
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white",
                   pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def show_png(output: widgets.Output, png: bytes, alt: str) -> None:
    """Replace what ``output`` shows with one PNG image (``alt`` is its text/plain form)."""
    output.outputs = ({"output_type": "display_data",
                       "data": {"image/png": base64.b64encode(png).decode("ascii"),
                                "text/plain": alt},
                       "metadata": {}},)


def shown_png(output: widgets.Output) -> bytes | None:
    """The PNG bytes an Output currently shows (for tests), or None."""
    for item in output.outputs:
        data = item.get("data", {})
        if "image/png" in data:
            return base64.b64decode(data["image/png"])
    return None


def widget_bundle(widget: widgets.Widget, text: str, **kwargs: Any) -> dict:
    """The widget's display data, with a short readable text/plain (not the widget's repr)."""
    bundle = widget._repr_mimebundle_(**kwargs) or {}
    bundle = dict(bundle)
    bundle["text/plain"] = text
    return bundle


def in_kernel() -> bool:
    """True inside a running Jupyter kernel (where display() reaches a front end)."""
    try:
        from IPython import get_ipython
    except ImportError:                 # pragma: no cover - IPython comes with ipywidgets
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None
