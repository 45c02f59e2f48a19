"""nbgrader itself (0.9.6, installed from the lock) takes our source notebooks as they are.

nbgrader's own metadata validator (schema v3) accepts every solutions/NN_topic.ipynb, with no key
it would strip; and `nbgrader generate_assignment`, run on those sources in a real nbgrader course
folder, gives the same student notebooks as `make exercises`: the same cells, the same answer
stubs and the same test cells with the hidden tests removed (compared up to whitespace).
"""
from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator, ValidationError

from bpcourse.grader.generate import make_exercise

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
NBGRADER = Path(sys.executable).with_name("nbgrader")


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_there_are_sources_to_check():
    assert len(SOURCES) >= 7, [p.name for p in SOURCES]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_nbgrader_validator_accepts_source_metadata(path):
    nb = nbformat.read(str(path), as_version=4)
    validator = MetadataValidator()
    validator.validate_nb(nb)  # raises nbgrader's ValidationError on anything it would refuse
    allowed = set(validator.schema["properties"])
    extra = {(c.metadata["nbgrader"].get("grade_id"), k) for c in nb.cells if "nbgrader" in c.metadata
             for k in set(c.metadata["nbgrader"]) - allowed}
    assert extra == set(), f"keys nbgrader would strip on import: {sorted(extra)}"


def test_nbgrader_validator_can_refuse():
    """The check above can fail: a grade cell without points, and a duplicated grade_id."""
    nb = nbformat.read(str(SOURCES[0]), as_version=4)
    grades = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    no_points = copy.deepcopy(nb)
    del next(c for c in no_points.cells if c.metadata.get("nbgrader", {}).get("grade")).metadata["nbgrader"]["points"]
    with pytest.raises(ValidationError, match="does not have points"):
        MetadataValidator().validate_nb(no_points)
    dup = copy.deepcopy(nb)
    dup.cells.append(copy.deepcopy(grades[0]))
    with pytest.raises(ValidationError, match="Duplicate grade id"):
        MetadataValidator().validate_nb(dup)


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """`nbgrader generate_assignment` over every source, in a fresh nbgrader course folder."""
    course = tmp_path_factory.mktemp("nbgrader_course")
    (course / "source" / "bpcourse").mkdir(parents=True)
    for path in SOURCES:
        shutil.copy(path, course / "source" / "bpcourse" / path.name)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.root = %r\nc.CourseDirectory.course_id = 'bpcourse'\n" % str(course))
    done = subprocess.run([str(NBGRADER), "generate_assignment", "bpcourse", "--force", "--no-db"],
                          cwd=course, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return course / "release" / "bpcourse"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_nbgrader_generate_assignment_matches_make_exercises(released, path):
    theirs = nbformat.read(str(released / path.name), as_version=4)
    ours = make_exercise(nbformat.read(str(path), as_version=4))
    assert len(theirs.cells) == len(ours.cells)
    answers = 0
    for i, (a, b) in enumerate(zip(theirs.cells, ours.cells)):
        gid = b.metadata.get("nbgrader", {}).get("grade_id")
        assert a.cell_type == b.cell_type, f"cell {i} ({gid})"
        assert squash(a.source) == squash(b.source), f"cell {i} ({gid}) differs:\n{a.source}\n---\n{b.source}"
        if b.metadata.get("nbgrader", {}).get("solution"):
            answers += 1
            assert "YOUR CODE HERE" in a.source or "YOUR ANSWER HERE" in a.source, f"cell {i} ({gid}) has no stub"
    assert answers >= 1
