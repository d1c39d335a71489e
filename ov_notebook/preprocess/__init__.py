"""``ov_notebook.preprocess``: OpenVINO's ``PrePostProcessor``, as graph rewrites.

    from ov_notebook.preprocess import PrePostProcessor, ResizeAlgorithm
    ppp = PrePostProcessor(model)
    ppp.input().tensor().set_element_type(ov.Type.u8).set_layout(ov.Layout("NHWC")) \\
        .set_spatial_dynamic_shape()
    ppp.input().preprocess().convert_element_type(ov.Type.f32) \\
        .resize(ResizeAlgorithm.RESIZE_LINEAR).mean([123.7, 116.3, 103.5]).scale([58.4, 57.1, 57.4])
    ppp.input().model().set_layout(ov.Layout("NCHW"))
    model = ppp.build()

``build()`` puts a new Parameter (the user's tensor: element type, shape, layout) in place of each
input and inserts the steps as ordinary operations (Convert, Subtract, Divide, Transpose,
Interpolate-11, Slice, Pad, Gather, Convolution), then the implicit steps OpenVINO adds (a
Convert to the model's element type, a Transpose to the model's layout); outputs get their
post-processing steps before the Result. The rules (which steps are implicit, how the tensor's
shape follows from the model's shape and the two layouts, the errors) follow OpenVINO's
``src/core/src/preprocess``; tests build the same pipelines with OpenVINO and compare.

``set_memory_type`` has no effect on this CPU runtime (it is recorded and described).
"""
from __future__ import annotations

import enum
import numbers

import numpy as np

from .. import opset
from ..opset._base import element_type as _element_type
from ..opset._base import partial_shape as _partial_shape
from ..ir.node import Node, Output
from ..ir.shape import PartialShape
from ..ir.types import Type
from ._layout import (LayoutSpec, apply_permutation, find_permutation, find_squeeze,
                      find_unsqueeze)
from .errors import PreprocessError

__all__ = [
    "PrePostProcessor", "InputInfo", "OutputInfo", "InputTensorInfo", "InputModelInfo",
    "OutputTensorInfo", "OutputModelInfo", "PreProcessSteps", "PostProcessSteps", "ColorFormat",
    "ResizeAlgorithm", "PaddingMode", "PreprocessError",
]


class ColorFormat(enum.Enum):
    UNDEFINED = 0
    NV12_SINGLE_PLANE = 1
    NV12_TWO_PLANES = 2
    I420_SINGLE_PLANE = 3
    I420_THREE_PLANES = 4
    RGB = 5
    BGR = 6
    GRAY = 7
    RGBX = 8
    BGRX = 9


class ResizeAlgorithm(enum.Enum):
    RESIZE_LINEAR = 0
    RESIZE_CUBIC = 1
    RESIZE_NEAREST = 2
    RESIZE_BILINEAR_PILLOW = 3
    RESIZE_BICUBIC_PILLOW = 4


class PaddingMode(enum.Enum):
    CONSTANT = 0
    EDGE = 1
    REFLECT = 2
    SYMMETRIC = 3


_COLOR_NAMES = {ColorFormat.RGB: "RGB", ColorFormat.BGR: "BGR", ColorFormat.GRAY: "GRAY",
                ColorFormat.RGBX: "RGBX", ColorFormat.BGRX: "BGRX",
                ColorFormat.NV12_TWO_PLANES: "NV12 (multi-plane)",
                ColorFormat.NV12_SINGLE_PLANE: "NV12 (single plane)",
                ColorFormat.I420_THREE_PLANES: "I420 (multi-plane)",
                ColorFormat.I420_SINGLE_PLANE: "I420 (single plane)"}
_YUV = (ColorFormat.NV12_SINGLE_PLANE, ColorFormat.NV12_TWO_PLANES, ColorFormat.I420_SINGLE_PLANE,
        ColorFormat.I420_THREE_PLANES)
_INTERPOLATE_MODES = {ResizeAlgorithm.RESIZE_LINEAR: "linear", ResizeAlgorithm.RESIZE_CUBIC: "cubic",
                      ResizeAlgorithm.RESIZE_NEAREST: "nearest",
                      ResizeAlgorithm.RESIZE_BILINEAR_PILLOW: "bilinear_pillow",
                      ResizeAlgorithm.RESIZE_BICUBIC_PILLOW: "bicubic_pillow"}
_PAD_MODES = {PaddingMode.CONSTANT: "constant", PaddingMode.EDGE: "edge",
              PaddingMode.REFLECT: "reflect", PaddingMode.SYMMETRIC: "symmetric"}


def _color_name(color) -> str:
    return _COLOR_NAMES.get(color, "Unknown")


# --- small conversions ------------------------------------------------------------------------
def _enum(value, kind, what):
    if isinstance(value, kind):
        return value
    name = getattr(value, "name", None)  # the same enum of another module (openvino's)
    if isinstance(name, str) and name in kind.__members__:
        return kind[name]
    raise PreprocessError(f"{what}: expected a {kind.__name__} ({', '.join(kind.__members__)}), "
                          f"got {type(value).__name__} {value!r}")


def _type(value, what) -> Type:
    try:
        return _element_type(value, what)
    except (TypeError, ValueError) as error:
        raise PreprocessError(str(error)) from None


def _ints(values, what) -> list:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise PreprocessError(f"{what}: expected a list of integers, got {type(values).__name__} "
                              f"{values!r}")
    out = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise PreprocessError(f"{what}: expected a list of integers, got {values!r}")
        out.append(int(value))
    return out


def _floats(values, what) -> list:
    items = [values] if isinstance(values, numbers.Real) and not isinstance(values, bool) \
        else values
    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise PreprocessError(f"{what}: expected a number or a list of numbers, got "
                              f"{type(values).__name__} {values!r}")
    out = []
    for value in items:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise PreprocessError(f"{what}: expected a number or a list of numbers, got {values!r}")
        out.append(float(value))
    if not out:
        raise PreprocessError(f"{what}: expected at least one value")
    return out


def _dims(shape: PartialShape):
    """The dimensions of ``shape`` as a list (None for a dynamic rank)."""
    return None if not shape.rank_is_static else list(shape)


def _rank(shape: PartialShape):
    return None if not shape.rank_is_static else len(shape)


def _output(value, what) -> Output:
    if isinstance(value, Output):
        return value
    if isinstance(value, Node):
        if value.get_output_size() != 1:
            raise PreprocessError(f"{what} must return one output; {value.get_type_name()} "
                                  f"'{value.get_friendly_name()}' has {value.get_output_size()}")
        return value.output(0)
    raise PreprocessError(f"{what} must return a node or an output, got {type(value).__name__}")


def _i64(values) -> Output:
    return opset.constant(np.asarray(values, dtype=np.int64)).output(0)


def _i32(values) -> Output:
    return opset.constant(np.asarray(values, dtype=np.int32)).output(0)


# --- layouts on Parameters and Results ---------------------------------------------------------
def _layout_of(node) -> LayoutSpec:
    get_layout = getattr(node, "get_layout", None)
    return LayoutSpec.parse(get_layout() if get_layout is not None else None)


def _set_layout(node, layout: LayoutSpec) -> None:
    set_layout = getattr(node, "set_layout", None)
    if set_layout is not None:
        set_layout(_public_layout(layout))


def _public_layout(layout: LayoutSpec):
    from ..ir import Layout  # the public Layout type

    return Layout("" if layout.empty() else layout.to_string())


# --- the user's side: tensor and model descriptions ------------------------------------------
class InputTensorInfo:
    """What the application gives: element type, shape, layout, color format."""

    def __init__(self):
        self._element_type = None
        self._layout = None
        self._shape = None
        self._spatial = None  # "dynamic" or (height, width)
        self._color = ColorFormat.UNDEFINED
        self._sub_names = []
        self._memory_type = None

    def set_element_type(self, type) -> InputTensorInfo:  # noqa: A002 - OpenVINO's name
        self._element_type = _type(type, "set_element_type(type)")
        return self

    def set_layout(self, layout) -> InputTensorInfo:
        self._layout = LayoutSpec.parse(layout)
        return self

    def set_shape(self, shape) -> InputTensorInfo:
        try:
            self._shape = _partial_shape(shape, "shape")
        except (TypeError, ValueError) as error:
            raise PreprocessError(f"set_shape: {error}") from None
        return self

    def set_spatial_dynamic_shape(self) -> InputTensorInfo:
        self._spatial = "dynamic"
        return self

    def set_spatial_static_shape(self, height, width) -> InputTensorInfo:
        height, width = _ints([height, width], "set_spatial_static_shape(height, width)")
        if height <= 0 or width <= 0:
            raise PreprocessError(f"set_spatial_static_shape: height and width must be positive, "
                                  f"got {height}x{width}")
        self._spatial = (height, width)
        return self

    def set_color_format(self, format, sub_names=()) -> InputTensorInfo:  # noqa: A002
        color = _enum(format, ColorFormat, "set_color_format(format)")
        if isinstance(sub_names, str) or not all(isinstance(n, str) for n in sub_names):
            raise PreprocessError(f"set_color_format(sub_names): expected a list of strings, got "
                                  f"{sub_names!r}")
        self._color = color
        self._sub_names = list(sub_names)
        return self

    def set_memory_type(self, memory_type) -> InputTensorInfo:
        if not isinstance(memory_type, str):
            raise PreprocessError(f"set_memory_type: expected a string, got "
                                  f"{type(memory_type).__name__}")
        self._memory_type = memory_type
        return self

    def set_from(self, tensor) -> InputTensorInfo:
        """Element type and shape of ``tensor`` (a numpy array or a Tensor)."""
        if isinstance(tensor, np.ndarray):
            dtype, shape = tensor.dtype, list(tensor.shape)
        elif hasattr(tensor, "get_element_type") and hasattr(tensor, "get_shape"):
            dtype, shape = tensor.get_element_type(), list(tensor.get_shape())
        else:
            raise PreprocessError(f"set_from: expected a numpy array or a Tensor, got "
                                  f"{type(tensor).__name__}")
        self._element_type = _type(dtype, "set_from(tensor)")
        self._shape = PartialShape(shape)
        return self


class InputModelInfo:
    """What the model expects, beyond its Parameter: its layout."""

    def __init__(self):
        self._layout = None

    def set_layout(self, layout) -> InputModelInfo:
        self._layout = LayoutSpec.parse(layout)
        return self


class OutputTensorInfo:
    """What the application wants from an output: element type and layout."""

    def __init__(self):
        self._element_type = None
        self._layout = None

    def set_element_type(self, type) -> OutputTensorInfo:  # noqa: A002
        self._element_type = _type(type, "set_element_type(type)")
        return self

    def set_layout(self, layout) -> OutputTensorInfo:
        self._layout = LayoutSpec.parse(layout)
        return self


class OutputModelInfo:
    def __init__(self):
        self._layout = None

    def set_layout(self, layout) -> OutputModelInfo:
        self._layout = LayoutSpec.parse(layout)
        return self


# --- the context steps read and update -------------------------------------------------------
class _Context:
    def __init__(self, layout, target_layout, target_type, model_shape=None,
                 color=ColorFormat.UNDEFINED):
        self.layout = layout
        self.target_layout = target_layout
        self.target_type = target_type
        self.model_shape = model_shape
        self.color = color

    def model_size_for_resize(self, name, what) -> int:
        rank = _rank(self.model_shape)
        if rank is None:
            raise PreprocessError("Resize is not fully specified while target model shape is "
                                  "dynamic")
        index = self.target_layout.index(name, rank, what)
        dim = self.model_shape[index]
        if not dim.is_static:
            raise PreprocessError(f"Dynamic resize: Network {what} dimension shall be static")
        return dim.get_length()


def _index(layout, output: Output, name, what) -> int:
    rank = _rank(output.get_partial_shape())
    if not layout.has(name):
        raise PreprocessError(f"Layout {layout.to_string()} doesn't have `{what}` dimension")
    if rank is None:
        raise PreprocessError(f"Can't get shape {what} index for shape with dynamic rank")
    return layout.index(name, rank, what)


def _single(nodes, what):
    if len(nodes) != 1:
        raise PreprocessError(f"Can't {what} for multi-plane input. Suggesting to convert current "
                              "image to RGB/BGR color format using 'convert_color'")
    return nodes[0]


def _require_real(node: Output, step, before="scaling"):
    element_type = node.get_element_type()
    if not element_type.is_real():
        raise PreprocessError(f"{step} preprocessing can be applied to 'float' inputs. Consider "
                              f"using of 'convert_element_type' before {before}. Current "
                              f"type is: {element_type.get_type_name()}")
    return element_type


def _per_channel_constant(node: Output, values, context, element_type) -> Output:
    if len(values) == 1:
        shape = [1]
    else:
        dims = _dims(node.get_partial_shape())
        if dims is None:
            raise PreprocessError("Can't get shape channels index for shape with dynamic rank")
        channels = _index(context.layout, node, "C", "channels")
        if dims[channels].is_static and dims[channels].get_length() != len(values):
            raise PreprocessError(
                f"Number of channels and mean/values size mismatch: Channels = "
                f"{dims[channels].get_length()}, mean/scale = {len(values)}, shape = "
                f"{node.get_partial_shape()}, layout = {context.layout.to_string()}")
        shape = [1] * len(dims)
        shape[channels] = len(values)
    data = np.asarray(values, dtype=np.float32).astype(element_type.to_dtype()).reshape(shape)
    return opset.constant(data, element_type).output(0)


def _reverse_channels(nodes, context):
    node = _single(nodes, "reverse channels")
    if not context.layout.has("C"):
        raise PreprocessError(f"Layout {context.layout.to_string()} doesn't have `channels` "
                              "dimension")
    dims = _dims(node.get_partial_shape())
    if dims is not None:
        channels = _index(context.layout, node, "C", "channels")
        if dims[channels].is_static:
            count = dims[channels].get_length()
            order = opset.range(_i64(count - 1), _i64(-1), _i64(-1), "i32")
            return [opset.gather(node, order, _i32([channels])).output(0)]
    channels = context.layout.index_of["C"]
    count = opset.gather(opset.shape_of(node), _i32(channels), _i32(0))
    start = opset.add(count, _i64(-1))
    order = opset.range(start, _i64(-1), _i64(-1), "i32")
    return [opset.gather(node, order, _i32([channels])).output(0)]


def _cut_last_channel(nodes, context):
    node = _single(nodes, "cut the X channel")
    if not context.layout.has("C"):
        raise PreprocessError(f"Layout {context.layout.to_string()} doesn't have `channels` "
                              "dimension")
    channels = context.layout.index_of["C"]
    return [opset.slice(node, _i32([0]), _i32([-1]), _i32([1]), _i32([channels])).output(0)]


def _to_gray(node: Output, context):
    dims = _dims(node.get_partial_shape())
    if dims is None or len(dims) != 4:
        raise PreprocessError(f"Input shape size should be equal to 4, actual size: "
                              f"{'dynamic' if dims is None else len(dims)}")
    channels = _index(context.layout, node, "C", "channels")
    if not (dims[channels].is_static and dims[channels].get_length() == 3):
        raise PreprocessError(f"Channels dimesion should be equal to 3, actual value: "
                              f"{dims[channels]}")
    element_type = node.get_element_type()
    nc_layout = LayoutSpec.parse("NC...")
    transposed = channels + 1 == len(dims)
    if transposed:
        order = find_permutation(context.layout, 4, nc_layout)
        node = opset.transpose(node, _i64(order)).output(0)
    converted = element_type.is_integral_number()
    if converted:
        node = opset.convert(node, "f32").output(0)
    weights = [0.299, 0.587, 0.114] if context.color is ColorFormat.RGB else [0.114, 0.587, 0.299]
    kernel = opset.constant(np.asarray(weights, np.float32).reshape(1, 3, 1, 1))
    node = opset.convolution(node, kernel, [1, 1], [0, 0], [0, 0], [1, 1]).output(0)
    if converted:
        node = opset.convert(opset.round(node, "half_to_even"), element_type).output(0)
    if transposed:
        order = find_permutation(nc_layout, 4, context.layout)
        node = opset.transpose(node, _i64(order)).output(0)
    return node


def _plane_dims(color, dims, layout):
    """The shape of each plane of a ``color`` image whose (single-plane RGB) shape is ``dims``
    (OpenVINO's ColorFormatInfo: YUV planes are NHWC, half height and width for chroma)."""
    if dims is None:
        return [None] * {ColorFormat.NV12_TWO_PLANES: 2, ColorFormat.I420_THREE_PLANES: 3}.get(
            color, 1)

    def dim(value, scale_num=1, scale_den=1):
        if isinstance(value, numbers.Integral):
            return value if value < 0 else int(value) * scale_num // scale_den
        return int(value) * scale_num // scale_den if value.is_static else value

    if color in (ColorFormat.RGB, ColorFormat.BGR):
        dims = list(dims)
        dims[layout.index("C", len(dims), "channels")] = 3
        return [dims]
    if len(dims) != 4:
        return [list(dims)]
    n, h, w = dims[0], dims[1], dims[2]
    if color in (ColorFormat.RGBX, ColorFormat.BGRX):
        return [[n, h, w, 4]]
    if color in (ColorFormat.NV12_SINGLE_PLANE, ColorFormat.I420_SINGLE_PLANE):
        return [[n, dim(h, 3, 2), w, 1]]
    if color is ColorFormat.NV12_TWO_PLANES:
        return [[n, h, w, 1], [n, dim(h, 1, 2), dim(w, 1, 2), 2]]
    if color is ColorFormat.I420_THREE_PLANES:
        half = [n, dim(h, 1, 2), dim(w, 1, 2), 1]
        return [[n, h, w, 1], half, list(half)]
    return [list(dims)]


def _yuv_to(nodes, source, target):
    """The YUV conversions of convert_color (NV12/I420 to RGB, BGR or GRAY)."""
    nv12 = source in (ColorFormat.NV12_SINGLE_PLANE, ColorFormat.NV12_TWO_PLANES)
    single = source in (ColorFormat.NV12_SINGLE_PLANE, ColorFormat.I420_SINGLE_PLANE)
    expected = 1 if single else (2 if nv12 else 3)
    if len(nodes) != expected:
        raise PreprocessError(f"Internal error: {_color_name(source)} image must have exactly "
                              f"{expected} inputs")
    if target in (ColorFormat.RGB, ColorFormat.BGR):
        builder = {(True, ColorFormat.RGB): opset.nv12_to_rgb,
                   (True, ColorFormat.BGR): opset.nv12_to_bgr,
                   (False, ColorFormat.RGB): opset.i420_to_rgb,
                   (False, ColorFormat.BGR): opset.i420_to_bgr}[nv12, target]
        return [builder(*nodes).output(0)]
    if target is ColorFormat.GRAY:
        if not single:
            return [nodes[0]]
        # the Y plane: the first H * 2 / 3 rows of the single-plane image
        height = opset.gather(opset.shape_of(nodes[0]), _i32([1]), _i32(0))
        stop = opset.divide(opset.multiply(height, _i64([2])), _i64([3]))
        return [opset.slice(nodes[0], _i32([0]), stop, _i32([1]), _i32([1])).output(0)]
    kind = "NV12" if nv12 else "I420"
    raise PreprocessError(f"Unsupported conversion from {kind} to '{_color_name(target)}' format:")


# --- steps ------------------------------------------------------------------------------------
class PreProcessSteps:
    """The preprocessing steps of one input, applied in the order they are added."""

    def __init__(self):
        self._actions = []  # (description, function(nodes, context) -> nodes)
        self._layout_converts = []  # explicit dims of convert_layout, last first
        self._forward_layout_converts = []
        self._last_explicit_layout = None

    def _add(self, description, function):
        self._actions.append((description, function))
        return self

    def convert_element_type(self, type=None) -> PreProcessSteps:  # noqa: A002
        wanted = None if type is None else _type(type, "convert_element_type(type)")
        if wanted is not None and wanted.is_dynamic():
            wanted = None

        def convert(nodes, context):
            target = wanted or context.target_type
            out = []
            for node in nodes:
                if node.get_element_type().is_dynamic():
                    raise PreprocessError("Can't insert 'convert_element_type' for dynamic source "
                                          "tensor type.")
                out.append(node if node.get_element_type() == target
                           else opset.convert(node, target).output(0))
            return out

        name = wanted.get_type_name() if wanted is not None else "dynamic"
        return self._add(f"convert type ({name})", convert)

    def mean(self, value) -> PreProcessSteps:
        values = _floats(value, "mean(value)")

        def mean(nodes, context):
            node = _single(nodes, "apply mean preprocessing")
            element_type = _require_real(node, "Mean")
            constant = _per_channel_constant(node, values, context, element_type)
            return [opset.subtract(node, constant).output(0)]

        return self._add("mean " + _values_text(values), mean)

    def scale(self, value) -> PreProcessSteps:
        values = _floats(value, "scale(value)")

        def scale(nodes, context):
            node = _single(nodes, "apply scale preprocessing")
            element_type = _require_real(node, "Scale")
            constant = _per_channel_constant(node, values, context, element_type)
            return [opset.divide(node, constant).output(0)]

        return self._add("scale " + _values_text(values), scale)

    def pad(self, pads_begin, pads_end, value, mode) -> PreProcessSteps:
        begin = _ints(pads_begin, "pad(pads_begin)")
        end = _ints(pads_end, "pad(pads_end)")
        values = _floats(value, "pad(value)")
        pad_mode = _enum(mode, PaddingMode, "pad(mode)")
        if len(values) != 1:
            raise PreprocessError(f"pad(value): one padding value is supported, got {values}")

        def pad(nodes, context):
            node = _single(nodes, "pad")
            element_type = _require_real(node, "Pad", "padding")
            fill = opset.constant(np.asarray(values[0], dtype=element_type.to_dtype()), element_type)
            return [opset.pad(node, _i64(begin), _i64(end), _PAD_MODES[pad_mode], fill).output(0)]

        return self._add(f"pad(begin {_values_text(begin)}, end {_values_text(end)})", pad)

    def resize(self, alg, dst_height=None, dst_width=None) -> PreProcessSteps:
        algorithm = _enum(alg, ResizeAlgorithm, "resize(alg)")
        if (dst_height is None) != (dst_width is None):
            raise PreprocessError("resize: give both dst_height and dst_width, or neither (to "
                                  "resize to the model's height and width)")
        height, width = (-1, -1) if dst_height is None else \
            _ints([dst_height, dst_width], "resize(dst_height, dst_width)")

        def resize(nodes, context):
            node = _single(nodes, "resize")
            layout = context.layout
            if not (layout.has("H") and layout.has("W")):
                raise PreprocessError("Can't add resize for layout without W/H specified. Use "
                                      "'set_layout' API to define layout of image data, like "
                                      "`NCHW`")
            if _rank(node.get_partial_shape()) is None:
                raise PreprocessError("Resize operation is not supported for fully dynamic shape")
            height_index = _index(layout, node, "H", "height")
            width_index = _index(layout, node, "W", "width")
            new_height = height if height >= 0 else context.model_size_for_resize("H", "height")
            new_width = width if width >= 0 else context.model_size_for_resize("W", "width")
            resized = opset.interpolate(node, _i64([new_height, new_width]),
                                        _INTERPOLATE_MODES[algorithm], "sizes", [0, 0], [0, 0],
                                        axes=_i64([height_index, width_index]))
            return [resized.output(0)]

        name = f"resize to ({height}, {width})" if height > 0 else "resize to model width/height"
        return self._add(name, resize)

    def crop(self, begin, end) -> PreProcessSteps:
        begin = _ints(begin, "crop(begin)")
        end = _ints(end, "crop(end)")
        if len(begin) != len(end):
            raise PreprocessError(f"Crop ({begin},{end}) begin/end coordinates must have the same "
                                  f"size. Begin size={len(begin)}, end size={len(end)}")

        def crop(nodes, context):
            node = _single(nodes, "crop")
            return [opset.slice(node, _i32(begin), _i32(end), _i32([1] * len(begin))).output(0)]

        return self._add(f"Crop ({begin},{end})", crop)

    def convert_layout(self, dst_layout=None) -> PreProcessSteps:
        """To a layout (``"NCHW"``, a Layout; none: the model's layout) or by dims (a Transpose
        order such as ``[0, 3, 1, 2]``)."""
        if isinstance(dst_layout, (list, tuple)):
            return self._convert_layout_dims(_ints(dst_layout, "convert_layout(dims)"))
        layout = LayoutSpec.parse(dst_layout)
        self._forward_layout_converts = []
        self._last_explicit_layout = layout

        def convert_layout(nodes, context):
            node = _single(nodes, "convert layout")
            target = context.target_layout if layout.empty() else layout
            dims, unsqueezed, added = find_unsqueeze(context.layout, _dims(node.get_partial_shape()),
                                                     target)
            if added:
                node = opset.unsqueeze(node, _i64(list(range(added)))).output(0)
            rank = _rank(node.get_partial_shape())
            order = find_permutation(unsqueezed, rank, target)
            if not order:
                if not layout.empty():
                    context.layout = layout
                return [node] if added else nodes
            context.layout = target
            return [opset.transpose(node, _i64(order)).output(0)]

        return self._add("convert layout " + layout.to_string(), convert_layout)

    def _convert_layout_dims(self, dims) -> PreProcessSteps:
        if not dims:
            return self
        self._layout_converts.insert(0, dims)
        self._forward_layout_converts.append(dims)

        def convert_layout(nodes, context):
            node = _single(nodes, "convert layout")
            new_layout = apply_permutation(context.layout, dims)
            transposed = opset.transpose(node, opset.constant(np.asarray(dims, np.uint64)))
            context.layout = new_layout
            return [transposed.output(0)]

        return self._add("convert layout " + _values_text(dims), convert_layout)

    def reverse_channels(self) -> PreProcessSteps:
        return self._add("reverse channels", _reverse_channels)

    def convert_color(self, dst_format) -> PreProcessSteps:
        target = _enum(dst_format, ColorFormat, "convert_color(dst_format)")

        def convert_color(nodes, context):
            source = context.color
            if source is target:
                return nodes
            rgb = (ColorFormat.RGB, ColorFormat.BGR)
            if source in _YUV:
                out = _yuv_to(nodes, source, target)
            elif source in rgb and target in rgb:
                out = _reverse_channels(nodes, context)
            elif source in rgb and target is ColorFormat.GRAY:
                out = [_to_gray(_single(nodes, "convert color"), context)]
            elif (source, target) in ((ColorFormat.RGBX, ColorFormat.RGB),
                                      (ColorFormat.BGRX, ColorFormat.BGR)):
                out = _cut_last_channel(nodes, context)
            elif (source, target) in ((ColorFormat.RGBX, ColorFormat.BGR),
                                      (ColorFormat.BGRX, ColorFormat.RGB)):
                out = _reverse_channels(_cut_last_channel(nodes, context), context)
            else:
                raise PreprocessError(f"Source color format '{_color_name(source)}' is not "
                                      f"convertible to '{_color_name(target)}'")
            context.color = target
            return out

        return self._add(f"convert color ({_color_name(target)})", convert_color)

    def custom(self, operation) -> PreProcessSteps:
        """``operation(output) -> node or output``: any operations built with the opset."""
        if not callable(operation):
            raise PreprocessError(f"custom: expected a callable, got {type(operation).__name__}")

        def custom(nodes, context):
            node = _single(nodes, "apply custom preprocessing")
            return [_output(operation(node), "a custom preprocessing step")]

        return self._add("custom", custom)

    # what the tensor's shape and layout are, given the model's (OpenVINO's rules)
    def _propagate_layout(self, tensor_layout):
        layout = self._last_explicit_layout if self._last_explicit_layout is not None \
            else tensor_layout
        for dims in self._forward_layout_converts:
            layout = apply_permutation(layout, dims)
        return layout

    def _param_shape(self, model_dims, model_layout):
        if model_dims is None:
            return None, model_layout
        dims, layout = list(model_dims), model_layout
        for convert in self._layout_converts:
            old, dims = dims, [None] * len(dims)
            back = list(convert)
            for i, target in enumerate(convert):
                if not 0 <= target < len(dims):
                    raise PreprocessError(f"Convert dimension {target} is out of bounds.")
                dims[target] = old[i]
                back[target] = i
            layout = apply_permutation(layout, back)
        return dims, layout


class PostProcessSteps:
    """The post-processing steps of one output, applied in order before its Result."""

    def __init__(self):
        self._actions = []

    def _add(self, description, function):
        self._actions.append((description, function))
        return self

    def convert_element_type(self, type=None) -> PostProcessSteps:  # noqa: A002
        wanted = None if type is None else _type(type, "convert_element_type(type)")
        if wanted is not None and wanted.is_dynamic():
            wanted = None

        def convert(node, context):
            target = wanted or context.target_type
            if target is not None and target == node.get_element_type():
                return node
            if target is None or target.is_dynamic():
                raise PreprocessError("Can't convert to dynamic/unknown element type, consider "
                                      "using of InputTensorInfo::set_element_type")
            return opset.convert(node, target).output(0)

        name = wanted.get_type_name() if wanted is not None else "dynamic"
        return self._add(f"convert type ({name})", convert)

    def convert_layout(self, dst_layout=None) -> PostProcessSteps:
        if isinstance(dst_layout, (list, tuple)):
            dims = _ints(dst_layout, "convert_layout(dims)")
            if not dims:
                return self

            def by_dims(node, context):
                new_layout = apply_permutation(context.layout, dims)
                context.layout = new_layout
                return opset.transpose(node, opset.constant(np.asarray(dims, np.uint64))).output(0)

            return self._add("convert layout " + _values_text(dims), by_dims)
        layout = LayoutSpec.parse(dst_layout)

        def convert_layout(node, context):
            target = context.target_layout if layout.empty() else layout
            order = find_permutation(context.layout, _rank(node.get_partial_shape()), target)
            if not order:
                if not layout.empty():
                    context.layout = layout
                return node
            context.layout = target
            return opset.transpose(node, _i64(order)).output(0)

        return self._add("convert layout " + layout.to_string(), convert_layout)

    def custom(self, operation) -> PostProcessSteps:
        if not callable(operation):
            raise PreprocessError(f"custom: expected a callable, got {type(operation).__name__}")

        def custom(node, context):
            return _output(operation(node), "a custom post-processing step")

        return self._add("custom", custom)


def _values_text(values) -> str:
    return "(" + ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values) + ")" \
        if values else ""


# --- one input, one output --------------------------------------------------------------------
class InputInfo:
    def __init__(self, parameter):
        self._parameter = parameter
        self._tensor = InputTensorInfo()
        self._preprocess = PreProcessSteps()
        self._model = InputModelInfo()

    def tensor(self) -> InputTensorInfo:
        return self._tensor

    def preprocess(self) -> PreProcessSteps:
        return self._preprocess

    def model(self) -> InputModelInfo:
        return self._model

    def _plan(self):
        """The new Parameter's type, shape and layout, and the model's layout (OpenVINO's
        ``create_new_params``)."""
        tensor, param = self._tensor, self._parameter
        element_type = tensor._element_type or param.get_element_type()
        tensor_layout = tensor._layout if tensor._layout is not None else LayoutSpec()
        if tensor._layout is None and tensor._color is not ColorFormat.UNDEFINED:
            tensor_layout = LayoutSpec.parse("NHWC")
        model_shape = param.get_partial_shape()
        new_dims = _dims(tensor._shape) if tensor._shape is not None else _dims(model_shape)
        model_layout = self._model._layout if self._model._layout is not None \
            else _layout_of(param)
        if model_layout.empty() and tensor._layout is not None:
            model_layout = self._preprocess._propagate_layout(tensor_layout)
        if not tensor_layout.empty() and not model_layout.empty() and model_layout != tensor_layout:
            new_dims, squeezed = find_squeeze(model_layout, _dims(model_shape), tensor_layout)
            order = find_permutation(squeezed, None if new_dims is None else len(new_dims),
                                     tensor_layout)
            if order and new_dims is not None:
                new_dims = [new_dims[i] for i in order]
        else:
            new_dims, new_layout = self._preprocess._param_shape(new_dims, model_layout)
            if tensor_layout.empty():
                tensor_layout = new_layout
        if tensor._shape is not None:
            new_dims = _dims(tensor._shape)
        elif tensor._spatial is not None:
            if new_dims is None:
                raise PreprocessError("Can't get shape height index for shape with dynamic rank")
            height = tensor_layout.index("H", len(new_dims), "height")
            width = tensor_layout.index("W", len(new_dims), "width")
            if tensor._spatial == "dynamic":
                new_dims[height] = new_dims[width] = -1
            else:
                new_dims[height], new_dims[width] = tensor._spatial
        shapes = [PartialShape.dynamic() if dims is None else PartialShape(
            [-1 if d is None else d for d in dims])
            for dims in _plane_dims(tensor._color, new_dims, tensor_layout)]
        return element_type, shapes, tensor_layout, model_layout

    def _apply(self, model=None, index=None, lines=None):
        """Builds the new Parameter and the steps; with ``model``, puts them in place of input
        ``index``; with ``lines``, appends OpenVINO's description of the steps instead."""
        param = self._parameter
        element_type, shapes, tensor_layout, model_layout = self._plan()
        if lines is not None and len(shapes) == 1 and shapes[0] == param.get_partial_shape() and \
                element_type == param.get_element_type() and \
                _layout_of(param) == model_layout and not self._preprocess._actions and \
                self._tensor._memory_type is None:
            return
        new_params = self._new_parameters(model, element_type, shapes, tensor_layout)
        context = _Context(tensor_layout, model_layout, param.get_element_type(),
                           param.get_partial_shape(), self._tensor._color)
        if lines is not None:
            name = _quoted(param.output(0))
            color = self._tensor._color
            lines.append("Input" + (f" {name}" if name else "") +
                         (f" (color {_color_name(color)})" if color is not ColorFormat.UNDEFINED
                          else "") +
                         (f" memory type={self._tensor._memory_type}"
                          if self._tensor._memory_type is not None else "") + ":")
            if len(new_params) == 1:
                lines.append("    User's input tensor: " +
                             _tensor_text(shapes[0], tensor_layout, element_type))
            else:
                lines.append(f"    {len(new_params)} user's tensors expected for each plane:")
                for plane, new_param in enumerate(new_params):
                    names = new_param.output(0).get_names()
                    lines.append(f"       {plane}: " + (f"{sorted(names)[0]} " if names else "") +
                                 _tensor_text(shapes[plane], tensor_layout, element_type))
            lines.append("    Model's expected tensor: " + _tensor_text(
                param.get_partial_shape(), model_layout, param.get_element_type()))
        steps = self._preprocess._actions
        if lines is not None and steps:
            lines.append(f"    Pre-processing steps ({len(steps)}):")
        nodes = _run_steps(steps, [p.output(0) for p in new_params], context, lines)
        if len(nodes) != 1:
            raise PreprocessError(f"Multiple plane input is not allowed as model input. Consider "
                                  f"using of convert_color preprocessing operation. Current "
                                  f"format is '{_color_name(context.color)}'")
        node = nodes[0]
        if context.color not in (ColorFormat.RGB, ColorFormat.BGR, ColorFormat.GRAY,
                                 ColorFormat.UNDEFINED):
            raise PreprocessError(f"model shall have RGB/BGR/GRAY color format. Consider add "
                                  f"'convert_color' preprocessing operation to convert current "
                                  f"color format '{_color_name(context.color)}'to RGB/BGR/GRAY")
        implicit = PreProcessSteps()
        if node.get_element_type() != context.target_type:
            implicit.convert_element_type(context.target_type)
        if not context.target_layout.empty() and context.target_layout != context.layout:
            implicit.convert_layout(context.target_layout)
        if lines is not None and implicit._actions:
            lines.append(f"    Implicit pre-processing steps ({len(implicit._actions)}):")
        node = _run_steps(implicit._actions, [node], context, lines)[0]
        if lines is not None:
            return
        if not node.get_partial_shape().compatible(context.model_shape):
            raise PreprocessError(f"Resulting shape '{node.get_partial_shape()}' after "
                                  f"preprocessing is not aligned with original parameter's shape: "
                                  f"{context.model_shape}, input parameter: "
                                  f"{param.get_friendly_name()}")
        for target in list(param.output(0).get_target_inputs()):
            target.replace_source_output(node)
        model.replace_parameter(model.get_parameter_index(param), new_params[0])
        if len(new_params) > 1:
            model._insert_parameters(model.get_parameter_index(new_params[0]) + 1,
                                     new_params[1:])

    def _new_parameters(self, model, element_type, shapes, tensor_layout):
        """One Parameter per plane, named as OpenVINO names them: the input's names and
        friendly name (one plane), or those with ``/<sub name>`` added (planes given sub names).
        """
        param = self._parameter
        sub_names = self._tensor._sub_names
        names = set(param.output(0).get_names())
        existing = None
        made = []
        for plane, shape in enumerate(shapes):
            new_param = opset.parameter(shape, element_type)
            if plane < len(sub_names):
                suffix = "/" + sub_names[plane]
                if existing is None and model is not None:
                    existing = {name for op in model.get_ordered_ops() for out in op.outputs()
                                for name in out.get_names()}
                plane_names = {name + suffix for name in names}
                taken = sorted(plane_names & (existing or set()))
                if taken:
                    raise PreprocessError(f"Error while trying to create plane input with name "
                                          f"'{taken[0]}' - name already exists in model. Please "
                                          f"specify another sub-name for set_color_format")
                new_param.output(0).set_names(plane_names)
                new_param.set_friendly_name(param.get_friendly_name() + suffix)
            elif len(shapes) == 1:
                new_param.output(0).set_names(names)
                new_param.set_friendly_name(param.get_friendly_name())
            new_param.get_rt_info().update(param.get_rt_info())
            if not tensor_layout.empty() and model is not None:
                _set_layout(new_param, tensor_layout)
            made.append(new_param)
        return made


def _run_steps(steps, nodes, context, lines=None):
    """Applies ``steps`` to ``nodes``; with ``lines``, describes each as OpenVINO does:
    ``name: (shape, layout, type) -> (shape, layout, type)``."""
    for description, action in steps:
        before = _state_text(nodes[0], context)
        try:
            nodes = action(nodes, context)
        except PreprocessError:
            if lines is not None:  # as OpenVINO's description: the step's line stops there
                lines.append(f"      {description}: ({before}")
            raise
        if lines is not None:
            lines.append(f"      {description}: ({before}) -> ({_state_text(nodes[0], context)})")
    return nodes


def _state_text(node, context):
    text = _tensor_text(node.get_partial_shape(), context.layout, node.get_element_type())
    color = getattr(context, "color", ColorFormat.UNDEFINED)
    return text + (f", {_color_name(color)}" if color is not ColorFormat.UNDEFINED else "")


class OutputInfo:
    def __init__(self, output):
        self._output = output
        self._tensor = OutputTensorInfo()
        self._postprocess = PostProcessSteps()
        self._model = OutputModelInfo()

    def tensor(self) -> OutputTensorInfo:
        return self._tensor

    def postprocess(self) -> PostProcessSteps:
        return self._postprocess

    def model(self) -> OutputModelInfo:
        return self._model

    def _apply(self, lines=None):
        """Inserts the post-processing steps before the Result; with ``lines``, appends
        OpenVINO's description of them instead (built on a stand-in, the model is untouched)."""
        result = self._output.get_node()
        model_layout = self._model._layout
        tensor = self._tensor
        if model_layout is not None and lines is None:
            _set_layout(result, model_layout)
        layout = model_layout if model_layout is not None else _layout_of(result)
        context = _Context(layout, tensor._layout if tensor._layout is not None else LayoutSpec(),
                           tensor._element_type)
        original = result.input_value(0)
        node = original
        if lines is not None:
            if not self._postprocess._actions and \
                    (tensor._layout is None or tensor._layout == layout) and \
                    (tensor._element_type is None or
                     tensor._element_type == original.get_element_type()):
                return
            node = opset.parameter(original.get_partial_shape(),
                                   original.get_element_type()).output(0)
            lines.append(f"Output {_quoted(self._output)}:".replace(" :", ":"))
            lines.append("    Model's data tensor: " + _tensor_text(
                node.get_partial_shape(), layout, node.get_element_type()))
        steps = self._postprocess._actions
        if lines is not None and steps:
            lines.append(f"    Post-processing steps ({len(steps)}):")
        node = _run_post_steps(steps, node, context, lines)
        implicit = PostProcessSteps()
        if tensor._element_type is not None and not node.get_element_type().is_dynamic() and \
                node.get_element_type() != tensor._element_type:
            implicit.convert_element_type(tensor._element_type)
        if not context.target_layout.empty() and context.target_layout != context.layout:
            implicit.convert_layout(context.target_layout)
        if lines is not None and implicit._actions:
            lines.append(f"    Post-processing implicit steps ({len(implicit._actions)}):")
        node = _run_post_steps(implicit._actions, node, context, lines)
        if lines is not None:
            lines.append("    User's output tensor: " + _state_text(node, context))
            return
        if node.get_node() is not original.get_node():
            node.get_node().set_friendly_name(
                f"{original.get_node().get_friendly_name()}.{original.get_index()}")
            # the output keeps its tensor names (a Result shares the tensor of its source here,
            # where OpenVINO's Result holds the names itself)
            names = set(original.get_names())
            original.set_names(set())
            node.set_names(names | set(node.get_names()))
            result.input(0).replace_source_output(node)
            result.validate_and_infer_types()
        if not context.layout.empty():
            _set_layout(result, context.layout)


def _run_post_steps(steps, node, context, lines=None):
    for description, action in steps:
        before = _state_text(node, context)
        try:
            node = action(node, context)
        except PreprocessError:
            if lines is not None:
                lines.append(f"      {description}: ({before}")
            raise
        if lines is not None:
            lines.append(f"      {description}: ({before}) -> ({_state_text(node, context)})")
    return node


def _quoted(port) -> str:
    names = sorted(port.get_names())
    return '"' + ", ".join(names) + '"' if names else ""


def _tensor_text(shape, layout, element_type) -> str:
    layout_text = "<no layout>" if layout.empty() else layout.to_string()
    return f"{shape}, {layout_text}, {element_type.get_type_name()}"


# --- the entry point ----------------------------------------------------------------------------
class PrePostProcessor:
    """Adds preprocessing to a model's inputs and post-processing to its outputs; ``build()``
    rewrites the model in place and returns it."""

    def __init__(self, model):
        from ..ir.model import Model

        if not isinstance(model, Model):
            raise PreprocessError(f"PrePostProcessor expects an ov_notebook Model, got "
                                  f"{type(model).__name__}")
        self._model = model
        self._inputs = [InputInfo(param) for param in model.get_parameters()]
        self._outputs = [OutputInfo(output) for output in model.outputs]

    def _pick(self, infos, ports, key, what):
        if key is None:
            if len(infos) != 1:
                raise PreprocessError(f"PrePostProcessor::{what}() - Model must have exactly one "
                                      f"{what}, got {len(infos)}")
            return infos[0]
        if isinstance(key, str):
            for info, port in zip(infos, ports):
                if key in port.get_names():
                    return info
            raise PreprocessError(f"Model doesn't have {what} with name {key}")
        if isinstance(key, bool) or not isinstance(key, numbers.Integral):
            raise PreprocessError(f"PrePostProcessor.{what}(): expected a tensor name or an index, "
                                  f"got {type(key).__name__} {key!r}")
        if not 0 <= key < len(infos):
            raise PreprocessError(f"PrePostProcessor::{what}(size_t) - Model doesn't have {what} "
                                  f"with index {key}. Total number of {what}s is {len(infos)}")
        return infos[key]

    def input(self, key=None) -> InputInfo:  # noqa: A003 - OpenVINO's name
        return self._pick(self._inputs, self._model.inputs, key, "input")

    def output(self, key=None) -> OutputInfo:
        return self._pick(self._outputs, self._model.outputs, key, "output")

    def build(self):
        model = self._model
        for index, info in enumerate(self._inputs):
            info._apply(model, index)
        for info in self._outputs:
            info._apply()
        model.validate_nodes_and_infer_types()
        return model

    def __str__(self):
        lines = []
        try:
            for info in self._inputs + self._outputs:
                info._apply(lines=lines)
        except PreprocessError as error:
            lines.append(f"Error occurred: {error}")
        return "\n".join(lines) + ("\n" if lines else "")

    def __repr__(self):
        return f"<PrePostProcessor: {len(self._inputs)} inputs, {len(self._outputs)} outputs>"
