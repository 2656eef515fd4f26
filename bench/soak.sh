#!/usr/bin/env bash
# Chaos soak of the local cluster: bench/soak.sh [--minutes 10] [flags]  (bench/soak.sh --help lists the flags).
# Runs pods, control plane and experiment client in one JVM, abuses the cluster while ClientWithKubeResolver
# bursts run back to back, prints a Markdown summary on stdout (progress on stderr); exit 0 when
# ClientWithKubeResolver lost no call and nothing logged a stack trace. SKIP_BUILD=1 uses target/grpc-lb-lab.jar as it is.
set -euo pipefail

cd "$(dirname "$0")/.."
jar=target/grpc-lb-lab.jar

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  if [[ ! -f "$jar" ]] || [[ -n "$(find src/main pom.xml -newer "$jar" -print -quit)" ]]; then
    echo "[soak] building $jar (mvn -B -q package -Dmaven.test.skip=true: tests need not compile)" >&2
    if ! mvn -B -q package -Dmaven.test.skip=true >&2; then
      echo "soak: the build failed (another build writing target/ at the same time can cause this:" \
        "retry, or build once and run with SKIP_BUILD=1)" >&2
      exit 1
    fi
  fi
elif [[ ! -f "$jar" ]]; then
  echo "soak: SKIP_BUILD=1 but $jar does not exist; run mvn -B -q package -DskipTests" >&2
  exit 1
fi

# A private copy of the jar, so that a rebuild of target/ during a long soak can't pull classes from under it.
jar_dir=$(mktemp -d /tmp/grpc-lb-lab-soak-jar.XXXXXX)
trap 'rm -rf "$jar_dir"' EXIT
cp "$jar" "$jar_dir/grpc-lb-lab.jar"

command="bench/soak.sh$(printf ' %q' "$@")"
java -Xmx1g -XX:+UseParallelGC -XX:NewRatio=1 -Dsoak.command="$command" \
  -cp "$jar_dir/grpc-lb-lab.jar" lab.grpclb.bench.Soak "$@"
