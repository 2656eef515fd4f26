#!/usr/bin/env bash
# Chaos soak of the local cluster: bench/soak.sh [--minutes 10] [flags]  (bench/soak.sh --help lists the flags).
# Runs pods, control plane and experiment client in one JVM, abuses the cluster while ClientWithKubeResolver
# bursts run back to back, prints a Markdown summary on stdout (progress on stderr); exit 0 when
# ClientWithKubeResolver lost no call and nothing logged a stack trace. SKIP_BUILD=1 uses target/grpc-lb-lab.jar as it is.
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/jar.sh
private_jar soak
trap 'rm -rf "$jar_dir"' EXIT

command="bench/soak.sh$(printf ' %q' "$@")"
java -Xmx1g -XX:+UseParallelGC -XX:NewRatio=1 -Dsoak.command="$command" \
  -cp "$bench_classpath" lab.grpclb.bench.Soak "$@"
