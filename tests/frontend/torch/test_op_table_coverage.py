"""docs/torch-op-coverage.md lists exactly the names of OpenVINO's PyTorch op table
(docs/data/openvino_op_table.txt) that ov_notebook does not convert, each with a reason; a new
translator for a listed name makes this fail until its row is removed."""
import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _tool():
    spec = importlib.util.spec_from_file_location(
        "op_table_coverage", os.path.join(ROOT, "tools", "op_table_coverage.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_doc_lists_exactly_the_uncovered_names():
    problems = _tool().disagreements()
    assert not problems, "\n".join(problems)


def test_table_data_is_complete():
    """The data file has its three sections, OpenVINO's well-known names, and no duplicates."""
    table = _tool().read_table()
    assert set(table) == {"torchscript", "torchscript-patterns", "fx"}
    assert len(table["torchscript"]) > 350 and len(table["fx"]) > 250
    for section, names in table.items():
        assert len(names) == len(set(names)), section
    assert {"aten::_convolution", "aten::scatter_reduce", "prim::Loop",
            "quantized::conv2d"} <= set(table["torchscript"])
    assert {"aten.convolution.default", "<built-in function getitem>"} <= set(table["fx"])


def test_checker_reports_both_directions(tmp_path):
    """A stale row and a missing row are both reported, by name."""
    tool = _tool()
    doc = tmp_path / "coverage.md"
    documented = list(tool.documented_exceptions())
    dropped = documented[0]  # a name that is not converted, whose row goes missing
    rows = [f"| `{name}` | reason |" for name in documented if name != dropped]
    rows.append("| `aten::add` | stale: aten::add has a translator |")
    doc.write_text("\n".join(rows) + "\n")
    problems = "\n".join(tool.disagreements(doc=str(doc)))
    assert f"add a translator, or a row with the reason: {dropped}" in problems
    assert "remove them from its exceptions and update the counts: aten::add" in problems


def test_coverage_counts_in_the_doc_are_current():
    tool = _tool()
    table, missing = tool.read_table(), tool.uncovered()
    with open(os.path.join(ROOT, "docs", "torch-op-coverage.md"), encoding="utf-8") as handle:
        text = handle.read()
    for label, section in (("TorchScript", "torchscript"), ("FX", "fx")):
        covered = len(table[section]) - len(missing[section])
        assert f"{label} {covered} of {len(table[section])}" in text, \
            f"update the {label} count in docs/torch-op-coverage.md to {covered} of " \
            f"{len(table[section])}"
