"""One representative model per registered operation version, for the IR round-trip and interop
tests. Each case builds the op through ``from_ir`` (the path the IR reader takes) from Parameters
and Constants, with non-default attributes where the op has them.

When an op family lands, add its rows here: ``test_every_registered_op_has_a_case`` fails until
every ``(type, version)`` in ``ov_notebook.ir.registered_ops()`` has one.
"""
from __future__ import annotations

import numpy as np

import ov_notebook as ov
from ov_notebook import opset as ops
from ov_notebook.ir import get_op_class, registered_ops
from ov_notebook.ir.ops import control_flow as cf

# Present in every model, so covered by every case.
IMPLICIT = {("Parameter", "opset1"), ("Constant", "opset1"), ("Result", "opset1")}


class P:
    """A Parameter input; inputs for it are drawn uniformly from [low, high)."""

    def __init__(self, shape, dtype="f32", low=-2.0, high=2.0):
        self.shape, self.dtype, self.low, self.high = shape, ov.Type(dtype), low, high

    def sample(self, rng):
        dtype = self.dtype.to_dtype()
        if self.dtype is ov.Type.boolean:
            return rng.random(self.shape) < 0.5
        if self.dtype.is_integral_number:
            return rng.integers(int(self.low), int(self.high), self.shape).astype(dtype)
        return rng.uniform(self.low, self.high, self.shape).astype(dtype)


def C(value, dtype=None):
    """A Constant input (a Python value; floats default to f32, ints to i64)."""
    array = np.asarray(value)
    if dtype is None:
        dtype = np.float32 if array.dtype.kind == "f" else np.int64 if array.dtype.kind in "iu" \
            else array.dtype
    return np.asarray(array, dtype=dtype)


def W(*shape, low=-1.0, high=1.0, seed=0):
    """Random f32 weights (a Constant that f16 compression applies to)."""
    return np.random.default_rng(seed + len(shape)).uniform(low, high, shape).astype(np.float32)


class Case:
    def __init__(self, type_name, version, inputs, rtol=1e-5, atol=1e-5, **attributes):
        self.type_name, self.version, self.inputs = type_name, version, inputs
        self.attributes, self.rtol, self.atol = attributes, rtol, atol

    @property
    def id(self):
        return f"{self.type_name}-{self.version}"

    def build(self):
        """(model, input arrays): the op with every output a named model output."""
        params, values = [], []
        for index, spec in enumerate(self.inputs):
            if isinstance(spec, P):
                node = ops.parameter(spec.shape, spec.dtype, name=f"in{index}")
                params.append((node, spec))
            else:
                node = ops.constant(spec, name=f"const{index}")
            values.append(node.output(0))
        cls = get_op_class(self.type_name, self.version)
        attributes = {k.replace("__", "-"): v for k, v in self.attributes.items()}
        node = cls.from_ir(values, attributes, f"{self.type_name.lower()}_op")
        node.rt_info["source_op"] = f"test.{self.type_name}"
        for index, output in enumerate(node.outputs()):
            output.set_names({f"out{index}", f"out{index},alias"})
        model = ov.Model(node.outputs(), [p for p, _ in params], f"case_{self.id}")
        model.set_rt_info("ir-tests", ["ov_notebook", "origin"])
        rng = np.random.default_rng(len(self.id))
        return model, [spec.sample(rng) for _, spec in params]


class StatefulCase(Case):
    """ReadValue and Assign of one variable, read and updated (``v + x``) in the same model:
    OpenVINO's CPU plugin compiles a ReadValue only with its Assign. One row per op version."""

    def __init__(self, type_name, version, **attributes):
        super().__init__(type_name, version, [P([2, 3])], **attributes)

    def build(self):
        x = ops.parameter([2, 3], ov.Type.f32, name="in0")
        attributes = {k: v for k, v in self.attributes.items()}
        read = get_op_class("ReadValue", self.version).from_ir(
            [x.output(0)], {"variable_id": "state", **attributes}, "readvalue_op")
        update = ops.add(read, x, name="update")
        assign = get_op_class("Assign", self.version).from_ir(
            [update.output(0)], {"variable_id": "state"}, "assign_op")
        for node in (read, assign):
            node.rt_info["source_op"] = f"test.{node.get_type_name()}"
        read.output(0).set_names({"out0"})
        update.output(0).set_names({"out1"})
        model = ov.Model([read.output(0), update.output(0)], [x], f"case_{self.id}",
                         sinks=[assign])
        model.set_rt_info("ir-tests", ["ov_notebook", "origin"])
        return model, [self.inputs[0].sample(np.random.default_rng(len(self.id)))]


STATE = [
    StatefulCase("ReadValue", "opset6", variable_type="f32", variable_shape=[2, 3]),
    StatefulCase("Assign", "opset6"),
    StatefulCase("ReadValue", "opset3"),
    StatefulCase("Assign", "opset3"),
]


def _unary(names, version="opset1", **p):
    return [Case(name, version, [P([2, 3], **p)]) for name in names]


def _binary(names, second=None, dtype="f32", **p):
    return [Case(name, "opset1", [P([2, 3], dtype, **p), second if second is not None
                                  else P([1, 3], dtype, **p)]) for name in names]


ELEMENTWISE = (
    _unary(["Abs", "Negative", "Sign", "Floor", "Ceiling", "Exp", "Erf", "Sin", "Cos", "Tan", "Atan",
            "Sinh", "Cosh", "Tanh", "Relu", "Sigmoid"])
    + _unary(["Sqrt", "Log"], low=0.1, high=3.0) + _unary(["Asin", "Acos"], low=-0.9, high=0.9)
    + _unary(["HSwish", "Mish", "SoftPlus"], "opset4") + _unary(["HSigmoid"], "opset5")
    + _unary(["SoftSign"], "opset9") + _unary(["Asinh"], "opset4", low=-5.0, high=5.0)
    + _unary(["Acosh"], "opset4", low=1.0, high=5.0) + _unary(["Atanh"], "opset4", low=-0.9, high=0.9)
    + _binary(["Add", "Subtract", "Multiply", "Maximum", "Minimum", "SquaredDifference", "Equal",
               "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual"])
    + _binary(["Power"], C([[0.5, 2.0, 3.0]]), low=0.1, high=2.0)
    + _binary(["FloorMod", "Mod"], C([1.5, -2.0, 3.0]))
    + _binary(["LogicalAnd", "LogicalOr", "LogicalXor"], dtype="boolean")
    + [Case("Divide", "opset1", [P([2, 3], "i32", -9, 9), C([[2, -3, 4]], np.int32)],
            m_pythondiv=True),
       Case("LogicalNot", "opset1", [P([2, 3], "boolean")]),
       Case("Elu", "opset1", [P([2, 3])], alpha=0.3),
       Case("Clamp", "opset1", [P([2, 3])], min=-0.5, max=1.25),
       Case("Gelu", "opset7", [P([2, 3])], approximation_mode="tanh"),
       Case("Swish", "opset4", [P([2, 3]), C(0.75)]),
       Case("PRelu", "opset1", [P([1, 3, 2, 2]), W(3)]),
       Case("Selu", "opset1", [P([2, 3]), C([1.67]), C([1.05])]),
       Case("Round", "opset5", [P([2, 3], low=-3, high=3)], mode="half_away_from_zero")]
)

BITWISE = (
    [Case(name, "opset13", [P([2, 3], "i32", -9, 9), C([[3, -6, 5]], np.int32)])
     for name in ("BitwiseAnd", "BitwiseOr", "BitwiseXor")]
    + [Case("BitwiseNot", "opset13", [P([2, 3], "u8", 0, 255)]),
       Case("BitwiseLeftShift", "opset15", [P([2, 3], "i64", -9, 9), C([[1, 0, 3]])]),
       Case("BitwiseRightShift", "opset15", [P([2, 3], "i16", -99, 99), C([2], np.int16)])]
)

CORE = [
    Case("Convert", "opset1", [P([2, 3])], destination_type="i32"),
    Case("ConvertLike", "opset1", [P([2, 3]), C([1], np.int32)]),
    Case("ShapeOf", "opset3", [P([2, 3])], output_type="i32"),
]

_POOL = dict(strides=[2, 1], pads_begin=[0, 1], pads_end=[1, 0], kernel=[2, 2])
POOLING = [
    Case("AvgPool", "opset1", [P([1, 2, 5, 5])], exclude__pad=True, rounding_type="ceil", **_POOL),
    Case("AvgPool", "opset14", [P([1, 2, 5, 5])], rounding_type="ceil_torch", **_POOL),
    Case("AvgPool", "opset16", [P([1, 2, 6, 6])], dilations=[1, 2], **_POOL),
    Case("MaxPool", "opset1", [P([1, 2, 5, 5])], rounding_type="ceil", **_POOL),
    Case("MaxPool", "opset8", [P([1, 2, 6, 6])], dilations=[2, 1], index_element_type="i32",
         **_POOL),
    Case("MaxPool", "opset14", [P([1, 2, 5, 5])], rounding_type="ceil_torch", **_POOL),
    Case("AdaptiveAvgPool", "opset8", [P([1, 2, 7, 5]), C([3, 2])]),
    Case("AdaptiveMaxPool", "opset8", [P([1, 2, 7, 5]), C([3, 2])], index_element_type="i32"),
]

_CONV = dict(strides=[1, 2], dilations=[1, 1], pads_begin=[1, 0], pads_end=[1, 1])
_DECONV = dict(strides=[2, 2], dilations=[1, 1], pads_begin=[0, 0], pads_end=[0, 0])
CONVOLUTION = [
    Case("Convolution", "opset1", [P([1, 2, 5, 5]), W(4, 2, 3, 3)], **_CONV),
    Case("GroupConvolution", "opset1", [P([1, 4, 5, 5]), W(2, 3, 2, 3, 3)], **_CONV),
    Case("ConvolutionBackpropData", "opset1", [P([1, 4, 3, 3]), W(4, 2, 3, 3)],
         output_padding=[1, 0], **_DECONV),
    Case("GroupConvolutionBackpropData", "opset1", [P([1, 4, 3, 3]), W(2, 2, 3, 3, 3)],
         **_DECONV),
]

NORMALIZATION = [
    Case("BatchNormInference", "opset5", [P([1, 3, 2, 2]), W(3), W(3, seed=1), W(3, seed=2),
                                          W(3, low=0.5, high=2.0)], epsilon=1e-5),
    Case("GroupNormalization", "opset12", [P([1, 4, 3, 3]), W(4), W(4, seed=1)], num_groups=2,
         epsilon=1e-5),
    Case("LRN", "opset1", [P([1, 4, 3, 3]), C([1])], alpha=1e-4, beta=0.75, bias=1.0, size=3),
    Case("MVN", "opset6", [P([1, 3, 4, 4]), C([2, 3])], eps=1e-9, normalize_variance=True,
         eps_mode="outside_sqrt"),
    Case("NormalizeL2", "opset1", [P([1, 3, 4]), C([1])], eps=1e-6, eps_mode="max"),
]

SHAPES = [
    Case("Reshape", "opset1", [P([2, 3, 4]), C([0, -1])], special_zero=True),
    Case("Squeeze", "opset1", [P([1, 3, 1, 2]), C([0, 2])]),
    Case("Squeeze", "opset15", [P([1, 3, 1, 2]), C([0, 1])], allow_axis_skip=True),
    Case("Unsqueeze", "opset1", [P([2, 3]), C([0, 3])]),
    Case("Transpose", "opset1", [P([2, 3, 4]), C([2, 0, 1])]),
    Case("Concat", "opset1", [P([2, 3]), P([2, 2]), W(2, 1)], axis=-1),
    Case("Split", "opset1", [P([4, 6]), C(1)], num_splits=3),
    Case("VariadicSplit", "opset1", [P([4, 6]), C(1), C([1, -1, 3])]),
    # OpenVINO's Broadcast-1 always has axes_mapping (u8 0 outside explicit mode): so has the case
    Case("Broadcast", "opset1", [P([3, 1]), C([2, 3, 4]), C(0, np.uint8)], mode="numpy"),
    Case("Broadcast", "opset3", [P([3, 1]), C([2, 1, 4])], mode="bidirectional"),
    Case("Tile", "opset1", [P([2, 3]), C([2, 1])]),
    Case("Range", "opset1", [C(1.0), C(7.0), C(1.5)]),
    Case("Range", "opset4", [C(0, np.int32), C(10, np.int32), C(3, np.int32)], output_type="i64"),
    Case("Eye", "opset9", [C(3), C(4), C(1), C([2])], output_type="f32"),
]

INDEXING = [
    Case("Gather", "opset1", [P([4, 3]), C([0, 2, 3]), C(0)]),
    Case("Gather", "opset7", [P([2, 4, 3]), C([[1, 0], [3, 3]]), C(1)], batch_dims=1),
    Case("Gather", "opset8", [P([4, 3]), C([-1, 0]), C(0)], batch_dims=0),
    Case("GatherElements", "opset6", [P([3, 4]), C([[0, 3], [1, 1], [2, 0]])], axis=1),
    Case("GatherND", "opset5", [P([3, 4, 2]), C([[0, 1], [2, 3]])], batch_dims=0),
    Case("GatherND", "opset8", [P([2, 3, 4]), C([[[1]], [[2]]])], batch_dims=1),
    Case("ScatterUpdate", "opset3", [P([4, 3]), C([1, 2]), W(2, 3), C(0)]),
    Case("ScatterElementsUpdate", "opset3", [P([3, 4]), C([[1, 0, 2, 2]]), W(1, 4), C(0)]),
    Case("ScatterElementsUpdate", "opset12", [P([3, 4]), C([[1, 0, 2, 1]]), W(1, 4), C(0)],
         reduction="sum", use_init_val=False),
    Case("ScatterNDUpdate", "opset4", [P([4, 3]), C([[1], [3]]), W(2, 3)]),
    Case("ScatterNDUpdate", "opset15", [P([4, 3]), C([[1], [3]]), W(2, 3)], reduction="max"),
    Case("Slice", "opset8", [P([5, 6]), C([1, 0]), C([4, 6]), C([1, 2]), C([0, 1])]),
    Case("StridedSlice", "opset1", [P([5, 6, 2]), C([1, 0]), C([4, 6]), C([1, 2])],
         begin_mask=[0, 1], end_mask=[0, 0], shrink_axis_mask=[0, 0]),
]

SELECTION = [
    Case("Select", "opset1", [P([2, 3], "boolean"), P([2, 3]), W(3)]),
    Case("NonZero", "opset3", [P([3, 4], "i32", 0, 2)], output_type="i32"),
    # OpenVINO writes a negative OneHot axis back normalized: positive here keeps the file stable
    Case("OneHot", "opset1", [P([3], "i64", 0, 4), C(4), C(1.0), C(0.0)], axis=1),
    Case("OneHot", "opset16", [P([3], "i64", -4, 4), C(4), C(2.0), C(-1.0)], axis=0,
         negative_indices_mode="normalize"),
    Case("TopK", "opset1", [P([2, 5]), C(3)], axis=1, mode="max", sort="value",
         index_element_type="i32"),
    Case("TopK", "opset3", [P([2, 5]), C(2)], axis=0, mode="min", sort="index",
         index_element_type="i64"),
    Case("TopK", "opset11", [P([2, 5]), C(3)], axis=-1, mode="max", sort="value", stable=True),
    Case("CumSum", "opset3", [P([2, 3]), C(1)], exclusive=True, reverse=True),
    Case("Bucketize", "opset3", [P([2, 5], low=-2, high=2), C([-1.0, 0.0, 0.5, 1.5])],
         output_type="i32", with_right_bound=False),
]

LAYOUT = [
    Case("DepthToSpace", "opset1", [P([1, 8, 2, 2])], block_size=2, mode="depth_first"),
    Case("SpaceToDepth", "opset1", [P([1, 2, 4, 4])], block_size=2, mode="blocks_first"),
    Case("ShuffleChannels", "opset1", [P([1, 6, 2, 2])], axis=1, group=3),
    Case("Pad", "opset1", [P([1, 2, 3]), C([0, 1, 1]), C([0, 2, 0]), C(0.5)], pad_mode="constant"),
    # OpenVINO's reader adds the optional pad value input, so the cases give it
    Case("Pad", "opset12", [P([1, 3, 4]), C([0, -1, 1]), C([0, 1, -1]), C(0.0)],
         pad_mode="reflect"),
    Case("ReverseSequence", "opset1", [P([3, 4, 2]), C([4, 2, 1], np.int32)], batch_axis=0,
         seq_axis=1),
    Case("Roll", "opset7", [P([3, 4]), C([1, -2]), C([0, 1])]),
    Case("Reverse", "opset1", [P([2, 3, 4]), C([True, False, True])], mode="mask"),
]

REDUCTION = (
    [Case(name, "opset1", [P([2, 3, 4]), C([1, -1])], keep_dims=keep) for name, keep in (
        ("ReduceSum", True), ("ReduceMean", False), ("ReduceMax", True), ("ReduceMin", False))]
    + [Case("ReduceProd", "opset1", [P([2, 3, 4], low=0.5, high=1.5), C([0])], keep_dims=False),
       Case("ReduceL1", "opset4", [P([2, 3, 4]), C([2])], keep_dims=True),
       Case("ReduceL2", "opset4", [P([2, 3, 4]), C([0, 2])], keep_dims=False),
       Case("ReduceLogicalAnd", "opset1", [P([2, 3], "boolean"), C([1])], keep_dims=True),
       Case("ReduceLogicalOr", "opset1", [P([2, 3], "boolean"), C([0])], keep_dims=False)]
)

MATH = [
    Case("MatMul", "opset1", [P([2, 3, 4]), W(5, 4)], transpose_b=True),
    Case("Einsum", "opset7", [P([2, 3]), P([3, 4])], equation="ij,jk->ik"),
    Case("Softmax", "opset1", [P([2, 3, 4])], axis=1),
    Case("Softmax", "opset8", [P([2, 3, 4])], axis=-1),
    Case("LogSoftmax", "opset5", [P([2, 3, 4])], axis=-1),
    Case("ScaledDotProductAttention", "opset13", [P([1, 2, 4, 8]), P([1, 2, 4, 8]),
                                                   P([1, 2, 4, 8])], causal=True),
    Case("Interpolate", "opset4", [P([1, 2, 3, 4]), C([6, 8], np.int32), C([2.0, 2.0]),
                                   C([2, 3])], mode="nearest", shape_calculation_mode="sizes",
         coordinate_transformation_mode="asymmetric", nearest_mode="floor"),
    Case("Interpolate", "opset11", [P([1, 2, 3, 4]), C([2.0, 1.5]), C([2, 3])], mode="linear",
         shape_calculation_mode="scales", coordinate_transformation_mode="half_pixel"),
]

COLOR = [
    Case("NV12toRGB", "opset8", [P([1, 6, 6, 1], "u8", 0, 255)]),
    Case("NV12toBGR", "opset8", [P([2, 4, 6, 1]), P([2, 2, 3, 2])], atol=1e-4),
    Case("I420toRGB", "opset8", [P([1, 4, 4, 1], "u8", 0, 255), P([1, 2, 2, 1], "u8", 0, 255),
                                 P([1, 2, 2, 1], "u8", 0, 255)]),
    Case("I420toBGR", "opset8", [P([1, 6, 4, 1], low=0.0, high=255.0)], atol=1e-4),
]


def _rnn_weights(gates, hidden=3, size=4, directions=None, bias_gates=None):
    lead = () if directions is None else (directions,)
    return [W(*lead, gates * hidden, size), W(*lead, gates * hidden, hidden, seed=1),
            W(*lead, (bias_gates or gates) * hidden, seed=2)]


QUANTIZATION = [
    Case("FakeQuantize", "opset1", [P([2, 3, 4, 4]), C(np.full((1, 3, 1, 1), -1.0, np.float32)),
                                    C(np.full((1, 3, 1, 1), 1.0, np.float32)), C(-0.5), C(0.5)],
         levels=255),
]

RECURRENT = [
    Case("RNNCell", "opset1", [P([2, 4]), P([2, 3])] + _rnn_weights(1), hidden_size=3,
         activations=["relu"], clip=1.5),
    Case("GRUCell", "opset3", [P([2, 4]), P([2, 3])] + _rnn_weights(3, bias_gates=4),
         hidden_size=3, linear_before_reset=True),
    Case("LSTMCell", "opset4", [P([2, 4]), P([2, 3]), P([2, 3])] + _rnn_weights(4),
         hidden_size=3, clip=0.5),
    Case("RNNSequence", "opset5", [P([2, 5, 4]), P([2, 1, 3]), C([5, 2], np.int32)] +
         _rnn_weights(1, directions=1), hidden_size=3, direction="reverse"),
    Case("GRUSequence", "opset5", [P([2, 5, 4]), P([2, 2, 3]), C([3, 5], np.int32)] +
         _rnn_weights(3, directions=2), hidden_size=3, direction="bidirectional"),
    Case("LSTMSequence", "opset5", [P([2, 5, 4]), P([2, 1, 3]), P([2, 1, 3]),
                                    C([5, 5], np.int32)] + _rnn_weights(4, directions=1),
         hidden_size=3, direction="forward", activations=["sigmoid", "relu", "tanh"]),
]

def _loop_body():
    """i, acc, row -> (i < 5, acc + i, row * row): a merged, a sliced and a concatenated value."""
    iteration = ops.parameter([], "i64", name="i")
    accumulated = ops.parameter([2, 3], "f32", name="acc")
    row = ops.parameter([1, 4], "f32", name="row")
    go_on = ops.less(iteration, ops.constant(np.int64(5), name="five"), name="go_on")
    total = ops.add(accumulated, ops.convert(iteration, "f32", name="i_f32"), name="total")
    squared = ops.multiply(row, row, name="squared")
    return ov.Model([go_on, total, squared], [iteration, accumulated, row], "body")


def _tensor_iterator_body():
    """acc, row -> (acc + 1, row * row): a merged value and a sliced, concatenated one."""
    accumulated = ops.parameter([2, 3], "f32", name="ti_acc")
    row = ops.parameter([1, 4], "f32", name="ti_row")
    total = ops.add(accumulated, ops.constant(np.float32(1), name="ti_one"), name="ti_total")
    squared = ops.multiply(row, row, name="ti_squared")
    return ov.Model([total, squared], [accumulated, row], "body")


def _if_body(binary):
    prefix = binary.__name__  # OpenVINO renames tensor names repeated across bodies
    a = ops.parameter([2, 3], "f32", name=f"{prefix}_a")
    b = ops.parameter([-1, 3], "f32", name=f"{prefix}_b")
    return ov.Model([binary(a, b, name=binary.__name__)], [a, b], binary.__name__)


def _if_descriptions():
    return [[cf.InvariantInput(1, 0), cf.InvariantInput(2, 1)] for _ in range(2)]


# Sub-graph ops: bodies and port maps are the structural attributes their from_ir takes
CONTROL_FLOW = [
    Case("Loop", "opset5", [C(3), C(True), P([2, 3]), P([3, 4])],
         bodies=[_loop_body()], special_body_ports=[0, 0],
         input_descriptions=[[cf.MergedInput(2, 1, 1), cf.SlicedInput(3, 2, 0, 1, 1, -1, 0)]],
         output_descriptions=[[cf.BodyOutput(1, 0, -1), cf.ConcatOutput(2, 1, 0, 1, 1, -1, 0)]]),
    Case("TensorIterator", "opset1", [P([2, 3]), P([3, 4])], bodies=[_tensor_iterator_body()],
         input_descriptions=[[cf.MergedInput(0, 0, 0), cf.SlicedInput(1, 1, 0, 1, 1, -1, 0)]],
         output_descriptions=[[cf.BodyOutput(0, 0, -1), cf.ConcatOutput(1, 1, 0, 1, 1, -1, 0)]]),
    Case("If", "opset8", [P([], "boolean"), P([2, 3]), P([2, 3])],
         bodies=[_if_body(ops.multiply), _if_body(ops.subtract)],
         input_descriptions=_if_descriptions(),
         output_descriptions=[[cf.BodyOutput(0, 0, -1)], [cf.BodyOutput(0, 0, -1)]]),
]

# one group per line: branches adding op families add a line each
CASES = sum([
    ELEMENTWISE,
    BITWISE,
    CORE,
    POOLING,
    CONVOLUTION,
    NORMALIZATION,
    SHAPES,
    INDEXING,
    SELECTION,
    LAYOUT,
    REDUCTION,
    MATH,
    COLOR,
    RECURRENT,
    QUANTIZATION,
    STATE,
    CONTROL_FLOW,
], [])


# Fourier transforms: complex tensors in OpenVINO's trailing-2 layout
FOURIER = [
    Case("DFT", "opset7", [P([2, 5, 2]), C([1]), C([8])]),
    Case("IDFT", "opset7", [P([3, 4, 2]), C([0, -1])]),
    Case("RDFT", "opset9", [P([2, 6]), C([-1])]),
    Case("IRDFT", "opset9", [P([2, 4, 2]), C([1]), C([6])]),
    Case("STFT", "opset15", [P([2, 48]), P([10]), C(16), C(4)], transpose_frames=True),
]
CASES += FOURIER

SAMPLING = [
    Case("GridSample", "opset9", [P([1, 2, 3, 4]), P([1, 5, 6, 2], low=-1.2, high=1.2)],
         align_corners=True, mode="bicubic", padding_mode="reflection"),
]
CASES += SAMPLING

DETECTION = [
    Case("NonMaxSuppression", "opset9", [P([1, 6, 4], low=0.0, high=4.0), P([1, 2, 6], low=0.0,
                                                                              high=1.0),
                                         C(3), C(0.4), C(0.2), C(0.0)],
         box_encoding="corner", sort_result_descending=False, output_type="i32"),
    Case("ROIAlign", "opset9", [P([2, 3, 8, 8]), C([[0.5, 1.0, 6.0, 7.5], [2.0, 2.0, 4.0, 7.0]]),
                                C([1, 0], np.int32)], pooled_h=2, pooled_w=3, sampling_ratio=2,
         spatial_scale=1.0, mode="avg", aligned_mode="half_pixel_for_nn"),
]
CASES += DETECTION

DEFORMABLE = [
    Case("DeformableConvolution", "opset8", [P([1, 4, 6, 7]), P([1, 36, 4, 5], low=-1.5, high=1.5),
                                             W(6, 2, 3, 3), P([1, 18, 4, 5], low=0.0, high=1.0)],
         strides=[1, 1], pads_begin=[0, 0], pads_end=[0, 0], dilations=[1, 1],
         auto_pad="explicit", group=2, deformable_group=2, bilinear_interpolation_pad=True),
]
CASES += DEFORMABLE

EMBEDDING_BAGS = [
    Case("EmbeddingBagOffsets", "opset15", [W(10, 3), C([1, 4, 2, 9, 0, 0], np.int32),
                                            C([0, 2, 2, 5], np.int32), C(7, np.int32),
                                            P([6], low=0.0, high=1.0)], reduction="sum"),
    Case("EmbeddingBagPacked", "opset15", [W(10, 3), P([3, 4], "i64", low=0, high=10)],
         reduction="mean"),
]
CASES += EMBEDDING_BAGS

FOLDING = [
    Case("Col2Im", "opset15", [P([2, 12, 15]), C([5, 6]), C([2, 2])], strides=[2, 1],
         dilations=[1, 2], pads_begin=[1, 0], pads_end=[0, 1]),
]
CASES += FOLDING


def registered_versions():
    return {(name, version) for name, versions in registered_ops().items() for version in versions}


def active_cases():
    """The cases whose op is registered (a table row may land before its op does)."""
    registered = registered_versions()
    return [case for case in CASES if (case.type_name, case.version) in registered]
