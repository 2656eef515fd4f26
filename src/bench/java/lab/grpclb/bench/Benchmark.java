package lab.grpclb.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code bench/run.sh [n...] [flags]}: starts the greeter servers (one JVM each, on 127.0.0.2, .3, ...) and, per
 * client type, a fresh experiment-client JVM of ours and one of the grpc-java peer; warms them up, measures every
 * load a few times in turn, and prints Markdown tables ({@link BenchTable}). Progress goes to stderr, the results
 * to stdout. Every JVM it starts is stopped at the end, on failure, and on Ctrl-C.
 */
public final class Benchmark {
  /**
   * The collector the Dockerfile runs with. A call's state lives for the reply delay and dies young: a
   * throughput collector with a young generation half the heap frees it without concurrent marking or
   * promotion, where G1's defaults spent more CPU on it than the event loops did (measured: docs/performance.md).
   * {@code --jvm-defaults} runs without it, as {@code java -jar} does.
   */
  public static final List<String> GC_FLAGS = List.of("-XX:+UseParallelGC", "-XX:NewRatio=1");

  private Benchmark() {
  }

  public static void main(String[] args) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      ChildJvm.stopAll();
      deleteTempJar();
    }, "bench-stop-children")); // first: --help and a bad flag leave no copy behind either
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
    String command = System.getProperty("bench.command", "bench/run.sh " + String.join(" ", args)).trim();
    int code;
    try {
      System.out.print(run(options, command));
      System.out.flush();
      code = 0;
    } catch (BenchFailure e) {
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

  /** Runs every row, or the dashboard, under each JVM flavour asked, and answers the Markdown report. */
  private static String run(BenchOptions options, String command) throws IOException, InterruptedException {
    if (options.dashboard() != null) {
      return dashboard(options, command);
    }
    StringBuilder report = new StringBuilder();
    for (JvmFlavour flavour : options.jvmFlavours()) {
      report.append(report.isEmpty() ? "" : "\n").append(rows(options.forFlavour(flavour), command));
    }
    return report.toString();
  }

  /**
   * The dashboard tables under each JVM flavour in turn; the report (also written to --out, with its charts beside
   * it) opens with the command and the machine.
   */
  private static String dashboard(BenchOptions options, String command) throws IOException, InterruptedException {
    ZonedDateTime started = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS);
    String loadAtStart = ProcReadings.loadAverage();
    BenchFleet.checkPortsFree(options);
    if (options.grpcJavaPeer()) {
      BenchFleet.peerClasspath(); // fails now, not after the servers started
    }
    Path out = Files.createDirectories(options.dashboard().out());
    Path logDir = options.logDir() == null ? Files.createTempDirectory("grpc-lb-bench-") : Files.createDirectories(options.logDir());
    double estimate = DashboardRunner.estimateSeconds(options);
    progress("the dashboard tables " + options.dashboard().tables().stream().map(t -> t.wireName).toList() + " under "
        + options.jvmFlavours().stream().map(f -> f.wireName).toList() + " JVM flags, " + options.runs()
        + " run(s) per row: about " + minutes(estimate) + " (estimated); logs in " + logDir + ", report and charts to " + out);
    long startNanos = System.nanoTime();
    List<DashboardSection> sections = new ArrayList<>();
    for (JvmFlavour flavour : options.jvmFlavours()) {
      progress("JVM flags: " + flavour.title);
      sections.add(new DashboardRunner(options.forFlavour(flavour),
          Files.createDirectories(logDir.resolve("jvm-" + flavour.wireName))).run());
    }
    String took = minutes((System.nanoTime() - startNanos) / 1e9) + " (estimated " + minutes(estimate) + ")";
    String stamp = started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmmss"));
    String machine = ProcReadings.machine() + "; load average " + loadAtStart + " at start, " + ProcReadings.loadAverage() + " at end";
    DashboardTables.Report report = DashboardTables.render(new DashboardTables.DashboardContext(
        started.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), command, machine, took, stamp, options), sections);
    for (var chart : report.charts().entrySet()) {
      Files.writeString(out.resolve(chart.getKey()), chart.getValue());
    }
    Path markdown = out.resolve(stamp + "-dashboard.md");
    Files.writeString(markdown, report.markdown());
    progress("report written to " + markdown + (report.charts().isEmpty() ? "" : " with " + report.charts().size() + " chart(s) beside it"));
    return report.markdown();
  }

  static String minutes(double seconds) {
    return seconds < 90 ? Math.round(seconds) + " s" : String.format(Locale.ROOT, "%.1f min", seconds / 60);
  }

  /** The rows of the n list and --shape (and --cold-starts) under one JVM flavour: the report of before. */
  private static String rows(BenchOptions options, String command) throws IOException, InterruptedException {
    String startedAt = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    String loadAtStart = ProcReadings.loadAverage();
    BenchFleet.checkPortsFree(options);
    if (options.grpcJavaPeer()) {
      BenchFleet.peerClasspath(); // fails now, not after the servers started
    }
    Path logDir = options.logDir() == null ? Files.createTempDirectory("grpc-lb-bench-")
        : Files.createDirectories(options.logDir());
    progress("logs in " + logDir + "; target " + options.clientTarget() + "; " + options.runs() + " run(s) per row"
        + (options.grpcJavaPeer() ? "; grpc-java peer on" : ""));
    try (BenchFleet fleet = new BenchFleet(options, logDir)) {
      fleet.start();
      Duration ownCpuBefore = ProcReadings.ownCpu();
      RowRunner runner = new RowRunner(options, fleet);
      List<BenchRow> rows = runner.run();
      List<ColdStartRow> coldStarts = runner.coldStarts();
      Duration ownCpu = ProcReadings.ownCpu().minus(ownCpuBefore);
      List<BenchTable.ServerTotal> servers = fleet.stopServers();
      String machine = ProcReadings.machine() + "; load average " + loadAtStart + " at start, "
          + ProcReadings.loadAverage() + " at end";
      BenchTable.Context context = new BenchTable.Context(startedAt, command, machine, options, servers,
          options.serviceProxy() ? ownCpu : null, fleet.logCounts(), logDir.toString());
      return BenchTable.render(context, rows, coldStarts);
    }
  }

  /**
   * bench/run.sh runs every JVM from a copy of the jar and the peer's classes (so a rebuild can't disturb them),
   * in a folder of its own from mktemp; removed at exit.
   */
  private static void deleteTempJar() {
    String dir = System.getProperty("bench.temp-jar-dir");
    if (dir == null || !Path.of(dir).getFileName().toString().startsWith("grpc-lb-lab-bench-jar.")) {
      return;
    }
    try (Stream<Path> files = Files.walk(Path.of(dir))) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      System.err.println("[bench] could not delete " + dir + ": " + e.getMessage());
    }
  }

  static void progress(String message) {
    System.err.println("[bench " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + "] " + message);
  }
}
