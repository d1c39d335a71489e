"""Run a compiled model with the original model's arguments and get its original outputs back."""
from __future__ import annotations

import numpy as np

from ..ir import structure
from ..ir.structure import StructureError

__all__ = ["infer_structured", "model_trees"]


def model_trees(model):
    """``(input_tree, output_tree)`` recorded by the converter in ``model``'s rt_info.

    Raises a ValueError naming what is missing for a model that has no recorded structure (one
    built by hand, or converted by a tool that does not record it)."""
    info = model.rt_info.get("ov_notebook") if isinstance(model.rt_info, dict) else None
    if not isinstance(info, dict) or "input_tree" not in info or "output_tree" not in info:
        raise ValueError(f"model '{model.get_friendly_name()}' has no recorded input/output "
                         "structure (rt_info['ov_notebook']['input_tree'/'output_tree']); it "
                         "was not converted by ov_notebook.convert_model — call the compiled "
                         "model with a flat list of inputs instead")
    return structure.decode(info["input_tree"]), structure.decode(info["output_tree"])


def infer_structured(compiled, *args, **kwargs):
    """Run ``compiled`` the way the original model was called; return its output structure.

    Arguments are the original ``forward`` arguments (torch tensors, numpy arrays, Python numbers,
    nested tuples/lists/dicts, keywords). The result has the original output structure (dicts,
    tuples, lists) with numpy arrays as leaves::

        ov_model = ov.convert_model(model, example_input={"x": x, "pair": (a, b)})
        out = ov.compile_model(ov_model).infer_structured(x, pair=(a, b))
        out["logits"]  # a numpy array
    """
    input_tree, output_tree = model_trees(compiled.model)
    try:
        leaves = structure.flatten_call(input_tree, args, kwargs)
    except StructureError as exc:
        raise StructureError(f"arguments do not match the converted model's inputs: {exc}") \
            from None
    results = compiled(list(leaves))
    arrays = [np.asarray(results[i]) for i in range(len(results))]
    return structure.unflatten(output_tree, arrays)
