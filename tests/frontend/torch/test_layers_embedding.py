"""Embedding and one_hot translators."""
import pytest
import torch
import torch.nn.functional as F

from layer_harness import Lambda, cases, check_layer, randint


def _embedding(**kwargs):
    torch.manual_seed(0)
    return torch.nn.Embedding(10, 4, **kwargs)


EMBEDDINGS = {
    "embedding": (_embedding, lambda: (randint(0, 10, 2, 5),)),
    "embedding_padding_idx": (lambda: _embedding(padding_idx=0), lambda: (randint(0, 10, 7),)),
    "embedding_int32_indices": (_embedding, lambda: (randint(0, 10, 3, dtype=torch.int32),)),
    "one_hot": (lambda: Lambda(lambda x: F.one_hot(x, 6)), lambda: (randint(0, 6, 2, 3),)),
    # the class count depends on the data, which torch.export refuses
    "one_hot_inferred_classes": (lambda: Lambda(lambda x: F.one_hot(x)),
                                 lambda: (torch.tensor([0, 3, 1]),), ("trace",)),
}


@pytest.mark.parametrize("make_module, make_inputs, route", cases(EMBEDDINGS))
def test_embedding(make_module, make_inputs, route):
    check_layer(make_module(), make_inputs(), route)
