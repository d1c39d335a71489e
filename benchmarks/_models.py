"""Model construction shared by the benchmark scripts and the whole-model tests: torchvision
classifiers and small transformers models, all with random weights (nothing is downloaded).

    model, (x,) = torchvision_case("resnet18")              # 128x128 input
    model, inputs = transformers_case("bert")                 # inputs: a dict of tensors
"""
from __future__ import annotations

# The PyTorch frontend issue's required whole models.
TORCHVISION = ["resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_large", "efficientnet_b0",
               "densenet121", "squeezenet1_1", "shufflenet_v2_x1_0", "googlenet", "inception_v3",
               "regnet_y_400mf", "vit_b_16"]
TRANSFORMERS = ["bert", "distilbert", "gpt2", "vit"]

DEFAULT_SIZE = 128  # every convolutional classifier here ends in adaptive pooling
# Models whose position embeddings or attention partitions fix the input size.
FIXED_SIZE = {"vit_b_16": 224, "vit_b_32": 224, "vit_l_16": 224, "vit_l_32": 224,
              "vit_h_14": 224, "maxvit_t": 224}
MINIMUM_SIZE = {"inception_v3": 75, "alexnet": 63}  # smaller inputs pool down to nothing


def image_size(name, size=None) -> int:
    """The input side for torchvision model ``name``: ``size`` where the model accepts it."""
    if name in FIXED_SIZE:
        return FIXED_SIZE[name]
    return max(size or DEFAULT_SIZE, MINIMUM_SIZE.get(name, 32))


def randomize_zero_weights(model, seed=0):
    """Some classifiers start with all-zero heads (ViT, GoogLeNet's fc): their outputs would be
    all zeros and any comparison would pass trivially, so give such weights random values."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.ndim >= 2 and not parameter.any():
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.02)


def torchvision_model(name, seed=0):
    """torchvision classifier ``name`` in eval mode with random weights (no zero heads)."""
    import torch
    import torchvision

    torch.manual_seed(seed)
    # without aux_logits the eval outputs are the same tensor in every route; init_weights
    # silences the warning about the default changing
    kwargs = ({"aux_logits": False, "init_weights": True}
              if name in ("googlenet", "inception_v3") else {})
    model = torchvision.models.get_model(name, weights=None, **kwargs).eval()
    randomize_zero_weights(model, seed)
    return model


def calibrate_batch_norm(model, batch):
    """Running statistics of every batch norm set to those of ``batch``. With freshly
    initialized statistics (mean 0, variance 1) activations vanish or explode through deep
    networks (MobileNetV2's logits come out near 1e-10, GoogLeNet's features all zero), so a
    comparison would check little beyond the last bias; calibrated, every layer sees inputs of
    unit scale, as with trained weights."""
    import torch

    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return
    momenta = [m.momentum for m in norms]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # a cumulative average: after one batch, exactly its statistics
    with torch.no_grad():
        model.train()(batch)
    model.eval()
    for norm, momentum in zip(norms, momenta):
        norm.momentum = momentum


def torchvision_case(name, size=None, seed=0):
    """``(model, (x,))``: the classifier (batch norms calibrated on random images of the same
    size) and a random image batch of one."""
    import torch

    model = torchvision_model(name, seed)
    side = image_size(name, size)
    generator = torch.Generator().manual_seed(seed + 1)
    calibrate_batch_norm(model, torch.rand(4, 3, side, side, generator=generator))
    x = torch.rand(1, 3, side, side, generator=generator)
    return model, (x,)


def transformers_case(name, seed=0, sequence=16):
    """``(model, inputs)``: a small (hidden 64, 2 layers) transformers model built from its
    config with random weights, and keyword inputs for it (a dict of tensors)."""
    import torch
    import transformers

    torch.manual_seed(seed)
    small = {"num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128}
    if name == "vit":
        config = transformers.ViTConfig(hidden_size=64, image_size=32, patch_size=8, **small)
        return (transformers.ViTModel(config).eval(),
                {"pixel_values": torch.rand(1, 3, 32, 32)})
    if name == "bert":
        model = transformers.BertModel(transformers.BertConfig(vocab_size=1000, hidden_size=64,
                                                               **small))
    elif name == "distilbert":
        model = transformers.DistilBertModel(transformers.DistilBertConfig(
            vocab_size=1000, dim=64, n_layers=2, n_heads=4, hidden_dim=128))
    elif name == "gpt2":
        model = transformers.GPT2LMHeadModel(transformers.GPT2Config(
            vocab_size=1000, n_embd=64, n_layer=2, n_head=4, n_positions=64, use_cache=False,
            bos_token_id=0, eos_token_id=0))
    else:
        raise ValueError(f"unknown transformers case {name!r}; expected one of {TRANSFORMERS}")
    ids = torch.randint(0, 1000, (1, sequence), generator=torch.Generator().manual_seed(seed))
    mask = torch.ones(1, sequence, dtype=torch.int64)
    mask[0, -3:] = 0  # padding at the end: the mask must reach the attention scores
    return model.eval(), {"input_ids": ids, "attention_mask": mask}


# --- the extended suite: whole models of other families, random weights from configs ------------
# name -> family; a family's package may be absent (timm, diffusers: the `zoo` extra).
EXTENDED = {
    "fasterrcnn_mobilenet_v3_large_fpn": "torchvision.detection",
    "retinanet_resnet50_fpn": "torchvision.detection",
    "ssdlite320_mobilenet_v3_large": "torchvision.detection",
    "maskrcnn_resnet50_fpn": "torchvision.detection",
    "keypointrcnn_resnet50_fpn": "torchvision.detection",
    "raft_small": "torchvision.optical_flow",
    "r3d_18": "torchvision.video",
    "mc3_18": "torchvision.video",
    "t5": "transformers",
    "bart": "transformers",
    "llama_kv_cache": "transformers",
    "qwen2_kv_cache": "transformers",
    "longformer": "transformers",
    "mixtral": "transformers",
    "timm_vit": "timm",
    "timm_convnext": "timm",
    "timm_efficientnet": "timm",
    "diffusers_unet2d": "diffusers",
    "diffusers_unet2d_condition": "diffusers",
}
FAMILY_PACKAGE = {"torchvision.detection": "torchvision", "torchvision.optical_flow": "torchvision",
                  "torchvision.video": "torchvision", "transformers": "transformers",
                  "timm": "timm", "diffusers": "diffusers"}
DETECTION_SIDE = 128  # images and the detectors' resize target: small, for a shared machine


def detection_case(name, seed=0):
    """A torchvision detector (eval, random weights, batch norms calibrated, nothing downloaded)
    on one random 3x128x128 image, with score thresholds low enough that random weights give
    detections."""
    import torch
    import torchvision

    torch.manual_seed(seed)
    side = DETECTION_SIDE
    resize = {"min_size": side, "max_size": side}
    thresholds = {
        "fasterrcnn_mobilenet_v3_large_fpn": {"box_score_thresh": 0.005, **resize},
        "retinanet_resnet50_fpn": {"score_thresh": 0.005, **resize},
        # its builder fixes the resize target at 320x320
        "ssdlite320_mobilenet_v3_large": {"score_thresh": 0.001, "detections_per_img": 100},
        "maskrcnn_resnet50_fpn": {"box_score_thresh": 0.005, **resize},
        "keypointrcnn_resnet50_fpn": {"box_score_thresh": 0.005, **resize},
    }[name]
    model = torchvision.models.get_model(name, weights=None, weights_backbone=None, **thresholds)
    generator = torch.Generator().manual_seed(seed + 1)
    images = [torch.rand(3, side, side, generator=generator)]
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if norms:  # calibrate through the backbone alone, on two normalized images
        with torch.no_grad():
            batch = model.transform(images + [torch.rand(3, side, side,
                                                         generator=generator)])[0].tensors
        calibrate_batch_norm(model.backbone, batch)
    return model.eval(), (images,), {}


def transformers_extended_case(name, seed=0, sequence=16):
    """``(model, args, kwargs)`` for a tiny transformers model of the extended suite."""
    import copy

    import torch
    import transformers

    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    vocab = 100

    def ids(length):
        return torch.randint(0, vocab, (1, length), generator=generator)

    if name == "t5":
        model = transformers.T5ForConditionalGeneration(transformers.T5Config(
            vocab_size=vocab, d_model=32, d_kv=8, d_ff=64, num_layers=2, num_heads=4,
            use_cache=False, decoder_start_token_id=0))
        return model.eval(), (), {"input_ids": ids(sequence), "decoder_input_ids": ids(5)}
    if name == "bart":
        model = transformers.BartForConditionalGeneration(transformers.BartConfig(
            vocab_size=vocab, d_model=32, encoder_layers=2, decoder_layers=2,
            encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=64,
            decoder_ffn_dim=64, max_position_embeddings=64, use_cache=False))
        return model.eval(), (), {"input_ids": ids(sequence), "decoder_input_ids": ids(5)}
    if name in ("llama_kv_cache", "qwen2_kv_cache"):
        config_class, model_class = {
            "llama_kv_cache": (transformers.LlamaConfig, transformers.LlamaForCausalLM),
            "qwen2_kv_cache": (transformers.Qwen2Config, transformers.Qwen2ForCausalLM)}[name]
        model = model_class(config_class(
            vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
            num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
            tie_word_embeddings=False, initializer_range=0.3)).eval()
        past, query = 5, 2
        with torch.no_grad():
            cache = model(input_ids=ids(past), use_cache=True).past_key_values
        return model, (), {"input_ids": ids(query),
                           "attention_mask": torch.ones(1, past + query, dtype=torch.int64),
                           "past_key_values": copy.deepcopy(cache)}
    if name == "longformer":
        model = transformers.LongformerModel(transformers.LongformerConfig(
            vocab_size=vocab, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
            intermediate_size=64, attention_window=4, max_position_embeddings=64,
            pad_token_id=1))
        mask = torch.ones(1, sequence, dtype=torch.int64)
        global_mask = torch.zeros(1, sequence, dtype=torch.int64)
        global_mask[0, 0] = 1
        return model.eval(), (), {"input_ids": ids(sequence), "attention_mask": mask,
                                  "global_attention_mask": global_mask}
    if name == "mixtral":
        model = transformers.MixtralForCausalLM(transformers.MixtralConfig(
            vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
            num_attention_heads=4, num_key_value_heads=2, num_local_experts=4,
            num_experts_per_tok=2, max_position_embeddings=64, use_cache=False,
            # the reference (eager) experts loop: transformers' default grouped_mm path calls its
            # own custom op transformers.grouped_mm_fallback and aten.histc, not translated
            experts_implementation="eager"))
        model.config._experts_implementation = "eager"
        return model.eval(), (), {"input_ids": ids(sequence)}
    raise ValueError(f"unknown transformers case {name!r}")


def extended_case(name, seed=0):
    """``(model, args, kwargs)``: model ``name`` of :data:`EXTENDED` (eval mode, random weights
    built from a config, nothing downloaded) and a small example call for it."""
    import torch

    family = EXTENDED.get(name)
    if family is None:
        raise ValueError(f"unknown extended-suite model {name!r}; expected one of "
                         f"{sorted(EXTENDED)}")
    generator = torch.Generator().manual_seed(seed + 1)
    if family == "torchvision.detection":
        return detection_case(name, seed)
    if family == "transformers":
        return transformers_extended_case(name, seed)
    torch.manual_seed(seed)
    if family == "torchvision.optical_flow":
        import torchvision

        class FewUpdates(torch.nn.Module):
            """raft_small with 3 refinement iterations instead of 12 (a smaller graph)."""

            def __init__(self):
                super().__init__()
                self.raft = torchvision.models.optical_flow.raft_small(weights=None)

            def forward(self, image1, image2):
                return self.raft(image1, image2, num_flow_updates=3)

        images = [torch.rand(1, 3, 128, 128, generator=generator) * 2 - 1
                  for _ in range(2)]  # 128: the smallest the correlation pyramid takes
        return FewUpdates().eval(), tuple(images), {}
    if family == "torchvision.video":
        import torchvision

        model = torchvision.models.get_model(name, weights=None)
        clip = torch.rand(1, 3, 4, 32, 32, generator=generator)
        calibrate_batch_norm(model, torch.rand(2, 3, 4, 32, 32, generator=generator))
        return model.eval(), (clip,), {}
    if family == "timm":
        import timm

        spec = {"timm_vit": ("vit_tiny_patch16_224", {"img_size": 32, "patch_size": 8}),
                "timm_convnext": ("convnext_atto", {}),
                "timm_efficientnet": ("efficientnet_b0", {})}[name]
        model = timm.create_model(spec[0], pretrained=False, **spec[1])
        side = 32 if name == "timm_vit" else 64
        calibrate_batch_norm(model, torch.rand(2, 3, side, side, generator=generator))
        randomize_zero_weights(model, seed)
        return model.eval(), (torch.rand(1, 3, side, side, generator=generator),), {}
    if family == "diffusers":
        import diffusers

        sample = torch.randn(1, 4, 16, 16, generator=generator)
        timestep = torch.tensor([10], dtype=torch.int64)
        common = {"sample_size": 16, "in_channels": 4, "out_channels": 4,
                  "layers_per_block": 1, "block_out_channels": (32, 64), "norm_num_groups": 8}
        if name == "diffusers_unet2d":
            model = diffusers.UNet2DModel(
                down_block_types=("DownBlock2D", "AttnDownBlock2D"),
                up_block_types=("AttnUpBlock2D", "UpBlock2D"), **common)
            return model.eval(), (sample, timestep), {}
        model = diffusers.UNet2DConditionModel(
            down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
            up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=32,
            attention_head_dim=8, **common)
        text = torch.randn(1, 7, 32, generator=generator)
        return model.eval(), (sample, timestep, text), {}
    raise ValueError(f"no builder for family {family!r}")
