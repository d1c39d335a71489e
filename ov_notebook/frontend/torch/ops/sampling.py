"""grid_sampler (``F.grid_sample``) -> GridSample-9."""
from __future__ import annotations

from .... import opset as ops
from ..registry import translator
from ._common import out

_MODES = {0: "bilinear", 1: "nearest", 2: "bicubic"}
_PADDINGS = {0: "zeros", 1: "border", 2: "reflection"}


@translator("aten.grid_sampler", "aten.grid_sampler_2d", "aten::grid_sampler",
            "aten::grid_sampler_2d")
def grid_sampler(ctx):
    # aten::grid_sampler(Tensor input, Tensor grid, int interpolation_mode, int padding_mode,
    #   bool align_corners) -> Tensor
    data, grid = ctx.input(0, "input"), ctx.input(1, "grid")
    rank = data.get_partial_shape().rank
    if rank.is_static and rank.get_length() != 4:
        ctx.fail(f"only 4-D inputs (N, C, H, W) can be sampled (GridSample-9), got rank "
                 f"{rank.get_length()}")
    mode, padding = ctx.arg(2, "interpolation_mode"), ctx.arg(3, "padding_mode")
    if mode not in _MODES or padding not in _PADDINGS:
        ctx.fail(f"interpolation_mode must be 0-2 and padding_mode 0-2, got {mode}, {padding}")
    attributes = {"mode": _MODES[mode], "padding_mode": _PADDINGS[padding],
                  "align_corners": bool(ctx.arg(4, "align_corners"))}
    return out(ops.grid_sample(data, grid, attributes))
