"""Element-wise operations that run as their own step (not fused into a convolution or MatMul):
activations on oneDNN's eltwise primitive, Add/Subtract/Multiply/Divide/Maximum/Minimum on its
binary primitive.

Only where oneDNN is faster than the op's numpy ``compute``: a call through ctypes costs a few
microseconds numpy's ufuncs do not pay, and numpy's single-pass loops are vectorized too, so
oneDNN wins where numpy's compute takes several passes over the data (erf, softplus, the gates
of sigmoid, swish and hardswish), from the sizes in ``MIN_ELEMENTS``. Measured with
``benchmarks/kernels_eltwise.py --clock cpu`` (1 thread, both interleaved in one run, fresh
outputs; an AVX-512 Xeon with load 10 on 2 cores), numpy time / oneDNN time:

    ============  ======  ======  =======  =========  ============  ==========
    algorithm     1x1024  1x4096  1x16384  1x128x768  1x64x112x112  8x197x3072
    ============  ======  ======  =======  =========  ============  ==========
    gelu_erf      1.30    1.62    2.60     3.31       10.6          17.0
    mish          1.21    4.38    9.82     13.2       21.2          23.1
    soft_relu     1.08    5.52    10.2     8.70       11.6          17.8
    elu           0.97    1.53    2.93     6.44       8.37          7.46
    gelu_tanh     0.70    0.75    1.41     1.60       3.37          2.94
    logistic      0.57    0.79    1.16     1.22       2.38          2.71
    swish         0.86    0.89    1.01     1.39       1.98          2.27
    hardswish     0.96    0.76    0.97     1.76       2.53          2.53
    hardsigmoid   0.96    0.60    0.89     1.35       1.84          1.71
    relu          0.41    0.63    0.60     0.67       0.87          1.03
    clip_v2       0.45    0.59    0.74     0.65       0.89          1.15
    tanh          0.24    0.33    0.40     0.72       0.83          0.95
    binary add    0.18    0.14    0.22     0.64       0.83          1.34
    add [1,C,1]   0.13    0.17    0.33     1.07       0.83          1.56
    ============  ======  ======  =======  =========  ============  ==========

A second run (``--runs 31``) moved the small sizes: at 1x1024 gelu_erf 1.20, mish 1.15,
soft_relu 1.00; at 1x4096 elu 0.74; at 1x16384 gelu_tanh 0.93, logistic 0.80 (and a 3-run
check had gelu_erf at 0.75 at 1x1024). The thresholds take the smallest size that won by 1.2x
or more in every run. The other binary algorithms measured as add
within noise; abs, sqrt, exp and log (0.15-1.5) were left to numpy, and relu, clip_v2 and tanh
stay numpy as standalone steps (where fused, they run as oneDNN post-ops). Binary ops take
oneDNN from ``BINARY_MIN_ELEMENTS`` only.
"""
from __future__ import annotations

import numpy as np

from . import _capi as C
from ._runtime import MemoryDesc, aligned_empty, create
from .ops import _Cached
from .simple_ops import _primitive

__all__ = ["MIN_ELEMENTS", "BINARY_MIN_ELEMENTS", "eltwise_algorithm", "EltwiseKernel",
           "BinaryKernel", "binary_operands"]

# the smallest input (elements) each eltwise algorithm runs on oneDNN from; absent: never
MIN_ELEMENTS = {"gelu_erf": 4096, "mish": 4096, "soft_relu": 4096, "elu": 16384,
                "gelu_tanh": 65536, "logistic": 65536, "swish": 65536, "hardswish": 65536,
                "hardsigmoid": 65536}
# binary ops: oneDNN matched numpy up to 1x64x112x112 and won only on the 4.8M-element tensor
BINARY_MIN_ELEMENTS = 1 << 21


def eltwise_algorithm(onednn_eltwise, arguments):
    """(algorithm name, alpha, beta) of an op class's ``onednn_eltwise`` trait for a node whose
    ``compute`` keyword ``arguments`` are given, or None (an algorithm oneDNN lacks, a value
    that is not a number)."""
    algorithm, *scalars = onednn_eltwise
    if isinstance(algorithm, dict):
        algorithm = algorithm.get(str(next(iter(arguments.values()), "")).upper())
    try:
        alpha, beta = (float(arguments[v]) if isinstance(v, str) else float(v) for v in scalars)
    except (KeyError, TypeError, ValueError):
        return None
    return None if algorithm not in C.ELTWISE else (algorithm, alpha, beta)


def _output(x, reuse=False):
    """A buffer for the result of ``x``'s shape laid out in ``x``'s axis order (largest stride
    first: an NCHW view of NHWC memory, a oneDNN convolution's output, stays NHWC for the next
    one); ``x`` itself with ``reuse`` (a dead input the plan hands over as ``out``) when its
    memory is dense in that order."""
    order = sorted(range(x.ndim), key=lambda axis: -x.strides[axis] if x.shape[axis] > 1 else 0)
    if reuse and x.flags.writeable and _dense(x, order):
        return x
    return aligned_empty([x.shape[axis] for axis in order]).transpose(np.argsort(order))


def _dense(x, order) -> bool:
    expected = x.itemsize
    for axis in reversed(order):
        if x.shape[axis] > 1 and x.strides[axis] != expected:
            return False
        expected *= x.shape[axis]
    return True


class EltwiseKernel(_Cached):
    """y = f(x) for f32 ``x`` of any strides, into dense memory in ``x``'s axis order."""

    def __init__(self, runtime, algorithm: str, alpha, beta, min_elements=0):
        super().__init__(runtime)
        self.algorithm, self.alpha, self.beta = C.ELTWISE[algorithm], alpha, beta
        self.min_elements = min_elements

    def build(self, x):
        rt = self.runtime
        src, dst = MemoryDesc.of_array(rt, x), MemoryDesc.of_array(rt, _output(x))
        pd = create(rt, "eltwise_forward", C.FORWARD_INFERENCE, self.algorithm, src.handle,
                    dst.handle, self.alpha, self.beta)
        return _primitive(rt, pd, (C.ARG_SRC, C.ARG_DST), (src, dst))

    def __call__(self, x, threads, out=None):
        if x.size < self.min_elements:
            return None
        primitive = self.primitive(threads, (x,))
        if primitive is None:
            return None
        y = _output(x, reuse=out is x)
        self.runtime.set_threads(threads)
        primitive.execute(x, y)
        return y


def binary_operands(a, b, commutative):
    """(src0, src1, swapped) as oneDNN's binary primitive takes them: equal ranks, src0 of the
    result's shape, src1 broadcast over its size-1 axes only (numpy's rule restricted); the
    operands swapped for a ``commutative`` op whose first one broadcasts; None when neither
    fits."""
    rank = max(a.ndim, b.ndim)
    a = a.reshape((1,) * (rank - a.ndim) + a.shape)
    b = b.reshape((1,) * (rank - b.ndim) + b.shape)
    if all(y in (x, 1) for x, y in zip(a.shape, b.shape)):
        return a, b, False
    if commutative and all(x in (y, 1) for x, y in zip(a.shape, b.shape)):
        return b, a, True
    return None


class BinaryKernel(_Cached):
    """c = a (op) b for f32 operands as :func:`binary_operands` gives them, into dense memory
    in the first one's axis order."""

    def __init__(self, runtime, algorithm: str, commutative, min_elements=0):
        super().__init__(runtime)
        self.algorithm, self.commutative = C.BINARY[algorithm], commutative
        self.min_elements = min_elements

    def build(self, a, b):
        rt = self.runtime
        src0, src1 = MemoryDesc.of_array(rt, a), MemoryDesc.of_array(rt, b)
        dst = MemoryDesc.of_array(rt, _output(a))
        pd = create(rt, "binary", self.algorithm, src0.handle, src1.handle, dst.handle)
        return _primitive(rt, pd, (C.ARG_SRC, C.ARG_SRC_1, C.ARG_DST), (src0, src1, dst))

    def __call__(self, a, b, threads, out=None):
        if max(a.size, b.size) < self.min_elements or max(a.ndim, b.ndim) > 12:
            return None
        operands = binary_operands(a, b, self.commutative)
        if operands is None:
            return None
        primitive = self.primitive(threads, operands[:2])
        if primitive is None:
            return None
        src0, src1, swapped = operands
        y = _output(src0, reuse=out is a and not swapped)  # src0: a view of a, the dead input
        self.runtime.set_threads(threads)
        primitive.execute(src0, src1, y)
        return y
