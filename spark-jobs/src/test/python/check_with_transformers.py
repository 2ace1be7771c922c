#!/usr/bin/env python3
"""By-hand check of a `pacer export` directory with Hugging Face transformers itself.

Loads the directory the way a user would -- AutoTokenizer.from_pretrained (the fast tokenizer
from tokenizer.json and tokenizer_config.json), GPT2Tokenizer.from_pretrained (the slow one from
vocab.json and merges.txt, for byte-level BPEs) and GPT2LMHeadModel.from_pretrained -- and, given
verify_export.py's golden file for the same export, checks that both tokenizers give the golden
token ids for its fixed text and that the model's logits match the golden ones (float32 against
float64, tolerance 1e-4). Prints one summary line; exits 1 on the first difference.

With "loss EXPORT DOCS SEQ_LEN" instead it packs a one-document-a-line file as `pacer evaluate`
does (each document's ids, then the end-of-document id, cut into sequences of SEQ_LEN + 1; a
tail that fills none is dropped) with the exported tokenizer, and prints the model's mean
next-token loss over every target, to compare with `pacer evaluate --checkpoint RUN --data DOCS
--seq-len SEQ_LEN --json`.

Not a test: it needs transformers and torch, which the build does not. From the repository root,
after Gpt2ExportTest has left its exports in spark-jobs/target:

    python3 spark-jobs/src/test/python/check_with_transformers.py spark-jobs/target/export-fixture-bpe \\
        spark-jobs/src/test/resources/golden/export-gpt2-bpe-tiny.json
"""
import json
import os
import sys

import torch
from transformers import AutoTokenizer, GPT2LMHeadModel, GPT2Tokenizer


def fail(message):
    sys.stderr.write("check_with_transformers: " + message + "\n")
    sys.exit(1)


def main(export, golden_path):
    with open(golden_path, encoding="utf-8") as f:
        golden = json.load(f)
    text = golden["text_before"] + golden["end_of_text"] + golden["text_after"]
    fast = AutoTokenizer.from_pretrained(export)
    ids = fast(text, add_special_tokens=False)["input_ids"]
    if ids != golden["tokens"]:
        fail("%s gives %s, the golden tokens are %s" % (type(fast).__name__, ids, golden["tokens"]))
    if os.path.exists(os.path.join(export, "merges.txt")):
        slow = GPT2Tokenizer.from_pretrained(export)
        slow_ids = slow(text, add_special_tokens=False)["input_ids"]
        if slow_ids != golden["tokens"]:
            fail("GPT2Tokenizer (vocab.json + merges.txt) gives %s, the golden tokens are %s" % (slow_ids, golden["tokens"]))
    decoded = fast.decode(ids, skip_special_tokens=True)
    if decoded != golden["text_before"] + golden["text_after"]:
        fail("decoding gives %r" % decoded)
    model = GPT2LMHeadModel.from_pretrained(export)
    model.eval()
    if model.config.eos_token_id != fast.eos_token_id:
        fail("config.json eos_token_id %s, tokenizer eos %s" % (model.config.eos_token_id, fast.eos_token_id))
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0].double()
    want = torch.tensor(golden["logits"], dtype=torch.float64)
    worst = (logits - want).abs().max().item()
    if worst > 1e-4:
        fail("logits differ from the golden ones by up to %g" % worst)
    print("transformers %s: %s and GPT2LMHeadModel load %s; %d tokens as golden; logits within %.2g of golden"
          % (__import__("transformers").__version__, type(fast).__name__, export, len(ids), worst))


def loss(export, docs_path, seq_len):
    seq_len = int(seq_len)
    tokenizer = AutoTokenizer.from_pretrained(export)
    model = GPT2LMHeadModel.from_pretrained(export)
    model.eval()
    end = model.config.eos_token_id
    stream = []
    with open(docs_path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.strip():
                stream.extend(tokenizer(line, add_special_tokens=False)["input_ids"])
                stream.append(end)
    n = len(stream) // (seq_len + 1)
    total = 0.0
    count = 0
    with torch.no_grad():
        for s in range(n):
            seq = torch.tensor([stream[s * (seq_len + 1):(s + 1) * (seq_len + 1)]])
            logits = model(seq[:, :-1]).logits.double()
            total += torch.nn.functional.cross_entropy(logits[0], seq[0, 1:], reduction="sum").item()
            count += seq_len
    print(json.dumps({"sequences": n, "tokens": count, "loss": total / count}))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "loss":
        loss(*sys.argv[2:])
    elif len(sys.argv) == 3:
        main(*sys.argv[1:])
    else:
        sys.exit(__doc__)
