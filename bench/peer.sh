# Sourced by bench/run.sh after jar.sh: builds the grpc-java peer into the private copy's folder and sets
# peer_classpath. The peer (src/test/java/lab/grpclb/bench/peer) is test code because grpc-java is a test
# dependency: the fat jar users run does not grow. javac compiles just the peer (and the wire contract it shares
# with the interop test) against the private jar, the benchmark's classes and the test classpath, so the rest of the tests need not
# compile; the test classpath comes from Maven once and is kept in target/bench-peer/ until pom.xml changes.
peer_build() {
  local cp_file=target/bench-peer/test-classpath.txt
  mkdir -p target/bench-peer
  if [[ ! -s "$cp_file" ]] || [[ pom.xml -nt "$cp_file" ]]; then
    echo "[bench] resolving the grpc-java peer's classpath (mvn dependency:build-classpath, test scope)" >&2
    if ! mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$cp_file" >&2; then
      echo "bench: could not resolve the test classpath for the grpc-java peer; --peers none runs without it" >&2
      exit 1
    fi
  fi
  local deps
  deps=$(<"$cp_file")
  local out # javac's notes (sun.misc.Signal, deprecations) only matter when it fails
  if ! out=$(javac -nowarn --release 17 -d "$jar_dir/peer" -cp "$bench_classpath:$deps" \
      src/test/java/lab/grpclb/bench/peer/*.java src/test/java/lab/grpclb/interop/GrpcJava.java 2>&1); then
    echo "$out" >&2
    echo "bench: the grpc-java peer did not compile; --peers none runs without it" >&2
    exit 1
  fi
  # the private jar first: the project's classes and their dependencies as the client JVMs run them
  peer_classpath="$bench_classpath:$jar_dir/peer:$deps"
}

# Whether the command line keeps the peer on: it is, unless the last --peers says none; --help builds nothing.
peer_wanted() {
  local previous="" wanted=0
  for arg in "$@"; do
    case "$arg" in
      --help) return 1 ;;
      --peers=*) [[ "$arg" == --peers=none ]] && wanted=1 || wanted=0 ;;
    esac
    if [[ "$previous" == --peers ]]; then
      [[ "$arg" == none ]] && wanted=1 || wanted=0
    fi
    previous=$arg
  done
  return $wanted
}
