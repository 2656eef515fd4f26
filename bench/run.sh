#!/usr/bin/env bash
# Benchmark of the client types: bench/run.sh [n...] [flags]  (bench/run.sh --help lists the flags).
# Starts the greeter servers on 127.0.0.2.., one experiment-client JVM per type and, beside ClientWithReuseConn
# and ClientWithKubeResolver, a grpc-java peer JVM (--peers none: without it); prints Markdown tables on stdout
# (progress on stderr). SKIP_BUILD=1 uses target/grpc-lb-lab.jar as it is (the peer is compiled either way).
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/jar.sh
. bench/peer.sh
private_jar bench # the benchmark deletes the copy when it exits
peer_classpath=""
if peer_wanted "$@"; then
  peer_build
fi

command="bench/run.sh$(printf ' %q' "$@")"
exec java -Xmx1g -Dbench.command="$command" -Dbench.temp-jar-dir="$jar_dir" -Dbench.peer.classpath="$peer_classpath" \
  -cp "$bench_classpath" lab.grpclb.bench.Benchmark "$@"
