#!/usr/bin/env bash
# Benchmark of the client types: bench/run.sh [n...] [flags]  (bench/run.sh --help lists the flags).
# Starts the greeter servers on 127.0.0.2.. and one experiment-client JVM per type, prints a Markdown table
# on stdout (progress on stderr). SKIP_BUILD=1 uses target/grpc-lb-lab.jar as it is.
set -euo pipefail

cd "$(dirname "$0")/.."
jar=target/grpc-lb-lab.jar

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  if [[ ! -f "$jar" ]] || [[ -n "$(find src/main pom.xml -newer "$jar" -print -quit)" ]]; then
    echo "[bench] building $jar (mvn -B -q package -Dmaven.test.skip=true: tests need not compile)" >&2
    if ! mvn -B -q package -Dmaven.test.skip=true >&2; then
      echo "bench: the build failed (another build writing target/ at the same time can cause this:" \
        "retry, or build once and run with SKIP_BUILD=1)" >&2
      exit 1
    fi
  fi
elif [[ ! -f "$jar" ]]; then
  echo "bench: SKIP_BUILD=1 but $jar does not exist; run mvn -B -q package -DskipTests" >&2
  exit 1
fi

# Every JVM runs from a private copy: a rebuild of target/ during the run (mvn package, clean) must not pull
# classes from under them. The benchmark deletes the copy when it exits.
jar_dir=$(mktemp -d /tmp/grpc-lb-lab-bench-jar.XXXXXX)
cp "$jar" "$jar_dir/grpc-lb-lab.jar"

command="bench/run.sh$(printf ' %q' "$@")"
exec java -Xmx256m -Dbench.command="$command" -Dbench.temp-jar-dir="$jar_dir" \
  -cp "$jar_dir/grpc-lb-lab.jar" lab.grpclb.bench.Benchmark "$@"
