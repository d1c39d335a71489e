"""Compile-time graph passes of the CPU runtime, run in order by :func:`run_passes`.

Each pass takes the (cloned) Model, changes it only through the graph API and returns whether it
changed anything. Order matters: folding constants first turns weight decompression and shape
subgraphs into Constants, which the weight-folding and fusion passes then match; dead-code
elimination prunes consumer links of replaced nodes so "has exactly one consumer" tests are right.
"""
from __future__ import annotations

from .affine_folding import fold_affine_into_weights
from .channels_last import convert_to_channels_last
from .constant_folding import fold_constants
from .control_flow import inline_known_branches
from .dead_code import eliminate_dead_code
from .decompression_folding import fold_transposed_decompression
from .fusion import fuse_epilogues
from .gather_slicing import slice_gathers
from .layer_norm import fuse_layer_norms
from .prepacking import prepack_weights
from .projection_merging import merge_projections
from .squeeze_excite import fuse_squeeze_excite
from .transpose_sinking import sink_transposes

# (name, pass); a name may appear twice when a pass is worth repeating after another one
PIPELINE = [
    ("branch_inlining", inline_known_branches),
    ("decompression_folding", fold_transposed_decompression),
    ("constant_folding", fold_constants),
    ("dead_code", eliminate_dead_code),
    ("gather_slicing", slice_gathers),
    ("affine_folding", fold_affine_into_weights),
    ("projection_merging", merge_projections),
    ("epilogue_fusion", fuse_epilogues),
    ("layer_norm_fusion", fuse_layer_norms),
    ("prepacking", prepack_weights),
    ("transpose_sinking", sink_transposes),
    ("channels_last", convert_to_channels_last),
    ("squeeze_excite_fusion", fuse_squeeze_excite),
    ("dead_code", eliminate_dead_code),
]
PASS_NAMES = tuple(dict.fromkeys(name for name, _ in PIPELINE))


def run_passes(model, properties=None, disabled=()) -> list:
    """Run the pipeline once in order, skipping ``disabled`` pass names; returns the names of the
    passes that changed the graph (in order, without repeats)."""
    unknown = set(disabled) - set(PASS_NAMES)
    if unknown:
        raise ValueError(f"unknown pass(es) {', '.join(sorted(unknown))}; passes: "
                         f"{', '.join(PASS_NAMES)}")
    changed = []
    for name, graph_pass in PIPELINE:
        if name not in disabled and graph_pass(model) and name not in changed:
            changed.append(name)
    return changed
