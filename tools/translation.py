"""Chinese prose for the course notebooks: sidecar files next to the English sources.

``notebooks/src/NN_topic.py`` (English, the one source of code) has a sidecar
``notebooks/src/NN_topic.zh.md`` holding one entry per markdown cell::

    <!-- cell 00-start-here-003 en=1f0c9a2b7d4e -->
    ## 检查你的环境：`bpcourse doctor`
    ...

``cell`` is the English cell's id (as ``read_source`` numbers it) and ``en`` the hash of the
English text this entry translates. An entry whose English text changed is *stale*; an English
markdown cell that no entry translates is *missing*; an entry for text that is gone is *unused*.
``check`` names each, with the notebook and cell; the tests fail on any of them.

Entries are matched to cells by their hashes (so inserting or moving English cells does not disturb
the translations of the others); an entry left over is paired with a left-over cell between the same
matched neighbours (by cell id, then position number, then order): that cell's English changed.

Workflow for a translator:
    python tools/notebooks.py zh-status            # what is stale or missing, with the English text
    (edit the .zh.md: write the Chinese under a header '<!-- cell ID -->' with no en= hash)
    python tools/notebooks.py zh-stamp             # record the current English hash of those entries
    python tools/notebooks.py zh-stamp --revised   # ... and of stale entries the translator revised
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

ENTRY = re.compile(r"^<!-- cell (?P<id>\S+)(?: en=(?P<hash>[0-9a-f]+))? -->\s*$")
LANGUAGE = "zh"
SWITCH_SOURCE = ('import bpcourse\n\n'
                 'bpcourse.set_language("zh")  # 小部件、bpcourse doctor 和评分器的输出都用中文')


def english_hash(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:12]


def sidecar_of(source: Path) -> Path:
    return source.with_name(f"{source.stem}.{LANGUAGE}.md")


@dataclass
class Entry:
    cell_id: str
    en_hash: str | None
    text: str
    line: int


@dataclass
class Problem:
    notebook: str
    cell_id: str
    kind: str          # stale, missing, unused, unstamped
    english: str

    def __str__(self) -> str:
        first = self.english.strip().splitlines()[0][:90] if self.english.strip() else ""
        what = {"stale": "English text changed since it was translated",
                "missing": "no Chinese translation",
                "unused": "translates English text that is no longer in the notebook",
                "unstamped": "no en= hash yet (run `python tools/notebooks.py zh-stamp`)"}[self.kind]
        return f"{self.notebook}: cell {self.cell_id}: {self.kind}: {what}: {first!r}"


def read_sidecar(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    if not path.exists():
        return entries
    current: tuple[str, str | None, int, list[str]] | None = None

    def flush():
        if current is not None:
            cell_id, en_hash, line, lines = current
            entries.append(Entry(cell_id, en_hash, "\n".join(lines).strip("\n"), line))

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = ENTRY.match(line)
        if match:
            flush()
            current = (match.group("id"), match.group("hash"), number, [])
        elif current is not None:
            current[3].append(line)
    flush()
    return entries


def write_sidecar(path: Path, entries: list[Entry], english_name: str) -> None:
    parts = [f"<!-- Chinese prose of {english_name}: one entry per markdown cell, matched by the hash of "
             f"the English text (tools/translation.py). -->"]
    for e in entries:
        header = f"<!-- cell {e.cell_id}" + (f" en={e.en_hash}" if e.en_hash else "") + " -->"
        parts.append(f"{header}\n{e.text.strip()}\n")
    path.write_text("\n".join(parts).rstrip("\n") + "\n", encoding="utf-8")


def markdown_cells(nb: nbformat.NotebookNode) -> list[tuple[int, nbformat.NotebookNode]]:
    return [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]


def pair(nb: nbformat.NotebookNode, entries: list[Entry], notebook: str
         ) -> tuple[dict[int, Entry], list[Problem]]:
    """Which entry translates which markdown cell (by notebook cell index), and what is wrong."""
    cells = markdown_cells(nb)
    cell_hashes = [english_hash(c.source) for _, c in cells]
    matched: dict[int, Entry] = {}
    problems: list[Problem] = []
    stamped = [e for e in entries if e.en_hash]
    for e in entries:
        if not e.en_hash:
            english = next((c.source for _, c in cells if c.get("id") == e.cell_id), "")
            problems.append(Problem(notebook, e.cell_id, "unstamped", english))
    # 1. An entry translates the cell whose English text has its hash (in order, for repeated texts).
    waiting: dict[str, list[Entry]] = {}
    for e in stamped:
        waiting.setdefault(e.en_hash, []).append(e)
    exact: dict[int, Entry] = {}                      # position in `cells` -> entry
    for pos, h in enumerate(cell_hashes):
        if waiting.get(h):
            exact[pos] = waiting[h].pop(0)
    for pos, e in exact.items():
        matched[cells[pos][0]] = e
    # 2. What is left sits between the same exactly matched neighbours: a cell whose English changed
    # and the entry that translated it. Pair them by id, by position number, or in order.
    cell_of = {id(e): pos for pos, e in exact.items()}
    entry_slots: dict[int, list[Entry]] = {}
    slot = -1
    for e in stamped:
        if id(e) in cell_of:
            slot = cell_of[id(e)]
        else:
            entry_slots.setdefault(slot, []).append(e)
    cell_slots: dict[int, list[int]] = {}
    slot = -1
    for pos in range(len(cells)):
        if pos in exact:
            slot = pos
        else:
            cell_slots.setdefault(slot, []).append(pos)
    for slot in sorted(set(entry_slots) | set(cell_slots)):
        left, todo = list(entry_slots.get(slot, [])), cell_slots.get(slot, [])
        for pos in todo:
            index, cell = cells[pos]
            same = next((e for e in left if e.cell_id == cell.get("id")), None)
            if same is None:   # a renamed notebook: same position, new id prefix
                same = next((e for e in left if e.cell_id.rsplit("-", 1)[-1] == cell.get("id").rsplit("-", 1)[-1]),
                            None)
            if same is None and len(left) == len(todo) - todo.index(pos):   # as many entries as cells: in order
                same = left[0]
            if same is not None:
                left.remove(same)
                matched[index] = same
                problems.append(Problem(notebook, cell.get("id"), "stale", cell.source))
            else:
                problems.append(Problem(notebook, cell.get("id"), "missing", cell.source))
        for e in left:
            problems.append(Problem(notebook, e.cell_id, "unused", e.text))
    # an unstamped entry with the id of a cell nothing else translates fills that cell
    for e in entries:
        if e.en_hash:
            continue
        for index, cell in cells:
            if cell.get("id") == e.cell_id:
                was = matched.get(index)
                matched[index] = e
                problems[:] = [p for p in problems
                               if not (p.kind in ("missing", "stale") and p.cell_id == e.cell_id)]
                if was is not None and was.en_hash and was is not e:
                    problems.append(Problem(notebook, was.cell_id, "unused", was.text))
    return matched, problems


def check_source(source: Path, read_source) -> list[Problem]:
    nb = read_source(source)
    _, problems = pair(nb, read_sidecar(sidecar_of(source)), f"{source.parent.parent.name}/{source.stem}")
    if not sidecar_of(source).exists():
        return [Problem(f"{source.parent.parent.name}/{source.stem}", "-", "missing",
                        f"no {sidecar_of(source).name} next to {source.name}")]
    return problems


def translate(nb: nbformat.NotebookNode, source: Path) -> tuple[nbformat.NotebookNode, list[Problem]]:
    """The Chinese notebook: English code cells and ids, Chinese markdown, and the language switch
    as a cell of its own before the first code cell. Untranslated cells keep their English."""
    import copy
    entries = read_sidecar(sidecar_of(source))
    matched, problems = pair(nb, entries, f"{source.parent.parent.name}/{source.stem}")
    zh = copy.deepcopy(nb)
    for index, entry in matched.items():
        zh.cells[index].source = entry.text
    first_code = next((i for i, c in enumerate(zh.cells) if c.cell_type == "code"), len(zh.cells))
    switch = nbformat.v4.new_code_cell(SWITCH_SOURCE, metadata={"tags": ["bpcourse-language"]})
    switch["id"] = f"{source.stem[:20]}-zh".replace("_", "-")
    zh.cells.insert(first_code, switch)
    zh.metadata["bpcourse"] = {"language": LANGUAGE}
    return zh, problems


def stamp(source: Path, read_source, revised: bool = False) -> list[str]:
    """Give every entry without a hash the hash of the English cell with its id; renumber the ids
    of all matched entries to the current cell ids, and sort the entries in cell order.

    ``revised``: the translator has brought every *stale* entry up to date with its English cell
    (``zh-status`` shows which), so record the current English hash of those too."""
    nb = read_source(source)
    path = sidecar_of(source)
    entries = read_sidecar(path)
    by_id = {c.get("id"): c for _, c in markdown_cells(nb)}
    done = []
    for e in entries:
        if not e.en_hash:
            if e.cell_id not in by_id:
                raise SystemExit(f"{path}:{e.line}: no markdown cell {e.cell_id} in {source.name}")
            e.en_hash = english_hash(by_id[e.cell_id].source)
            done.append(e.cell_id)
    matched, problems = pair(nb, entries, source.stem)
    if revised:
        stale = {p.cell_id for p in problems if p.kind == "stale"}
        for index, entry in matched.items():
            if nb.cells[index].get("id") in stale:
                entry.en_hash = english_hash(nb.cells[index].source)
                done.append(nb.cells[index].get("id"))
    position = {id(entry): index for index, entry in matched.items()}
    for index, entry in matched.items():
        entry.cell_id = nb.cells[index].get("id")
    entries.sort(key=lambda e: position.get(id(e), 10**6))
    write_sidecar(path, entries, source.name)
    return done
