#!/usr/bin/env bash
# Spark resource discovery script for GPUs: prints {"name":"gpu","addresses":["0","1",...]}, the
# CUDA device indices this executor can use, for
#   spark.executor.resource.gpu.discoveryScript=<path to this file>
# (ship it with --files bin/gpu-discovery.sh on YARN and name it ./gpu-discovery.sh; the
# Kubernetes image has it at /opt/pacer/bin/gpu-discovery.sh).
# Pacer uses each address as a CUDA device index (pacer.engine.device, DeviceChoice), so
# when CUDA_VISIBLE_DEVICES restricts the process, the addresses are 0..n-1 as libtorch
# numbers them, not nvidia-smi's physical indices.
set -euo pipefail
addresses=()
if [[ -n "${CUDA_VISIBLE_DEVICES+set}" && "${CUDA_VISIBLE_DEVICES}" != all ]]; then
  IFS=',' read -r -a visible <<<"${CUDA_VISIBLE_DEVICES}"
  for ((i = 0; i < ${#visible[@]}; i++)); do
    [[ -n "${visible[$i]// /}" ]] && addresses+=("$i")
  done
else
  if ! command -v nvidia-smi >/dev/null 2>&1; then
    echo "gpu-discovery.sh: nvidia-smi not found: no NVIDIA driver on this node" >&2
    exit 1
  fi
  while IFS= read -r index; do
    index="${index// /}"
    [[ -n "$index" ]] && addresses+=("$index")
  done < <(nvidia-smi --query-gpu=index --format=csv,noheader)
fi
json=""
for a in ${addresses[@]+"${addresses[@]}"}; do
  json+="${json:+,}\"$a\""
done
echo "{\"name\":\"gpu\",\"addresses\":[$json]}"
