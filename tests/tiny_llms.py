"""Tiny transformers decoders built from config (random weights, nothing downloaded) and the
torch side of their key/value caches, shared by the cache-input and stateful-model tests."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

VOCAB, HEADS, KV_HEADS, HEAD_SIZE, LAYERS = 100, 4, 2, 8, 2
ARCHITECTURES = ("llama", "qwen2")


def tiny_decoder(architecture: str, seed: int = 0):
    """A 2-layer LlamaForCausalLM or Qwen2ForCausalLM (hidden 32, vocab 100, grouped KV heads)."""
    transformers = pytest.importorskip("transformers")
    config_class, model_class = {
        "llama": (transformers.LlamaConfig, transformers.LlamaForCausalLM),
        "qwen2": (transformers.Qwen2Config, transformers.Qwen2ForCausalLM),
    }[architecture]
    config = config_class(vocab_size=VOCAB, hidden_size=HEADS * HEAD_SIZE, intermediate_size=64,
                          num_hidden_layers=LAYERS, num_attention_heads=HEADS,
                          num_key_value_heads=KV_HEADS, max_position_embeddings=128,
                          tie_word_embeddings=False, initializer_range=0.3)  # decisive logits
    torch.manual_seed(seed)
    model = model_class(config).eval()
    if architecture == "qwen2":  # random biases, so that a dropped bias shows
        with torch.no_grad():
            for layer in model.model.layers:
                for projection in (layer.self_attn.q_proj, layer.self_attn.k_proj,
                                   layer.self_attn.v_proj):
                    projection.bias.normal_(0, 0.5)
    return model


def token_ids(length: int, seed: int, batch: int = 1) -> torch.Tensor:
    return torch.randint(0, VOCAB, (batch, length), generator=torch.Generator().manual_seed(seed))


def prefill_cache(model, length: int, seed: int = 1):
    """The DynamicCache after running ``length`` random tokens."""
    with torch.no_grad():
        return model(input_ids=token_ids(length, seed), use_cache=True).past_key_values


def cache_arrays(cache) -> list:
    """``[(key, value), ...]`` per layer of a torch cache, as numpy arrays."""
    return [(layer.keys.numpy(), layer.values.numpy()) for layer in cache.layers]


def kv_input_spec(names=("input_ids", "attention_mask")) -> list:
    """``input=`` for a decoder with a cache: every batch and sequence dimension dynamic."""
    kv_shape = [-1, KV_HEADS, -1, HEAD_SIZE]
    return [(name, [-1, -1]) for name in names] + [
        (f"past_key_values.{i}.{kind}", kv_shape) for i in range(LAYERS)
        for kind in ("key", "value")]


def convert_with_cache(ov, model, past: int = 5, query: int = 2):
    """``ov.convert_model`` of ``model`` with a DynamicCache of ``past`` tokens in example_input."""
    example = {"input_ids": token_ids(query, 2),
               "attention_mask": torch.ones(1, past + query, dtype=torch.int64),
               "past_key_values": copy.deepcopy(prefill_cache(model, past))}
    return ov.convert_model(model, example_input=example, input=kv_input_spec())


def greedy_torch(model, prompt: torch.Tensor, steps: int):
    """Greedy generation with the DynamicCache, prompt at once then one token per step:
    ``(tokens, last-position logits per step)``."""
    tokens, logits, cache, ids = [], [], None, prompt
    mask = torch.ones_like(prompt)
    with torch.no_grad():
        for _ in range(steps):
            out = model(input_ids=ids, attention_mask=mask, past_key_values=cache, use_cache=True)
            cache = out.past_key_values
            logits.append(out.logits[0, -1].numpy())
            ids = out.logits[:, -1].argmax(-1, keepdim=True)
            tokens.append(int(ids[0, 0]))
            mask = torch.cat([mask, torch.ones_like(ids)], dim=1)
    return tokens, np.stack(logits)


def last_logits(array) -> np.ndarray:
    return np.asarray(array)[:, -1]
