package lab.grpclb.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import lab.grpclb.bench.DashboardPlan.Table;
import lab.grpclb.config.ClientType;

/**
 * Measures the dashboard tables under one JVM flavour. Our server has one reply delay per JVM ({@code --delay-ms};
 * no request carries one), so the servers run twice: at 0 for the latency, throughput, load and server tables,
 * then at {@code --delay-ms} for the bursts. In each phase every type gets a fresh client JVM of ours and one of
 * grpc-java's, warmed up alike, taking turns run by run (as {@link RowRunner} measures the rows).
 */
final class DashboardRunner {
  /** The server table's rows: grpc-java's client (one channel) against each greeter. */
  static final String OUR_SERVER = "Vert.x greeter (ours)";
  static final String GRPC_JAVA_SERVER = "grpc-java greeter";
  /** How many times the server table warms both greeters with its own closed loop before measuring. */
  private static final int SERVER_WARM_UPS = 3;

  private final BenchOptions options;
  private final DashboardPlan plan;
  private final Path logDir;
  private final Map<Table, List<BenchRow>> rows = new EnumMap<>(Table.class);
  private final List<DashboardSection.LoadBase> loadBases = new ArrayList<>();
  private final List<BenchTable.ServerTotal> servers = new ArrayList<>();
  private final List<BenchTable.LogCount> logs = new ArrayList<>();

  /** The estimate's guesses for 2 busy cores: closed-loop calls/s, one call at concurrency 1, a client JVM's start. */
  private static final double CALLS_PER_S = 30_000;
  private static final double CALL_ALONE_S = 150e-6;
  private static final double CLIENT_START_S = 8;
  private static final double SERVERS_START_S = 5;
  /** Before each measured run the JVMs must be idle for a 0.5 s window; usually the first or second one. */
  private static final double SETTLE_S = 0.8;

  /**
   * Roughly how long the dashboard will take, printed at the start: the runs, the warm-ups, the pauses and the
   * JVM starts, with the guesses above (a quiet machine is faster, a busy one slower).
   */
  static double estimateSeconds(BenchOptions options) {
    DashboardPlan plan = options.dashboard();
    boolean clientTables = plan.has(Table.LATENCY) || plan.has(Table.THROUGHPUT) || plan.has(Table.LOAD);
    double seconds = 0;
    if (clientTables || plan.has(Table.SERVER)) {
      seconds += SERVERS_START_S + (clientTables ? options.types().size() * clientTablesSeconds(options) : 0)
          + (plan.has(Table.SERVER) && options.grpcJavaPeer() ? serverTableSeconds(options) : 0);
    }
    if (plan.has(Table.BURSTS)) {
      seconds += SERVERS_START_S + options.types().size() * burstsSeconds(options);
    }
    return seconds * options.jvmFlavours().size();
  }

  /** One type's latency, throughput and load tables: its JVMs' start and warm-up, then the runs of each. */
  private static double clientTablesSeconds(BenchOptions options) {
    DashboardPlan plan = options.dashboard();
    int sides = sides(options);
    double pause = options.pauseMs() / 1000.0;
    double closedRun = plan.throughputN() / CALLS_PER_S;
    double seconds = sides * (CLIENT_START_S + plan.warmUpAtDelayZero().size() * pause + 3 * closedRun
        + Math.min(plan.latencyN(), 5000) * CALL_ALONE_S);
    if (plan.has(Table.LATENCY)) {
      seconds += measured(options, sides, plan.latencyN() * CALL_ALONE_S);
    }
    if (plan.has(Table.THROUGHPUT)) {
      seconds += plan.concurrencies().size() * measured(options, sides, closedRun);
    }
    if (plan.has(Table.LOAD)) {
      boolean probe = !plan.has(Table.THROUGHPUT) && plan.rates().isEmpty();
      int rates = plan.rates().isEmpty() ? plan.loadPercents().size() : plan.rates().size();
      seconds += (probe ? sides * (closedRun + SETTLE_S + pause) : 0)
          + rates * measured(options, sides, plan.loadSeconds() + 0.2); // + the last calls' return
    }
    return seconds;
  }

  /** The server table: grpc-java's greeter and two peers start, warm up and take their runs. */
  private static double serverTableSeconds(BenchOptions options) {
    double run = options.dashboard().serverN() / CALLS_PER_S;
    double pause = options.pauseMs() / 1000.0;
    return 3 * CLIENT_START_S / 2 + 2 * SERVER_WARM_UPS * (run + pause) + measured(options, 2, run);
  }

  /** One type's bursts at --delay-ms: its JVMs' start, the warm-up bursts, then the runs of each n. */
  private static double burstsSeconds(BenchOptions options) {
    double delay = options.delayMs() / 1000.0;
    double pause = options.pauseMs() / 1000.0;
    double warmUp = options.warmup().stream().mapToDouble(n -> delay + n / CALLS_PER_S + pause).sum();
    double bursts = options.dashboard().bursts().stream().mapToDouble(n -> measured(options, 1, delay + n / CALLS_PER_S)).sum();
    return sides(options) * (CLIENT_START_S + warmUp + bursts);
  }

  /** The runs of one load on every side: each settles, runs {@code runS} and pauses. */
  private static double measured(BenchOptions options, int sides, double runS) {
    return sides * options.runs() * (SETTLE_S + options.pauseMs() / 1000.0 + runS);
  }

  private static int sides(BenchOptions options) {
    return 1 + (options.grpcJavaPeer() ? 1 : 0);
  }

  DashboardRunner(BenchOptions options, Path logDir) {
    this.options = options;
    this.plan = options.dashboard();
    this.logDir = logDir;
  }

  DashboardSection run() throws IOException, InterruptedException {
    if (plan.has(Table.LATENCY) || plan.has(Table.THROUGHPUT) || plan.has(Table.LOAD) || plan.has(Table.SERVER)) {
      atDelayZero();
    }
    if (plan.has(Table.BURSTS)) {
      bursts();
    }
    JvmFlavour flavour = options.jvmFlavours().get(0);
    return new DashboardSection(flavour, options.jvmArgs(), Map.copyOf(rows), List.copyOf(loadBases), List.copyOf(servers),
        List.copyOf(logs), logDir.toString());
  }

  private void atDelayZero() throws IOException, InterruptedException {
    BenchOptions atZero = options.withDelay(0);
    try (BenchFleet fleet = new BenchFleet(atZero, Files.createDirectories(logDir.resolve("delay-0")))) {
      fleet.start();
      RowRunner runner = new RowRunner(atZero, fleet);
      for (String type : ClientType.wireNames(options.types())) {
        if (plan.has(Table.LATENCY) || plan.has(Table.THROUGHPUT) || plan.has(Table.LOAD)) {
          clientTablesAtZero(runner, fleet, type);
        }
      }
      if (plan.has(Table.SERVER) && options.grpcJavaPeer()) {
        serverTable(runner, fleet);
      }
      finish(fleet);
    }
  }

  /** The latency, throughput and load tables of one type and its grpc-java counterpart, on the same JVMs. */
  private void clientTablesAtZero(RowRunner runner, BenchFleet fleet, String type) throws IOException, InterruptedException {
    List<RowRunner.Side> sides = startSides(runner, fleet, type);
    try {
      runner.warmUp(sides, options.warmup().isEmpty() ? List.of() : plan.warmUpAtDelayZero()); // --warmup none: none
      if (plan.has(Table.LATENCY)) {
        add(Table.LATENCY, runner.measure(sides, plan.latencyLoad()));
      }
      List<BenchRow> throughput = new ArrayList<>();
      if (plan.has(Table.THROUGHPUT)) {
        for (BenchLoad load : plan.throughputLoads()) {
          throughput.addAll(runner.measure(sides, load));
        }
        add(Table.THROUGHPUT, throughput);
      }
      if (plan.has(Table.LOAD)) {
        double best = plan.rates().isEmpty() ? bestCallsPerS(runner, sides, throughput, type) : Double.NaN;
        for (BenchLoad load : plan.loadLadder(best)) {
          add(Table.LOAD, runner.measure(sides, load));
        }
      }
    } finally {
      sides.forEach(side -> RowRunner.stop(side.jvm));
    }
  }

  /**
   * The pair's best closed-loop calls/s, which the load ladder's percentages are of: the higher of the two
   * clients' best median in the throughput table, or, without that table, one run of each at c = 100.
   */
  private double bestCallsPerS(RowRunner runner, List<RowRunner.Side> sides, List<BenchRow> throughput, String type)
      throws InterruptedException {
    String from = "the throughput table's best median";
    List<BenchRow> measured = throughput.stream().filter(BenchRow::measured).toList();
    if (measured.isEmpty()) {
      measured = runner.measure(sides, plan.probeLoad(), 1).stream().filter(BenchRow::measured).toList();
      from = "one probe run each at " + plan.probeLoad().spec();
    }
    double best = measured.stream().mapToDouble(r -> RunSpread.of(DashboardMetrics.callsPerS(r)).median()).max().orElse(Double.NaN);
    if (Double.isNaN(best)) {
      throw new BenchFailure(type + ": no closed-loop run succeeded, so the load ladder has no rate to start from;"
          + " give --rates R,R,... to set it");
    }
    loadBases.add(new DashboardSection.LoadBase(type, best, from));
    Benchmark.progress(type + ": load ladder from " + Math.round(best) + " calls/s (" + from + ")");
    return best;
  }

  /**
   * grpc-java's client (one channel, as its benchmarks set it up) against our greeter (server 1, warm from the
   * client tables) and against grpc-java's, two peer JVMs taking turns; each row is charged its own greeter's CPU.
   */
  private void serverTable(RowRunner runner, BenchFleet fleet) throws IOException, InterruptedException {
    ChildJvm theirServer = fleet.startGrpcJavaServer();
    String peer = GrpcJavaTypes.ONE_CHANNEL;
    List<RowRunner.Side> sides = new ArrayList<>();
    try {
      String ours = options.serverIp(0) + ":" + options.port();
      String theirs = options.grpcJavaServerIp() + ":" + options.port();
      sides.add(new RowRunner.Side(OUR_SERVER, peer, runner.startPeer(peer, "-to-our-server", ours, options.peerHttpPort()),
          runner.api(options.peerHttpPort()), fleet.server(0)::cpu));
      sides.add(new RowRunner.Side(GRPC_JAVA_SERVER, peer, runner.startPeer(peer, "-to-grpc-java-server", theirs,
          options.secondPeerHttpPort()), runner.api(options.secondPeerHttpPort()), theirServer::cpu));
      runner.warmUp(sides, Collections.nCopies(options.warmup().isEmpty() ? 0 : SERVER_WARM_UPS, plan.serverLoad()));
      add(Table.SERVER, runner.measure(sides, plan.serverLoad()));
    } finally {
      sides.forEach(side -> RowRunner.stop(side.jvm));
    }
  }

  /** The servers again at --delay-ms, fresh clients, the legacy warm-up (bursts up to the largest n). */
  private void bursts() throws IOException, InterruptedException {
    BenchOptions delayed = options.withDelay(options.delayMs());
    try (BenchFleet fleet = new BenchFleet(delayed, Files.createDirectories(logDir.resolve("delay-" + options.delayMs())))) {
      fleet.start();
      RowRunner runner = new RowRunner(delayed, fleet);
      for (String type : ClientType.wireNames(options.types())) {
        List<RowRunner.Side> sides = startSides(runner, fleet, type);
        try {
          runner.warmUp(sides, options.warmup().stream().map(BenchLoad::burst).toList());
          for (BenchLoad load : plan.burstLoads()) {
            add(Table.BURSTS, runner.measure(sides, load));
          }
        } finally {
          sides.forEach(side -> RowRunner.stop(side.jvm));
        }
      }
      finish(fleet);
    }
  }

  private List<RowRunner.Side> startSides(RowRunner runner, BenchFleet fleet, String type)
      throws IOException, InterruptedException {
    List<RowRunner.Side> sides = new ArrayList<>();
    sides.add(runner.side(type, fleet.startClient(type, ""), options.httpPort()));
    String peer = options.grpcJavaPeer() ? GrpcJavaTypes.counterpartOf(type) : null;
    if (peer != null) {
      try {
        sides.add(runner.side(peer, runner.startPeer(peer, ""), options.peerHttpPort()));
      } catch (RuntimeException | InterruptedException e) {
        sides.forEach(side -> RowRunner.stop(side.jvm));
        throw e;
      }
    }
    return sides;
  }

  private void finish(BenchFleet fleet) {
    String phase = fleet.logDir().getFileName().toString().replace("delay-", "delay ") + " ms: ";
    fleet.stopServers().forEach(t -> servers.add(new BenchTable.ServerTotal(phase + t.name(), t.callsServed(), t.cpu(),
        t.hwmKb(), t.exitCode())));
    logs.addAll(fleet.logCounts().stream().map(l -> new BenchTable.LogCount(fleet.logDir().getFileName() + "/" + l.file(),
        l.blocked(), l.warnings(), l.severe())).toList());
  }

  private void add(Table table, List<BenchRow> measured) {
    rows.computeIfAbsent(table, t -> new ArrayList<>()).addAll(measured);
  }
}
