"""Compare OpenVINO's PyTorch frontend op table with ov_notebook's translators.

    python tools/op_table_coverage.py            # summary and the names without a translator
    python tools/op_table_coverage.py --check    # exit 1 unless docs/torch-op-coverage.md agrees

The table's names are data in ``docs/data/openvino_op_table.txt`` (extracted from OpenVINO's
``src/frontends/pytorch/src/op_table.cpp`` at the commit named in its header). A name is covered
when ``find_translator`` finds a translator for it (FX overloads fall back to their op, in-place
``_`` forms to the functional op) or the TorchScript/FX decoder resolves it itself. Every name
that is not covered must be listed, with its reason, in the exceptions tables of
``docs/torch-op-coverage.md``; a listed name that became covered must leave the list.
``tests/frontend/torch/test_op_table_coverage.py`` runs ``--check``'s comparison.
"""
from __future__ import annotations

import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE = os.path.join(ROOT, "docs", "data", "openvino_op_table.txt")
DOC = os.path.join(ROOT, "docs", "torch-op-coverage.md")
SECTIONS = ("torchscript", "torchscript-patterns", "fx")

# FX graph nodes that are not calls: the FX decoder reads them as constants
_FX_DECODER = {"get_attr"}


def read_table(path=TABLE) -> dict:
    """``{section: [names in table order]}`` of the data file."""
    table, section = {}, None
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1]
                table[section] = []
            elif section is None:
                raise ValueError(f"{path}: name {line!r} before any [section]")
            else:
                table[section].append(line)
    return table


def our_name(name: str) -> str:
    """The spelling our registry uses: FX's ``<built-in function add>`` is ``operator.add``."""
    match = re.fullmatch(r"<built-in function (\w+)>", name)
    return f"operator.{match.group(1)}" if match else name


def _decoder_resolved() -> set:
    """TorchScript ops the decoder resolves itself (constants, lists, attributes, If, ...)."""
    from ov_notebook.frontend.torch import ts_decoder

    return set(ts_decoder._HANDLERS) | set(ts_decoder._SKIPPED) | _FX_DECODER


def _overload(name: str):
    """The torch OpOverload of an FX name (``aten.erfc.default``), or None."""
    import torch

    parts = name.split(".")
    if len(parts) != 3:
        return None
    try:
        return getattr(getattr(getattr(torch.ops, parts[0]), parts[1]), parts[2])
    except (AttributeError, RuntimeError):
        return None


def lowered_by_torch(name: str) -> bool:
    """Whether the FX route never hands ``name`` to a translator: the converter lowers ops without
    one through torch.export's default decompositions (``fx_decoder.decompose``), and ops with a
    CompositeImplicitAutograd kernel are decomposed by torch.export itself."""
    import torch

    op = _overload(name)
    if op is None:
        return False
    if op in torch.export.default_decompositions():
        return True
    return op.has_kernel_for_dispatch_key(torch._C.DispatchKey.CompositeImplicitAutograd)


def how_covered(name: str, resolved=None):
    """``"translator"``, ``"decoder"``, ``"decomposition"`` (FX only), or None."""
    from ov_notebook.frontend.torch.registry import find_translator

    resolved = _decoder_resolved() if resolved is None else resolved
    if find_translator(our_name(name)) is not None:
        return "translator"
    if name in resolved:
        return "decoder"
    if "::" not in name and lowered_by_torch(name):
        return "decomposition"
    return None


def uncovered(table=None) -> dict:
    """``{section: [names]}`` of the table's names that ov_notebook does not convert."""
    table = read_table() if table is None else table
    resolved = _decoder_resolved()
    return {section: [n for n in names if how_covered(n, resolved) is None]
            for section, names in table.items()}


def documented_exceptions(path=DOC) -> dict:
    """``{name: reason}`` from the rows of the exceptions tables: ``| `a`, `b` | reason |``."""
    exceptions = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if len(cells) < 2 or not cells[0].startswith("`"):
                continue
            for name in re.findall(r"`([^`]+)`", cells[0]):
                exceptions[name] = cells[1]
    return exceptions


def disagreements(table=None, doc=DOC) -> list:
    """What makes docs/torch-op-coverage.md disagree with the registry, as instructions."""
    missing = {name for names in uncovered(table).values() for name in names}
    listed = documented_exceptions(doc)
    problems = []
    if unlisted := sorted(missing - set(listed)):
        problems.append(f"{len(unlisted)} name(s) of OpenVINO's op table have no translator and are "
                        f"not in the exceptions of {os.path.relpath(doc, ROOT)}; add a translator, "
                        "or a row with the reason: " + ", ".join(unlisted))
    if covered := sorted(set(listed) - missing):
        problems.append(f"{len(covered)} name(s) listed as exceptions in "
                        f"{os.path.relpath(doc, ROOT)} are converted now (or are not in the table); "
                        "remove them from its exceptions and update the counts: "
                        + ", ".join(covered))
    if [name for name, reason in listed.items() if not reason]:
        problems.append("every exception needs a reason")
    return problems


def summary(table=None) -> str:
    table = read_table() if table is None else table
    missing = uncovered(table)
    lines, resolved = [], _decoder_resolved()
    for section in SECTIONS:
        names = table.get(section, [])
        ways = [how_covered(name, resolved) for name in names]
        detail = ", ".join(f"{ways.count(way)} by {way}" for way in
                           ("translator", "decoder", "decomposition") if ways.count(way))
        lines.append(f"{section}: {len(names) - len(missing[section])} of {len(names)} covered "
                     f"({detail})")
    for section in SECTIONS:
        if missing.get(section):
            lines.append(f"\nnot covered ({section}):\n  " + "\n  ".join(missing[section]))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 unless docs/torch-op-coverage.md lists exactly the exceptions")
    args = parser.parse_args(argv)
    sys.path.insert(0, ROOT)
    print(summary())
    if args.check:
        problems = disagreements()
        for problem in problems:
            print("\n" + problem, file=sys.stderr)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
