#!/usr/bin/env bash
# Spark's job overhead against task count (bench/JobOverhead.java), on local[2] or the master
# given, e.g. bench/job-overhead.sh spark://127.0.0.1:17077. Needs the project built
# (mvn -DskipTests install); prints a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file=spark-jobs/target/local-classpath.txt
[[ -f $cp_file ]] || { echo "build first: mvn -B -DskipTests install" >&2; exit 2; }
opens=$(sed -n 's:.*<java17.opens>\(.*\)</java17.opens>.*:\1:p' pom.xml)
# shellcheck disable=SC2086
SPARK_LOCAL_IP=127.0.0.1 java $opens -cp "$(cat "$cp_file")" bench/JobOverhead.java "${1:-local[2]}" 2>/dev/null
