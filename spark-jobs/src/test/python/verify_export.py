#!/usr/bin/env python3
"""Independent check of a `pacer export` directory: load it as GPT-2, run a forward pass.

What it does
------------
Reads an exported directory with nothing but the Python standard library and torch:

  * config.json: the Hugging Face GPT2Config fields a GPT-2 loader needs;
  * model.safetensors: parsed by hand (8-byte little-endian header length, JSON
    header, raw little-endian float32 data), with its __metadata__ "format": "pt";
    every tensor checked against the GPT-2 names and shapes derived from the config
    here (wte, wpe, h.N.ln_1, h.N.attn.c_attn, h.N.attn.c_proj, h.N.ln_2,
    h.N.mlp.c_fc, h.N.mlp.c_proj, ln_f; Conv1D weights stored (in, out); no
    lm_head.weight because the head is tied to wte);
  * tokenizer.json: a byte-level BPE with "<|endoftext|>" as a special token.
    Without merges (Pacer's byte tokenizer) its vocabulary must spell each byte
    with GPT-2's byte-to-unicode table and give it the byte's value as id; with
    merges (a GPT-2 style BPE) the fixed input text below is split with GPT-2's
    pre-tokenization pattern and encoded with GPT-2's BPE algorithm (repeatedly
    merge the adjacent pair of lowest merge rank), both written out here; vocab.json
    and merges.txt must hold the same vocabulary and merges.

Then it runs a GPT-2 forward pass written here from the GPT-2 definition (pre-norm
blocks, causal softmax attention over n_head heads, GELU per the config's
activation_function, tied output head) in torch.float64, and writes a JSON golden
file with the tokens, the logits and the SHA-256 of model.safetensors.

The Java test (spark-jobs/src/test/java/dev/pacer/export/Gpt2ExportTest.java)
exports the same deterministic tiny models (byte tokenizer; the tests' 300-merge
byte-level BPE), checks the files have these SHA-256s, and compares Pacer's own
logits with these (tolerance 1e-4), so an export that moved, transposed or renamed
a tensor, or shipped another tokenizer, fails.

How to regenerate (from the repository root; needs Debian's python3-torch):

    mvn -q -pl spark-jobs -am test -Dtest=Gpt2ExportTest -Dsurefire.failIfNoSpecifiedTests=false
    /usr/bin/python3 spark-jobs/src/test/python/verify_export.py \\
        spark-jobs/target/export-fixture > spark-jobs/src/test/resources/golden/export-gpt2-tiny.json
    /usr/bin/python3 spark-jobs/src/test/python/verify_export.py \\
        spark-jobs/target/export-fixture-bpe > spark-jobs/src/test/resources/golden/export-gpt2-bpe-tiny.json

(the test leaves its exports in <build directory>/export-fixture and
export-fixture-bpe; with -Dpacer.target=NAME the build directory is spark-jobs/NAME).
"""

import hashlib
import json
import math
import os
import re
import struct
import sys

import torch

DTYPE = torch.float64
END_OF_TEXT = "<|endoftext|>"
# Multi-byte UTF-8 on purpose (2- and 3-byte characters), then a document boundary.
TEXT_BEFORE = "Pacer exports GPT-2: Grüße, 東京!"
TEXT_AFTER = "Next."


def fail(message):
    sys.stderr.write("verify_export: " + message + "\n")
    sys.exit(1)


def read_safetensors(path):
    """Return (metadata, {name: float64 tensor}, [(name, shape)] in file order)."""
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    body = data[8 + header_len:]
    tensors = {}
    order = []
    for name, entry in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        if entry["dtype"] != "F32":
            fail("%s has dtype %s, expected F32" % (name, entry["dtype"]))
        begin, end = entry["data_offsets"]
        shape = entry["shape"]
        count = 1
        for s in shape:
            count *= s
        if end - begin != 4 * count:
            fail("%s: %d bytes for shape %s" % (name, end - begin, shape))
        values = struct.unpack("<%df" % count, body[begin:end])
        tensors[name] = torch.tensor(values, dtype=DTYPE).reshape(shape)
        order.append((name, shape))
    if 8 + header_len + sum(4 * t.numel() for t in tensors.values()) != len(data):
        fail("model.safetensors has bytes the header does not account for")
    return metadata, tensors, order


def expected_tensors(cfg):
    """GPT-2's parameter names and shapes (Hugging Face GPT2Model, Conv1D (in, out))."""
    v, p, d, n = cfg["vocab_size"], cfg["n_positions"], cfg["n_embd"], cfg["n_layer"]
    inner = cfg.get("n_inner") or 4 * d
    out = {"wte.weight": [v, d], "wpe.weight": [p, d], "ln_f.weight": [d], "ln_f.bias": [d]}
    for i in range(n):
        h = "h.%d." % i
        out.update({
            h + "ln_1.weight": [d], h + "ln_1.bias": [d],
            h + "attn.c_attn.weight": [d, 3 * d], h + "attn.c_attn.bias": [3 * d],
            h + "attn.c_proj.weight": [d, d], h + "attn.c_proj.bias": [d],
            h + "ln_2.weight": [d], h + "ln_2.bias": [d],
            h + "mlp.c_fc.weight": [d, inner], h + "mlp.c_fc.bias": [inner],
            h + "mlp.c_proj.weight": [inner, d], h + "mlp.c_proj.bias": [d],
        })
    return out


def bytes_to_unicode():
    """GPT-2's table: printable Latin-1 bytes map to themselves, the rest to 256, 257, ..."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    table = {}
    extra = 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


# GPT-2's pre-tokenization pattern with the standard library's re: \p{L} as [^\W\d_],
# \p{N} as \d. The two agree on the fixed texts (Latin letters, umlauts, CJK, digits,
# punctuation, spaces).
GPT2_SPLIT = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+""")


def merge_pair(word, pair):
    out = []
    i = 0
    while i < len(word):
        if i + 1 < len(word) and (word[i], word[i + 1]) == pair:
            out.append(word[i] + word[i + 1])
            i += 2
        else:
            out.append(word[i])
            i += 1
    return out


def bpe(word, ranks):
    """GPT-2's BPE: merge the adjacent pair of lowest rank until no ranked pair is left."""
    while len(word) > 1:
        pairs = [(ranks[p], p) for p in zip(word, word[1:]) if p in ranks]
        if not pairs:
            break
        word = merge_pair(word, min(pairs)[1])
    return word


def tokenize(tokenizer, text):
    """Ids of text under a byte-level BPE (GPT-2's algorithm); without merges, one id per byte."""
    model = tokenizer["model"]
    if model.get("type") != "BPE":
        fail("tokenizer.json: expected a byte-level BPE")
    if tokenizer["pre_tokenizer"]["type"] != "ByteLevel":
        fail("tokenizer.json: expected a ByteLevel pre-tokenizer")
    vocab = model["vocab"]
    table = bytes_to_unicode()
    if not model.get("merges"):
        for b in range(256):
            if vocab.get(table[b]) != b:
                fail("tokenizer.json: byte %d is not token %d" % (b, b))
        return [vocab[table[b]] for b in text.encode("utf-8")]
    ranks = {}
    for i, m in enumerate(model["merges"]):
        ranks[tuple(m.split(" ") if isinstance(m, str) else m)] = i
    ids = []
    for piece in GPT2_SPLIT.findall(text):
        word = [table[b] for b in piece.encode("utf-8")]
        ids.extend(vocab[t] for t in bpe(word, ranks))
    return ids


def check_gpt2_files(root, tokenizer):
    """vocab.json and merges.txt, for GPT-2's slow tokenizer, must match tokenizer.json."""
    model = tokenizer["model"]
    with open(os.path.join(root, "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    want = dict(model["vocab"])
    for t in tokenizer["added_tokens"]:
        want.setdefault(t["content"], t["id"])
    if vocab != want:
        fail("vocab.json differs from tokenizer.json's vocabulary and added tokens")
    with open(os.path.join(root, "merges.txt"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    merges = [m if isinstance(m, str) else " ".join(m) for m in model["merges"]]
    if lines[0] != "#version: 0.2" or [line for line in lines[1:] if line] != merges:
        fail("merges.txt differs from tokenizer.json's merges")


def layer_norm(x, w, b, eps):
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * w + b


def activation(name, x):
    if name == "gelu":  # transformers' "gelu": the exact erf form
        return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if name == "gelu_new":  # the tanh approximation of the original GPT-2
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    fail("unsupported activation_function %r" % name)


def forward(cfg, w, tokens):
    d, heads, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    hd = d // heads
    t = len(tokens)
    ids = torch.tensor(tokens, dtype=torch.long)
    x = w["wte.weight"][ids] + w["wpe.weight"][:t]
    future = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    for i in range(cfg["n_layer"]):
        h = "h.%d." % i
        a = layer_norm(x, w[h + "ln_1.weight"], w[h + "ln_1.bias"], eps)
        q, k, v = (a @ w[h + "attn.c_attn.weight"] + w[h + "attn.c_attn.bias"]).split(d, dim=-1)
        q, k, v = (z.reshape(t, heads, hd).transpose(0, 1) for z in (q, k, v))
        scores = (q @ k.transpose(1, 2)) / math.sqrt(hd)
        attn = torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1)
        y = (attn @ v).transpose(0, 1).reshape(t, d)
        x = x + y @ w[h + "attn.c_proj.weight"] + w[h + "attn.c_proj.bias"]
        m = layer_norm(x, w[h + "ln_2.weight"], w[h + "ln_2.bias"], eps)
        m = activation(cfg["activation_function"], m @ w[h + "mlp.c_fc.weight"] + w[h + "mlp.c_fc.bias"])
        x = x + m @ w[h + "mlp.c_proj.weight"] + w[h + "mlp.c_proj.bias"]
    x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], eps)
    return x @ w["wte.weight"].T


def main(argv):
    if len(argv) != 1:
        fail("usage: verify_export.py EXPORT_DIR > golden.json")
    root = argv[0]
    with open(os.path.join(root, "config.json")) as f:
        cfg = json.load(f)
    for key, want in (("model_type", "gpt2"), ("tie_word_embeddings", True)):
        if cfg.get(key) != want:
            fail("config.json: %s is %r, expected %r" % (key, cfg.get(key), want))
    if cfg["n_embd"] % cfg["n_head"]:
        fail("config.json: n_embd is not a multiple of n_head")

    model_path = os.path.join(root, "model.safetensors")
    metadata, weights, order = read_safetensors(model_path)
    if metadata.get("format") != "pt":
        fail("model.safetensors: __metadata__ format is %r; Hugging Face loaders need 'pt'" % metadata.get("format"))
    expected = expected_tensors(cfg)
    if set(weights) != set(expected):
        fail("tensor names differ from GPT-2's: missing %s, unexpected %s"
             % (sorted(set(expected) - set(weights)), sorted(set(weights) - set(expected))))
    for name, shape in expected.items():
        if list(weights[name].shape) != shape:
            fail("%s has shape %s, GPT-2 needs %s" % (name, list(weights[name].shape), shape))

    with open(os.path.join(root, "tokenizer.json"), "rb") as f:
        tokenizer_bytes = f.read()
    tokenizer = json.loads(tokenizer_bytes.decode("utf-8"))
    check_gpt2_files(root, tokenizer)
    specials = {t["content"]: t["id"] for t in tokenizer["added_tokens"] if t.get("special")}
    if specials.get(END_OF_TEXT) != cfg["eos_token_id"]:
        fail("tokenizer.json: %s is not the eos_token_id %r" % (END_OF_TEXT, cfg["eos_token_id"]))
    tokens = tokenize(tokenizer, TEXT_BEFORE) + [specials[END_OF_TEXT]] + tokenize(tokenizer, TEXT_AFTER)
    if len(tokens) > cfg["n_positions"]:
        fail("the fixed input is longer than n_positions")

    with torch.no_grad():
        logits = forward(cfg, weights, tokens)
    with open(model_path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    golden = {
        "description": (
            "Golden logits for Pacer's GPT-2 export, from an independent float64 GPT-2 forward pass in "
            "torch %s over the exported config.json + model.safetensors + tokenizer.json "
            "(spark-jobs/src/test/python/verify_export.py)." % torch.__version__),
        "model_safetensors_sha256": sha,
        "tokenizer_json_sha256": hashlib.sha256(tokenizer_bytes).hexdigest(),
        "config": {k: cfg[k] for k in ("vocab_size", "n_positions", "n_embd", "n_layer", "n_head",
                                       "activation_function", "layer_norm_epsilon", "eos_token_id")},
        "tensors": [{"name": n, "shape": s} for n, s in order],
        "text_before": TEXT_BEFORE,
        "end_of_text": END_OF_TEXT,
        "text_after": TEXT_AFTER,
        "tokens": tokens,
        # 8 significant digits: far below the 1e-4 tolerance, and a smaller file
        "logits": [[float("%.8g" % v) for v in row] for row in logits.tolist()],
    }
    # one line per key, and per row of logits, so a diff of the golden file stays readable
    lines = []
    for key, value in golden.items():
        if key == "logits":
            rows = ",\n  ".join(json.dumps(row) for row in value)
            lines.append(' "logits": [\n  %s\n ]' % rows)
        else:
            lines.append(" %s: %s" % (json.dumps(key), json.dumps(value, ensure_ascii=False)))
    sys.stdout.write("{\n" + ",\n".join(lines) + "\n}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
