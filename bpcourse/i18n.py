"""The course's two languages: every message a learner sees outside the notebooks' prose.

    >>> import bpcourse
    >>> bpcourse.set_language("zh")      # widgets, `bpcourse doctor`, `bpcourse grade` in Chinese
    >>> tr("learning rate")
    '学习率'

A message is looked up by its English text (so the code that shows it still reads as English);
English is the default and needs no table. ``set_language`` also exports ``BPCOURSE_LANG``, so
``!bpcourse doctor`` and ``!bpcourse grade`` run from a Chinese notebook answer in Chinese.

Figure text is special: a Chinese character drawn with a font that lacks it becomes a box. So
``tr_figure`` gives Chinese only when a CJK font was found and handed to matplotlib (as a fallback
behind DejaVu Sans, which keeps Latin letters and digits as they were); without one, figures keep
their English text and ``bpcourse doctor`` says which font package to install.
"""
from __future__ import annotations

import os
import re

LANGUAGES = ("en", "zh")
_ALIASES = {"en": "en", "en_us": "en", "en-us": "en", "zh": "zh", "zh_cn": "zh", "zh-cn": "zh",
            "zh-hans": "zh", "zh_hans": "zh"}
# Fonts with the simplified-Chinese glyphs, in order of preference (Debian: fonts-noto-cjk,
# fonts-wqy-microhei, fonts-wqy-zenhei, fonts-arphic-uming; macOS and Windows ship the last ones).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
             "WenQuanYi Zen Hei", "Noto Sans CJK JP", "Droid Sans Fallback", "AR PL UMing CN",
             "PingFang SC", "Heiti SC", "Microsoft YaHei", "SimHei")
CJK_FONT_PACKAGE = "fonts-noto-cjk"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # Chinese characters and punctuation

_UNSET = object()
_state: dict = {"language": "en", "figure_font": _UNSET}


def _normalise(language: str) -> str:
    key = str(language).strip().lower()
    if key not in _ALIASES:
        raise ValueError(f"set_language: unknown language {language!r}; use one of {list(LANGUAGES)}")
    return _ALIASES[key]


def get_language() -> str:
    return _state["language"]


def set_language(language: str) -> None:
    """Switch what the course's widgets, doctor and grader print: ``"en"`` (default) or ``"zh"``.

    Call it before creating widgets (a widget keeps the labels it was made with).
    """
    language = _normalise(language)
    _state["language"] = language
    os.environ["BPCOURSE_LANG"] = language
    if language == "zh":
        _state["figure_font"] = use_cjk_font()


def cjk_font() -> str | None:
    """The name of an installed font that has Chinese glyphs, as matplotlib sees it, or None."""
    from matplotlib import font_manager
    names = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)


def use_cjk_font() -> str | None:
    """Put a CJK font behind the default font (DejaVu Sans) in matplotlib's font.family; its name, or None."""
    font = cjk_font()
    if font is not None:
        import matplotlib
        # matplotlib falls back glyph by glyph along font.family, not along the sans-serif list
        families = [f for f in matplotlib.rcParams["font.family"] if f != font]
        matplotlib.rcParams["font.family"] = [*families, font]
    return font


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: a Chinese character takes two."""
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def ljust(text: str, width: int) -> str:
    """``text.ljust(width)`` by display columns, so tables with Chinese stay aligned."""
    return text + " " * max(0, width - display_width(text))


def tr(message: str, **values) -> str:
    """``message`` in the current language, with ``{names}`` filled from ``values``."""
    text = message
    if _state["language"] == "zh":
        text = ZH.get(message, message)
    return text.format(**values) if values else text


def tr_figure(message: str, **values) -> str:
    """Like ``tr``, for text drawn in a matplotlib figure: Chinese only when a CJK font is in use."""
    if _state["language"] == "zh":
        if _state["figure_font"] is _UNSET:  # the language came from BPCOURSE_LANG
            _state["figure_font"] = use_cjk_font()
        if _state["figure_font"] is None:
            return message.format(**values) if values else message
    return tr(message, **values)


# English -> Chinese. Terms follow the glossary in README.zh.md and notebooks/zh/00_start_here.
ZH: dict[str, str] = {
    # lr_explorer
    "learning rate": "学习率",
    "epochs": "轮数",
    "initial w": "初始 w",
    "update": "更新方式",
    "batch GD": "批量梯度下降",
    "one step per sample, in order (the seed lecture's loop)": "每个样本更新一次，按顺序（即原讲座的循环）",
    "one step per epoch on the mean loss over all samples": "每轮更新一次，使用全部样本的平均损失",
    "epoch": "轮次",
    "loss (MSE)": "损失（MSE）",
    "data": "数据",
    "start": "起点",
    "after training": "训练后",
    "w after each epoch": "每轮之后的 w",
    "loss": "损失",
    "path of w on the loss curve": "w 在损失曲线上的路径",
    "loss per epoch: diverged at epoch {epoch}": "每轮损失：第 {epoch} 轮发散",
    "loss per epoch: final {loss}": "每轮损失：最终 {loss}",
    "{name}: w from {w0} to {w}": "{name}：w 从 {w0} 到 {w}",
    "{name}\nfinal w = {w}": "{name}\n最终 w = {w}",
    "converged": "已收敛",
    "slow": "收敛慢",
    "diverging": "正在发散",
    "diverged": "已发散",
    # training progress
    "training": "训练",
    "step": "步",
    "{title}: loss {loss}": "{title}：损失 {loss}",
    # training verdicts (lr_explorer's message line)
    " (stable below lr = {limit} for {mode})": "（{mode}下学习率低于 {limit} 才稳定）",
    "sgd": "SGD ",
    "batch": "批量梯度下降",
    "diverged at epoch {epoch}: the loss blew up; the learning rate {lr} is too large{limit}":
        "第 {epoch} 轮发散：损失爆炸了；学习率 {lr} 太大{limit}",
    "diverging: the loss grew from {first} to {final} in {epochs} epochs; the learning rate {lr} is too large{limit}":
        "正在发散：{epochs} 轮内损失从 {first} 增长到 {final}；学习率 {lr} 太大{limit}",
    "converged: final loss {final} after {epochs} epochs (w = {w})":
        "已收敛：{epochs} 轮后最终损失 {final}（w = {w}）",
    "a larger learning rate gets there sooner": "更大的学习率会更快到达",
    "lr is close to the stability limit {limit}: w overshoots and oscillates, "
    "a somewhat smaller learning rate converges faster":
        "学习率接近稳定上限 {limit}：w 越过最低点来回振荡，稍小一点的学习率反而收敛更快",
    "slow: final loss {final} after {epochs} epochs (w = {w}); {advice}{limit}":
        "收敛慢：{epochs} 轮后最终损失 {final}（w = {w}）；{advice}{limit}",
    "loss {loss}": "损失 {loss}",
    # backward stepper
    "◀ Prev": "◀ 上一步",
    "Next ▶": "下一步 ▶",
    "the step before": "回到上一步",
    "apply the chain rule at the next node": "在下一个节点上应用链式法则",
    "leaf": "叶子",
    "input": "输入",
    "local grad": "局部梯度",
    "x node.grad": "× node.grad",
    "= added": "= 累加量",
    "grads so far:": "目前的梯度：",
    "backward_stepper: {n} steps": "backward_stepper：共 {n} 步",
    "  <- updated": "  <- 已更新",
    "\ndone: these are the grads root.backward() gives.": "\n完成：这些就是 root.backward() 给出的梯度。",
    "step 0: start, d root / d root = 1": "第 0 步：开始，d 根 / d 根 = 1",
    "step {step} of {last}: chain rule at {node} ({op})": "第 {step} 步（共 {last} 步）：在 {node}（{op}）处应用链式法则",
    "step 0 of {last}: start. The root, {root}, gets grad 1 (d root / d root); every other grad is 0.":
        "第 0 步（共 {last} 步）：开始。根节点 {root} 的梯度为 1（d 根 / d 根），其余梯度都是 0。",
    "step {step} of {last}: chain rule at {formula}; its grad = {grad}":
        "第 {step} 步（共 {last} 步）：在 {formula} 处应用链式法则；它的梯度 = {grad}",
    # doctor
    "widget extension": "小部件扩展",
    "kernel python": "内核的 Python",
    "enabled": "已启用",
    "not found": "未找到",
    "missing": "缺失",
    "Chinese font": "中文字体",
    "install Python 3.10 or newer": "请安装 Python 3.10 或更新版本",
    "{package} is missing: run `make lab` (or `pip install -r requirements-lock.txt`)":
        "缺少 {package}：请运行 `make lab`（或 `pip install -r requirements-lock.txt`）",
    "expected {want} (requirements-lock.txt); stored notebook outputs may differ. "
    "Run `make lab` from the course folder to use the locked environment":
        "应为 {want}（见 requirements-lock.txt）；笔记本中保存的输出可能对不上。"
        "请在课程目录下运行 `make lab`，使用锁定的环境",
    "install jupyterlab_widgets into the environment that runs JupyterLab (`make lab` does), "
    "then reload the browser tab":
        "请把 jupyterlab_widgets 安装进运行 JupyterLab 的环境（`make lab` 会做这件事），然后刷新浏览器页面",
    "unexpected interpreter": "意料之外的解释器",
    "grader kernel": "评分内核",
    "unknown": "未知",
    "could not check the grader's sandbox: {exc}": "无法检查评分器的沙箱：{exc}",
    "runs as you": "以你的身份运行",
    "own uid; its Python is readable": "独立的 uid；它能读取 Python",
    "no font with Chinese glyphs: figures keep English text. Install one (Debian/Ubuntu: "
    "`sudo apt-get install {package}`), then restart the kernel":
        "没有带中文字形的字体：图中文字保持英文。请安装一个（Debian/Ubuntu：`sudo apt-get install {package}`），然后重启内核",
    "All good: the course is ready.": "一切正常：课程已就绪。",
    "{count} thing(s) to fix, see above.": "有 {count} 处需要修复，见上文。",
    # grader
    "question": "题目",
    "points": "得分",
    "status": "状态",
    "first line of the failure": "失败信息（第一行）",
    "total: {total} / {max}": "总分：{total} / {max}",
    "note: {note}": "注：{note}",
    "warnings on stderr (reported, never penalised):": "stderr 上的警告（只报告，不扣分）：",
    "grading {notebook} against {source} in a fresh kernel ...": "正在全新内核中按 {source} 评分 {notebook} ……",
    "{student}: {total} / {max} points ({status})": "{student}：{total} / {max} 分（{status}）",
    "Notes on the grading:": "评分说明：",
    "Warnings printed on stderr (reported, never penalised):": "stderr 上打印的警告（只报告，不扣分）：",
    "passed": "通过",
    "failed": "未通过",
    "not implemented": "未作答",
    "error": "出错",
    "timeout": "超时",
    "kernel died": "内核崩溃",
    "memory limit": "超出内存限制",
    "not run": "未运行",
    "not answered yet (the stub raises NotImplementedError)": "尚未作答（占位代码抛出 NotImplementedError）",
    "ok": "正常",
}


def _language_from_environment() -> str:
    try:
        return _normalise(os.environ.get("BPCOURSE_LANG", "en") or "en")
    except ValueError:
        return "en"


_state["language"] = _language_from_environment()
