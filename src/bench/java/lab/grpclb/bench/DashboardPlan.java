package lab.grpclb.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import lab.grpclb.experiment.LoadShape;

/**
 * The tables {@code bench/run.sh} prints when it is given no n list, no {@code --shape} and no
 * {@code --cold-starts}: the measures gRPC's own performance dashboard uses (latency at concurrency 1,
 * throughput under a closed loop, latency against load, and the server's cost), plus the write-up's bursts, each
 * ours beside grpc-java. Their sizes are flags so that a smoke run can shrink them.
 */
record DashboardPlan(List<Table> tables, int latencyN, List<Integer> concurrencies, int throughputN,
                     List<Integer> loadPercents, List<Integer> rates, int loadSeconds, List<Integer> bursts,
                     int serverConcurrency, int serverN, Path out) {

  /** The tables, in the order they print. */
  enum Table {
    LATENCY("latency", "Latency at concurrency 1"),
    THROUGHPUT("throughput", "Throughput under a closed loop"),
    LOAD("load", "Latency against load"),
    BURSTS("bursts", "The write-up's bursts"),
    SERVER("server", "The server");

    final String wireName;
    final String title;

    Table(String wireName, String title) {
      this.wireName = wireName;
      this.title = title;
    }

    static Table parse(String raw) {
      return Arrays.stream(values()).filter(t -> t.wireName.equals(raw.trim())).findFirst()
          .orElseThrow(() -> new BenchOptions.Usage("--tables: unknown table '" + raw.trim() + "'; valid: all or "
              + String.join(",", Arrays.stream(values()).map(t -> t.wireName).toList())));
    }
  }

  static final String USAGE = """

        with no n list, --shape or --cold-starts: the dashboard tables, ours beside grpc-java, under --jvm both
        --tables all              latency,throughput,load,bursts,server (or a subset, in any order)
        --latency-n 20000         calls of the latency table (one at a time, delay 0)
        --concurrency 10,100,1000 the closed loops of the throughput table (delay 0)
        --throughput-n 50000      calls per closed-loop run of the throughput table (and of its warm-up)
        --load-percents 10,30,50,70,85,95,100,110
                                  the open-loop rates of the latency-against-load table, in % of the best
                                  closed-loop calls/s of the pair (the throughput table's, or one probe run each)
        --rates R,R,...           a fixed ladder of calls/s instead of --load-percents
        --load-s 1                seconds per open-loop run
        --bursts 10000,100000     the bursts table's n (at --delay-ms, 500)
        --server-c 100            the server table's closed loop (grpc-java's client, one channel, delay 0)
        --server-n 50000          its calls per run
        --out bench/results       where the report (.md) and its latency-against-load charts (.svg) go
      """;

  /** The flags, as parsed so far; {@link #given} says whether any was on the command line. */
  static final class DashboardFlags {
    List<Table> tables = List.of(Table.values());
    int latencyN = 20_000;
    List<Integer> concurrencies = List.of(10, 100, 1000);
    int throughputN = 50_000;
    List<Integer> loadPercents = List.of(10, 30, 50, 70, 85, 95, 100, 110);
    List<Integer> rates = List.of();
    int loadSeconds = 1;
    List<Integer> bursts = List.of(10_000, 100_000);
    int serverConcurrency = 100;
    int serverN = 50_000;
    Path out = Path.of("bench", "results");
    String given;

    /** Takes one dashboard flag; false if {@code name} is not one. */
    boolean accept(String name, String value) {
      switch (name) {
        case "tables" -> tables = value.trim().equals("all") ? List.of(Table.values())
            : list(value, Table::parse).stream().distinct().sorted().toList();
        case "latency-n" -> latencyN = BenchOptions.bounded("--" + name, value, 1, BenchLoad.MAX_N);
        case "concurrency" -> concurrencies = integers(name, value, 100_000);
        case "throughput-n" -> throughputN = BenchOptions.bounded("--" + name, value, 1, BenchLoad.MAX_N);
        case "load-percents" -> loadPercents = integers(name, value, 1000);
        case "rates" -> rates = integers(name, value, 1_000_000);
        case "load-s" -> loadSeconds = BenchOptions.bounded("--" + name, value, 1, 3600);
        case "bursts" -> bursts = integers(name, value, BenchLoad.MAX_N);
        case "server-c" -> serverConcurrency = BenchOptions.bounded("--" + name, value, 1, 100_000);
        case "server-n" -> serverN = BenchOptions.bounded("--" + name, value, 1, BenchLoad.MAX_N);
        case "out" -> out = Path.of(value);
        default -> {
          return false;
        }
      }
      given = given == null ? "--" + name : given;
      return true;
    }

    DashboardPlan build() {
      if (tables.isEmpty()) {
        throw new BenchOptions.Usage("--tables needs at least one table");
      }
      return new DashboardPlan(tables, latencyN, concurrencies, throughputN, loadPercents, rates, loadSeconds, bursts,
          serverConcurrency, serverN, out);
    }

    private static List<Integer> integers(String name, String raw, int max) {
      return list(raw, s -> BenchOptions.bounded("--" + name, s, 1, max));
    }

    private static <T> List<T> list(String raw, Function<String, T> parse) {
      List<T> values = new ArrayList<>();
      for (String part : raw.split(",")) {
        if (!part.isBlank()) {
          values.add(parse.apply(part.trim()));
        }
      }
      if (values.isEmpty()) {
        throw new BenchOptions.Usage("a list needs at least one value, got '" + raw + "'");
      }
      return List.copyOf(values);
    }
  }

  boolean has(Table table) {
    return tables.contains(table);
  }

  static BenchLoad closed(int concurrency, int n) {
    return new BenchLoad(new LoadShape.ClosedLoop(concurrency), n);
  }

  BenchLoad latencyLoad() {
    return closed(1, latencyN);
  }

  List<BenchLoad> throughputLoads() {
    return concurrencies.stream().map(c -> closed(c, throughputN)).toList();
  }

  /** The closed loop whose calls/s sets the load ladder: the throughput table's c = 100 if it runs, else its own. */
  BenchLoad probeLoad() {
    return closed(100, throughputN);
  }

  /**
   * The open loops against {@code bestPerS}, the pair's best closed-loop calls/s (unused with {@code --rates});
   * rounded to whole calls per second, each lasting {@code --load-s}.
   */
  List<BenchLoad> loadLadder(double bestPerS) {
    List<Integer> perS = !rates.isEmpty() ? rates
        : loadPercents.stream().map(p -> (int) Math.max(1, Math.round(bestPerS * p / 100.0))).toList();
    return perS.stream().distinct().map(rate -> BenchLoad.parse(String.format(Locale.ROOT,
        "open:rate=%d,duration_s=%d", rate, loadSeconds))).toList();
  }

  List<BenchLoad> burstLoads() {
    return bursts.stream().map(BenchLoad::burst).toList();
  }

  BenchLoad serverLoad() {
    return closed(serverConcurrency, serverN);
  }

  /**
   * The discarded runs at delay 0, each client in turn: until the JIT compilers are done they take more of the 2
   * cores than the calls do. The closed loop the throughput and server tables measure, then the latency table's.
   */
  List<BenchLoad> warmUpAtDelayZero() {
    return List.of(BenchLoad.burst(1000), closed(100, throughputN), closed(100, throughputN), closed(1000, throughputN),
        closed(1, Math.min(latencyN, 5000)));
  }
}
