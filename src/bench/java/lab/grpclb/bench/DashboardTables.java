package lab.grpclb.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleFunction;
import java.util.function.Function;
import java.util.stream.Collectors;
import lab.grpclb.bench.DashboardPlan.Table;
import lab.grpclb.config.ClientType;
import lab.grpclb.experiment.LoadShape;

/**
 * The dashboard's Markdown and its charts: a header that says what ran where (command, machine, JVM flags), then
 * per JVM flavour the five tables, each of our rows beside grpc-java's under the same load with ours ÷ theirs.
 * Every cell is the median of the runs and their range. A pure function of what was measured.
 */
final class DashboardTables {
  /** The Markdown and the SVG charts it links to, by file name (written beside it). */
  record Report(String markdown, Map<String, String> charts) {
  }

  /** What the report says beside the sections. */
  record DashboardContext(String startedAt, String command, String machine, String took, String stamp, BenchOptions options) {
  }

  /**
   * A column: its header, whether numbers align right, whether it names the row (kept when the row was not
   * measured), its cell of a measured row.
   */
  private record DashboardColumn(String header, boolean right, boolean key, Function<BenchRow, String> cell) {
    DashboardColumn(String header, boolean right, Function<BenchRow, String> cell) {
      this(header, right, false, cell);
    }
  }

  /** A ratio column: its header, and the spread of a row it compares. */
  private record Ratio(String header, Function<BenchRow, RunSpread> of) {
  }

  private final DashboardContext context;
  private final BenchOptions options;
  private final DashboardPlan plan;
  private final StringBuilder out = new StringBuilder();
  private final Map<String, String> charts = new LinkedHashMap<>();
  private List<BenchRow> tableRows = List.of();

  private DashboardTables(DashboardContext context) {
    this.context = context;
    this.options = context.options();
    this.plan = options.dashboard();
  }

  static Report render(DashboardContext context, List<DashboardSection> sections) {
    DashboardTables tables = new DashboardTables(context);
    tables.header();
    sections.forEach(tables::section);
    return new Report(tables.out.toString(), Map.copyOf(tables.charts));
  }

  private void header() {
    out.append("## grpc-lb-lab benchmark: gRPC's dashboard measures, ours beside grpc-java, ").append(context.startedAt())
        .append("\n\n");
    out.append("Command: `").append(context.command()).append("`  \n");
    out.append("Machine: ").append(context.machine()).append("  \n");
    out.append("JVM flags: ").append(options.jvmFlavours().stream().map(this::flags).collect(Collectors.joining("; then ")))
        .append("  \n");
    out.append("Took ").append(context.took()).append(".\n\n");
    List<String> pairs = ClientType.wireNames(options.types()).stream().map(t -> GrpcJavaTypes.counterpartOf(t) == null
        || !options.grpcJavaPeer() ? t + " (alone)" : t + " beside " + GrpcJavaTypes.counterpartOf(t)).toList();
    out.append("Clients: ").append(String.join(", ", pairs)).append(". ").append(GrpcJavaTypes.ONE_CHANNEL)
        .append(" is one ManagedChannel to ").append(options.clientTarget()).append(", ").append(GrpcJavaTypes.ROUND_ROBIN)
        .append(" round_robin over the ").append(options.replicas()).append(" servers, both set up as grpc-java's own")
        .append(" benchmarks (directExecutor, epoll, 16 MiB window). ").append(options.replicas())
        .append(" greeter server JVMs of ours on ").append(options.serverIp(0)).append("..")
        .append(options.serverIp(options.replicas() - 1)).append(':').append(options.port())
        .append(", restarted per reply delay (0 for tables 1-3 and 5, ").append(options.delayMs())
        .append(" ms for 4); a fresh client JVM per type and delay, warmed up before measuring.\n\n");
    out.append("Each cell: the median of ").append(options.runs()).append(" run(s)")
        .append(options.runs() > 1 ? " and their range (min–max)" : "")
        .append("; ours and grpc-java take turns run by run, each run after the JVMs went idle. vs grpc-java: ours ÷")
        .append(" grpc-java's medians (below 1× is ours lower); * marks a ratio whose runs' ranges overlap, a")
        .append(" difference not to call real. CPU: the JVM's utime + stime over the run and the pause after it, in")
        .append(" clock ticks (usually 10 ms).\n");
  }

  private String flags(JvmFlavour flavour) {
    List<String> args = flavour == JvmFlavour.DEFAULTS ? List.of() : options.jvmArgs();
    return flavour.title + " (clients -Xmx" + options.clientHeap() + spaced(args) + spaced(options.clientJvmArgs())
        + ", servers -Xmx" + options.serverHeap() + spaced(args) + spaced(options.serverJvmArgs())
        + (args.isEmpty() ? "; no GC flag" : "") + ")";
  }

  private void section(DashboardSection section) {
    out.append("\n### With ").append(flags(section.flavour())).append("\n");
    for (Table table : plan.tables()) {
      tableRows = section.rows(table);
      out.append("\n#### ").append(table.ordinal() + 1).append(". ").append(table.title).append("\n\n");
      switch (table) {
        case LATENCY -> latency();
        case THROUGHPUT -> throughput();
        case LOAD -> load(section);
        case BURSTS -> bursts();
        case SERVER -> server();
        default -> throw new IllegalStateException(table.toString());
      }
    }
    errorsAndWarnings(section);
    servers(section);
    out.append("\nLogs in ").append(section.logDir()).append(": ");
    String noisy = section.logs().stream().filter(l -> l.blocked() + l.warnings() + l.severe() > 0)
        .map(l -> l.file() + " " + l.blocked() + " blocked-thread, " + l.warnings() + " WARNING, " + l.severe() + " SEVERE")
        .collect(Collectors.joining("; "));
    out.append(noisy.isEmpty() ? "no blocked-thread, WARNING or SEVERE lines." : noisy + ".").append('\n');
  }

  private void latency() {
    out.append("One call at a time (a closed loop of 1), ").append(BenchTable.count(plan.latencyN()))
        .append(" calls per run, reply delay 0; latency from send to reply, in µs.\n\n");
    table(List.of(client(), micros("p50 µs", DashboardMetrics::p50Micros), micros("p99 µs", DashboardMetrics::p99Micros),
            micros("p99.9 µs", DashboardMetrics::p999Micros), failed()),
        List.of(new Ratio("p50", spread(DashboardMetrics::p50Micros)), new Ratio("p99", spread(DashboardMetrics::p99Micros)),
            new Ratio("p99.9", spread(DashboardMetrics::p999Micros))));
  }

  private void throughput() {
    out.append("A closed loop of c calls in flight (the next leaves as one ends), ").append(BenchTable.count(plan.throughputN()))
        .append(" calls per run, reply delay 0. Calls per client CPU-second: calls that succeeded over the client JVM's")
        .append(" CPU time.\n\n");
    table(List.of(client(), new DashboardColumn("c", true, true, r -> BenchTable.count(concurrency(r))),
            count("calls/s", DashboardMetrics::callsPerS), count("calls per client CPU-s", DashboardMetrics::callsPerClientCpuS),
            decimal("client CPU µs/call", DashboardMetrics::clientMicrosPerCall), failed()),
        List.of(new Ratio("calls/s", spread(DashboardMetrics::callsPerS)),
            new Ratio("calls per CPU-s", spread(DashboardMetrics::callsPerClientCpuS))));
  }

  private void load(DashboardSection section) {
    out.append("An open loop: calls leave on a uniform schedule whether or not earlier ones returned, ")
        .append(plan.loadSeconds()).append(" s per run, reply delay 0; ");
    if (plan.rates().isEmpty()) {
      out.append("rates at ").append(plan.loadPercents().stream().map(p -> p + " %").collect(Collectors.joining(", ")))
          .append(" of the pair's best closed-loop calls/s (");
      out.append(section.loadBases().stream().map(b -> b.type() + ": " + BenchTable.count(Math.round(b.callsPerS())) + ", "
          + b.from()).collect(Collectors.joining("; "))).append(")");
    } else {
      out.append("rates ").append(plan.rates().stream().map(r -> BenchTable.count(r)).collect(Collectors.joining(", ")))
          .append(" calls/s (--rates)");
    }
    out.append(". Sent: the rate the client kept to; completed: calls ended per second, the first sign of")
        .append(" saturation. Latency counts from the call's send, so a client that falls behind its schedule also")
        .append(" shows it as sent < offered.\n\n");
    table(List.of(client(), new DashboardColumn("offered calls/s", true, true, r -> BenchTable.count(Math.round(offered(r)))),
            count("sent calls/s", DashboardMetrics::sentPerS), count("completed calls/s", DashboardMetrics::callsPerS),
            micros("p50 µs", DashboardMetrics::p50Micros), micros("p99 µs", DashboardMetrics::p99Micros), failed()),
        List.of(new Ratio("p50", spread(DashboardMetrics::p50Micros)), new Ratio("p99", spread(DashboardMetrics::p99Micros))));
    for (String type : ClientType.wireNames(options.types())) {
      chart(section, type);
    }
  }

  /** One chart per type and flavour: ours and its grpc-java counterpart, p99 solid, p50 dashed. */
  private void chart(DashboardSection section, String type) {
    List<LoadChart.ChartLine> series = new ArrayList<>();
    for (String client : new String[] {type, GrpcJavaTypes.counterpartOf(type)}) {
      List<BenchRow> rows = tableRows.stream().filter(r -> r.type().equals(client) && r.measured()).toList();
      if (client == null || rows.isEmpty()) {
        continue;
      }
      series.add(new LoadChart.ChartLine(client, rows.stream().mapToDouble(DashboardTables::offered).toArray(),
          rows.stream().mapToDouble(r -> RunSpread.of(DashboardMetrics.p50Micros(r)).median()).toArray(),
          rows.stream().mapToDouble(r -> RunSpread.of(DashboardMetrics.p99Micros(r)).median()).toArray()));
    }
    if (series.isEmpty()) {
      return;
    }
    String file = context.stamp() + "-" + section.flavour().wireName + "-" + type + "-latency-vs-load.svg";
    String title = "Latency against load, " + series.stream().map(LoadChart.ChartLine::label).collect(Collectors.joining(" vs "))
        + " (" + section.flavour().title + ")";
    charts.put(file, LoadChart.svg(title, series));
    out.append("\n![").append(title).append("](").append(file).append(")\n");
  }

  private void bursts() {
    out.append("The write-up's experiment: n calls fired at once, reply delay ").append(options.delayMs())
        .append(" ms; elapsed from the first call sent to the last reply.\n\n");
    table(List.of(client(), new DashboardColumn("n", true, true, r -> BenchTable.count(r.load().n())),
            decimal("elapsed ms", DashboardMetrics::elapsedMs, BenchTable::ms),
            new DashboardColumn("p99 ms", true, r -> BenchTable.ms(r.median().latency().p99())),
            decimal("client CPU µs/call", DashboardMetrics::clientMicrosPerCall),
            decimal("server CPU µs/call", DashboardMetrics::serverMicrosPerCall), failed()),
        List.of(new Ratio("elapsed", spread(DashboardMetrics::elapsedMs)),
            new Ratio("client CPU/call", spread(DashboardMetrics::clientMicrosPerCall))));
  }

  private void server() {
    out.append("Our greeter against a grpc-java greeter (").append(BenchFleet.GRPC_JAVA_GREETER_MAIN)
        .append(": the same proto, directExecutor, epoll, 16 MiB window; delay 0 answers inline), each on its own")
        .append(" server JVM with the same flags, under the same client: grpc-java, one channel, a peer JVM per")
        .append(" greeter taking turns. A closed loop of ").append(plan.serverConcurrency()).append(", ")
        .append(BenchTable.count(plan.serverN())).append(" calls per run, reply delay 0. Server CPU: that greeter's")
        .append(" JVM alone.\n\n");
    table(List.of(new DashboardColumn("server", false, true, BenchRow::type), count("calls/s", DashboardMetrics::callsPerS),
            decimal("server CPU µs/call", DashboardMetrics::serverMicrosPerCall),
            count("calls per server CPU-s", DashboardMetrics::callsPerServerCpuS),
            decimal("client CPU µs/call", DashboardMetrics::clientMicrosPerCall), failed()),
        List.of(new Ratio("calls/s", spread(DashboardMetrics::callsPerS)),
            new Ratio("server CPU/call", spread(DashboardMetrics::serverMicrosPerCall))));
  }

  private void table(List<DashboardColumn> columns, List<Ratio> ratios) {
    if (tableRows.isEmpty()) {
      out.append("Not measured").append(options.grpcJavaPeer() ? "" : " (the server table needs the grpc-java peer)")
          .append(".\n");
      return;
    }
    boolean peer = tableRows.stream().anyMatch(r -> counterpart(r) != null);
    List<String> headers = new ArrayList<>(columns.stream().map(DashboardColumn::header).toList());
    if (peer) {
      ratios.forEach(r -> headers.add("vs grpc-java: " + r.header()));
    }
    out.append("| ").append(String.join(" | ", headers)).append(" |\n|");
    columns.forEach(c -> out.append(c.right() ? "---:|" : "---|"));
    out.append(peer ? "---:|".repeat(ratios.size()) : "").append('\n');
    for (BenchRow row : tableRows) {
      List<String> cells = new ArrayList<>();
      long keys = columns.stream().filter(DashboardColumn::key).count();
      for (int i = 0; i < columns.size(); i++) {
        cells.add(row.measured() || columns.get(i).key() ? columns.get(i).cell().apply(row)
            : i == keys ? "n/a: " + cell(row.na()) : "");
      }
      if (peer) {
        BenchRow theirs = counterpart(row);
        ratios.forEach(r -> cells.add(row.measured() && theirs != null ? ratio(r.of().apply(row), r.of().apply(theirs)) : ""));
      }
      out.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
  }

  /** grpc-java's row under the same load as one of ours (the server table: grpc-java's greeter's), or null. */
  private BenchRow counterpart(BenchRow ours) {
    String peer = ours.type().equals(DashboardRunner.OUR_SERVER) ? DashboardRunner.GRPC_JAVA_SERVER
        : GrpcJavaTypes.counterpartOf(ours.type());
    return tableRows.stream().filter(r -> r.type().equals(peer) && r.load().equals(ours.load()) && r.measured())
        .findFirst().orElse(null);
  }

  static String ratio(RunSpread ours, RunSpread theirs) {
    if (!ours.known() || !theirs.known() || theirs.median() == 0) {
      return "–";
    }
    return String.format(Locale.ROOT, "%.2f×", ours.median() / theirs.median()) + (ours.overlaps(theirs) ? "*" : "");
  }

  private static Function<BenchRow, RunSpread> spread(Function<BenchRow, List<Double>> measure) {
    return row -> RunSpread.of(measure.apply(row));
  }

  private static DashboardColumn client() {
    return new DashboardColumn("client", false, true, BenchRow::type);
  }

  private static DashboardColumn failed() {
    return new DashboardColumn("failed", true, r -> String.valueOf(r.failed()));
  }

  private static DashboardColumn micros(String header, Function<BenchRow, List<Double>> measure) {
    return count(header, measure);
  }

  private static DashboardColumn count(String header, Function<BenchRow, List<Double>> measure) {
    return new DashboardColumn(header, true, r -> RunSpread.of(measure.apply(r)).format(v -> BenchTable.count(Math.round(v))));
  }

  private static DashboardColumn decimal(String header, Function<BenchRow, List<Double>> measure) {
    return decimal(header, measure, v -> String.format(Locale.ROOT, "%.1f", v));
  }

  private static DashboardColumn decimal(String header, Function<BenchRow, List<Double>> measure, DoubleFunction<String> format) {
    return new DashboardColumn(header, true, r -> RunSpread.of(measure.apply(r)).format(format));
  }

  private static int concurrency(BenchRow row) {
    return row.load().shape() instanceof LoadShape.ClosedLoop closed ? closed.concurrency() : 0;
  }

  private static double offered(BenchRow row) {
    return row.load().shape() instanceof LoadShape.OpenLoop open ? open.ratePerS() : Double.NaN;
  }

  private void errorsAndWarnings(DashboardSection section) {
    List<String> lines = new ArrayList<>();
    for (BenchRow row : section.allRows()) {
      String where = row.type() + ", " + row.load().spec();
      Map<String, Long> sum = new TreeMap<>();
      row.reports().forEach(r -> BenchTable.groupedCounts(r.outcome().errors()).forEach((e, c) -> sum.merge(e, c, Long::sum)));
      sum.forEach((error, count) -> lines.add("- " + where + ": " + count + " × `" + error + "`"));
      if (row.measured()) {
        row.median().warnings().forEach(w -> lines.add("- " + where + ": warning: " + w));
      }
    }
    if (!lines.isEmpty()) {
      out.append("\nErrors (summed over the runs) and warnings (of the median runs):\n\n");
      lines.forEach(l -> out.append(l).append('\n'));
    }
  }

  private void servers(DashboardSection section) {
    out.append("\nServers, whole section (warm-up included): ");
    out.append(section.servers().stream().map(s -> String.format(Locale.ROOT, "%s: %s calls, CPU %.1f s, VmHWM %d MiB, exit %d",
        s.name(), s.callsServed() < 0 ? "?" : BenchTable.count(s.callsServed()), s.cpu().toNanos() / 1e9,
        Math.round(s.hwmKb() / 1024.0), s.exitCode())).collect(Collectors.joining("; "))).append(".\n");
  }

  private static String spaced(List<String> args) {
    return args.stream().map(a -> " " + a).collect(Collectors.joining());
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replaceAll("\\s+", " ").trim();
  }
}
