# Sourced by bench/run.sh and bench/soak.sh: builds target/grpc-lb-lab.jar when a source is newer (unless
# SKIP_BUILD=1) and sets jar_dir to a private copy's folder, so that a rebuild of target/ during a long run
# (mvn package, clean) can't pull classes from under its JVMs. The benchmark's own classes (src/bench/java) are
# not in that jar, which users run: javac compiles them beside the copy, and bench_classpath names both. Takes the
# caller's name for its messages.
private_jar() {
  local name=$1 jar=target/grpc-lb-lab.jar
  if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    if [[ ! -f "$jar" ]] || [[ -n "$(find src/main pom.xml -newer "$jar" -print -quit)" ]]; then
      echo "[$name] building $jar (mvn -B -q package -Dmaven.test.skip=true: tests need not compile)" >&2
      if ! mvn -B -q package -Dmaven.test.skip=true >&2; then
        echo "$name: the build failed (another build writing target/ at the same time can cause this:" \
          "retry, or build once and run with SKIP_BUILD=1)" >&2
        exit 1
      fi
    fi
  elif [[ ! -f "$jar" ]]; then
    echo "$name: SKIP_BUILD=1 but $jar does not exist; run mvn -B -q package -DskipTests" >&2
    exit 1
  fi
  jar_dir=$(mktemp -d "/tmp/grpc-lb-lab-$name-jar.XXXXXX")
  cp "$jar" "$jar_dir/grpc-lb-lab.jar"
  local out # javac's notes only matter when it fails
  if ! out=$(javac -nowarn --release 17 -d "$jar_dir/bench" -cp "$jar_dir/grpc-lb-lab.jar" \
      $(find src/bench/java -name '*.java') 2>&1); then
    echo "$out" >&2
    echo "$name: the benchmark's classes (src/bench/java) did not compile against $jar" >&2
    exit 1
  fi
  bench_classpath="$jar_dir/grpc-lb-lab.jar:$jar_dir/bench"
}
