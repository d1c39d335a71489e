"""The error preprocessing raises: a RuntimeError, as OpenVINO's PrePostProcessor raises."""
from __future__ import annotations


class PreprocessError(RuntimeError):
    """A preprocessing or postprocessing step that cannot be built: a layout without the
    dimension a step needs, a shape that does not fit the model's input, an unknown input name."""
