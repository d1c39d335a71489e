"""GridSample-9: sampling a 4-D tensor at the normalized (x, y) positions of a grid."""
from __future__ import annotations

from ..node import Attr, Op, register_op
from ..shape import Dimension


@register_op
class GridSample(Op):
    """GridSample-9: ``output[n, c, y, x]`` interpolates ``data[n, c]`` (bilinear, bicubic or
    nearest) at ``grid[n, y, x] = (x_in, y_in)`` in [-1, 1] (the corner pixels' centres with
    ``align_corners``, else their outer edges); positions outside read zeros, the border, or the
    reflected data (``padding_mode``)."""

    type_name = "GridSample"
    version = "opset9"
    inputs_spec = ("data", "grid")
    attrs = (Attr("align_corners", "bool", False),
             Attr("mode", "str", "bilinear", choices=("bilinear", "bicubic", "nearest")),
             Attr("padding_mode", "str", "zeros", choices=("zeros", "border", "reflection")))

    def infer(self):
        grid_type = self.get_input_element_type(1)
        if grid_type.is_static and not grid_type.is_real:
            self.fail(f"grid (input 1) must be a floating-point tensor, got {grid_type}")
        data, grid = self.get_input_partial_shape(0), self.get_input_partial_shape(1)
        if data.rank_is_static and len(data) != 4:
            self.fail(f"data (input 0) must be 4-D [N, C, H, W], got {data}")
        if grid.rank_is_static and len(grid) != 4:
            self.fail(f"grid (input 1) must be 4-D [N, H_out, W_out, 2], got {grid}")
        if grid.rank_is_static and not grid[3].compatible(2):
            self.fail(f"the last dimension of grid (input 1) must be 2 (x, y), got {grid}")
        batch, channels, height, width = Dimension(), Dimension(), Dimension(), Dimension()
        if data.rank_is_static:
            batch, channels = data[0], data[1]
        if grid.rank_is_static:
            merged = batch.merge(grid[0])
            if merged is None:
                self.fail(f"data {data} and grid {grid} must have the same batch size")
            batch, height, width = merged, grid[1], grid[2]
        self.set_output_type(0, self.get_input_element_type(0), [batch, channels, height, width])
