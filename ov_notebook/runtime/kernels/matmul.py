"""MatMul and Einsum kernels: everything that multiplies goes through one BLAS ``np.matmul``.

f16 products are computed in f32 (numpy has no f16 BLAS and OpenVINO accumulates f16 in f32);
integer products stay in numpy's exact integer loops.
"""
from __future__ import annotations

import numpy as np

from ...ir.ops.matmul import ELLIPSIS, parse_equation
from . import kernel


def _compute_dtype(dtype):
    return np.dtype(np.float32) if dtype == np.float16 else dtype


@kernel("MatMul")
def matmul(a, b, *, transpose_a=False, transpose_b=False):  # MatMul-1
    dtype = a.dtype
    if transpose_a and a.ndim > 1:
        a = np.swapaxes(a, -1, -2)
    if transpose_b and b.ndim > 1:
        b = np.swapaxes(b, -1, -2)
    work = _compute_dtype(dtype)
    a, b = a.astype(work, copy=False), b.astype(work, copy=False)
    if a.ndim > 2 and b.ndim == 2 and a.flags.c_contiguous:
        # [batch..., M, K] @ [K, N] as a single GEMM over batch*M rows instead of one per batch
        result = np.matmul(a.reshape(-1, a.shape[-1]), b).reshape(a.shape[:-1] + b.shape[-1:])
    else:
        result = np.matmul(a, b)
    return result.astype(dtype, copy=False)


# --- Einsum-7 ----------------------------------------------------------------------------------
def _expand_labels(inputs, output, operands):
    """Label lists with the ellipsis replaced by one token per broadcast axis (right-aligned)."""
    widths = [op.ndim - (len(labels) - 1) if ELLIPSIS in labels else 0
              for labels, op in zip(inputs, operands)]
    width = max(widths, default=0)
    tokens = [(ELLIPSIS, k) for k in range(width)]

    def expand(labels, own_width):
        if ELLIPSIS not in labels:
            return list(labels)
        at = labels.index(ELLIPSIS)
        return labels[:at] + tokens[width - own_width:] + labels[at + 1:]

    return [expand(labels, w) for labels, w in zip(inputs, widths)], expand(output, width)


def _simplify(operand, labels, keep):
    """Take diagonals of repeated labels and sum labels nobody else needs (one np.einsum)."""
    unique = list(dict.fromkeys(labels))
    wanted = [label for label in unique if label in keep]
    if wanted == labels:
        return operand, labels
    ids = {label: index for index, label in enumerate(unique)}
    reduced = np.einsum(operand, [ids[label] for label in labels], [ids[label] for label in wanted])
    return reduced, wanted


def _contract(a, la, b, lb, keep):
    """Contract two operands with one batched matmul: [batch, A, sum] @ [batch, sum, B]."""
    batch = [label for label in la if label in lb and label in keep]
    summed = [label for label in la if label in lb and label not in keep]
    only_a = [label for label in la if label not in lb]
    only_b = [label for label in lb if label not in la]
    size = {**dict(zip(la, a.shape)), **dict(zip(lb, b.shape))}
    a = a.transpose([la.index(label) for label in batch + only_a + summed])
    b = b.transpose([lb.index(label) for label in batch + summed + only_b])
    def count(group):
        return int(np.prod([size[label] for label in group], dtype=np.int64))

    a = a.reshape(a.shape[:len(batch)] + (count(only_a), count(summed)))
    b = b.reshape(b.shape[:len(batch)] + (count(summed), count(only_b)))
    result = np.matmul(a, b)
    shape = result.shape[:len(batch)] + tuple(size[label] for label in only_a + only_b)
    return result.reshape(shape), batch + only_a + only_b


def _check_label_sizes(inputs, operands):
    """A label names one size everywhere (ellipsis axes broadcast and are not checked); sizes
    only run time knows would otherwise fail in a reshape that names neither label nor sizes."""
    seen = {}
    for index, (labels, operand) in enumerate(zip(inputs, operands)):
        for label, size in zip(labels, operand.shape):
            if isinstance(label, tuple):  # an ellipsis token
                continue
            first_size, first_index = seen.setdefault(label, (size, index))
            if size != first_size:
                raise ValueError(f"Einsum label '{label}' has size {first_size} in input "
                                 f"{first_index} and {size} in input {index}")


@kernel("Einsum")
def einsum(*operands, equation):  # Einsum-7
    dtype = operands[0].dtype
    inputs, output = parse_equation(equation)
    inputs, output = _expand_labels(inputs, output, operands)
    _check_label_sizes(inputs, operands)
    work = _compute_dtype(dtype)
    pending = [op.astype(work, copy=False) for op in operands]
    for index, labels in enumerate(inputs):
        keep = set(output).union(*(inputs[j] for j in range(len(inputs)) if j != index))
        pending[index], inputs[index] = _simplify(pending[index], labels, keep)
    current, labels = pending[0], inputs[0]
    for index in range(1, len(pending)):
        keep = set(output).union(*inputs[index + 1:])
        current, labels = _contract(current, labels, pending[index], inputs[index], keep)
    current, labels = _simplify(current, labels, set(output))
    result = current.transpose([labels.index(label) for label in output])
    # a fresh C-contiguous array: "ij->ij" must not hand back (a view of) its input, and
    # np.ascontiguousarray would turn a scalar into 1-D
    if not result.flags.c_contiguous or any(np.may_share_memory(result, op) for op in operands):
        result = result.copy()
    return result.astype(dtype, copy=False)
