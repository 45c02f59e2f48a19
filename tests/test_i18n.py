"""What the learner sees outside the prose follows the course language (bpcourse.i18n, issue 14)."""
from __future__ import annotations

import ast
import io
import os
import re
import string
import subprocess
import sys
import warnings
from contextlib import redirect_stdout
from pathlib import Path

import pytest

import bpcourse
from bpcourse import i18n

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def chinese():
    """The course in Chinese for one test; English (and the figure font) restored after."""
    import matplotlib
    saved_env, saved_family = os.environ.get("BPCOURSE_LANG"), list(matplotlib.rcParams["font.family"])
    bpcourse.set_language("zh")
    yield
    i18n.set_language("en")
    matplotlib.rcParams["font.family"] = saved_family
    i18n._state["figure_font"] = i18n._UNSET
    if saved_env is None:
        os.environ.pop("BPCOURSE_LANG", None)
    else:
        os.environ["BPCOURSE_LANG"] = saved_env


def looked_up_messages() -> list[tuple[str, int, str]]:
    """Every literal passed to tr()/tr_figure() in the package: (file, line, message)."""
    found = []
    for path in sorted((ROOT / "bpcourse").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("tr", "tr_figure")
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.append((str(path.relative_to(ROOT)), node.lineno, node.args[0].value))
    return found


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_shown_through_tr_has_a_chinese_entry_with_the_same_fields():
    messages = looked_up_messages()
    assert len(messages) > 60                      # widgets, doctor and grader all go through tr()
    missing = [f"{f}:{line}: {m!r}" for f, line, m in messages if m not in i18n.ZH]
    assert not missing, "add these to bpcourse/i18n.py ZH:\n" + "\n".join(missing)
    wrong = [m for m, zh in i18n.ZH.items() if fields(m) != fields(zh)]
    assert not wrong, f"placeholders differ between English and Chinese: {wrong}"
    unused_ok = {m for _, _, m in messages} | {"passed", "failed", "not implemented", "error", "timeout",
                                                "kernel died", "memory limit", "not run", "ok", "converged",
                                                "slow", "diverging", "diverged", "training", "leaf", "sgd", "batch", "runs as you",
                                                "own uid; its Python is readable",
                                                "not answered yet (the stub raises NotImplementedError)"}
    assert not set(i18n.ZH) - unused_ok, f"entries nothing looks up: {set(i18n.ZH) - unused_ok}"


def test_english_is_the_default_and_unknown_languages_are_refused():
    assert i18n.get_language() == "en"
    assert i18n.tr("learning rate") == "learning rate"
    with pytest.raises(ValueError, match=r"set_language: unknown language 'fr'; use one of \['en', 'zh'\]"):
        bpcourse.set_language("fr")


def test_set_language_accepts_common_spellings_and_exports_the_language(chinese):
    assert i18n.get_language() == "zh" and os.environ["BPCOURSE_LANG"] == "zh"
    for spelling in ("zh_CN", "zh-Hans", "ZH"):
        bpcourse.set_language(spelling)
        assert i18n.get_language() == "zh"


def test_lr_explorer_labels_and_verdicts_in_chinese(chinese):
    from bpcourse.widgets import lr_explorer
    explorer = lr_explorer()
    assert explorer.lr_slider.description == "学习率"
    assert explorer.epochs_slider.description == "轮数"
    assert [label for label, _ in explorer.mode_toggle.options] == ["SGD", "批量梯度下降"]
    assert explorer.message.startswith("已收敛：100 轮后最终损失")
    explorer.lr_slider.value = 0.25
    assert explorer.result.status == "diverged"            # the status keys stay English
    assert re.match(r"第 \d+ 轮发散：损失爆炸了；学习率 0\.25 太大（SGD 下学习率低于 0\.204 才稳定）", explorer.message)
    assert "发散" in explorer.status.value
    assert explorer.ax_loss.get_title().startswith("每轮损失：第")


def test_widgets_stay_english_by_default():
    from bpcourse.widgets import lr_explorer
    explorer = lr_explorer()
    assert explorer.lr_slider.description == "learning rate"
    assert explorer.message.startswith("converged: final loss")


def test_backward_stepper_and_training_progress_in_chinese(chinese):
    from bpcourse.scalar import Value
    from bpcourse.widgets import TrainingProgress, backward_stepper
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    loss = a * b + a
    stepper = backward_stepper(loss)
    assert stepper.slider.description == "步"
    assert stepper.next_button.description == "下一步 ▶" and stepper.prev_button.description == "◀ 上一步"
    assert "第 0 步（共" in stepper.table and "目前的梯度：" in stepper.table
    stepper.go(1)
    assert stepper.table.startswith("第 1 步（共") and "局部梯度" in stepper.table
    progress = TrainingProgress(3, display=False)
    assert progress.bar.description == "训练"
    progress.update(0, 0.5)
    assert "损失 0.5" in progress.label.value


def test_widget_figures_draw_chinese_without_missing_glyphs(chinese):
    """matplotlib warns 'Glyph ... missing from font(s)' for a box; here that warning is an error."""
    if i18n.cjk_font() is None:
        pytest.fail(f"no CJK font installed: apt-get install {i18n.CJK_FONT_PACKAGE} (.ci/run does)")
    from bpcourse.scalar import Value
    from bpcourse.widgets import TrainingProgress, backward_stepper, lr_explorer
    from bpcourse.widgets._figures import figure_png
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer = lr_explorer(lr=0.25)                     # the 'diverged' titles
        figure_png(explorer.figure)
        x = Value(3.0, label="x")
        stepper = backward_stepper(x * x + x)
        stepper.go(2)
        progress = TrainingProgress(2, display=False)
        progress.update(0, 1.0)
        progress.done()
    assert any(i18n.CJK.search(t.get_text()) for ax in explorer.figure.axes
               for t in [ax.title, ax.xaxis.label, ax.yaxis.label])


def test_without_a_cjk_font_figures_keep_english_text_and_doctor_says_what_to_install(chinese, monkeypatch):
    import matplotlib
    from bpcourse import doctor
    monkeypatch.setattr(i18n, "cjk_font", lambda: None)
    monkeypatch.setattr(doctor, "cjk_font", lambda: None)
    matplotlib.rcParams["font.family"] = ["sans-serif"]
    bpcourse.set_language("zh")
    assert i18n.tr_figure("path of w on the loss curve") == "path of w on the loss curve"
    assert i18n.tr("learning rate") == "学习率"                # widget labels are HTML: the browser has fonts
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from bpcourse.widgets import lr_explorer
        from bpcourse.widgets._figures import figure_png
        figure_png(lr_explorer().figure)                    # no Chinese drawn, so no box
    rows = {name: (found, advice) for name, found, advice in doctor.checks()}
    found, advice = rows["中文字体"]
    assert found == "未找到" and "apt-get install fonts-noto-cjk" in advice


def test_doctor_in_chinese_aligns_its_columns(chinese):
    from bpcourse.doctor import checks, run_doctor
    out = io.StringIO()
    with redirect_stdout(out):
        run_doctor()
    lines = [line for line in out.getvalue().splitlines() if line.startswith("[")]
    assert any(line.startswith("[ok ] 小部件扩展") for line in lines)
    assert out.getvalue().splitlines()[-1] == "一切正常：课程已就绪。" or \
        re.fullmatch(r"有 \d+ 处需要修复，见上文。", out.getvalue().splitlines()[-1])
    founds = [found for _, found, _ in checks()]
    starts = {i18n.display_width(line) - i18n.display_width(found) for line, found in zip(lines, founds)}
    assert len(starts) == 1, f"the second column is not aligned:\n" + "\n".join(lines)


def test_bpcourse_doctor_command_follows_BPCOURSE_LANG():
    env = dict(os.environ, BPCOURSE_LANG="zh")
    out = subprocess.run([sys.executable, "-m", "bpcourse", "doctor"], capture_output=True, text=True, env=env).stdout
    assert "小部件扩展" in out
    env["BPCOURSE_LANG"] = "en"
    out = subprocess.run([sys.executable, "-m", "bpcourse", "doctor"], capture_output=True, text=True, env=env).stdout
    assert "widget extension" in out and "小部件" not in out


def test_grade_table_in_chinese(chinese):
    from bpcourse.grader.cli import print_table
    from bpcourse.grader.runner import QuestionResult, SubmissionResult
    result = SubmissionResult("me", Path("me.ipynb"), "ok",
                              [QuestionResult("q1_loss", 1.0, 1.0, "passed", ""),
                               QuestionResult("q2_grad", 0.0, 2.0, "not implemented",
                                              "not answered yet (the stub raises NotImplementedError)"),
                               QuestionResult("q3_fit", 0.0, 2.0, "failed", "dW disagrees with finite differences")],
                              1.0)
    out = io.StringIO()
    with redirect_stdout(out):
        print_table(result)
    text = out.getvalue()
    assert text.splitlines()[0].split() == ["题目", "得分", "状态", "失败信息（第一行）"]
    assert "q2_grad  0/2   未作答  尚未作答（占位代码抛出 NotImplementedError）" in text
    assert "未通过" in text and "dW disagrees with finite differences" in text   # a check's own words stay
    assert "总分：1 / 5" in text


def test_grade_language_option_and_the_notebooks_own_language(tmp_path, monkeypatch):
    from bpcourse.grader import cli
    monkeypatch.delenv("BPCOURSE_LANG", raising=False)
    assert cli.parser().parse_args(["--lang", "zh", "x.ipynb"]).lang == "zh"
    with pytest.raises(SystemExit):
        cli.parser().parse_args(["--lang", "fr", "x.ipynb"])
    assert cli.notebook_language(ROOT / "exercises" / "zh" / "01_linear_model_gradient_descent.ipynb") == "zh"
    assert cli.notebook_language(ROOT / "exercises" / "01_linear_model_gradient_descent.ipynb") is None
    assert cli.notebook_language(tmp_path / "absent.ipynb") is None
    assert cli.default_source(ROOT / "exercises" / "zh" / "03_matrix_calculus_backprop.ipynb") == \
        ROOT / "solutions" / "zh" / "03_matrix_calculus_backprop.ipynb"
    assert cli.default_source(ROOT / "exercises" / "03_matrix_calculus_backprop.ipynb") == \
        ROOT / "solutions" / "03_matrix_calculus_backprop.ipynb"


def test_batch_feedback_in_chinese(chinese):
    from bpcourse.grader.batch import feedback_text
    from bpcourse.grader.runner import QuestionResult, SubmissionResult
    r = SubmissionResult("s1", Path("s1.ipynb"), "ok", [QuestionResult("q1", 0.0, 2.0, "failed", "wrong")], 1.0,
                         ["careful"], ["a note"])
    text = feedback_text(r)
    assert text.startswith("s1：0 / 2 分（ok）") and "未通过" in text
    assert "评分说明：" in text and "stderr 上打印的警告（只报告，不扣分）：" in text
