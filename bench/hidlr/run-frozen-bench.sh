#!/usr/bin/env bash
# Frozen-mode benchmark (docs/hidlr.md): pretrain the small preset briefly, then continue from its
# last checkpoint twice, with all parameters and with Hi-DLR's frozen mode; prints the comparison.
set -euo pipefail
cd "$(dirname "$0")/../.."
for run in base full frozen; do
  conf=bench/hidlr/continued-$run.conf
  bin/pacer pretrain --conf "$conf" --run-dir runs/hidlr-frozen/$run "$@"
done
python3 - <<'PY'
import json, statistics
def rows(run):
    return [json.loads(l) for l in open(f"runs/hidlr-frozen/{run}/metrics.jsonl") if l.strip()]
def events(run):
    return [json.loads(l) for l in open(f"runs/hidlr-frozen/{run}/events.jsonl") if l.strip()]
freeze = next(e for e in events("frozen") if e.get("event") == "hidlr_freeze")
after = freeze["step"]
print(f"freeze decided after step {after}: trainable fraction {freeze['trainable_fraction']:.3f}")
for g in sorted(freeze["groups"], key=lambda g: -(g["ppi"] or 0)):
    print(f"  {g['group']:<20} {g['size']:>9,} ppi {g['ppi'] if g['ppi'] is None else format(g['ppi'], '.3e')}  {'kept' if g['kept'] else 'frozen'}")
print("| run | val loss at end | median tokens/s after the freeze step | steps |")
print("|---|---:|---:|---:|")
for run in ("full", "frozen"):
    r = rows(run)
    val = [x["val_loss"] for x in r if "val_loss" in x][-1]
    tps = statistics.median(x["tokens_per_s"] for x in r if x["step"] > after)
    print(f"| {run} | {val:.4f} | {tps:,.0f} | {len(r)} |")
PY
