"""Writing OpenVINO IR version 11 (``model.xml`` + ``model.bin``) the way OpenVINO's serializer does.

What "the way OpenVINO does" means here, checked against ``openvino.save_model`` output:
layers in ``Model.get_ordered_ops()`` order (Parameters, body, Results), port ids numbered inputs
first then outputs, edges sorted, ``-1`` for every non-static dim, tensor names sorted and joined
with commas (commas inside names escaped as ``\\,``), attribute text escaped like pugixml, Results
carrying ``output_names``, identical weight blobs stored once, and with ``compress_to_fp16`` every
f32/f64 Constant stored as f16 behind a Convert marked ``decompression`` — except Constants whose
values mostly (>= 75%) do not fit f16, which stay as they are.
"""
from __future__ import annotations

import collections
import concurrent.futures
import hashlib
import os
import queue
import re
import threading

import numpy as np

from .attributes import Attr
from .layout import LAYOUT_KEY, Layout
from .errors import IRWriteError
from .model import Model
from .ops.core import Constant
from .types import Type

__all__ = ["save_model", "serialize", "DECOMPRESSION"]

DECOMPRESSION = "decompression"  # rt_info key OpenVINO puts on the Convert after an f16 weight
DISABLE_FP16 = "disable_fp16_compression"  # rt_info key that keeps a weight in full precision
_F16_MAX = 65504.0
_F16_MIN_NORMAL = 2.0 ** -14
_KEEP_UNCOMPRESSED = 0.75  # OpenVINO keeps a weight uncompressed when this share is out of range
_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_SHAPE_ATTR = Attr("shape", "shape")


_NEEDS_ESCAPE = re.compile('[&<"\x00-\x1f]')


def _quote(value) -> str:
    """An XML attribute value in double quotes, escaped as pugixml (OpenVINO's writer) does:
    ``& < "`` as entities, control characters as ``&#NN;``, ``>`` and ``'`` left as they are."""
    text = str(value)
    if not _NEEDS_ESCAPE.search(text):  # most names and values: nothing to escape
        return '"' + text + '"'
    out = []
    for char in text:
        if char == "&":
            out.append("&amp;")
        elif char == "<":
            out.append("&lt;")
        elif char == '"':
            out.append("&quot;")
        elif ord(char) < 32:
            out.append(f"&#{ord(char):02d};")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _join_names(names) -> str:
    # OpenVINO joins tensor names with commas and escapes the commas inside names
    return ",".join(n.replace(",", "\\,") for n in sorted(names))


def _rt_info_value(value) -> str:
    """As OpenVINO prints an rt_info value (its ``ov::Any``): lists space-separated, YES/NO."""
    if isinstance(value, (list, tuple)):
        return " ".join(_rt_info_value(v) for v in value)
    if isinstance(value, (bool, np.bool_)):
        return "YES" if value else "NO"
    return str(value)


def _rt_info_xml(rt_info, indent):
    """Node and port rt_info: one ``<attribute>`` per key, sorted; empty values get no ``value``."""
    if not rt_info:
        return []
    lines = [f"{indent}<rt_info>"]
    for key in sorted(rt_info, key=str):
        text = _rt_info_value(rt_info[key])
        value = f" value={_quote(text)}" if text != "" else ""
        if key == LAYOUT_KEY:  # OpenVINO's LayoutAttribute carries its value as layout="[N,C]"
            value = f" layout={_quote(str(Layout(rt_info[key])))}"
        lines.append(f'{indent}\t<attribute name={_quote(key)} version="0"{value} />')
    lines.append(f"{indent}</rt_info>")
    return lines


def _model_rt_info_xml(rt_info, indent):
    """Model rt_info, keys sorted (OpenVINO keeps them in a map): keys that are XML names become
    elements, others ``<info name=...>``."""
    lines = []
    for key, value in sorted(rt_info.items(), key=lambda item: str(item[0])):
        key = str(key)
        element = _XML_NAME.match(key) and key != "info"
        if isinstance(value, dict):
            if not element:
                raise IRWriteError(f"model rt_info key {key!r} holds a nested dict and must be a "
                                   "valid XML element name")
            lines.append(f"{indent}<{key}>")
            lines += _model_rt_info_xml(value, indent + "\t")
            lines.append(f"{indent}</{key}>")
        elif element:
            lines.append(f"{indent}<{key} value={_quote(_rt_info_value(value))} />")
        else:
            lines.append(f"{indent}<info name={_quote(key)} value={_quote(_rt_info_value(value))} />")
    return lines


def _port_xml(port_id, element_type, shape, names, rt_info, indent):
    head = f'{indent}<port id="{port_id}" precision="{element_type.precision}"'
    if names:
        head += f" names={_quote(_join_names(names))}"
    body = []
    if shape.rank_is_static:
        body = [f"{indent}\t<dim>{d.get_length() if d.is_static else -1}</dim>" for d in shape]
    body += _rt_info_xml(rt_info, indent + "\t")
    if not body:
        return [head + " />"]
    return [head + ">"] + body + [f"{indent}</port>"]


def out_of_f16_range(data: np.ndarray) -> np.ndarray:
    """Values f16 cannot hold: beyond +-65504, non-zero below the smallest normal f16, NaN."""
    magnitude = np.abs(data)
    with np.errstate(invalid="ignore"):
        fits = (magnitude <= _F16_MAX) & ((magnitude >= _F16_MIN_NORMAL) | (magnitude == 0))
    return ~fits


def _compressible(node) -> bool:
    """An f32/f64 Constant with values, not marked ``disable_fp16_compression``."""
    if not isinstance(node, Constant) or node.get_element_type() not in (Type.f32, Type.f64):
        return False
    if DISABLE_FP16 in node.rt_info or DISABLE_FP16 + "_0" in node.rt_info:
        return False
    return node.get_data().size > 0  # OpenVINO leaves empty weights as they are


def should_compress(node) -> bool:
    """OpenVINO's rule: f32/f64 weights go to f16 unless >= 75% of the values do not fit f16, or
    the node is marked ``disable_fp16_compression`` (OpenVINO's own mark, in rt_info)."""
    return _compressible(node) and compress_f16(node.get_data()) is not None


# Elements per block when compressing: the temporaries of a block stay in cache, so a weight is
# read once instead of once per whole-array temporary (abs, two compares, clip, isnan, astype)
_BLOCK = 1 << 16
# Blocks per chunk that save_model writes: 1 MiB of f16, converted into a reused buffer and written
# while it is still in cache (one os.write per MiB, no weight-sized f16 copy, no fresh pages)
_CHUNK = 8 * _BLOCK
# Threads converting the chunks of a large weight (numpy releases the GIL in its loops), up to two
# chunks ahead each; the stream's writes (the kernel's copy into the page cache) run beside them
_CONVERT_THREADS = min(2, os.cpu_count() or 1)


class _BlockScratch:
    """Reused buffers for converting one block: an aligned copy of the block (weights read from
    an IR lie at any byte offset, and numpy runs its integer loops on unaligned data through
    extra copies) and two uint32 temporaries."""

    def __init__(self):
        self.aligned = np.empty(_BLOCK, np.float32)
        self.integers = np.empty((2, _BLOCK), np.uint32)

    def convert(self, block: np.ndarray, target: np.ndarray) -> int:
        """Write ``block`` (f32 or f64, at most ``_BLOCK`` values) as OpenVINO's f16 into
        ``target``; how many of its values are out of f16's range."""
        if block.dtype == np.float32:
            if not block.flags.aligned:
                aligned = self.aligned[:block.size]
                np.copyto(aligned, block)
                block = aligned
            tiny = _f16_block_without_clamp(block, self.integers[:, :block.size], target)
            if tiny is not None:
                return tiny
        count = int(np.count_nonzero(out_of_f16_range(block)))
        if count:  # only such a block needs the clamp: the others cast as they are
            clamped = np.clip(block, -_F16_MAX, _F16_MAX)
            # NaN (which clipping leaves) becomes 65504, as a min/max clamp in OpenVINO leaves it
            clamped[np.isnan(clamped)] = _F16_MAX
            block = clamped
        target[...] = block
        return count


def compress_f16(data: np.ndarray):
    """``to_f16(data)`` when fewer than 75% of the values are out of f16's range (OpenVINO's
    rule for compressing a weight), else None; one pass over ``data`` by cache-sized blocks."""
    flat = np.ascontiguousarray(data).reshape(-1)
    out = np.empty(flat.size, np.float16)
    scratch, outside = _BlockScratch(), 0
    for start in range(0, flat.size, _BLOCK):
        outside += scratch.convert(flat[start:start + _BLOCK], out[start:start + _BLOCK])
    if outside / flat.size >= _KEEP_UNCOMPRESSED:
        return None
    return out.reshape(data.shape)


_F16_MAX_BITS = int(np.float32(_F16_MAX).view(np.uint32))
_F16_MIN_NORMAL_BITS = int(np.float32(_F16_MIN_NORMAL).view(np.uint32))
_EXPONENT_REBIAS = np.uint32(((127 - 15) << 23) - 0xFFF)  # f32 -> f16 exponent, minus half an ulp


def _f16_block_without_clamp(block, scratch, target):
    """Write f32 ``block`` as f16 into ``target`` when no value needs the clamp (none beyond
    65504, infinite or NaN: the usual block of weights) and return how many values are below
    f16's normal range but not zero (out of range for the 75% rule, cast as they are); None,
    nothing written, when some value needs the clamp. Normal values are converted with
    integer operations (numpy's f32 -> f16 cast runs ~1.7x slower), rounding to nearest even
    as the cast does; the few below the normal range go through the cast."""
    bits, magnitude, low = block.view(np.uint32), scratch[0], scratch[1]
    np.bitwise_and(bits, 0x7FFFFFFF, out=magnitude)
    if magnitude.max() > _F16_MAX_BITS:
        return None
    tiny = np.flatnonzero(magnitude < _F16_MIN_NORMAL_BITS) \
        if magnitude.min() < _F16_MIN_NORMAL_BITS else None
    np.right_shift(magnitude, 13, out=low)
    np.bitwise_and(low, 1, out=low)  # ties round to the even neighbour
    np.add(magnitude, low, out=magnitude)
    np.subtract(magnitude, _EXPONENT_REBIAS, out=magnitude)
    np.right_shift(magnitude, 13, out=magnitude)
    np.right_shift(bits, 16, out=low)
    np.bitwise_and(low, 0x8000, out=low)  # the sign
    np.bitwise_or(magnitude, low, out=magnitude)
    target.view(np.uint16)[...] = magnitude
    if tiny is None:
        return 0
    target[tiny] = block[tiny]  # subnormal f16 or zero, as the cast makes them
    return int(np.count_nonzero(block[tiny]))


def to_f16(data: np.ndarray) -> np.ndarray:
    """f32/f64 -> f16 as OpenVINO compresses: values beyond the range, infinities and NaN (as a
    min/max clamp leaves it) become +-65504; everything else rounds to nearest."""
    clamped = np.clip(data, -_F16_MAX, _F16_MAX)
    clamped = np.where(np.isnan(data), _F16_MAX, clamped)
    return clamped.astype(np.float16)


_RUNS = _RUN = 64  # a fingerprint's runs, and the bytes in each


def _fingerprint(raw: np.ndarray) -> bytes:
    """64 runs of 64 bytes spread evenly across a buffer: equal buffers have equal fingerprints,
    and buffers of one length that differ (every weight of a layer type has the same length)
    almost always differ here, so only the rare fingerprint matches need a full digest. Runs
    rather than 4096 single bytes: a cache line each instead of a cache (and TLB) miss per byte,
    which cost the 1B Llama's save 0.5 s."""
    if raw.size <= _RUNS * _RUN:
        return raw.tobytes()
    step = (raw.size - _RUN) // (_RUNS - 1)  # the first run starts the buffer
    runs = np.lib.stride_tricks.as_strided(raw, (_RUNS, _RUN), (step, 1), writeable=False)
    return runs.tobytes() + raw[-_RUN:].tobytes()


class _Blob:
    """A buffer already written: its offset, and the array its identity is taken from (kept by
    reference, the model's own data) until a full digest of it is needed."""

    __slots__ = ("offset", "size", "_identity", "_digest")

    def __init__(self, offset, size, identity):
        self.offset, self.size, self._identity, self._digest = offset, size, identity, None

    def digest(self) -> bytes:
        if self._digest is None:
            self._digest = _digest(self._identity)
            self._identity = None
        return self._digest


def _digest(raw: np.ndarray) -> bytes:
    return hashlib.blake2b(raw, digest_size=32).digest()


def _as_bytes(data: np.ndarray) -> np.ndarray:
    """The bytes of ``data`` as a uint8 array, without a copy when it is C-contiguous; OpenVINO
    writes an empty constant as one zero byte (and reads size 0 as a null pointer)."""
    data = np.ascontiguousarray(data)
    return data.reshape(-1).view(np.uint8) if data.size else np.zeros(1, np.uint8)


class _Blobs:
    """Constant buffers written once each, identical ones shared.

    As in OpenVINO's writer, two constants share one buffer when their original bytes are equal
    (f32 weights that differ only below f16 precision still get a buffer each when compressed).
    Buffers are compared by length and a sampled fingerprint first; a full digest is computed
    only when both match an earlier buffer, so a weight is written without a copy and read once
    rather than hashed whole.
    """

    def __init__(self, stream):
        self.stream = stream
        self.offset = 0
        self.seen = {}  # (compressed, original byte length, fingerprint) -> [_Blob]
        self.chunks = queue.SimpleQueue()  # f16 chunk buffers back from the stream, for reuse
        self.scratches = queue.SimpleQueue()  # one _BlockScratch per converting thread
        self.workers = None  # the converting threads, started by the first multi-chunk weight

    def close(self):
        """Stop the converting threads."""
        if self.workers is not None:
            self.workers.shutdown()
            self.workers = None

    def add(self, data: np.ndarray):
        """Write ``data`` unless an equal buffer was written; (offset, size) of its bytes."""
        raw = _as_bytes(data)
        shared, entry = self._find(False, raw)
        if shared is None:
            self.stream.write(raw)
            shared = self._record(entry, raw.size)
        return shared

    def add_compressed(self, data: np.ndarray):
        """Write f32/f64 ``data`` as f16 unless an equal weight was written; (offset, size) of
        the f16 bytes, or None (nothing written) when ``data`` stays uncompressed: when >= 75%
        of its values do not fit f16."""
        identity = _as_bytes(data)
        shared, entry = self._find(True, identity)
        if shared is None and (size := self._write_f16(np.ascontiguousarray(data).reshape(-1))):
            shared = self._record(entry, size)
        return shared

    def _find(self, compressed, identity):
        """(offset, size) of an earlier buffer made from the bytes of ``identity`` (else None),
        and what ``_record`` needs to note a new one."""
        earlier = self.seen.setdefault((compressed, identity.size, _fingerprint(identity)), [])
        digest = _digest(identity) if earlier else None
        for blob in earlier:
            if blob.digest() == digest:
                return (blob.offset, blob.size), None
        return None, (earlier, identity, digest)

    def _record(self, entry, size):
        """Note the buffer of ``size`` bytes just written for ``entry`` (from ``_find``)."""
        earlier, identity, digest = entry
        blob = _Blob(self.offset, size, identity)
        blob._digest = digest
        earlier.append(blob)
        self.offset += size
        return blob.offset, blob.size

    def _write_f16(self, flat):
        """Convert ``flat`` chunk by chunk into reused buffers and write them; the byte size
        written, or None (nothing written) when too many values are out of f16's range. Chunks
        are held back only until the count of values in range settles that question (after a
        quarter of a usual weight); then they go out in order as they are converted."""
        size, outside, converted, pending, decided = flat.size, 0, 0, [], False
        chunks = self._f16_chunks(flat)
        try:
            for buffer, target, count in chunks:
                pending.append((buffer, target))
                outside, converted = outside + count, converted + target.size
                if outside / size >= _KEEP_UNCOMPRESSED:  # out of range already: stays as it is
                    break
                # even if all the values still to come were out of range, it would be compressed
                decided = decided or (outside + size - converted) / size < _KEEP_UNCOMPRESSED
                if decided:
                    for chunk in pending:
                        self._write_chunk(*chunk)
                    pending.clear()
        finally:
            chunks.close()
            for buffer, _ in pending:
                self.chunks.put(buffer)
        return 2 * size if decided else None

    def _f16_chunks(self, flat):
        """(buffer, f16 chunk in it, count out of range) for each chunk of ``flat``, in order:
        converted on the calling thread for a single chunk, else on the converting threads a
        few chunks ahead of the caller."""
        if flat.size <= _CHUNK:
            buffer = self._chunk_buffer()
            yield buffer, buffer[:flat.size], self._convert(flat, buffer[:flat.size])
            return
        if self.workers is None:
            self.workers = concurrent.futures.ThreadPoolExecutor(
                _CONVERT_THREADS, thread_name_prefix="save_model f16")
        ahead = collections.deque()
        try:
            for start in range(0, flat.size, _CHUNK):
                buffer = self._chunk_buffer()
                target = buffer[:min(_CHUNK, flat.size - start)]
                ahead.append((buffer, target, self.workers.submit(
                    self._convert, flat[start:start + target.size], target)))
                if len(ahead) > 2 * _CONVERT_THREADS:
                    buffer, target, future = ahead.popleft()
                    yield buffer, target, future.result()
            while ahead:
                buffer, target, future = ahead[0]
                count = future.result()
                ahead.popleft()
                yield buffer, target, count
        finally:  # stopped early or failed: the chunks still converting are nobody's
            for buffer, _, future in ahead:
                concurrent.futures.wait([future])
                self.chunks.put(buffer)

    def _convert(self, part, target) -> int:
        """``part`` as f16 into ``target``, block by block; how many values are out of range."""
        try:
            scratch = self.scratches.get_nowait()
        except queue.Empty:
            scratch = _BlockScratch()
        outside = 0
        for block in range(0, part.size, _BLOCK):
            outside += scratch.convert(part[block:block + _BLOCK], target[block:block + _BLOCK])
        self.scratches.put(scratch)
        return outside

    def _chunk_buffer(self):
        try:
            return self.chunks.get_nowait()
        except queue.Empty:
            return np.empty(_CHUNK, np.float16)

    def _write_chunk(self, buffer, target):
        raw = target.view(np.uint8)
        if isinstance(self.stream, _BackgroundWriter):
            self.stream.write(raw, done=lambda: self.chunks.put(buffer))
        else:
            self.stream.write(raw)
            self.chunks.put(buffer)


class _Writer:
    """Collects layers and edges; ``ports[id(node)]`` is (layer id, id of its first output port)."""

    def __init__(self, bin_stream, compress_to_fp16, blobs=None):
        self.blobs = blobs if blobs is not None else _Blobs(bin_stream)
        self.compress = compress_to_fp16
        self.layers, self.edges, self.ports = [], [], {}

    def add_layer(self, name, type_version, data, rt_info, in_ports, out_ports, extra="",
                  port_maps=(), bodies=()):
        layer_id = len(self.layers)
        type_name, version = type_version
        lines = [f'\t\t<layer id="{layer_id}" name={_quote(name)} type="{type_name}" '
                 f'version="{version}"{extra}>']
        if data:
            lines.append("\t\t\t<data " + " ".join(f"{k}={_quote(v)}" for k, v in data) + " />")
        lines += [f"\t\t\t{line}" for line in port_maps]
        lines += _rt_info_xml(rt_info, "\t\t\t")
        for tag, ports, first in (("input", in_ports, 0), ("output", out_ports, len(in_ports))):
            if ports:
                lines.append(f"\t\t\t<{tag}>")
                for offset, port in enumerate(ports):
                    lines += _port_xml(first + offset, *port, "\t\t\t\t")
                lines.append(f"\t\t\t</{tag}>")
        lines += [f"\t\t\t{line}" for line in bodies]
        self.layers.append("\n".join(lines + ["\t\t</layer>"]))
        return layer_id

    @staticmethod
    def constant_data(element_type, shape, placement):
        """A Const layer's data attributes; ``placement``: (offset, size) of its bytes."""
        offset, size = placement
        return [("element_type", element_type.get_type_name()),
                ("shape", _SHAPE_ATTR.to_xml(list(shape))),
                ("offset", str(offset)), ("size", str(size))]

    def write_node(self, node):
        if self.compress and _compressible(node):
            placement = self.blobs.add_compressed(node.get_data())
            if placement is not None:
                return self.write_compressed(node, placement)
        if isinstance(node, Constant):
            data = self.constant_data(node.get_element_type(), node.get_output_shape(0),
                                      self.blobs.add(node.get_data()))
        else:
            data = [(spec.name, spec.to_xml(node._attrs[spec.name])) for spec in node.attrs
                    if node._attrs.get(spec.name) is not None]
        in_ports = [(src.get_element_type(), src.get_partial_shape(), None, None)
                    for src in node.input_values()]
        extra, out_ports = "", []
        if node.get_type_name() == "Result":
            names = node.output(0).get_names()
            extra = f" output_names={_quote(_join_names(names))}" if names else ""
        else:
            out_ports = [(out.get_element_type(), out.get_partial_shape(), out.get_names(),
                          out.get_rt_info()) for out in node.outputs()]
        type_version = (node.xml_type or node.get_type_name(), node.get_version())
        port_maps, bodies = self.sub_graphs(node) if hasattr(node, "get_functions") else ((), ())
        layer_id = self.add_layer(node.get_friendly_name(), type_version, data, node.rt_info,
                                  in_ports, out_ports, extra, port_maps, bodies)
        self.connect(node, layer_id, len(in_ports))

    def sub_graphs(self, node):
        """``<port_map>``/``<back_edges>`` and ``<body>`` lines of a Loop or If (as OpenVINO
        writes them: If's else port map first, its bodies then-first)."""
        body_ports, bodies = [], []
        for index, tag in enumerate(node.body_names):
            writer = _Writer(None, self.compress, self.blobs)
            bodies += writer.body_xml(node.get_function(index), tag)
            body_ports.append(writer.ports)
        if len(node.body_names) == 1:
            return sub_graph_port_map(node, body_ports[0], 0, "port_map"), bodies
        return (sub_graph_port_map(node, body_ports[1], 1, "else_port_map") +
                sub_graph_port_map(node, body_ports[0], 0, "then_port_map")), bodies

    def body_xml(self, body, tag):
        for child in body.get_ordered_ops():
            self.write_node(child)
        lines = [f"<{tag}>", "\t<layers>"]
        lines += [line for layer in self.layers for line in layer.split("\n")]
        lines += ["\t</layers>", "\t<edges>"] + [f"\t\t{edge}" for edge in self.edge_lines()]
        lines.append("\t</edges>")
        rt_lines = _model_rt_info_xml(body.rt_info, "\t\t")
        lines += ["\t<rt_info>"] + rt_lines + ["\t</rt_info>"] if rt_lines else ["\t<rt_info />"]
        return lines + [f"</{tag}>"]

    def edge_lines(self):
        return [f'<edge from-layer="{from_layer}" from-port="{from_port}" to-layer="{to_layer}" '
                f'to-port="{to_port}" />' for from_layer, from_port, to_layer, to_port
                in sorted(self.edges)]

    def write_compressed(self, node, placement):
        """An f16 Const named ``<name>_compressed`` (its bytes at ``placement``) and a Convert
        back to the original type that keeps the node's name, tensor names and rt_info (plus
        the decompression mark)."""
        shape, out = node.get_output_partial_shape(0), node.output(0)
        data = self.constant_data(Type.f16, node.get_data().shape, placement)
        const_id = self.add_layer(node.get_friendly_name() + "_compressed", ("Const", "opset1"),
                                  data, {}, [],
                                  [(Type.f16, shape, None, None)])
        rt_info = dict(node.rt_info, **{DECOMPRESSION: ""})
        convert_id = self.add_layer(
            node.get_friendly_name(), ("Convert", "opset1"),
            [("destination_type", str(node.get_element_type()))],
            rt_info, [(Type.f16, shape, None, None)],
            [(node.get_element_type(), shape, out.get_names(), out.get_rt_info())])
        self.edges.append((const_id, 0, convert_id, 0))
        self.ports[id(node)] = (convert_id, 1)

    def connect(self, node, layer_id, input_count):
        self.ports[id(node)] = (layer_id, input_count)
        for index, src in enumerate(node.input_values()):
            producer_layer, first_output = self.ports[id(src.get_node())]
            self.edges.append((producer_layer, first_output + src.get_index(), layer_id, index))

    def xml(self, model) -> str:
        out = ['<?xml version="1.0"?>',
               f'<net name={_quote(model.get_friendly_name())} version="11">', "\t<layers>"]
        out += self.layers + ["\t</layers>", "\t<edges>"]
        out += [f"\t\t{edge}" for edge in self.edge_lines()]
        out.append("\t</edges>")
        rt_lines = _model_rt_info_xml(model.rt_info, "\t\t")
        if rt_lines:
            out += ["\t<rt_info>"] + rt_lines + ["\t</rt_info>"]
        out.append("</net>")
        return "\n".join(out) + "\n"


def sub_graph_port_map(node, ports, body_index, tag) -> list:
    """One body's input and output descriptions (and Loop's back edges and special ports)."""
    from .ops.control_flow import ConcatOutput, MergedInput, SlicedInput

    body = node.get_function(body_index)
    parameters, results = body.get_parameters(), body.get_results()
    layer = {id(n): ports[id(n)][0] for n in parameters + results}
    lines, back_edges = [f"<{tag}>"], []
    for description in node.get_input_descriptions(body_index):
        parameter = layer[id(parameters[description.body_parameter_index])]
        lines.append(_port_line("input", description.input_index, parameter,
                                description if isinstance(description, SlicedInput) else None))
        if isinstance(description, MergedInput):
            back_edges.append(f'\t<edge from-layer="{layer[id(results[description.body_value_index])]}" '
                              f'to-layer="{parameter}" />')
    inputs = node.get_input_size()
    for description in node.get_output_descriptions(body_index):
        result = layer[id(results[description.body_value_index])]
        lines.append(_port_line("output", inputs + description.output_index, result,
                                description if isinstance(description, ConcatOutput) else None))
    if hasattr(node, "get_special_body_ports"):
        iteration, condition = node.get_special_body_ports()
        if iteration >= 0:
            lines.append(f'\t<input external_port_id="-1" internal_layer_id='
                         f'"{layer[id(parameters[iteration])]}" purpose="current_iteration" />')
        if condition >= 0:
            lines.append(f'\t<output external_port_id="-1" internal_layer_id='
                         f'"{layer[id(results[condition])]}" purpose="execution_condition" />')
    lines.append(f"</{tag}>")
    if back_edges:
        lines += ["<back_edges>"] + back_edges + ["</back_edges>"]
    return lines


def _port_line(kind: str, external, internal, sliced=None) -> str:
    """A port_map ``<input>``/``<output>`` line; ``sliced`` (a sliced input or concatenated output
    description) adds its axis before the port ids and start/end/stride/part_size after them, as
    OpenVINO writes them."""
    head = tail = ""
    if sliced is not None:
        head = f' axis="{sliced.axis}"'
        tail = (f' start="{sliced.start}" end="{sliced.end}" stride="{sliced.stride}" '
                f'part_size="{sliced.part_size}"')
    return f'\t<{kind}{head} external_port_id="{external}" internal_layer_id="{internal}"{tail} />'


def serialize(model: Model, xml_stream, bin_stream, compress_to_fp16=True) -> None:
    """Write ``model`` as IR v11 XML text to ``xml_stream`` and its weights to ``bin_stream``."""
    if not isinstance(model, Model):
        raise TypeError(f"save_model expects an ov_notebook Model, got {type(model).__name__}")
    writer = _Writer(bin_stream, compress_to_fp16)
    try:
        for node in model.get_ordered_ops():
            writer.write_node(node)
    finally:
        writer.blobs.close()
    xml_stream.write(writer.xml(model))


class _BackgroundWriter:
    """A binary stream whose writes happen on a thread, in order, while the caller prepares the
    next buffer (compressing the next weight to f16 overlaps writing the previous one: numpy's
    operations and the file writes both release the GIL). At most ``depth`` buffers wait; the
    first error of a write is raised by the next ``write`` or by ``close``."""

    def __init__(self, stream, depth=2):
        self.stream, self.error = stream, None
        self.queue = queue.Queue(maxsize=depth)
        self.thread = threading.Thread(target=self._run, name="save_model writer", daemon=True)
        self.thread.start()

    def _run(self):
        while (item := self.queue.get()) is not None:
            buffer, done = item
            if self.error is None:
                try:
                    self.stream.write(buffer)
                except BaseException as exc:  # noqa: BLE001 - re-raised on the caller's thread
                    self.error = exc
            if done is not None:
                done()

    def write(self, buffer, done=None):
        """Queue ``buffer``; ``done()`` is called on the thread once it is written (or
        skipped after an error), when the caller may reuse it."""
        if self.error is not None:
            raise self.error
        self.queue.put((buffer, done))

    def close(self):
        """Wait for every write; raise the first error."""
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def save_model(model: Model, output_model, compress_to_fp16: bool = True) -> None:
    """Save ``model`` as IR v11: ``output_model`` is the ``.xml`` path, weights go to ``.bin`` beside it.

    With ``compress_to_fp16=True`` (the default, as in OpenVINO) f32 weights are stored as f16 and
    decompressed on load. The files appear complete or not at all (written aside, then renamed)::

        ov.save_model(ov_model, "model.xml")
    """
    if not isinstance(model, Model):
        raise TypeError(f"save_model expects an ov_notebook Model, got {type(model).__name__}")
    if not isinstance(output_model, (str, os.PathLike)):
        raise TypeError(f"save_model: the output path must be a str or os.PathLike ending with "
                        f".xml, got {type(output_model).__name__}")
    if not isinstance(compress_to_fp16, (bool, np.bool_)):
        raise TypeError(f"save_model: compress_to_fp16 must be True or False, got "
                        f"{compress_to_fp16!r}")
    path = os.fspath(output_model)
    if not path.endswith(".xml"):
        raise IRWriteError(f"the output model path must end with .xml, got {path!r}")
    for target in (path, path[:-4] + ".bin"):
        if os.path.isdir(target):
            raise IRWriteError(f"cannot write {target}: it is a directory")
    directory = os.path.dirname(os.path.abspath(path))
    bin_path = path[:-4] + ".bin"
    xml_tmp, bin_tmp = path + ".tmp", bin_path + ".tmp"
    try:
        os.makedirs(directory, exist_ok=True)
        with open(xml_tmp, "w", encoding="utf-8", newline="\n") as xml_stream, \
                open(bin_tmp, "wb") as bin_stream:
            writer = _BackgroundWriter(bin_stream)
            try:
                serialize(model, xml_stream, writer, compress_to_fp16=compress_to_fp16)
            finally:
                writer.close()
        os.replace(bin_tmp, bin_path)
        os.replace(xml_tmp, path)
    except OSError as exc:
        raise IRWriteError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        for leftover in (xml_tmp, bin_tmp):
            if os.path.exists(leftover):
                os.remove(leftover)
