"""docs/openvino-compatibility.md stays true: each name it lists as supported or differing imports
from ov_notebook and exists in openvino, each absent one exists in openvino only, and its op
builder table is exactly what ``openvino.opsetN`` has and ``ov_notebook.opsetN`` lacks."""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import ov_notebook
from ov_notebook.opset._versions import NEWEST_OPSET, builders_of

openvino = pytest.importorskip("openvino")

DOC = Path(__file__).resolve().parents[2] / "docs" / "openvino-compatibility.md"
SECTIONS = ("Graph and model", "Runtime", "Stateful models", "Preprocessing")
STATUSES = ("supported", "differs", "absent")
_MISSING = object()


def _sections() -> dict:
    """heading -> the lines under it, for each ``## `` section."""
    found, heading = {}, None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
            found[heading] = []
        elif heading is not None:
            found[heading].append(line)
    return found


def _rows(lines) -> list:
    """The cells of the table rows of ``lines`` (header and rule skipped)."""
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in lines if line.startswith("|")]
    return [row for row in rows[2:]]


def _name(cell: str) -> str:
    match = re.fullmatch(r"`([A-Za-z_][\w.]*)`", cell)
    assert match, f"a name is written in backticks, got {cell!r}"
    return match.group(1)


def _resolve(module, path: str):
    value = module
    for part in path.split("."):
        value = getattr(value, part, _MISSING)
        if value is _MISSING:
            return _MISSING
    return value


def _api_rows() -> list:
    sections = _sections()
    rows = []
    for section in SECTIONS:
        assert section in sections, f"section '## {section}' is missing"
        for row in _rows(sections[section]):
            assert len(row) == 3 and row[1] in STATUSES, f"{section}: bad row {row}"
            rows.append((section, _name(row[0]), row[1], row[2]))
    return rows


def test_the_api_tables_are_well_formed():
    rows = _api_rows()
    names = [name for _, name, _, _ in rows]
    assert len(rows) > 40 and len(names) == len(set(names)), "each name is listed once"
    for section, name, status, why in rows:
        if status != "supported":
            assert why, f"{section}: {name} is {status} without saying why"


@pytest.mark.parametrize("section, name, status, why", _api_rows(), ids=lambda v: str(v)[:40])
def test_each_listed_name(section, name, status, why):
    assert _resolve(openvino, name) is not _MISSING, f"openvino has no {name}"
    ours = _resolve(ov_notebook, name)
    if status == "absent":
        assert ours is _MISSING, f"ov_notebook has {name} now: update its row"
    else:
        assert ours is not _MISSING, f"ov_notebook.{name} is listed as {status} but is missing"


def _opset_ranges(text: str) -> set:
    versions = set()
    for part in text.split(","):
        match = re.fullmatch(r"opset(\d+)(?:-opset(\d+))?", part.strip())
        assert match, f"opset ranges read opsetA-opsetB, opsetC; got {text!r}"
        low = int(match.group(1))
        versions |= set(range(low, int(match.group(2) or low) + 1))
    return versions


def test_the_op_builder_table_is_what_each_opset_lacks():
    documented = {}
    for row in _rows(_sections()["Op builders"]):
        assert len(row) == 3 and row[2], f"bad row {row}"
        documented[_name(row[0])] = _opset_ranges(row[1])
    actual = {}
    for version in range(1, NEWEST_OPSET + 1):
        theirs = importlib.import_module(f"openvino.opset{version}")
        names = {n for n in dir(theirs) if not n.startswith("_") and callable(getattr(theirs, n))}
        ours = importlib.import_module(f"ov_notebook.opset{version}")
        for name in names - set(builders_of(version)):
            assert not hasattr(ours, name)
            actual.setdefault(name, set()).add(version)
    stale = {n: sorted(v) for n, v in documented.items() if actual.get(n) != v}
    undocumented = {n: sorted(v) for n, v in actual.items() if n not in documented}
    assert not stale and not undocumented, (
        f"rows that are no longer true (name: opsets now missing it): "
        f"{ {n: sorted(actual.get(n, ())) for n in stale} }; missing rows: {undocumented}")
