#!/usr/bin/env bash
# A Spark standalone cluster on 127.0.0.1 for benchmarks: one master (port 17077) and two workers
# of one core each, from the Spark home the cluster tests build out of Maven jars
# (integration-tests/target/spark-home: run `mvn -B -ntp verify -pl integration-tests -am` once).
#   bench/standalone-cluster.sh start [WORKER_MEMORY]   (default 8g)
#   bench/standalone-cluster.sh stop
# Then, e.g. (docs/benchmarks/sharding.md, docs/precision.md):
#   export SPARK_HOME=$PWD/integration-tests/target/spark-home SPARK_LOCAL_IP=127.0.0.1 \
#     SPARK_LOCAL_HOSTNAME=127.0.0.1 SPARK_SCALA_VERSION=2.13
#   bin/pacer --master spark://127.0.0.1:17077 --executor-memory 6g --driver-memory 6g \
#     bench --updates --set pacer.spark.master=spark://127.0.0.1:17077
set -euo pipefail
cd "$(dirname "$0")/.."
home=$PWD/integration-tests/target/spark-home
state=${TMPDIR:-/tmp}/pacer-bench-cluster
export SPARK_HOME=$home SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_HOSTNAME=127.0.0.1 SPARK_SCALA_VERSION=2.13
case "${1:-}" in
  start)
    [[ -d $home/jars ]] || { echo "no Spark home at $home: run mvn -B -ntp verify -pl integration-tests -am first" >&2; exit 2; }
    [[ ! -f $state/pids ]] || { echo "a cluster is running (pids in $state/pids): stop it first" >&2; exit 2; }
    mkdir -p "$state/logs"
    java -Xmx256m -cp "$home/jars/*" org.apache.spark.deploy.master.Master \
      --host 127.0.0.1 --port 17077 --webui-port 18080 > "$state/logs/master.log" 2>&1 &
    echo $! > "$state/pids"
    for i in 1 2; do
      mkdir -p "$state/worker-$i/local" "$state/worker-$i/work"
      DJL_CACHE_DIR=$state/worker-$i/djl SPARK_LOCAL_DIRS=$state/worker-$i/local \
        java -Xmx256m -cp "$home/jars/*" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 \
        --webui-port $((18080 + i)) --cores 1 --memory "${2:-8g}" --work-dir "$state/worker-$i/work" \
        spark://127.0.0.1:17077 > "$state/logs/worker-$i.log" 2>&1 &
      echo $! >> "$state/pids"
    done
    for _ in $(seq 60); do
      n=$(cat "$state"/logs/worker-*.log | grep -c "Successfully registered with master" || true)
      [[ $n -ge 2 ]] && { echo "master spark://127.0.0.1:17077 with 2 one-core workers (logs in $state/logs)"; exit 0; }
      sleep 1
    done
    echo "the workers did not register within 60 s: see $state/logs" >&2; exit 1 ;;
  stop)
    [[ -f $state/pids ]] || { echo "no cluster started by this script" >&2; exit 0; }
    xargs kill < "$state/pids" 2>/dev/null || true
    rm -f "$state/pids"
    echo "stopped" ;;
  *) echo "usage: $0 start [WORKER_MEMORY] | stop" >&2; exit 2 ;;
esac
