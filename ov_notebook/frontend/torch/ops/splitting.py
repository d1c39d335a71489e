"""Splitting translators: split, split_with_sizes, chunk, unbind -> VariadicSplit / Split.

Along a static dimension the pieces' lengths are constants. Along a dynamic one they are computed
at run time (VariadicSplit with computed lengths; Split for unbind), and their count comes from
torch: FX records every piece; TorchScript returns a list, whose ``prim::ListUnpack`` asks for
its pieces (:class:`PendingPieces`).
"""
from __future__ import annotations

from .... import opset as ops
from ....ir.types import Type
from ..registry import translator
from ._common import dims_of, i64, known_arg, normalize_axis, out, sizes_input, static_rank, to_type


def split_lengths(ctx, value, axis, lengths):
    """The outputs of VariadicSplit of ``value`` along ``axis`` into ``lengths``."""
    node = ops.variadic_split(value, i64(axis), i64(lengths))
    return [node.output(i) for i in range(len(lengths))]


def _even_lengths(total, size):
    return [size] * (total // size) + ([total % size] if total % size else []) or [0]


class PendingPieces:
    """The pieces of ``value`` along ``axis`` (``step`` long, the last one the rest; or single
    elements, squeezed, for unbind) while their count is not known: TorchScript's
    ``prim::ListUnpack`` asks for all of them, ``aten::__getitem__`` for one."""

    def __init__(self, value, axis, step, squeeze=False):
        self.value, self.axis, self.step, self.squeeze = value, axis, step, squeeze

    def unpack_pieces(self, count):
        if self.squeeze:
            node = ops.split(self.value, i64(self.axis), count)
            return [out(ops.squeeze(node.output(i), i64([self.axis]))) for i in range(count)]
        return _split_by_step(self.value, self.axis, self.step, count)

    def piece(self, index):
        """Piece ``index``; negative ones count from the end, as in a Python list."""
        if self.squeeze:  # Gather takes negative indices from the end
            return out(ops.gather(self.value, i64(index), i64(self.axis)))
        first = i64([index])
        if index < 0:  # there are ceil(n / step) = (n + step - 1) // step pieces
            total = ops.subtract(ops.add(dims_of(self.value, [self.axis]), self.step), i64([1]))
            first = ops.add(ops.divide(total, self.step), first)
        start = out(ops.multiply(self.step, first))
        return out(ops.slice(self.value, start, ops.add(start, self.step), i64([1]),
                             i64([self.axis])))


def _split_by_step(value, axis, step, count):
    """VariadicSplit into ``count`` pieces of ``step`` (a 1-element i64 tensor), the last one
    what remains: the lengths are computed at run time."""
    rest = ops.subtract(dims_of(value, [axis]), ops.multiply(step, i64([count - 1])))
    lengths = ops.concat([step] * (count - 1) + [rest], 0)
    node = ops.variadic_split(value, i64(axis), lengths)
    return [node.output(i) for i in range(count)]


def _piece_count(ctx):
    """How many pieces torch made, where its graph says (FX records each one's metadata)."""
    meta = ctx.node.output_meta
    if meta and all(entry is not None for entry in meta):
        return ctx.node.num_outputs
    return None


def _pieces(ctx, value, axis, step, squeeze=False):
    count = _piece_count(ctx)
    pending = PendingPieces(value, axis, step, squeeze)
    return pending if count is None else pending.unpack_pieces(count)


def _run_time_step(ctx, index, name):
    """A SymInt argument as a 1-element i64 tensor."""
    if ctx.is_tensor(index, name):
        step = to_type(ctx.input(index, name), Type.i64)
        return out(ops.reshape(step, i64([1]), False))
    return i64([ctx.arg(index, name)])


@translator("aten.split", "aten::split", "aten.unsafe_split", "aten::unsafe_split",
            "aten.split_with_sizes", "aten::split_with_sizes", "aten::unsafe_split_with_sizes")
def split(ctx):
    # aten::split.Tensor(Tensor self, SymInt split_size, int dim=0) -> Tensor[];
    # aten::split_with_sizes(Tensor self, SymInt[] split_sizes, int dim=0) -> Tensor[]
    value = ctx.input(0)
    axis = normalize_axis(ctx, ctx.arg(2, "dim", 0), static_rank(ctx, value))
    sizes, length = known_arg(ctx, 1), value.get_partial_shape()[axis]
    if isinstance(sizes, (list, tuple)):
        return split_lengths(ctx, value, axis, list(sizes))
    if sizes is not None and length.is_static:
        return split_lengths(ctx, value, axis, _even_lengths(length.get_length(), sizes))
    if sizes is None and not ctx.is_tensor(1):  # sizes computed at run time (SymInts)
        lengths = sizes_input(ctx, 1)
        node = ops.variadic_split(value, i64(axis), lengths)
        return [node.output(i) for i in range(lengths.get_partial_shape()[0].get_length())]
    return _pieces(ctx, value, axis, _run_time_step(ctx, 1, "split_size"))


@translator("aten.chunk", "aten::chunk", "aten.unsafe_chunk", "aten::unsafe_chunk")
def chunk(ctx):  # aten::chunk(Tensor(a -> *) self, int chunks, int dim=0) -> Tensor(a)[]
    value = ctx.input(0)
    axis = normalize_axis(ctx, ctx.arg(2, "dim", 0), static_rank(ctx, value))
    chunks, length = ctx.arg(1, "chunks"), value.get_partial_shape()[axis]
    if length.is_static:
        size = -(-length.get_length() // chunks)  # torch: ceil(total / chunks) per chunk
        return split_lengths(ctx, value, axis, _even_lengths(length.get_length(), max(size, 1)))
    # ceil(n / chunks) = (n + chunks - 1) // chunks, n >= 0 (floor and truncation agree)
    step = ops.divide(ops.add(dims_of(value, [axis]), i64([chunks - 1])), i64([chunks]))
    return _pieces(ctx, value, axis, out(step))


@translator("aten.unbind", "aten::unbind")
def unbind(ctx):  # aten::unbind.int(Tensor(a -> *) self, int dim=0) -> Tensor(a)[]
    value = ctx.input(0)
    axis = normalize_axis(ctx, ctx.arg(1, "dim", 0), static_rank(ctx, value))
    length = value.get_partial_shape()[axis]
    if length.is_static:
        node = ops.split(value, i64(axis), length.get_length())
        return [out(ops.squeeze(node.output(i), i64([axis])))
                for i in range(length.get_length())]
    return _pieces(ctx, value, axis, i64([1]), squeeze=True)
