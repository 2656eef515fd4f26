package lab.grpclb.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import lab.grpclb.config.ClientType;
import lab.grpclb.experiment.ExperimentReport;
import lab.grpclb.experiment.Range;

/**
 * The benchmark's Markdown: a header that says what ran where, a table of the bursts and one of the load
 * shapes (each of our rows beside grpc-java's ratios when the peer ran), then the split over servers, errors,
 * the servers' totals and the logs' warnings. A pure function of what was measured.
 */
final class BenchTable {
  /** A server JVM over the whole benchmark: calls served (-1: not logged), CPU, peak RSS, exit code. */
  record ServerTotal(String name, long callsServed, Duration cpu, long hwmKb, int exitCode) {
  }

  /** One JVM log's blocked-thread warnings, WARNING and SEVERE lines. */
  record LogCount(String file, int blocked, int warnings, int severe) {
  }

  /** What the report says beside the rows; {@code proxyCpu} is null without --service-proxy. */
  record Context(String startedAt, String command, String machine, BenchOptions options, List<ServerTotal> servers,
                 Duration proxyCpu, List<LogCount> logs, String logDir) {
  }

  /** Type and n, or type and shape: shown for a row that was not measured, followed by why. */
  private static final int KEY_COLUMNS = 2;

  private final Context context;
  private final BenchOptions options;
  private final List<BenchRow> rows;
  private final List<ColdStartRow> coldStarts;
  private final StringBuilder out = new StringBuilder();

  private BenchTable(Context context, List<BenchRow> rows, List<ColdStartRow> coldStarts) {
    this.coldStarts = coldStarts;
    this.context = context;
    this.options = context.options();
    this.rows = rows;
  }

  static String render(Context context, List<BenchRow> rows, List<ColdStartRow> coldStarts) {
    return new BenchTable(context, rows, coldStarts).render();
  }

  private String render() {
    header();
    List<BenchRow> bursts = rows.stream().filter(r -> r.load().isBurst()).toList();
    List<BenchRow> shapes = rows.stream().filter(r -> !r.load().isBurst()).toList();
    if (!bursts.isEmpty()) {
      burstTable(bursts);
    }
    if (!shapes.isEmpty()) {
      out.append("\nLoad shapes:\n\n");
      shapeTable(shapes);
    }
    notes();
    if (!coldStarts.isEmpty()) {
      coldStartTable();
    }
    split(bursts);
    errorsAndWarnings();
    servers();
    logs();
    return out.toString();
  }

  private void header() {
    out.append("## grpc-lb-lab benchmark, ").append(context.startedAt()).append("\n\n");
    out.append("Machine: ").append(context.machine()).append("\n\n");
    out.append("Command: `").append(context.command()).append("`  \n");
    String jvmArgs = options.jvmDefaults() ? " (the JVM's defaults: no GC flags)" : spaced(options.jvmArgs());
    out.append(options.replicas()).append(" server JVMs (-Xmx").append(options.serverHeap()).append(jvmArgs)
        .append(spaced(options.serverJvmArgs())).append(") on ")
        .append(options.serverIp(0)).append("..").append(options.serverIp(options.replicas() - 1)).append(':').append(options.port())
        .append(", reply delay ").append(options.delayMs()).append(" ms; one client JVM per type (-Xmx").append(options.clientHeap())
        .append(jvmArgs).append(spaced(options.clientJvmArgs())).append("), target ")
        .append(options.clientTarget()).append(options.serviceProxy() ? " (kube-proxy-like, a random server per connection)" : "")
        .append(options.extraClientArgs().isEmpty() ? "" : ", client args `" + String.join(" ", options.extraClientArgs()) + "`")
        .append(options.extraServerArgs().isEmpty() ? "" : ", server args `" + String.join(" ", options.extraServerArgs()) + "`")
        .append("; warm-up ").append(options.warmup().isEmpty() ? "none" : options.warmup().stream().map(String::valueOf).toList())
        .append(" per type, then ").append(options.runs()).append(" measured run(s) per row.");
    List<String> pairs = ClientType.wireNames(options.types()).stream().filter(t -> GrpcJavaTypes.counterpartOf(t) != null)
        .map(t -> GrpcJavaTypes.counterpartOf(t) + " beside " + t).toList();
    if (options.grpcJavaPeer() && !pairs.isEmpty()) {
      out.append(" grpc-java peer (its own JVM, the same heap, flags and warm-up; ").append(GrpcJavaTypes.ONE_CHANNEL)
          .append(": one channel to the target, ").append(GrpcJavaTypes.ROUND_ROBIN).append(": round_robin over the servers): ")
          .append(String.join(", ", pairs)).append(", taking turns with ours run by run.");
    }
    out.append("\n\n");
  }

  private void burstTable(List<BenchRow> bursts) {
    List<BenchColumn> columns = new ArrayList<>(List.of(
        new BenchColumn("type", false, r -> r.type()),
        new BenchColumn("n", true, r -> count(r.load().n())),
        new BenchColumn("median elapsed ms" + (options.runs() > 1 ? " (min–max)" : ""), true, r -> elapsed(r.median())),
        new BenchColumn("p99 ms", true, r -> ms(r.median().latency().p99())),
        new BenchColumn("p99.9 ms", true, r -> ms(r.median().latency().p999())),
        new BenchColumn("failed", true, r -> String.valueOf(r.failed())),
        new BenchColumn("max_in_flight", true, r -> count(r.median().maxInFlight())),
        new BenchColumn("client GC ms", true, r -> String.valueOf(r.median().clientGcMs())),
        new BenchColumn("client CPU µs/call", true, r -> micros(r.clientMicrosPerCall())),
        new BenchColumn("client VmHWM MiB", true, r -> r.clientHwmKb() < 0 ? "?" : String.valueOf(Math.round(r.clientHwmKb() / 1024.0))),
        new BenchColumn("server CPU µs/call", true, r -> micros(r.serverMicrosPerCall()))));
    table(bursts, columns);
  }

  private void shapeTable(List<BenchRow> shapes) {
    List<BenchColumn> columns = new ArrayList<>(List.of(
        new BenchColumn("type", false, r -> r.type()),
        new BenchColumn("shape", false, r -> "`" + r.load().spec() + "`"),
        new BenchColumn("achieved calls/s", true, r -> count(Math.round(achievedPerS(r.median())))),
        new BenchColumn("median elapsed ms" + (options.runs() > 1 ? " (min–max)" : ""), true, r -> elapsed(r.median())),
        new BenchColumn("p50 ms", true, r -> ms(r.median().latency().p50())),
        new BenchColumn("p99 ms", true, r -> ms(r.median().latency().p99())),
        new BenchColumn("p99.9 ms", true, r -> ms(r.median().latency().p999())),
        new BenchColumn("schedule lag p99 ms", true, r -> r.median().pacing() == null ? "–" : ms(r.median().pacing().lagP99Ms())),
        new BenchColumn("failed", true, r -> String.valueOf(r.failed())),
        new BenchColumn("client CPU µs/call", true, r -> micros(r.clientMicrosPerCall())),
        new BenchColumn("server CPU µs/call", true, r -> micros(r.serverMicrosPerCall()))));
    table(shapes, columns);
  }

  /** A column: its header, whether numbers align right, and its cell of a measured row. */
  private record BenchColumn(String header, boolean right, Function<BenchRow, String> cell) {
  }

  private void table(List<BenchRow> tableRows, List<BenchColumn> columns) {
    if (options.grpcJavaPeer()) {
      columns.add(new BenchColumn("vs grpc-java: elapsed", true, r -> ratio(r, BenchRow::median, ExperimentReport::elapsedMs)));
      columns.add(new BenchColumn("vs grpc-java: client CPU/call", true, r -> ratio(r, row -> row, BenchRow::clientMicrosPerCall)));
    }
    out.append("| ").append(columns.stream().map(BenchColumn::header).collect(Collectors.joining(" | "))).append(" |\n");
    out.append("|").append(columns.stream().map(c -> c.right() ? "---:|" : "---|").collect(Collectors.joining())).append('\n');
    for (BenchRow row : tableRows) {
      List<String> cells = new ArrayList<>();
      for (int i = 0; i < columns.size(); i++) {
        if (row.measured() || i < KEY_COLUMNS) {
          cells.add(columns.get(i).cell().apply(row));
        } else {
          cells.add(i == KEY_COLUMNS ? "n/a: " + cell(row.na()) : "");
        }
      }
      out.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
  }

  /** Ours over grpc-java's counterpart under the same load, "0.87×"; blank for a peer row or without one. */
  private <T> String ratio(BenchRow ours, Function<BenchRow, T> from, Function<T, Double> value) {
    String peer = GrpcJavaTypes.counterpartOf(ours.type());
    BenchRow theirs = rows.stream().filter(r -> r.type().equals(peer) && r.load().equals(ours.load()) && r.measured())
        .findFirst().orElse(null);
    if (theirs == null) {
      return "";
    }
    double a = value.apply(from.apply(ours));
    double b = value.apply(from.apply(theirs));
    return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "–" : String.format(Locale.ROOT, "%.2f×", a / b);
  }

  private void notes() {
    out.append("""

        - elapsed: the client's own `elapsed_ms`, median of the runs; the latencies, max_in_flight and GC are the
          median run's; failed is summed over the runs. Latency counts from when a call is sent: time spent
          waiting for a free slot (calls_waited, when max_in_flight < n) is in elapsed, not in the percentiles.
        - before each run the benchmark waits (up to 20 s) until the server and client JVMs are idle; with the
          grpc-java peer, ours and the peer take turns run by run under the same load.
        - client GC ms: the client JVM's collection time during the median run (`client_gc_ms`; for ParallelGC
          and G1 its stop-the-world pauses, during which no call is sent or completed).
        - client and server CPU µs/call: the CPU time (all threads) of that row's client JVM, and of all server
          JVMs, over the row's runs and the pause after each, divided by the calls that succeeded; the kernel
          counts it in clock ticks (usually 10 ms) per process.
        - client VmHWM: peak RSS of that type's client JVM since it started (a fresh JVM per type; warm-up
          included), read after the row's runs, so it only grows down a type's rows.
        """);
    if (rows.stream().anyMatch(r -> !r.load().isBurst())) {
      out.append("""
          - load shapes: achieved calls/s is the rate an open loop sent at (the schedule asked the rate in its
            spec) and, for a closed loop, the calls completed per second; schedule lag p99 is how late an open
            loop's calls left against their slot.
          """);
    }
    if (options.grpcJavaPeer()) {
      out.append("""
          - vs grpc-java: ours divided by grpc-java's counterpart under the same load (below 1× is ours faster or
            cheaper): elapsed of the median runs, and client CPU per call.
          """);
    }
  }

  private void coldStartTable() {
    out.append("\nCold starts (a fresh client JVM per start, alone beside the warm servers; ours includes its JIT "
        + "warm-up before it listens):\n\n");
    boolean peers = coldStarts.stream().anyMatch(r -> GrpcJavaTypes.counterpartOf(r.type()) != null);
    out.append("| type | n | fresh JVMs | launch to first answer s | first run ms | third run ms | first ÷ third | ≤ ")
        .append(ColdStartRow.TARGET_RATIO).append("× |").append(peers ? " vs grpc-java: first run |" : "").append('\n');
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|").append(peers ? "---:|" : "").append('\n');
    for (ColdStartRow row : coldStarts) {
      out.append("| ").append(row.type()).append(" | ").append(count(row.n())).append(" | ");
      if (!row.measured()) {
        out.append("n/a: ").append(cell(row.na())).append(" |  |  |  |  |  |").append(peers ? "  |" : "").append('\n');
        continue;
      }
      out.append(row.starts().size()).append(" | ")
          .append(spread(row.untilFirstAnswerS(), v -> String.format(Locale.ROOT, "%.1f", v))).append(" | ")
          .append(spread(row.firstMs(), BenchTable::ms)).append(" | ")
          .append(spread(row.thirdMs(), BenchTable::ms)).append(" | ")
          .append(spread(row.ratios(), v -> String.format(Locale.ROOT, "%.2f×", v))).append(" | ")
          .append(row.withinTarget()).append(" of ").append(row.starts().size()).append(" |")
          .append(peers ? " " + coldRatio(row) + " |" : "").append('\n');
    }
    out.append("\n- each start: launch, wait for the client to say it listens, then three runs (the first answered "
        + "once the client lists its endpoints), the JVMs idle before each; first ÷ third per JVM, then the median "
        + "(min–max) over the starts; vs grpc-java: the medians of the first runs.\n");
  }

  /** Ours over the peer's median first run; blank for a peer row or without one. */
  private String coldRatio(ColdStartRow ours) {
    String peer = GrpcJavaTypes.counterpartOf(ours.type());
    return coldStarts.stream().filter(r -> r.type().equals(peer) && r.measured()).findFirst()
        .map(theirs -> String.format(Locale.ROOT, "%.2f×", median(ours.firstMs()) / median(theirs.firstMs())))
        .orElse("");
  }

  /** "median (min–max)" of repeated measurements; just the value for one. */
  private static String spread(List<Double> values, Function<Double, String> format) {
    Range range = Range.of(values);
    String median = format.apply(median(values));
    return values.size() == 1 ? median : median + " (" + format.apply(range.min()) + "–" + format.apply(range.max()) + ")";
  }

  /** The lower middle for an even count, as the rows' median run ({@link ExperimentReport#median}) is. */
  static double median(List<Double> values) {
    return values.stream().sorted().toList().get((values.size() - 1) / 2);
  }

  /** count_per_ip of the median run at n = 10 000 if measured, else the largest measured burst, per type. */
  private void split(List<BenchRow> bursts) {
    Set<String> types = bursts.stream().map(BenchRow::type).collect(Collectors.toCollection(LinkedHashSet::new));
    if (types.isEmpty()) {
      return;
    }
    out.append("\nSplit over servers (count_per_ip of the median run):\n\n");
    for (String type : types) {
      BenchRow shown = splitRow(bursts, type);
      if (shown == null) {
        out.append("- ").append(type).append(": n/a\n");
        continue;
      }
      ExperimentReport median = shown.median();
      long connections = median.channel().connections();
      out.append("- ").append(type).append(", n=").append(count(shown.load().n())).append(": ")
          .append(new TreeMap<>(median.countPerIp())).append(" (")
          .append(connections >= 0 ? "connections " + connections + ", " : "")
          .append("in_flight_cap ").append(median.experiment().inFlightCap())
          .append(", calls_waited ").append(median.callsWaited()).append(")\n");
    }
  }

  private static BenchRow splitRow(List<BenchRow> bursts, String type) {
    List<BenchRow> measured = bursts.stream().filter(r -> r.type().equals(type) && r.measured()).toList();
    return measured.stream().filter(r -> r.load().n() == 10_000).findFirst()
        .orElse(measured.stream().max(Comparator.comparingInt(r -> r.load().n())).orElse(null));
  }

  /**
   * An error with its measured numbers blanked: grpc-java names each deadline's elapsed time in the message
   * ("deadline exceeded after 29.999989067s"), which made one line per call.
   */
  static String grouped(String error) {
    return error.replaceAll("\\d+\\.\\d+ ?s(econds)?", "N s");
  }

  /** Error counts with the errors {@link #grouped}: one entry where grpc-java names one per call. */
  static Map<String, Long> groupedCounts(Map<String, ? extends Number> errors) {
    Map<String, Long> sum = new TreeMap<>();
    errors.forEach((error, count) -> sum.merge(grouped(error), count.longValue(), Long::sum));
    return sum;
  }

  private void errorsAndWarnings() {
    List<String> errors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (BenchRow row : rows) {
      Map<String, Long> sum = new TreeMap<>();
      row.reports().forEach(r -> groupedCounts(r.outcome().errors()).forEach((e, c) -> sum.merge(e, c, Long::sum)));
      String where = row.type() + ", " + row.load().spec();
      sum.forEach((error, count) -> errors.add("- " + where + ": " + count + " × `" + error + "`"));
      if (row.measured()) {
        row.median().warnings().forEach(w -> warnings.add("- " + where + ": " + w));
      }
    }
    if (!errors.isEmpty()) {
      out.append("\nErrors (summed over the runs):\n\n");
      errors.forEach(e -> out.append(e).append('\n'));
    }
    if (!warnings.isEmpty()) {
      out.append("\nWarnings (of the median runs):\n\n");
      warnings.forEach(w -> out.append(w).append('\n'));
    }
  }

  private void servers() {
    out.append("\nServers, whole benchmark (warm-up included):\n\n");
    for (ServerTotal server : context.servers()) {
      double cpuS = server.cpu().toNanos() / 1e9;
      out.append("- ").append(server.name()).append(": ").append(server.callsServed() < 0 ? "?" : String.valueOf(server.callsServed()))
          .append(" calls served, CPU ").append(String.format(Locale.ROOT, "%.2f s", cpuS))
          .append(server.callsServed() > 0 ? String.format(Locale.ROOT, " (%.1f µs/call)", cpuS * 1e6 / server.callsServed()) : "")
          .append(", VmHWM ").append(Math.round(server.hwmKb() / 1024.0)).append(" MiB, exit code ").append(server.exitCode())
          .append('\n');
    }
    if (context.proxyCpu() != null) {
      out.append(String.format(Locale.ROOT, "- service proxy (in the benchmark JVM, which also waits on the clients): CPU %.2f s%n",
          context.proxyCpu().toNanos() / 1e9));
    }
  }

  private void logs() {
    out.append("\nLogs in ").append(context.logDir()).append(":\n\n");
    for (LogCount log : context.logs()) {
      out.append("- ").append(log.file()).append(": ").append(log.blocked()).append(" blocked-thread warnings, ")
          .append(log.warnings()).append(" WARNING, ").append(log.severe()).append(" SEVERE lines\n");
    }
  }

  private String elapsed(ExperimentReport median) {
    String text = ms(median.elapsedMs());
    if (options.runs() > 1) {
      Range range = median.elapsedRange();
      text += " (" + ms(range.min()) + "–" + ms(range.max()) + ")";
    }
    return text;
  }

  /** An open loop's sending rate; for the other shapes the calls completed per second. */
  private static double achievedPerS(ExperimentReport report) {
    return report.pacing() != null ? report.pacing().achievedPerS() : report.throughputPerS();
  }

  /** " a b c" for [a, b, c]: JVM flags as they follow -Xmx in the report. */
  private static String spaced(List<String> args) {
    return args.stream().map(a -> " " + a).collect(Collectors.joining());
  }

  static String ms(double value) {
    return value >= 100 ? String.valueOf(Math.round(value)) : String.format(Locale.ROOT, "%.1f", value);
  }

  private static String micros(double value) {
    return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.1f", value);
  }

  static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value).replace(',', ' ');
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replaceAll("\\s+", " ").trim();
  }
}
