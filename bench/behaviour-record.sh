#!/usr/bin/env bash
# Runs the driver-behaviour cases (integration-tests' BehaviourCases: default preset 20 steps,
# AdaLRS paired from 1/30x, Hi-DLR frozen mode, eleven optimizers, a stop-and-resume in an AdaLRS
# trial) and writes each case's fingerprint (metric rows without wall-clock fields, events without
# times, checkpoint hashes) to OUT/CASE/. Compare two builds on one machine with
#   bench/behaviour-record.sh /tmp/before torch   # on the old commit
#   bench/behaviour-record.sh /tmp/after torch    # on the new one
#   diff -r -x runs /tmp/before /tmp/after
# With `synthetic` the numbers are CPU-independent: those fingerprints are the test resources of
# BehaviourRegressionTest (integration-tests/src/test/resources/behaviour/).
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: bench/behaviour-record.sh OUT_DIR torch|synthetic" >&2; exit 2; }
cd "$(dirname "$0")/.."
out="$(mkdir -p "$1" && cd "$1" && pwd)"
mvn -q -B -o -DskipTests install
cp_file="$(mktemp)"
mvn -q -B -o -pl integration-tests dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file"
opens=$(sed -n 's:.*<java17.opens>\(.*\)</java17.opens>.*:\1:p' pom.xml)
# shellcheck disable=SC2086
SPARK_LOCAL_IP=127.0.0.1 java -Xmx6g $opens -Dai.djl.offline=true \
  -Dlog4j2.configurationFile="$PWD/conf/log4j2.properties" \
  -cp "integration-tests/target/test-classes:$(cat "$cp_file")" dev.pacer.it.behaviour.RecordBehaviour "$out" "$2"
rm -f "$cp_file"
