package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import lab.grpclb.config.ClientType;
import lab.grpclb.experiment.Range;

/**
 * A fleet of clients against 10 pods (issue #26): how evenly the pods are loaded, and at what cost in connections and
 * latency, per client kind, as the fleet grows from 1 to 50. A client of ClientWithReuseConn holds one connection, to
 * the pod kube-proxy drew for it, so its pods' load is balls into bins; the section puts the exact expectation beside
 * what it measured. The pods have a capacity, so an imbalance costs latency and refusals, not only a number.
 */
final class Fleet implements ReportSection {
  /** "Good enough": the fullest pod carries at most this many times the mean pod's calls. */
  static final double GOOD_ENOUGH = 1.3;
  /** The expectation's spread that a measured range is held against: its 10th to 90th percentile. */
  static final double SPREAD_LOW = 0.1;
  static final double SPREAD_HIGH = 0.9;
  static final ClientKind REUSE = new ClientKind(ClientType.REUSE_CONN.wireName(), ClientType.REUSE_CONN, "", true);
  static final ClientKind PICK_FIRST = new ClientKind("pick_first", ClientType.KUBE_RESOLVER, "&lb=pick_first", true);
  static final int SUBSET_SIZE = 3;
  static final ClientKind SUBSET = new ClientKind("round_robin, subset_size=" + SUBSET_SIZE, ClientType.KUBE_RESOLVER,
      "&lb=round_robin&subset_size=" + SUBSET_SIZE, false);
  /** The four kinds of client, in the table's order. */
  static final List<ClientKind> CASES = List.of(REUSE, PICK_FIRST,
      new ClientKind("round_robin", ClientType.KUBE_RESOLVER, "&lb=round_robin", false), SUBSET);

  /**
   * A kind of client: its type and query; {@code onePod}: each client sends all its calls to one pod drawn at its
   * start (kube-proxy's per connection, or pick_first's shuffle), so the fleet restarts between runs to draw again.
   */
  record ClientKind(String label, ClientType type, String query, boolean onePod) {
  }

  /** One kind of client at one fleet size, its runs in order. */
  record FleetPoint(ClientKind c, int clients, List<FleetRun> runs) {
    Range range(ToDoubleFunction<FleetRun> value) {
      return FleetRun.range(runs, value);
    }

    double median(ToDoubleFunction<FleetRun> value) {
      return FleetRun.median(runs, value);
    }

    int failed() {
      return runs.stream().mapToInt(run -> run.run().failed()).sum();
    }
  }

  private final Vertx vertx;
  private final LabApi api;
  private final ReportOptions.FleetLoad load;
  private final List<FleetPoint> points = new ArrayList<>();

  Fleet(Vertx vertx, LabApi api, ReportOptions options) {
    this.vertx = vertx;
    this.api = api;
    this.load = options.fleet();
  }

  @Override
  public String name() {
    return "fleet";
  }

  @Override
  public List<PlannedRun> plan() {
    List<PlannedRun> plan = new ArrayList<>();
    for (int clients : load.clients()) {
      for (ClientKind c : CASES) {
        for (int i = 1; i <= load.runs(); i++) {
          plan.add(PlannedRun.openLoop(c.label() + ", " + clients + " clients, run " + i, load.seconds(), 1));
        }
      }
    }
    return plan;
  }

  @Override
  public Future<Void> run() {
    PodCapacity.Setting bounded = new PodCapacity.Setting(load.calls(), CapacityRuns.QUEUE_PER_SLOT * load.calls(),
        "fixed", null);
    return CapacityRuns.found(api).compose(found -> api.clients().compose(fleet -> CapacityRuns.limit(vertx, api,
            Collections.nCopies(load.pods(), bounded), load.serviceMs())
        .compose(pods -> measureAll())
        .eventually(() -> api.clients(fleet).eventually(() -> CapacityRuns.restore(vertx, api, found)))));
  }

  private Future<Void> measureAll() {
    Future<Void> chain = Future.succeededFuture();
    for (int clients : load.clients()) {
      chain = chain.compose(v -> api.clients(clients));
      for (ClientKind c : CASES) {
        chain = chain.compose(v -> point(c, clients)).map(point -> {
          points.add(point);
          return (Void) null;
        });
      }
    }
    return chain;
  }

  private Future<FleetPoint> point(ClientKind c, int clients) {
    List<FleetRun> runs = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < load.runs(); i++) {
      chain = chain.compose(v -> redraw(c, clients)).compose(v -> api.fleetExperiment(c.type().wireName(),
          CapacityRuns.openLoop(load.rate(), load.seconds(), 1) + c.query())).map(run -> {
            runs.add(run);
            return (Void) null;
          });
    }
    return chain.map(v -> new FleetPoint(c, clients, List.copyOf(runs)));
  }

  /**
   * Clients 1 to M-1 anew, so each draws its pod again: replicas=0 is refused (client 0 serves the API), so down to 1
   * and back. Client 0 keeps its pod; by symmetry that leaves the distribution of the fullest pod unchanged.
   */
  private Future<Void> redraw(ClientKind c, int clients) {
    return !c.onePod() || clients == 1 ? Future.succeededFuture()
        : api.clients(1).compose(v -> api.clients(clients));
  }

  /** The balls-into-bins expectation for one-pod clients at this fleet size. */
  BallsIntoBins expected(int clients) {
    return new BallsIntoBins(clients, load.pods());
  }

  FleetPoint at(ClientKind c, int clients) {
    return points.stream().filter(p -> p.c().equals(c) && p.clients() == clients).findFirst().orElse(null);
  }

  @Override
  public void render(Markdown md) {
    md.line("## A fleet of clients");
    md.line("");
    md.line(load.pods() + " pods, each serving " + load.calls() + " calls at once for " + load.serviceMs() + " ms"
        + " (fixed), at most " + CapacityRuns.QUEUE_PER_SLOT * load.calls() + " waiting (then RESOURCE_EXHAUSTED);"
        + " a Poisson open loop at " + load.percent() + " % of their capacity (" + Numbers.figures(load.rate())
        + " calls/s) for " + load.seconds() + " s, sent call i to client i mod M; " + load.runs() + " runs per point,"
        + " the clients that hold one pod restarted before each so they draw again. Max/mean: the busiest pod's"
        + " replies (calls) or connections over the mean pod's, the median run and the runs' range. Expected: balls"
        + " into bins, M connections on " + load.pods() + " pods at random, computed exactly, with its "
        + Numbers.percent(SPREAD_LOW * 100) + "th–" + Numbers.percent(SPREAD_HIGH * 100) + "th percentile."
        + " A subset's pods get calls in proportion to the clients that drew them; its expectation is M random subsets"
        + " of " + SUBSET_SIZE + ", simulated " + Numbers.count(SubsetDraws.TRIALS) + " times (the subsets are fixed by"
        + " the clients' ids and the pods' addresses, so its runs repeat one draw).");
    md.line("");
    List<List<String>> rows = new ArrayList<>();
    for (FleetPoint p : points) {
      rows.add(List.of(String.valueOf(p.clients()), p.c().label(), ratio(p, FleetRun::loadMaxOverMean),
          ratio(p, FleetRun::connectionsMaxOverMean), expectation(p),
          Numbers.figures(p.median(FleetRun::connections)),
          Numbers.ms(p.median(run -> run.run().latency().p99()), p.range(run -> run.run().latency().p99()))
              .replace(" ms", ""), Numbers.count(p.failed())));
    }
    md.table(List.of("clients", "client", "calls max/mean", "connections max/mean", "expected (at random)",
        "connections", "p99 ms", "failed (all runs)"), rows);
    Map<String, double[]> lines = new LinkedHashMap<>();
    for (ClientKind c : CASES) {
      lines.put(c.label(), load.clients().stream().mapToDouble(m -> {
        FleetPoint p = at(c, m);
        return p == null ? Double.NaN : p.median(run -> run.run().latency().p99());
      }).toArray());
    }
    md.chart("fleet-p99.svg", "p99 against the fleet's size, per kind of client, " + load.pods() + " pods at "
        + load.percent() + " % of capacity", Charts.linesOverSteps("p99 against the number of clients",
        load.clients().stream().map(m -> m + " clients").toList(), lines, "clients in the fleet", null));
  }

  private static String ratio(FleetPoint p, ToDoubleFunction<FleetRun> value) {
    Range range = p.range(value);
    String median = Numbers.figures(round(p.median(value)));
    return range.min() == range.max() ? median
        : median + " (" + Numbers.figures(round(range.min())) + "–" + Numbers.figures(round(range.max())) + ")";
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  /** The balls-into-bins expectation of a one-pod kind, the random subsets' of the subset, none for full mesh. */
  private String expectation(FleetPoint p) {
    if (p.c().onePod()) {
      BallsIntoBins bins = expected(p.clients());
      return spread(bins.expectedMaxOverMean(), bins.maxOverMeanAt(SPREAD_LOW), bins.maxOverMeanAt(SPREAD_HIGH));
    }
    if (p.c() == SUBSET) {
      SubsetDraws draws = subsets(p.clients());
      return spread(draws.expectedMaxOverMean(), draws.maxOverMeanAt(SPREAD_LOW), draws.maxOverMeanAt(SPREAD_HIGH));
    }
    return "–";
  }

  private SubsetDraws subsets(int clients) {
    return new SubsetDraws(clients, load.pods(), Math.min(SUBSET_SIZE, load.pods()));
  }

  private static String spread(double expected, double low, double high) {
    return Numbers.figures(round(expected)) + " (" + Numbers.figures(round(low)) + "–" + Numbers.figures(round(high))
        + ")";
  }

  /** The smallest fleet whose expected max/mean is within {@link #GOOD_ENOUGH}, up to 100 clients per pod; else -1. */
  int expectedGoodFrom() {
    return BallsIntoBins.fewestBallsWithin(load.pods(), GOOD_ENOUGH, 100 * load.pods());
  }

  /** The smallest fleet measured whose every ReuseConn run had its calls' max/mean within the threshold, or null. */
  private Integer measuredGoodFrom() {
    return load.clients().stream().filter(m -> {
      FleetPoint p = at(REUSE, m);
      return p != null && p.range(FleetRun::loadMaxOverMean).max() <= GOOD_ENOUGH;
    }).findFirst().orElse(null);
  }

  @Override
  public List<String> summary() {
    if (points.isEmpty()) {
      return List.of();
    }
    Integer measured = measuredGoodFrom();
    return List.of("**A fleet of clients (" + load.pods() + " pods):** ClientWithReuseConn's busiest pod over the mean"
        + " reached ≤ " + Numbers.figures(GOOD_ENOUGH) + " in every run "
        + (measured == null ? "at none of the fleet sizes measured (up to " + last() + " clients)"
        : "from " + measured + " clients") + "; balls into bins expects it from " + goodFromWords() + ".");
  }

  private static String clients(int m) {
    return m == 1 ? "1 client" : m + " clients";
  }

  private int last() {
    return load.clients().get(load.clients().size() - 1);
  }

  private String goodFromWords() {
    int from = expectedGoodFrom();
    return from < 0 ? "no fleet up to " + 100 * load.pods() + " clients" : from + " clients (" + Numbers.ratio(
        (double) from / load.pods()) + " per pod)";
  }

  @Override
  public List<String> findings() {
    List<String> findings = new ArrayList<>();
    for (ClientKind c : List.of(REUSE, PICK_FIRST)) {
      for (int m : load.clients()) {
        FleetPoint p = at(c, m);
        if (p != null) {
          findings.add(againstExpectation(p));
        }
      }
    }
    findings.add("Good enough (the busiest pod ≤ " + Numbers.figures(GOOD_ENOUGH) + "× the mean): "
        + Fleet.REUSE.label() + " measured " + (measuredGoodFrom() == null ? "at no fleet size up to " + last()
        + " clients" : "from " + measuredGoodFrom() + " clients") + "; expected from " + goodFromWords() + ".");
    connectionsFinding().ifPresent(findings::add);
    subsetFinding().ifPresent(findings::add);
    return findings;
  }

  /**
   * The measured connections' max/mean against the expectation's 10th–90th percentile, by the noise rule: apart only
   * when the runs' range and that spread do not overlap.
   */
  private String againstExpectation(FleetPoint p) {
    BallsIntoBins bins = expected(p.clients());
    Range spread = new Range(bins.maxOverMeanAt(SPREAD_LOW), bins.maxOverMeanAt(SPREAD_HIGH));
    Range measured = p.range(FleetRun::connectionsMaxOverMean);
    String verdict = switch (measured.against(spread)) {
      case WITHIN_NOISE -> "within the noise of it";
      case SLOWER -> "above it beyond noise (more uneven than random)";
      case FASTER -> "below it beyond noise (more even than random)";
    };
    return p.c().label() + " with " + clients(p.clients()) + ": the busiest pod held " + ratio(p,
        FleetRun::connectionsMaxOverMean) + "× the mean pod's connections over " + p.runs().size() + " runs;"
        + " balls into bins expects " + Numbers.figures(round(bins.expectedMaxOverMean())) + "× ("
        + Numbers.figures(round(spread.min())) + "–" + Numbers.figures(round(spread.max())) + "): " + verdict + ".";
  }

  /**
   * Subsetting at the largest fleet: its connections against full mesh, and its busiest pod against what random
   * subsets give, with the share of random fleets that are good enough: one draw meeting it proves little.
   */
  private Optional<String> subsetFinding() {
    FleetPoint p = at(SUBSET, last());
    if (p == null) {
      return Optional.empty();
    }
    SubsetDraws draws = subsets(last());
    return Optional.of("Subsets of " + SUBSET_SIZE + " with " + clients(last()) + ": " + Numbers.figures(p.median(
        FleetRun::connections)) + " connections (full mesh: " + last() * load.pods() + "); the busiest pod was drawn"
        + " by " + ratio(p, FleetRun::connectionsMaxOverMean) + "× the mean pod's clients and carried "
        + ratio(p, FleetRun::loadMaxOverMean) + "× the mean calls; random subsets give "
        + spread(draws.expectedMaxOverMean(), draws.maxOverMeanAt(SPREAD_LOW), draws.maxOverMeanAt(SPREAD_HIGH))
        + "×, within " + Numbers.figures(GOOD_ENOUGH) + "× in " + Numbers.percent(Math.round(100 * draws.shareWithin(
        GOOD_ENOUGH))) + " % of fleets.");
  }

  /** What round_robin's evenness costs in connections at the largest fleet, against the subset's and one pod's. */
  private Optional<String> connectionsFinding() {
    int m = last();
    List<String> each = new ArrayList<>();
    for (ClientKind c : CASES) {
      FleetPoint p = at(c, m);
      if (p != null) {
        each.add(c.label() + " " + Numbers.figures(p.median(FleetRun::connections)) + " connections, calls max/mean "
            + ratio(p, FleetRun::loadMaxOverMean) + ", p99 " + Numbers.ms(p.median(run -> run.run().latency().p99()))
            + ", " + p.failed() + " failed");
      }
    }
    return each.isEmpty() ? Optional.empty()
        : Optional.of("With " + clients(m) + ": " + String.join("; ", each) + ".");
  }
}
