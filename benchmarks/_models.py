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
