"""``ov_notebook.preprocess.PrePostProcessor`` against ``openvino.preprocess``: each test body builds
the same model with the module's own opset, adds the same pre/post-processing, builds, and runs
it; the signature (shapes, types, names, layouts) and the numbers must agree."""
import re

import numpy as np
import pytest

import ov_notebook
from ov_notebook import preprocess as our_preprocess

openvino = pytest.importorskip("openvino")
import openvino.preprocess as ov_preprocess  # noqa: E402


@pytest.fixture(params=["openvino", "ov_notebook"])
def ov(request):
    return openvino if request.param == "openvino" else ov_notebook


def pp(ov):
    return ov_preprocess if ov is openvino else our_preprocess


def opset(ov):
    return openvino.opset8 if ov is openvino else ov_notebook.opset


def conv_model(ov, shape=(1, 3, 8, 8), element_type=np.float32):
    ops = opset(ov)
    x = ops.parameter(list(shape), element_type, name="x")
    weights = np.random.default_rng(0).standard_normal((2, shape[1], 3, 3)).astype(np.float32)
    conv = ops.convolution(x, ops.constant(weights), [1, 1], [1, 1], [1, 1], [1, 1])
    relu = ops.relu(conv, name="relu")
    relu.output(0).set_names({"y"})
    return ov.Model([relu], [x], "conv")


def run(ov, model, *inputs):
    config = {"INFERENCE_PRECISION_HINT": "f32"} if ov is openvino else {}
    compiled = ov.compile_model(model, "CPU", config)
    return [np.asarray(compiled(list(inputs))[i]) for i in range(len(model.outputs))]


def signature(model):
    def port(p):
        return (sorted(p.get_names()), str(p.get_partial_shape()), p.get_element_type().get_type_name())
    return [port(p) for p in model.inputs], [port(p) for p in model.outputs]


def layout_text(node):
    return node.get_layout().to_string()


def check_same(_ov, scenario, *inputs, rtol=1e-5, atol=1e-5):
    """Runs ``scenario(module) -> built model`` on openvino and on ov_notebook (the same body) and
    compares the built models' signatures and their outputs on ``inputs``; returns ``ov``'s model.
    """
    results = {}
    for module in (openvino, ov_notebook):
        model = scenario(module)
        results[module] = (model, signature(model), run(module, model, *inputs))
    (_, want_sig, want), (ours_model, sig, got) = results[openvino], results[ov_notebook]
    assert sig == want_sig
    for ours, theirs in zip(got, want):
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        np.testing.assert_allclose(ours.astype(np.float64), theirs.astype(np.float64),
                                   rtol=rtol, atol=atol)
    return ours_model


def image(shape, dtype=np.uint8, seed=1):
    rng = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.integer):
        return rng.integers(0, 255, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


# --- pipelines: each scenario runs on both modules (check_same) -------------------------------
def test_u8_nhwc_resize_mean_scale():
    def scenario(ov):
        model = conv_model(ov)
        p = pp(ov).PrePostProcessor(model)
        p.input().tensor().set_element_type(ov.Type.u8).set_layout("NHWC") \
            .set_spatial_static_shape(12, 10)
        p.input().preprocess().convert_element_type(ov.Type.f32) \
            .resize(pp(ov).ResizeAlgorithm.RESIZE_LINEAR).mean([1.0, 2.0, 3.0]) \
            .scale([2.0, 3.0, 4.0])
        p.input().model().set_layout("NCHW")
        built = p.build()
        assert model.input().get_element_type() == ov.Type.u8  # built in place
        assert layout_text(built.input().get_node()) == "[N,H,W,C]"
        return built

    check_same(ov_notebook, scenario, image((1, 12, 10, 3)), atol=1e-4)


@pytest.mark.parametrize("algorithm", ["RESIZE_LINEAR", "RESIZE_NEAREST", "RESIZE_CUBIC"])
def test_resize_dynamic_spatial(algorithm):
    def scenario(ov):
        p = pp(ov).PrePostProcessor(conv_model(ov))
        p.input().tensor().set_layout("NCHW").set_spatial_dynamic_shape()
        p.input().preprocess().resize(getattr(pp(ov).ResizeAlgorithm, algorithm))
        built = p.build()
        assert str(built.input().get_partial_shape()) == "[1,3,?,?]"
        return built

    check_same(ov_notebook, scenario, image((1, 3, 13, 5), np.float32), atol=1e-4)


def test_resize_to_explicit_size_then_crop():
    def scenario(ov):
        p = pp(ov).PrePostProcessor(conv_model(ov, shape=(1, 3, 6, 6)))
        p.input().tensor().set_shape([1, 3, 20, 20]).set_layout("NCHW")
        p.input().preprocess().resize(pp(ov).ResizeAlgorithm.RESIZE_LINEAR, 10, 8) \
            .crop([0, 0, 2, 1], [1, 3, 8, 7])
        return p.build()

    check_same(ov_notebook, scenario, image((1, 3, 20, 20), np.float32), atol=1e-4)


def test_implicit_convert_and_layout():
    def scenario(ov):
        p = ov.preprocess.PrePostProcessor(conv_model(ov))
        p.input().tensor().set_layout(ov.Layout("NHWC")).set_element_type(ov.Type.u8)
        p.input().model().set_layout(ov.Layout("NCHW"))
        built = p.build()
        assert str(built.input().get_partial_shape()) == "[1,8,8,3]"
        assert built.input().get_element_type() == ov.Type.u8
        return built

    check_same(ov_notebook, scenario, image((1, 8, 8, 3)))


def test_convert_layout_by_dims_gives_the_tensor_shape():
    def scenario(ov):
        p = pp(ov).PrePostProcessor(conv_model(ov))
        p.input().preprocess().convert_layout([0, 3, 1, 2])
        built = p.build()
        assert str(built.input().get_partial_shape()) == "[1,8,8,3]"
        return built

    check_same(ov_notebook, scenario, image((1, 8, 8, 3), np.float32))


def test_tensor_layout_with_fewer_dimensions():
    def scenario(ov):
        p = pp(ov).PrePostProcessor(conv_model(ov))
        p.input().tensor().set_layout("HWC")
        p.input().model().set_layout("NCHW")
        built = p.build()
        assert str(built.input().get_partial_shape()) == "[8,8,3]"
        return built

    check_same(ov_notebook, scenario, image((8, 8, 3), np.float32))


@pytest.mark.parametrize("colors", [("RGB", "BGR"), ("BGR", "RGB"), ("RGBX", "RGB"),
                                    ("BGRX", "RGB"), ("RGB", "GRAY"), ("BGR", "GRAY")])
def test_convert_color(colors):
    source, target = colors
    width = 4 if source.endswith("X") else 3

    def scenario(ov):
        channels = 1 if target == "GRAY" else 3
        p = pp(ov).PrePostProcessor(conv_model(ov, shape=(1, channels, 8, 8)))
        p.input().tensor().set_color_format(getattr(pp(ov).ColorFormat, source)) \
            .set_element_type(ov.Type.u8)
        p.input().preprocess().convert_color(getattr(pp(ov).ColorFormat, target))
        p.input().model().set_layout("NCHW")
        built = p.build()
        assert str(built.input().get_partial_shape()) == f"[1,8,8,{width}]"
        return built

    check_same(ov_notebook, scenario, image((1, 8, 8, width)), atol=1e-3)


@pytest.mark.parametrize("source", ["NV12_SINGLE_PLANE", "NV12_TWO_PLANES", "I420_SINGLE_PLANE",
                                    "I420_THREE_PLANES"])
@pytest.mark.parametrize("target", ["RGB", "BGR", "GRAY"])
def test_yuv_images(source, target):
    planes = {"NV12_TWO_PLANES": [(1, 8, 6, 1), (1, 4, 3, 2)],
              "I420_THREE_PLANES": [(1, 8, 6, 1), (1, 4, 3, 1), (1, 4, 3, 1)]}.get(
        source, [(1, 12, 6, 1)])
    sub_names = ["y", "uv"] if source == "NV12_TWO_PLANES" else \
        ["y", "u", "v"] if source == "I420_THREE_PLANES" else []

    def scenario(ov):
        channels = 1 if target == "GRAY" else 3
        p = pp(ov).PrePostProcessor(conv_model(ov, shape=(1, channels, 8, 6)))
        p.input().tensor().set_element_type(ov.Type.u8) \
            .set_color_format(getattr(pp(ov).ColorFormat, source), sub_names)
        p.input().preprocess().convert_color(getattr(pp(ov).ColorFormat, target))
        p.input().model().set_layout("NCHW")
        built = p.build()
        assert [str(i.get_partial_shape()) for i in built.inputs] == \
            ["[" + ",".join(map(str, shape)) + "]" for shape in planes]
        return built

    check_same(ov_notebook, scenario, *[image(shape, seed=i) for i, shape in enumerate(planes)],
               atol=1e-3)


def test_planes_keep_their_place_among_the_inputs():
    def scenario(ov):
        ops = opset(ov)
        a = ops.parameter([1, 3, 4, 4], np.float32, name="a")
        b = ops.parameter([1, 3, 4, 4], np.float32, name="b")
        total = ops.add(a, b)
        total.output(0).set_names({"sum"})
        p = pp(ov).PrePostProcessor(ov.Model([total], [a, b], "two"))
        p.input("a").tensor().set_element_type(ov.Type.u8) \
            .set_color_format(pp(ov).ColorFormat.NV12_TWO_PLANES, ["y", "uv"])
        p.input("a").preprocess().convert_color(pp(ov).ColorFormat.BGR)
        p.input("a").model().set_layout("NCHW")
        built = p.build()
        assert [sorted(i.get_names()) for i in built.inputs] == [["a/y"], ["a/uv"], ["b"]]
        return built

    check_same(ov_notebook, scenario, image((1, 4, 4, 1)), image((1, 2, 2, 2), seed=2),
               image((1, 3, 4, 4), np.float32, seed=3), atol=1e-3)


def test_plane_names_must_be_new():
    def scenario(ov):
        ops = opset(ov)
        a = ops.parameter([1, 3, 4, 4], np.float32, name="a")
        b = ops.parameter([1, 3, 4, 4], np.float32, name="a/y")
        p = pp(ov).PrePostProcessor(ov.Model([ops.add(a, b)], [a, b], "two"))
        p.input("a").tensor().set_color_format(pp(ov).ColorFormat.NV12_TWO_PLANES, ["y", "uv"])
        p.input("a").preprocess().convert_color(pp(ov).ColorFormat.RGB)
        with pytest.raises(RuntimeError, match="'a/y' - name already exists in model"):
            p.build()

    scenario(openvino)
    scenario(ov_notebook)


def test_yuv_input_needs_convert_color():
    def scenario(ov):
        p = pp(ov).PrePostProcessor(conv_model(ov))
        p.input().tensor().set_color_format(pp(ov).ColorFormat.NV12_TWO_PLANES)
        with pytest.raises(RuntimeError, match="Multiple plane input is not allowed"):
            p.build()

    scenario(openvino)
    scenario(ov_notebook)


def test_reverse_channels_and_pad():
    def scenario(ov):
        p = pp(ov).PrePostProcessor(conv_model(ov, shape=(1, 3, 10, 10)))
        p.input().tensor().set_layout("NCHW").set_shape([1, 3, 8, 8])
        p.input().preprocess().reverse_channels() \
            .pad([0, 0, 1, 1], [0, 0, 1, 1], 0.5, pp(ov).PaddingMode.CONSTANT)
        return p.build()

    check_same(ov_notebook, scenario, image((1, 3, 8, 8), np.float32))


def test_reverse_channels_with_dynamic_channels():
    def scenario(ov):
        p = pp(ov).PrePostProcessor(conv_model(ov))
        p.input().tensor().set_layout("NCHW").set_shape([1, -1, 8, 8])
        p.input().preprocess().reverse_channels()
        return p.build()

    check_same(ov_notebook, scenario, image((1, 3, 8, 8), np.float32))


def test_custom_steps():
    def scenario(ov):
        p = pp(ov).PrePostProcessor(conv_model(ov))
        p.input().preprocess().custom(lambda node: opset(ov).abs(node).output(0))
        p.output().postprocess().custom(lambda node: opset(ov).negative(node).output(0))
        return p.build()

    check_same(ov_notebook, scenario, image((1, 3, 8, 8), np.float32))


def test_output_type_and_layout():
    def scenario(ov):
        p = pp(ov).PrePostProcessor(conv_model(ov))
        p.output().model().set_layout("NCHW")
        p.output().tensor().set_layout("NHWC").set_element_type(ov.Type.f16)
        built = p.build()
        assert str(built.output().get_partial_shape()) == "[1,8,8,2]"
        assert built.output().get_element_type() == ov.Type.f16
        assert layout_text(built.get_results()[0]) == "[N,H,W,C]"
        return built

    check_same(ov_notebook, scenario, image((1, 3, 8, 8), np.float32), rtol=2e-3, atol=2e-3)


def test_output_post_steps_by_name():
    def scenario(ov):
        p = pp(ov).PrePostProcessor(conv_model(ov))
        p.output("y").postprocess().convert_layout([0, 2, 3, 1]) \
            .convert_element_type(ov.Type.f16)
        built = p.build()
        assert built.output().get_names() == {"y"}
        return built

    check_same(ov_notebook, scenario, image((1, 3, 8, 8), np.float32), rtol=2e-3, atol=2e-3)


# --- errors: the same kind of error as OpenVINO, with a message naming what is wrong ----------
def test_unknown_input_name(ov):
    with pytest.raises(RuntimeError, match="doesn't have input with name nope"):
        pp(ov).PrePostProcessor(conv_model(ov)).input("nope")


def test_input_index_out_of_range(ov):
    with pytest.raises(RuntimeError, match="doesn't have input with index 3"):
        pp(ov).PrePostProcessor(conv_model(ov)).input(3)


def test_resize_without_layout(ov):
    p = pp(ov).PrePostProcessor(conv_model(ov))
    p.input().preprocess().resize(pp(ov).ResizeAlgorithm.RESIZE_LINEAR)
    with pytest.raises(RuntimeError, match="Can't add resize for layout without W/H"):
        p.build()


def test_bad_layout_text(ov):
    with pytest.raises(RuntimeError):
        pp(ov).PrePostProcessor(conv_model(ov)).input().tensor().set_layout("N.C")


def test_mean_on_integers(ov):
    p = pp(ov).PrePostProcessor(conv_model(ov))
    p.input().tensor().set_element_type(ov.Type.u8)
    p.input().preprocess().mean(1.0)
    with pytest.raises(RuntimeError, match="Mean preprocessing can be applied to 'float' inputs"):
        p.build()


def test_mean_with_wrong_channel_count(ov):
    p = pp(ov).PrePostProcessor(conv_model(ov))
    p.input().tensor().set_layout("NCHW")
    p.input().preprocess().mean([1.0, 2.0])
    with pytest.raises(RuntimeError, match="Number of channels and mean/values size mismatch"):
        p.build()


def test_shape_that_does_not_fit(ov):
    p = pp(ov).PrePostProcessor(conv_model(ov))
    p.input().tensor().set_shape([1, 3, 4, 4])
    with pytest.raises(RuntimeError, match="is not aligned with original parameter's shape"):
        p.build()


# --- ov_notebook only ---------------------------------------------------------------------------
def test_description_names_steps():
    model = conv_model(ov_notebook)
    p = our_preprocess.PrePostProcessor(model)
    p.input().tensor().set_layout("NHWC").set_element_type(ov_notebook.Type.u8)
    p.input().model().set_layout("NCHW")
    text = str(p)
    assert 'Input "x":' in text
    assert "User's input tensor: [1,8,8,3], [N,H,W,C], u8" in text
    assert "Model's expected tensor: [1,3,8,8], [N,C,H,W], f32" in text


def test_not_a_model():
    with pytest.raises(RuntimeError, match="expects an ov_notebook Model"):
        our_preprocess.PrePostProcessor("model.xml")


def test_built_model_saves_as_ir_openvino_reads(tmp_path):
    model = conv_model(ov_notebook)
    p = our_preprocess.PrePostProcessor(model)
    p.input().tensor().set_element_type(ov_notebook.Type.u8).set_layout("NHWC")
    p.input().preprocess().convert_element_type(ov_notebook.Type.f32).mean(10.0).scale(20.0)
    p.input().model().set_layout("NCHW")
    built = p.build()
    ov_notebook.save_model(built, tmp_path / "m.xml", compress_to_fp16=False)
    theirs = openvino.Core().read_model(tmp_path / "m.xml")
    assert theirs.input().get_element_type() == openvino.Type.u8
    assert theirs.input().get_node().get_layout().to_string() == "[N,H,W,C]"
    data = image((1, 8, 8, 3))
    want = openvino.compile_model(theirs, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})([data])[0]
    np.testing.assert_allclose(run(ov_notebook, built, data)[0], want, rtol=1e-5, atol=1e-5)


# --- the description (str(ppp)) is OpenVINO's, line for line ----------------------------------
def describe_u8_nhwc(ov):
    p = pp(ov).PrePostProcessor(conv_model(ov))
    p.input().tensor().set_layout("NHWC").set_element_type(ov.Type.u8)
    p.input().model().set_layout("NCHW")
    p.output().tensor().set_element_type(ov.Type.f16)
    return p


def describe_steps(ov):
    p = pp(ov).PrePostProcessor(conv_model(ov))
    p.input().tensor().set_layout("NCHW").set_spatial_dynamic_shape()
    p.input().preprocess().resize(pp(ov).ResizeAlgorithm.RESIZE_LINEAR).mean([1.0, 2.0, 3.0]) \
        .scale(2.0).reverse_channels().convert_layout([0, 2, 3, 1])
    p.output().postprocess().convert_layout([0, 2, 3, 1])
    return p


def describe_image_pipeline(ov):
    p = pp(ov).PrePostProcessor(conv_model(ov))
    p.input().tensor().set_layout("NHWC").set_spatial_dynamic_shape().set_element_type(ov.Type.u8)
    p.input().preprocess().convert_element_type(ov.Type.f32) \
        .resize(pp(ov).ResizeAlgorithm.RESIZE_CUBIC).mean([1.0, 2.0, 3.0]).scale(2.0) \
        .reverse_channels()
    p.input().model().set_layout("NCHW")
    p.output().postprocess().convert_layout([0, 2, 3, 1]).convert_element_type(ov.Type.f16)
    return p


def describe_color(ov):
    p = pp(ov).PrePostProcessor(conv_model(ov))
    p.input().tensor().set_color_format(pp(ov).ColorFormat.BGR).set_element_type(ov.Type.u8)
    p.input().preprocess().convert_color(pp(ov).ColorFormat.RGB).convert_element_type(ov.Type.f32)
    p.input().model().set_layout("NCHW")
    return p


def describe_planes(ov):
    p = pp(ov).PrePostProcessor(conv_model(ov))
    p.input().tensor().set_element_type(ov.Type.u8) \
        .set_color_format(pp(ov).ColorFormat.I420_THREE_PLANES, ["y", "u", "v"])
    p.input().preprocess().convert_color(pp(ov).ColorFormat.RGB).convert_element_type(ov.Type.f32)
    p.input().model().set_layout("NCHW")
    return p


def describe_error(ov):
    p = pp(ov).PrePostProcessor(conv_model(ov))
    p.input().tensor().set_element_type(ov.Type.u8)
    p.input().preprocess().mean(1.0)
    return p


def describe_nothing(ov):
    return pp(ov).PrePostProcessor(conv_model(ov))


def _strip_location(text):
    # OpenVINO's assertion messages start with "Check '...' failed at file:line:" and a newline
    return re.sub(r"Check '.*' failed at [^\n]*:\n", "", text)


@pytest.mark.parametrize("scenario", [describe_u8_nhwc, describe_steps, describe_image_pipeline,
                                      describe_color, describe_planes, describe_error,
                                      describe_nothing])
def test_description_is_openvinos(scenario):
    assert _strip_location(str(scenario(ov_notebook))) == _strip_location(str(scenario(openvino)))
