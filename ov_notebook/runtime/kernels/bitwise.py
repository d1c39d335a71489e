"""Bitwise kernels: and/or/xor/not on integers and booleans, shifts on integers.

numpy's ufuncs keep the operands' dtype (the IR makes both inputs one type), so results need no
cast. Shifts by the bit width or more give numpy's answer (0, or the sign for right shifts of
negative numbers): OpenVINO leaves them undefined.
"""
from __future__ import annotations

import numpy as np

from . import kernel


def _bitwise(type_name, ufunc):
    @kernel(type_name)
    def run(a, b, *, auto_broadcast="numpy"):
        if auto_broadcast == "none" and a.shape != b.shape:
            raise ValueError(f"shapes {a.shape} and {b.shape} differ and auto_broadcast is 'none'")
        return ufunc(a, b)

    run.__name__ = type_name.lower()
    return run


for _name, _ufunc in {"BitwiseAnd": np.bitwise_and, "BitwiseOr": np.bitwise_or,
                      "BitwiseXor": np.bitwise_xor, "BitwiseLeftShift": np.left_shift,
                      "BitwiseRightShift": np.right_shift}.items():
    _bitwise(_name, _ufunc)
del _name, _ufunc


@kernel("BitwiseNot")
def bitwise_not(x):  # ~x; numpy's invert of a bool array is its logical not
    return np.invert(x)
