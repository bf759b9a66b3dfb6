#!/bin/sh
# The Spark benchmark of the README: builds the job jar, then runs io.cdrpipeline.spark.SparkEtlBench
# (the embedded engine and Spark local[2] on one day of FILES files, then DAYS days of PER_DAY files).
# Usage: spark/bench.sh [FOLDER [FILES [DAYS [PER_DAY]]]]   (default /var/tmp/cdr-spark-bench 200000 30 20000)
set -e
cd "$(dirname "$0")/.."
mvn -B -o -q -pl core,spark package -DskipTests
mvn -B -o -q -pl core,spark dependency:build-classpath -Dmdep.includeScope=test -Dmdep.excludeGroupIds=io.cdrpipeline -Dmdep.outputFile="$PWD/spark/target/bench-classpath.txt"
cd spark
exec java -Xmx1g -cp "target/test-classes:target/classes:../core/target/classes:../core/target/test-classes:$(cat target/bench-classpath.txt)" \
  io.cdrpipeline.spark.SparkEtlBench "${1:-/var/tmp/cdr-spark-bench}" "${2:-200000}" "${3:-30}" "${4:-20000}"
