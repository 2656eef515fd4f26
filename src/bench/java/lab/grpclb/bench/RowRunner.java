package lab.grpclb.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import lab.grpclb.config.ClientType;
import lab.grpclb.experiment.ExperimentReport;

/**
 * Measures the rows, type by type: a fresh client JVM of ours and, when the type has one, a fresh grpc-java
 * counterpart beside it; both warm up the same way, then for every load they take turns (ours, peer, ours,
 * peer...), each run after the JVMs have gone idle, so that the two are measured alike and neither is charged
 * with what the other left behind.
 */
final class RowRunner {
  private static final Duration SETTLE_WINDOW = Duration.ofMillis(500);
  private static final Duration SETTLE_MAX = Duration.ofSeconds(20);
  /** Idle: all JVMs together use at most this share of one core over a settle window. */
  private static final double QUIET_CORE_SHARE = 0.05;
  /** A fresh client may still be listing its endpoints from the control plane: it answers 503 until then. */
  private static final int UNAVAILABLE_RETRIES = 50;
  private static final long UNAVAILABLE_RETRY_MS = 200;

  private final BenchOptions options;
  private final BenchFleet fleet;

  RowRunner(BenchOptions options, BenchFleet fleet) {
    this.options = options;
    this.fleet = fleet;
  }

  /**
   * One client being measured: its row's name, the type its API is asked for, its JVM and API, whose CPU counts as
   * the servers', and why it can't be measured any more (or null).
   */
  static final class Side {
    final String type;
    final String askedType;
    final ChildJvm jvm;
    final ExperimentApi api;
    final Supplier<Duration> serverCpu;
    String na;

    Side(String type, String askedType, ChildJvm jvm, ExperimentApi api, Supplier<Duration> serverCpu) {
      this.type = type;
      this.askedType = askedType;
      this.jvm = jvm;
      this.api = api;
      this.serverCpu = serverCpu;
    }
  }

  /** A client of a type, charged with every server's CPU. */
  Side side(String type, ChildJvm jvm, int httpPort) {
    return new Side(type, type, jvm, api(httpPort), fleet::serverCpu);
  }

  /** A run's report, or why there is none; and whether the client can take further runs. */
  private record RowOutcome(ExperimentReport report, String error, boolean fatal) {
  }

  List<BenchRow> run() throws IOException, InterruptedException {
    List<BenchRow> rows = new ArrayList<>();
    for (String type : ClientType.wireNames(options.types())) {
      rows.addAll(runType(type));
    }
    return rows;
  }

  private List<BenchRow> runType(String type) throws IOException, InterruptedException {
    List<Side> sides = new ArrayList<>();
    try {
      sides.add(side(type, fleet.startClient(type, ""), options.httpPort()));
      String peer = options.grpcJavaPeer() ? GrpcJavaTypes.counterpartOf(type) : null;
      if (peer != null) {
        sides.add(side(peer, startPeer(peer, ""), options.peerHttpPort()));
      }
      warmUp(sides, options.warmup().stream().map(BenchLoad::burst).toList());
      List<BenchRow> rows = new ArrayList<>();
      for (BenchLoad load : options.loads()) {
        rows.addAll(measure(sides, load));
      }
      return rows;
    } finally {
      sides.forEach(side -> stop(side.jvm));
    }
  }

  static void stop(ChildJvm jvm) {
    int code = jvm.stop();
    if (code != 0) {
      Benchmark.progress(jvm.name + " exited with code " + code + " (see " + jvm.log + ")");
    }
  }

  /**
   * {@code --cold-starts K}: per type, and its peer in turn, K fresh client JVMs against the servers the rows
   * warmed, each alone beside them; its first run (cold, as a user's first curl after {@code java -jar}) and its
   * third, both at {@code --cold-n}. A client that starts as it should but fails a run makes its row n/a.
   */
  List<ColdStartRow> coldStarts() throws IOException, InterruptedException {
    List<ColdStartRow> rows = new ArrayList<>();
    for (String type : options.coldStarts() == 0 ? List.<String>of() : ClientType.wireNames(options.types())) {
      String peer = options.grpcJavaPeer() ? GrpcJavaTypes.counterpartOf(type) : null;
      List<String> sides = peer == null ? List.of(type) : List.of(type, peer);
      List<List<ColdStartRow.Start>> starts = sides.stream().<List<ColdStartRow.Start>>map(s -> new ArrayList<>()).toList();
      String[] na = new String[sides.size()];
      for (int k = 1; k <= options.coldStarts(); k++) {
        for (int i = 0; i < sides.size(); i++) {
          if (na[i] == null) {
            na[i] = coldStart(sides.get(i), i == 0, k, starts.get(i));
          }
        }
      }
      for (int i = 0; i < sides.size(); i++) {
        rows.add(na[i] != null ? ColdStartRow.na(sides.get(i), options.coldN(), na[i])
            : new ColdStartRow(sides.get(i), options.coldN(), List.copyOf(starts.get(i)), null));
      }
    }
    return rows;
  }

  /** One fresh JVM's three runs, added to {@code starts}; why a run failed, or null when all went well. */
  private String coldStart(String type, boolean ours, int k, List<ColdStartRow.Start> starts)
      throws IOException, InterruptedException {
    settle(List.of());
    long launched = System.nanoTime();
    String logSuffix = "-cold-" + k;
    ChildJvm jvm = ours ? fleet.startClient(type, logSuffix) : startPeer(type, logSuffix);
    Side side = side(type, jvm, ours ? options.httpPort() : options.peerHttpPort());
    try {
      BenchLoad load = BenchLoad.burst(options.coldN());
      double[] elapsed = new double[3];
      double untilFirstAnswerS = 0;
      for (int run = 0; run < elapsed.length; run++) {
        if (run > 0) {
          settle(List.of(side));
        }
        String label = type + " cold start " + k + "/" + options.coldStarts() + ", run " + (run + 1) + " of 3";
        RowOutcome outcome = runOnce(side, load, label, run == 0); // a fresh client may be listing its endpoints
        if (outcome.report() == null) {
          return outcome.error();
        }
        if (run == 0) {
          untilFirstAnswerS = (System.nanoTime() - launched) / 1e9;
        }
        elapsed[run] = outcome.report().elapsedMs();
        pause();
      }
      starts.add(new ColdStartRow.Start(untilFirstAnswerS, elapsed[0], elapsed[2]));
      return null;
    } finally {
      stop(jvm);
    }
  }

  ChildJvm startPeer(String type, String logSuffix) throws InterruptedException {
    return startPeer(type, logSuffix, options.clientTarget(), options.peerHttpPort());
  }

  /** A grpc-java peer JVM whose one channel dials {@code target}, its API on {@code httpPort}. */
  ChildJvm startPeer(String type, String logSuffix, String target, int httpPort) throws InterruptedException {
    try {
      return fleet.startPeer(type, logSuffix, target, httpPort);
    } catch (IOException e) {
      throw new BenchFailure("the grpc-java peer did not start: " + e.getMessage() + "\n(--peers none runs without it)");
    }
  }

  ExperimentApi api(int port) {
    return new ExperimentApi("127.0.0.1", port, Duration.ofSeconds(options.requestTimeoutS()));
  }

  /** Discarded runs, taking turns; a side that fails one is not measured (its rows say why). */
  void warmUp(List<Side> sides, List<BenchLoad> loads) throws InterruptedException {
    for (BenchLoad load : loads) {
      for (Side side : sides) {
        if (side.na != null) {
          continue;
        }
        String label = side.type + " warm-up " + load.spec();
        RowOutcome outcome = runOnce(side, load, label, true);
        if (outcome.report() == null) {
          side.na = outcome.error();
        }
        pause();
      }
    }
  }

  /** Every run of one load, the sides in turn; a row per side. */
  List<BenchRow> measure(List<Side> sides, BenchLoad load) throws InterruptedException {
    return measure(sides, load, options.runs());
  }

  /** {@code runs} runs of one load, the sides in turn; a row per side. */
  List<BenchRow> measure(List<Side> sides, BenchLoad load, int runs) throws InterruptedException {
    List<List<ExperimentReport>> reports = new ArrayList<>();
    List<List<BenchRow.RunCpu>> runCpu = new ArrayList<>();
    Duration[] serverCpu = new Duration[sides.size()];
    Duration[] clientCpu = new Duration[sides.size()];
    String[] rowNa = new String[sides.size()];
    for (int i = 0; i < sides.size(); i++) {
      reports.add(new ArrayList<>());
      runCpu.add(new ArrayList<>());
      serverCpu[i] = Duration.ZERO;
      clientCpu[i] = Duration.ZERO;
    }
    for (int run = 1; run <= runs; run++) {
      for (int i = 0; i < sides.size(); i++) {
        Side side = sides.get(i);
        if (side.na != null || rowNa[i] != null) {
          continue;
        }
        settle(sides);
        Duration servers = side.serverCpu.get();
        Duration client = side.jvm.cpu();
        RowOutcome outcome = runOnce(side, load, side.type + " " + load.spec() + " run " + run + "/" + runs, false);
        pause(); // what the run leaves behind (closing connections) is charged to it
        BenchRow.RunCpu cpu = new BenchRow.RunCpu(side.jvm.cpu().minus(client), side.serverCpu.get().minus(servers));
        serverCpu[i] = serverCpu[i].plus(cpu.server());
        clientCpu[i] = clientCpu[i].plus(cpu.client());
        if (outcome.report() != null) {
          reports.get(i).add(outcome.report());
          runCpu.get(i).add(cpu);
        } else {
          rowNa[i] = outcome.error();
        }
        if (outcome.fatal()) {
          side.na = "skipped after an error at " + load.spec();
        }
      }
    }
    List<BenchRow> rows = new ArrayList<>();
    for (int i = 0; i < sides.size(); i++) {
      Side side = sides.get(i);
      String na = rowNa[i] != null ? rowNa[i] : side.na; // a row of fewer runs than asked would compare unlike with like
      rows.add(na != null ? BenchRow.na(side.type, load, na)
          : new BenchRow(side.type, load, null, reports.get(i), serverCpu[i], clientCpu[i], side.jvm.vmHwmKb(),
              List.copyOf(runCpu.get(i))));
    }
    return rows;
  }

  /**
   * One experiment. A 400 (this load is not valid for that client) spoils only its row; any other error, or no
   * answer, ends the side's measuring. In a warm-up, a fresh client's 503 is retried while it lists its endpoints.
   */
  private RowOutcome runOnce(Side side, BenchLoad load, String label, boolean warmUp) throws InterruptedException {
    try {
      ExperimentApi.ExperimentAnswer answer = side.api.run(side.askedType, load);
      for (int retry = 0; warmUp && answer.status() == 503 && retry < UNAVAILABLE_RETRIES; retry++) {
        Thread.sleep(UNAVAILABLE_RETRY_MS);
        answer = side.api.run(side.askedType, load);
      }
      if (answer.ok()) {
        Benchmark.progress(label + ": " + summary(answer.report()));
        return new RowOutcome(answer.report(), null, false);
      }
      Benchmark.progress(label + ": HTTP " + answer.status() + ": " + answer.error());
      boolean known = answer.unavailable() && warmUp;
      String why = known ? answer.error() : (warmUp ? "warm-up failed" : "error") + " (HTTP " + answer.status() + "): " + answer.error();
      return new RowOutcome(null, why, !(answer.status() == 400 && !warmUp));
    } catch (IOException e) {
      String why = (warmUp ? "warm-up failed: " : "error: ") + describe(e);
      Benchmark.progress(label + ": " + why);
      return new RowOutcome(null, why, true);
    }
  }

  /**
   * Waits (at most {@link #SETTLE_MAX}) until the servers and the clients are idle: what a previous run left
   * behind (closing connections, GC, JIT) must not be charged to the next run's CPU or elapsed time.
   */
  void settle(List<Side> sides) throws InterruptedException {
    long started = System.nanoTime();
    Duration before = busy(sides);
    Duration quiet = Duration.ofNanos(Math.round(SETTLE_WINDOW.toNanos() * QUIET_CORE_SHARE));
    while (System.nanoTime() - started < SETTLE_MAX.toNanos()) {
      Thread.sleep(SETTLE_WINDOW.toMillis());
      Duration now = busy(sides);
      if (now.minus(before).compareTo(quiet) <= 0) {
        long waitedMs = (System.nanoTime() - started) / 1_000_000;
        if (waitedMs > 2 * SETTLE_WINDOW.toMillis()) {
          Benchmark.progress("waited " + waitedMs + " ms for the JVMs to go idle");
        }
        return;
      }
      before = now;
    }
    Benchmark.progress("the JVMs were still busy after " + SETTLE_MAX.toSeconds() + " s of waiting for them to settle; measuring anyway");
  }

  private Duration busy(List<Side> sides) {
    return sides.stream().map(s -> s.jvm.cpu()).reduce(fleet.serverCpu(), Duration::plus);
  }

  private void pause() throws InterruptedException {
    Thread.sleep(options.pauseMs());
  }

  private static String describe(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() + " (the client closed the connection: did it exit?)"
        : e.getMessage();
  }

  /** A run in one progress line. */
  static String summary(ExperimentReport report) {
    StringBuilder line = new StringBuilder().append(BenchTable.ms(report.elapsedMs())).append(" ms ok=")
        .append(report.ok()).append(" failed=").append(report.failed())
        .append(" p99=").append(report.latency().p99()).append(" p99.9=").append(report.latency().p999())
        .append(" ms max_in_flight=").append(report.maxInFlight()).append(" client_gc_ms=").append(report.clientGcMs());
    if (report.pacing() != null) {
      line.append(" achieved=").append(Math.round(report.pacing().achievedPerS())).append("/s lag_p99=")
          .append(report.pacing().lagP99Ms()).append(" ms");
    }
    line.append(" per pod ").append(report.countPerIp());
    if (!report.outcome().errors().isEmpty()) {
      line.append(" errors ").append(BenchTable.groupedCounts(report.outcome().errors()));
    }
    report.warnings().forEach(w -> line.append(" WARNING: ").append(w));
    return line.toString();
  }
}
