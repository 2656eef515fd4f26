package lab.grpclb.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import lab.grpclb.config.ClientType;

/**
 * What {@code bench/run.sh [n...] [--flag value...]} was asked to do: the rows of an n list and {@code --shape}s
 * (with {@code --cold-starts}), or, given none of those, the dashboard tables ({@code dashboard}, else null); under
 * one JVM flavour or both ({@code jvmFlavours}; {@code jvmArgs} and {@code jvmDefaults} are the flavour at hand).
 */
record BenchOptions(
    List<Integer> ns,
    List<ClientType> types,
    int runs,
    int delayMs,
    String clientHeap,
    String serverHeap,
    int replicas,
    List<String> extraClientArgs,
    List<String> extraServerArgs,
    List<String> jvmArgs,
    List<String> clientJvmArgs,
    List<String> serverJvmArgs,
    int port,
    int httpPort,
    List<Integer> warmup,
    int pauseMs,
    int requestTimeoutS,
    String target,
    boolean serviceProxy,
    Path logDir,
    List<BenchLoad> shapes,
    boolean grpcJavaPeer,
    boolean jvmDefaults,
    int coldStarts,
    int coldN,
    List<JvmFlavour> jvmFlavours,
    DashboardPlan dashboard) {

  static final String SERVICE_IP = "127.0.0.250";
  static final int MAX_REPLICAS = 100;

  static final String USAGE = """
      usage: bench/run.sh [n...] [flags]            (env SKIP_BUILD=1: use target/grpc-lb-lab.jar as it is)
        n...                      burst sizes, as before the dashboard tables (with n, --shape or --cold-starts
                                  those rows print; with none, the dashboard tables below)
        --types A,B,...           client types, in this order (default %s;
                                  the dashboard: ClientWithReuseConn,ClientWithKubeResolver)
        --runs 3                  measured runs per type and n, the dashboard 5; the tables show the median
        --jvm both|defaults|image JVMs with the JVM's defaults, the image's flags, or both in turn (default: the
                                  dashboard both, the rows image)
        --delay-ms 500            the servers' reply delay (the dashboard: of its bursts; the rest run at 0)
        --replicas 3              server JVMs, on 127.0.0.2, 127.0.0.3, ...
        --client-heap 512m        client JVM -Xmx
        --server-heap 2g          each server JVM's -Xmx
        --extra-client-args "..." more program args for the client, e.g. "--max-connections 2000"
        --extra-server-args "..." more program args for every server, e.g. "--transport nio"
        --jvm-args "..."          JVM args of every JVM (default "-XX:+UseParallelGC -XX:NewRatio=1", as in
                                  the Dockerfile)
        --jvm-defaults            every JVM with no GC flags at all (the JVM's defaults, as `java -jar` runs;
                                  the heap sizes stay)
        --client-jvm-args "..."   more JVM args for the client only, e.g. "-Xlog:gc"
        --server-jvm-args "..."   more JVM args for the servers only
        --port 50051              the servers' gRPC port
        --http-port 18080         the client's experiment API port (on 127.0.0.1)
        --warmup 1000,10000,W,W,W discarded runs per type before measuring, W = the largest n within
                                  10000..100000 (--warmup none: no warm-up; the dashboard: its bursts' warm-up,
                                  none skips its delay-0 warm-up too)
        --pause-ms 1000           pause after every run (its server CPU is counted with the run; the dashboard 300)
        --timeout-s 300           longest one experiment request may take
        --target HOST:PORT        what the client dials (default the first server, 127.0.0.2:PORT)
        --service-proxy           dial a kube-proxy-like address (127.0.0.250:PORT, a random server per
                                  connection) run inside this benchmark JVM, instead of the first server
        --log-dir DIR             where the JVMs' logs go (default a new temp dir)
        --shape SPEC              a load-shape row per type after the bursts (repeatable):
                                  closed:c=1000,n=100000 (never more than c in flight), or
                                  open:rate=20000,duration_s=10 / open:rate=R,n=N (calls on a schedule),
                                  either open form with ,arrival=uniform|poisson
        --peers grpc-java|none    grpc-java as a peer (default grpc-java): one channel beside
                                  ClientWithReuseConn, round_robin over the servers beside
                                  ClientWithKubeResolver, run in turn with ours (its API on --http-port + 1)
        --cold-starts 0           after the rows, start K fresh client JVMs per type (and peer) against the warm
                                  servers and time each one's first run against its third: what a user's
                                  first curl after `java -jar` meets
        --cold-n 10000            the n of those runs
      """.formatted(String.join(",", ClientType.wireNames(ClientType.WRITEUP))) + DashboardPlan.USAGE;

  /** The dashboard's pairs: the types that have a grpc-java counterpart. */
  static final List<ClientType> DASHBOARD_TYPES = List.of(ClientType.REUSE_CONN, ClientType.KUBE_RESOLVER);
  /** Between delay-0 runs nothing closes; the settle before each run waits for what lingers anyway. */
  static final int DASHBOARD_PAUSE_MS = 300;

  static BenchOptions parse(String[] args) {
    List<Integer> ns = new ArrayList<>();
    List<ClientType> types = null;
    Integer runs = null;
    Integer pauseMs = null;
    List<JvmFlavour> jvmFlavours = null;
    DashboardPlan.DashboardFlags dashboardFlags = new DashboardPlan.DashboardFlags();
    int delayMs = 500;
    String clientHeap = "512m";
    String serverHeap = "2g";
    int replicas = 3;
    List<String> extraClientArgs = List.of();
    List<String> extraServerArgs = List.of();
    List<String> jvmArgs = Benchmark.GC_FLAGS;
    List<String> clientJvmArgs = List.of();
    List<String> serverJvmArgs = List.of();
    int port = 50051;
    int httpPort = 18080;
    List<Integer> warmup = null;
    int timeoutS = 300;
    String target = null;
    boolean serviceProxy = false;
    Path logDir = null;
    List<BenchLoad> shapes = new ArrayList<>();
    boolean grpcJavaPeer = true;
    boolean jvmDefaults = false;
    boolean jvmArgsGiven = false;
    int coldStarts = 0;
    int coldN = 10_000;

    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        ns.add(bounded("n", arg, 1, 100_000_000));
        continue;
      }
      String name = arg.substring(2);
      String inline = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        inline = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (name.equals("help") || name.equals("h")) {
        throw new Usage(null);
      }
      if (name.equals("service-proxy")) {
        serviceProxy = inline == null || Boolean.parseBoolean(inline);
        continue;
      }
      if (name.equals("jvm-defaults")) {
        jvmDefaults = inline == null || Boolean.parseBoolean(inline);
        jvmFlavours = jvmDefaults ? List.of(JvmFlavour.DEFAULTS) : null;
        continue;
      }
      String value;
      if (inline != null) {
        value = inline;
      } else if (i + 1 < args.length) {
        value = args[++i]; // taken whatever it looks like: --extra-client-args "--max-connections 10"
      } else {
        throw new Usage("--" + name + " needs a value");
      }
      switch (name) {
        case "types" -> types = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
            .map(s -> ClientType.parse(s, message -> new Usage("--types: " + message))).toList();
        case "runs" -> runs = integer(name, value, 1, 100);
        case "delay-ms" -> delayMs = integer(name, value, 0, 3_600_000);
        case "client-heap" -> clientHeap = heap(name, value);
        case "server-heap" -> serverHeap = heap(name, value);
        case "replicas" -> replicas = integer(name, value, 1, MAX_REPLICAS);
        case "extra-client-args" -> extraClientArgs = words(value);
        case "extra-server-args" -> extraServerArgs = words(value);
        case "jvm-args" -> {
          jvmArgs = words(value);
          jvmArgsGiven = true;
        }
        case "client-jvm-args" -> clientJvmArgs = words(value);
        case "server-jvm-args" -> serverJvmArgs = words(value);
        case "port" -> port = integer(name, value, 1, 65535);
        case "http-port" -> httpPort = integer(name, value, 1, 65535);
        case "warmup" -> warmup = value.equals("none") ? List.of()
            : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> integer("warmup", s, 1, 100_000_000)).toList();
        case "pause-ms" -> pauseMs = integer(name, value, 0, 600_000);
        case "timeout-s" -> timeoutS = integer(name, value, 1, 86_400);
        case "target" -> target = hostPort(value);
        case "log-dir" -> logDir = Path.of(value);
        case "shape" -> shapes.add(BenchLoad.parse(value));
        case "peers" -> grpcJavaPeer = peers(value);
        case "cold-starts" -> coldStarts = integer(name, value, 0, 100);
        case "cold-n" -> coldN = integer(name, value, 1, 100_000_000);
        case "jvm" -> jvmFlavours = JvmFlavour.parse(value);
        default -> {
          if (!dashboardFlags.accept(name, value)) {
            throw new Usage("unknown flag --" + name);
          }
        }
      }
    }
    boolean rowsAsked = !ns.isEmpty() || !shapes.isEmpty() || coldStarts > 0;
    if (rowsAsked && dashboardFlags.given != null) {
      throw new Usage(dashboardFlags.given + " is a dashboard flag: the dashboard runs with no n list, --shape or --cold-starts");
    }
    DashboardPlan dashboard = rowsAsked ? null : dashboardFlags.build();
    if (types == null) {
      types = dashboard != null ? DASHBOARD_TYPES : ClientType.WRITEUP;
    }
    if (jvmFlavours == null) {
      jvmFlavours = dashboard != null ? List.of(JvmFlavour.DEFAULTS, JvmFlavour.IMAGE) : List.of(JvmFlavour.IMAGE);
    }
    jvmDefaults = jvmFlavours.equals(List.of(JvmFlavour.DEFAULTS));
    runs = runs != null ? runs : dashboard != null ? 5 : 3;
    pauseMs = pauseMs != null ? pauseMs : dashboard != null ? DASHBOARD_PAUSE_MS : 1000;
    if (types.isEmpty()) {
      throw new Usage("--types needs at least one type");
    }
    if (target != null && serviceProxy) {
      throw new Usage("give --target or --service-proxy, not both");
    }
    if (jvmDefaults && jvmArgsGiven) {
      throw new Usage("give --jvm-defaults or --jvm-args, not both");
    }
    if (jvmDefaults) {
      jvmArgs = List.of();
    }
    if (httpPort == 65535 && grpcJavaPeer) {
      throw new Usage("--http-port 65535 leaves no port for the grpc-java peer (--http-port + 1); pick a lower one or --peers none");
    }
    if (ns.isEmpty() && dashboard == null) {
      ns = List.of(1000, 10_000, 100_000);
    }
    if (warmup == null) {
      warmup = defaultWarmup(dashboard != null ? dashboard.bursts() : ns);
    }
    if (httpPort >= 65534 && grpcJavaPeer && dashboard != null && dashboard.has(DashboardPlan.Table.SERVER)) {
      throw new Usage("--http-port " + httpPort + " leaves no port for the server table's second grpc-java peer (--http-port + 2)");
    }
    return new BenchOptions(List.copyOf(ns), types, runs, delayMs, clientHeap, serverHeap, replicas, extraClientArgs,
        extraServerArgs, jvmArgs, clientJvmArgs, serverJvmArgs, port, httpPort, warmup, pauseMs, timeoutS, target, serviceProxy, logDir,
        List.copyOf(shapes), grpcJavaPeer, jvmDefaults, coldStarts, coldN, jvmFlavours, dashboard);
  }

  /** These options under one JVM flavour: its flags for every JVM ({@code --jvm-args} or the image's), or none. */
  BenchOptions forFlavour(JvmFlavour flavour) {
    boolean defaults = flavour == JvmFlavour.DEFAULTS;
    return new BenchOptions(ns, types, runs, delayMs, clientHeap, serverHeap, replicas, extraClientArgs, extraServerArgs,
        defaults ? List.of() : jvmArgs, clientJvmArgs, serverJvmArgs, port, httpPort, warmup, pauseMs, requestTimeoutS,
        target, serviceProxy, logDir, shapes, grpcJavaPeer, defaults, coldStarts, coldN, List.of(flavour), dashboard);
  }

  /** These options with the servers answering after {@code delay} ms: the dashboard runs its tables at 0 and 500. */
  BenchOptions withDelay(int delay) {
    return new BenchOptions(ns, types, runs, delay, clientHeap, serverHeap, replicas, extraClientArgs, extraServerArgs,
        jvmArgs, clientJvmArgs, serverJvmArgs, port, httpPort, warmup, pauseMs, requestTimeoutS, target, serviceProxy,
        logDir, shapes, grpcJavaPeer, jvmDefaults, coldStarts, coldN, jvmFlavours, dashboard);
  }

  /** The grpc-java peer that sends the server table's calls to grpc-java's greeter, beside {@link #peerHttpPort}. */
  int secondPeerHttpPort() {
    return httpPort + 2;
  }

  /** grpc-java's greeter for the server table listens after the servers: 127.0.0.(2 + replicas). */
  String grpcJavaServerIp() {
    return serverIp(replicas);
  }

  /**
   * Enough calls that every JVM is compiled and its heap sized before a row is measured. The JIT compilers
   * of four JVMs share the cores; until they are done they take more CPU than the calls do (measured:
   * ClientWithKubeResolver n = 10 000 took 0.9-1.0 s after a 12 000-call warm-up, 0.6 s after this one).
   */
  private static List<Integer> defaultWarmup(List<Integer> ns) {
    int largest = Math.max(10_000, Math.min(100_000, ns.stream().mapToInt(Integer::intValue).max().orElse(0)));
    return List.of(1000, 10_000, largest, largest, largest);
  }

  /** The loads of every type, in table order: the bursts of the n list, then the shapes. */
  List<BenchLoad> loads() {
    return BenchLoad.all(ns, shapes);
  }

  /** The grpc-java peer's experiment API port, beside ours. */
  int peerHttpPort() {
    return httpPort + 1;
  }

  /** Pod i (from 0) listens on 127.0.0.(2 + i). */
  String serverIp(int i) {
    return "127.0.0." + (2 + i);
  }

  String clientTarget() {
    if (target != null) {
      return target;
    }
    return (serviceProxy ? SERVICE_IP : serverIp(0)) + ":" + port;
  }

  private static int integer(String name, String raw, int min, int max) {
    return bounded("--" + name, raw, min, max);
  }

  /** An integer in [min, max], or a usage error naming {@code what} (the soak reads its flags with it too). */
  static int bounded(String what, String raw, int min, int max) {
    try {
      int value = Integer.parseInt(raw.trim().replace("_", ""));
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // below
    }
    throw new Usage(what + " must be an integer from " + min + " to " + max + ", got '" + raw + "'");
  }


  private static String heap(String name, String raw) {
    if (!raw.matches("[0-9]+[kKmMgG]?")) {
      throw new Usage("--" + name + " must look like 512m or 2g, got '" + raw + "'");
    }
    return raw;
  }

  private static String hostPort(String raw) {
    int colon = raw.lastIndexOf(':');
    if (colon <= 0 || colon == raw.length() - 1) {
      throw new Usage("--target must look like host:port, got '" + raw + "'");
    }
    integer("target port", raw.substring(colon + 1), 1, 65535);
    return raw;
  }

  private static boolean peers(String raw) {
    return switch (raw.trim()) {
      case "grpc-java" -> true;
      case "none" -> false;
      default -> throw new Usage("--peers must be grpc-java or none, got '" + raw + "'");
    };
  }

  private static List<String> words(String raw) {
    String trimmed = raw.trim();
    return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\\s+"));
  }

  /** A bad command line (or --help, with a null message): one line that says what would be valid. */
  public static final class Usage extends IllegalArgumentException {
    Usage(String message) {
      super(message, null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // a user's mistake, not a bug: no stack trace is ever shown
    }
  }
}
