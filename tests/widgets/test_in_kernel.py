"""The widgets in a real kernel (nbclient, no browser): each cell shows the widget with a short
readable text form, TrainingProgress shows itself, and nothing reaches stderr."""
from __future__ import annotations

import nbformat
from nbclient import NotebookClient

CELLS = [
    "from bpcourse.widgets import lr_explorer, backward_stepper, TrainingProgress\n"
    "from bpcourse.scalar import Value\nfrom bpcourse.viz import draw_graph",
    "explorer = lr_explorer()\nexplorer",
    "explorer.lr_slider.value = 0.25\nprint(explorer.message)",
    "a = Value(2.0, label='a')\ny = a * a + a\ny.label = 'y'\nbackward_stepper(y)",
    "progress = TrainingProgress(20)\nfor i in range(20):\n    progress.update(i, 1 / (i + 1))\n"
    "progress.done()",
    "draw_graph(y)",
]
WIDGET = "application/vnd.jupyter.widget-view+json"


def test_widgets_display_cleanly_in_a_kernel(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [cell.outputs for cell in nb.cells]
    assert all(out.get("name") != "stderr" for cell in outputs for out in cell), outputs
    assert outputs[0] == []
    (explorer,) = outputs[1]
    assert WIDGET in explorer.data
    assert explorer.data["text/plain"].startswith("lr_explorer: converged: final loss")
    assert outputs[2][0].text.startswith("diverged at epoch 7")
    assert outputs[3][0].data["text/plain"] == "backward_stepper: 2 steps"
    (progress,) = outputs[4]                                  # shown once, by the constructor
    assert progress.output_type == "display_data" and WIDGET in progress.data
    (picture,) = outputs[5]
    assert picture.data["text/plain"] == "<GraphPicture: 3 nodes, 4 edges>"
    assert picture.data["image/png"]
