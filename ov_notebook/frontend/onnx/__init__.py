"""The ONNX frontend: ``convert_model("model.onnx")`` and ``convert_model(onnx.ModelProto)``.

Uses the ``onnx`` package (extra ``onnx``) to parse and check; translators per op family live in
``ops/`` and are registered by op type and opset version.
"""
from .converter import convert_onnx

__all__ = ["convert_onnx"]
