#!/usr/bin/env python3
"""Step time of the driver-held and the sharded update against executors and parameters.

A written model (docs/benchmarks/sharding.md), not a measurement: every constant below comes from
`bin/pacer bench --updates` and a Spark job-overhead measurement on this project's machine, except
the network bandwidth and the executors' compute rate, which are assumptions a user replaces with
their cluster's (--net-gbps, --tflops). Prints markdown tables of the step time and of the share
of the step spent computing.

Per step, N executors (one rank each), P parameters, fp32 (4 bytes a value), b tokens per executor:
  compute  C = 6 P b / F                         (every executor in parallel)
  job      J(N) = j0 + N tau                     (the driver launches N tasks and reads N results)
  driver-held: C + J(N) + 4P/W (weights out, torrent) + 4PN/W (gradients in, all through the
               driver's link) + N P s (driver's sum) + P w (driver's optimizer)
  sharded, three jobs a step:
               C + 3 J(N) + 2 * 4P (N-1)/N / W (reduce-scatter and all-gather: each executor
               sends and receives its share over its own link) + 2 (N-1) lat (block fetches)
               + P w / N (each owner steps its shard)
  sharded, one job a step (pacer.spark.fused-step): the same with J(N) once, plus each rank
               reading every other rank's two message blocks (loss share, squares) one after
               the other: + 2 (N-1) lat
"""
import argparse

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--j0-ms", type=float, default=60.0, help="job overhead at two tasks (measured: standalone cluster, 2 executors)")
p.add_argument("--tau-ms", type=float, default=0.85, help="extra job overhead per task (measured: same cluster, 2 to 256 tasks)")
p.add_argument("--sum-ns", type=float, default=1.8, help="driver's sum and clip, per value summed (measured)")
p.add_argument("--opt-ns", type=float, default=5.5, help="AdamW, per parameter (measured, one thread)")
p.add_argument("--lat-ms", type=float, default=2.0, help="one remote block fetch's latency (assumed)")
p.add_argument("--net-gbps", type=float, default=10.0, help="each machine's link, Gbit/s (assumed: 10 GbE)")
p.add_argument("--tflops", type=float, default=0.13, help="one executor's training FLOP/s, in TFLOP/s "
               "(0.13: this machine's 2 cores in fp32; 100 for a current GPU in bf16)")
p.add_argument("--tokens", type=int, default=8192, help="tokens per executor per step")
a = p.parse_args()

W = a.net_gbps * 1e9 / 8  # bytes/s


def job(n):
    return (a.j0_ms + n * a.tau_ms) / 1e3


def compute(P):
    return 6 * P * a.tokens / (a.tflops * 1e12)


def driver(n, P):
    return compute(P) + job(n) + 4 * P / W + 4 * P * n / W + n * P * a.sum_ns / 1e9 + P * a.opt_ns / 1e9


def sharded(n, P):
    return (compute(P) + 3 * job(n) + 2 * 4 * P * (n - 1) / n / W + 2 * (n - 1) * a.lat_ms / 1e3
            + P * a.opt_ns / 1e9 / n)


def sharded_one_job(n, P):
    return sharded(n, P) - 2 * job(n) + 2 * (n - 1) * a.lat_ms / 1e3


Ns = [2, 8, 32, 128, 256]
Ps = [10e6, 100e6, 1e9]
print(f"b = {a.tokens} tokens per executor, F = {a.tflops} TFLOP/s per executor, links {a.net_gbps} Gbit/s\n")
print("| parameters | update | " + " | ".join(f"N={n}" for n in Ns) + " |")
print("|---|---|" + "---:|" * len(Ns))
for P in Ps:
    for name, f in (("driver-held", driver), ("sharded, 3 jobs", sharded), ("sharded, 1 job", sharded_one_job)):
        cells = [f"{f(n, P):.2f} s ({100 * compute(P) / f(n, P):.0f}%)" for n in Ns]
        print(f"| {P / 1e6:,.0f}M | {name} | " + " | ".join(cells) + " |")
print("\nEach cell: step time (share of it spent computing). The driver's memory is not modelled:")
print("the driver-held update needs about 4 x 4P bytes on the driver (weights, sum, AdamW's two")
print("moments), 16 GB at 1B parameters; the sharded update's driver holds no tensor.")
