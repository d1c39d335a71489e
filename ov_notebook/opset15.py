"""The op builders of ``openvino.opset15`` that ov_notebook has, with that opset's op versions
(derived from the builders: see ``ov_notebook/opset/_versions.py``).

    >>> import ov_notebook.opset15 as ops
"""
from .opset._versions import builders_of, opset_module_getattr

__all__ = list(builders_of(15))
__getattr__ = opset_module_getattr(15, __name__)


def __dir__():
    return __all__
