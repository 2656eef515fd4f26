package lab.grpclb.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import lab.grpclb.local.ApiResource;
import lab.grpclb.local.ControlPlane;
import lab.grpclb.local.ServiceProxy;

/**
 * {@code bench/run.sh [n...]}: starts the greeter servers (one JVM each, on 127.0.0.2, .3, ...) and, per client
 * type, a fresh experiment-client JVM; warms it up, measures every n a few times, and prints a Markdown table
 * of median elapsed, p99, failures, the client's peak RSS and the servers' CPU time per call.
 *
 * <p>Progress goes to stderr, the results to stdout. Every JVM it starts is stopped at the end, on failure, and
 * on Ctrl-C.
 */
public final class Benchmark {
  /**
   * The collector the Dockerfile runs with. A call's state lives for the reply delay and dies young: a
   * throughput collector with a young generation half the heap frees it without concurrent marking or
   * promotion, where G1's defaults spent more CPU on it than the event loops did (measured, README).
   */
  public static final List<String> GC_FLAGS = List.of("-XX:+UseParallelGC", "-XX:NewRatio=1");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration SETTLE_WINDOW = Duration.ofMillis(500);
  private static final Duration SETTLE_MAX = Duration.ofSeconds(20);
  /** Idle: all JVMs together use at most this share of one core over a settle window. */
  private static final double QUIET_CORE_SHARE = 0.05;
  private static final String SERVER_READY = "greeter listening on ";
  private static final String CLIENT_READY = "experiment client listening on";
  private static final Pattern SERVED = Pattern.compile("(\\d+) served in all");
  /** What Vert.x's blocked-thread checker logs, and the shorter form people grep for. */
  private static final List<String> BLOCKED_MARKERS = List.of("has been blocked for", "Thread blocked");

  private final BenchOptions options;
  private final String command;
  private final ZonedDateTime startedAt = ZonedDateTime.now();
  private final long clockTicks = clockTicksPerSecond();
  /** Other work on the machine skews every number: shown in the header, at the start and at the end. */
  private final String loadAtStart = loadAverage();
  private final List<ChildJvm> servers = new ArrayList<>();
  private final List<ChildJvm> clients = new ArrayList<>();
  private Path logDir;
  private String kubeApiUrl;
  private Path kubeTokenFile;

  private Benchmark(BenchOptions options, String command) {
    this.options = options;
    this.command = command;
  }

  public static void main(String[] args) {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (BenchOptions.Usage usage) {
      if (usage.getMessage() == null) {
        System.out.println(BenchOptions.USAGE);
        System.exit(0);
      }
      System.err.println("bench: " + usage.getMessage() + "\n" + BenchOptions.USAGE);
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      ChildJvm.stopAll();
      deleteTempJar();
    }, "bench-stop-children"));
    String command = System.getProperty("bench.command", "bench/run.sh " + String.join(" ", args)).trim();
    int code;
    try {
      code = new Benchmark(options, command).run();
    } catch (Failure e) {
      System.err.println("bench: " + e.getMessage());
      code = 1;
    } catch (Exception e) {
      System.err.println("bench: " + e);
      e.printStackTrace();
      code = 1;
    } finally {
      ChildJvm.stopAll();
    }
    System.exit(code);
  }

  /** A failure that ends the benchmark with one clear message. */
  static final class Failure extends RuntimeException {
    Failure(String message) {
      super(message, null, false, false);
    }
  }

  /** One table row: a type at one n, measured (reports) or not (na says why). */
  record Row(String type, int n, String na, List<JsonObject> reports, long serverCpuTicks, long hwmKb) {
    static Row na(String type, int n, String why) {
      return new Row(type, n, why, List.of(), 0, -1);
    }

    JsonObject median() {
      List<JsonObject> sorted = new ArrayList<>(reports);
      sorted.sort(Comparator.comparingDouble(r -> r.getDouble("elapsed_ms")));
      return sorted.get((sorted.size() - 1) / 2);
    }

    long ok() {
      return reports.stream().mapToLong(r -> r.getLong("ok")).sum();
    }

    long failed() {
      return reports.stream().mapToLong(r -> r.getLong("failed")).sum();
    }
  }

  private int run() throws Exception {
    checkPortsFree();
    logDir = options.logDir() == null ? Files.createTempDirectory("grpc-lb-bench-")
        : Files.createDirectories(options.logDir());
    progress("logs in " + logDir + "; target " + options.clientTarget() + "; " + options.runs() + " run(s) per row");
    startServers();
    Vertx proxyVertx = options.serviceProxy() ? startServiceProxy() : null;
    Vertx apiVertx = startControlPlane();
    long ownCpuBefore = ownCpuTicks();

    List<Row> rows = new ArrayList<>();
    for (String type : options.types()) {
      rows.addAll(runType(type));
    }

    long ownCpu = ownCpuTicks() - ownCpuBefore;
    Map<ChildJvm, Integer> exitCodes = new LinkedHashMap<>();
    for (ChildJvm server : servers) {
      server.terminate(); // reads CPU and VmHWM a last time, then SIGTERM: the server drains and logs its total
    }
    for (ChildJvm server : servers) {
      exitCodes.put(server, server.stop());
    }
    if (proxyVertx != null) {
      proxyVertx.close().await();
    }
    apiVertx.close().await();
    print(rows, exitCodes, proxyVertx != null ? ownCpu : -1);
    return 0;
  }

  // ---------------------------------------------------------------------------------------------- processes

  /** bench/run.sh runs every JVM from a copy of the jar (so a rebuild can't disturb them); removed at exit. */
  private static void deleteTempJar() {
    String dir = System.getProperty("bench.temp-jar-dir");
    if (dir == null || dir.isBlank()) {
      return;
    }
    try {
      Files.deleteIfExists(Path.of(dir, "grpc-lb-lab.jar"));
      Files.deleteIfExists(Path.of(dir));
    } catch (IOException e) {
      System.err.println("[bench] could not delete " + dir + ": " + e.getMessage());
    }
  }

  private void checkPortsFree() {
    List<InetSocketAddress> needed = new ArrayList<>();
    for (int i = 0; i < options.replicas(); i++) {
      needed.add(new InetSocketAddress(options.serverIp(i), options.port()));
    }
    needed.add(new InetSocketAddress("127.0.0.1", options.httpPort()));
    if (options.serviceProxy()) {
      needed.add(new InetSocketAddress(BenchOptions.SERVICE_IP, options.port()));
    }
    for (InetSocketAddress address : needed) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(address);
      } catch (IOException e) {
        throw new Failure(address.getHostString() + ":" + address.getPort() + " is busy or cannot be bound (" + e.getMessage()
            + "). Is another benchmark or `--mode local` running? See `ss -ltnp | grep " + address.getPort()
            + "`, or pick other ports with --port / --http-port.");
      }
    }
  }

  private List<String> java(String heap, List<String> jvmArgs) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    command.addAll(options.jvmArgs());
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("lab.grpclb.Main");
    return command;
  }

  private void startServers() throws IOException, InterruptedException {
    for (int i = 0; i < options.replicas(); i++) {
      String ip = options.serverIp(i);
      List<String> command = java(options.serverHeap(), options.serverJvmArgs());
      command.addAll(List.of("--mode", "server", "--host", ip, "--port", String.valueOf(options.port()),
          "--pod-ip", ip, "--delay-ms", String.valueOf(options.delayMs())));
      servers.add(ChildJvm.start("server " + ip, command, logDir.resolve("server-" + ip + ".log")));
    }
    for (int i = 0; i < servers.size(); i++) {
      servers.get(i).awaitLog(SERVER_READY + options.serverIp(i) + ":" + options.port(), START_TIMEOUT);
    }
    progress(servers.size() + " servers up (pids " + servers.stream().map(s -> String.valueOf(s.pid())).toList()
        + "), delay " + options.delayMs() + " ms");
  }

  private Vertx startServiceProxy() {
    List<SocketAddress> pods = new ArrayList<>();
    for (int i = 0; i < options.replicas(); i++) {
      pods.add(SocketAddress.inetSocketAddress(options.port(), options.serverIp(i)));
    }
    Vertx vertx = Vertx.vertx();
    new ServiceProxy(vertx, () -> pods).listen(BenchOptions.SERVICE_IP, options.port()).await();
    progress("service proxy on " + BenchOptions.SERVICE_IP + ":" + options.port() + " (in this JVM)");
    return vertx;
  }

  /**
   * A Kubernetes-API-shaped control plane in this JVM, holding the greeter Service and one EndpointSlice
   * with the server JVMs as ready endpoints, so ClientWithKubeResolver discovers them as it would in a
   * cluster. It is idle while the rows run.
   */
  private Vertx startControlPlane() throws IOException {
    Vertx vertx = Vertx.vertx();
    ControlPlane api = new ControlPlane(vertx, ControlPlane.Options.realistic()).listen("127.0.0.1", 0).await();
    String token = java.util.UUID.randomUUID().toString();
    api.requireToken(token);
    kubeTokenFile = Files.writeString(logDir.resolve("token"), token);
    api.apply(ApiResource.SERVICES, "default", new JsonObject()
        .put("metadata", new JsonObject().put("name", "greeter-server"))
        .put("spec", new JsonObject().put("clusterIP", "127.0.0.1").put("ports", new io.vertx.core.json.JsonArray()
            .add(new JsonObject().put("name", "grpc").put("port", options.port())))));
    io.vertx.core.json.JsonArray endpoints = new io.vertx.core.json.JsonArray();
    for (int i = 0; i < options.replicas(); i++) {
      endpoints.add(new JsonObject().put("addresses", new io.vertx.core.json.JsonArray().add(options.serverIp(i)))
          .put("conditions", new JsonObject().put("ready", true)));
    }
    api.apply(ApiResource.ENDPOINTSLICES, "default", new JsonObject()
        .put("metadata", new JsonObject().put("name", "greeter-server-bench")
            .put("labels", new JsonObject().put("kubernetes.io/service-name", "greeter-server")))
        .put("endpoints", endpoints)
        .put("ports", new io.vertx.core.json.JsonArray().add(new JsonObject().put("name", "grpc").put("port", options.port()))));
    kubeApiUrl = api.url();
    progress("control plane on " + kubeApiUrl + " (in this JVM) with " + options.replicas() + " ready endpoints");
    return vertx;
  }

  private ChildJvm startClient(String type) throws IOException, InterruptedException {
    List<String> command = java(options.clientHeap(), options.clientJvmArgs());
    command.addAll(List.of("--mode", "client", "--http-host", "127.0.0.1", "--http-port", String.valueOf(options.httpPort()),
        "--target", options.clientTarget(), "--kube-api", kubeApiUrl, "--kube-token-file", kubeTokenFile.toString(),
        "--namespace", "default"));
    command.addAll(options.extraClientArgs());
    ChildJvm client = ChildJvm.start("client for " + type, command, logDir.resolve("client-" + type + ".log"));
    clients.add(client);
    client.awaitLog(CLIENT_READY, START_TIMEOUT);
    progress("client for " + type + " up (pid " + client.pid() + ")");
    return client;
  }

  private long serverCpuTicks() {
    return servers.stream().mapToLong(ChildJvm::cpuTicks).sum();
  }

  // ---------------------------------------------------------------------------------------------- runs

  private List<Row> runType(String type) throws IOException, InterruptedException {
    ChildJvm client = startClient(type);
    List<Row> rows = new ArrayList<>();
    try {
      ExperimentApi api = new ExperimentApi("127.0.0.1", options.httpPort(), Duration.ofSeconds(options.requestTimeoutS()));
      String na = warmUp(api, type);
      for (int n : options.ns()) {
        if (na != null) {
          rows.add(Row.na(type, n, na));
          continue;
        }
        settle(client);
        List<JsonObject> reports = new ArrayList<>();
        long cpuBefore = serverCpuTicks();
        for (int run = 1; run <= options.runs() && na == null; run++) {
          String label = type + " n=" + n + " run " + run + "/" + options.runs();
          try {
            ExperimentApi.Answer answer = api.run(type, n);
            if (answer.ok()) {
              reports.add(answer.report());
              progress(label + ": " + summary(answer.report()));
            } else {
              na = "error (HTTP " + answer.status() + "): " + answer.error();
              progress(label + ": " + na);
            }
          } catch (IOException e) {
            na = "error: " + describe(e);
            progress(label + ": " + na);
          }
          pause();
        }
        long cpu = serverCpuTicks() - cpuBefore;
        if (reports.size() < options.runs()) {
          rows.add(Row.na(type, n, na)); // a row of fewer runs than asked would compare unlike with like
          na = "skipped after an error at n=" + n;
        } else {
          rows.add(new Row(type, n, null, reports, cpu, client.vmHwmKb()));
        }
      }
    } finally {
      int code = client.stop();
      if (code != 0) {
        progress("client for " + type + " exited with code " + code + " (see " + client.log + ")");
      }
    }
    return rows;
  }

  /** Discarded runs; returns why the type can't be measured, or null. */
  private String warmUp(ExperimentApi api, String type) throws InterruptedException {
    for (int n : options.warmup()) {
      try {
        ExperimentApi.Answer answer = api.run(type, n);
        for (int retry = 0; answer.status() == 503 && retry < 50; retry++) {
          Thread.sleep(200); // a fresh client may still be listing its endpoints from the control plane
          answer = api.run(type, n);
        }
        if (!answer.ok()) {
          progress(type + " warm-up n=" + n + ": HTTP " + answer.status() + ": " + answer.error());
          return answer.unavailable() ? answer.error() : "warm-up failed (HTTP " + answer.status() + "): " + answer.error();
        }
        progress(type + " warm-up n=" + n + ": " + summary(answer.report()));
      } catch (IOException e) {
        progress(type + " warm-up n=" + n + ": " + describe(e));
        return "warm-up failed: " + describe(e);
      }
      pause();
    }
    return null;
  }

  /**
   * Waits (at most {@link #SETTLE_MAX}) until the servers and the client are idle: what a previous run left
   * behind (closing connections, GC, JIT) must not be charged to this row's CPU or elapsed time.
   */
  private void settle(ChildJvm client) throws InterruptedException {
    long started = System.nanoTime();
    long before = serverCpuTicks() + client.cpuTicks();
    while (System.nanoTime() - started < SETTLE_MAX.toNanos()) {
      Thread.sleep(SETTLE_WINDOW.toMillis());
      long now = serverCpuTicks() + client.cpuTicks();
      if (now - before <= SETTLE_WINDOW.toMillis() * clockTicks * QUIET_CORE_SHARE / 1000) {
        long waitedMs = (System.nanoTime() - started) / 1_000_000;
        if (waitedMs > 2 * SETTLE_WINDOW.toMillis()) {
          progress("waited " + waitedMs + " ms for the JVMs to go idle");
        }
        return;
      }
      before = now;
    }
    progress("the JVMs were still busy after " + SETTLE_MAX.toSeconds() + " s of waiting for them to settle; measuring anyway");
  }

  private static String describe(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() + " (the client closed the connection: did it exit?)"
        : e.getMessage();
  }

  private void pause() throws InterruptedException {
    Thread.sleep(options.pauseMs());
  }

  /** " a b c" for [a, b, c]: JVM flags as they follow -Xmx in the report. */
  private static String spaced(List<String> args) {
    return args.stream().map(a -> " " + a).collect(Collectors.joining());
  }

  private static String summary(JsonObject report) {
    JsonObject latency = report.getJsonObject("latency_ms", new JsonObject());
    return report.getString("time") + " ok=" + report.getValue("ok") + " failed=" + report.getValue("failed")
        + " p99=" + latency.getValue("p99") + " ms max_in_flight=" + report.getValue("max_in_flight")
        + " client_gc_ms=" + report.getValue("client_gc_ms")
        + " per pod " + report.getJsonObject("count_per_ip", new JsonObject()).encode()
        + (report.getJsonObject("errors", new JsonObject()).isEmpty() ? "" : " errors " + report.getJsonObject("errors").encode());
  }

  // ---------------------------------------------------------------------------------------------- output

  private void print(List<Row> rows, Map<ChildJvm, Integer> serverExits, long proxyCpuTicks) {
    StringBuilder out = new StringBuilder();
    out.append("## grpc-lb-lab benchmark, ").append(startedAt.truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
        .append("\n\n");
    out.append(machine()).append("\n\n");
    out.append("Command: `").append(command).append("`  \n");
    String jvmArgs = spaced(options.jvmArgs());
    out.append(options.replicas()).append(" server JVMs (-Xmx").append(options.serverHeap()).append(jvmArgs)
        .append(spaced(options.serverJvmArgs())).append(") on ")
        .append(options.serverIp(0)).append("..").append(options.serverIp(options.replicas() - 1)).append(':').append(options.port())
        .append(", reply delay ").append(options.delayMs()).append(" ms; one client JVM per type (-Xmx").append(options.clientHeap())
        .append(jvmArgs).append(spaced(options.clientJvmArgs())).append("), target ")
        .append(options.clientTarget()).append(options.serviceProxy() ? " (kube-proxy-like, a random server per connection)" : "")
        .append(options.extraClientArgs().isEmpty() ? "" : ", client args `" + String.join(" ", options.extraClientArgs()) + "`")
        .append("; warm-up ").append(options.warmup().isEmpty() ? "none" : options.warmup().stream().map(String::valueOf).toList())
        .append(" per type, then ").append(options.runs()).append(" measured run(s) per row.\n\n");

    boolean ranges = options.runs() > 1;
    out.append("| type | n | median elapsed ms").append(ranges ? " (min–max)" : "")
        .append(" | p99 ms | failed | max_in_flight | client GC ms | client VmHWM MiB | server CPU µs/call |\n");
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Row row : rows) {
      out.append("| ").append(row.type()).append(" | ").append(count(row.n())).append(" | ");
      if (row.na() != null) {
        out.append("n/a: ").append(cell(row.na())).append(" | | | | | | |\n");
        continue;
      }
      JsonObject median = row.median();
      out.append(ms(median.getDouble("elapsed_ms")));
      if (ranges) {
        double min = row.reports().stream().mapToDouble(r -> r.getDouble("elapsed_ms")).min().orElse(0);
        double max = row.reports().stream().mapToDouble(r -> r.getDouble("elapsed_ms")).max().orElse(0);
        out.append(" (").append(ms(min)).append("–").append(ms(max)).append(')');
      }
      out.append(" | ").append(ms(median.getJsonObject("latency_ms").getDouble("p99")))
          .append(" | ").append(row.failed())
          .append(" | ").append(count(median.getInteger("max_in_flight")))
          .append(" | ").append(median.getValue("client_gc_ms", "?"))
          .append(" | ").append(row.hwmKb() < 0 ? "?" : String.valueOf(Math.round(row.hwmKb() / 1024.0)))
          .append(" | ").append(row.ok() == 0 ? "–" : String.format(Locale.ROOT, "%.1f",
              row.serverCpuTicks() * 1e6 / clockTicks / row.ok()))
          .append(" |\n");
    }
    out.append("""

        - elapsed: the client's own `elapsed_ms`, median of the runs; p99 and max_in_flight are the median run's;
          failed is summed over the runs. Latency counts from when a call is sent: time spent waiting for a free
          slot (calls_waited, when max_in_flight < n) is in elapsed, not in p99.
        - before each row the benchmark waits (up to 20 s) until the server and client JVMs are idle.
        - client GC ms: of the median run, the client JVM's collection time (`client_gc_ms`; for ParallelGC
          and G1 its stop-the-world pauses, during which no call is sent or completed).
        - client VmHWM: peak RSS of that type's client JVM since it started (a fresh JVM per type; warm-up included),
          read after the row's runs, so it only grows down a type's rows.
        - server CPU: utime+stime of all server JVMs over the row's runs (and the pause after each),
          divided by the ok calls of those runs; /proc resolution is 1/%d s per process.
        """.formatted(clockTicks));

    out.append("\nSplit over servers (count_per_ip of the median run):\n\n");
    for (String type : options.types()) {
      Row shown = splitRow(rows, type);
      if (shown == null) {
        out.append("- ").append(type).append(": n/a\n");
        continue;
      }
      JsonObject median = shown.median();
      out.append("- ").append(type).append(", n=").append(count(shown.n())).append(": ")
          .append(median.getJsonObject("count_per_ip", new JsonObject()).encode())
          .append(" (connections ").append(median.getValue("connections"))
          .append(", in_flight_cap ").append(median.getValue("in_flight_cap"))
          .append(", calls_waited ").append(median.getValue("calls_waited")).append(")\n");
    }

    List<String> errors = new ArrayList<>();
    for (Row row : rows) {
      Map<String, Long> sum = new TreeMap<>();
      for (JsonObject report : row.reports()) {
        report.getJsonObject("errors", new JsonObject()).forEach(e -> sum.merge(e.getKey(), ((Number) e.getValue()).longValue(), Long::sum));
      }
      sum.forEach((error, count) -> errors.add("- " + row.type() + ", n=" + count(row.n()) + ": " + count + " × `" + error + "`"));
    }
    if (!errors.isEmpty()) {
      out.append("\nErrors (summed over the runs):\n\n");
      errors.forEach(e -> out.append(e).append('\n'));
    }

    out.append("\nServers, whole benchmark (warm-up included):\n\n");
    for (Map.Entry<ChildJvm, Integer> entry : serverExits.entrySet()) {
      ChildJvm server = entry.getKey();
      Matcher served = SERVED.matcher(server.read());
      String calls = "?";
      while (served.find()) {
        calls = served.group(1);
      }
      long cpu = server.cpuTicks();
      out.append("- ").append(server.name).append(": ").append(calls).append(" calls served, CPU ")
          .append(String.format(Locale.ROOT, "%.2f s", cpu / (double) clockTicks))
          .append(calls.equals("?") || calls.equals("0") ? "" : String.format(Locale.ROOT, " (%.1f µs/call)",
              cpu * 1e6 / clockTicks / Long.parseLong(calls)))
          .append(", VmHWM ").append(Math.round(server.vmHwmKb() / 1024.0)).append(" MiB, exit code ").append(entry.getValue())
          .append('\n');
    }
    if (proxyCpuTicks >= 0) {
      out.append(String.format(Locale.ROOT, "- service proxy (in the benchmark JVM, which also waits on the client): CPU %.2f s%n",
          proxyCpuTicks / (double) clockTicks));
    }

    out.append("\nLogs in ").append(logDir).append(":\n\n");
    List<ChildJvm> all = new ArrayList<>(servers);
    all.addAll(clients);
    for (ChildJvm jvm : all) {
      int blocked = BLOCKED_MARKERS.stream().mapToInt(jvm::count).sum();
      out.append("- ").append(jvm.log.getFileName()).append(": ").append(blocked).append(" blocked-thread warnings, ")
          .append(jvm.count(" WARNING ")).append(" WARNING, ").append(jvm.count(" SEVERE ")).append(" SEVERE lines\n");
    }
    System.out.print(out);
    System.out.flush();
  }

  /** The row whose split is shown: n = 10 000 if measured, else the largest measured n. */
  private static Row splitRow(List<Row> rows, String type) {
    Row best = null;
    for (Row row : rows) {
      if (!row.type().equals(type) || row.na() != null) {
        continue;
      }
      if (row.n() == 10_000) {
        return row;
      }
      if (best == null || row.n() > best.n()) {
        best = row;
      }
    }
    return best;
  }

  private String machine() {
    String cpu = "?";
    String memory = "?";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          cpu = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          memory = String.format(Locale.ROOT, "%.1f GiB",
              Long.parseLong(line.substring(9).replace("kB", "").trim()) / 1024.0 / 1024.0);
        }
      }
    } catch (IOException | RuntimeException e) {
      // leave "?"
    }
    return "Machine: " + Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), " + memory + " RAM, "
        + System.getProperty("os.name") + " " + System.getProperty("os.version") + "; Java "
        + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + "); load average "
        + loadAtStart + " at start, " + loadAverage() + " at end";
  }

  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private static String ms(double value) {
    return value >= 100 ? String.valueOf(Math.round(value)) : String.format(Locale.ROOT, "%.1f", value);
  }

  private static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value).replace(',', ' ');
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replaceAll("\\s+", " ").trim();
  }

  private static void progress(String message) {
    System.err.println("[bench " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + "] " + message);
  }

  // ---------------------------------------------------------------------------------------------- /proc

  private static long clockTicksPerSecond() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (getconf.waitFor() == 0) {
        return Long.parseLong(out);
      }
    } catch (IOException | RuntimeException e) {
      // fall back
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }

  private static long ownCpuTicks() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
