#!/usr/bin/env bash
# Benchmark of the client types: bench/run.sh [n...] [flags]  (bench/run.sh --help lists the flags).
# Starts the greeter servers on 127.0.0.2.. and one experiment-client JVM per type, prints a Markdown table
# on stdout (progress on stderr). SKIP_BUILD=1 uses target/grpc-lb-lab.jar as it is.
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/jar.sh
private_jar bench # the benchmark deletes the copy when it exits

command="bench/run.sh$(printf ' %q' "$@")"
exec java -Xmx256m -Dbench.command="$command" -Dbench.temp-jar-dir="$jar_dir" \
  -cp "$jar_dir/grpc-lb-lab.jar" lab.grpclb.bench.Benchmark "$@"
