"""ONNX translators, one module per op family; the registry imports every module here."""
