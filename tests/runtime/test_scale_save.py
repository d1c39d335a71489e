"""save_model on weights larger than one compression block: the blockwise f16 compression, written
chunk by chunk, and the fingerprint-then-digest sharing of identical weights write the same files
as openvino.save_model."""
import io
import re

import numpy as np
import openvino
import openvino.opset13 as ov_ops
import pytest

import ov_notebook as ov
from ov_notebook import opset as our_ops
from ov_notebook.ir.serialize import (_BLOCK, _CHUNK, _BackgroundWriter, _Blobs, _fingerprint,
                                      compress_f16, out_of_f16_range, should_compress, to_f16)

SIZE = 2 * _CHUNK + 3 * _BLOCK + 123  # several written chunks, compression blocks, a partial one


def _weights():
    rng = np.random.default_rng(0)
    base = rng.standard_normal(SIZE).astype(np.float32)
    special = base.copy()  # out-of-range values, infinities and NaN in later blocks only
    special[2 * _BLOCK + 5:2 * _BLOCK + 9] = [1e6, -np.inf, np.nan, 1e-9]
    # same length and same sampled fingerprint as base, one value apart: must not be shared
    near = base.copy()
    for index in range(100, SIZE, 97):
        near[index] += 1.0
        if _fingerprint(near.view(np.uint8)) == _fingerprint(base.view(np.uint8)):
            break
        near[index] = base[index]
    assert not np.array_equal(near, base)
    # differs from base only below f16 precision: the same f16 bytes, other original bytes
    below_f16 = base.copy()
    below_f16[7] = np.nextafter(base[7], np.float32(np.inf))
    mostly_out = np.full(SIZE, 1e6, np.float32)  # >= 75% out of range: stays f32
    mostly_out[: SIZE // 5] = 1.0
    return {"base": base, "copy": base.copy(), "special": special, "near": near,
            "below_f16": below_f16, "mostly_out": mostly_out}


def graph(lib, Model):
    x = lib.parameter([SIZE], np.float32, name="x")
    out = x
    for name, value in _weights().items():
        out = lib.add(out, lib.constant(value, name=name), name=f"add_{name}")
    out.output(0).set_names({"y"})  # OpenVINO 2026 names unnamed outputs; we do not
    result = lib.result(out)
    result.set_friendly_name("y_result")
    return Model([result], [x], "big")


def _saved(model, save, directory, compress):
    path = directory / "model.xml"
    save(model, str(path), compress_to_fp16=compress)
    text = re.sub(r'\t\t<info name="OpenVINO Runtime" value="[^"]*" />\n', "",
                  path.read_text()).replace("\t<rt_info>\n\t</rt_info>\n", "")
    return text, path.with_suffix(".bin").read_bytes()


@pytest.mark.parametrize("compress", [True, False], ids=["f16", "f32"])
def test_large_weights_same_files_as_openvino(compress, tmp_path):
    theirs = _saved(graph(ov_ops, openvino.Model), openvino.save_model, tmp_path / "theirs",
                    compress)
    ours = _saved(graph(our_ops, ov.Model), ov.save_model, tmp_path / "ours", compress)
    assert ours[0] == theirs[0]
    assert ours[1] == theirs[1]
    # "copy" is shared; "below_f16" is not, even where its f16 bytes equal base's (OpenVINO
    # compares the original bytes), nor "near": f16 is 4 weights in f16 and mostly_out in f32
    assert len(ours[1]) == (4 * 2 + 4 if compress else 5 * 4) * SIZE


@pytest.mark.parametrize("name", ["base", "special", "mostly_out"])
def test_blockwise_compression_equals_whole_array(name):
    data = _weights()[name]
    compressed = compress_f16(data)
    share = np.count_nonzero(out_of_f16_range(data)) / data.size
    if share >= 0.75:
        assert compressed is None
    else:
        np.testing.assert_array_equal(compressed, to_f16(data))
        assert compressed.dtype == np.float16 and compressed.shape == data.shape
    for dtype in (np.float32, np.float64):
        assert should_compress(ov.opset.constant(data.astype(dtype))) == (share < 0.75)


def test_f64_and_shaped_weights_compress_as_whole_arrays():
    data = np.random.default_rng(1).standard_normal((5, _BLOCK // 3)) * 1e5
    np.testing.assert_array_equal(compress_f16(data), to_f16(data))
    assert compress_f16(data).shape == data.shape


def _bits(array):
    return np.asarray(array).view(np.uint16)


@pytest.mark.parametrize("tiny_share", [0.0, 0.001, 0.74, 0.76])
def test_integer_f16_conversion_equals_the_cast_bit_for_bit(tiny_share):
    """Blocks without values to clamp are converted with integer operations: every rounding
    case (ties to even, the largest f16, the smallest normal, below it, zeros of both signs)
    gives the bits to_f16 (numpy's cast) gives, and values below the normal range count
    against the 75% rule."""
    rng = np.random.default_rng(2)
    low, high = np.float32(2.0 ** -14).view(np.uint32), np.float32(65504).view(np.uint32)
    bits = rng.integers(low, high + 1, 2 * _BLOCK + 7, dtype=np.uint32)
    bits[::3] = (bits[::3] & ~np.uint32(0x1FFF)) | np.uint32(0x1000)  # exact ties
    bits |= rng.integers(0, 2, bits.size, dtype=np.uint32) << np.uint32(31)
    data = bits.view(np.float32)
    data[:6] = [65504.0, -65504.0, 2.0 ** -14, -(2.0 ** -14), 0.0, -0.0]
    tiny = rng.choice(np.arange(6, data.size), int(tiny_share * data.size), replace=False)
    data[tiny] = rng.uniform(-(2.0 ** -14), 2.0 ** -14, tiny.size).astype(np.float32)
    data[tiny[:3]] = np.float32(1e-30)  # rounds to zero
    compressed = compress_f16(data)
    outside = np.count_nonzero(out_of_f16_range(data))
    assert outside == np.count_nonzero(data[tiny])
    if outside / data.size >= 0.75:
        assert compressed is None
    else:
        np.testing.assert_array_equal(_bits(compressed), _bits(to_f16(data)))


def test_background_writer_keeps_order_and_raises_the_write_error():
    """save_model writes the .bin on a thread while the next weight is compressed: the bytes
    arrive in order, and a failed write surfaces on the caller's thread."""
    stream = io.BytesIO()
    writer = _BackgroundWriter(stream)
    chunks = [np.full(1000 + i, i % 251, np.uint8) for i in range(50)]
    for chunk in chunks:
        writer.write(chunk)
    writer.close()
    assert stream.getvalue() == b"".join(c.tobytes() for c in chunks)

    class Full(io.BytesIO):
        def write(self, data):
            raise OSError(28, "No space left on device")

    writer = _BackgroundWriter(Full())
    with pytest.raises(OSError, match="No space left"):
        for chunk in chunks:
            writer.write(chunk)
        writer.close()


def _special_values(size, rng):
    """Normal weights with, near every chunk and block boundary, the values the clamp and the
    cast treat apart: NaN, infinities, beyond 65504, f16 subnormals, values that round to zero,
    signed zeros and the largest f16."""
    data = (rng.standard_normal(size) * 0.02).astype(np.float32)
    special = np.array([np.nan, np.inf, -np.inf, 7e4, -1e6, 3e-6, -2e-7, 1e-30, 0.0, -0.0,
                        65504.0, -65504.0, 65519.0, 2.0 ** -14], np.float32)
    for boundary in range(0, size, _BLOCK):
        for where in (boundary - 3, boundary):
            if 0 <= where and where + special.size <= size:
                data[where:where + special.size] = special
    return data


@pytest.mark.parametrize("size", [1, _BLOCK - 1, _CHUNK - 1, _CHUNK, _CHUNK + 1,
                                  2 * _CHUNK + _BLOCK + 5])
@pytest.mark.parametrize("background", [False, True], ids=["stream", "thread"])
def test_chunked_f16_writes_the_bytes_of_the_whole_array_conversion(size, background):
    """add_compressed converts and writes chunk by chunk into reused buffers: the bytes equal
    to_f16 of the whole array, for sizes around the chunk size, with special values at the
    boundaries, for weights one after another (reused chunk buffers), a repeated weight
    stored once, and weights lying unaligned in memory as they do in a read IR."""
    rng = np.random.default_rng(size)
    weights = [_special_values(size, rng) for _ in range(3)]
    memory = np.zeros(4 * size + 3, np.uint8)  # weights[2] at an odd address, as in a mapped .bin
    unaligned = memory[3:].view(np.float32)
    unaligned[...] = weights[2]
    assert not unaligned.flags.aligned
    stream = io.BytesIO()
    blobs = _Blobs(_BackgroundWriter(stream) if background else stream)
    placements = [blobs.add_compressed(w) for w in (weights[0], weights[1], unaligned,
                                                    weights[0].copy())]
    blobs.close()
    if background:
        blobs.stream.close()
    expected = b"".join(to_f16(w).tobytes() for w in weights)
    assert stream.getvalue() == expected
    assert placements == [(0, 2 * size), (2 * size, 2 * size), (4 * size, 2 * size), (0, 2 * size)]


@pytest.mark.parametrize("layout", ["out_first", "out_last", "interleaved"])
@pytest.mark.parametrize("share", [0.74, 0.75, 0.76])
def test_chunked_f16_decides_the_75_percent_rule_wherever_the_values_lie(layout, share):
    """A weight stays f32 when >= 75% of its values do not fit f16, wherever those values lie:
    chunks are held back until that is settled, and nothing of a weight that stays f32 is
    written (the f32 bytes go where its f16 bytes would have gone)."""
    size = 3 * _CHUNK + 17
    count = int(np.ceil(share * size)) if share >= 0.75 else int(share * size)
    data = np.full(size, 0.5, np.float32)
    where = {"out_first": np.arange(count), "out_last": np.arange(size - count, size),
             "interleaved": np.random.default_rng(3).choice(size, count, replace=False)}[layout]
    data[where] = 1e6
    stream = io.BytesIO()
    blobs = _Blobs(stream)
    placement = blobs.add_compressed(data)
    blobs.close()
    if count / size >= 0.75:
        assert placement is None and stream.getvalue() == b""
        assert blobs.add(data) == (0, 4 * size)
        assert stream.getvalue() == data.tobytes()
    else:
        assert placement == (0, 2 * size)
        assert stream.getvalue() == to_f16(data).tobytes()


def test_fingerprint_samples_runs_across_the_buffer():
    """Equal buffers share a fingerprint; a change at the start, at the end or inside a sampled
    run changes it, for buffers below, at and above the sampled size."""
    rng = np.random.default_rng(4)
    for size in (0, 1, 4095, 4096, 4097, 1_000_003):
        raw = rng.integers(0, 256, size, dtype=np.uint8)
        assert _fingerprint(raw) == _fingerprint(raw.copy())
        middle_run = 31 * max(1, (size - 64) // 63)  # where the 32nd of 64 runs starts
        for where in {0, min(middle_run, size - 1), size - 1}:
            if size:
                changed = raw.copy()
                changed[where] ^= 0xFF
                assert _fingerprint(changed) != _fingerprint(raw), (size, where)


def test_a_failed_write_during_a_chunked_weight_stops_the_converting_threads():
    """A write that fails while a multi-chunk weight is converted on the threads is raised by
    serialize, nothing else is written after it, and no converting thread is left running."""
    import threading

    from ov_notebook.ir.serialize import serialize

    class FullAfterOneChunk(io.BytesIO):
        def write(self, data):
            if self.tell() + memoryview(data).nbytes > 2 * _CHUNK + 100:
                raise OSError(28, "No space left on device")
            return super().write(data)

    x = our_ops.parameter([SIZE], np.float32, name="x")
    weight = our_ops.constant(_weights()["base"], name="w")
    model = ov.Model([our_ops.result(our_ops.add(x, weight))], [x], "big")
    stream = FullAfterOneChunk()
    writer = _BackgroundWriter(stream)
    with pytest.raises(OSError, match="No space left"):
        try:
            serialize(model, io.StringIO(), writer)
        finally:
            writer.close()
    assert stream.getvalue() == to_f16(_weights()["base"])[:_CHUNK].tobytes()
    assert not [t for t in threading.enumerate() if t.name.startswith("save_model f16")]
