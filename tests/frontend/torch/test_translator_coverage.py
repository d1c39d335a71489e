"""The translator registry covers every op that torchvision's classification models and
transformers' BERT, DistilBERT, GPT-2 (LM head, use_cache=False) and ViT produce on both routes.

The lists were derived by converting those models with random weights and small inputs
(torchvision: every model of ``torchvision.models.list_models(module=torchvision.models)``, 224x224
on the meta device for torch.export, one representative per architecture family traced on CPU;
transformers: 2-layer, 32-wide configurations) and collecting the op names of
- ``torch.export.export`` as is, after ``run_decompositions()`` (core ATen), and after the
  converter's own decomposition (``fx_decoder.decompose``), and
- ``torch.jit.trace`` under ``torch.no_grad()`` (TorchScript, inlined), without the ``prim::``
  nodes the TorchScript decoder resolves itself (Constant, GetAttr, List/Tuple/DictConstruct,
  ListUnpack).
"""
import pytest
import torch

from ov_notebook.frontend.torch.registry import find_translator

FX_OPS = [
    "aten.__and__.Tensor", "aten._adaptive_avg_pool2d.default",
    "aten._assert_tensor_metadata.default", "aten._native_batch_norm_legit_no_training.default",
    "aten._softmax.default", "aten._to_copy.default", "aten._unsafe_view.default",
    "aten.adaptive_avg_pool2d.default", "aten.add.Tensor", "aten.add_.Tensor",
    "aten.addmm.default", "aten.alias.default", "aten.any.dim", "aten.arange.default",
    "aten.arange.start_step", "aten.as_strided.default", "aten.avg_pool2d.default",
    "aten.batch_norm.default", "aten.bitwise_and.Tensor", "aten.bmm.default", "aten.cat.default",
    "aten.chunk.default", "aten.clamp.default", "aten.clamp_min.default", "aten.clone.default",
    "aten.constant_pad_nd.default", "aten.contiguous.default", "aten.conv2d.default",
    "aten.convolution.default", "aten.copy.default", "aten.copy_.default", "aten.div.Tensor",
    "aten.dropout.default", "aten.dropout_.default", "aten.einsum.default",
    "aten.embedding.default", "aten.eq.Scalar", "aten.exp.default", "aten.expand.default",
    "aten.expand_as.default", "aten.flatten.using_ints", "aten.fmod.Scalar", "aten.full.default",
    "aten.full_like.default", "aten.gather.default", "aten.ge.Scalar", "aten.gelu.default",
    "aten.hardsigmoid.default", "aten.hardswish.default", "aten.hardswish_.default",
    "aten.hardtanh.default", "aten.hardtanh_.default", "aten.index.Tensor",
    "aten.index_select.default", "aten.layer_norm.default", "aten.le.Tensor",
    "aten.linalg_vector_norm.default", "aten.linear.default", "aten.logical_not.default",
    "aten.masked_fill.Scalar", "aten.matmul.default", "aten.max_pool2d.default",
    "aten.max_pool2d_with_indices.default", "aten.mean.dim", "aten.mm.default", "aten.mul.Scalar",
    "aten.mul.Tensor", "aten.native_layer_norm.default", "aten.ne.Scalar", "aten.new_ones.default",
    "aten.new_zeros.default", "aten.pad.default", "aten.permute.default", "aten.pow.Tensor_Scalar",
    "aten.relu.default", "aten.relu_.default", "aten.reshape.default", "aten.roll.default",
    "aten.scalar_tensor.default", "aten.scaled_dot_product_attention.default", "aten.select.int",
    "aten.sigmoid.default", "aten.silu.default", "aten.silu_.default", "aten.slice.Tensor",
    "aten.slice_scatter.default", "aten.softmax.int", "aten.split.Tensor",
    "aten.split_with_sizes.default", "aten.squeeze.dim", "aten.squeeze.dims", "aten.sub.Tensor",
    "aten.sum.dim_IntList", "aten.swapaxes.default", "aten.tanh.default", "aten.to.device",
    "aten.to.dtype_layout", "aten.transpose.int", "aten.unflatten.int", "aten.unsqueeze.default",
    "aten.view.default", "aten.where.self", "aten.zero.default", "aten.zero_.default",
    "operator.getitem",
]

TORCHSCRIPT_OPS = [
    "aten::Int", "aten::ScalarImplicit", "aten::__and__", "aten::_convolution",
    "aten::_native_multi_head_attention", "aten::adaptive_avg_pool2d", "aten::add", "aten::add_",
    "aten::addmm", "aten::arange", "aten::avg_pool2d", "aten::batch_norm", "aten::cat",
    "aten::chunk", "aten::clamp", "aten::clamp_min", "aten::clone", "aten::contiguous",
    "aten::div", "aten::dropout", "aten::dropout_", "aten::einsum", "aten::embedding", "aten::eq",
    "aten::exp", "aten::expand", "aten::expand_as", "aten::fill_", "aten::flatten",
    "aten::floor_divide", "aten::gather", "aten::ge", "aten::gelu", "aten::hardsigmoid",
    "aten::hardswish_", "aten::hardtanh_", "aten::index", "aten::layer_norm", "aten::le",
    "aten::linalg_vector_norm", "aten::linear", "aten::masked_fill", "aten::matmul",
    "aten::max_pool2d", "aten::mean", "aten::mul", "aten::ne", "aten::new_ones", "aten::new_zeros",
    "aten::numel", "aten::pad", "aten::permute", "aten::pow", "aten::relu", "aten::relu_",
    "aten::remainder", "aten::reshape", "aten::roll", "aten::rsub",
    "aten::scaled_dot_product_attention", "aten::select", "aten::sigmoid", "aten::silu",
    "aten::silu_", "aten::size", "aten::slice", "aten::softmax", "aten::split", "aten::sub",
    "aten::swapaxes", "aten::tanh", "aten::to", "aten::transpose", "aten::unsqueeze", "aten::view",
    "aten::zero_", "prim::NumToTensor",
]

# resolved by the TorchScript decoder, never handed to a translator
DECODER_OPS = {"prim::Constant", "prim::GetAttr", "prim::ListConstruct", "prim::TupleConstruct",
               "prim::DictConstruct", "prim::ListUnpack", "prim::TupleUnpack"}


@pytest.mark.parametrize("op_name", FX_OPS + TORCHSCRIPT_OPS)
def test_required_op_has_translator(op_name):
    assert find_translator(op_name) is not None, f"no translator for {op_name}"


def _fx_ops(program):
    import operator

    return {"operator.getitem" if n.target is operator.getitem else str(n.target)
            for n in program.graph.nodes if n.op == "call_function"}


def test_live_model_ops_are_covered():
    """A small model through both routes today: its ops are covered and in the lists above, so
    the stored lists stay representative of what the routes produce."""
    import torchvision

    from ov_notebook.frontend.torch.fx_decoder import decompose

    model = torchvision.models.squeezenet1_1(weights=None).eval()
    example = torch.rand(1, 3, 32, 32)
    exported = torch.export.export(model, (example,))
    fx = _fx_ops(exported) | _fx_ops(decompose(exported))
    with torch.no_grad():
        traced = torch.jit.trace(model, (example,), check_trace=False)
    script = {n.kind() for n in traced.inlined_graph.nodes()} - DECODER_OPS
    assert not [op for op in fx | script if find_translator(op) is None]
    assert fx <= set(FX_OPS) and script <= set(TORCHSCRIPT_OPS)
