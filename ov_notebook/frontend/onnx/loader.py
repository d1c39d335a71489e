"""Loading ONNX files and protos with clear errors (missing, truncated, external data absent)."""
from __future__ import annotations

import os

from ..errors import ConversionError

__all__ = ["load_onnx", "ONNX_TYPES"]


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ConversionError("converting ONNX models needs the 'onnx' package: "
                              "pip install 'ov-notebook[onnx]'") from None
    return onnx


def load_onnx(model):
    """A ModelProto with external data loaded, from a path or a ModelProto."""
    onnx = _onnx()
    if isinstance(model, onnx.ModelProto):
        _check(onnx, model, "<ModelProto>")
        if _external_tensors(onnx, model):
            raise ConversionError("the ModelProto refers to external data files; pass the .onnx path "
                                  "so the files can be found next to it")
        return model
    path = os.fspath(model)
    if not os.path.isfile(path):
        raise ConversionError(f"ONNX file {path} does not exist")
    try:
        proto = onnx.load(path, load_external_data=False)
    except Exception as exc:  # noqa: BLE001  protobuf raises DecodeError and friends
        raise ConversionError(f"{path} is not a valid ONNX model (truncated or corrupt?): "
                              f"{type(exc).__name__}: {exc}") from None
    base = os.path.dirname(os.path.abspath(path))
    for tensor in _external_tensors(onnx, proto):
        location = next((e.value for e in tensor.external_data if e.key == "location"), None)
        if location is None:
            raise ConversionError(f"{path}: tensor '{tensor.name}' is stored externally without a location")
        data_path = os.path.join(base, location)
        if not os.path.isfile(data_path):
            raise ConversionError(f"{path}: external data file '{location}' for tensor '{tensor.name}' "
                                  f"is missing (expected at {data_path})")
    _check(onnx, path, path, proto)
    try:
        onnx.external_data_helper.load_external_data_for_model(proto, base)
    except Exception as exc:  # noqa: BLE001
        raise ConversionError(f"{path}: cannot read external data: {type(exc).__name__}: {exc}") from None
    return proto


def _check(onnx, model, source, proto=None):
    """Run onnx's checker; given a path it resolves external data files next to the model."""
    proto = model if proto is None else proto
    if not proto.graph.node and not proto.graph.output:
        raise ConversionError(f"{source} has an empty graph (not an ONNX model?)")
    try:
        onnx.checker.check_model(model, full_check=False)
    except Exception as exc:  # noqa: BLE001  onnx raises ValidationError / others
        raise ConversionError(f"{source} is not a valid ONNX model: {str(exc).strip()[:500]}") from None


def _external_tensors(onnx, proto):
    from onnx.external_data_helper import _get_all_tensors, uses_external_data

    return [t for t in _get_all_tensors(proto) if uses_external_data(t)]


# ONNX TensorProto data types -> IR element type names
ONNX_TYPES = {
    1: "f32", 2: "u8", 3: "i8", 4: "u16", 5: "i16", 6: "i32", 7: "i64", 9: "boolean", 10: "f16",
    11: "f64", 12: "u32", 13: "u64", 16: "bf16",
}
