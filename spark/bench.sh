#!/bin/sh
# The Spark benchmark of docs/benchmarks.md: builds the job jar, then runs io.cdrpipeline.spark.SparkEtlBench
# (the embedded engine and Spark local[2] on one day of FILES files, then DAYS days of PER_DAY files).
# Usage: spark/bench.sh [FOLDER [FILES [DAYS [PER_DAY [NAIVE [MASTER]]]]]]   (default /var/tmp/cdr-spark-bench 200000 30 20000 true;
# NAIVE false leaves out the spark.read.json baseline, which takes minutes; MASTER, e.g. spark://127.0.0.1:7077,
# also runs the day's job on that cluster, whose workers must see FOLDER, and prints its files/s next to local[2]'s)
# After the day it prints what a cluster needs per million files (read tasks, seconds per task batch, memory).
# The classes and jars it runs are copied to FOLDER/build first, so a rebuild meanwhile does not disturb it.
set -e
cd "$(dirname "$0")/.."
dir="${1:-/var/tmp/cdr-spark-bench}"
# one reactor build: cdr-core comes from this checkout, never from the local Maven repository
# (a fresh machine has never installed it); the first run downloads the libraries
mvn -B -q -pl core,spark package dependency:build-classpath -DskipTests \
  -Dmdep.includeScope=test -DexcludeGroupIds=io.cdrpipeline -Dmdep.outputFile=target/bench-classpath.txt
rm -rf "$dir/build" && mkdir -p "$dir/build/target"
for d in spark/target/test-classes spark/target/classes; do cp -r "$d" "$dir/build/target/"; done
cp -r core/target/classes "$dir/build/core-classes" && cp -r core/target/test-classes "$dir/build/core-test-classes"
cp spark/target/cdr-spark-job.jar spark/target/spark-classpath.txt "$dir/build/target/"
cd "$dir/build"
exec java -Xmx1g -cp "target/test-classes:target/classes:core-classes:core-test-classes:$(cat "$OLDPWD/spark/target/bench-classpath.txt")" \
  io.cdrpipeline.spark.SparkEtlBench "$dir" "${2:-200000}" "${3:-30}" "${4:-20000}" "${5:-true}" "${6:-}"
