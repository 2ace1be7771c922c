#!/usr/bin/env bash
# Resident memory of a local pretrain run, sampled while it trains: shows whether native memory
# stays flat (docs/design.md section 6). Default: the tiny preset for 1,000 steps.
#   bench/rss-over-run.sh [STEPS] [extra bin/pacer options...]
# Prints one row per sample: seconds, completed steps (rows in metrics.jsonl), RSS in MiB.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
steps="${1:-1000}"; shift || true
run="$(mktemp -d)/run"
"$here/bin/pacer" pretrain --run-dir "$run" --max-steps "$steps" \
  --set pacer.model.preset=tiny --set pacer.train.seq-len=64 --set pacer.train.eval-every=250 \
  --set pacer.checkpoint.every=250 "$@" > "$run.log" 2>&1 &
launcher=$!
sleep 2
pid=$(pgrep -P "$launcher" java || echo "$launcher")
echo "machine: $(nproc) cores; tiny preset, $steps steps, local[2]"
printf "%8s %8s %10s\n" seconds steps rss_mib
start=$SECONDS
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$pid/status" 2>/dev/null || echo 0)
  done_steps=$( (wc -l < "$run/metrics.jsonl") 2>/dev/null || echo 0)
  printf "%8d %8d %10d\n" $((SECONDS - start)) "$done_steps" "$rss"
  sleep "${RSS_SAMPLE_SECONDS:-10}"
done
wait "$launcher"
tail -1 "$run.log"
