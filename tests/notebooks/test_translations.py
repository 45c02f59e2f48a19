"""The Chinese course is kept in step with the English one (issue 14).

- every English markdown cell has a Chinese translation of its *current* text (stale and missing
  translations fail, naming the notebook and the cell), shown to fail on mutated copies;
- every English notebook, solution and exercise has a Chinese one under zh/ with the same code
  cells, cell ids and grade_ids (plus one language-switch cell), prose in Chinese, committed
  executed and up to date with its sources.
"""
from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as tool  # noqa: E402  (tools/notebooks.py)
import translation  # noqa: E402  (tools/translation.py)

SOURCES = sorted((ROOT / "notebooks" / "src").glob("*.py")) + sorted((ROOT / "solutions" / "src").glob("*.py"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def label(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.stem}"


def english_notebooks() -> list[Path]:
    return [p for folder in ("notebooks", "solutions", "exercises")
            for p in sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb"))]


# ----- staleness and completeness -----

@pytest.mark.parametrize("source", SOURCES, ids=[label(p) for p in SOURCES])
def test_every_markdown_cell_has_a_current_chinese_translation(source):
    problems = translation.check_source(source, tool.read_source)
    assert not problems, ("Chinese prose out of step with the English (fix the .zh.md, then "
                          "`python tools/notebooks.py zh-stamp`):\n" + "\n".join(map(str, problems)))


def copy_course_file(tmp_path: Path, name: str = "01_linear_model_gradient_descent") -> Path:
    """A copy of notebooks/src/<name>.py and its .zh.md in a scratch course folder."""
    src = tmp_path / "notebooks" / "src"
    src.mkdir(parents=True)
    for suffix in (".py", ".zh.md"):
        shutil.copy(ROOT / "notebooks" / "src" / f"{name}{suffix}", src / f"{name}{suffix}")
    return src / f"{name}.py"


def test_the_copy_starts_clean(tmp_path):
    source = copy_course_file(tmp_path)
    assert translation.check_source(source, tool.read_source) == []


def test_changed_english_prose_is_reported_stale_naming_the_cell(tmp_path):
    source = copy_course_file(tmp_path)
    text = source.read_text(encoding="utf-8")
    changed = text.replace("# ## The data and the model", "# ## The data and the model we fit", 1)
    assert changed != text
    source.write_text(changed, encoding="utf-8")
    problems = translation.check_source(source, tool.read_source)
    assert [(p.kind, p.cell_id) for p in problems] == [("stale", "01-linear-model-grad-002")]
    assert "notebooks/01_linear_model_gradient_descent: cell 01-linear-model-grad-002: stale" in str(problems[0])


def test_a_deleted_translation_is_reported_missing(tmp_path):
    source = copy_course_file(tmp_path)
    sidecar = translation.sidecar_of(source)
    text = sidecar.read_text(encoding="utf-8")
    cut = re.sub(r"<!-- cell 01-linear-model-grad-006 en=\w+ -->\n.*?(?=<!-- cell )", "", text, flags=re.S)
    assert cut != text
    sidecar.write_text(cut, encoding="utf-8")
    problems = translation.check_source(source, tool.read_source)
    assert [(p.kind, p.cell_id) for p in problems] == [("missing", "01-linear-model-grad-006")]


def test_a_new_english_cell_is_missing_and_the_others_stay_current(tmp_path):
    """Inserting a cell shifts every later cell id; translations follow their text, not their position."""
    source = copy_course_file(tmp_path)
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("# %% [markdown] slide=slide\n# ## The data and the model",
                                   "# %% [markdown]\n# A new paragraph.\n\n"
                                   "# %% [markdown] slide=slide\n# ## The data and the model", 1),
                      encoding="utf-8")
    problems = translation.check_source(source, tool.read_source)
    assert [(p.kind, p.cell_id) for p in problems] == [("missing", "01-linear-model-grad-002")]
    assert "A new paragraph" in problems[0].english


def test_a_missing_sidecar_is_a_failure(tmp_path):
    source = copy_course_file(tmp_path)
    translation.sidecar_of(source).unlink()
    problems = translation.check_source(source, tool.read_source)
    assert problems and problems[0].kind == "missing"


def test_stamp_records_the_hash_of_a_new_translation(tmp_path):
    source = copy_course_file(tmp_path)
    sidecar = translation.sidecar_of(source)
    text = sidecar.read_text(encoding="utf-8")
    sidecar.write_text(re.sub(r"<!-- cell 01-linear-model-grad-006 en=\w+ -->",
                              "<!-- cell 01-linear-model-grad-006 -->", text), encoding="utf-8")
    assert [p.kind for p in translation.check_source(source, tool.read_source)] == ["unstamped"]
    assert translation.stamp(source, tool.read_source) == ["01-linear-model-grad-006"]
    assert translation.check_source(source, tool.read_source) == []
    assert sidecar.read_text(encoding="utf-8") == text


# ----- the built Chinese notebooks -----

def chinese_twin(path: Path) -> Path:
    return path.parent / "zh" / path.name


def code_cells(nb) -> list[tuple[str, str, str | None]]:
    return [(c.get("id"), c.source, c.metadata.get("nbgrader", {}).get("grade_id"))
            for c in nb.cells if c.cell_type == "code" and "bpcourse-language" not in c.metadata.get("tags", [])]


@pytest.mark.parametrize("english", english_notebooks(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_chinese_twin_has_the_same_code_ids_and_grade_ids_and_chinese_prose(english):
    zh_path = chinese_twin(english)
    assert zh_path.exists(), f"no Chinese version of {english.relative_to(ROOT)}: run `make notebooks`"
    en, zh = nbformat.read(english, as_version=4), nbformat.read(zh_path, as_version=4)
    assert code_cells(zh) == code_cells(en)
    switches = [c for c in zh.cells if "bpcourse-language" in c.metadata.get("tags", [])]
    assert len(switches) == 1 and switches[0].source == translation.SWITCH_SOURCE
    assert zh.metadata["bpcourse"]["language"] == "zh"
    en_md = [c for c in en.cells if c.cell_type == "markdown"]
    zh_md = [c for c in zh.cells if c.cell_type == "markdown"]
    assert [c.get("id") for c in zh_md] == [c.get("id") for c in en_md]
    assert [c.metadata for c in zh_md] == [c.metadata for c in en_md]   # nbgrader, slides
    english_only = [c.get("id") for c in zh_md if re.search(r"[A-Za-z]{4}", c.source) and not CJK.search(c.source)]
    assert not english_only, f"markdown cells without Chinese: {english_only}"


@pytest.mark.parametrize("folder", ["notebooks", "solutions"])
def test_committed_chinese_notebooks_match_sources_and_translations(folder):
    assert tool.check(ROOT / folder, ["zh"]) == 0, "run `make notebooks`"


def test_chinese_exercises_are_generated_from_the_chinese_solutions():
    from bpcourse.grader.generate import exercise_bytes
    solutions = sorted((ROOT / "solutions" / "zh").glob("[0-9][0-9]_*.ipynb"))
    assert solutions
    for solution in solutions:
        exercise = ROOT / "exercises" / "zh" / solution.name
        assert exercise.read_bytes() == exercise_bytes(solution), f"{exercise}: run `make exercises`"


ZH_EXECUTED = [chinese_twin(p) for p in english_notebooks() if p.parent.name != "exercises"]


@pytest.mark.parametrize("path", ZH_EXECUTED, ids=lambda p: f"{p.parent.parent.name}/zh/{p.stem}")
def test_chinese_notebook_is_committed_executed_without_errors_or_stderr(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        assert cell.execution_count is not None, f"{cell.id}: commit it executed (`make notebooks`)"
        for out in cell.outputs:
            assert out.output_type != "error", f"{cell.id}: stored error"
            if out.output_type == "stream" and out.name == "stderr":
                assert "nbval-ignore-output" in cell.metadata.get("tags", []), f"{cell.id}: stderr:\n{out.text[:300]}"
            assert "missing from font" not in json.dumps(out), f"{cell.id}: a figure lacks glyphs"


def markdown_links(text: str) -> list[str]:
    """The targets of [text](target) links, with balanced parentheses inside the target."""
    targets = []
    for start in [m.end() for m in re.finditer(r"\]\(", text)]:
        depth, end = 1, start
        while end < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        targets.append(text[start:end - 1])
    return targets


def heading_anchors(nb) -> set[str]:
    """The anchors JupyterLab gives a notebook's headings: the heading's text, spaces as '-'."""
    return {re.sub(r"^#+\s*", "", line).replace("`", "").replace(" ", "-")
            for cell in nb.cells if cell.cell_type == "markdown"
            for line in cell.source.splitlines() if line.startswith("#")}


def test_chinese_links_point_to_chinese_notebooks_and_their_headings():
    """A link in the Chinese prose (read from notebooks/zh or solutions/zh) goes to a Chinese notebook that
    exists whenever its English twin does, and an anchor names one of that notebook's Chinese headings."""
    wrong = []
    for source in SOURCES:
        base = source.parent.parent / "zh"
        for entry in translation.read_sidecar(translation.sidecar_of(source)):
            for target in markdown_links(entry.text):
                file, _, anchor = target.partition("#")
                if not file.endswith(".ipynb"):
                    continue
                path = (base / file).resolve()
                english = path.parent.parent / path.name
                if path.parent.name != "zh" or (english.exists() and not path.exists()):
                    wrong.append(f"{label(source)} {entry.cell_id}: {target}")
                elif anchor and path.exists() and anchor not in heading_anchors(nbformat.read(path, as_version=4)):
                    wrong.append(f"{label(source)} {entry.cell_id}: no heading for #{anchor} in {file}")
    assert not wrong, "\n".join(wrong)


def test_building_a_chinese_notebook_fails_on_a_figure_glyph_missing_from_its_fonts(tmp_path):
    """`make notebooks` runs Chinese notebooks with matplotlib's missing-glyph warning as an error."""
    from nbclient.exceptions import CellExecutionError
    boxed = ("import io, matplotlib\nmatplotlib.use('agg')\nfrom matplotlib.figure import Figure\n"
             "matplotlib.rcParams['font.family'] = ['DejaVu Sans']  # no Chinese glyphs\n"
             "fig = Figure(); fig.text(0.5, 0.5, '学习率'); fig.savefig(io.BytesIO(), format='png')")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(boxed)])
    with pytest.raises(CellExecutionError, match="Glyph .* missing from font"):
        tool.execute_checked(nb, tmp_path, "zh")
    fine = boxed.replace("['DejaVu Sans']", "['DejaVu Sans', 'Noto Sans CJK SC']")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(fine)])
    tool.execute_checked(nb, tmp_path, "zh")
    assert not [o for o in nb.cells[0].outputs if o.get("name") == "stderr"]


def test_make_slides_builds_the_chinese_decks_too(tmp_path, monkeypatch):
    name = "00_start_here.ipynb"
    (tmp_path / "notebooks" / "zh").mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / name, tmp_path / "notebooks" / name)
    shutil.copy(ROOT / "notebooks" / "zh" / name, tmp_path / "notebooks" / "zh" / name)
    monkeypatch.setattr(tool, "ROOT", tmp_path)
    monkeypatch.setattr(tool, "vendor", lambda target: False)     # no npm in a unit test: CDN links
    tool.slides(tmp_path / "notebooks")
    english = (tmp_path / "slides" / "00_start_here.slides.html").read_text(encoding="utf-8")
    chinese = (tmp_path / "slides" / "zh" / "00_start_here.slides.html").read_text(encoding="utf-8")
    assert "从这里开始" in chinese and "从这里开始" not in english
    assert chinese.count("<section") == english.count("<section") > 5   # the same slide structure
