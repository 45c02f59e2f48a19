"""bpcourse.course: the notebook helpers show real library code and compare programs honestly."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

from bpcourse.course import (ProgramOutputs, SEED_PROGRAM, count_graph_nodes, graph_ops, memory_growth,
                             run_program, show_source, side_by_side, source_of, to_bpcourse)
from bpcourse.scalar import Value, topological_order

DATA = Path(__file__).resolve().parents[1] / "data"


def test_seed_program_is_the_test_data_copy():
    assert SEED_PROGRAM == (DATA / "lecture4_backprop.py").read_text(encoding="utf-8")


def test_show_source_prints_the_installed_code_with_its_file(capsys):
    show_source(Value.__mul__)
    out = capsys.readouterr().out
    assert out.startswith("# bpcourse/scalar/engine.py\n")
    assert "def __mul__(self" in out and out.endswith("\n")
    show_source(topological_order, header=False)
    assert capsys.readouterr().out.startswith("def topological_order(")


def test_source_of_is_dedented_and_matches_the_file():
    text = source_of(Value.backward)
    assert text.startswith("def backward(self")
    engine = (Path(__file__).resolve().parents[2] / "bpcourse/scalar/engine.py").read_text()
    assert all(line.strip() in engine for line in text.splitlines())


def test_to_bpcourse_rewrites_only_import_lines():
    program = "import torch\nimport torch.nn as nn\nfrom torch import optim\nx = torch.ones(2)  # torch\n"
    assert to_bpcourse(program) == ("import bpcourse as torch\nimport bpcourse.nn as nn\n"
                                    "from bpcourse import optim\nx = torch.ones(2)  # torch\n")
    with pytest.raises(ValueError, match="no `import torch`"):
        to_bpcourse("import numpy\n")


def test_run_program_captures_stdout_and_reproduces_the_recorded_torch_output():
    expected = (DATA / "lecture4_backprop.torch-2.13.0.out").read_text(encoding="utf-8")
    assert run_program(SEED_PROGRAM, "torch") == expected
    assert run_program("import torch\nprint(torch.__name__)", "bpcourse") == "bpcourse\n"
    with pytest.raises(ValueError, match="engine must be"):
        run_program("print(1)", "jax")


def test_program_outputs_reports_differing_lines():
    same = ProgramOutputs("a\nb\n", "a\nb\n")
    assert same.identical and same.differing_lines() == []
    other = ProgramOutputs("a\nb\n", "a\nc\nd\n")
    assert not other.identical and other.differing_lines() == [2, 3]


def test_side_by_side_marks_differences_and_summarises_hidden_lines():
    left = "\n".join(f"line {i}" for i in range(10))
    right = left.replace("line 5", "line five")
    full = side_by_side(left, right, width=12).splitlines()
    assert full[0].split() == ["bpcourse", "torch"]
    assert full[2 + 5] == "line 5       ! line five" and full[2 + 4] == "line 4       = line 4"
    short = side_by_side(left, right, width=12, head=2, tail=1)
    assert "... 7 more lines, 1 of them different ..." in short
    assert short.splitlines()[-1] == "line 9       = line 9"


def test_count_graph_nodes_and_graph_ops_on_torch():
    w = torch.tensor([1.0], requires_grad=True)
    assert count_graph_nodes(w) == 0 and graph_ops(w) == []
    l = (3.0 * w - 6.0) ** 2
    assert graph_ops(l) == ["PowBackward0", "SubBackward0", "MulBackward0", "AccumulateGrad"]
    assert count_graph_nodes(l) == 4
    total = 0
    for _ in range(50):
        total += (3.0 * w - 6.0) ** 2
    assert count_graph_nodes(total) == 4 * 50 + 1  # Mul, Sub, Pow, Add per iteration + w's AccumulateGrad


def test_count_graph_nodes_is_iterative_on_deep_graphs():
    w = torch.tensor([1.0], requires_grad=True)
    y = w
    for _ in range(5000):  # deeper than Python's default recursion limit
        y = y * 1.0
    assert count_graph_nodes(y) == 5001


def test_memory_growth_sees_a_large_allocation_and_returns_the_result():
    result, mb = memory_growth(lambda: bytearray(64 * 2**20))
    assert len(result) == 64 * 2**20
    assert mb > 32


def test_format_seconds_gives_three_digits_and_a_unit_the_sanitizer_masks():
    import configparser
    import re

    from bpcourse.course.measure import format_seconds
    assert [format_seconds(s) for s in (2.054, 0.00123, 0.000117, 4.5e-6, 123.4)] == \
        ["2.05 s", "1.23 ms", "117 us", "4.50 us", "123 s"]
    rule = configparser.ConfigParser()
    rule.read(DATA.parent / "nbval_sanitize.cfg")
    regex, replace = rule["measured-times"]["regex"], rule["measured-times"]["replace"]
    masked = [re.sub(regex, replace, f"reverse {t:>10s} | 2410 JVPs, 64 images") for t in ("29.2 us", "1.94 s")]
    assert masked[0] == masked[1] and "2410 JVPs, 64 images" in masked[0]


def test_saved_activation_bytes_counts_one_buffer_per_activation_in_both_engines():
    import numpy as np

    import bpcourse
    from bpcourse.course.measure import saved_activation_bytes
    x = np.ones((8, 16), dtype=np.float32)
    for lib in (torch, bpcourse):
        lib.manual_seed(0)
        net = lib.nn.Sequential(lib.nn.Linear(16, 16), lib.nn.ReLU(), lib.nn.Linear(16, 16), lib.nn.ReLU())
        out, nbytes = saved_activation_bytes(lib, lambda: net(lib.tensor(x)).sum())
        assert nbytes == 2 * 8 * 16 * 4, (lib.__name__, nbytes)   # two ReLU outputs; weights and input not counted
        out.backward()
    with pytest.raises(ValueError, match="torch or bpcourse"):
        saved_activation_bytes(np, lambda: None)


def test_median_seconds_ignores_a_slow_outlier_and_rejects_zero_repeats():
    import time

    from bpcourse.course.measure import median_seconds
    calls = []
    def sometimes_slow():
        calls.append(1)
        if len(calls) == 3:
            time.sleep(0.2)
    assert median_seconds(sometimes_slow, repeat=5, warmup=1) < 0.1 and len(calls) == 6
    with pytest.raises(ValueError, match="repeat"):
        median_seconds(sometimes_slow, repeat=0)
